#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "faults/fault-proxy/resp.h"

void fp_resp_init(fp_resp_t *p, bool replies)
{
    memset(p, 0, sizeof(*p));
    p->replies = replies;
}

const char *fp_resp_error_reply(const char *reply)
{
    if (strcmp(reply, "BUSY") == 0)
        return "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSCRIPT.\r\n";
    if (strcmp(reply, "LOADING") == 0)
        return "-LOADING Redis is loading the dataset in memory\r\n";
    if (strcmp(reply, "READONLY") == 0)
        return "-READONLY You can't write against a read only replica.\r\n";
    return "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
}

static fp_resp_event_t fail(char *err, size_t errlen, const char *why)
{
    snprintf(err, errlen, "%s", why);
    return FP_RESP_ERROR;
}

/* A header's number: optional '-', digits, nothing else. */
static int number(const fp_resp_t *p, int64_t *out)
{
    const char *s = p->line;
    size_t i = 0;
    bool neg = s[0] == '-';
    if (p->line_len >= sizeof(p->line))
        return -1;
    int64_t v = 0;
    i += neg;
    if (i == p->line_len)
        return -1;
    for (; i < p->line_len; i++) {
        if (!isdigit((unsigned char)s[i]) || v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return 0;
}

/* Names are shown in metrics labels: anything but letters, digits, '_', '-', '.' and ':' becomes '_'. */
static void name_byte(fp_resp_t *p, char c)
{
    if (!isalnum((unsigned char)c) && c != '_' && c != '-' && c != '.' && c != ':')
        c = '_';
    if (p->name_len + 1 < sizeof(p->name))
        p->name[p->name_len++] = (char)toupper((unsigned char)c), p->name[p->name_len] = '\0';
}

/* Replies: one element finished; close every aggregate it completes. True when the message ended. */
static bool element_done(fp_resp_t *p)
{
    while (p->depth > 0) {
        if (--p->left[p->depth - 1] > 0)
            return false;
        p->depth--;
    }
    return true;
}

/* Ready for the next message; top still tells the type of the one that ended. */
static fp_resp_event_t end(fp_resp_t *p)
{
    bool replies = p->replies;
    char top = p->top;
    fp_resp_init(p, replies);
    p->top = top;
    return FP_RESP_END;
}

/* Commands: a complete header line "*N" or "$N". */
static fp_resp_event_t command_line(fp_resp_t *p, char *err, size_t errlen)
{
    int64_t v;
    if (p->type == '*') {
        if (number(p, &v) != 0 || v > FP_RESP_MAX_ARGS)
            return fail(err, errlen, "invalid multibulk length");
        if (v <= 0)
            return end(p); /* redis skips an empty multibulk */
        p->args = v;
        return FP_RESP_MORE;
    }
    if (p->type != '$')
        return fail(err, errlen, "expected '$' in a multibulk command");
    if (number(p, &v) != 0 || v < 0 || v > FP_RESP_MAX_BULK || (p->arg == 0 && v > FP_RESP_MAX_NAME_BULK))
        return fail(err, errlen, "invalid bulk length");
    p->bulk = v + 2;
    return FP_RESP_MORE;
}

/* Replies: a complete line (its type in p->type). */
static fp_resp_event_t reply_line(fp_resp_t *p, char *err, size_t errlen)
{
    int64_t v;
    switch (p->type) {
    case '$':
    case '=':
    case '!':
        if (number(p, &v) != 0 || v < -1 || v > FP_RESP_MAX_BULK)
            return fail(err, errlen, "invalid bulk length");
        if (v >= 0) {
            p->bulk = v + 2;
            return FP_RESP_MORE;
        }
        break;
    case '*':
    case '~':
    case '>':
    case '%':
    case '|':
        if (number(p, &v) != 0 || v < -1 || v > FP_RESP_MAX_ELEMENTS)
            return fail(err, errlen, "invalid aggregate length");
        if (v > 0) {
            if (p->depth == FP_RESP_MAX_DEPTH)
                return fail(err, errlen, "aggregates nested too deep");
            /* A map has two elements per entry; an attribute's entries precede the value it describes. */
            p->left[p->depth++] = p->type == '%' ? 2 * v : p->type == '|' ? 2 * v + 1 : v;
            return FP_RESP_MORE;
        }
        break;
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
        break;
    default:
        return fail(err, errlen, "unknown reply type");
    }
    return element_done(p) ? end(p) : FP_RESP_MORE;
}

/* Reads a line up to "\n"; returns the bytes consumed and sets *done at its end. Header lines keep their
 * first bytes (they are short); an inline command keeps its first word as the name. */
static size_t line_bytes(fp_resp_t *p, const char *data, size_t len, bool *done)
{
    const char *nl = memchr(data, '\n', len);
    size_t n = nl != NULL ? (size_t)(nl - data) + 1 : len;
    for (size_t i = 0; i < n; i++) {
        char c = data[i];
        if (c == '\r' || c == '\n')
            continue;
        p->line_len++;
        if (p->inline_cmd) {
            if (c == ' ' || c == '\t')
                p->word_over = p->name_len > 0;
            else if (!p->word_over)
                name_byte(p, c);
        } else if (p->line_len < sizeof(p->line)) {
            p->line[p->line_len - 1] = c, p->line[p->line_len] = '\0';
        }
    }
    *done = nl != NULL;
    return n;
}

/* A bulk's payload: commands keep the first argument's bytes as the name. */
static fp_resp_event_t bulk_bytes(fp_resp_t *p, const char *data, size_t len, size_t *used)
{
    size_t n = (uint64_t)p->bulk < len ? (size_t)p->bulk : len;
    if (!p->replies && p->arg == 0)
        for (size_t i = 0; i < n && p->bulk - (int64_t)i > 2; i++)
            name_byte(p, data[i]);
    p->bulk -= (int64_t)n;
    *used += n;
    if (p->bulk > 0)
        return FP_RESP_MORE;
    if (p->replies)
        return element_done(p) ? end(p) : FP_RESP_MORE;
    p->arg++;
    if (--p->args == 0)
        p->end_due = true;
    if (p->arg == 1)
        return FP_RESP_NAME;
    return p->end_due ? (p->end_due = false, end(p)) : FP_RESP_MORE;
}

static fp_resp_event_t line_done(fp_resp_t *p, char *err, size_t errlen)
{
    p->in_line = false;
    if (p->replies)
        return reply_line(p, err, errlen);
    if (p->inline_cmd) {
        if (p->name_len == 0)
            return end(p); /* an empty line: redis ignores it */
        p->end_due = true;
        return FP_RESP_NAME;
    }
    return command_line(p, err, errlen);
}

/* The next line starts: its type byte is consumed, except for an inline command, whose whole line is read. */
static void line_start(fp_resp_t *p, char c, size_t *used)
{
    if (!p->in_msg) {
        p->in_msg = true;
        p->top = c;
        p->inline_cmd = !p->replies && c != '*';
    }
    p->in_line = true;
    p->line_len = 0;
    p->line[0] = '\0';
    p->type = p->inline_cmd ? 0 : c;
    *used += p->inline_cmd ? 0 : 1;
}

fp_resp_event_t fp_resp_feed(fp_resp_t *p, const char *data, size_t len, size_t *used, char *err, size_t errlen)
{
    *used = 0;
    if (p->end_due) {
        p->end_due = false;
        return end(p);
    }
    while (*used < len) {
        fp_resp_event_t ev = FP_RESP_MORE;
        if (p->bulk > 0) {
            ev = bulk_bytes(p, data + *used, len - *used, used);
        } else if (!p->in_line) {
            line_start(p, data[*used], used);
        } else {
            bool done;
            *used += line_bytes(p, data + *used, len - *used, &done);
            if (p->line_len > FP_RESP_MAX_INLINE)
                return fail(err, errlen, "line too long");
            if (done)
                ev = line_done(p, err, errlen);
        }
        if (ev != FP_RESP_MORE)
            return ev;
    }
    return FP_RESP_MORE;
}
