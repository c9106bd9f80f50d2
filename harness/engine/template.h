/* harness/engine/template.h — payload templates: literal text with {{uuid}}, {{seq}} and {{random ...}} placeholders.
 *
 * A template is compiled once (its literal parts already JSON-escaped for a prompt inside a JSON string, or
 * kept as written for a raw body) and rendered per request, so the hot path only copies bytes and formats a
 * UUID or a number.
 *
 *   {{uuid}}              a fresh random version 4 UUID for each request, drawn from the caller's seeded generator
 *   {{seq}}               the request's sequence number (unique across the run's threads)
 *   {{random MIN..MAX}}   a uniform whole number from MIN to MAX inclusive (|MIN|, |MAX| <= 10^18)
 *   {{random hex N}}      N random lowercase hex digits (1 <= N <= HX_TMPL_HEX_MAX)
 *
 * Spaces inside the braces are allowed ("{{ uuid }}"). Any other {{name}} is an error at compile time. Every
 * placeholder renders to a bounded number of bytes, so a template's largest rendering is known once it is
 * compiled (hx_tmpl_max_len). */
#ifndef HX_TEMPLATE_H
#define HX_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/dist.h"

typedef enum hx_tmpl_kind {
    HX_TMPL_LITERAL,
    HX_TMPL_UUID,
    HX_TMPL_SEQ,
    HX_TMPL_RANDOM_INT,
    HX_TMPL_RANDOM_HEX,
} hx_tmpl_kind_t;

/* The widest {{random hex N}} and the largest magnitude of a {{random MIN..MAX}} bound. */
#define HX_TMPL_HEX_MAX 64
#define HX_TMPL_INT_MAX 1000000000000000000ll

typedef struct hx_tmpl_part {
    hx_tmpl_kind_t kind;
    char *text;     /* literal: the text as rendered, JSON-escaped or raw (owned); NULL otherwise */
    size_t len;     /* literal: bytes of text; random hex: the digit count */
    int64_t lo, hi; /* random int: the inclusive range */
} hx_tmpl_part_t;

typedef struct hx_tmpl {
    hx_tmpl_part_t *parts; /* owned */
    size_t nparts;
} hx_tmpl_t;

#define HX_UUID_LEN 36

/* Compiles src (NUL-terminated) into t, its literal text JSON-escaped (a prompt goes inside a JSON string).
 * Returns 0, or -1 with a reason in err such as
 * `unknown template variable "{{uuid4}}" at byte 0 (expected {{uuid}}, {{seq}}, {{random MIN..MAX}} or
 * {{random hex N}})` or `unterminated "{{" at byte 12`. t is always safe to free. */
int hx_tmpl_compile(hx_tmpl_t *t, const char *src, char *err, size_t errlen);
/* The same with the literal text kept byte for byte (a raw request body: the author writes the JSON). */
int hx_tmpl_compile_raw(hx_tmpl_t *t, const char *src, char *err, size_t errlen);
void hx_tmpl_free(hx_tmpl_t *t);

/* The most bytes one rendering appends (literal text plus the widest value of every placeholder). */
size_t hx_tmpl_max_len(const hx_tmpl_t *t);
/* Appends one rendering (no repeat, no quotes). Draws from rng only for {{uuid}} and {{random ...}}. */
void hx_tmpl_render(const hx_tmpl_t *t, cm_buf_t *out, cm_rng_t *rng, uint64_t seq);

/* True when the template has placeholders (its rendering changes per request). */
bool hx_tmpl_dynamic(const hx_tmpl_t *t);

/* Appends the rendering, JSON-escaped and without quotes, `repeat` times (at least once): the same UUID and
 * sequence number appear in every copy, like Python's f"{uuid4()} ..." * 150. Draws one UUID from rng per
 * {{uuid}} placeholder, so a template without one leaves rng untouched. */
void hx_tmpl_render_json(const hx_tmpl_t *t, cm_buf_t *out, uint32_t repeat, cm_rng_t *rng, uint64_t seq);

/* Writes a random version 4 UUID (RFC 9562: lowercase 8-4-4-4-12 hex, version nibble 4, variant 10xx) and
 * a NUL into out, using 128 bits from rng. */
void hx_uuid4(cm_rng_t *rng, char out[HX_UUID_LEN + 1]);

#endif
