#include "harness/run/changes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/json.h"
#include "common/units.h"

/* How long one PATCH may take: the admin API answers once every worker adopted the change (2 s at most). */
#define APPLY_TIMEOUT_MS 10000L
/* Bytes of an admin answer kept for an error message. */
#define ANSWER_KEEP 512u

/* `at`: a duration into the load, or a phase name with an optional "+DURATION" (resolved later). */
static int read_at(hx_change_t *ch, const cm_conf_t *conf, const cm_node_t *v, const char *path, cm_err_t *err)
{
    char why[160];
    const char *s;
    if (cm_conf_str(conf, v, path, &s, err) != 0)
        return -1;
    ch->resolved = true;
    if (s[0] >= '0' && s[0] <= '9') {
        if (cm_conf_duration(conf, v, path, &ch->at_ns, err) != 0)
            return -1;
    } else {
        const char *plus = strchr(s, '+');
        if (plus != NULL && cm_parse_duration(plus + 1, &ch->at_ns, why, sizeof(why)) != 0)
            return cm_conf_error(conf, v, path, err, "expected a duration (20s) or a phase and an offset "
                                                     "(fault+5s): %s", why);
        ch->at_phase = s;
        ch->resolved = false;
    }
    if (ch->at_ns > HX_CHANGE_MAX_AT_NS)
        return cm_conf_error(conf, v, path, err, "at most 24h");
    return 0;
}

/* deployment: or proxy: (one of them), checked against the file's names */
static int read_target(hx_change_t *ch, const cm_conf_t *conf, const cm_node_t *n, const char *path,
                       const hx_change_targets_t *t, cm_err_t *err)
{
    char sub[96];
    const cm_node_t *d = cm_conf_get(n, "deployment"), *p = cm_conf_get(n, "proxy");
    if ((d == NULL) == (p == NULL))
        return cm_conf_error(conf, d != NULL ? d : n, path, err, "a change addresses one deployment or one proxy");
    bool dep = d != NULL;
    const char *const *names = dep ? t->deployments : t->proxies;
    size_t count = dep ? t->ndeps : t->nproxies;
    snprintf(sub, sizeof(sub), "%s.%s", path, dep ? "deployment" : "proxy");
    const char *name;
    if (cm_conf_str(conf, dep ? d : p, sub, &name, err) != 0)
        return -1;
    bool known = false;
    for (size_t i = 0; i < count && !known; i++)
        known = strcmp(names[i], name) == 0;
    if (!known)
        return cm_conf_error(conf, dep ? d : p, sub, err, "no %s \"%s\"", dep ? "mock deployment" : "proxy in proxies:",
                             name);
    if (dep)
        ch->deployment = name;
    else
        ch->proxy = name;
    return 0;
}

/* A proxy's set: toxics (a list, the proxy's new toxics) and enabled. */
static int check_proxy_set(const hx_change_t *ch, const cm_conf_t *conf, const char *sub, cm_err_t *err)
{
    static const char *const keys[] = {"toxics", "enabled", NULL};
    if (cm_conf_check_keys(conf, ch->set, sub, keys, err) != 0)
        return -1;
    const cm_node_t *tx = cm_conf_get(ch->set, "toxics");
    if (tx != NULL && tx->type != CM_NODE_SEQ)
        return cm_conf_error(conf, tx, sub, err, "toxics: expected a list of toxics (the proxy's toxics from then on)");
    return 0;
}

static int read_one(hx_change_t *ch, const cm_conf_t *conf, const cm_node_t *n, size_t index,
                    const hx_change_targets_t *t, cm_err_t *err)
{
    static const char *const keys[] = {"at", "deployment", "proxy", "set", NULL};
    static const char *const required[] = {"at", "set", NULL};
    char path[64], sub[96];
    snprintf(path, sizeof(path), "changes[%zu]", index);
    if (n->type != CM_NODE_MAP)
        return cm_conf_error(conf, n, path, err, "expected a map of at, deployment or proxy, set");
    if (cm_conf_check_keys(conf, n, path, keys, err) != 0 || cm_conf_require_keys(conf, n, path, required, err) != 0)
        return -1;
    memset(ch, 0, sizeof(*ch));
    ch->node = n;
    const cm_node_t *v = cm_conf_get(n, "at");
    snprintf(sub, sizeof(sub), "%s.at", path);
    if (read_at(ch, conf, v, sub, err) != 0 || read_target(ch, conf, n, path, t, err) != 0)
        return -1;
    ch->set = cm_conf_get(n, "set");
    snprintf(sub, sizeof(sub), "%s.set", path);
    if (ch->set->type != CM_NODE_MAP || ch->set->n == 0)
        return cm_conf_error(conf, ch->set, sub, err, "expected a map of the %s's keys to change",
                             ch->proxy != NULL ? "proxy" : "deployment");
    if (ch->proxy != NULL && check_proxy_set(ch, conf, sub, err) != 0)
        return -1;
    size_t len = (size_t)snprintf(ch->label, sizeof(ch->label), "%s%s:", ch->proxy != NULL ? "proxy " : "",
                                  ch->proxy != NULL ? ch->proxy : ch->deployment);
    for (size_t i = 0; i < ch->set->n && len < sizeof(ch->label); i++)
        len += (size_t)snprintf(ch->label + len, sizeof(ch->label) - len, " %s", ch->set->keys[i]->str);
    return 0;
}

static int by_time(const void *a, const void *b)
{
    const hx_change_t *x = a, *y = b;
    if (x->at_ns != y->at_ns)
        return x->at_ns < y->at_ns ? -1 : 1;
    return x->node->line != y->node->line ? (x->node->line < y->node->line ? -1 : 1) : 0; /* stable: file order */
}

int hx_changes_read(hx_changes_t *c, const cm_conf_t *conf, const cm_node_t *n, const hx_change_targets_t *t,
                    cm_err_t *err)
{
    memset(c, 0, sizeof(*c));
    if (n->type != CM_NODE_SEQ)
        return cm_conf_error(conf, n, "changes", err, "expected a list of {at, deployment, set}");
    if (n->n > HX_MAX_CHANGES)
        return cm_conf_error(conf, n, "changes", err, "at most %d changes, got %zu", HX_MAX_CHANGES, n->n);
    if (n->n > 0 && t->ndeps == 0 && t->nproxies == 0)
        return cm_conf_error(conf, n, "changes", err, "changes act on mock deployments and proxies: the file has none");
    for (size_t i = 0; i < n->n; i++) {
        if (read_one(&c->items[i], conf, n->items[i], i, t, err) != 0)
            return -1;
        c->n++;
    }
    qsort(c->items, c->n, sizeof(c->items[0]), by_time);
    return 0;
}

int hx_changes_resolve(hx_changes_t *c, const cm_conf_t *conf, const hx_phases_t *phases, cm_err_t *err)
{
    for (size_t i = 0; i < c->n; i++) {
        hx_change_t *ch = &c->items[i];
        if (ch->resolved)
            continue;
        const char *plus = strchr(ch->at_phase, '+');
        size_t len = plus != NULL ? (size_t)(plus - ch->at_phase) : strlen(ch->at_phase);
        char name[HX_PHASE_NAME_MAX];
        int k = -1;
        if (len < sizeof(name)) {
            memcpy(name, ch->at_phase, len);
            name[len] = '\0';
            k = hx_phases_find(phases, name);
        }
        const cm_node_t *at = cm_conf_get(ch->node, "at");
        if (k < 0)
            return cm_conf_error(conf, at, "changes: at", err,
                                 "\"%.*s\" is neither a duration nor a phase of load.phases%s",
                                 (int)(len < 60 ? len : 60), ch->at_phase, phases->n == 0 ? " (it has none)" : "");
        ch->at_ns += phases->p[k].start_ns;
        ch->resolved = true;
    }
    qsort(c->items, c->n, sizeof(c->items[0]), by_time);
    return 0;
}

int hx_change_sets(const hx_change_t *ch, char ***out)
{
    char **sets = cm_xcalloc(ch->set->n, sizeof(char *));
    cm_buf_t b = CM_BUF_INIT;
    for (size_t i = 0; sets != NULL && i < ch->set->n; i++) {
        cm_buf_reset(&b);
        if (ch->proxy != NULL)
            cm_buf_printf(&b, "proxies[%s].%s=", ch->proxy, ch->set->keys[i]->str);
        else
            cm_buf_printf(&b, "mock.deployments[%s].%s=", ch->deployment, ch->set->keys[i]->str);
        if (cm_conf_write_json(&b, ch->set->items[i], HX_CHANGE_MAX_BODY) != 0) {
            for (size_t k = 0; k < i; k++)
                free(sets[k]);
            free(sets);
            cm_buf_free(&b);
            return -1;
        }
        sets[i] = cm_xstrdup(b.data);
    }
    cm_buf_free(&b);
    *out = sets;
    return sets != NULL ? (int)ch->set->n : -1;
}

char *hx_change_body(const hx_change_t *ch)
{
    cm_buf_t b = CM_BUF_INIT;
    if (cm_conf_write_json(&b, ch->set, HX_CHANGE_MAX_BODY) != 0) {
        cm_buf_free(&b);
        return NULL;
    }
    return cm_buf_detach(&b);
}

/* A proxy's list of toxics: at most 64 toxics, each a small object */
#define LIST_KEEP (64u * 1024)
static size_t keep_list(char *data, size_t size, size_t nmemb, void *userp)
{
    cm_buf_t *b = userp;
    size_t n = size * nmemb;
    if (b->len + n > LIST_KEEP)
        return 0; /* larger than any list fault-proxy sends: the transfer fails */
    cm_buf_append(b, data, n);
    return n;
}

static size_t keep_answer(char *data, size_t size, size_t nmemb, void *userp)
{
    cm_buf_t *b = userp;
    size_t n = size * nmemb;
    if (b->len < ANSWER_KEEP)
        cm_buf_append(b, data, n < ANSWER_KEEP - b->len ? n : ANSWER_KEEP - b->len);
    return n;
}

/* One HTTP request to a control API; answer keeps the first ANSWER_KEEP bytes. Returns the status, or -1 with
 * err. */
static long call(const char *method, const char *url, const char *body, cm_buf_t *answer, const char *label, char *err,
                 size_t errlen)
{
    CURL *e = curl_easy_init();
    if (e == NULL) {
        snprintf(err, errlen, "change \"%s\": cannot build the request", label);
        return -1;
    }
    cm_buf_reset(answer);
    cm_buf_puts(answer, "");
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    int bad = curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK ||
              curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method) != CURLE_OK ||
              (body != NULL && curl_easy_setopt(e, CURLOPT_POSTFIELDS, body) != CURLE_OK) ||
              curl_easy_setopt(e, CURLOPT_HTTPHEADER, h) != CURLE_OK ||
              curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, keep_answer) != CURLE_OK ||
              curl_easy_setopt(e, CURLOPT_WRITEDATA, answer) != CURLE_OK ||
              curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, APPLY_TIMEOUT_MS) != CURLE_OK ||
              curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    long status = -1;
    CURLcode rc = bad ? CURLE_FAILED_INIT : curl_easy_perform(e);
    if (rc != CURLE_OK)
        snprintf(err, errlen, "change \"%s\": %s %s: %s", label, method, url, curl_easy_strerror(rc));
    else
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
    return status;
}

static int expect_2xx(long status, const cm_buf_t *answer, const char *label, const char *who, char *err, size_t errlen)
{
    if (status < 0)
        return -1;
    if (status < 200 || status > 299) {
        snprintf(err, errlen, "change \"%s\": %s answered %ld: %.*s", label, who, status,
                 (int)strcspn(answer->data, "\n"), answer->data);
        return -1;
    }
    return 0;
}

/* api/proxies/NAME followed by suffix, NAME percent-encoded: a proxy's name may hold a space or a '%'. */
static void proxy_url(char *url, size_t n, const char *api, const char *proxy, const char *suffix)
{
    char *esc = curl_easy_escape(NULL, proxy, 0);
    snprintf(url, n, "%s/proxies/%s%s", api, esc != NULL ? esc : proxy, suffix);
    curl_free(esc);
}

/* Deletes the proxy's toxics: GET the list (read whole, up to LIST_KEEP), then DELETE each by name. */
static int clear_toxics(const hx_change_t *ch, const char *api, char *err, size_t errlen)
{
    char url[1024], name[256];
    cm_buf_t list = CM_BUF_INIT;
    proxy_url(url, sizeof(url), api, ch->proxy, "/toxics");
    CURL *e = curl_easy_init();
    int rc = -1;
    if (e == NULL) {
        snprintf(err, errlen, "change \"%s\": cannot build the request", ch->label);
        return -1;
    }
    cm_buf_puts(&list, "");
    long status = -1;
    if (curl_easy_setopt(e, CURLOPT_URL, url) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, keep_list) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &list) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, APPLY_TIMEOUT_MS) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK && curl_easy_perform(e) == CURLE_OK)
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    char why[128];
    if (status != 200 || cm_json_parse(&d, list.data, list.len, &toks, why, sizeof(why)) != 0 ||
        cm_json_type(&d, 0) != CM_JSON_ARRAY) {
        snprintf(err, errlen, "change \"%s\": GET %s: no list of toxics (status %ld)", ch->label, url, status);
        goto out;
    }
    cm_buf_t answer = CM_BUF_INIT;
    rc = 0;
    for (uint32_t t = cm_json_first(&d, 0); t != 0 && rc == 0; t = cm_json_next(&d, t)) {
        uint32_t nt = cm_json_get(&d, t, "name");
        if (nt == 0 || cm_json_unescape(&d, nt, name, sizeof(name)) >= sizeof(name))
            continue;
        char *esc = curl_easy_escape(NULL, name, 0);
        proxy_url(url, sizeof(url), api, ch->proxy, "/toxics/");
        snprintf(url + strlen(url), sizeof(url) - strlen(url), "%s", esc != NULL ? esc : name);
        curl_free(esc);
        rc = expect_2xx(call("DELETE", url, NULL, &answer, ch->label, err, errlen), &answer, ch->label, "fault-proxy",
                        err, errlen);
    }
    cm_buf_free(&answer);
out:
    cm_json_toks_free(&toks);
    cm_buf_free(&list);
    return rc;
}

static int apply_proxy(const hx_change_t *ch, const char *api, char *err, size_t errlen)
{
    char url[1024];
    cm_buf_t body = CM_BUF_INIT, answer = CM_BUF_INIT;
    int rc = 0;
    if (api == NULL || api[0] == '\0') {
        snprintf(err, errlen, "change \"%s\": fault-proxy's API is not known", ch->label);
        return -1;
    }
    const cm_node_t *tx = cm_conf_get(ch->set, "toxics"), *en = cm_conf_get(ch->set, "enabled");
    if (tx != NULL)
        rc = clear_toxics(ch, api, err, errlen);
    proxy_url(url, sizeof(url), api, ch->proxy, "/toxics");
    for (size_t i = 0; rc == 0 && tx != NULL && i < tx->n; i++) {
        cm_buf_reset(&body);
        if (cm_conf_write_json(&body, tx->items[i], HX_CHANGE_MAX_BODY) != 0) {
            snprintf(err, errlen, "change \"%s\": a toxic larger than %u bytes as JSON", ch->label, HX_CHANGE_MAX_BODY);
            rc = -1;
            break;
        }
        rc = expect_2xx(call("POST", url, body.data, &answer, ch->label, err, errlen), &answer, ch->label,
                        "fault-proxy", err, errlen);
    }
    if (rc == 0 && en != NULL) {
        cm_buf_reset(&body);
        cm_buf_puts(&body, "{\"enabled\":");
        rc = cm_conf_write_json(&body, en, 16);
        cm_buf_puts(&body, "}");
        proxy_url(url, sizeof(url), api, ch->proxy, "");
        if (rc == 0)
            rc = expect_2xx(call("POST", url, body.data, &answer, ch->label, err, errlen), &answer, ch->label,
                            "fault-proxy", err, errlen);
    }
    cm_buf_free(&body);
    cm_buf_free(&answer);
    return rc;
}

int hx_change_apply(const hx_change_t *ch, const char *admin_url, const char *proxy_api, char *err, size_t errlen)
{
    if (ch->proxy != NULL)
        return apply_proxy(ch, proxy_api, err, errlen);
    char url[1024];
    char *body = hx_change_body(ch);
    if (body == NULL) {
        snprintf(err, errlen, "%s: cannot build the request", ch->label);
        return -1;
    }
    snprintf(url, sizeof(url), "%s/deployments/%s", admin_url, ch->deployment);
    cm_buf_t answer = CM_BUF_INIT;
    int rc = expect_2xx(call("PATCH", url, body, &answer, ch->label, err, errlen), &answer, ch->label, "the admin API",
                        err, errlen);
    cm_buf_free(&answer);
    free(body);
    return rc;
}

size_t hx_changes_windows(hx_changes_t *c, double duration_s)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++) {
        const hx_change_t *ch = &c->items[i];
        double start = (double)ch->at_ns / 1e9, end = duration_s;
        if (start >= duration_s)
            continue;
        for (size_t k = i + 1; k < c->n; k++) {
            const hx_change_t *o = &c->items[k];
            bool same = ch->proxy != NULL ? o->proxy != NULL && strcmp(o->proxy, ch->proxy) == 0
                                          : o->deployment != NULL && strcmp(o->deployment, ch->deployment) == 0;
            if (same) {
                end = (double)c->items[k].at_ns / 1e9;
                break;
            }
        }
        c->windows[n++] = (hx_report_window_t){start, end < duration_s ? end : duration_s, ch->label};
    }
    return n;
}
