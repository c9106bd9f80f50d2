/* tests/fuzz/json_fuzz.c — the JSON reader on arbitrary bytes, every accessor on what it accepts, a
 * writer/reader round trip of the input taken as a string, and the histogram reader (common/hist_json.h) on
 * every member of an object that has a "layout", with what it accepts written and read back unchanged. */
#include "common/hist_json.h"
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

/* A histogram the reader accepted, written as the summary writes it, must read back the same. */
static void hist_round_trip(const cm_hist_t *h)
{
    static cm_hist_t back;
    cm_buf_t b = CM_BUF_INIT;
    cm_jw_t w;
    cm_jw_init(&w, &b);
    cm_jw_obj(&w);
    cm_jw_key(&w, "layout");
    cm_hist_json_write_layout(&w);
    cm_jw_key(&w, "h");
    cm_hist_json_write(&w, h, "us");
    cm_jw_obj_end(&w);
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    char err[256];
    if (cm_json_parse(&d, b.data, b.len, &toks, err, sizeof(err)) != 0 ||
        cm_hist_from_json(&d, cm_json_get(&d, 0, "layout"), cm_json_get(&d, 0, "h"), "us", &back, err, sizeof(err)) !=
            0 ||
        memcmp(&back, h, sizeof(back)) != 0)
        abort();
    cm_json_toks_free(&toks);
    cm_buf_free(&b);
}

static void hists(const cm_json_doc_t *d)
{
    static cm_hist_t h;
    uint32_t layout = cm_json_type(d, 0) == CM_JSON_OBJECT ? cm_json_get(d, 0, "layout") : 0;
    if (layout == 0)
        return;
    char err[256];
    for (uint32_t k = cm_json_first(d, 0); k != 0; k = cm_json_next(d, k + 1)) {
        if (k + 1 == layout)
            continue;
        if (cm_hist_from_json(d, layout, k + 1, NULL, &h, err, sizeof(err)) == 0)
            hist_round_trip(&h);
        else if (err[0] == '\0' || h.count != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cm_json_toks_t toks = {0};
    cm_json_doc_t doc;
    char err[128];
    if (cm_json_parse(&doc, (const char *)data, size, &toks, err, sizeof(err)) == 0) {
        walk(&doc);
        hists(&doc);
    } else if (strncmp(err, "invalid JSON at byte ", 21) != 0)
        abort();
    round_trip(data, size, &toks);
    cm_json_toks_free(&toks);
    return 0;
}
