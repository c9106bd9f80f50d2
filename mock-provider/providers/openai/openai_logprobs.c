/* Logprobs (chat, Responses output_text, and the legacy completions object): one entry per output token,
 * {"token","logprob","bytes","top_logprobs"} (legacy: parallel arrays of tokens, logprobs, top tokens and offsets),
 * whose tokens concatenate to the content; in a body for every token, in a stream chunk for the chunk's own token.
 * Values are seeded (the exchange's seed, the choice and the token's index), so a body and a stream of one
 * seed agree; the alternatives are pool words with lower logprobs, the chosen token first. */
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/content.h"
#include "mock-provider/providers/openai/openai.h"
#include "mock-provider/providers/render.h"

static int hex_digit(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static void put_byte(cm_buf_t *out, unsigned v, bool *first)
{
    if (!*first)
        cm_buf_putc(out, ',');
    *first = false;
    mp_put_uint(out, v);
}

/* The UTF-8 bytes of escaped JSON string contents, as a JSON array of numbers. A surrogate half left alone
 * by a token boundary is written as its 3-byte form, as the bytes of a cut character would be. */
static void put_bytes(cm_buf_t *out, cm_str_t s)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    bool first = true;
    cm_buf_putc(out, '[');
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c != '\\' || i + 1 >= s.n) {
            put_byte(out, c, &first);
            continue;
        }
        char e = s.p[++i];
        if (e != 'u' || i + 4 >= s.n) { /* a simple escape (an incomplete \u writes nothing) */
            for (int k = 0; from[k]; k++)
                if (from[k] == e)
                    put_byte(out, (unsigned char)to[k], &first);
            continue;
        }
        unsigned cp = 0;
        for (int k = 1; k <= 4 && i + (size_t)k < s.n; k++)
            cp = cp * 16 + (unsigned)hex_digit(s.p[i + (size_t)k]);
        i += 4;
        if (cp < 0x80) {
            put_byte(out, cp, &first);
        } else if (cp < 0x800) {
            put_byte(out, 0xc0 | (cp >> 6), &first);
            put_byte(out, 0x80 | (cp & 0x3f), &first);
        } else {
            put_byte(out, 0xe0 | (cp >> 12), &first);
            put_byte(out, 0x80 | ((cp >> 6) & 0x3f), &first);
            put_byte(out, 0x80 | (cp & 0x3f), &first);
        }
    }
    cm_buf_putc(out, ']');
}

/* {"token":..,"logprob":..,"bytes":[..] (the caller closes the object). */
static void put_token(cm_buf_t *out, cm_str_t token, double logprob)
{
    MP_PUT_LIT(out, "{\"token\":");
    mp_put_quoted(out, token);
    cm_buf_printf(out, ",\"logprob\":%.9g,\"bytes\":", logprob);
    put_bytes(out, token);
}

/* Most alternatives of one token: chat's top_logprobs 20, the legacy logprobs 5. */
#define MAX_ALTERNATIVES 20
/* Pool words tried for the alternatives of one token: enough for 19 distinct words with near certainty. */
#define ALTERNATIVE_TRIES 96

/* The chosen token's logprob and the alternatives below it: pool words (with the token's leading space when
 * it has one), distinct from the token and from each other as a real top list is (the legacy format keys
 * them in an object), with logprobs descending. Seeded by (exchange, choice, token index). */
typedef struct ranked {
    double logprob[MAX_ALTERNATIVES];
    char word[MAX_ALTERNATIVES][24];
    uint32_t n; /* alternatives, the chosen token not included */
} ranked_t;

static bool taken(const ranked_t *r, const char *w, cm_str_t token)
{
    size_t n = strlen(w);
    if (token.n == n + (token.n > 0 && token.p[0] == ' ') && memcmp(token.p + token.n - n, w, n) == 0)
        return true;
    for (uint32_t i = 0; i < r->n; i++)
        if (strcmp(r->word[i] + (r->word[i][0] == ' '), w) == 0)
            return true;
    return false;
}

static double rank(const mp_exchange_t *x, uint32_t c, uint32_t index, cm_str_t token, uint32_t alternatives,
                   ranked_t *r)
{
    uint64_t h = mp_mix64(x->seed ^ ((uint64_t)c << 40) ^ ((uint64_t)index * 0x9e3779b97f4a7c15ull) ^ 0x10b);
    double u = (double)(h >> 11) * 0x1p-53, chosen = -u * u * u * 4, next = chosen;
    const char *space = token.n > 0 && token.p[0] == ' ' ? " " : "";
    r->n = 0;
    for (uint32_t t = 0; t < ALTERNATIVE_TRIES && r->n < alternatives && r->n < MAX_ALTERNATIVES; t++) {
        const char *w = mp_pool_word(x->seed ^ 0xa17e7u, c, index * ALTERNATIVE_TRIES + t);
        if (taken(r, w, token))
            continue;
        next -= 0.4 + (double)((h >> ((r->n + 1) * 3 % 61)) & 7) * 0.3; /* descending, below the chosen token */
        snprintf(r->word[r->n], sizeof(r->word[0]), "%s%s", space, w);
        r->logprob[r->n++] = next;
    }
    return chosen;
}

void mp_oa_put_logprob_entry(const mp_exchange_t *x, uint32_t c, uint32_t index, cm_str_t token, cm_buf_t *out)
{
    ranked_t r;
    uint32_t top = mp_oa_req(x->req)->top_logprobs;
    double logprob = rank(x, c, index, token, top > 0 ? top - 1 : 0, &r);
    put_token(out, token, logprob);
    MP_PUT_LIT(out, ",\"top_logprobs\":[");
    if (top > 0) {
        put_token(out, token, logprob);
        cm_buf_putc(out, '}');
    }
    for (uint32_t k = 0; k < r.n; k++) {
        cm_buf_putc(out, ',');
        put_token(out, (cm_str_t){r.word[k], strlen(r.word[k])}, r.logprob[k]);
        cm_buf_putc(out, '}');
    }
    MP_PUT_LIT(out, "]}");
}

void mp_oa_put_logprob_entries(const mp_exchange_t *x, uint32_t c, cm_buf_t *out)
{
    if (x->finish[c] != MP_FINISH_TOOL_CALLS) {
        cm_str_t text = {x->text[c].data ? x->text[c].data : "", x->text[c].len};
        size_t pos = 0;
        for (uint32_t i = 0; pos < text.n; i++) {
            size_t end = mp_content_token_end(x, text, pos);
            if (i > 0)
                cm_buf_putc(out, ',');
            mp_oa_put_logprob_entry(x, c, i, (cm_str_t){text.p + pos, end - pos}, out);
            pos = end;
        }
    }
}

void mp_oa_put_choice_logprobs(const mp_exchange_t *x, uint32_t c, cm_buf_t *out)
{
    MP_PUT_LIT(out, "{\"content\":[");
    mp_oa_put_logprob_entries(x, c, out);
    MP_PUT_LIT(out, "],\"refusal\":null}");
}

/* ---- legacy completions --------------------------------------------------------------------------- */

size_t mp_oa_text_chars(cm_str_t s)
{
    size_t chars = 0;
    for (size_t i = 0; i < s.n; i++) {
        unsigned char b = (unsigned char)s.p[i];
        if (b == '\\' && i + 1 < s.n) {
            bool u = s.p[i + 1] == 'u';
            /* A low surrogate escape completes the character its high half counted. */
            chars += !(u && i + 2 < s.n && (s.p[i + 2] | 0x20) == 'd' && i + 3 < s.n &&
                       ((s.p[i + 3] | 0x20) >= 'c' && (s.p[i + 3] | 0x20) <= 'f'));
            i += u ? 5 : 1;
        } else {
            chars += (b & 0xc0) != 0x80;
        }
    }
    return chars;
}

/* Calls fn for each token of text (escaped, the tokens of choice c from number first on). */
typedef void (*token_fn)(const mp_exchange_t *x, uint32_t c, uint32_t index, cm_str_t token, size_t *offset,
                         cm_buf_t *out);

static void each_token(const mp_exchange_t *x, uint32_t c, uint32_t first, cm_str_t text, size_t offset, token_fn fn,
                       cm_buf_t *out)
{
    size_t pos = 0;
    for (uint32_t i = first; pos < text.n; i++) {
        size_t end = mp_content_token_end(x, text, pos);
        if (i > first)
            cm_buf_putc(out, ',');
        fn(x, c, i, (cm_str_t){text.p + pos, end - pos}, &offset, out);
        pos = end;
    }
}

static void put_token_text(const mp_exchange_t *x, uint32_t c, uint32_t index, cm_str_t token, size_t *offset,
                           cm_buf_t *out)
{
    (void)x, (void)c, (void)index, (void)offset;
    mp_put_quoted(out, token);
}

static void put_token_logprob(const mp_exchange_t *x, uint32_t c, uint32_t index, cm_str_t token, size_t *offset,
                              cm_buf_t *out)
{
    ranked_t r;
    (void)offset;
    cm_buf_printf(out, "%.9g", rank(x, c, index, token, 0, &r));
}

/* {"<token>":logprob,...}: logprobs N gives the N most likely tokens, the chosen one first; with 0, the
 * chosen token alone (OpenAI returns the sampled token's logprob in any case). */
static void put_token_top(const mp_exchange_t *x, uint32_t c, uint32_t index, cm_str_t token, size_t *offset,
                          cm_buf_t *out)
{
    ranked_t r;
    uint32_t top = mp_oa_req(x->req)->top_logprobs;
    (void)offset;
    double chosen = rank(x, c, index, token, top > 0 ? top - 1 : 0, &r);
    cm_buf_putc(out, '{');
    mp_put_quoted(out, token);
    cm_buf_printf(out, ":%.9g", chosen);
    for (uint32_t k = 0; k < r.n; k++) {
        cm_buf_putc(out, ',');
        mp_put_quoted(out, (cm_str_t){r.word[k], strlen(r.word[k])});
        cm_buf_printf(out, ":%.9g", r.logprob[k]);
    }
    cm_buf_putc(out, '}');
}

static void put_token_offset(const mp_exchange_t *x, uint32_t c, uint32_t index, cm_str_t token, size_t *offset,
                             cm_buf_t *out)
{
    (void)x, (void)c, (void)index;
    mp_put_uint(out, *offset);
    *offset += mp_oa_text_chars(token);
}

void mp_oa_put_legacy_logprobs(const mp_exchange_t *x, uint32_t c, uint32_t first, cm_str_t text, size_t offset,
                               cm_buf_t *out)
{
    MP_PUT_LIT(out, "{\"tokens\":[");
    each_token(x, c, first, text, offset, put_token_text, out);
    MP_PUT_LIT(out, "],\"token_logprobs\":[");
    each_token(x, c, first, text, offset, put_token_logprob, out);
    MP_PUT_LIT(out, "],\"top_logprobs\":[");
    each_token(x, c, first, text, offset, put_token_top, out);
    MP_PUT_LIT(out, "],\"text_offset\":[");
    each_token(x, c, first, text, offset, put_token_offset, out);
    MP_PUT_LIT(out, "]}");
}
