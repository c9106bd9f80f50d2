#include "harness/run/reconcile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "common/buf.h"
#include "common/json.h"

/* ---- the mock's side -------------------------------------------------------------------------------- */

/* The value of label `name` in "{a="x",b="y"}" (no escapes: the mock's label values are deployment names,
 * model names and numbers, which it writes without quotes or backslashes). */
static bool label(const char *labels, const char *end, const char *name, const char **v, size_t *vlen)
{
    size_t n = strlen(name);
    for (const char *p = labels; p + n + 2 < end; p++) {
        if ((p == labels || p[-1] == '{' || p[-1] == ',') && memcmp(p, name, n) == 0 && p[n] == '=' &&
            p[n + 1] == '"') {
            const char *q = memchr(p + n + 2, '"', (size_t)(end - p - n - 2));
            if (q == NULL)
                return false;
            *v = p + n + 2;
            *vlen = (size_t)(q - *v);
            return true;
        }
    }
    return false;
}

static hx_dep_counts_t *find(hx_dep_counts_t *d, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(d[i].name) == len && memcmp(d[i].name, name, len) == 0)
            return &d[i];
    }
    return NULL;
}

static void parse_line(const char *line, const char *end, hx_dep_counts_t *d, size_t n)
{
    bool requests = end - line > 20 && memcmp(line, "mock_requests_total{", 20) == 0;
    bool faults = end - line > 18 && memcmp(line, "mock_faults_total{", 18) == 0;
    if (!requests && !faults)
        return;
    const char *close = memchr(line, '}', (size_t)(end - line)), *dep, *status;
    size_t dlen, slen;
    if (close == NULL || !label(line, close, "deployment", &dep, &dlen))
        return;
    hx_dep_counts_t *c = find(d, n, dep, dlen);
    if (c == NULL)
        return;
    uint64_t v = strtoull(close + 1, NULL, 10);
    c->mock_seen = true;
    if (faults) {
        c->mock_faults += v;
        return;
    }
    c->mock_requests += v;
    if (label(line, close, "status", &status, &slen) && slen == 3) {
        if (status[0] == '2')
            c->mock_2xx += v;
        else if (memcmp(status, "429", 3) == 0)
            c->mock_429 += v;
    }
}

void hx_reconcile_parse(const char *text, size_t len, hx_dep_counts_t *d, size_t n)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl != NULL ? nl : end;
        parse_line(p, line_end, d, n);
        p = line_end + 1;
    }
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    cm_buf_t *b = userp;
    size_t n = size * nmemb;
    if (b->len + n > HX_METRICS_MAX)
        return 0; /* stops the transfer: an answer this large is not the mock's */
    cm_buf_append(b, data, n);
    return n;
}

char *hx_reconcile_fetch(const char *url, size_t *len, char *err, size_t errlen)
{
    CURL *e = curl_easy_init();
    if (e == NULL) {
        snprintf(err, errlen, "curl_easy_init failed");
        return NULL;
    }
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_puts(&b, "");
    long status = 0;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    if (rc != CURLE_OK || status != 200) {
        snprintf(err, errlen, "GET %s: %s", url, rc != CURLE_OK ? curl_easy_strerror(rc) : "not a 200");
        cm_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return cm_buf_detach(&b);
}

/* ---- soak's side ------------------------------------------------------------------------------------ */

uint64_t hx_reconcile_soak(const hx_stats_t *total, hx_dep_counts_t *d, size_t n)
{
    uint64_t named = 0;
    for (uint32_t i = 0; i <= HX_MAX_DEPLOYMENTS; i++) {
        const hx_counts_t *c = &total->by_deployment[i];
        const char *name = hx_stats_deployment_name(i);
        named += c->total;
        hx_dep_counts_t *e = name != NULL ? find(d, n, name, strlen(name)) : NULL;
        if (e == NULL || i == HX_MAX_DEPLOYMENTS)
            continue;
        e->soak_attempts = c->total;
        e->soak_ok = c->ok;
        e->soak_429 = c->rate_limited;
    }
    /* Requests cut at the end (aborted) have no outcome, so no deployment either: the mock may have counted
     * them. */
    uint64_t attempts = total->all.total + total->aborted + total->retried;
    return attempts > named ? attempts - named : 0;
}

/* ---- output ----------------------------------------------------------------------------------------- */

static bool agrees(const hx_dep_counts_t *c)
{
    return c->soak_attempts == c->mock_requests && c->soak_429 == c->mock_429;
}

/* The mock counted no fewer 429s than soak saw; what it counted beyond soak's attempts is no more than soak's
 * requests with no answer naming a deployment, and what soak counted beyond the mock's no more than soak's
 * generic requests (api: http ones may hit endpoints the mock does not count, such as /metrics). */
static bool explained(const hx_dep_counts_t *d, size_t n, uint64_t unanswered, uint64_t generic)
{
    uint64_t more = 0, fewer = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i].mock_429 < d[i].soak_429)
            return false;
        if (d[i].mock_requests >= d[i].soak_attempts)
            more += d[i].mock_requests - d[i].soak_attempts;
        else
            fewer += d[i].soak_attempts - d[i].mock_requests;
    }
    return more <= unanswered && fewer <= generic;
}

bool hx_reconcile_print(FILE *out, const hx_dep_counts_t *d, size_t n, uint64_t unanswered, uint64_t generic)
{
    bool exact = true;
    fprintf(out,
            "\nBoth sides          soak: attempts       ok      429 | mock: requests      2xx      429   faults\n");
    for (size_t i = 0; i < n; i++) {
        const hx_dep_counts_t *c = &d[i];
        exact = exact && agrees(c);
        fprintf(out, "  %-20.20s %12llu %8llu %8llu | %14llu %8llu %8llu %8llu%s\n", c->name,
                (unsigned long long)c->soak_attempts, (unsigned long long)c->soak_ok, (unsigned long long)c->soak_429,
                (unsigned long long)c->mock_requests, (unsigned long long)c->mock_2xx, (unsigned long long)c->mock_429,
                (unsigned long long)c->mock_faults, agrees(c) ? "" : " differs");
    }
    bool ok = exact || explained(d, n, unanswered, generic);
    if (exact && unanswered == 0)
        fprintf(out, "  reconciled: the mock counted every attempt soak sent, and nothing else\n");
    else if (ok)
        fprintf(out,
                "  reconciled: what the mock counted beyond soak's attempts is among soak's %llu request(s) with no "
                "answer naming a deployment (connection errors, resets before the headers, requests cut at the "
                "end), and what it did not count among soak's %llu generic request(s) (api: http: the mock does "
                "not count its /metrics and /health)\n",
                (unsigned long long)unanswered, (unsigned long long)generic);
    else
        fprintf(out,
                "  the two sides differ beyond soak's %llu request(s) with no answer naming a deployment and %llu "
                "generic one(s): a gateway in between retries, or answers some requests itself\n",
                (unsigned long long)unanswered, (unsigned long long)generic);
    return ok;
}

static void put_counts(cm_jw_t *w, const char *key, const char *const *keys, const uint64_t *vals, size_t n)
{
    cm_jw_key(w, key);
    cm_jw_obj(w);
    for (size_t i = 0; i < n; i++) {
        cm_jw_key(w, keys[i]);
        cm_jw_uint(w, vals[i]);
    }
    cm_jw_obj_end(w);
}

int hx_reconcile_write(const char *path, const hx_dep_counts_t *d, size_t n, uint64_t unanswered, uint64_t generic,
                       bool agreed)
{
    cm_buf_t b = CM_BUF_INIT;
    cm_jw_t w;
    cm_jw_init(&w, &b);
    cm_jw_obj(&w);
    cm_jw_key(&w, "deployments");
    cm_jw_obj(&w);
    for (size_t i = 0; i < n; i++) {
        const hx_dep_counts_t *c = &d[i];
        cm_jw_key(&w, c->name);
        cm_jw_obj(&w);
        static const char *const soak_keys[] = {"attempts", "ok", "rate_limited"};
        static const char *const mock_keys[] = {"requests", "status_2xx", "status_429", "faults"};
        const uint64_t soak_vals[] = {c->soak_attempts, c->soak_ok, c->soak_429};
        const uint64_t mock_vals[] = {c->mock_requests, c->mock_2xx, c->mock_429, c->mock_faults};
        put_counts(&w, "soak", soak_keys, soak_vals, 3);
        put_counts(&w, "mock", mock_keys, mock_vals, 4);
        cm_jw_key(&w, "agree");
        cm_jw_bool(&w, agrees(c));
        cm_jw_obj_end(&w);
    }
    cm_jw_obj_end(&w);
    cm_jw_key(&w, "unattributed");
    cm_jw_uint(&w, unanswered);
    cm_jw_key(&w, "generic");
    cm_jw_uint(&w, generic);
    cm_jw_key(&w, "reconciled");
    cm_jw_bool(&w, agreed);
    cm_jw_obj_end(&w);
    cm_buf_putc(&b, '\n');
    FILE *f = fopen(path, "w");
    int rc = f != NULL && fwrite(b.data, 1, b.len, f) == b.len ? 0 : -1;
    int saved = errno;
    if (f != NULL && fclose(f) != 0)
        rc = -1;
    cm_buf_free(&b);
    errno = saved;
    return rc;
}
