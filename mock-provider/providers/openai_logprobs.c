/* Logprobs (chat, and Responses output_text): one entry per output token, {"token","logprob","bytes","top_logprobs"},
 * whose tokens concatenate to the content; in a body for every token, in a stream chunk for the chunk's own token.
 * Values are seeded (the exchange's seed, the choice and the token's index), so a body and a stream of one
 * seed agree; the alternatives are pool words with lower logprobs, the chosen token first. */
#include <stdio.h>

#include "mock-provider/providers/content.h"
#include "mock-provider/providers/openai.h"
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

/* A word of the pool as an alternative, with the token's leading space when it has one. */
static void put_alternative(const mp_exchange_t *x, uint32_t c, uint32_t index, uint32_t k, cm_str_t token,
                            double logprob, cm_buf_t *out)
{
    char alt[24];
    const char *w = mp_pool_word(x->seed ^ 0xa17e7u, c, index * 32 + k);
    int n = snprintf(alt, sizeof(alt), "%s%s", token.n > 0 && token.p[0] == ' ' ? " " : "", w);
    put_token(out, (cm_str_t){alt, (size_t)n}, logprob);
    cm_buf_putc(out, '}');
}

void mp_oa_put_logprob_entry(const mp_exchange_t *x, uint32_t c, uint32_t index, cm_str_t token, cm_buf_t *out)
{
    uint64_t h = mp_mix64(x->seed ^ ((uint64_t)c << 40) ^ ((uint64_t)index * 0x9e3779b97f4a7c15ull) ^ 0x10b);
    double u = (double)(h >> 11) * 0x1p-53, logprob = -u * u * u * 4;
    put_token(out, token, logprob);
    MP_PUT_LIT(out, ",\"top_logprobs\":[");
    uint32_t top = x->req->top_logprobs;
    if (top > 0) {
        put_token(out, token, logprob);
        cm_buf_putc(out, '}');
    }
    double next = logprob;
    for (uint32_t k = 1; k < top; k++) {
        next -= 0.4 + (double)((h >> (k * 3)) & 7) * 0.3; /* descending, below the chosen token */
        cm_buf_putc(out, ',');
        put_alternative(x, c, index, k, token, next, out);
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
