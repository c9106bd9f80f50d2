#include "common/buf.h"
#include "common/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cm_buf_reserve(cm_buf_t *b, size_t extra)
{
    if (b->cap - b->len > extra && b->data != NULL)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= extra)
        cap *= 2;
    b->data = cm_xrealloc(b->data, cap);
    b->cap = cap;
}

void cm_buf_append(cm_buf_t *b, const void *p, size_t n)
{
    cm_buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void cm_buf_puts(cm_buf_t *b, const char *s)
{
    cm_buf_append(b, s, strlen(s));
}

void cm_buf_putc(cm_buf_t *b, char c)
{
    cm_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void cm_buf_vprintf(cm_buf_t *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    cm_buf_reserve(b, 64);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    if (n < 0) {
        va_end(copy);
        return;
    }
    if ((size_t)n >= b->cap - b->len) {
        cm_buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, copy);
    }
    va_end(copy);
    b->len += (size_t)n;
}

void cm_buf_printf(cm_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cm_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void cm_buf_reset(cm_buf_t *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

void cm_buf_shrink(cm_buf_t *b, size_t cap)
{
    if (b->cap > cap) {
        cm_buf_free(b);
        if (cap > 0) {
            b->data = cm_xmalloc(cap);
            b->cap = cap;
        }
    }
    cm_buf_reset(b);
}

void cm_buf_free(cm_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *cm_buf_detach(cm_buf_t *b)
{
    if (b->data == NULL)
        cm_buf_reserve(b, 0), b->data[0] = '\0';
    char *d = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}
