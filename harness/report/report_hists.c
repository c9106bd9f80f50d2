/* harness/report/report_hists.c — the JSON summary's "histograms": the run's cumulative histograms in full,
 * bucket by bucket (common/hist_json.h), so that the summaries of runs sharded across machines can be merged
 * exactly and their percentiles computed again.
 *
 * They are the histograms the summary's own percentiles come from (the run less its excluded phases and
 * its warm-up by count), and each is present exactly when its summary field is. */
#include <stddef.h>

#include "common/hist_json.h"
#include "harness/report/report.h"

/* The table of what is exported: the summary field each backs is in docs/json-summary.md. */
static const struct {
    const char *key;
    size_t offset; /* of the cm_hist_t in hx_stats_t */
    const char *unit;
    bool always; /* written even when empty, as the summary field it backs is */
} hists[] = {
    {"latency", offsetof(hx_stats_t, latency), "us", true},
    {"service", offsetof(hx_stats_t, service), "us", true},
    {"latency_all", offsetof(hx_stats_t, latency_all), "us", true},
    {"ttfb", offsetof(hx_stats_t, ttfb), "us", false},
    {"ttft", offsetof(hx_stats_t, ttft), "us", false},
    {"itl", offsetof(hx_stats_t, itl), "us", false},
    {"icl", offsetof(hx_stats_t, icl), "us", false},
    {"ttfrt", offsetof(hx_stats_t, ttfrt), "us", false},
    {"tpot", offsetof(hx_stats_t, tpot), "us", false},
    {"tpot_incl_first", offsetof(hx_stats_t, tpot_incl_first), "us", false},
    {"ttlt", offsetof(hx_stats_t, ttlt), "us", false},
    {"gateway_overhead", offsetof(hx_stats_t, gateway_overhead), "us", false},
    {"litellm_overhead", offsetof(hx_stats_t, litellm_overhead), "us", false},
    {"mock_service", offsetof(hx_stats_t, mock_service), "us", false},
    {"pacer_lag", offsetof(hx_stats_t, pacer_lag), "us", true},
    /* Output tokens per second are kept x1000 (hx_stats_t.otps): thousandths of a token per second. */
    {"output_tokens_per_s", offsetof(hx_stats_t, otps), "milli_tokens_per_s", true},
};

void hx_report_json_histograms(cm_jw_t *w, const hx_report_t *r)
{
    cm_jw_key(w, "histograms");
    cm_jw_obj(w);
    cm_jw_key(w, "layout");
    cm_hist_json_write_layout(w);
    for (size_t i = 0; i < sizeof(hists) / sizeof(hists[0]); i++) {
        const cm_hist_t *h = (const cm_hist_t *)((const char *)r->total + hists[i].offset);
        if (h->count == 0 && !hists[i].always)
            continue;
        cm_jw_key(w, hists[i].key);
        cm_hist_json_write(w, h, hists[i].unit);
    }
    cm_jw_obj_end(w);
}
