/* harness/report/report_llm.c — the LLM metrics (docs/metrics.md) in the JSON summary and the terminal table.
 *
 * Apart from report.c so that the summary's general parts and these grow independently. Output tokens per
 * second are kept x1000 in their histogram (hx_stats_t.otps), which hx_report_json_hist_open divides back
 * as it does microseconds into milliseconds. */
#include "harness/report/report_llm.h"

static double per_s(uint64_t n, double secs)
{
    return secs > 0 ? (double)n / secs : 0;
}

static double pct_of(uint64_t part, uint64_t whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0;
}

static void jw_u(cm_jw_t *w, const char *key, uint64_t v)
{
    cm_jw_key(w, key);
    cm_jw_uint(w, v);
}

static void jw_f(cm_jw_t *w, const char *key, double v)
{
    cm_jw_key(w, key);
    cm_jw_fixed(w, v, 3);
}

/* The LLM metrics docs/metrics.md defines, under its names (ttfb_ms, ttft_ms, itl_ms and ttlt_ms are
 * written with the other histograms). */
static void json_llm(cm_jw_t *w, const hx_stats_t *t, double secs)
{
    if (t->icl.count > 0)
        hx_report_json_ms(w, "icl_ms", &t->icl, true);
    if (t->ttfrt.count > 0)
        hx_report_json_ms(w, "ttfrt_ms", &t->ttfrt, true);
    if (t->tpot.count > 0)
        hx_report_json_ms(w, "tpot_ms", &t->tpot, true);
    if (t->tpot_incl_first.count > 0)
        hx_report_json_ms(w, "tpot_incl_first_ms", &t->tpot_incl_first, true);
    hx_report_json_ms(w, "e2e_ms", &t->latency, true);
    hx_report_json_hist_open(w, "output_tokens_per_s", &t->otps);
    jw_f(w, "aggregate", per_s(t->success_tokens, secs));
    cm_jw_obj_end(w);
    cm_jw_key(w, "token_counts");
    cm_jw_obj(w);
    jw_u(w, "usage_reported", t->usage_compared);
    jw_u(w, "usage_missing", t->usage_missing);
    jw_u(w, "differs", t->usage_differs);
    jw_u(w, "usage_tokens", t->usage_tokens);
    jw_u(w, "chunks", t->usage_chunks);
    cm_jw_obj_end(w);
}

/* goodput: the SLOs, the good requests, their rate and their share of the offered load. */
static void json_goodput(cm_jw_t *w, const hx_report_t *r)
{
    const hx_stats_t *t = r->total;
    uint64_t offered = hx_stats_offered(t);
    cm_jw_key(w, "goodput");
    cm_jw_obj(w);
    cm_jw_key(w, "slos");
    cm_jw_arr(w);
    for (size_t i = 0; i < r->info->nslos; i++)
        cm_jw_str(w, r->info->slos[i].text);
    cm_jw_arr_end(w);
    jw_u(w, "good", t->good);
    jw_f(w, "rate", per_s(t->good, r->info->duration_s));
    cm_jw_key(w, "attainment");
    if (offered > 0)
        cm_jw_fixed(w, (double)t->good / (double)offered, 6);
    else
        cm_jw_null(w);
    cm_jw_obj_end(w);
}

void hx_report_json_llm(cm_jw_t *w, const hx_report_t *r)
{
    json_llm(w, r->total, r->info->duration_s);
    json_goodput(w, r);
}

/* Output tokens (aggregate and per request), how the usage counts compared with the chunks, and goodput. */
void hx_report_table_llm(FILE *out, const hx_report_t *r)
{
    const hx_stats_t *t = r->total;
    double secs = r->info->duration_s;
    if (t->otps.count > 0)
        fprintf(out, "Tokens/s   aggregate %.1f  per request p50 %.1f  p10 %.1f\n", per_s(t->success_tokens, secs),
                (double)cm_hist_percentile(&t->otps, 50) / 1000.0, (double)cm_hist_percentile(&t->otps, 10) / 1000.0);
    if (t->usage_compared + t->usage_missing > 0)
        fprintf(out, "           usage reported by %llu streams (%llu tokens over %llu chunks; differs in %llu), "
                     "missing in %llu\n",
                (unsigned long long)t->usage_compared, (unsigned long long)t->usage_tokens,
                (unsigned long long)t->usage_chunks, (unsigned long long)t->usage_differs,
                (unsigned long long)t->usage_missing);
    uint64_t offered = hx_stats_offered(t);
    fprintf(out, "Goodput    %.1f/s  attainment %.2f%% (%llu good of %llu offered", per_s(t->good, secs),
            pct_of(t->good, offered), (unsigned long long)t->good, (unsigned long long)offered);
    for (size_t i = 0; i < r->info->nslos; i++)
        fprintf(out, "%s%s", i == 0 ? "; SLO " : ", ", r->info->slos[i].text);
    fputs(r->info->nslos == 0 ? "; no SLO: every success)\n\n" : ")\n\n", out);
}
