/* Stop sequences: collection, decoding and the scan that finds where an answer stops. */
#include "mock-provider/providers/stop.h"

#include <string.h>

#include "common/json.h"

typedef struct stop_seq {
    unsigned char *p;
    uint32_t n;
    uint32_t *fail; /* KMP: length of the longest proper border of p[0..i] */
    uint32_t q;     /* bytes of p matched so far */
} stop_seq_t;

struct mp_stop_matcher {
    stop_seq_t seq[MP_MAX_STOP_SEQUENCES];
    uint32_t index[MP_MAX_STOP_SEQUENCES]; /* position of seq[i] in the request */
    uint32_t n;
};

int mp_stop_add(mp_request_t *r, cm_str_t raw)
{
    if (r->nstop >= MP_MAX_STOP_SEQUENCES)
        return -1;
    if (raw.n > 0)
        r->stop[r->nstop++] = raw;
    return 0;
}

/* One character of escaped JSON text at p: the escaped bytes it takes, its decoded bytes in out (up to 4). */
static size_t decode_char(const char *p, size_t left, unsigned char *out, size_t *outn)
{
    unsigned char c = (unsigned char)p[0];
    if (c == '\\')
        return cm_json_decode_escape(p, p + left, (char *)out, outn);
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (n > left)
        n = left;
    memcpy(out, p, n);
    *outn = n;
    return n;
}

/* The decoded copy of a sequence: never longer than its escaped form. */
static uint32_t decode_all(cm_str_t raw, unsigned char *out)
{
    size_t pos = 0, n = 0, k;
    while (pos < raw.n) {
        pos += decode_char(raw.p + pos, raw.n - pos, out + n, &k);
        n += k;
    }
    return (uint32_t)n;
}

static void build_fail(stop_seq_t *s)
{
    s->fail[0] = 0;
    for (uint32_t i = 1, k = 0; i < s->n; i++) {
        while (k > 0 && s->p[i] != s->p[k])
            k = s->fail[k - 1];
        if (s->p[i] == s->p[k])
            k++;
        s->fail[i] = k;
    }
}

mp_stop_matcher_t *mp_stop_prepare(const mp_request_t *r, size_t max_bytes, const cm_allocator_t *a)
{
    if (r->nstop == 0)
        return NULL;
    mp_stop_matcher_t *m = cm_alloc(a, sizeof(*m));
    m->n = 0;
    for (uint32_t i = 0; i < r->nstop && i < MP_MAX_STOP_SEQUENCES; i++) {
        stop_seq_t *s = &m->seq[m->n];
        s->p = cm_alloc(a, r->stop[i].n + 4);
        s->n = decode_all(r->stop[i], s->p);
        if (s->n == 0 || s->n > max_bytes)
            continue; /* its decoded bytes stay in the arena until the exchange ends */
        s->fail = cm_alloc(a, (size_t)s->n * sizeof(*s->fail));
        build_fail(s);
        m->index[m->n++] = i;
    }
    return m->n > 0 ? m : NULL;
}

/* Advances every sequence by one byte; returns the longest one that completes there, or -1. */
static int feed_byte(mp_stop_matcher_t *m, unsigned char b)
{
    int best = -1;
    for (uint32_t i = 0; i < m->n; i++) {
        stop_seq_t *s = &m->seq[i];
        while (s->q > 0 && s->p[s->q] != b)
            s->q = s->fail[s->q - 1];
        if (s->p[s->q] == b)
            s->q++;
        if (s->q == s->n) {
            if (best < 0 || s->n > m->seq[best].n)
                best = (int)i;
            s->q = s->fail[s->q - 1];
        }
    }
    return best;
}

/* Where the scan is in the answer: token, escaped offset, decoded bytes. */
typedef struct scan_pos {
    uint32_t tok;
    size_t off;
    uint64_t decoded;
} scan_pos_t;

/* First pass: the decoded offset where the first completed sequence ends (one past it); which is set. */
static bool first_match(mp_stop_matcher_t *m, mp_stop_token_fn token, void *ctx, uint32_t ntokens, uint64_t *end,
                        uint32_t *which)
{
    uint64_t decoded = 0;
    for (uint32_t t = 0; t < ntokens; t++) {
        cm_str_t s = token(ctx, t);
        for (size_t pos = 0, k; pos < s.n;) {
            unsigned char out[4];
            pos += decode_char(s.p + pos, s.n - pos, out, &k);
            for (size_t j = 0; j < k; j++) {
                int best = feed_byte(m, out[j]);
                decoded++;
                if (best >= 0) {
                    *end = decoded;
                    *which = (uint32_t)best;
                    return true;
                }
            }
        }
    }
    return false;
}

/* Second pass: the character holding decoded byte `at`, as an escaped offset and the tokens before the cut. */
static void locate(mp_stop_token_fn token, void *ctx, uint32_t ntokens, uint64_t at, mp_stop_hit_t *hit)
{
    uint64_t decoded = 0;
    size_t off = 0;
    for (uint32_t t = 0; t < ntokens; t++) {
        cm_str_t s = token(ctx, t);
        for (size_t pos = 0, k; pos < s.n;) {
            unsigned char out[4];
            size_t used = decode_char(s.p + pos, s.n - pos, out, &k);
            if (decoded + k > at) {
                hit->cut = off + pos;
                hit->tokens = pos > 0 ? t + 1 : t;
                return;
            }
            decoded += k;
            pos += used;
        }
        off += s.n;
    }
    hit->cut = off;
    hit->tokens = ntokens;
}

bool mp_stop_find(mp_stop_matcher_t *m, mp_stop_token_fn token, void *ctx, uint32_t ntokens, mp_stop_hit_t *hit)
{
    if (m == NULL)
        return false;
    for (uint32_t i = 0; i < m->n; i++)
        m->seq[i].q = 0;
    uint64_t end;
    uint32_t best;
    if (!first_match(m, token, ctx, ntokens, &end, &best))
        return false;
    locate(token, ctx, ntokens, end - m->seq[best].n, hit);
    if (hit->tokens == 0)
        hit->tokens = 1; /* an answer that would begin with the sequence is empty, yet took a token to decide */
    hit->which = m->index[best];
    return true;
}
