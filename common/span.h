/* common/span.h — the spans under cm_slab (common/slab.h): mappings of CM_SPAN_SIZE bytes, aligned to their
 * size, each cut into blocks of one size class, with a bitmap of the free ones. Used only by slab.c; the
 * heaps, threads and lists live there.
 *
 * A block is found from its address alone (the span's header is at the address rounded down to CM_SPAN_SIZE).
 * Blocks are handed out lowest address first, so what stays allocated gathers at the start of a span, and
 * cm_span_purge can give back the pages of the runs of free blocks. Large blocks are mappings with the same
 * header, one block each. Nothing here locks: a span belongs to one heap. */
#ifndef CM_SPAN_H
#define CM_SPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CM_SPAN_SIZE ((size_t)1 << 18)
#define CM_SPAN_CLASSES 40u
#define CM_SPAN_LARGE UINT32_MAX /* the class of a large block */

typedef struct cm_span cm_span_t;
struct cm_span {
    void *heap;             /* the heap it belongs to (slab.c's), NULL for a large block */
    cm_span_t *prev, *next; /* slab.c's lists */
    uint64_t seq;           /* slab.c's order of spans */
    size_t len;             /* bytes mapped */
    uint32_t cls, size;     /* class (CM_SPAN_LARGE for a large block) and block size (0 for a large block) */
    uint32_t list;          /* slab.c's list for it */
    uint32_t cap, live;     /* blocks it holds, blocks handed out */
    uint32_t hint;          /* no free block below bits[hint] */
    uint32_t top;           /* blocks from index top on are untouched since the span started or was purged */
    bool dirty;             /* a block was freed since the last purge */
    char *base;             /* the first block */
    uint64_t bits[];        /* bit i set: block i is free */
};

/* The class for n bytes (n <= the largest class) and a class's block size. */
uint32_t cm_span_class_of(size_t n);
uint32_t cm_span_class_size(uint32_t cls);

/* len bytes (a multiple of the page size) mapped at a multiple of CM_SPAN_SIZE, len recorded; NULL when the
 * system refuses. cm_span_unmap gives back a span or a large block. */
cm_span_t *cm_span_map(size_t len);
void cm_span_unmap(cm_span_t *s);

static inline cm_span_t *cm_span_of(const void *p)
{
    return (cm_span_t *)((uintptr_t)p & ~(uintptr_t)(CM_SPAN_SIZE - 1));
}

/* Lays out a mapped span for class cls, every block free; fresh: just mapped (else empty and kept, with
 * pages touched). */
void cm_span_init(cm_span_t *s, uint32_t cls, bool fresh);
/* The lowest free block; the span must have one (live < cap). */
void *cm_span_take(cm_span_t *s);
/* Frees block p of s. Aborts on a pointer that is not a block of s or a block already free: the caller's
 * memory is corrupt. */
void cm_span_put(cm_span_t *s, void *p);
/* Gives back to the system (MADV_DONTNEED) the whole pages inside runs of free blocks that were touched. */
void cm_span_purge(cm_span_t *s);

/* A large block: its pointer, and the mapping's header from it. */
void *cm_span_large_block(cm_span_t *s);
size_t cm_span_large_usable(const cm_span_t *s);
size_t cm_span_large_len(size_t n); /* the mapping for n bytes, 0 when too large */

#endif
