/* harness/report/html.h — the HTML report: one self-contained file (no script, font, stylesheet or image
 * fetched from anywhere; it opens offline) with the run header, a banner when the run itself failed, the
 * verdict table, the totals, and inline SVG charts over time (achieved vs offered rate, latency p50/p90/p99,
 * TTFT, errors and 429s by class) plus each deployment's share of the answered requests. */
#ifndef HX_HTML_H
#define HX_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "common/buf.h"
#include "harness/measure/timeline.h"
#include "harness/report/report.h"
#include "harness/report/svg.h"

/* Fault windows shaded on the charts; more are left out and the report says so. */
#define HX_HTML_MAX_WINDOWS HX_SVG_MAX_BANDS

typedef struct hx_html_input {
    const hx_report_t *report;
    const hx_timeline_t *timeline; /* the run's intervals (hx_collector_timeline); NULL: no chart has data */
    /* The hook for fault windows: spans of the run ({start_s, end_s, label}, seconds since the start) that
     * `soak run` passes from its timed changes (hx_cfg_t.report_windows). Shaded on every chart over time
     * and listed under the charts. NULL/0: none. */
    const hx_report_window_t *windows;
    size_t nwindows;
} hx_html_input_t;

/* The report's inline stylesheet (tables, badges, charts), for other pages drawn with the same charts (the sweep
 * page of harness/capacity). */
extern const char hx_html_style[];

/* Appends the whole document to b. */
void hx_html_render(cm_buf_t *b, const hx_html_input_t *in);
/* Writes the document to out. Returns 0, or -1 on a write error (errno set). */
int hx_report_html(FILE *out, const hx_html_input_t *in);

#endif
