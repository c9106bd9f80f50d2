/* mock-provider/h2goaway.h — a graceful end for one HTTP/2 connection (RFC 9113 section 6.8), which h2o
 * 2.2.5 offers only for a whole context at shutdown (initiate_graceful_shutdown, lib/http2/connection.c). */
#ifndef MP_H2GOAWAY_H
#define MP_H2GOAWAY_H

#include <stdbool.h>

#include <h2o.h>

/* Queues a GOAWAY with NO_ERROR on conn, an HTTP/2 connection (req->version >= 0x200). First (final =
 * false): the highest stream id, so the client opens no new stream and nothing already sent is refused; the
 * connection serves on. Final: the last stream the client has opened; h2o then ignores streams opened after
 * it and closes the connection once the open ones are answered. Returns false, doing nothing, when the
 * connection is not open (h2o is already ending it: an error, the idle timeout, a final GOAWAY). */
bool mp_h2_goaway(h2o_conn_t *conn, bool final);

#endif
