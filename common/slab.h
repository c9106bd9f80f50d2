/* common/slab.h — an allocator that gives memory back to the system as soon as a burst is over.
 *
 * For the libraries the harness drives at a burst's depth (libcurl through curl_global_init_mem, libevent
 * through event_set_mem_functions). glibc's heap keeps a burst's memory resident afterwards: the burst's
 * freed blocks sit between a few that stay (a connection's, a socket's event slot), so few pages empty. Here
 * blocks of one size class share a 256 KiB span (common/span.h), each allocation takes the lowest free block
 * of the oldest span with room, so that what stays gathers in the oldest spans and at their starts; a span
 * that empties is unmapped, and cm_slab_trim gives back the pages of free blocks in the others. Blocks over
 * CM_SLAB_MAX_SMALL bytes get a mapping of their own.
 *
 * Each thread allocates from its own heap without locks. A block freed by another thread is handed back to
 * its heap through a lock-free list that the heap's thread empties when it next needs a span or trims. A
 * heap outlives its thread: its blocks are then freed at once, under a lock, and the next thread that
 * allocates takes the heap over with whatever it still holds.
 *
 * The signatures are those of malloc, calloc, realloc, free and strdup: NULL when the system refuses memory
 * (cm_slab_malloc(0) and cm_slab_realloc(p, 0) return a block). Blocks are 16-byte aligned. A block must be
 * freed with cm_slab_free, never free(), and a pointer from malloc never with cm_slab_free; freeing a span's
 * block twice, or a pointer inside one, aborts. Under AddressSanitizer free blocks are poisoned. */
#ifndef CM_SLAB_H
#define CM_SLAB_H

#include <stddef.h>
#include <stdint.h>

/* Larger blocks are mapped one by one. */
#define CM_SLAB_MAX_SMALL 32768u
/* Empty spans a heap keeps for reuse between trims (beyond them an empty span is unmapped at once). */
#define CM_SLAB_KEEP_EMPTY 2u

void *cm_slab_malloc(size_t n);
void *cm_slab_calloc(size_t count, size_t size);
void *cm_slab_realloc(void *p, size_t n);
void cm_slab_free(void *p);
char *cm_slab_strdup(const char *s);
/* For blocks expected to live long (libevent's per-socket slots, events and arrays): they get spans apart from
 * the short-lived blocks, so the few that stay after a burst share spans instead of pinning one each.
 * cm_slab_realloc_lasting differs from cm_slab_realloc only for p == NULL (a block moved by either stays
 * in its kind of span). */
void *cm_slab_malloc_lasting(size_t n);
void *cm_slab_realloc_lasting(void *p, size_t n);

/* The bytes p may use (its size class, or its mapping). */
size_t cm_slab_usable(const void *p);
/* When p's span was started, as a number that grows with each span its heap starts (0 for a large block).
 * Of blocks held for reuse, freeing those with the largest numbers first lets the newest spans empty, since
 * new blocks go to the oldest span with room. */
uint64_t cm_slab_span_seq(const void *p);

/* Takes in the calling thread's blocks freed by other threads, unmaps its empty spans kept for reuse and
 * gives back the whole pages inside runs of free blocks (MADV_DONTNEED; touched again when reused). Call it
 * from a thread's idle moments (the engine does at interval boundaries). */
void cm_slab_trim(void);

/* Process-wide figures, for tests and reports. */
typedef struct cm_slab_stats {
    size_t mapped; /* bytes mapped: spans and large blocks */
    size_t spans;  /* spans mapped (empty ones kept for reuse included) */
    size_t large;  /* large blocks mapped */
} cm_slab_stats_t;
void cm_slab_stats(cm_slab_stats_t *st);

#endif
