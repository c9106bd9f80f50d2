#include "common/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p, size_t n)
{
    if (p == NULL && n != 0) {
        fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", n);
        abort();
    }
    return p;
}

void *cm_xmalloc(size_t n)
{
    return check(malloc(n ? n : 1), n ? n : 1);
}

void *cm_xcalloc(size_t count, size_t size)
{
    return check(calloc(count ? count : 1, size ? size : 1), 1);
}

void *cm_xrealloc(void *p, size_t n)
{
    return check(realloc(p, n ? n : 1), n ? n : 1);
}

char *cm_xstrdup(const char *s)
{
    return cm_xstrndup(s, strlen(s));
}

char *cm_xstrndup(const char *s, size_t n)
{
    char *d = cm_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

struct cm_arena_block {
    cm_arena_block_t *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void *cm_arena_alloc(cm_arena_t *arena, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    cm_arena_block_t *b = arena->head;
    if (b == NULL || b->cap - b->used < n) {
        size_t cap = n > 8192 ? n : 8192;
        b = cm_xmalloc(sizeof(*b) + cap);
        b->next = arena->head;
        b->used = 0;
        b->cap = cap;
        arena->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

void cm_arena_free(cm_arena_t *arena)
{
    cm_arena_block_t *b = arena->head;
    while (b != NULL) {
        cm_arena_block_t *next = b->next;
        free(b);
        b = next;
    }
    arena->head = NULL;
}

void cm_arena_adopt(cm_arena_t *dst, cm_arena_t *src)
{
    cm_arena_block_t *tail = src->head;
    if (tail == NULL)
        return;
    while (tail->next != NULL)
        tail = tail->next;
    tail->next = dst->head;
    dst->head = src->head;
    src->head = NULL;
}

static void *arena_alloc_cb(void *ctx, size_t n)
{
    return cm_arena_alloc(ctx, n);
}

cm_allocator_t cm_arena_allocator(cm_arena_t *arena)
{
    return (cm_allocator_t){.alloc = arena_alloc_cb, .ctx = arena};
}
