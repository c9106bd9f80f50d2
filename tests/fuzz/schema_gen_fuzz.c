/* tests/fuzz/schema_gen_fuzz.c — the schema generator on arbitrary schemas: whatever the input, it never
 * crashes, refuses or writes one valid JSON value within MP_SCHEMA_MAX_BYTES, leaves nothing behind when it
 * refuses, and gives the same text twice for one seed. The raw input is also tried as a pattern. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "mock-provider/providers/schema/schema_gen.h"
#include "mock-provider/providers/schema/schema_pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(const cm_buf_t *out, cm_json_toks_t *toks)
{
    cm_json_doc_t d;
    char err[160];
    if (out->len > MP_SCHEMA_MAX_BYTES + 64 * 1024 || cm_json_parse(&d, out->data, out->len, toks, err, sizeof(err)))
        abort();
}

static void generate(const uint8_t *data, size_t size, int flags, cm_json_toks_t *toks)
{
    /* The schema is a member value, as in a request ("s" here), since token 0 means "absent". */
    cm_buf_t src = CM_BUF_INIT, a = CM_BUF_INIT, b = CM_BUF_INIT;
    cm_buf_puts(&src, "{\"s\":");
    cm_buf_append(&src, data, size);
    cm_buf_putc(&src, '}');
    cm_json_doc_t d;
    cm_json_toks_t vt = {0};
    char err[160], why[200];
    if (cm_json_parse(&d, src.data, src.len, toks, err, sizeof(err)) == 0) {
        uint32_t s = cm_json_get(&d, 0, "s");
        int rc = mp_schema_generate(&d, s, size, flags, &a, why, sizeof(why));
        if (rc != 0 && a.len != 0)
            abort();
        if (rc == 0) {
            check_value(&a, &vt);
            if (mp_schema_generate(&d, s, size, flags, &b, why, sizeof(why)) != 0 || b.len != a.len ||
                memcmp(a.data, b.data, a.len) != 0)
                abort();
        }
    }
    cm_json_toks_free(&vt);
    cm_buf_free(&src);
    cm_buf_free(&a);
    cm_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cm_json_toks_t toks = {0};
    generate(data, size, 0, &toks);
    generate(data, size, MP_SCHEMA_ROOT_OBJECT, &toks);
    cm_rng_t rng;
    cm_rng_seed(&rng, size);
    cm_buf_t out = CM_BUF_INIT;
    uint32_t spent;
    if (mp_pattern_generate((const char *)data, size, 0, 64, 1u << 20, &rng, &out, &spent) != 0 && out.len != 0)
        abort();
    cm_buf_free(&out);
    cm_json_toks_free(&toks);
    return 0;
}
