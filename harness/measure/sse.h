/* harness/measure/sse.h — an incremental Server-Sent Events parser (WHATWG rules: \n, \r\n or \r line ends,
 * ":" comments ignored, multi-line data joined with \n, an event dispatched at a blank line).
 *
 * Bytes may arrive split anywhere; memory is bounded by the largest single event (limit configurable;
 * an event over the limit is a parse error, not an allocation without bound). */
#ifndef HX_SSE_H
#define HX_SSE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

/* Called for each complete event. event is "" when the frame had no event: line. Return 0 to go on,
 * non-zero to stop parsing (hx_sse_feed then returns that value). */
typedef int (*hx_sse_cb)(void *ctx, const char *event, size_t event_len, const char *data, size_t data_len);

typedef struct hx_sse {
    cm_buf_t line;  /* partial line carried between feeds */
    cm_buf_t event; /* event name of the frame being built */
    cm_buf_t data;  /* data of the frame being built */
    bool has_data;
    bool last_cr; /* previous chunk ended with \r (a following \n belongs to it) */
    size_t max_event;
    hx_sse_cb cb;
    void *ctx;
} hx_sse_t;

void hx_sse_init(hx_sse_t *p, size_t max_event_bytes, hx_sse_cb cb, void *ctx);
/* Returns 0, the callback's non-zero value, or -1 when a line or an event exceeds max_event_bytes (the
 * same whatever the split of the input). After a non-zero return the rest of buf is not parsed; after -1 the
 * parser must be reset before it is fed again. */
int hx_sse_feed(hx_sse_t *p, const char *buf, size_t len);
/* True when a partial line or an undispatched frame is pending (a stream that ends here is truncated). */
bool hx_sse_pending(const hx_sse_t *p);
void hx_sse_reset(hx_sse_t *p);
void hx_sse_free(hx_sse_t *p);

#endif
