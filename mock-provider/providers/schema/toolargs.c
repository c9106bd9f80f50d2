/* Tool arguments: the schema generator's value for the parameters, copied into the request's allocator. */
#include "mock-provider/providers/schema/toolargs.h"

#include <string.h>

int mp_tool_arguments(const cm_json_doc_t *d, uint32_t schema, uint64_t seed, const cm_allocator_t *a, const char **out,
                      char *why, size_t whylen)
{
    cm_buf_t b = CM_BUF_INIT;
    if (mp_schema_generate(d, schema, seed, MP_SCHEMA_ROOT_OBJECT, &b, why, whylen) != 0) {
        cm_buf_free(&b);
        return -1;
    }
    char *s = cm_alloc(a, b.len + 1);
    memcpy(s, b.data, b.len + 1);
    cm_buf_free(&b);
    *out = s;
    return 0;
}
