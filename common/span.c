#include "common/span.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Under AddressSanitizer a free block is poisoned, so a use after free inside a span is reported as it would
 * be for malloc. There are no redzones between blocks: an overflow into the next block goes unseen. */
#if defined(__SANITIZE_ADDRESS__)
#define CM_SPAN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CM_SPAN_ASAN 1
#endif
#endif
#ifdef CM_SPAN_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define PAGE ((uintptr_t)4096)
#define LARGE_HDR ((sizeof(cm_span_t) + 63u) & ~(size_t)63u)

/* 16-byte steps to 128, then four classes per doubling to 32 KiB: at most a quarter of a block is unused
 * (libcurl's 16,385-byte download buffer takes 20 KiB and leaves the last 4 KiB untouched). */
static const uint32_t class_size[CM_SPAN_CLASSES] = {
    16,   32,   48,   64,   80,    96,    112,   128,   160,   192,   224,   256,   320,  384,
    448,  512,  640,  768,  896,   1024,  1280,  1536,  1792,  2048,  2560,  3072,  3584, 4096,
    5120, 6144, 7168, 8192, 10240, 12288, 14336, 16384, 20480, 24576, 28672, 32768,
};

uint32_t cm_span_class_of(size_t n)
{
    if (n <= 128)
        return n == 0 ? 0 : (uint32_t)((n - 1) >> 4);
    uint32_t e = 63u - (uint32_t)__builtin_clzll((unsigned long long)(n - 1)); /* 2^e < n <= 2^(e+1) */
    return 8u + (e - 7u) * 4u + (uint32_t)(((n - 1) >> (e - 2u)) & 3u);
}

uint32_t cm_span_class_size(uint32_t cls)
{
    return class_size[cls];
}

/* ---- mappings ------------------------------------------------------------------------------------------ */

/* The kernel places a new mapping just below the last one, so a span usually comes aligned at the first try;
 * otherwise a larger mapping is cut to the aligned part. */
cm_span_t *cm_span_map(size_t len)
{
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (((uintptr_t)p & (CM_SPAN_SIZE - 1)) != 0) {
        munmap(p, len);
        p = mmap(NULL, len + CM_SPAN_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
        uintptr_t at = ((uintptr_t)p + CM_SPAN_SIZE - 1) & ~(uintptr_t)(CM_SPAN_SIZE - 1);
        size_t before = at - (uintptr_t)p;
        if (before > 0)
            munmap(p, before);
        if (CM_SPAN_SIZE - before > 0)
            munmap((char *)at + len, CM_SPAN_SIZE - before);
        p = (char *)at;
    }
    UNPOISON(p, len);
    cm_span_t *s = (cm_span_t *)p;
    s->len = len;
    return s;
}

void cm_span_unmap(cm_span_t *s)
{
    size_t len = s->len;
    UNPOISON(s, len); /* the next mapping at this address must not inherit the poison */
    munmap(s, len);
}

/* ---- blocks -------------------------------------------------------------------------------------------- */

/* The header holds one bit per block, so the blocks start after a header sized by their number. */
void cm_span_init(cm_span_t *s, uint32_t cls, bool fresh)
{
    uint32_t size = class_size[cls];
    size_t words = ((CM_SPAN_SIZE - sizeof(*s)) / size + 63) / 64;
    size_t hdr = (sizeof(*s) + words * 8 + 15) & ~(size_t)15;
    UNPOISON(s, hdr); /* a kept span's old blocks may lie where this class's bitmap goes */
    s->cls = cls;
    s->size = size;
    s->cap = (uint32_t)((CM_SPAN_SIZE - hdr) / size);
    s->live = 0;
    s->hint = 0;
    s->top = fresh ? 0 : s->cap; /* a kept span was touched: its first purge looks at all of it */
    s->dirty = false;
    s->base = (char *)s + hdr;
    memset(s->bits, 0xff, (s->cap / 64) * 8);
    if (s->cap % 64 != 0)
        s->bits[s->cap / 64] = (UINT64_C(1) << (s->cap % 64)) - 1;
    POISON(s->base, (size_t)s->cap * size);
}

void *cm_span_take(cm_span_t *s)
{
    uint32_t w = s->hint;
    while (s->bits[w] == 0)
        w++;
    uint64_t word = s->bits[w];
    uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(word);
    s->bits[w] = word & (word - 1);
    s->hint = w;
    s->live++;
    if (i >= s->top)
        s->top = i + 1;
    char *b = s->base + (size_t)i * s->size;
    UNPOISON(b, s->size);
    return b;
}

static void corrupt(const char *what, const void *p)
{
    fprintf(stderr, "cm_slab: %p is %s\n", p, what);
    abort();
}

void cm_span_put(cm_span_t *s, void *p)
{
    size_t off = (size_t)((char *)p - s->base);
    uint32_t i = (uint32_t)(off / s->size);
    if ((char *)p < s->base || i >= s->cap || (size_t)i * s->size != off)
        corrupt("not a block this allocator handed out", p);
    uint64_t bit = UINT64_C(1) << (i % 64);
    if (s->bits[i / 64] & bit)
        corrupt("already free", p);
    s->bits[i / 64] |= bit;
    if (i / 64 < s->hint)
        s->hint = i / 64;
    s->live--;
    s->dirty = true;
    POISON(p, s->size);
}

/* The first block from i (below end) whose free bit is `want`, or end. */
static uint32_t next_with(const cm_span_t *s, uint32_t i, uint32_t end, bool want)
{
    while (i < end) {
        uint64_t word = want ? s->bits[i / 64] : ~s->bits[i / 64];
        word &= ~UINT64_C(0) << (i % 64);
        if (word != 0) {
            uint32_t at = (i & ~63u) + (uint32_t)__builtin_ctzll(word);
            return at < end ? at : end;
        }
        i = (i & ~63u) + 64;
    }
    return end;
}

/* Blocks from top on were not touched, so the runs end there; afterwards top is the end of the last block in
 * use, since the pages above it are now untouched again. */
void cm_span_purge(cm_span_t *s)
{
    uint32_t i = 0, end = s->top, in_use_end = 0;
    while (i < end) {
        uint32_t run = next_with(s, i, end, true);
        if (run > i)
            in_use_end = run;
        if (run >= end)
            break;
        i = next_with(s, run, end, false);
        uintptr_t lo = ((uintptr_t)(s->base + (size_t)run * s->size) + PAGE - 1) & ~(PAGE - 1);
        uintptr_t hi = (uintptr_t)(s->base + (size_t)i * s->size) & ~(PAGE - 1);
        if (hi > lo)
            madvise((void *)lo, hi - lo, MADV_DONTNEED);
    }
    s->top = in_use_end;
    s->dirty = false;
}

/* ---- large blocks -------------------------------------------------------------------------------------- */

size_t cm_span_large_len(size_t n)
{
    if (n > SIZE_MAX - CM_SPAN_SIZE - LARGE_HDR - PAGE)
        return 0;
    return (LARGE_HDR + n + PAGE - 1) & ~(size_t)(PAGE - 1);
}

void *cm_span_large_block(cm_span_t *s)
{
    return (char *)s + LARGE_HDR;
}

size_t cm_span_large_usable(const cm_span_t *s)
{
    return s->len - LARGE_HDR;
}
