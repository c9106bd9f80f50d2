/* common/json_write.c — the JSON writer half of json.h: string escaping and the comma-tracking cm_jw_*. */
#include "common/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes that cannot appear raw inside a JSON string: the quote, the backslash and C0 controls. */
static bool needs_escape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

static void put_escape(cm_buf_t *b, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 0, 0, 0, 0, 0};
    size_t n = 2;
    switch (c) {
    case '"':
        e[1] = '"';
        break;
    case '\\':
        e[1] = '\\';
        break;
    case '\b':
        e[1] = 'b';
        break;
    case '\f':
        e[1] = 'f';
        break;
    case '\n':
        e[1] = 'n';
        break;
    case '\r':
        e[1] = 'r';
        break;
    case '\t':
        e[1] = 't';
        break;
    default:
        memcpy(e + 1, "u00", 3);
        e[4] = hex[c >> 4];
        e[5] = hex[c & 15];
        n = 6;
    }
    cm_buf_append(b, e, n);
}

void cm_json_escape_body(cm_buf_t *b, const char *s, size_t n)
{
    /* Runs of bytes that need no escaping are copied in one append, so typical text costs one memcpy. */
    cm_buf_reserve(b, n);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!needs_escape(c))
            continue;
        cm_buf_append(b, s + run, i - run);
        put_escape(b, c);
        run = i + 1;
    }
    cm_buf_append(b, s + run, n - run);
}

size_t cm_json_escaped_len(const char *s, size_t n)
{
    size_t len = n;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t')
            len += 1;
        else if (c < 0x20)
            len += 5;
    }
    return len;
}

void cm_json_escape(cm_buf_t *b, const char *s, size_t n)
{
    cm_buf_putc(b, '"');
    cm_json_escape_body(b, s, n);
    cm_buf_putc(b, '"');
}

/* As cm_json_escape, but the output is valid UTF-8 whatever s holds. The writer's strings come from
 * anywhere (a model named on the command line, a deployment a server names in a header), and a single
 * stray byte would make a whole report unreadable to a strict JSON reader; U+FFFD keeps the rest. */
static void escape_text(cm_buf_t *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0;
    cm_buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t len = cm_json_utf8_len(u + i, u + n);
        if (len > 0) {
            i += len;
            continue;
        }
        cm_json_escape_body(b, s + run, i - run);
        cm_buf_puts(b, "\xef\xbf\xbd"); /* U+FFFD REPLACEMENT CHARACTER */
        run = ++i;
    }
    cm_json_escape_body(b, s + run, n - run);
    cm_buf_putc(b, '"');
}

/* Nesting past CM_JW_MAX_DEPTH shares the deepest comma slot. Renderers build fixed shapes far shallower
 * than that, so this only guards memory safety; it is documented rather than reported because the writer
 * API has no error channel. */
static int slot(const cm_jw_t *w)
{
    return w->depth < CM_JW_MAX_DEPTH ? w->depth : CM_JW_MAX_DEPTH;
}

/* Every value goes through here: after a key it follows the colon, otherwise it needs a comma when it is
 * not the first item of its container. */
static void before_value(cm_jw_t *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->need_comma[slot(w)])
        cm_buf_putc(w->buf, ',');
    w->need_comma[slot(w)] = true;
}

void cm_jw_init(cm_jw_t *w, cm_buf_t *buf)
{
    memset(w, 0, sizeof(*w));
    w->buf = buf;
}

static void open_container(cm_jw_t *w, char c)
{
    before_value(w);
    cm_buf_putc(w->buf, c);
    w->depth++;
    w->need_comma[slot(w)] = false;
}

static void close_container(cm_jw_t *w, char c)
{
    if (w->depth > 0)
        w->depth--;
    w->after_key = false;
    cm_buf_putc(w->buf, c);
}

void cm_jw_obj(cm_jw_t *w)
{
    open_container(w, '{');
}

void cm_jw_obj_end(cm_jw_t *w)
{
    close_container(w, '}');
}

void cm_jw_arr(cm_jw_t *w)
{
    open_container(w, '[');
}

void cm_jw_arr_end(cm_jw_t *w)
{
    close_container(w, ']');
}

void cm_jw_key(cm_jw_t *w, const char *key)
{
    before_value(w);
    escape_text(w->buf, key, strlen(key));
    cm_buf_putc(w->buf, ':');
    w->after_key = true;
}

void cm_jw_str(cm_jw_t *w, const char *s)
{
    if (s == NULL) {
        cm_jw_null(w);
        return;
    }
    cm_jw_strn(w, s, strlen(s));
}

void cm_jw_strn(cm_jw_t *w, const char *s, size_t n)
{
    before_value(w);
    escape_text(w->buf, s, n);
}

void cm_jw_int(cm_jw_t *w, int64_t v)
{
    before_value(w);
    cm_buf_printf(w->buf, "%" PRId64, v);
}

void cm_jw_uint(cm_jw_t *w, uint64_t v)
{
    before_value(w);
    cm_buf_printf(w->buf, "%" PRIu64, v);
}

void cm_jw_double(cm_jw_t *w, double v)
{
    if (!isfinite(v)) {
        cm_jw_null(w);
        return;
    }
    /* The shortest of %.15g..%.17g that reads back as the same double: 0.1 prints as "0.1", not
     * "0.10000000000000001", and nothing is lost. The C locale is assumed (no binary calls setlocale). */
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    before_value(w);
    cm_buf_puts(w->buf, tmp);
}

void cm_jw_fixed(cm_jw_t *w, double v, int decimals)
{
    if (!isfinite(v)) {
        cm_jw_null(w);
        return;
    }
    before_value(w);
    cm_buf_printf(w->buf, "%.*f", decimals < 0 ? 0 : decimals, v);
}

void cm_jw_bool(cm_jw_t *w, bool v)
{
    before_value(w);
    cm_buf_puts(w->buf, v ? "true" : "false");
}

void cm_jw_null(cm_jw_t *w)
{
    before_value(w);
    cm_buf_puts(w->buf, "null");
}

void cm_jw_raw(cm_jw_t *w, const char *json, size_t n)
{
    before_value(w);
    cm_buf_append(w->buf, json, n);
}

/* One member: the key, then its value. Every JSON report writes dozens of these pairs. */
void cm_jw_kv_str(cm_jw_t *w, const char *key, const char *s)
{
    cm_jw_key(w, key);
    cm_jw_str(w, s);
}

void cm_jw_kv_uint(cm_jw_t *w, const char *key, uint64_t v)
{
    cm_jw_key(w, key);
    cm_jw_uint(w, v);
}

void cm_jw_kv_double(cm_jw_t *w, const char *key, double v)
{
    cm_jw_key(w, key);
    cm_jw_double(w, v);
}

void cm_jw_kv_bool(cm_jw_t *w, const char *key, bool v)
{
    cm_jw_key(w, key);
    cm_jw_bool(w, v);
}
