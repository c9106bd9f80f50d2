/* mock-provider/providers/schema/schema_build.h — the state of one value being generated, shared by the structure
 * walker (schema_gen.c: objects, arrays, unions, $ref) and the scalars (schema_scalar.c: strings, numbers).
 * Internal to the schema generator. */
#ifndef MP_PROVIDERS_SCHEMA_BUILD_H
#define MP_PROVIDERS_SCHEMA_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/dist.h"
#include "common/json.h"

/* Schema nodes that apply to one value at once: the schema, the targets of its $refs, its allOf members and
 * the chosen anyOf/oneOf branch. Members past this many are ignored. */
#define MP_SG_MAX_VIEW 12

typedef struct mp_sg {
    const cm_json_doc_t *d;
    uint32_t root; /* what "#" refers to */
    cm_rng_t rng;
    cm_buf_t *out;
    uint32_t work;
    bool too_much_work, too_large;
    bool widen; /* numbers from the schema's whole range, not the realistic part (uniqueItems retries) */
} mp_sg_t;

typedef struct mp_sg_view {
    uint32_t node[MP_SG_MAX_VIEW];
    uint32_t n;
    cm_str_t key; /* the property (raw) this value is for, or empty: chooses realistic text */
    bool minimal; /* take the smallest valid choices (deep or recursive) */
    uint8_t refs; /* $refs followed on the path here */
} mp_sg_view_t;

/* Charges n units of work; false once the budget is spent (or the output too large): stop producing. */
bool mp_sg_spend(mp_sg_t *b, uint32_t n);
/* True once a bound is hit. */
bool mp_sg_stopped(mp_sg_t *b);

/* The first member of the view that has key, or 0. */
uint32_t mp_sg_get(const mp_sg_t *b, const mp_sg_view_t *v, const char *key);
/* A number keyword combined over the view: the largest value of a lower bound (want_max false) or the
 * smallest of an upper bound (want_max true). False when no member has it as a finite number. */
bool mp_sg_bound(const mp_sg_t *b, const mp_sg_view_t *v, const char *key, bool want_max, double *out);
/* A uniform integer in [0, n). */
uint32_t mp_sg_below(mp_sg_t *b, uint32_t n);

/* Scalars (schema_scalar.c), appended to b->out. */
void mp_sg_string(mp_sg_t *b, const mp_sg_view_t *v);
void mp_sg_number(mp_sg_t *b, const mp_sg_view_t *v, bool integer);

#endif
