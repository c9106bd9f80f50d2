#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/json.h"
#include "faults/fault-proxy/api.h"

/* One call being answered: where the JSON goes and the status it ends with. */
typedef struct call {
    fp_server_t *s;
    const char *method;
    const char *body;
    size_t len;
    cm_buf_t *out;
} call_t;

static int error(call_t *c, int status, const char *msg)
{
    cm_jw_t w;
    cm_buf_reset(c->out);
    cm_jw_init(&w, c->out);
    cm_jw_obj(&w);
    cm_jw_key(&w, "error"), cm_jw_str(&w, msg);
    cm_jw_key(&w, "status"), cm_jw_int(&w, status);
    cm_jw_obj_end(&w);
    return status;
}

static int status_of(int rc)
{
    switch (rc) {
    case FP_E_EXISTS:
        return 409;
    case FP_E_NOT_FOUND:
        return 404;
    case FP_E_LIMIT:
        return 400;
    default:
        return 500;
    }
}

/* Loads the body as a document; an empty body is an error like toxiproxy's "bad request body". */
static int load_body(call_t *c, cm_conf_t *conf, cm_err_t *err)
{
    memset(err, 0, sizeof(*err));
    if (cm_conf_load_string(conf, "request", c->body, c->len, err) != 0)
        return -1;
    if (conf->root == NULL) {
        snprintf(err->msg, sizeof(err->msg), "bad request body: empty");
        return -1;
    }
    return 0;
}

static int proxy_index(call_t *c)
{
    cm_jw_t w;
    cm_jw_init(&w, c->out);
    cm_jw_obj(&w);
    for (int i = 0; i < c->s->n; i++) {
        cm_jw_key(&w, c->s->proxies[i]->name);
        fp_proxy_json(&w, c->s->proxies[i]);
    }
    cm_jw_obj_end(&w);
    return 200;
}

static int show_proxy(call_t *c, const fp_proxy_t *p, int status)
{
    cm_jw_t w;
    cm_buf_reset(c->out);
    cm_jw_init(&w, c->out);
    fp_proxy_json(&w, p);
    return status;
}

static int proxy_create(call_t *c)
{
    cm_conf_t conf;
    cm_err_t err;
    fp_proxy_conf_t pc = {0};
    fp_proxy_t *p;
    char why[512];
    int status;
    if (load_body(c, &conf, &err) != 0 || fp_proxy_conf_parse(&conf, conf.root, "", NULL, &pc, &err) != 0) {
        status = error(c, 400, err.msg);
    } else {
        int rc = fp_server_add(c->s, &pc, &p, why, sizeof(why));
        status = rc == 0 ? show_proxy(c, p, 201) : error(c, status_of(rc), why);
    }
    fp_proxy_conf_free(&pc);
    cm_conf_free(&conf);
    return status;
}

static fp_proxy_conf_t conf_of(const fp_proxy_t *p)
{
    fp_proxy_conf_t pc = {0};
    snprintf(pc.name, sizeof(pc.name), "%s", p->name);
    snprintf(pc.listen, sizeof(pc.listen), "%s", p->listen);
    snprintf(pc.upstream, sizeof(pc.upstream), "%s", p->upstream);
    pc.enabled = p->enabled;
    pc.protocol = p->protocol;
    return pc;
}

static int proxy_update(call_t *c, fp_proxy_t *p)
{
    cm_conf_t conf;
    cm_err_t err;
    fp_proxy_conf_t base = conf_of(p), pc = {0};
    char why[512];
    int status;
    if (load_body(c, &conf, &err) != 0 || fp_proxy_conf_parse(&conf, conf.root, "", &base, &pc, &err) != 0) {
        status = error(c, 400, err.msg);
    } else if (strcmp(pc.name, p->name) != 0) {
        status = error(c, 400, "name: a proxy cannot be renamed");
    } else {
        int rc = fp_proxy_update(p, &pc, why, sizeof(why));
        status = rc == 0 ? show_proxy(c, p, 200) : error(c, status_of(rc), why);
    }
    fp_proxy_conf_free(&pc);
    cm_conf_free(&conf);
    return status;
}

/* A listen address with port 0 matches whatever port the proxy was given. */
static bool same_listen(const char *bound, const char *asked)
{
    size_t n = strlen(asked);
    if (n >= 2 && strcmp(asked + n - 2, ":0") == 0)
        return strncmp(bound, asked, n - 1) == 0;
    return strcmp(bound, asked) == 0;
}

/* A proxy of the same name and addresses is kept (its toxics too); one that differs is replaced. Everything
 * is read and checked before anything changes. */
static int populate(call_t *c)
{
    cm_conf_t conf;
    cm_err_t err;
    fp_config_t cfg = {0};
    char why[512];
    int status = 201;
    if (load_body(c, &conf, &err) != 0 || fp_config_parse(&conf, conf.root, &cfg, &err) != 0) {
        status = error(c, 400, err.msg);
        goto done;
    }
    /* What was replaced and what was added, to undo them if a later proxy cannot listen. */
    fp_proxy_conf_t *replaced = cm_xcalloc(cfg.n + 1, sizeof(*replaced));
    bool *added = cm_xcalloc(cfg.n + 1, sizeof(*added));
    size_t nreplaced = 0;
    for (size_t i = 0; i < cfg.n && status == 201; i++) {
        const fp_proxy_conf_t *pc = &cfg.proxies[i];
        fp_proxy_t *p = fp_server_find(c->s, pc->name);
        if (p != NULL && strcmp(p->upstream, pc->upstream) == 0 && same_listen(p->listen, pc->listen))
            continue;
        if (p != NULL) {
            fp_proxy_conf_t *r = &replaced[nreplaced++];
            *r = conf_of(p);
            r->toxics = cm_xmalloc(((size_t)p->ntoxics + 1) * sizeof(*r->toxics));
            memcpy(r->toxics, p->toxics, (size_t)p->ntoxics * sizeof(*r->toxics));
            r->ntoxics = p->ntoxics;
            fp_server_remove(c->s, pc->name);
        }
        int rc = fp_server_add(c->s, pc, NULL, why, sizeof(why));
        if (rc != 0)
            status = error(c, status_of(rc), why);
        else
            added[i] = true;
    }
    if (status != 201) {
        /* A proxy that cannot listen (its port is taken, maybe by an earlier entry) fails the request, which
         * then changes nothing but the connections of the proxies it replaced: those it added go, and those it
         * replaced come back with their toxics. */
        for (size_t i = 0; i < cfg.n; i++)
            if (added[i])
                fp_server_remove(c->s, cfg.proxies[i].name);
        for (size_t i = 0; i < nreplaced; i++)
            (void)fp_server_add(c->s, &replaced[i], NULL, why, sizeof(why));
    }
    for (size_t i = 0; i < nreplaced; i++)
        fp_proxy_conf_free(&replaced[i]);
    free(replaced);
    free(added);
    if (status == 201) {
        cm_jw_t w;
        cm_jw_init(&w, c->out);
        cm_jw_obj(&w);
        cm_jw_key(&w, "proxies");
        cm_jw_arr(&w);
        for (size_t i = 0; i < cfg.n; i++)
            fp_proxy_json(&w, fp_server_find(c->s, cfg.proxies[i].name));
        cm_jw_arr_end(&w);
        cm_jw_obj_end(&w);
    }
done:
    fp_config_free(&cfg);
    cm_conf_free(&conf);
    return status;
}

static int show_toxic(call_t *c, const fp_toxic_t *t, int status)
{
    cm_jw_t w;
    cm_buf_reset(c->out);
    cm_jw_init(&w, c->out);
    fp_toxic_json(&w, t);
    return status;
}

static int toxic_index(call_t *c, const fp_proxy_t *p)
{
    cm_jw_t w;
    cm_jw_init(&w, c->out);
    cm_jw_arr(&w);
    for (int i = 0; i < p->ntoxics; i++)
        fp_toxic_json(&w, &p->toxics[i]);
    cm_jw_arr_end(&w);
    return 200;
}

/* Creates (base NULL) or updates a toxic from the body. */
static int toxic_write(call_t *c, fp_proxy_t *p, fp_toxic_t *base)
{
    cm_conf_t conf;
    cm_err_t err;
    fp_toxic_t t;
    int status, rc;
    if (load_body(c, &conf, &err) != 0 || fp_toxic_parse(&conf, conf.root, "", base, &t, &err) != 0) {
        status = error(c, 400, err.msg);
    } else if (t.type == FP_ERROR && p->protocol != FP_PROTO_RESP) {
        status = error(c, 400, "type: error toxics need a proxy with protocol resp");
    } else if (base != NULL && strcmp(t.name, base->name) != 0) {
        status = error(c, 400, "name: a toxic cannot be renamed");
    } else {
        char name[FP_MAX_NAME];
        snprintf(name, sizeof(name), "%s", t.name);
        rc = base == NULL ? fp_proxy_add_toxic(p, &t) : fp_proxy_update_toxic(p, name, &t);
        status = rc == 0 ? show_toxic(c, fp_proxy_toxic(p, name), 200)
                         : error(c, status_of(rc), rc == FP_E_EXISTS ? "toxic already exists" : "too many toxics");
    }
    cm_conf_free(&conf);
    return status;
}

static int toxic_route(call_t *c, fp_proxy_t *p, const char *name)
{
    fp_toxic_t *t = fp_proxy_toxic(p, name);
    if (t == NULL)
        return error(c, 404, "toxic not found");
    if (strcmp(c->method, "GET") == 0)
        return show_toxic(c, t, 200);
    if (strcmp(c->method, "DELETE") == 0) {
        fp_proxy_remove_toxic(p, name);
        return 204;
    }
    return toxic_write(c, p, t);
}

/* Decodes one path segment of n bytes (%XX escapes, as clients write a name with a space or a '%') into out.
 * Returns -1 for a bad escape, a NUL, or a name longer than any proxy's or toxic's, none of which can exist. */
static int segment(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) || !isxdigit((unsigned char)s[i + 2]))
                return -1;
            char hex[3] = {s[i + 1], s[i + 2], '\0'};
            c = (int)strtol(hex, NULL, 16);
            i += 2;
        }
        if (c == '\0' || o + 1 >= cap)
            return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return o > 0 ? 0 : -1;
}

static int proxy_route(call_t *c, const char *name, const char *rest)
{
    fp_proxy_t *p = fp_server_find(c->s, name);
    bool get = strcmp(c->method, "GET") == 0, del = strcmp(c->method, "DELETE") == 0;
    bool write = strcmp(c->method, "POST") == 0 || strcmp(c->method, "PATCH") == 0;
    if (p == NULL)
        return error(c, 404, "proxy not found");
    if (rest == NULL) {
        if (get)
            return show_proxy(c, p, 200);
        if (del) {
            fp_server_remove(c->s, name);
            return 204;
        }
        return write ? proxy_update(c, p) : error(c, 405, "method not allowed");
    }
    if (strcmp(rest, "toxics") == 0) {
        if (get)
            return toxic_index(c, p);
        return write ? toxic_write(c, p, NULL) : error(c, 405, "method not allowed");
    }
    char toxic[FP_MAX_NAME];
    if (strncmp(rest, "toxics/", 7) == 0 && rest[7] != '\0' && strchr(rest + 7, '/') == NULL) {
        if (segment(rest + 7, strlen(rest + 7), toxic, sizeof(toxic)) != 0)
            return error(c, 404, "toxic not found");
        return get || del || write ? toxic_route(c, p, toxic) : error(c, 405, "method not allowed");
    }
    return error(c, 404, "not found");
}

static int version(call_t *c)
{
    cm_buf_printf(c->out, "{\"version\": \"%s\"}\n", SOAK_VERSION);
    return 200;
}

int fp_api_call(fp_server_t *s, const char *method, const char *path, const char *body, size_t len, cm_buf_t *out)
{
    call_t c = {s, method, body != NULL ? body : "", body != NULL ? len : 0, out};
    bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    if (strcmp(path, "/proxies") == 0)
        return get ? proxy_index(&c) : post ? proxy_create(&c) : error(&c, 405, "method not allowed");
    if (strcmp(path, "/reset") == 0) {
        if (!post)
            return error(&c, 405, "method not allowed");
        fp_server_reset(s);
        return 204;
    }
    if (strcmp(path, "/populate") == 0)
        return post ? populate(&c) : error(&c, 405, "method not allowed");
    if (strcmp(path, "/version") == 0)
        return get ? version(&c) : error(&c, 405, "method not allowed");
    if (strcmp(path, "/metrics") == 0) {
        if (!get)
            return error(&c, 405, "method not allowed");
        fp_metrics_write(s, out);
        return 200;
    }
    if (strncmp(path, "/proxies/", 9) == 0) {
        char name[FP_MAX_NAME];
        const char *slash = strchr(path + 9, '/');
        size_t n = slash != NULL ? (size_t)(slash - path - 9) : strlen(path + 9);
        if (segment(path + 9, n, name, sizeof(name)) != 0)
            return error(&c, 404, "proxy not found");
        return proxy_route(&c, name, slash != NULL ? slash + 1 : NULL);
    }
    return error(&c, 404, "not found");
}
