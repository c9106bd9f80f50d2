#include "harness/report/webhook.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "common/json.h"

/* Slack renders at most 10 fields in a section and 2,000 characters in each. */
#define MAX_FIELD 200

static void field(cm_jw_t *w, const char *name, const char *value)
{
    char text[MAX_FIELD + 64];
    snprintf(text, sizeof(text), "*%s*\n%.*s", name, MAX_FIELD, value);
    cm_jw_obj(w);
    cm_jw_key(w, "type");
    cm_jw_str(w, "mrkdwn");
    cm_jw_key(w, "text");
    cm_jw_str(w, text);
    cm_jw_obj_end(w);
}

static double pct(uint64_t part, uint64_t whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

void hx_webhook_body(cm_buf_t *b, const hx_report_t *rep, double first_failure_s)
{
    const hx_run_info_t *in = rep->info;
    const hx_stats_t *t = rep->total;
    bool pass = hx_report_verdict(rep);
    const char *name = in->scenario ? in->scenario : "load";
    char title[160], v[MAX_FIELD + 1];
    snprintf(title, sizeof(title), "soak: %.100s %s", name, pass ? "PASS" : "FAIL");
    cm_jw_t w;
    cm_jw_init(&w, b);
    cm_jw_obj(&w);
    cm_jw_key(&w, "text");
    cm_buf_t line = CM_BUF_INIT; /* the failure can be a long message: no fixed buffer for this line */
    cm_buf_printf(&line, "%s: %llu requests in %.1fs, %.2f%% unsuccessful%s%s", title,
                  (unsigned long long)hx_stats_offered(t), in->duration_s,
                  pct(hx_stats_unsuccessful(t), hx_stats_offered(t)), in->failure ? "; " : "",
                  in->failure ? in->failure : "");
    cm_jw_str(&w, line.data);
    cm_buf_free(&line);
    cm_jw_key(&w, "blocks");
    cm_jw_arr(&w);
    cm_jw_obj(&w);
    cm_jw_key(&w, "type");
    cm_jw_str(&w, "header");
    cm_jw_key(&w, "text");
    cm_jw_obj(&w);
    cm_jw_key(&w, "type");
    cm_jw_str(&w, "plain_text");
    cm_jw_key(&w, "text");
    cm_jw_str(&w, title);
    cm_jw_obj_end(&w);
    cm_jw_obj_end(&w);
    cm_jw_obj(&w);
    cm_jw_key(&w, "type");
    cm_jw_str(&w, "section");
    cm_jw_key(&w, "fields");
    cm_jw_arr(&w);
    field(&w, "Verdict", in->failure ? in->failure : pass ? "PASS" : "FAIL");
    snprintf(v, sizeof(v), "%.1fs of %.1fs%s", in->duration_s, in->planned_s, in->interrupted ? " (interrupted)" : "");
    field(&w, "Duration", v);
    snprintf(v, sizeof(v), "%llu offered, %llu ok, %llu rate-limited", (unsigned long long)hx_stats_offered(t),
             (unsigned long long)t->all.ok, (unsigned long long)t->all.rate_limited);
    field(&w, "Requests", v);
    snprintf(v, sizeof(v), "%.2f%%", pct(hx_stats_unsuccessful(t), hx_stats_offered(t)));
    field(&w, "Failure rate", v);
    snprintf(v, sizeof(v), "p50 %.1f ms, p95 %.1f ms, p99 %.1f ms", (double)cm_hist_percentile(&t->latency, 50) / 1e3,
             (double)cm_hist_percentile(&t->latency, 95) / 1e3, (double)cm_hist_percentile(&t->latency, 99) / 1e3);
    field(&w, "Latency", v);
    if (first_failure_s >= 0)
        snprintf(v, sizeof(v), "%.1fs into the run", first_failure_s);
    else
        snprintf(v, sizeof(v), "none");
    field(&w, "First failure", v);
    snprintf(v, sizeof(v), "%.150s", in->target ? in->target : "-");
    field(&w, "Target", v);
    cm_jw_arr_end(&w);
    cm_jw_obj_end(&w);
    cm_jw_arr_end(&w);
    cm_jw_obj_end(&w);
}

static size_t discard(char *data, size_t size, size_t nmemb, void *userp)
{
    (void)data;
    (void)userp;
    return size * nmemb;
}

int hx_webhook_post(const char *url, const char *body, size_t len, char *err, size_t errlen)
{
    CURL *e = curl_easy_init();
    if (e == NULL) {
        snprintf(err, errlen, "%s: curl_easy_init failed", url);
        return -1;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, HX_WEBHOOK_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    long status = 0;
    CURLcode rc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s: %s", url, curl_easy_strerror(rc));
        return -1;
    }
    if (status < 200 || status > 299) {
        snprintf(err, errlen, "%s: answered %ld", url, status);
        return -1;
    }
    return 0;
}
