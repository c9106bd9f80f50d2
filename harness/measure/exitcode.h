/* harness/measure/exitcode.h — which exit status a failed run ends with. By default every failure is 1 (0 pass,
 * 1 fail, 2 error: harness/run/run.h). When the user asks for it (`--exit-codes detailed`, `report:
 * {exit_codes: detailed}` in a scenario, or `exit_code:` on one expectation), a failure says its class
 * instead, so a CI script can tell a latency regression from an error storm without parsing the report
 * (docs/expectations.md "Exit codes"). */
#ifndef HX_EXITCODE_H
#define HX_EXITCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/config.h"
#include "harness/measure/verdict.h"

/* The classes of a failed run and their detailed exit statuses. Statuses 126 and above mean "not executable"
 * and "killed by a signal" to shells, so none is used. */
typedef enum hx_exit_class {
    HX_EXIT_CLASS_LATENCY = 10,    /* a latency-type metric: latency, service, ttfb, ttft, itl, tpot, ... */
    HX_EXIT_CLASS_FAILURES = 11,   /* failure_rate, requests.failed, requests.rate_limited, requests.aborted */
    HX_EXIT_CLASS_THROUGHPUT = 12, /* rate.*, successes_per_minute, requests.total, requests.ok, tokens */
    HX_EXIT_CLASS_GOODPUT = 13,    /* goodput.rate, goodput.attainment (the SLOs) */
    HX_EXIT_CLASS_DRIFT = 14,      /* drift.* */
    HX_EXIT_CLASS_SHARE = 15,      /* deployment_share.* */
    HX_EXIT_CLASS_CLIENT = 16,     /* the client's self-check: pacer_lag.*, late, dropped */
    HX_EXIT_CLASS_NO_SUCCESS = 17, /* no request succeeded, whatever the expectations say */
    HX_EXIT_CLASS_RUN_FAILED = 18, /* the run failed on its own (a process `soak run` started died) */
} hx_exit_class_t;

/* The lowest and highest status an expectation's own exit_code may take: 0, 1 and 2 keep their meaning. */
#define HX_EXIT_CODE_MIN 3
#define HX_EXIT_CODE_MAX 125

/* The class of a failed expectation on metric (a name hx_expect_parse accepted). */
hx_exit_class_t hx_exit_class_of(const char *metric);
/* "latency", "failures", ...: the class's name for reports. */
const char *hx_exit_class_name(hx_exit_class_t c);

/* The exit status of a failed run (pass is 0 and decided elsewhere): run_failed and no_success come first
 * (they make every other figure moot), then the first failed expectation in the order given: its own
 * exit_code when it has one, else its class's status when detailed, else 1. */
int hx_exit_code(const hx_expect_t *e, const hx_verdict_t *v, size_t n, bool run_failed, bool no_success,
                 bool detailed);

/* Parses `--exit-codes MODE` or `report.exit_codes: MODE`: "default" (false) or "detailed" (true). Returns 0, or -1
 * with a reason in err. */
int hx_exit_mode_parse(const char *s, bool *detailed, char *err, size_t errlen);
/* Reads an expectation item's `exit_code` (an integer HX_EXIT_CODE_MIN..HX_EXIT_CODE_MAX) into e->exit_code
 * (0 when absent). Returns 0, or -1 with file:line:col in err. */
int hx_expect_parse_exit_code(const cm_conf_t *conf, const cm_node_t *item, const char *path, hx_expect_t *e,
                              cm_err_t *err);

#endif
