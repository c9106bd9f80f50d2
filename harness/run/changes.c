#include "harness/run/changes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "common/buf.h"
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

static int read_one(hx_change_t *ch, const cm_conf_t *conf, const cm_node_t *n, size_t index,
                    const char *const *deployments, size_t ndeps, cm_err_t *err)
{
    static const char *const keys[] = {"at", "deployment", "set", NULL};
    char path[64], sub[96];
    snprintf(path, sizeof(path), "changes[%zu]", index);
    if (n->type != CM_NODE_MAP)
        return cm_conf_error(conf, n, path, err, "expected a map of at, deployment, set");
    if (cm_conf_check_keys(conf, n, path, keys, err) != 0 || cm_conf_require_keys(conf, n, path, keys, err) != 0)
        return -1;
    memset(ch, 0, sizeof(*ch));
    ch->node = n;
    const cm_node_t *v = cm_conf_get(n, "at");
    snprintf(sub, sizeof(sub), "%s.at", path);
    if (read_at(ch, conf, v, sub, err) != 0)
        return -1;
    v = cm_conf_get(n, "deployment");
    snprintf(sub, sizeof(sub), "%s.deployment", path);
    if (cm_conf_str(conf, v, sub, &ch->deployment, err) != 0)
        return -1;
    bool known = false;
    for (size_t i = 0; i < ndeps && !known; i++)
        known = strcmp(deployments[i], ch->deployment) == 0;
    if (!known)
        return cm_conf_error(conf, v, sub, err, "no mock deployment \"%s\"", ch->deployment);
    ch->set = cm_conf_get(n, "set");
    snprintf(sub, sizeof(sub), "%s.set", path);
    if (ch->set->type != CM_NODE_MAP || ch->set->n == 0)
        return cm_conf_error(conf, ch->set, sub, err, "expected a map of the deployment's keys to change");
    size_t len = (size_t)snprintf(ch->label, sizeof(ch->label), "%s:", ch->deployment);
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

int hx_changes_read(hx_changes_t *c, const cm_conf_t *conf, const cm_node_t *n, const char *const *deployments,
                    size_t ndeps, cm_err_t *err)
{
    memset(c, 0, sizeof(*c));
    if (n->type != CM_NODE_SEQ)
        return cm_conf_error(conf, n, "changes", err, "expected a list of {at, deployment, set}");
    if (n->n > HX_MAX_CHANGES)
        return cm_conf_error(conf, n, "changes", err, "at most %d changes, got %zu", HX_MAX_CHANGES, n->n);
    if (n->n > 0 && ndeps == 0)
        return cm_conf_error(conf, n, "changes", err, "changes act on mock deployments: the file has none");
    for (size_t i = 0; i < n->n; i++) {
        if (read_one(&c->items[i], conf, n->items[i], i, deployments, ndeps, err) != 0)
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
            return cm_conf_error(conf, at, "changes: at", err, "\"%.*s\" is neither a duration nor a phase of load.phases%s",
                                 (int)(len < 60 ? len : 60), ch->at_phase, phases->n == 0 ? " (it has none)" : "");
        ch->at_ns += phases->p[k].start_ns;
        ch->resolved = true;
    }
    qsort(c->items, c->n, sizeof(c->items[0]), by_time);
    return 0;
}

int hx_change_sets(const hx_change_t *ch, char ***out)
{
    char **sets = calloc(ch->set->n, sizeof(char *));
    cm_buf_t b = CM_BUF_INIT;
    for (size_t i = 0; sets != NULL && i < ch->set->n; i++) {
        cm_buf_reset(&b);
        cm_buf_printf(&b, "mock.deployments[%s].%s=", ch->deployment, ch->set->keys[i]->str);
        if (cm_conf_write_json(&b, ch->set->items[i], HX_CHANGE_MAX_BODY) != 0) {
            for (size_t k = 0; k < i; k++)
                free(sets[k]);
            free(sets);
            cm_buf_free(&b);
            return -1;
        }
        sets[i] = strdup(b.data);
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

static size_t keep_answer(char *data, size_t size, size_t nmemb, void *userp)
{
    cm_buf_t *b = userp;
    size_t n = size * nmemb;
    if (b->len < ANSWER_KEEP)
        cm_buf_append(b, data, n < ANSWER_KEEP - b->len ? n : ANSWER_KEEP - b->len);
    return n;
}

int hx_change_apply(const hx_change_t *ch, const char *admin_url, char *err, size_t errlen)
{
    char url[1024];
    char *body = hx_change_body(ch);
    CURL *e = curl_easy_init();
    if (body == NULL || e == NULL) {
        snprintf(err, errlen, "%s: cannot build the request", ch->label);
        free(body);
        if (e != NULL)
            curl_easy_cleanup(e);
        return -1;
    }
    snprintf(url, sizeof(url), "%s/deployments/%s", admin_url, ch->deployment);
    cm_buf_t answer = CM_BUF_INIT;
    cm_buf_puts(&answer, "");
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PATCH");
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, keep_answer);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, APPLY_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    long status = 0;
    CURLcode rc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    int ret = 0;
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "change \"%s\": PATCH %s: %s", ch->label, url, curl_easy_strerror(rc));
        ret = -1;
    } else if (status < 200 || status > 299) {
        snprintf(err, errlen, "change \"%s\": the admin API answered %ld: %.*s", ch->label, status,
                 (int)strcspn(answer.data, "\n"), answer.data);
        ret = -1;
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
    cm_buf_free(&answer);
    free(body);
    return ret;
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
            if (strcmp(c->items[k].deployment, ch->deployment) == 0) {
                end = (double)c->items[k].at_ns / 1e9;
                break;
            }
        }
        c->windows[n++] = (hx_report_window_t){start, end < duration_s ? end : duration_s, ch->label};
    }
    return n;
}
