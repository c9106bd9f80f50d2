/* harness/report/report_llm.h — the LLM metrics of docs/metrics.md in the reports: the JSON summary's icl_ms,
 * ttfrt_ms, tpot_ms, tpot_incl_first_ms, e2e_ms, output_tokens_per_s, token_counts and goodput, and the
 * terminal table's tokens and goodput lines. Used by report.c; reads stats, never changes them. */
#ifndef HX_REPORT_LLM_H
#define HX_REPORT_LLM_H

#include <stdio.h>

#include "common/json.h"
#include "harness/report/report.h"

/* Writes the members listed above into the open summary object. */
void hx_report_json_llm(cm_jw_t *w, const hx_report_t *r);
/* Writes the table's "Tokens/s" and "Goodput" lines (at most 100 columns, SLO list aside). */
void hx_report_table_llm(FILE *out, const hx_report_t *r);

#endif
