/* mock-provider/providers/gemini/gemini_json.h — Google's two JSON layouts (internal): the pretty form of bodies,
 * error bodies and the elements of a streamed JSON array (two-space indents, one member or element a line,
 * `"key": value`), and the form of alt=sse frames (`"key": value` with `,` and no other whitespace, so a
 * frame stays on one data line). A writer inserts the separators and the indentation itself. */
#ifndef MP_PROVIDERS_GEMINI_JSON_H
#define MP_PROVIDERS_GEMINI_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"

/* Nesting the writer indents; deeper values are still written, at this indentation. */
#define MP_GJ_MAX_DEPTH 48

typedef struct mp_gj {
    cm_buf_t *b;
    bool pretty;
    bool after_key;
    uint8_t depth;
    bool filled[MP_GJ_MAX_DEPTH + 1]; /* the container open at each depth has a member already */
} mp_gj_t;

void mp_gj_init(mp_gj_t *w, cm_buf_t *b, bool pretty);
/* "key": — the value follows with one of the calls below. key is a literal that needs no escaping. */
void mp_gj_key(mp_gj_t *w, const char *key);
void mp_gj_obj(mp_gj_t *w);
void mp_gj_obj_end(mp_gj_t *w);
void mp_gj_arr(mp_gj_t *w);
void mp_gj_arr_end(mp_gj_t *w);
/* A string from escaped JSON string contents (a request slice, produced text). */
void mp_gj_str(mp_gj_t *w, const char *escaped, size_t n);
/* A string from an unescaped C string (escaped here). */
void mp_gj_cstr(mp_gj_t *w, const char *s);
/* A string literal that needs no escaping ("STOP", "model"). */
void mp_gj_lit(mp_gj_t *w, const char *s);
void mp_gj_uint(mp_gj_t *w, uint64_t v);
void mp_gj_double(mp_gj_t *w, double v);
void mp_gj_float(mp_gj_t *w, float v);
void mp_gj_bool(mp_gj_t *w, bool v);
/* A whole JSON value from valid JSON text (the fake model's arguments), laid out in the writer's form. */
void mp_gj_json(mp_gj_t *w, const char *json, size_t n);

#endif
