/* Google's error bodies: {"error":{"code":<HTTP status>,"message":..,"status":"<canonical code>","details":[..]}},
 * pretty-printed like every Google body, and wrapped in a one-element array on a streamGenerateContent
 * without alt=sse (that answer is a JSON array, errors included). The canonical code follows the HTTP status
 * (google.rpc.Code's mapping), so a fault's 502 or 418 gets a plausible one too. */
#include <stdio.h>
#include <string.h>

#include "mock-provider/providers/gemini/gemini.h"
#include "mock-provider/providers/gemini/gemini_json.h"
#include "mock-provider/providers/render.h"

/* Wording from the bodies the two services return; NOT_FOUND of a model is rebuilt from the path when the
 * route is known (see model_message). */
const mp_error_entry_t mp_gm_gemini_errors[MP_ERR__COUNT] = {
    [MP_ERR_BAD_REQUEST] = {400, NULL, NULL, "Request contains an invalid argument.", NULL},
    [MP_ERR_INVALID_JSON] = {400, NULL, MP_GM_D_FIELD, "Invalid JSON payload received. Unexpected token.", NULL},
    [MP_ERR_UNAUTHORIZED] = {400, NULL, MP_GM_D_KEY_INVALID, "API key not valid. Please pass a valid API key.", NULL},
    [MP_ERR_NOT_FOUND] = {404, NULL, NULL, "Requested entity was not found.", NULL},
    [MP_ERR_MODEL_NOT_FOUND] = {404, NULL, NULL,
                                "models/%s is not found for API version v1beta, or is not supported for "
                                "generateContent. Call ListModels to see the list of available models and their "
                                "supported methods.",
                                NULL},
    [MP_ERR_TOO_LARGE] = {413, NULL, NULL, "Request payload size exceeds the limit (%s).",
                          "Request payload size exceeds the limit."},
    [MP_ERR_SERVER] = {500, NULL, NULL,
                       "An internal error has occurred. Please retry or report in "
                       "https://developers.generativeai.google/guide/troubleshooting",
                       NULL},
    [MP_ERR_RATE_LIMITED] = {429, NULL, NULL,
                             "You exceeded your current quota, please check your plan and billing details. For more "
                             "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
                             NULL},
    [MP_ERR_UNAVAILABLE] = {503, NULL, NULL, "The model is overloaded. Please try again later.", NULL},
};

const mp_error_entry_t mp_gm_vertex_errors[MP_ERR__COUNT] = {
    [MP_ERR_BAD_REQUEST] = {400, NULL, NULL, "Request contains an invalid argument.", NULL},
    [MP_ERR_INVALID_JSON] = {400, NULL, MP_GM_D_FIELD, "Invalid JSON payload received. Unexpected token.", NULL},
    [MP_ERR_UNAUTHORIZED] = {401, NULL, MP_GM_D_BAD_TOKEN,
                             "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
                             "cookie or other valid authentication credential. See "
                             "https://developers.google.com/identity/sign-in/web/devconsole-project.",
                             NULL},
    [MP_ERR_NOT_FOUND] = {404, NULL, NULL, "Requested entity was not found.", NULL},
    [MP_ERR_MODEL_NOT_FOUND] = {404, NULL, NULL,
                                "Publisher Model `publishers/google/models/%s` was not found or your project does not "
                                "have access to it. Please ensure you are using a valid model version. For more "
                                "information, see: https://cloud.google.com/vertex-ai/generative-ai/docs/learn/"
                                "model-versions",
                                NULL},
    [MP_ERR_TOO_LARGE] = {413, NULL, NULL, "Request payload size exceeds the limit (%s).",
                          "Request payload size exceeds the limit."},
    [MP_ERR_SERVER] = {500, NULL, NULL, "Internal error encountered.", NULL},
    [MP_ERR_RATE_LIMITED] = {429, NULL, NULL,
                             "Resource exhausted. Please try again later. Please refer to "
                             "https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.",
                             NULL},
    [MP_ERR_UNAVAILABLE] = {503, NULL, NULL, "The model is overloaded. Please try again later.", NULL},
};

/* google.rpc.Code by HTTP status, as Google's frontends map them. */
static const char *canonical(int status)
{
    switch (status) {
    case 400:
        return "INVALID_ARGUMENT";
    case 401:
        return "UNAUTHENTICATED";
    case 403:
        return "PERMISSION_DENIED";
    case 404:
        return "NOT_FOUND";
    case 409:
        return "ABORTED";
    case 412:
        return "FAILED_PRECONDITION";
    case 429:
        return "RESOURCE_EXHAUSTED";
    case 499:
        return "CANCELLED";
    case 501:
        return "UNIMPLEMENTED";
    case 503:
        return "UNAVAILABLE";
    case 504:
        return "DEADLINE_EXCEEDED";
    default:
        return status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
    }
}

static void error_info(mp_gj_t *w, const mp_gm_flavor_t *fl, const char *reason, const mp_error_t *err)
{
    mp_gj_obj(w);
    mp_gj_key(w, "@type");
    mp_gj_lit(w, "type.googleapis.com/google.rpc.ErrorInfo");
    mp_gj_key(w, "reason");
    mp_gj_lit(w, reason);
    mp_gj_key(w, "domain");
    mp_gj_lit(w, strcmp(reason, MP_GM_D_IAM) == 0 ? "aiplatform.googleapis.com" : "googleapis.com");
    mp_gj_key(w, "metadata");
    mp_gj_obj(w);
    mp_gj_key(w, "service");
    mp_gj_lit(w, fl->service);
    if (err->param[0] != '\0') {
        mp_gj_key(w, "permission");
        mp_gj_cstr(w, err->param);
    }
    mp_gj_obj_end(w);
    mp_gj_obj_end(w);
}

static void localized(mp_gj_t *w, const char *msg)
{
    mp_gj_obj(w);
    mp_gj_key(w, "@type");
    mp_gj_lit(w, "type.googleapis.com/google.rpc.LocalizedMessage");
    mp_gj_key(w, "locale");
    mp_gj_lit(w, "en-US");
    mp_gj_key(w, "message");
    mp_gj_cstr(w, msg);
    mp_gj_obj_end(w);
}

static void field_violation(mp_gj_t *w, const mp_error_t *err, const char *msg)
{
    mp_gj_obj(w);
    mp_gj_key(w, "@type");
    mp_gj_lit(w, "type.googleapis.com/google.rpc.BadRequest");
    mp_gj_key(w, "fieldViolations");
    mp_gj_arr(w);
    mp_gj_obj(w);
    if (err->param[0] != '\0') {
        mp_gj_key(w, "field");
        mp_gj_cstr(w, err->param);
    }
    mp_gj_key(w, "description");
    mp_gj_cstr(w, msg);
    mp_gj_obj_end(w);
    mp_gj_arr_end(w);
    mp_gj_obj_end(w);
}

/* The delay a 429 asks for, in whole seconds (at least 1: Google never sends 0s). */
static uint64_t retry_seconds(const mp_error_t *err)
{
    uint64_t s = (err->retry_after_ms + 999) / 1000;
    return s > 0 ? s : 1;
}

/* The Gemini API's 429 says which quota and when to retry (clients such as LiteLLM read retryDelay). */
static void quota_details(mp_gj_t *w, const mp_error_t *err)
{
    char model[MP_GM_MAX_MODEL_LEN + 1] = "gemini";
    if (err->route != NULL && err->route->model.n > 0)
        snprintf(model, sizeof(model), "%.*s", (int)err->route->model.n, err->route->model.p);
    mp_gj_obj(w);
    mp_gj_key(w, "@type");
    mp_gj_lit(w, "type.googleapis.com/google.rpc.QuotaFailure");
    mp_gj_key(w, "violations");
    mp_gj_arr(w);
    mp_gj_obj(w);
    mp_gj_key(w, "quotaMetric");
    mp_gj_lit(w, "generativelanguage.googleapis.com/generate_content_paid_tier_requests");
    mp_gj_key(w, "quotaId");
    mp_gj_lit(w, "GenerateRequestsPerMinutePerProjectPerModel");
    mp_gj_key(w, "quotaDimensions");
    mp_gj_obj(w);
    mp_gj_key(w, "location");
    mp_gj_lit(w, "global");
    mp_gj_key(w, "model");
    mp_gj_cstr(w, model);
    mp_gj_obj_end(w);
    mp_gj_obj_end(w);
    mp_gj_arr_end(w);
    mp_gj_obj_end(w);
    mp_gj_obj(w);
    mp_gj_key(w, "@type");
    mp_gj_lit(w, "type.googleapis.com/google.rpc.RetryInfo");
    mp_gj_key(w, "retryDelay");
    char delay[32];
    snprintf(delay, sizeof(delay), "%llus", (unsigned long long)retry_seconds(err));
    mp_gj_lit(w, delay);
    mp_gj_obj_end(w);
}

static bool has_details(const mp_gm_flavor_t *fl, const mp_error_t *err, const char *code)
{
    return code[0] != '\0' || (!fl->vertex && err->kind == MP_ERR_RATE_LIMITED && err->status == 429);
}

static void details(mp_gj_t *w, const mp_gm_flavor_t *fl, const mp_error_t *err, const char *code, const char *msg)
{
    mp_gj_key(w, "details");
    mp_gj_arr(w);
    if (strcmp(code, MP_GM_D_FIELD) == 0) {
        field_violation(w, err, msg);
    } else if (code[0] != '\0') {
        error_info(w, fl, code, err);
        if (strcmp(code, MP_GM_D_KEY_INVALID) == 0)
            localized(w, msg);
    } else {
        quota_details(w, err);
    }
    mp_gj_arr_end(w);
}

/* A model the deployment does not serve, named as the path named it. */
static void model_message(const mp_gm_flavor_t *fl, const mp_error_t *err, char *out, size_t cap)
{
    const mp_route_t *r = err->route;
    int mn = (int)(r->model.n < MP_GM_MAX_MODEL_LEN ? r->model.n : MP_GM_MAX_MODEL_LEN);
    if (fl->vertex)
        snprintf(out, cap,
                 "Publisher Model `%.*s%spublishers/google/models/%.*s` was not found or your project does not have "
                 "access to it. Please ensure you are using a valid model version. For more information, see: "
                 "https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions",
                 (int)(r->target.n < 200 ? r->target.n : 200), r->target.p ? r->target.p : "", r->target.n ? "/" : "",
                 mn, r->model.p);
    else
        snprintf(out, cap,
                 "models/%.*s is not found for API version %.*s, or is not supported for %s. Call ListModels to see "
                 "the list of available models and their supported methods.",
                 mn, r->model.p, (int)(r->version.n < 16 ? r->version.n : 16), r->version.p ? r->version.p : "",
                 r->api == MP_API_EMBEDDINGS     ? "embedContent"
                 : r->api == MP_API_COUNT_TOKENS ? "countTokens"
                                                 : "generateContent");
}

/* Messages hold our own wording and request bytes copied as printable ASCII only, so they stay valid UTF-8. */
static void render(const mp_gm_flavor_t *fl, const mp_error_t *err, cm_buf_t *out)
{
    const mp_error_entry_t *e = (unsigned)err->kind < MP_ERR__COUNT ? &fl->errors[err->kind] : NULL;
    char built[640];
    const char *msg = err->message[0] ? err->message : e && e->message_noarg ? e->message_noarg : e ? e->message : "";
    if (err->kind == MP_ERR_MODEL_NOT_FOUND && err->route != NULL && err->route->model.n > 0) {
        model_message(fl, err, built, sizeof(built));
        msg = built;
    } else if (err->kind == MP_ERR_RATE_LIMITED && !fl->vertex && err->status == 429) {
        snprintf(built, sizeof(built), "%s Please retry in %llus.", msg, (unsigned long long)retry_seconds(err));
        msg = built;
    }
    const char *code = err->code[0] ? err->code : e && e->code ? e->code : "";
    if (strcmp(code, MP_GM_D_NONE) == 0)
        code = "";
    bool array = err->route != NULL && MP_GM_KIND(err->route->variant) == MP_GM_V_ARRAY;
    mp_gj_t w;
    mp_gj_init(&w, out, true);
    if (array)
        cm_buf_putc(out, '[');
    mp_gj_obj(&w);
    mp_gj_key(&w, "error");
    mp_gj_obj(&w);
    mp_gj_key(&w, "code");
    mp_gj_uint(&w, (uint64_t)(err->status > 0 ? err->status : 500));
    mp_gj_key(&w, "message");
    mp_gj_cstr(&w, msg);
    mp_gj_key(&w, "status");
    mp_gj_lit(&w, canonical(err->status));
    if (has_details(fl, err, code))
        details(&w, fl, err, code, msg);
    mp_gj_obj_end(&w);
    mp_gj_obj_end(&w);
    cm_buf_puts(out, array ? "\n]" : "\n");
}

void mp_gm_render_error(const mp_error_t *err, cm_buf_t *out)
{
    render(mp_gm_flavor(&mp_gemini_provider), err, out);
}

void mp_gm_render_vertex_error(const mp_error_t *err, cm_buf_t *out)
{
    render(mp_gm_flavor(&mp_vertex_provider), err, out);
}
