#include "mock-provider/h2goaway.h"

#include <h2o/http2.h>
#include <h2o/http2_internal.h>

bool mp_h2_goaway(h2o_conn_t *c, bool final)
{
    h2o_http2_conn_t *conn = (h2o_http2_conn_t *)c; /* h2o_conn_t is its first member */
    if (conn->state != H2O_HTTP2_CONN_STATE_OPEN)
        return false;
    uint32_t last = final ? conn->pull_stream_ids.max_open : INT32_MAX;
    h2o_http2_encode_goaway_frame(&conn->_write.buf, last, H2O_HTTP2_ERROR_NONE,
                                  final ? h2o_iovec_init(H2O_STRLIT("connection retired"))
                                        : h2o_iovec_init(H2O_STRLIT("connection retiring")));
    if (final)
        conn->state = H2O_HTTP2_CONN_STATE_HALF_CLOSED;
    h2o_http2_conn_request_write(conn);
    return true;
}
