/* tests/fuzz/json_fuzz.c — the JSON reader on arbitrary bytes, every accessor on what it accepts, and a
 * writer/reader round trip of the input taken as a string. */
#include "common/json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const cm_json_doc_t *d)
{
    char out[64];
    for (uint32_t t = 0; t < d->ntok; t++) {
        int64_t i;
        double x;
        switch (cm_json_type(d, t)) {
        case CM_JSON_STRING:
            cm_json_unescape(d, t, out, sizeof(out));
            (void)cm_json_str_eq(d, t, "model");
            break;
        case CM_JSON_NUMBER:
            (void)cm_json_int(d, t, &i);
            (void)cm_json_double(d, t, &x);
            break;
        case CM_JSON_OBJECT:
            (void)cm_json_get(d, t, "model");
            (void)cm_json_get(d, t, "");
            for (uint32_t k = cm_json_first(d, t); k != 0; k = cm_json_next(d, k + 1))
                (void)cm_json_raw(d, k + 1);
            break;
        case CM_JSON_ARRAY:
            (void)cm_json_at(d, t, 0);
            (void)cm_json_at(d, t, d->tok[t].count - 1);
            break;
        default:
            break;
        }
    }
}

/* Escaping any ASCII input and parsing it back must give a valid string that decodes to the input. */
static void round_trip(const uint8_t *data, size_t size, cm_json_toks_t *toks)
{
    for (size_t i = 0; i < size; i++) {
        if (data[i] >= 0x80)
            return;
    }
    cm_buf_t b = CM_BUF_INIT;
    cm_json_escape(&b, (const char *)data, size);
    cm_json_doc_t doc;
    char err[128];
    if (cm_json_parse(&doc, b.data, b.len, toks, err, sizeof(err)) != 0 || doc.ntok != 1)
        abort();
    char *back = malloc(size + 1);
    if (cm_json_unescape(&doc, 0, back, size + 1) != size || memcmp(back, data, size) != 0)
        abort();
    free(back);
    cm_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cm_json_toks_t toks = {0};
    cm_json_doc_t doc;
    char err[128];
    if (cm_json_parse(&doc, (const char *)data, size, &toks, err, sizeof(err)) == 0)
        walk(&doc);
    else if (strncmp(err, "invalid JSON at byte ", 21) != 0)
        abort();
    round_trip(data, size, &toks);
    cm_json_toks_free(&toks);
    return 0;
}
