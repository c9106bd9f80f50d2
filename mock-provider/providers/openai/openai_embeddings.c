/* POST /v1/embeddings: the request (input forms, encoding_format, dimensions) and the list of vectors. */
#include <stdlib.h>
#include <string.h>

#include "mock-provider/providers/content.h"
#include "mock-provider/providers/openai/openai.h"
#include "mock-provider/providers/render.h"

/* OpenAI's answer to an empty string, an empty list or an empty element, verbatim. */
#define INVALID_INPUT                                                                                                  \
    "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."
#define MAX_INPUTS 2048
#define INPUT_TYPES "one of a string, array of strings, array of integers, or array of arrays of integers"

/* Hash of the text itself (unescaped), so that "a\u0062" and "ab" embed alike. */
static uint64_t hash_string(mp_oa_ctx_t *c, uint32_t t)
{
    cm_str_t raw = cm_json_raw(&c->d, t);
    if (!c->d.tok[t].escaped)
        return cm_hash64(raw.p, raw.n, 0);
    char *buf = cm_alloc(c->a, raw.n + 1); /* unescaping never lengthens */
    size_t n = cm_json_unescape(&c->d, t, buf, raw.n + 1);
    return cm_hash64(buf, n, 0);
}

/* Token-id arrays hash their values (not their spelling), in a domain apart from strings. */
static int hash_tokens(mp_oa_ctx_t *c, uint32_t arr, uint64_t *hash)
{
    uint64_t h = 0x70cc3e5a11d5eedULL;
    int64_t v;
    if (c->d.tok[arr].count == 0)
        return mp_oa_invalid(c, NULL, NULL, INVALID_INPUT);
    for (uint32_t e = cm_json_first(&c->d, arr); e != 0; e = cm_json_next(&c->d, e)) {
        if (cm_json_type(&c->d, e) != CM_JSON_NUMBER || cm_json_int(&c->d, e, &v) != 0 || v < 0)
            return mp_oa_invalid(c, NULL, NULL, INVALID_INPUT);
        h = mp_mix64(h ^ (uint64_t)v);
    }
    *hash = mp_mix64(h ^ c->d.tok[arr].count);
    return 0;
}

/* One input (a string or a token array): its hash and token count. */
static int one_input(mp_oa_ctx_t *c, uint32_t t, uint64_t *hash, uint32_t *tokens)
{
    if (cm_json_type(&c->d, t) == CM_JSON_STRING) {
        if (c->d.tok[t].len == 0)
            return mp_oa_invalid(c, NULL, NULL, INVALID_INPUT);
        *hash = hash_string(c, t);
        *tokens = mp_estimate_tokens(c->d.tok[t].len);
        return 0;
    }
    *tokens = c->d.tok[t].count;
    return hash_tokens(c, t, hash);
}

/* The elements of an array input: all strings, or all token arrays (a flat int array is one input). */
static int list_kind(mp_oa_ctx_t *c, uint32_t in, uint32_t *n)
{
    uint32_t count = c->d.tok[in].count;
    if (count == 0)
        return mp_oa_invalid(c, NULL, NULL, INVALID_INPUT);
    if (count > MAX_INPUTS)
        return mp_oa_invalid(c, "input", "array_above_max_length",
                             "Invalid 'input': array too long. Expected an array with maximum length %d, but got an "
                             "array with length %u instead.",
                             MAX_INPUTS, count);
    uint32_t first = cm_json_first(&c->d, in);
    cm_json_type_t kind = cm_json_type(&c->d, first);
    *n = kind == CM_JSON_NUMBER ? 1 : count;
    if (kind != CM_JSON_NUMBER && kind != CM_JSON_STRING && kind != CM_JSON_ARRAY)
        return mp_oa_bad_type(c, "input", INPUT_TYPES, first);
    for (uint32_t e = first; e != 0 && kind != CM_JSON_NUMBER; e = cm_json_next(&c->d, e))
        if (cm_json_type(&c->d, e) != kind)
            return mp_oa_invalid(c, NULL, NULL, INVALID_INPUT);
    return 0;
}

static int embeddings_input(mp_oa_ctx_t *c, uint32_t in)
{
    mp_request_t *r = c->req;
    cm_json_type_t type = cm_json_type(&c->d, in);
    uint32_t n = 1;
    if (type != CM_JSON_STRING && type != CM_JSON_ARRAY)
        return mp_oa_bad_type(c, "input", INPUT_TYPES, in);
    if (type == CM_JSON_ARRAY && list_kind(c, in, &n) != 0)
        return -1;
    bool single = type == CM_JSON_STRING || cm_json_type(&c->d, cm_json_first(&c->d, in)) == CM_JSON_NUMBER;
    uint64_t *hash = cm_alloc(c->a, n * sizeof(*hash));
    uint32_t *tokens = cm_alloc(c->a, n * sizeof(*tokens));
    uint32_t t = single ? in : cm_json_first(&c->d, in), total = 0;
    for (uint32_t i = 0; i < n; i++, t = cm_json_next(&c->d, t)) {
        if (one_input(c, t, &hash[i], &tokens[i]) != 0)
            return -1;
        total += tokens[i];
    }
    r->ninputs = n;
    r->input_hash = hash;
    r->input_tokens = tokens;
    r->prompt_tokens = total;
    return 0;
}

/* dimensions exists only for the text-embedding-3 family; its upper bound is the model's native size. An Azure
 * deployment name (deployments/{d}) does not tell the model behind it, so there it is taken as allowed. */
static int dimensions(mp_oa_ctx_t *c, uint32_t t)
{
    static const char family[] = "text-embedding-3";
    cm_str_t model = c->req->model;
    int64_t v = 0;
    cm_json_int(&c->d, t, &v);
    bool azure = c->req->route != NULL && c->req->route->target.n > 0;
    if (!azure && (model.n < sizeof(family) - 1 || memcmp(model.p, family, sizeof(family) - 1) != 0))
        return mp_oa_invalid(c, "dimensions", NULL, "This model does not support specifying dimensions.");
    uint32_t max = mp_embedding_default_dims(model, 3072);
    if (v > (int64_t)max)
        return mp_oa_invalid(c, "dimensions", "integer_above_max_value",
                             "Invalid 'dimensions': integer above maximum value. Expected a value <= %u, but got %lld "
                             "instead.",
                             max, (long long)v);
    c->req->dimensions = (uint32_t)v;
    return 0;
}

int mp_oa_parse_embeddings(mp_oa_ctx_t *c)
{
    static const mp_oa_field_t fields[] = {
        MP_OA_FIELD("input", MP_OA_ANY, MP_OA_S_INPUT, false, 0, 0, NULL),
        MP_OA_FIELD("model", MP_OA_STRING, MP_OA_S_MODEL, false, 0, 0, NULL),
        MP_OA_FIELD("dimensions", MP_OA_INT, MP_OA_S_DIMENSIONS, true, 1, 1e9, NULL),
        MP_OA_FIELD("encoding_format", MP_OA_STRING, MP_OA_S_ENCODING_FORMAT, false, 0, 0, NULL),
        MP_OA_FIELD("user", MP_OA_STRING, MP_OA_S_NONE, false, 0, 0, NULL),
    };
    static const char *const formats[] = {"float", "base64", NULL};
    if (mp_oa_scan(c, fields, sizeof(fields) / sizeof(fields[0]), MP_OA_UNRECOGNIZED) != 0)
        return -1;
    uint32_t model = c->slot[MP_OA_S_MODEL], in = c->slot[MP_OA_S_INPUT], enc = c->slot[MP_OA_S_ENCODING_FORMAT];
    if (mp_oa_want_model(c, model) != 0)
        return -1;
    if (in == 0)
        return mp_oa_missing(c, "input");
    if (embeddings_input(c, in) != 0)
        return -1;
    int f = enc ? mp_oa_enum(c, enc, formats, "encoding_format") : 0;
    if (f < 0)
        return -1;
    c->req->base64 = f == 1;
    return c->slot[MP_OA_S_DIMENSIONS] ? dimensions(c, c->slot[MP_OA_S_DIMENSIONS]) : 0;
}

/* ---- response ------------------------------------------------------------------------------------- */

static void put_vector(cm_buf_t *out, const float *v, uint32_t dims, bool base64)
{
    if (base64) {
        cm_buf_putc(out, '"');
        mp_base64_f32le(out, v, dims);
        cm_buf_putc(out, '"');
        return;
    }
    cm_buf_reserve(out, (size_t)dims * 14 + 2);
    cm_buf_putc(out, '[');
    for (uint32_t i = 0; i < dims; i++) {
        if (i > 0)
            cm_buf_putc(out, ',');
        mp_put_float(out, v[i]);
    }
    cm_buf_putc(out, ']');
}

void mp_oa_embeddings_body(mp_exchange_t *x, cm_buf_t *out)
{
    const mp_request_t *r = x->req;
    uint32_t dims = mp_embedding_dims(x->dep, r);
    float *v = cm_xmalloc((size_t)dims * sizeof(float)); /* one buffer for all inputs of the request */
    MP_PUT_LIT(out, "{\"object\":\"list\",\"data\":[");
    for (uint32_t i = 0; i < r->ninputs; i++) {
        if (i > 0)
            cm_buf_putc(out, ',');
        MP_PUT_LIT(out, "{\"object\":\"embedding\",\"index\":");
        mp_put_uint(out, i);
        MP_PUT_LIT(out, ",\"embedding\":");
        mp_embedding_vector(r->input_hash[i], dims, v);
        put_vector(out, v, dims, r->base64);
        cm_buf_putc(out, '}');
    }
    free(v);
    MP_PUT_LIT(out, "],\"model\":");
    mp_put_quoted(out, r->model);
    MP_PUT_LIT(out, ",\"usage\":{\"prompt_tokens\":");
    mp_put_uint(out, r->prompt_tokens);
    MP_PUT_LIT(out, ",\"total_tokens\":");
    mp_put_uint(out, r->prompt_tokens);
    MP_PUT_LIT(out, "}}");
}
