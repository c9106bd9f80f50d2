/* The Gemini API's model listing (GET /v1beta/models) and one model (GET /v1beta/models/{m}), and the
 * defaults that depend on a model's name (embedding sizes). Every listed model is described the way Google
 * describes its own: limits, supported methods and sampling defaults, all from the name. */
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/gemini/gemini.h"
#include "mock-provider/providers/gemini/gemini_json.h"
#include "mock-provider/providers/render.h"

/* Served by GET /v1beta/models when a deployment accepts any model. */
static const char *const default_models[] = {
    "gemini-2.5-flash",      "gemini-2.5-pro",     "gemini-2.0-flash",
    "gemini-2.0-flash-lite", "text-embedding-004", "gemini-embedding-001",
};

static bool contains(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(s + i, lit, k) == 0)
            return true;
    return false;
}

static bool is_embedding(const char *id, size_t n)
{
    return contains(id, n, "embedding");
}

uint32_t mp_gm_embedding_dims(cm_str_t model)
{
    return model.n >= 16 && memcmp(model.p, "gemini-embedding", 16) == 0 ? 3072 : 768;
}

/* "gemini-2.0-flash" -> "Gemini 2.0 Flash"; "text-embedding-004" -> "Text Embedding 004". */
static void display_name(const char *id, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    bool word = true;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        char c = id[i] == '-' ? ' ' : id[i];
        out[o++] = word && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
        word = c == ' ';
    }
    out[o] = '\0';
}

/* "2.0" of gemini-2.0-flash, "004" of text-embedding-004, else "001". */
static void version_of(const char *id, size_t n, char *out, size_t cap)
{
    const char *dash = memchr(id, '-', n);
    const char *last = id;
    for (const char *p = id; p < id + n; p++)
        if (*p == '-')
            last = p + 1;
    if (dash != NULL && dash + 1 < id + n && dash[1] >= '0' && dash[1] <= '9' && !is_embedding(id, n)) {
        size_t k = strcspn(dash + 1, "-");
        snprintf(out, cap, "%.*s", (int)(k < (size_t)(id + n - dash - 1) ? k : (size_t)(id + n - dash - 1)), dash + 1);
    } else if (last < id + n && last[0] >= '0' && last[0] <= '9') {
        snprintf(out, cap, "%.*s", (int)(id + n - last), last);
    } else {
        snprintf(out, cap, "001");
    }
}

static void put_model(mp_gj_t *w, const char *id, size_t n)
{
    char name[MP_GM_MAX_MODEL_LEN + 16], shown[MP_GM_MAX_MODEL_LEN + 8], version[32];
    bool embed = is_embedding(id, n);
    snprintf(name, sizeof(name), "models/%.*s", (int)n, id);
    display_name(id, n, shown, sizeof(shown));
    version_of(id, n, version, sizeof(version));
    mp_gj_obj(w);
    mp_gj_key(w, "name");
    mp_gj_cstr(w, name);
    mp_gj_key(w, "version");
    mp_gj_lit(w, version);
    mp_gj_key(w, "displayName");
    mp_gj_cstr(w, shown);
    mp_gj_key(w, "description");
    mp_gj_lit(w, embed ? "Obtain a distributed representation of a text." : "A fake model served by SoakRig's mock.");
    mp_gj_key(w, "inputTokenLimit");
    mp_gj_uint(w, embed ? 2048 : 1048576);
    mp_gj_key(w, "outputTokenLimit");
    mp_gj_uint(w, embed ? 1 : 65536);
    mp_gj_key(w, "supportedGenerationMethods");
    mp_gj_arr(w);
    if (embed) {
        mp_gj_lit(w, "embedContent");
        mp_gj_lit(w, "countTextTokens");
        mp_gj_lit(w, "countTokens");
    } else {
        mp_gj_lit(w, "generateContent");
        mp_gj_lit(w, "countTokens");
        mp_gj_lit(w, "createCachedContent");
        mp_gj_lit(w, "batchGenerateContent");
    }
    mp_gj_arr_end(w);
    if (!embed) {
        mp_gj_key(w, "temperature");
        mp_gj_uint(w, 1);
        mp_gj_key(w, "topP");
        mp_gj_double(w, 0.95);
        mp_gj_key(w, "topK");
        mp_gj_uint(w, 64);
        mp_gj_key(w, "maxTemperature");
        mp_gj_uint(w, 2);
    }
    mp_gj_obj_end(w);
}

void mp_gm_render_models(const mp_deployment_t *dep, cm_buf_t *out)
{
    const char *const *list = dep->nmodels ? (const char *const *)dep->models : default_models;
    size_t n = dep->nmodels ? dep->nmodels : sizeof(default_models) / sizeof(default_models[0]);
    mp_gj_t w;
    mp_gj_init(&w, out, true);
    mp_gj_obj(&w);
    mp_gj_key(&w, "models");
    mp_gj_arr(&w);
    for (size_t i = 0; i < n; i++)
        put_model(&w, list[i], strlen(list[i]));
    mp_gj_arr_end(&w);
    mp_gj_obj_end(&w);
    cm_buf_putc(out, '\n');
}

static bool serves(const mp_deployment_t *dep, const char *id, size_t n)
{
    for (size_t i = 0; i < dep->nmodels; i++)
        if (strlen(dep->models[i]) == n && memcmp(dep->models[i], id, n) == 0)
            return true;
    return dep->nmodels == 0;
}

/* path is /{version}/models[/{m}] (the route checked it). */
int mp_gm_render_models_at(const mp_deployment_t *dep, const char *path, size_t plen, cm_buf_t *out, mp_error_t *err)
{
    const char *m = NULL;
    for (size_t i = 1; i + 8 <= plen; i++)
        if (memcmp(path + i, "/models/", 8) == 0) {
            m = path + i + 8;
            break;
        }
    if (m == NULL || m == path + plen) {
        mp_gm_render_models(dep, out);
        return 0;
    }
    size_t n = (size_t)(path + plen - m);
    bool printable = n <= MP_GM_MAX_MODEL_LEN;
    for (size_t i = 0; printable && i < n; i++)
        printable = m[i] > 0x20 && m[i] < 0x7f && m[i] != '%';
    if (!printable || !serves(dep, m, n)) {
        char shown[MP_GM_MAX_MODEL_LEN + 1];
        snprintf(shown, sizeof(shown), "%.*s", printable ? (int)n : 0, m);
        mp_error_preset(&mp_gemini_provider, err, MP_ERR_MODEL_NOT_FOUND, shown);
        return -1;
    }
    mp_gj_t w;
    mp_gj_init(&w, out, true);
    put_model(&w, m, n);
    cm_buf_putc(out, '\n');
    return 0;
}
