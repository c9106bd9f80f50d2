/* harness/measure/exitcode.c — the class of a failed expectation and the exit status of a failed run. Classes
 * follow the metric's family (the prefix before the first '.'), so a metric added to verdict.c lands in a
 * class by its name; anything not listed is judged a latency-type metric, the family that grows. */
#include "harness/measure/exitcode.h"

#include <stdio.h>
#include <string.h>

typedef struct class_rule {
    const char *prefix; /* the metric, or its family followed by '.' */
    hx_exit_class_t cls;
} class_rule_t;

static const class_rule_t rules[] = {
    {"failure_rate", HX_EXIT_CLASS_FAILURES},
    {"requests.failed", HX_EXIT_CLASS_FAILURES},
    {"requests.rate_limited", HX_EXIT_CLASS_FAILURES},
    {"requests.aborted", HX_EXIT_CLASS_FAILURES},
    {"requests.", HX_EXIT_CLASS_THROUGHPUT}, /* total, ok */
    {"rate.", HX_EXIT_CLASS_THROUGHPUT},
    {"successes_per_minute", HX_EXIT_CLASS_THROUGHPUT},
    {"tokens", HX_EXIT_CLASS_THROUGHPUT},
    {"goodput.", HX_EXIT_CLASS_GOODPUT},
    {"drift.", HX_EXIT_CLASS_DRIFT},
    {"deployment_share.", HX_EXIT_CLASS_SHARE},
    {"pacer_lag.", HX_EXIT_CLASS_CLIENT},
    {"late", HX_EXIT_CLASS_CLIENT},
    {"dropped", HX_EXIT_CLASS_CLIENT},
};

static bool matches(const char *metric, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(metric, prefix, n) != 0)
        return false;
    return prefix[n - 1] == '.' || metric[n] == '\0';
}

hx_exit_class_t hx_exit_class_of(const char *metric)
{
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (matches(metric, rules[i].prefix))
            return rules[i].cls;
    return HX_EXIT_CLASS_LATENCY;
}

const char *hx_exit_class_name(hx_exit_class_t c)
{
    switch (c) {
    case HX_EXIT_CLASS_LATENCY:
        return "latency";
    case HX_EXIT_CLASS_FAILURES:
        return "failures";
    case HX_EXIT_CLASS_THROUGHPUT:
        return "throughput";
    case HX_EXIT_CLASS_GOODPUT:
        return "goodput";
    case HX_EXIT_CLASS_DRIFT:
        return "drift";
    case HX_EXIT_CLASS_SHARE:
        return "deployment share";
    case HX_EXIT_CLASS_CLIENT:
        return "client";
    case HX_EXIT_CLASS_NO_SUCCESS:
        return "no success";
    case HX_EXIT_CLASS_RUN_FAILED:
        return "run failed";
    }
    return "?";
}

int hx_exit_code(const hx_expect_t *e, const hx_verdict_t *v, size_t n, bool run_failed, bool no_success, bool detailed)
{
    if (run_failed)
        return detailed ? HX_EXIT_CLASS_RUN_FAILED : 1;
    if (no_success)
        return detailed ? HX_EXIT_CLASS_NO_SUCCESS : 1;
    for (size_t i = 0; i < n; i++) {
        if (v[i].pass)
            continue;
        if (e[i].exit_code != 0)
            return e[i].exit_code;
        return detailed ? (int)hx_exit_class_of(e[i].metric) : 1;
    }
    return 1; /* called for a failed run: there is always a reason above, but a failure never reads as 0 */
}

int hx_exit_mode_parse(const char *s, bool *detailed, char *err, size_t errlen)
{
    if (strcmp(s, "default") == 0 || strcmp(s, "detailed") == 0) {
        *detailed = strcmp(s, "detailed") == 0;
        return 0;
    }
    snprintf(err, errlen,
             "\"%.40s\": expected default (0 pass, 1 fail, 2 error) or detailed (a status per "
             "failed expectation class, docs/expectations.md)",
             s);
    return -1;
}

int hx_expect_parse_exit_code(const cm_conf_t *conf, const cm_node_t *item, const char *path, hx_expect_t *e,
                              cm_err_t *err)
{
    char p[192];
    int64_t v;
    const cm_node_t *n = cm_conf_get(item, "exit_code");
    e->exit_code = 0;
    if (n == NULL)
        return 0;
    cm_conf_path(p, sizeof(p), path, -1, "exit_code");
    if (cm_conf_int(conf, n, p, HX_EXIT_CODE_MIN, HX_EXIT_CODE_MAX, &v, err) != 0)
        return -1;
    e->exit_code = (int)v;
    return 0;
}
