/* harness/measure/sse.c — incremental Server-Sent Events parsing (the WHATWG "event stream interpretation").
 *
 * Complete lines inside one feed are parsed straight from the caller's buffer; only a line cut by the end
 * of a feed is copied (into p->line) to be completed by the next one. The WHATWG rules followed here:
 * a line ends at \r\n, \n or \r; a \r at the very end of a feed may be the first half of a \r\n, so the
 * parser remembers it (last_cr) and drops a \n that starts the next feed. Fields are "name:value" with
 * one optional space after the colon; a line without a colon is a field with an empty value; "data"
 * lines accumulate joined by \n; "event" sets the type; "id", "retry" and unknown fields are ignored; a
 * blank line dispatches the frame (nothing is dispatched when it carried no data line). A UTF-8 byte
 * order mark at the start of a stream is not stripped: LLM providers do not send one. */
#include "harness/measure/sse.h"

#include <string.h>

void hx_sse_init(hx_sse_t *p, size_t max_event_bytes, hx_sse_cb cb, void *ctx)
{
    memset(p, 0, sizeof(*p));
    p->max_event = max_event_bytes;
    p->cb = cb;
    p->ctx = ctx;
}

static void frame_clear(hx_sse_t *p)
{
    cm_buf_reset(&p->event);
    cm_buf_reset(&p->data);
    p->has_data = false;
}

void hx_sse_reset(hx_sse_t *p)
{
    cm_buf_reset(&p->line);
    frame_clear(p);
    p->last_cr = false;
}

void hx_sse_free(hx_sse_t *p)
{
    cm_buf_free(&p->line);
    cm_buf_free(&p->event);
    cm_buf_free(&p->data);
    p->has_data = false;
    p->last_cr = false;
}

bool hx_sse_pending(const hx_sse_t *p)
{
    return p->line.len > 0 || p->has_data || p->event.len > 0;
}

static int dispatch(hx_sse_t *p)
{
    if (!p->has_data) {
        /* A frame with only an event: line (or only ignored fields) is dropped, as browsers do. */
        frame_clear(p);
        return 0;
    }
    const char *event = p->event.len > 0 ? p->event.data : "";
    const char *data = p->data.len > 0 ? p->data.data : "";
    int rc = p->cb(p->ctx, event, p->event.len, data, p->data.len);
    frame_clear(p);
    return rc;
}

static bool field_is(const char *name, size_t n, const char *lit, size_t litn)
{
    return n == litn && memcmp(name, lit, n) == 0;
}

/* One complete line (without its terminator). Returns 0, the callback's value, or -1 when the frame being
 * built would exceed max_event. */
static int process_line(hx_sse_t *p, const char *s, size_t n)
{
    if (n == 0)
        return dispatch(p);
    if (s[0] == ':')
        return 0; /* comment: keep-alives such as ": ping" */
    const char *colon = memchr(s, ':', n);
    size_t name_len = colon != NULL ? (size_t)(colon - s) : n;
    const char *value = colon != NULL ? colon + 1 : s + n;
    size_t value_len = (size_t)(s + n - value);
    if (value_len > 0 && value[0] == ' ') {
        value++;
        value_len--;
    }
    if (field_is(s, name_len, "data", 4)) {
        if (p->data.len + p->event.len + value_len + 1 > p->max_event)
            return -1;
        if (p->has_data)
            cm_buf_putc(&p->data, '\n');
        cm_buf_append(&p->data, value, value_len);
        p->has_data = true;
    } else if (field_is(s, name_len, "event", 5)) {
        if (p->data.len + value_len > p->max_event)
            return -1;
        cm_buf_reset(&p->event);
        cm_buf_append(&p->event, value, value_len);
    }
    return 0;
}

/* Finds the first \r or \n in [s, end); end when there is none. */
static const char *find_eol(const char *s, const char *end)
{
    for (; s < end; s++)
        if (*s == '\n' || *s == '\r')
            return s;
    return end;
}

/* A complete line: when part of it arrived in an earlier feed it is assembled in p->line first. */
static int complete_line(hx_sse_t *p, const char *s, size_t n)
{
    /* Any line longer than the limit is an error, whether or not a feed boundary cut it (only a cut line is
     * buffered, but the outcome must not depend on where the network split the bytes). */
    if (p->line.len + n > p->max_event)
        return -1;
    if (p->line.len == 0)
        return process_line(p, s, n);
    cm_buf_append(&p->line, s, n);
    int rc = process_line(p, p->line.data, p->line.len);
    cm_buf_reset(&p->line);
    return rc;
}

int hx_sse_feed(hx_sse_t *p, const char *buf, size_t len)
{
    const char *s = buf, *end = buf + len;
    if (p->last_cr && s < end) {
        p->last_cr = false;
        if (*s == '\n')
            s++;
    }
    while (s < end) {
        const char *eol = find_eol(s, end);
        if (eol == end) {
            /* The rest is a partial line; its size counts against the event limit so that a peer that
             * never sends a newline cannot make us buffer without bound. */
            if (p->line.len + (size_t)(end - s) > p->max_event)
                return -1;
            cm_buf_append(&p->line, s, (size_t)(end - s));
            return 0;
        }
        int rc = complete_line(p, s, (size_t)(eol - s));
        s = eol + 1;
        if (*eol == '\r') {
            if (s == end)
                p->last_cr = true;
            else if (*s == '\n')
                s++;
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}
