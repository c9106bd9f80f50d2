/* faults/fault-proxy/conn.h — one proxied connection: two bufferevents (client, upstream) and, per
 * direction, the queue of held bytes the toxics release over time.
 *
 * Buffers are bounded: a direction stops reading its source while FP_HELD_MAX bytes wait in the proxy or
 * its destination's output holds FP_OUT_HIGH, so a slow reader (or a stall) never makes the proxy buffer
 * without limit; TCP's own window then pushes back on the sender. */
#ifndef FP_CONN_H
#define FP_CONN_H

#include "faults/fault-proxy/proxy.h"

#define FP_HELD_MAX (1u << 20)   /* bytes held by the toxics per direction */
#define FP_OUT_HIGH (256u << 10) /* bytes queued for a socket before the source stops being read */
#define FP_MAX_MARKS 1024        /* chunks with their own release time per direction */
#define FP_IO_MAX (128u << 10)   /* bytes one read(2) or write(2) moves */

/* Takes the accepted socket fd and connects to p's upstream. The connection frees itself when done. */
void fp_conn_accept(fp_proxy_t *p, int fd);
/* Closes the connection at once (FIN both ways; with reset, RST). */
void fp_conn_close(fp_conn_t *c, bool reset);
/* Called after p's toxics change, so open connections take the change (timers armed, down applied). */
void fp_conn_toxics_changed(fp_conn_t *c);
fp_conn_t *fp_conn_next(const fp_conn_t *c);
/* Bytes the proxy holds for c now: read and not yet written, on either path. */
size_t fp_conn_buffered(const fp_conn_t *c);

#endif
