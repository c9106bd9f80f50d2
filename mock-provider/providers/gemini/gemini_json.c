/* Google's JSON layouts. Its servers pretty-print every JSON body (two spaces, members on their own lines,
 * `": "` after keys) and write alt=sse frames in a one-line form that keeps the `": "` but no space after
 * commas; clients must not care, but byte-level captures (and gateways that log bodies) show it. */
#include "mock-provider/providers/gemini/gemini_json.h"

#include <string.h>

#include "common/json.h"
#include "mock-provider/providers/render.h"

void mp_gj_init(mp_gj_t *w, cm_buf_t *b, bool pretty)
{
    memset(w, 0, sizeof(*w));
    w->b = b;
    w->pretty = pretty;
}

static void newline(mp_gj_t *w, unsigned depth)
{
    static const char spaces[] = "                                                                ";
    unsigned n = 2 * (depth > MP_GJ_MAX_DEPTH ? MP_GJ_MAX_DEPTH : depth);
    cm_buf_putc(w->b, '\n');
    while (n > 0) {
        unsigned k = n < sizeof(spaces) - 1 ? n : (unsigned)sizeof(spaces) - 1;
        cm_buf_append(w->b, spaces, k);
        n -= k;
    }
}

static unsigned slot(const mp_gj_t *w)
{
    return w->depth > MP_GJ_MAX_DEPTH ? MP_GJ_MAX_DEPTH : w->depth;
}

/* Before a value or a key: nothing after a key, else a comma after a sibling and, pretty, a new line. */
static void sep(mp_gj_t *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->filled[slot(w)])
        cm_buf_putc(w->b, ',');
    if (w->pretty && w->depth > 0)
        newline(w, w->depth);
    w->filled[slot(w)] = true;
}

void mp_gj_key(mp_gj_t *w, const char *key)
{
    sep(w);
    cm_buf_putc(w->b, '"');
    cm_buf_puts(w->b, key);
    MP_PUT_LIT(w->b, "\": ");
    w->after_key = true;
}

static void open(mp_gj_t *w, char c)
{
    sep(w);
    cm_buf_putc(w->b, c);
    w->depth++;
    w->filled[slot(w)] = false;
}

static void close(mp_gj_t *w, char c)
{
    bool had = w->filled[slot(w)];
    w->depth--;
    if (w->pretty && had)
        newline(w, w->depth);
    cm_buf_putc(w->b, c);
}

void mp_gj_obj(mp_gj_t *w)
{
    open(w, '{');
}

void mp_gj_obj_end(mp_gj_t *w)
{
    close(w, '}');
}

void mp_gj_arr(mp_gj_t *w)
{
    open(w, '[');
}

void mp_gj_arr_end(mp_gj_t *w)
{
    close(w, ']');
}

void mp_gj_str(mp_gj_t *w, const char *escaped, size_t n)
{
    sep(w);
    mp_put_quoted(w->b, (cm_str_t){escaped, n});
}

void mp_gj_cstr(mp_gj_t *w, const char *s)
{
    sep(w);
    cm_json_escape(w->b, s, strlen(s));
}

void mp_gj_lit(mp_gj_t *w, const char *s)
{
    mp_gj_str(w, s, strlen(s));
}

void mp_gj_uint(mp_gj_t *w, uint64_t v)
{
    sep(w);
    mp_put_uint(w->b, v);
}

void mp_gj_double(mp_gj_t *w, double v)
{
    sep(w);
    mp_put_double(w->b, v);
}

void mp_gj_float(mp_gj_t *w, float v)
{
    sep(w);
    mp_put_float(w->b, v);
}

void mp_gj_bool(mp_gj_t *w, bool v)
{
    sep(w);
    cm_buf_puts(w->b, v ? "true" : "false");
}

/* End of the string that opens at s[i] (its closing quote included). */
static size_t string_end(const char *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return n;
}

/* Scalars (numbers, true, false, null) run up to the next structural character or blank. */
static size_t scalar_end(const char *s, size_t n, size_t i)
{
    while (i < n && !strchr(",:]} \t\r\n", s[i]))
        i++;
    return i;
}

/* One pass over valid JSON text: strings and scalars are copied, structure goes through the writer. A string
 * directly followed by ':' is a key. The input comes from our own generator, so it is valid; on anything else
 * the output is still bounded by the input's length times the indentation. */
void mp_gj_json(mp_gj_t *w, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '{' || c == '[') {
            open(w, c);
            i++;
        } else if (c == '}' || c == ']') {
            if (w->depth > 0)
                close(w, c);
            i++;
        } else if (c == '"' || (c != ',' && c != ':' && c != ' ' && c != '\t' && c != '\r' && c != '\n')) {
            size_t end = c == '"' ? string_end(s, n, i) : scalar_end(s, n, i);
            size_t k = end;
            while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' || s[k] == '\n'))
                k++;
            sep(w);
            cm_buf_append(w->b, s + i, end - i);
            if (c == '"' && k < n && s[k] == ':') {
                MP_PUT_LIT(w->b, ": ");
                w->after_key = true;
                k++;
            }
            i = k;
        } else {
            i++; /* commas and blanks: the writer puts its own */
        }
    }
}
