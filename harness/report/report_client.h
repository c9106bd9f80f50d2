/* harness/report/report_client.h — the client's self-check (harness/measure/selfcheck.h) in every report: the
 * terminal table's "Client" section with its warning lines, the JSON summary's "client" object, JUnit
 * properties and system-out, and the HTML report's "Client" table. Reads stats, never changes them. */
#ifndef HX_REPORT_CLIENT_H
#define HX_REPORT_CLIENT_H

#include <stdio.h>

#include "common/buf.h"
#include "common/json.h"
#include "harness/report/report.h"

/* The "Client" section: pacer lag, late sends and engine CPU for the run, its phases and its groups, then a
 * "WARNING" line for each warning of the run's self-check. */
void hx_report_table_client(FILE *out, const hx_report_t *r);
/* The summary's "client" member (docs/json-summary.md), into the open summary object. */
void hx_report_json_client(cm_jw_t *w, const hx_report_t *r);
/* A part's (phase, group) pacer lag and late count, into its open object. */
void hx_report_json_client_slice(cm_jw_t *w, const hx_stats_t *s);
/* JUnit: the self-check's figures as property lines, inside the testsuite's <properties> (report_junit.c). */
void hx_report_junit_client(cm_buf_t *b, const hx_report_t *r);
/* HTML: the "Client" table and its warnings. */
void hx_report_html_client(cm_buf_t *b, const hx_report_t *r);
/* Prints each warning of the run's self-check as "soak: warning: ..." (for stderr). Returns how many. */
int hx_report_client_warnings(FILE *out, const hx_report_t *r);

#endif
