/* tests/unit/mock-provider/quota/quota_config_test.c — the `limits:` reader: every key, the defaults, and each
 * error with its exact file:line:col message (unknown keys, out of range by one, bad words, combinations). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mock-provider/quota/quota_config.h"

#include <string.h>

static int read_limits(const char *yaml, mp_quota_config_t *c, cm_err_t *err)
{
    cm_conf_t conf;
    memset(&conf, 0, sizeof(conf));
    memset(err, 0, sizeof(*err));
    int rc = cm_conf_load_string(&conf, "t.yaml", yaml, strlen(yaml), err);
    if (rc == 0)
        rc = mp_quota_config_read(&conf, cm_conf_get(conf.root, "limits"), "mock.deployments[0].limits", c, err);
    cm_conf_free(&conf);
    return rc;
}

static void expect_error(const char *yaml, const char *msg)
{
    mp_quota_config_t c;
    cm_err_t err;
    assert_int_equal(read_limits(yaml, &c, &err), -1);
    assert_string_equal(err.msg, msg);
}

static void test_every_key(void **state)
{
    mp_quota_config_t c;
    cm_err_t err;
    assert_int_equal(read_limits("limits: {rpm: 600, tpm: 100k, window: azure, per_key: true, concurrency: 8,\n"
                                 "         queue: 16, retry_after: http-date, charge: estimate}\n",
                                 &c, &err),
                     0);
    assert_int_equal(c.rpm, 600);
    assert_int_equal(c.tpm, 100000);
    assert_int_equal(c.window, MP_QUOTA_AZURE);
    assert_true(c.per_key);
    assert_int_equal(c.concurrency, 8);
    assert_int_equal(c.queue, 16);
    assert_int_equal(c.retry_after.kind, MP_RETRY_AFTER_HTTP_DATE);
    assert_int_equal(c.charge, MP_QUOTA_CHARGE_ESTIMATE);
    char why[128];
    assert_int_equal(mp_quota_config_check(&c, why, sizeof(why)), 0);
}

static void test_defaults_and_bounds(void **state)
{
    mp_quota_config_t c;
    cm_err_t err;
    assert_int_equal(read_limits("limits: {rpm: 60}\n", &c, &err), 0);
    assert_int_equal(c.rpm, 60);
    assert_int_equal(c.tpm, 0);
    assert_int_equal(c.window, MP_QUOTA_SLIDING);
    assert_false(c.per_key);
    assert_int_equal(c.concurrency, 0);
    assert_int_equal(c.retry_after.kind, MP_RETRY_AFTER_SECONDS);
    assert_int_equal(c.charge, MP_QUOTA_CHARGE_MAX_TOKENS);
    assert_int_equal(
        read_limits("limits: {rpm: 10000000, tpm: 10000000000, concurrency: 100000, queue: 100000}\n", &c, &err), 0);
    assert_int_equal(read_limits("limits: {concurrency: 1, queue: 0, retry_after: \"7\"}\n", &c, &err), 0);
    assert_int_equal(c.retry_after.kind, MP_RETRY_AFTER_FIXED);
    assert_string_equal(c.retry_after.fixed, "7");
    assert_int_equal(read_limits("limits: {tpm: 1, window: fixed, retry_after: ms}\n", &c, &err), 0);
    assert_int_equal(c.window, MP_QUOTA_FIXED);
}

static void test_errors(void **state)
{
    expect_error("limits:\n  rpm: 0\n",
                 "t.yaml:2:8: mock.deployments[0].limits.rpm: must be between 1 and 10000000, got 0");
    expect_error("limits:\n  rpm: 10000001\n",
                 "t.yaml:2:8: mock.deployments[0].limits.rpm: must be between 1 and 10000000, got 10000001");
    expect_error("limits:\n  tpm: 10000000001\n",
                 "t.yaml:2:8: mock.deployments[0].limits.tpm: must be between 1 and 10000000000, got 10000000001");
    expect_error("limits:\n  concurrency: 100001\n",
                 "t.yaml:2:16: mock.deployments[0].limits.concurrency: must be between 1 and 100000, got 100001");
    expect_error("limits:\n  concurrency: 1\n  queue: 100001\n",
                 "t.yaml:3:10: mock.deployments[0].limits.queue: must be between 0 and 100000, got 100001");
    expect_error(
        "limits:\n  rpm: 60\n  windw: fixed\n",
        "t.yaml:3:3: mock.deployments[0].limits: unknown key \"windw\" (did you mean \"window\"? allowed: rpm, "
        "tpm, window, per_key, concurrency, queue, retry_after, charge)");
    expect_error(
        "limits:\n  rpm: 60\n  window: slidng\n",
        "t.yaml:3:11: mock.deployments[0].limits.window: unknown window \"slidng\" (expected sliding, fixed or "
        "azure)");
    expect_error("limits:\n  tpm: 60\n  charge: usage\n",
                 "t.yaml:3:11: mock.deployments[0].limits.charge: unknown charge \"usage\" (expected max_tokens or "
                 "estimate)");
    expect_error("limits:\n  rpm: 60\n  per_key: yes please\n",
                 "t.yaml:3:12: mock.deployments[0].limits.per_key: expected true or false, got \"yes please\"");
    expect_error(
        "limits:\n  rpm: 60\n  retry_after: \"\"\n",
        "t.yaml:3:16: mock.deployments[0].limits.retry_after: expected seconds, http-date, ms, none or a fixed "
        "value of 1 to 63 characters");
    expect_error("limits:\n  rpm: 60\n  retry_after: \"1\\t2\"\n",
                 "t.yaml:3:16: mock.deployments[0].limits.retry_after: a fixed retry_after value must be printable "
                 "ASCII (it is sent as a header)");
}

static void test_combinations(void **state)
{
    expect_error("limits: 60\n",
                 "t.yaml:1:9: mock.deployments[0].limits: expected a map such as {rpm: 60, tpm: 10000}");
    expect_error("limits:\n", "t.yaml:1:8: mock.deployments[0].limits: expected a map such as {rpm: 60, tpm: 10000}");
    expect_error("limits: {}\n",
                 "t.yaml:1:9: mock.deployments[0].limits: limits needs at least one of rpm, tpm and concurrency");
    expect_error("limits:\n  rpm: 60\n  queue: 4\n",
                 "t.yaml:3:10: mock.deployments[0].limits.queue: a queue needs a concurrency limit (the queue holds "
                 "requests beyond it)");
    expect_error("limits:\n  concurrency: 4\n  per_key: true\n",
                 "t.yaml:3:12: mock.deployments[0].limits.per_key: per_key applies to rpm and tpm; set at least one");
    expect_error("limits:\n  rpm: 4\n  charge: estimate\n",
                 "t.yaml:3:11: mock.deployments[0].limits.charge: charge applies to tpm; set it");
    expect_error("limits:\n  concurrency: 4\n  window: fixed\n",
                 "t.yaml:3:11: mock.deployments[0].limits.window: window applies to rpm and tpm; set at least one");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_defaults_and_bounds),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_combinations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
