/* mock-provider/providers/render.h — building blocks shared by every provider's renderers (internal to
 * soak_mp_providers): fast appends of literals and numbers, SSE framing, ids, base64 of float vectors.
 *
 * Renderers write JSON by direct appends of precomputed fragments because the mock's throughput is bounded
 * by how fast it produces bytes; everything echoed from a request is either a raw slice of a JSON string
 * from the request (already escaped) or passes through cm_json_escape. */
#ifndef MP_PROVIDERS_RENDER_H
#define MP_PROVIDERS_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/dist.h"

/* Appends a string literal (its length is known at compile time). */
#define MP_PUT_LIT(b, lit) cm_buf_append((b), (lit), sizeof(lit) - 1)

/* Decimal integers, without printf. */
void mp_put_uint(cm_buf_t *b, uint64_t v);
void mp_put_int(cm_buf_t *b, int64_t v);
/* A double in its shortest form that reads back to the same value, always with a '.' or an exponent so
 * that JSON readers that distinguish keep it a float ("1.0", "0.7"); NaN and infinities become null. */
void mp_put_double(cm_buf_t *b, double v);
/* A float32 in fixed notation that reads back as exactly the same float32, in 6 to 9 significant digits:
 * usually the fewest possible, like OpenAI's embeddings ("0.023064256", "-0.0009327292"; about 1% of
 * random values get one digit more than the shortest form). Magnitudes below 1e-30 print as 0.0 (never
 * seen in unit vectors); at 1 and above the form is "%.9g". */
void mp_put_float(cm_buf_t *b, float v);

static inline void mp_put_str(cm_buf_t *b, cm_str_t s)
{
    cm_buf_append(b, s.p, s.n);
}
/* '"' + s + '"': s must already be escaped JSON string contents. */
void mp_put_quoted(cm_buf_t *b, cm_str_t s);
/* Appends a raw JSON value from a request (already validated) without the whitespace between its tokens:
 * echoed into an SSE data line, a pretty-printed value's newlines would end the line. */
void mp_put_json_compact(cm_buf_t *b, cm_str_t json);
/* A JSON string from an unescaped C string (escaped here), or null when s is NULL. */
void mp_put_cstr_or_null(cm_buf_t *b, const char *s);

/* Server-sent events: a data-only frame is MP_PUT_LIT(b, "data: ") + payload + MP_SSE_END; a named event
 * starts with mp_sse_event. */
#define MP_SSE_END "\n\n"
void mp_sse_event(cm_buf_t *b, const char *name);

/* Base64 (standard alphabet, padded) of n floats as little-endian float32: the OpenAI embeddings format. */
void mp_base64_f32le(cm_buf_t *b, const float *v, size_t n);
/* Decodes standard base64; returns the number of bytes written, or -1 on a malformed input or when out is
 * too small. Used by tests and tools that check vectors. */
long mp_base64_decode(const char *s, size_t n, unsigned char *out, size_t cap);

/* The splitmix64 finaliser: a fast, well-mixed hash of one 64-bit word. */
uint64_t mp_mix64(uint64_t x);

/* Writes prefix + nchars random characters + NUL into out (cap bytes; truncated safely). base62 uses
 * [0-9A-Za-z], hex lower-case hex digits. Randomness comes from the caller's generator. */
void mp_id_base62(char *out, size_t cap, const char *prefix, size_t nchars, cm_rng_t *rng);
void mp_id_hex(char *out, size_t cap, const char *prefix, size_t nchars, cm_rng_t *rng);
/* The same, deterministic in key (ids derived from an exchange's key, e.g. per-choice tool call ids). */
void mp_id_base62_from(char *out, size_t cap, const char *prefix, size_t nchars, uint64_t key);
void mp_id_hex_from(char *out, size_t cap, const char *prefix, size_t nchars, uint64_t key);

/* A key no other call in this process returns (up to 2^40 calls per thread), and that differs between
 * processes (a random nonce per process): response ids never repeat across CI runs, while content stays
 * seeded. Thread-safe; no lock, one atomic read per call. */
uint64_t mp_unique_key(void);

/* Drops a UTF-8 sequence cut short at the end of s (after a truncating copy of valid UTF-8), so that an error
 * body built from request text stays valid UTF-8. */
void mp_trim_utf8(char *s);

/* Appends s as a JSON string, or null when s is NULL or empty. */
void mp_put_opt(cm_buf_t *b, const char *s);

#endif
