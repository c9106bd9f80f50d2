/* Azure OpenAI as a table over the OpenAI code: its paths (deployments/{d} with api-version, and the v1
 * surface), its api-key header, its error bodies and headers, and content-filter annotations in the shared
 * renderers (mp_oa_flavor_t). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/config.h"
#include "mock-provider/providers/openai/openai.h"
#include "mock-provider/providers/render.h"

/* Azure's own bodies are {"error":{"code":"<string>","message":"..."}}; request validation errors come from
 * the model service behind it in OpenAI's shape, so those kinds keep a type (render_error picks the shape).
 * A deployment's models: list names the Azure deployments it serves (deployments/{d} in the path); a name
 * not listed is DeploymentNotFound. */
static const mp_error_entry_t azure_errors[MP_ERR__COUNT] = {
    [MP_ERR_BAD_REQUEST] = {400, "invalid_request_error", NULL, "Invalid request.", NULL},
    [MP_ERR_INVALID_JSON] = {400, "invalid_request_error", NULL,
                             "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
                             "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
                             "sent was not valid JSON.)",
                             NULL},
    [MP_ERR_UNAUTHORIZED] = {401, NULL, "401",
                             "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
                             "provide a valid key for an active subscription and use a correct regional API endpoint "
                             "for your resource.",
                             NULL},
    [MP_ERR_NOT_FOUND] = {404, NULL, "404", "Resource not found", NULL},
    [MP_ERR_MODEL_NOT_FOUND] = {404, NULL, "DeploymentNotFound",
                                "The API deployment for this resource does not exist. If you created the deployment "
                                "within the last 5 minutes, please wait a moment and try again.",
                                NULL},
    [MP_ERR_TOO_LARGE] = {413, NULL, "413", "The request body is too large (%s).", "The request body is too large."},
    [MP_ERR_SERVER] = {500, NULL, "InternalServerError",
                       "The server had an error while processing your request. Sorry about that!", NULL},
    [MP_ERR_RATE_LIMITED] = {429, NULL, "429", "Rate limit is exceeded. Try again in 1 seconds.", NULL},
    [MP_ERR_UNAVAILABLE] = {503, NULL, "ServiceUnavailable",
                            "The service is temporarily unable to process your request. Please try again later.", NULL},
};

static const mp_header_t azure_headers[] = {
    {"x-ms-region", "West US"},
    {"openai-version", "2020-10-01"},
    {NULL, NULL},
};

/* The bytes the annotations add (filters in openai_render.c): about 330 per choice-frame, 420 for the prompt's
 * annotation and the leading chunk. */
static const mp_oa_flavor_t azure_flavor = {.content_filters = true, .frame_extra = 360, .body_extra = 1024};

/* Paths: the variant says which family, because the v1 surface takes no dated api-version. */
enum { V_DEPLOYMENTS = 0, V_V1 = 1, V_UNVERSIONED_PATH = 2 };

typedef struct route_entry {
    const char *method;
    const char *suffix; /* after /openai/deployments/{d}, /openai/v1 or /openai */
    mp_api_t api;
} route_entry_t;

static const route_entry_t deployment_routes[] = {
    {"POST", "/chat/completions", MP_API_CHAT},
    {"POST", "/completions", MP_API_COMPLETIONS},
    {"POST", "/embeddings", MP_API_EMBEDDINGS},
};
static const route_entry_t v1_routes[] = {
    {"POST", "/chat/completions", MP_API_CHAT}, {"POST", "/completions", MP_API_COMPLETIONS},
    {"POST", "/embeddings", MP_API_EMBEDDINGS}, {"POST", "/responses", MP_API_RESPONSES},
    {"GET", "/models", MP_API_MODELS},
};
static const route_entry_t resource_routes[] = {
    {"POST", "/responses", MP_API_RESPONSES},
    {"GET", "/models", MP_API_MODELS},
};

#define NROUTES(t) (sizeof(t) / sizeof((t)[0]))
#define MAX_DEPLOYMENT_NAME 64

static bool span_eq(cm_str_t s, const char *lit)
{
    return strlen(lit) == s.n && memcmp(s.p, lit, s.n) == 0;
}

static bool has_prefix(cm_str_t s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n >= n && memcmp(s.p, lit, n) == 0;
}

static bool match(const route_entry_t *t, size_t n, cm_str_t method, cm_str_t rest, mp_api_t *api)
{
    for (size_t i = 0; i < n; i++) {
        if (span_eq(method, t[i].method) && span_eq(rest, t[i].suffix)) {
            *api = t[i].api;
            return true;
        }
    }
    return false;
}

/* Azure deployment names: letters, digits, '.', '_' and '-' (what the portal accepts), at most 64. */
static bool deployment_name_ok(cm_str_t d)
{
    if (d.n == 0 || d.n > MAX_DEPLOYMENT_NAME)
        return false;
    for (size_t i = 0; i < d.n; i++) {
        char c = d.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

/* The deployment's settings beyond the common ones. */
typedef struct azure_cfg {
    char **api_versions; /* accepted api-version values; none set: any dated version (see version_ok) */
    size_t nversions;
} azure_cfg_t;

static bool digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

/* Without a configured list, a dated version is accepted from the first GA one (2022-12-01) on: YYYY-MM-DD
 * with an optional -preview, as Azure names them. */
static bool version_ok(const mp_deployment_t *dep, cm_str_t v)
{
    const azure_cfg_t *cfg = dep->provider_cfg;
    if (cfg != NULL && cfg->nversions > 0) {
        for (size_t i = 0; i < cfg->nversions; i++)
            if (span_eq(v, cfg->api_versions[i]))
                return true;
        return false;
    }
    bool dated = v.n >= 10 && digits(v.p, 4) && v.p[4] == '-' && digits(v.p + 5, 2) && v.p[7] == '-' &&
                 digits(v.p + 8, 2) && (v.n == 10 || (v.n == 18 && memcmp(v.p + 10, "-preview", 8) == 0));
    return dated && memcmp(v.p, "2022-12-01", 10) >= 0;
}

static int not_found(mp_error_t *err)
{
    mp_error_preset(&mp_azure_provider, err, MP_ERR_NOT_FOUND, NULL);
    return -1;
}

static int route(const mp_http_t *http, mp_route_t *r, mp_error_t *err)
{
    memset(r, 0, sizeof(*r));
    cm_str_t path = http->path, rest;
    mp_api_t api;
    bool found = false;
    if (has_prefix(path, "/openai/deployments/")) {
        cm_str_t d = {path.p + 20, path.n - 20};
        const char *slash = memchr(d.p, '/', d.n);
        if (slash != NULL) {
            rest = (cm_str_t){slash, (size_t)(d.p + d.n - slash)};
            d.n = (size_t)(slash - d.p);
            found = match(deployment_routes, NROUTES(deployment_routes), http->method, rest, &api);
            if (found && !deployment_name_ok(d)) {
                mp_error_preset(&mp_azure_provider, err, MP_ERR_MODEL_NOT_FOUND, NULL);
                return -1;
            }
            r->target = d;
            r->variant = V_DEPLOYMENTS;
        }
    } else if (has_prefix(path, "/openai/v1/")) {
        rest = (cm_str_t){path.p + 10, path.n - 10};
        found = match(v1_routes, NROUTES(v1_routes), http->method, rest, &api);
        r->variant = V_V1;
    } else if (has_prefix(path, "/openai/")) {
        rest = (cm_str_t){path.p + 7, path.n - 7};
        found = match(resource_routes, NROUTES(resource_routes), http->method, rest, &api);
        r->variant = V_UNVERSIONED_PATH;
    }
    if (!found)
        return not_found(err);
    r->api = api;
    bool has = mp_http_query(http, "api-version", &r->version);
    if (!has && r->variant != V_V1)
        return not_found(err); /* Azure answers a missing api-version as an unknown resource */
    return 0;
}

/* api-key, or an Entra ID token as Bearer. The api-version is checked here too, after the key, because a
 * deployment may list the versions it accepts (api_versions). An unsupported version is Azure's own 400,
 * {"error":{"code":"BadRequest","message":"API version not supported"}}: a kind rendered in Azure's shape
 * with that status and code. */
static int auth(const mp_http_t *http, const mp_route_t *r, const mp_deployment_t *dep, cm_str_t *key, mp_error_t *err)
{
    cm_str_t api_key = http->header(http, "api-key");
    cm_str_t bearer = mp_bearer_token(http->header(http, "authorization"));
    *key = api_key.p != NULL ? api_key : bearer;
    if (!mp_key_accepted(dep, api_key) && !mp_key_accepted(dep, bearer)) {
        mp_error_preset(&mp_azure_provider, err, MP_ERR_UNAUTHORIZED, NULL);
        return -1;
    }
    bool v1_ok = r->version.n == 0 || span_eq(r->version, "preview") || span_eq(r->version, "latest");
    if (r->variant == V_V1 ? !v1_ok : !version_ok(dep, r->version)) {
        mp_error_set(err, MP_ERR_NOT_FOUND, NULL, "API version not supported");
        snprintf(err->code, sizeof(err->code), "BadRequest");
        err->status = 400;
        return -1;
    }
    return 0;
}

static void render_error(const mp_error_t *err, cm_buf_t *out)
{
    const mp_error_entry_t *e = (unsigned)err->kind < MP_ERR__COUNT ? &azure_errors[err->kind] : NULL;
    const char *msg = err->message[0] ? err->message : e && e->message_noarg ? e->message_noarg : e ? e->message : "";
    const char *code = err->code[0] ? err->code : e ? e->code : NULL;
    bool openai_shape = e != NULL && e->type != NULL;
    MP_PUT_LIT(out, "{\"error\":{");
    if (!openai_shape) {
        MP_PUT_LIT(out, "\"code\":");
        char status[8];
        snprintf(status, sizeof(status), "%d", err->status);
        mp_put_opt(out, code != NULL ? code : status);
        MP_PUT_LIT(out, ",\"message\":");
        cm_json_escape(out, msg, strlen(msg));
        MP_PUT_LIT(out, "}}");
        return;
    }
    MP_PUT_LIT(out, "\"message\":");
    cm_json_escape(out, msg, strlen(msg));
    MP_PUT_LIT(out, ",\"type\":");
    mp_put_opt(out, e->type);
    MP_PUT_LIT(out, ",\"param\":");
    mp_put_opt(out, err->param);
    MP_PUT_LIT(out, ",\"code\":");
    mp_put_opt(out, code);
    MP_PUT_LIT(out, "}}");
}

/* ---- config: api_versions ---------------------------------------------------------------------------- */

static const char *const azure_keys[] = {"api_versions", NULL};

static void free_config(mp_deployment_t *dep)
{
    azure_cfg_t *cfg = dep->provider_cfg;
    for (size_t i = 0; cfg != NULL && i < cfg->nversions; i++)
        free(cfg->api_versions[i]);
    if (cfg != NULL)
        free(cfg->api_versions);
    free(cfg);
    dep->provider_cfg = NULL;
}

static int read_config(const cm_conf_t *conf, const cm_node_t *node, const char *path, mp_deployment_t *dep,
                       cm_err_t *err)
{
    const cm_node_t *n = cm_conf_get(node, "api_versions");
    if (n == NULL)
        return 0;
    char p[128];
    const char **items;
    size_t count;
    if (cm_conf_str_list(conf, n, cm_conf_path(p, sizeof(p), path, -1, "api_versions"), &items, &count, err) != 0)
        return -1;
    if (count == 0)
        return cm_conf_error(conf, n, p, err, "list at least one api-version (or remove the key to accept any)");
    azure_cfg_t *cfg = cm_xcalloc(1, sizeof(*cfg));
    cfg->api_versions = cm_xcalloc(count, sizeof(char *));
    dep->provider_cfg = cfg;
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(items[i]);
        if (len == 0 || len > 32 ||
            strspn(items[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != len)
            return cm_conf_error(conf, n->type == CM_NODE_SEQ ? n->items[i] : n, p, err,
                                 "item %zu: an api-version is 1 to 32 letters, digits, '.' or '-'", i);
        cfg->api_versions[cfg->nversions++] = cm_xstrdup(items[i]);
    }
    return 0;
}

/* LiteLLM sends api_version on every Azure call: the deployment's first accepted one, else a GA version. */
static void litellm_params(const mp_deployment_t *dep, FILE *out)
{
    const azure_cfg_t *cfg = dep->provider_cfg;
    fprintf(out, "      api_version: \"%s\"\n",
            cfg != NULL && cfg->nversions > 0 ? cfg->api_versions[0] : "2024-10-21");
}

const mp_oa_flavor_t *mp_oa_flavor(const mp_provider_t *ops)
{
    static const mp_oa_flavor_t openai = {0};
    return ops != NULL && ops->own != NULL ? ops->own : &openai;
}

const mp_provider_t mp_azure_provider = {
    .name = "azure",
    .request_id_header = "apim-request-id",
    .request_id_header2 = "x-request-id",
    .request_id_prefix = "",
    .processing_ms_header = "openai-processing-ms",
    .retry_after_ms = true,
    .base_path = "",
    .litellm_prefix = "azure",
    .litellm_params = litellm_params,
    .static_headers = azure_headers,
    .own = &azure_flavor,
    .route = route,
    .auth = auth,
    .parse = mp_openai_parse,
    .check_response = mp_oa_response_check,
    .make_ids = mp_openai_make_ids,
    .plan = mp_oa_plan,
    .rate_headers = mp_azure_rate_headers,
    .rate_error = mp_azure_rate_error,
    .render_error = render_error,
    .render_stream_error = mp_oa_render_stream_error,
    .render_models = mp_openai_render_models,
    .render_body = mp_openai_render_body,
    .render_head = mp_openai_render_head,
    .render_step = mp_openai_render_step,
    .render_tail = mp_openai_render_tail,
    .errors = azure_errors,
    .render_models_at = NULL,
    .config_keys = azure_keys,
    .read_config = read_config,
    .free_config = free_config,
};
