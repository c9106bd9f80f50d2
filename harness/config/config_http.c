#include <stdio.h>
#include <string.h>

#include "harness/config/config.h"

/* The keys of an `api: http` template (load.requests[i]): method, path, base, body, expect_status, json and
 * contains. Each is checked at its node against the same limits hx_http_new applies (harness/engine/httpreq.h),
 * so that a mistake is reported at its line. */

static int read_method(const cm_conf_t *conf, const cm_node_t *v, const char *path, hx_reqspec_t *s, cm_err_t *err)
{
    const char *name;
    hx_method_t m;
    if (cm_conf_str(conf, v, path, &name, err) != 0)
        return -1;
    if (hx_method_parse(name, &m) != 0)
        return cm_conf_error(conf, v, path, err, "unknown method \"%.40s\" (expected one of " HX_METHOD_LIST ")", name);
    s->method = (int)m;
    return 0;
}

static int read_path(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *v, const char *path, hx_reqspec_t *s,
                     cm_err_t *err)
{
    const char *text;
    char why[256];
    if (cm_conf_str(conf, v, path, &text, err) != 0)
        return -1;
    s->path = hx_cfg_strdup(c, text);
    if (strstr(text, "{{") == NULL)
        return hx_http_check_path(text, why, sizeof(why)) == 0 ? 0 : cm_conf_error(conf, v, path, err, "%s", why);
    /* Scenario placeholders, which `soak run` fills in (hx_runner_resolve_target), like load.target's; the
     * engine's own check refuses the braces if they ever reach it. hx_cfg_append_requests sets `req`. */
    if (c->npath_tmpls >= HX_MAX_REQUESTS)
        return cm_conf_error(conf, v, path, err, "too many paths with placeholders");
    if (c->path_tmpls == NULL)
        c->path_tmpls = cm_arena_alloc(&c->arena, HX_MAX_REQUESTS * sizeof(hx_path_tmpl_t));
    c->path_tmpls[c->npath_tmpls++] = (hx_path_tmpl_t){0, s->path, hx_cfg_strdup(c, path), v};
    if (c->path_err == NULL) {
        cm_err_t e;
        cm_conf_error(conf, v, path, &e, "\"%.80s\" has placeholders that `soak run` fills in; run it with `soak run`",
                      text);
        c->path_err = hx_cfg_strdup(c, e.msg);
    }
    return 0;
}

static int read_base(const cm_conf_t *conf, const cm_node_t *v, const char *path, hx_reqspec_t *s, cm_err_t *err)
{
    const char *text;
    if (cm_conf_str(conf, v, path, &text, err) != 0)
        return -1;
    if (strcmp(text, "host") != 0 && strcmp(text, "api_base") != 0)
        return cm_conf_error(conf, v, path, err, "expected api_base (the default) or host, got \"%.40s\"", text);
    s->from_host = strcmp(text, "host") == 0;
    return 0;
}

/* A body is a string sent as written, or a map or list sent as the JSON it reads as; placeholders expand in
 * either (inside the JSON's strings). */
static int read_body(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *v, const char *path, hx_reqspec_t *s,
                     cm_err_t *err)
{
    cm_buf_t b = CM_BUF_INIT;
    char why[256];
    hx_tmpl_t t;
    if (v->type == CM_NODE_SCALAR)
        cm_buf_puts(&b, v->str);
    else if (cm_conf_write_json(&b, v, HX_HTTP_BODY_MAX) != 0) {
        cm_buf_free(&b);
        return cm_conf_error(conf, v, path, err, "more than %u bytes as JSON (or nested too deep)", HX_HTTP_BODY_MAX);
    }
    const char *text = b.data != NULL ? b.data : "";
    int rc = 0;
    if (b.len > HX_HTTP_BODY_MAX)
        rc = cm_conf_error(conf, v, path, err, "%zu bytes (at most %u)", b.len, HX_HTTP_BODY_MAX);
    else if (hx_tmpl_compile_raw(&t, text, why, sizeof(why)) != 0)
        rc = cm_conf_error(conf, v, path, err, "%s", why);
    else {
        if (hx_tmpl_max_len(&t) > HX_HTTP_BODY_MAX)
            rc = cm_conf_error(conf, v, path, err, "renders up to %zu bytes (at most %u)", hx_tmpl_max_len(&t),
                               HX_HTTP_BODY_MAX);
        hx_tmpl_free(&t);
    }
    if (rc == 0)
        s->body = hx_cfg_strdup(c, text);
    cm_buf_free(&b);
    return rc;
}

/* expect_status: 404, "200-299", 2xx, or a list of those. */
static int read_statuses(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *v, const char *path, hx_reqspec_t *s,
                         cm_err_t *err)
{
    char p[256], why[200];
    hx_status_set_t *set = cm_arena_alloc(&c->arena, sizeof(*set));
    memset(set, 0, sizeof(*set));
    if (v->type == CM_NODE_SEQ && v->n == 0)
        return cm_conf_error(conf, v, path, err, "expected at least one status or range");
    size_t n = v->type == CM_NODE_SEQ ? v->n : 1;
    for (size_t i = 0; i < n; i++) {
        const cm_node_t *it = v->type == CM_NODE_SEQ ? v->items[i] : v;
        cm_conf_path(p, sizeof(p), path, v->type == CM_NODE_SEQ ? (int)i : -1, NULL);
        if (it->type != CM_NODE_SCALAR)
            return cm_conf_error(conf, it, p, err, "expected a status (404), a range (\"200-299\") or a class (2xx)");
        if (hx_status_set_add(set, it->str, why, sizeof(why)) != 0)
            return cm_conf_error(conf, it, p, err, "%s", why);
    }
    s->expect_status = set;
    return 0;
}

static int read_check(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *it, const char *path, hx_reqspec_t *s,
                      cm_err_t *err)
{
    char p[256];
    const cm_node_t *v;
    const char *text;
    if ((v = cm_conf_get(it, "json")) &&
        cm_conf_bool(conf, v, cm_conf_path(p, sizeof(p), path, -1, "json"), &s->check_json, err) != 0)
        return -1;
    if ((v = cm_conf_get(it, "contains")) != NULL) {
        if (cm_conf_str(conf, v, cm_conf_path(p, sizeof(p), path, -1, "contains"), &text, err) != 0)
            return -1;
        if (text[0] == '\0' || strlen(text) > HX_HTTP_CONTAINS_MAX)
            return cm_conf_error(conf, v, p, err, "expected 1 to %d bytes of text", HX_HTTP_CONTAINS_MAX);
        s->contains = hx_cfg_strdup(c, text);
    }
    return 0;
}

int hx_cfg_load_http(hx_cfg_t *c, const cm_conf_t *conf, const cm_node_t *it, const char *path, hx_reqspec_t *s,
                     cm_err_t *err)
{
    char p[256];
    const cm_node_t *v;
    if ((v = cm_conf_get(it, "method")) && read_method(conf, v, cm_conf_path(p, sizeof(p), path, -1, "method"), s, err))
        return -1;
    if ((v = cm_conf_get(it, "path")) == NULL)
        return cm_conf_error(conf, it, path, err, "api: http needs a path (like /v1/models, or an http:// URL)");
    if (read_path(c, conf, v, cm_conf_path(p, sizeof(p), path, -1, "path"), s, err) != 0)
        return -1;
    if ((v = cm_conf_get(it, "base")) != NULL) {
        if (read_base(conf, v, cm_conf_path(p, sizeof(p), path, -1, "base"), s, err) != 0)
            return -1;
        if (s->from_host && s->path[0] != '/')
            return cm_conf_error(conf, v, p, err, "host goes with a path starting with /, not a whole URL");
    }
    if ((v = cm_conf_get(it, "body")) != NULL) {
        cm_conf_path(p, sizeof(p), path, -1, "body");
        if (s->method == HX_METHOD_HEAD)
            return cm_conf_error(conf, v, p, err, "HEAD sends no body");
        if (read_body(c, conf, v, p, s, err) != 0)
            return -1;
    }
    if ((v = cm_conf_get(it, "expect_status")) &&
        read_statuses(c, conf, v, cm_conf_path(p, sizeof(p), path, -1, "expect_status"), s, err) != 0)
        return -1;
    return read_check(c, conf, it, path, s, err);
}
