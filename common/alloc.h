/* common/alloc.h — allocation that never returns NULL.
 *
 * Out of memory is fatal by design (as in h2o's h2o_mem_alloc): every caller would otherwise need an
 * error path that cannot be tested and would leave a load test half-measured anyway. */
#ifndef CM_ALLOC_H
#define CM_ALLOC_H

#include <stddef.h>

/* Each aborts the process with a message on stderr when the allocation fails. */
void *cm_xmalloc(size_t n);
void *cm_xcalloc(size_t count, size_t size);
void *cm_xrealloc(void *p, size_t n);
char *cm_xstrdup(const char *s);
char *cm_xstrndup(const char *s, size_t n);

/* An allocator handed to parsers so that callers choose where their results live (an h2o request pool in
 * the mock, a malloc'd arena in tests). alloc never returns NULL. */
typedef struct cm_allocator {
    void *(*alloc)(void *ctx, size_t n);
    void *ctx;
} cm_allocator_t;

static inline void *cm_alloc(const cm_allocator_t *a, size_t n)
{
    return a->alloc(a->ctx, n);
}

/* A simple bump arena: allocations are freed all at once by cm_arena_free. */
typedef struct cm_arena_block cm_arena_block_t;
typedef struct cm_arena {
    cm_arena_block_t *head;
} cm_arena_t;

void *cm_arena_alloc(cm_arena_t *arena, size_t n); /* 16-byte aligned, never NULL */
void cm_arena_free(cm_arena_t *arena);             /* frees every block; the arena can be reused */
cm_allocator_t cm_arena_allocator(cm_arena_t *arena);
/* Moves every block of src into dst (freed with dst); src is left empty. */
void cm_arena_adopt(cm_arena_t *dst, cm_arena_t *src);

#endif
