/* Embeddings in Google's three shapes: the Gemini API's embedContent ({"embedding":{"values":[..]}}) and
 * batchEmbedContents ({"embeddings":[{"values":[..]}]}), and Vertex's :predict (instances in, predictions with
 * statistics out). Vectors are the shared deterministic ones (mp_embedding_vector), seeded by each input's
 * text, so one text gets one vector on every surface. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/dist.h"
#include "mock-provider/providers/gemini/gemini.h"
#include "mock-provider/providers/gemini/gemini_json.h"
#include "mock-provider/providers/render.h"

#define F(json, proto, type, slot, name)                                                                               \
    {                                                                                                                  \
        (json), (proto), (type), (slot), (name)                                                                        \
    }
#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

enum { E_MODEL, E_CONTENT, E_TASK, E_DIMS, E__N };
static const mp_gm_field_t embed_fields[] = {
    F("model", "model", MP_GM_STRING, E_MODEL, NULL),
    F("content", "content", MP_GM_OBJECT, E_CONTENT, "Content"),
    F("taskType", "task_type", MP_GM_STRING, E_TASK, NULL),
    F("title", "title", MP_GM_STRING, -1, NULL),
    F("outputDimensionality", "output_dimensionality", MP_GM_INT, E_DIMS, NULL),
    F("autoTruncate", "auto_truncate", MP_GM_BOOL, -1, NULL),
};

enum { B_REQUESTS, B__N };
static const mp_gm_field_t batch_fields[] = {
    F("requests", "requests", MP_GM_LIST, B_REQUESTS, "EmbedContentRequest"),
};

enum { V_INSTANCES, V_PARAMETERS, V__N };
static const mp_gm_field_t predict_fields[] = {
    F("instances", "instances", MP_GM_LIST, V_INSTANCES, "Value"),
    F("parameters", "parameters", MP_GM_MAP, V_PARAMETERS, "Value"),
};

enum { I_CONTENT, I_TASK, I__N };
static const mp_gm_field_t instance_fields[] = {
    F("content", "content", MP_GM_STRING, I_CONTENT, NULL),
    F("task_type", "taskType", MP_GM_STRING, I_TASK, NULL),
    F("title", "title", MP_GM_STRING, -1, NULL),
};

enum { Q_DIMS, Q__N };
static const mp_gm_field_t parameter_fields[] = {
    F("outputDimensionality", "output_dimensionality", MP_GM_INT, Q_DIMS, NULL),
    F("autoTruncate", "auto_truncate", MP_GM_BOOL, -1, NULL),
};

static const char *const task_types[] = {
    "TASK_TYPE_UNSPECIFIED", "RETRIEVAL_QUERY",   "RETRIEVAL_DOCUMENT",
    "SEMANTIC_SIMILARITY",   "CLASSIFICATION",    "CLUSTERING",
    "QUESTION_ANSWERING",    "FACT_VERIFICATION", "CODE_RETRIEVAL_QUERY",
};

static int task_type(mp_gm_ctx_t *c, uint32_t t, const char *path)
{
    for (size_t i = 0; t != 0 && i < NFIELDS(task_types); i++)
        if (cm_json_str_eq(&c->d, t, task_types[i]))
            return 0;
    return t == 0 ? 0 : mp_gm_bad_value(c, path, "TaskType", t);
}

/* outputDimensionality: 1 up to the model's own size. */
static int dimensions(mp_gm_ctx_t *c, uint32_t t, const char *path)
{
    int64_t v;
    uint32_t most = mp_gm_embedding_dims(c->req->model);
    if (t == 0 || cm_json_int(&c->d, t, &v) != 0)
        return 0;
    if (v < 1 || v > most)
        return mp_gm_invalid(c, path, "* EmbedContentRequest.%s: output_dimensionality must be between 1 and %u.\n",
                             path, most);
    if (c->req->dimensions != 0 && c->req->dimensions != (uint32_t)v)
        return mp_gm_invalid(c, path,
                             "* BatchEmbedContentsRequest.%s: every request must ask for the same "
                             "output_dimensionality.\n",
                             path);
    c->req->dimensions = (uint32_t)v;
    return 0;
}

/* The input's text: every text part, joined; its hash seeds the vector. */
static void add_input(mp_gm_ctx_t *c, uint32_t i, uint64_t hash, uint32_t bytes)
{
    ((uint64_t *)c->req->input_hash)[i] = hash;
    ((uint32_t *)c->req->input_tokens)[i] = mp_estimate_tokens(bytes);
    ((uint32_t *)mp_gm_own(c)->input_bytes)[i] = bytes;
    c->req->prompt_tokens += mp_estimate_tokens(bytes);
}

static void alloc_inputs(mp_gm_ctx_t *c, uint32_t n)
{
    c->req->ninputs = n;
    c->req->input_hash = cm_alloc(c->a, (n ? n : 1) * sizeof(uint64_t));
    c->req->input_tokens = cm_alloc(c->a, (n ? n : 1) * sizeof(uint32_t));
    mp_gm_own(c)->input_bytes = cm_alloc(c->a, (n ? n : 1) * sizeof(uint32_t));
}

/* One EmbedContentRequest (the body of embedContent, or an item of a batch). */
static int embed_request(mp_gm_ctx_t *c, uint32_t obj, const char *where, uint32_t i)
{
    uint32_t v[E__N];
    char path[80];
    if (mp_gm_scan(c, obj, where, embed_fields, NFIELDS(embed_fields), v) != 0)
        return -1;
    if (v[E_MODEL] != 0) {
        cm_str_t m = cm_json_raw(&c->d, v[E_MODEL]), want = c->req->model;
        if (m.n > 7 && memcmp(m.p, "models/", 7) == 0) {
            m.p += 7;
            m.n -= 7;
        }
        if (where[0] != '\0' && (m.n != want.n || memcmp(m.p, want.p, m.n) != 0)) {
            mp_gm_path(path, sizeof(path), "%s.model", where);
            return mp_gm_invalid(c, path,
                                 "* BatchEmbedContentsRequest.%s: the model of every request must be the batch's "
                                 "model.\n",
                                 path);
        }
    }
    mp_gm_path(path, sizeof(path), "%s%scontent", where, where[0] ? "." : "");
    if (v[E_CONTENT] == 0)
        return mp_gm_invalid(c, path, "* EmbedContentRequest.content: content is not specified\n");
    uint64_t hash;
    uint32_t bytes;
    if (mp_gm_content_text(c, v[E_CONTENT], path, &hash, &bytes) != 0)
        return -1;
    mp_gm_path(path, sizeof(path), "%s%stask_type", where, where[0] ? "." : "");
    if (task_type(c, v[E_TASK], path) != 0)
        return -1;
    mp_gm_path(path, sizeof(path), "%s%soutput_dimensionality", where, where[0] ? "." : "");
    if (dimensions(c, v[E_DIMS], path) != 0)
        return -1;
    add_input(c, i, hash, bytes);
    return 0;
}

static int parse_batch(mp_gm_ctx_t *c)
{
    uint32_t v[B__N], i = 0;
    if (mp_gm_scan(c, 0, "", batch_fields, NFIELDS(batch_fields), v) != 0)
        return -1;
    uint32_t reqs = v[B_REQUESTS];
    if (reqs == 0 || c->d.tok[reqs].count == 0)
        return mp_gm_invalid(c, "requests", "* BatchEmbedContentsRequest.requests: requests is not specified\n");
    if (c->d.tok[reqs].count > MP_GM_MAX_BATCH)
        return mp_gm_invalid(c, "requests",
                             "* BatchEmbedContentsRequest.requests: at most %d requests can be in one batch\n",
                             MP_GM_MAX_BATCH);
    alloc_inputs(c, c->d.tok[reqs].count);
    for (uint32_t r = cm_json_first(&c->d, reqs); r != 0; r = cm_json_next(&c->d, r), i++) {
        char path[32];
        mp_gm_path(path, sizeof(path), "requests[%u]", i);
        if (cm_json_type(&c->d, r) != CM_JSON_OBJECT)
            return mp_gm_bad_value(c, path, "EmbedContentRequest", r);
        if (embed_request(c, r, path, i) != 0)
            return -1;
    }
    return 0;
}

/* Vertex's instances: {"content": "...", "task_type": ..., "title": ...}, and parameters. */
static int parse_predict(mp_gm_ctx_t *c)
{
    uint32_t v[V__N], q[Q__N], i = 0;
    if (mp_gm_scan(c, 0, "", predict_fields, NFIELDS(predict_fields), v) != 0)
        return -1;
    uint32_t list = v[V_INSTANCES];
    if (list == 0 || c->d.tok[list].count == 0)
        return mp_gm_invalid(c, "instances", "Request contains an invalid argument.");
    if (c->d.tok[list].count > MP_GM_MAX_INSTANCES)
        return mp_gm_invalid(c, "instances",
                             "Unable to submit request because the number of instances (%u) exceeds the limit of %d. "
                             "Update the request and try again.",
                             c->d.tok[list].count, MP_GM_MAX_INSTANCES);
    if (v[V_PARAMETERS] != 0 &&
        (mp_gm_scan(c, v[V_PARAMETERS], "parameters", parameter_fields, NFIELDS(parameter_fields), q) != 0 ||
         dimensions(c, q[Q_DIMS], "parameters.output_dimensionality") != 0))
        return -1;
    alloc_inputs(c, c->d.tok[list].count);
    for (uint32_t t = cm_json_first(&c->d, list); t != 0; t = cm_json_next(&c->d, t), i++) {
        uint32_t f[I__N];
        char path[32];
        mp_gm_path(path, sizeof(path), "instances[%u]", i);
        if (cm_json_type(&c->d, t) != CM_JSON_OBJECT)
            return mp_gm_bad_value(c, path, "Value", t);
        if (mp_gm_scan(c, t, path, instance_fields, NFIELDS(instance_fields), f) != 0)
            return -1;
        if (f[I_CONTENT] == 0)
            return mp_gm_invalid(c, path, "Instance %u is missing the required field \"content\".", i);
        if (task_type(c, f[I_TASK], path) != 0)
            return -1;
        cm_str_t text = cm_json_raw(&c->d, f[I_CONTENT]);
        add_input(c, i, cm_hash64(text.p, text.n, 0), (uint32_t)text.n);
    }
    return 0;
}

int mp_gm_parse_embeddings(mp_gm_ctx_t *c)
{
    switch (MP_GM_KIND(c->req->route->variant)) {
    case MP_GM_V_BATCH:
        return parse_batch(c);
    case MP_GM_V_PREDICT:
        return parse_predict(c);
    default:
        alloc_inputs(c, 1);
        return embed_request(c, 0, "", 0);
    }
}

/* ---- rendering ------------------------------------------------------------------------------------------- */

static void values(mp_gj_t *w, const float *v, uint32_t dims)
{
    mp_gj_key(w, "values");
    mp_gj_arr(w);
    for (uint32_t i = 0; i < dims; i++)
        mp_gj_float(w, v[i]);
    mp_gj_arr_end(w);
}

static void prediction(mp_gj_t *w, const mp_request_t *r, uint32_t i, const float *v, uint32_t dims)
{
    mp_gj_obj(w);
    mp_gj_key(w, "embeddings");
    mp_gj_obj(w);
    mp_gj_key(w, "statistics");
    mp_gj_obj(w);
    mp_gj_key(w, "truncated");
    mp_gj_bool(w, false);
    mp_gj_key(w, "token_count");
    mp_gj_uint(w, r->input_tokens[i]);
    mp_gj_obj_end(w);
    values(w, v, dims);
    mp_gj_obj_end(w);
    mp_gj_obj_end(w);
}

void mp_gm_embeddings_body(mp_exchange_t *x, cm_buf_t *out)
{
    const mp_request_t *r = x->req;
    const mp_gm_own_t *own = r->own;
    uint32_t dims = r->dimensions ? r->dimensions : mp_gm_embedding_dims(r->model);
    int kind = MP_GM_KIND(r->route->variant);
    float *v = cm_xmalloc((size_t)(dims ? dims : 1) * sizeof(float));
    uint64_t chars = 0;
    mp_gj_t w;
    mp_gj_init(&w, out, true);
    mp_gj_obj(&w);
    mp_gj_key(&w, kind == MP_GM_V_EMBED ? "embedding" : kind == MP_GM_V_BATCH ? "embeddings" : "predictions");
    if (kind != MP_GM_V_EMBED)
        mp_gj_arr(&w);
    for (uint32_t i = 0; i < r->ninputs; i++) {
        mp_embedding_vector(r->input_hash[i], dims, v);
        chars += own != NULL ? own->input_bytes[i] : 0;
        if (kind == MP_GM_V_PREDICT) {
            prediction(&w, r, i, v, dims);
            continue;
        }
        mp_gj_obj(&w);
        values(&w, v, dims);
        mp_gj_obj_end(&w);
    }
    if (kind != MP_GM_V_EMBED)
        mp_gj_arr_end(&w);
    if (kind == MP_GM_V_PREDICT) {
        mp_gj_key(&w, "metadata");
        mp_gj_obj(&w);
        mp_gj_key(&w, "billableCharacterCount");
        mp_gj_uint(&w, chars);
        mp_gj_obj_end(&w);
    }
    mp_gj_obj_end(&w);
    cm_buf_putc(out, '\n');
    free(v);
}
