/* faults/fault-proxy/pass.h — the passthrough path: a connection that no toxic hits moves its bytes on raw
 * non-blocking sockets instead of bufferevents, one fixed buffer per direction, edge-triggered.
 *
 * Bufferevents ask FIONREAD before every read and add and remove their events around every write; for plain
 * forwarding that made fault-proxy wake about 15 times as often as haproxy (docs/benchmarks.md). Here each
 * wake-up reads into the direction's buffer and writes it on until a socket would block, the way haproxy
 * does, and the events stay registered for the connection's life on this path.
 *
 * A connection enters the path once its upstream has connected and every byte the bufferevents hold has gone
 * out, and leaves it as soon as a toxic hits it: the bytes still in its buffers go first to the destination's
 * bufferevent, so nothing is lost or reordered. Buffers are bounded (FP_PASS_BUF): a direction whose buffer
 * holds bytes the destination would not take does not read its source, and TCP's window pushes back. */
#ifndef FP_PASS_H
#define FP_PASS_H

#include <stdbool.h>
#include <stddef.h>

#include "faults/fault-proxy/conn.h"

#define FP_PASS_BUF (64u << 10) /* bytes buffered per direction on the passthrough path */

/* Whether c should be on the passthrough path: no toxic hits it, its protocol is tcp and the event loop can
 * do edge-triggered events. */
bool fp_pass_wanted(const fp_conn_t *c);
/* Moves c onto the path when it is wanted and nothing is buffered in its bufferevents; else leaves it (a
 * later call, after the buffers drained, moves it). Returns whether c is on the path. */
bool fp_pass_enter(fp_conn_t *c);
/* Moves c back to its bufferevents (a toxic now hits it): what its buffers hold is queued, in order, for
 * the destinations. */
void fp_pass_leave(fp_conn_t *c);
/* Stops c's events (the connection is closing); its buffers are freed with it. */
void fp_pass_close(fp_conn_t *c);
/* Bytes buffered on c's passthrough path now. */
size_t fp_pass_buffered(const fp_conn_t *c);

#endif
