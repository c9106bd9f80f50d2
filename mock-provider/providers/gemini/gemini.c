/* The Gemini API and Vertex AI as two tables over one implementation: their paths (models/{m}:method on the
 * Gemini API, projects/{p}/locations/{l}/publishers/google/models/{m}:method on Vertex), their credentials
 * (an API key in x-goog-api-key or ?key=; an OAuth bearer token), Vertex's project and location, and ids. */
#include "mock-provider/providers/gemini/gemini.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/config.h"
#include "mock-provider/providers/ratelimit.h"
#include "mock-provider/providers/render.h"

static const mp_gm_flavor_t gemini_flavor = {
    .vertex = false,
    .proto_package = "google.ai.generativelanguage.v1beta",
    .service = "generativelanguage.googleapis.com",
    .errors = mp_gm_gemini_errors,
    .provider = &mp_gemini_provider,
};
static const mp_gm_flavor_t vertex_flavor = {
    .vertex = true,
    .proto_package = "google.cloud.aiplatform.v1",
    .service = "aiplatform.googleapis.com",
    .errors = mp_gm_vertex_errors,
    .provider = &mp_vertex_provider,
};

const mp_gm_flavor_t *mp_gm_flavor(const mp_provider_t *ops)
{
    return ops == &mp_vertex_provider ? &vertex_flavor : &gemini_flavor;
}

/* What Google's frontends add to every answer. */
static const mp_header_t google_headers[] = {
    {"vary", "Origin, X-Origin, Referer"},
    {"x-xss-protection", "0"},
    {"x-frame-options", "SAMEORIGIN"},
    {"x-content-type-options", "nosniff"},
    {NULL, NULL},
};

/* ---- routes ------------------------------------------------------------------------------------------- */

typedef struct method {
    const char *name; /* after the ':' */
    mp_api_t api;
    uint8_t variant;
    bool gemini, vertex; /* served by */
} method_t;

static const method_t methods[] = {
    {"generateContent", MP_API_GENERATE, MP_GM_V_PLAIN, true, true},
    {"streamGenerateContent", MP_API_GENERATE, MP_GM_V_ARRAY, true, true},
    {"countTokens", MP_API_COUNT_TOKENS, MP_GM_V_PLAIN, true, true},
    {"embedContent", MP_API_EMBEDDINGS, MP_GM_V_EMBED, true, false},
    {"batchEmbedContents", MP_API_EMBEDDINGS, MP_GM_V_BATCH, true, false},
    {"predict", MP_API_EMBEDDINGS, MP_GM_V_PREDICT, false, true},
};

static bool span_eq(cm_str_t s, const char *lit)
{
    return strlen(lit) == s.n && memcmp(s.p, lit, s.n) == 0;
}

/* Cuts the next path segment off *rest (which starts after a '/'). rest.p becomes NULL after the last one; a
 * trailing '/' leaves an empty segment to follow. */
static cm_str_t segment(cm_str_t *rest)
{
    const char *slash = rest->n > 0 ? memchr(rest->p, '/', rest->n) : NULL;
    size_t n = slash ? (size_t)(slash - rest->p) : rest->n;
    cm_str_t s = {rest->p, n};
    if (slash != NULL) {
        rest->p = slash + 1;
        rest->n -= n + 1;
    } else {
        rest->p = NULL;
        rest->n = 0;
    }
    return s;
}

/* Model ids are letters, digits, '.', '-' and '_' (gemini-2.0-flash-001, text-embedding-004). */
static bool model_ok(cm_str_t m)
{
    if (m.n == 0 || m.n > MP_GM_MAX_MODEL_LEN)
        return false;
    for (size_t i = 0; i < m.n; i++) {
        char c = m.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '_'))
            return false;
    }
    return true;
}

/* "{model}:{method}", the colon possibly percent-encoded. */
static bool split_method(cm_str_t s, cm_str_t *model, cm_str_t *method)
{
    for (size_t i = 0; i < s.n; i++) {
        size_t skip = s.p[i] == ':' ? 1
                      : i + 3 <= s.n && s.p[i] == '%' && s.p[i + 1] == '3' && (s.p[i + 2] == 'A' || s.p[i + 2] == 'a')
                          ? 3
                          : 0;
        if (skip) {
            *model = (cm_str_t){s.p, i};
            *method = (cm_str_t){s.p + i + skip, s.n - i - skip};
            return true;
        }
    }
    return false;
}

static int not_found(const mp_gm_flavor_t *fl, mp_error_t *err)
{
    mp_error_preset(fl->provider, err, MP_ERR_NOT_FOUND, NULL);
    return -1;
}

/* The last segment "{model}:{method}" of a POST, once the prefix is matched. */
static int route_method(const mp_gm_flavor_t *fl, const mp_http_t *http, cm_str_t last, mp_route_t *r, mp_error_t *err)
{
    cm_str_t model, name, alt;
    if (!span_eq(http->method, "POST") || !split_method(last, &model, &name))
        return not_found(fl, err);
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        const method_t *m = &methods[i];
        if (!span_eq(name, m->name) || !(fl->vertex ? m->vertex : m->gemini))
            continue;
        if (!model_ok(model)) {
            char shown[80];
            size_t o = 0;
            for (size_t k = 0; k < model.n && o + 1 < sizeof(shown); k++) /* printable only: it goes into JSON */
                shown[o++] = model.p[k] >= 0x20 && model.p[k] < 0x7f ? model.p[k] : '?';
            shown[o] = '\0';
            mp_error_preset(fl->provider, err, MP_ERR_MODEL_NOT_FOUND, shown);
            return -1;
        }
        r->api = m->api;
        r->variant = m->variant;
        r->model = model;
        if (m->api == MP_API_GENERATE && m->variant == MP_GM_V_ARRAY) {
            r->stream = true;
            if (mp_http_query(http, "alt", &alt) && span_eq(alt, "sse"))
                r->variant = MP_GM_V_SSE;
            else
                r->stream_content_type = "application/json; charset=UTF-8";
        }
        return 0;
    }
    return not_found(fl, err);
}

/* /{v1beta|v1|v1alpha}/models[/{m}[:{method}]] */
static int gemini_route(const mp_http_t *http, mp_route_t *r, mp_error_t *err)
{
    memset(r, 0, sizeof(*r));
    cm_str_t rest = http->path;
    if (rest.n < 2 || rest.p[0] != '/')
        return not_found(&gemini_flavor, err);
    rest.p++;
    rest.n--;
    r->version = segment(&rest);
    if (!span_eq(r->version, "v1beta") && !span_eq(r->version, "v1") && !span_eq(r->version, "v1alpha"))
        return not_found(&gemini_flavor, err);
    if (rest.p == NULL || !span_eq(segment(&rest), "models"))
        return not_found(&gemini_flavor, err);
    if (rest.p == NULL || rest.n == 0) { /* the list */
        if (!span_eq(http->method, "GET"))
            return not_found(&gemini_flavor, err);
        r->api = MP_API_MODELS;
        return 0;
    }
    cm_str_t last = segment(&rest);
    if (rest.p != NULL)
        return not_found(&gemini_flavor, err);
    if (span_eq(http->method, "GET") && memchr(last.p, ':', last.n) == NULL) {
        r->api = MP_API_MODELS;
        r->model = last;
        return 0;
    }
    return route_method(&gemini_flavor, http, last, r, err);
}

/* /{v1|v1beta1}/projects/{p}/locations/{l}/publishers/google/models/{m}:{method}, or without the project
 * part (Vertex's express mode, with an API key). target is "projects/{p}/locations/{l}". */
static int vertex_route(const mp_http_t *http, mp_route_t *r, mp_error_t *err)
{
    memset(r, 0, sizeof(*r));
    cm_str_t rest = http->path;
    if (rest.n < 2 || rest.p[0] != '/')
        return not_found(&vertex_flavor, err);
    rest.p++;
    rest.n--;
    r->version = segment(&rest);
    if (!span_eq(r->version, "v1") && !span_eq(r->version, "v1beta1"))
        return not_found(&vertex_flavor, err);
    const char *start = rest.p;
    cm_str_t s = rest.p ? segment(&rest) : (cm_str_t){"", 0};
    if (span_eq(s, "projects")) {
        cm_str_t p = rest.p ? segment(&rest) : (cm_str_t){"", 0};
        cm_str_t l = rest.p && span_eq(segment(&rest), "locations") && rest.p ? segment(&rest) : (cm_str_t){"", 0};
        if (p.n == 0 || l.n == 0)
            return not_found(&vertex_flavor, err);
        r->target = (cm_str_t){start, (size_t)(l.p + l.n - start)};
        s = rest.p ? segment(&rest) : (cm_str_t){"", 0};
    }
    if (!span_eq(s, "publishers") || rest.p == NULL || !span_eq(segment(&rest), "google") || rest.p == NULL ||
        !span_eq(segment(&rest), "models") || rest.p == NULL)
        return not_found(&vertex_flavor, err);
    cm_str_t last = segment(&rest);
    if (rest.p != NULL)
        return not_found(&vertex_flavor, err);
    if (route_method(&vertex_flavor, http, last, r, err) != 0)
        return -1;
    r->variant |= MP_GM_V_VERTEX;
    return 0;
}

/* ---- credentials ------------------------------------------------------------------------------------------ */

/* An API key in x-goog-api-key or ?key= (what LiteLLM sends), or an OAuth token (Google accepts those on the
 * Gemini API too). No key at all is the 403 Google gives unregistered callers; a wrong one its 400. */
static int gemini_auth(const mp_http_t *http, const mp_route_t *r, const mp_deployment_t *dep, cm_str_t *key,
                       mp_error_t *err)
{
    (void)r;
    cm_str_t k = http->header(http, "x-goog-api-key");
    if (k.p == NULL && !mp_http_query(http, "key", &k))
        k = mp_bearer_token(http->header(http, "authorization"));
    *key = k;
    if (mp_key_accepted(dep, k))
        return 0;
    if (k.p == NULL || k.n == 0) {
        mp_error_set(err, MP_ERR_UNAUTHORIZED, NULL,
                     "Method doesn't allow unregistered callers (callers without established identity). Please use "
                     "API Key or other form of API consumer identity to call this API.");
        snprintf(err->code, sizeof(err->code), "%s", MP_GM_D_NONE);
        err->status = 403;
        return -1;
    }
    mp_error_preset(&mp_gemini_provider, err, MP_ERR_UNAUTHORIZED, NULL);
    return -1;
}

typedef struct vertex_cfg {
    char *project, *location; /* the path must name these when set */
} vertex_cfg_t;

static int vertex_place(const mp_route_t *r, const mp_deployment_t *dep, mp_error_t *err);

/* A bearer token (what google-auth mints), or an API key in x-goog-api-key (express mode). */
static int vertex_auth(const mp_http_t *http, const mp_route_t *r, const mp_deployment_t *dep, cm_str_t *key,
                       mp_error_t *err)
{
    cm_str_t api_key = http->header(http, "x-goog-api-key");
    cm_str_t bearer = mp_bearer_token(http->header(http, "authorization"));
    *key = api_key.p != NULL ? api_key : bearer;
    if (!mp_key_accepted(dep, *key)) {
        if (key->p == NULL || key->n == 0) {
            mp_error_set(err, MP_ERR_UNAUTHORIZED, NULL,
                         "Request is missing required authentication credential. Expected OAuth 2 access token, "
                         "login cookie or other valid authentication credential. See "
                         "https://developers.google.com/identity/sign-in/web/devconsole-project.");
            snprintf(err->code, sizeof(err->code), "%s", MP_GM_D_NO_CREDENTIALS);
        } else if (api_key.p != NULL) {
            mp_error_set(err, MP_ERR_UNAUTHORIZED, NULL, "API key not valid. Please pass a valid API key.");
            snprintf(err->code, sizeof(err->code), "%s", MP_GM_D_KEY_INVALID);
            err->status = 400;
        } else {
            mp_error_preset(&mp_vertex_provider, err, MP_ERR_UNAUTHORIZED, NULL);
        }
        return -1;
    }
    return vertex_place(r, dep, err);
}

/* A deployment that sets project (or location) serves that one only: another project is IAM's 403 (Google
 * does not say whether it exists), another location the model's 404 (it is not served there). */
static int vertex_place(const mp_route_t *r, const mp_deployment_t *dep, mp_error_t *err)
{
    const vertex_cfg_t *cfg = dep->provider_cfg;
    if (cfg == NULL || r->target.n == 0)
        return 0;
    cm_str_t rest = {r->target.p + 9, r->target.n - 9}; /* after "projects/" */
    cm_str_t p = segment(&rest);
    segment(&rest);
    cm_str_t l = rest.p ? rest : (cm_str_t){"", 0};
    if (cfg->project != NULL && !span_eq(p, cfg->project)) {
        mp_error_set(err, MP_ERR_UNAUTHORIZED, "aiplatform.endpoints.predict",
                     "Permission 'aiplatform.endpoints.predict' denied on resource "
                     "'//aiplatform.googleapis.com/%.*s/publishers/google/models/%.*s' (or it may not exist).",
                     (int)(r->target.n < 200 ? r->target.n : 200), r->target.p, (int)r->model.n, r->model.p);
        snprintf(err->code, sizeof(err->code), "%s", MP_GM_D_IAM);
        err->status = 403;
        return -1;
    }
    if (cfg->location != NULL && !span_eq(l, cfg->location)) {
        mp_error_preset(&mp_vertex_provider, err, MP_ERR_MODEL_NOT_FOUND, "");
        return -1; /* the message names the path's model, rebuilt from the route when rendered */
    }
    return 0;
}

/* ---- config: project, location ------------------------------------------------------------------------- */

static const char *const vertex_keys[] = {"project", "location", NULL};

static void free_config(mp_deployment_t *dep)
{
    vertex_cfg_t *cfg = dep->provider_cfg;
    if (cfg != NULL) {
        free(cfg->project);
        free(cfg->location);
    }
    free(cfg);
    dep->provider_cfg = NULL;
}

/* Project ids and locations are lower-case letters, digits and '-' (Google's rules, 6 to 30 characters for a
 * project id; we accept 1 to 63 so test configs may use short names). */
static int read_id(const cm_conf_t *conf, const cm_node_t *node, const char *path, const char *key, char **out,
                   cm_err_t *err)
{
    const cm_node_t *n = cm_conf_get(node, key);
    const char *s;
    char p[128];
    if (n == NULL)
        return 0;
    if (cm_conf_str(conf, n, cm_conf_path(p, sizeof(p), path, -1, key), &s, err) != 0)
        return -1;
    size_t len = strlen(s);
    bool ok = len >= 1 && len <= 63;
    for (size_t i = 0; ok && i < len; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-';
    if (!ok)
        return cm_conf_error(conf, n, p, err, "a %s is 1 to 63 lower-case letters, digits and '-' (got \"%s\")", key,
                             s);
    *out = cm_xstrdup(s);
    return 0;
}

static int read_config(const cm_conf_t *conf, const cm_node_t *node, const char *path, mp_deployment_t *dep,
                       cm_err_t *err)
{
    if (cm_conf_get(node, "project") == NULL && cm_conf_get(node, "location") == NULL)
        return 0;
    vertex_cfg_t *cfg = cm_xcalloc(1, sizeof(*cfg));
    dep->provider_cfg = cfg;
    if (read_id(conf, node, path, "project", &cfg->project, err) != 0)
        return -1;
    return read_id(conf, node, path, "location", &cfg->location, err);
}

/* ---- ids ------------------------------------------------------------------------------------------------- */

/* responseId: 20 characters like Google's ("F-MQaNi9M7OKqsMPmo2a"); Vertex also stamps createTime, with
 * microseconds and a Z (LiteLLM parses "%Y-%m-%dT%H:%M:%S.%fZ"), kept in item_id. */
static void make_ids(mp_exchange_t *x, bool tool)
{
    (void)tool;
    mp_id_base62_from(x->id, sizeof(x->id), "", 20, x->id_key);
    if (!mp_gm_flavor(x->ops)->vertex)
        return;
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(x->item_id, sizeof(x->item_id), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
}

/* Limits: Google sends no rate-limit headers; a refusal is RESOURCE_EXHAUSTED with the wait in the body
 * (Gemini's RetryInfo) and the retry header the deployment's retry_after policy says. */
static void google_rate_headers(const mp_deployment_t *dep, const struct mp_quota_decision *d, bool refused,
                                mp_header_fn add, void *ctx)
{
    if (refused)
        mp_retry_headers(dep, d, false, add, ctx);
}

static void google_rate_error(const mp_deployment_t *dep, const mp_request_t *req, const struct mp_quota_decision *d,
                              mp_error_t *err)
{
    (void)req;
    mp_error_preset(dep->ops, err, MP_ERR_RATE_LIMITED, NULL);
    uint64_t ns = d->retry_ns == MP_QUOTA_NEVER ? 60000000000ull : d->retry_ns;
    err->retry_after_ms = (ns + 999999) / 1000000;
}

/* LiteLLM: gemini/MODEL with api_base http://host:port/v1beta; vertex_ai/MODEL with the path up to the
 * model (LiteLLM appends :generateContent), and the project and location it must match. */
static void gemini_litellm_base(const mp_deployment_t *dep, const char *host, const char *model, char *out, size_t cap)
{
    (void)dep;
    (void)model;
    snprintf(out, cap, "%s/v1beta", host);
}

static const char *vertex_project(const mp_deployment_t *dep)
{
    const vertex_cfg_t *cfg = dep->provider_cfg;
    return cfg != NULL && cfg->project != NULL ? cfg->project : "soakrig";
}

static const char *vertex_location(const mp_deployment_t *dep)
{
    const vertex_cfg_t *cfg = dep->provider_cfg;
    return cfg != NULL && cfg->location != NULL ? cfg->location : "us-central1";
}

static void vertex_litellm_base(const mp_deployment_t *dep, const char *host, const char *model, char *out, size_t cap)
{
    (void)model;
    snprintf(out, cap, "%s/v1/projects/%s/locations/%s/publishers/google/models", host, vertex_project(dep),
             vertex_location(dep));
}

static void vertex_litellm_params(const mp_deployment_t *dep, FILE *out)
{
    fprintf(out, "      vertex_project: \"%s\"\n      vertex_location: \"%s\"\n", vertex_project(dep),
            vertex_location(dep));
}

/* The api_base clients are given: @google/genai takes http://host:port as httpOptions.baseUrl and appends
 * /v1beta/models/... (or, for Vertex, /v1beta1/projects/...); LiteLLM's api_base for Gemini is
 * http://host:port/v1beta, for Vertex http://host:port/v1/projects/{p}/locations/{l}/publishers/google/models
 * (docs/mock-provider.md). */
const mp_provider_t mp_gemini_provider = {
    .name = "gemini",
    .request_id_header = NULL,
    .request_id_prefix = "",
    .processing_ms_header = NULL,
    .base_path = "",
    .litellm_prefix = "gemini",
    .litellm_api_base = gemini_litellm_base,
    .rate_headers = google_rate_headers,
    .rate_error = google_rate_error,
    .static_headers = google_headers,
    .own = &gemini_flavor,
    .route = gemini_route,
    .auth = gemini_auth,
    .parse = mp_gm_parse,
    .check_response = mp_gm_check_response,
    .make_ids = make_ids,
    .plan = mp_gm_plan,
    .render_error = mp_gm_render_error,
    .render_models = mp_gm_render_models,
    .render_body = mp_gm_render_body,
    .render_head = mp_gm_render_head,
    .render_step = mp_gm_render_step,
    .render_tail = mp_gm_render_tail,
    .errors = mp_gm_gemini_errors,
    .render_models_at = mp_gm_render_models_at,
};

const mp_provider_t mp_vertex_provider = {
    .name = "vertex",
    .request_id_header = NULL,
    .request_id_prefix = "",
    .processing_ms_header = NULL,
    .base_path = "",
    .litellm_prefix = "vertex_ai",
    .litellm_api_base = vertex_litellm_base,
    .rate_headers = google_rate_headers,
    .rate_error = google_rate_error,
    .litellm_params = vertex_litellm_params,
    .static_headers = google_headers,
    .own = &vertex_flavor,
    .route = vertex_route,
    .auth = vertex_auth,
    .parse = mp_gm_parse,
    .check_response = mp_gm_check_response,
    .make_ids = make_ids,
    .plan = mp_gm_plan,
    .render_error = mp_gm_render_vertex_error,
    .render_models = mp_gm_render_models,
    .render_body = mp_gm_render_body,
    .render_head = mp_gm_render_head,
    .render_step = mp_gm_render_step,
    .render_tail = mp_gm_render_tail,
    .errors = mp_gm_vertex_errors,
    .render_models_at = NULL,
    .config_keys = vertex_keys,
    .read_config = read_config,
    .free_config = free_config,
};
