/* tests/fuzz/schema_hint_fuzz.c — the JSON-mode answer on arbitrary prompt text: whatever the input, it never
 * crashes and always writes one JSON object, the same text twice for one seed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "mock-provider/providers/schema/schema_hint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cm_buf_t a = CM_BUF_INIT, b = CM_BUF_INIT;
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    char err[160];
    mp_hint_json_object((const char *)data, size, size, &a);
    mp_hint_json_object((const char *)data, size, size, &b);
    if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
        abort();
    if (cm_json_parse(&d, a.data, a.len, &toks, err, sizeof(err)) != 0 || cm_json_type(&d, 0) != CM_JSON_OBJECT)
        abort();
    cm_json_toks_free(&toks);
    cm_buf_free(&a);
    cm_buf_free(&b);
    return 0;
}
