/* common/buf.h — a growable byte buffer used by every writer (JSON, reports, responses). */
#ifndef CM_BUF_H
#define CM_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct cm_buf {
    char *data; /* always NUL-terminated after any append (data may be NULL while cap == 0) */
    size_t len;
    size_t cap;
} cm_buf_t;

#define CM_BUF_INIT {NULL, 0, 0}

void cm_buf_reserve(cm_buf_t *b, size_t extra); /* make room for extra more bytes (plus the NUL) */
void cm_buf_append(cm_buf_t *b, const void *p, size_t n);
void cm_buf_puts(cm_buf_t *b, const char *s);
void cm_buf_putc(cm_buf_t *b, char c);
void cm_buf_printf(cm_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cm_buf_vprintf(cm_buf_t *b, const char *fmt, va_list ap);
void cm_buf_reset(cm_buf_t *b); /* len = 0, keeps the memory */
/* Empties b and, when its capacity is above cap, gives the memory back and allocates cap bytes afresh: for
 * scratch buffers that one outsized use must not keep large. */
void cm_buf_shrink(cm_buf_t *b, size_t cap);
void cm_buf_free(cm_buf_t *b);
char *cm_buf_detach(cm_buf_t *b); /* returns data (caller frees) and leaves b empty */

/* A read-only string slice; not NUL-terminated. */
typedef struct cm_str {
    const char *p;
    size_t n;
} cm_str_t;

#define CM_STR(lit) ((cm_str_t){(lit), sizeof(lit) - 1})

#endif
