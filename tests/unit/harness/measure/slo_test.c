/* tests/unit/harness/measure/slo_test.c — SLO parsing (flags and a config list with file:line:col errors) and
 * goodput on requests with known timings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/measure/slo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ull
#define T0 (1000ull * 1000000000ull)

static void test_parse(void **state)
{
    (void)state;
    hx_slo_t s;
    char err[512];
    assert_int_equal(hx_slo_parse("ttft<500ms", &s, err, sizeof(err)), 0);
    assert_int_equal(s.metric, HX_RM_TTFT);
    assert_true(s.upper && s.strict);
    assert_true(fabs(s.bound - 500) < 1e-9);
    assert_string_equal(s.text, "ttft<500ms");
    assert_int_equal(hx_slo_parse(" tpot <= 50ms ", &s, err, sizeof(err)), 0);
    assert_true(s.upper && !s.strict);
    assert_string_equal(s.text, "tpot<=50ms");
    assert_int_equal(hx_slo_parse("output_tokens_per_s>=20", &s, err, sizeof(err)), 0);
    assert_false(s.upper);
    assert_true(fabs(s.bound - 20) < 1e-9);
    assert_int_equal(hx_slo_parse("output_tokens_per_s>1.2k/min", &s, err, sizeof(err)), 0);
    assert_true(fabs(s.bound - 20) < 1e-9);
    assert_int_equal(hx_slo_parse("e2e<2s", &s, err, sizeof(err)), 0);
    assert_true(fabs(s.bound - 2000) < 1e-9);
    assert_int_equal(hx_slo_parse("ttft=500ms", &s, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "expected METRIC<VALUE"));
    assert_int_equal(hx_slo_parse("latency.p99<5ms", &s, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "unknown metric \"latency.p99\" (expected ttfb, ttft"));
    assert_int_equal(hx_slo_parse("ttft<5", &s, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "ttft takes a duration"));
    assert_int_equal(hx_slo_parse("ttft<", &s, err, sizeof(err)), -1);
}

static void test_parse_list(void **state)
{
    (void)state;
    static const char yaml[] = "slo:\n  - ttft<500ms\n  - tpot<50ms\n";
    static const char bad[] = "slo:\n  - ttft<500ms\n  - tpot<fast\n";
    cm_conf_t conf;
    cm_err_t err;
    hx_slo_t *v;
    size_t n;
    assert_int_equal(cm_conf_load_string(&conf, "s.yaml", yaml, strlen(yaml), &err), 0);
    assert_int_equal(hx_slo_parse_list(&conf, cm_conf_get(conf.root, "slo"), "slo", &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[1].metric, HX_RM_TPOT);
    free(v);
    cm_conf_free(&conf);
    assert_int_equal(cm_conf_load_string(&conf, "s.yaml", bad, strlen(bad), &err), 0);
    assert_int_equal(hx_slo_parse_list(&conf, cm_conf_get(conf.root, "slo"), "slo", &v, &n, &err), -1);
    assert_non_null(strstr(err.msg, "s.yaml:3:5: slo[1]: SLO \"tpot<fast\""));
    assert_null(v);
    cm_conf_free(&conf);
    /* HX_MAX_SLOS, then one more */
    char many[64 * (HX_MAX_SLOS + 2)] = "slo:\n";
    for (int i = 0; i < HX_MAX_SLOS; i++)
        strcat(many, "  - ttft<1s\n");
    assert_int_equal(cm_conf_load_string(&conf, "m.yaml", many, strlen(many), &err), 0);
    assert_int_equal(hx_slo_parse_list(&conf, cm_conf_get(conf.root, "slo"), "slo", &v, &n, &err), 0);
    assert_int_equal(n, HX_MAX_SLOS);
    free(v);
    cm_conf_free(&conf);
    strcat(many, "  - ttft<1s\n");
    assert_int_equal(cm_conf_load_string(&conf, "m.yaml", many, strlen(many), &err), 0);
    assert_int_equal(hx_slo_parse_list(&conf, cm_conf_get(conf.root, "slo"), "slo", &v, &n, &err), -1);
    assert_non_null(strstr(err.msg, "17 SLOs, at most 16"));
    cm_conf_free(&conf);
}

static hx_result_t stream_result(uint64_t ttft_ms, uint64_t last_ms, uint32_t tokens)
{
    hx_result_t r;
    memset(&r, 0, sizeof(r));
    r.status = 200;
    r.stream = true;
    r.intended = r.sent = T0;
    r.first_byte = T0 + MS;
    r.first_output = r.first_token = T0 + ttft_ms * MS;
    r.last_output = r.last_token = T0 + last_ms * MS;
    r.done = r.last_output + MS;
    r.chunks = r.tokens = tokens;
    r.usage_tokens = -1;
    return r;
}

/* Goodput on known inputs: ttft<500ms and tpot<50ms must both hold. */
static void test_met(void **state)
{
    (void)state;
    hx_slo_t slos[2];
    char err[256];
    assert_int_equal(hx_slo_parse("ttft<500ms", &slos[0], err, sizeof(err)), 0);
    assert_int_equal(hx_slo_parse("tpot<50ms", &slos[1], err, sizeof(err)), 0);
    hx_result_t good = stream_result(400, 400 + 9 * 40, 10);  /* TPOT 40 ms */
    hx_result_t slow_first = stream_result(500, 500 + 9 * 10, 10); /* TTFT 500 ms: not below 500 */
    hx_result_t slow_decode = stream_result(100, 100 + 9 * 60, 10); /* TPOT 60 ms */
    hx_result_t one_token = stream_result(100, 100, 1);             /* no TPOT: nothing could be slow */
    hx_result_t failed = good;
    failed.err = HX_ERR_STREAM_TRUNCATED;
    hx_result_t plain = good; /* a non-stream has no TTFT: an SLO on it fails */
    plain.stream = false;
    assert_true(hx_slo_met(slos, 2, &good));
    assert_false(hx_slo_met(slos, 2, &slow_first));
    assert_false(hx_slo_met(slos, 2, &slow_decode));
    assert_true(hx_slo_met(slos, 2, &one_token));
    assert_false(hx_slo_met(slos, 2, &failed));
    assert_false(hx_slo_met(slos, 2, &plain));
    assert_true(hx_slo_met(slos, 0, &plain)); /* no SLO: every success is good */
    assert_false(hx_slo_met(slos, 0, &failed));
    /* A lower bound: 10 tokens over 761 ms is 13.1 tokens/s. */
    hx_slo_t rate;
    assert_int_equal(hx_slo_parse("output_tokens_per_s>=13", &rate, err, sizeof(err)), 0);
    assert_true(hx_slo_met(&rate, 1, &good));
    assert_int_equal(hx_slo_parse("output_tokens_per_s>=14", &rate, err, sizeof(err)), 0);
    assert_false(hx_slo_met(&rate, 1, &good));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_list),
        cmocka_unit_test(test_met),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
