/* harness/run/run.h — one `soak load` run from start to verdict: opens the report files, starts the engine and
 * the collector, draws the progress line, handles SIGINT/SIGTERM (first: stop and drain, second: abort),
 * closes intervals, evaluates the expectations and writes every report. */
#ifndef HX_RUN_H
#define HX_RUN_H

#include <stdio.h>

#include "harness/config/config.h"

/* Exit statuses shared by every soak command. */
#define HX_EXIT_PASS 0
#define HX_EXIT_FAIL 1  /* an expectation failed, or no request succeeded */
#define HX_EXIT_ERROR 2 /* usage, configuration or runtime error */

/* Runs cfg (finished by hx_cfg_finish). The final table and verdict go to out, progress and diagnostics to
 * err_out. Returns HX_EXIT_PASS, HX_EXIT_FAIL or HX_EXIT_ERROR (a report could not be written, the engine
 * could not start). SIGINT and SIGTERM are blocked in the calling thread for the duration of the run. */
int hx_run(const hx_cfg_t *cfg, FILE *out, FILE *err_out);

#endif
