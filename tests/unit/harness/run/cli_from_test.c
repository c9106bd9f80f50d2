/* tests/unit/harness/run/cli_from_test.c — hx_cli_parse_load_from: a scenario given by a loader (soak run's sweep
 * runs) instead of --config, the flags applied over it, a sweep's arrival replaced by the run's own, and --config
 * or --set refused beside a loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness/run/cli.h"

#define ARGV(...) ((char *[]){"load", __VA_ARGS__, NULL})
#define ARGC(v) ((int)(sizeof(v) / sizeof(char *)) - 1)

static const char *const scenario = "name: swept\n"
                                    "load:\n"
                                    "  target: http://127.0.0.1:9/v1\n"
                                    "  threads: 1\n"
                                    "  headers: {X-Team: soak}\n"
                                    "  arrival: {sweep: {rates: 2}}\n";

typedef struct loader {
    unsigned calls;
    bool fail;
} loader_t;

static int load_scenario(void *ctx, hx_cfg_t *c, char *err, size_t errlen)
{
    loader_t *l = ctx;
    cm_conf_t conf;
    cm_err_t e;
    l->calls++;
    if (l->fail) {
        snprintf(err, errlen, "the loader failed");
        return -1;
    }
    int rc = cm_conf_load_string(&conf, "s.yaml", scenario, strlen(scenario), &e);
    if (rc == 0)
        rc = hx_cfg_load(c, &conf, &e);
    cm_conf_free(&conf);
    if (rc != 0)
        snprintf(err, errlen, "%s", e.msg);
    return rc;
}

static void test_flags_over_the_loaded_scenario(void **state)
{
    (void)state;
    loader_t l = {0};
    hx_cli_t cli;
    char err[1024] = "";
    char **argv = ARGV("--users", "4", "--duration", "2s", "--quiet");
    if (hx_cli_parse_load_from(ARGC(ARGV("--users", "4", "--duration", "2s", "--quiet")), argv, load_scenario, &l, &cli,
                               err, sizeof(err)) != 0)
        fail_msg("unexpected error: %s", err);
    assert_int_equal(l.calls, 1);
    assert_string_equal(cli.cfg.name, "swept");
    assert_string_equal(cli.cfg.target, "http://127.0.0.1:9/v1");
    assert_true(cli.cfg.sweep.set);
    assert_int_equal(cli.cfg.arrival.kind, HX_ARRIVAL_USERS);
    assert_int_equal(cli.cfg.arrival.users, 4);
    assert_true(cli.cfg.duration_ns == 2000000000ull);
    assert_int_equal(cli.cfg.nheaders, 1);
    hx_cli_free(&cli);
}

static void test_refused_and_failing(void **state)
{
    (void)state;
    loader_t l = {0};
    hx_cli_t cli;
    char err[1024] = "";
    char **with_config = ARGV("--rate", "5/s", "--config", "other.yaml");
    assert_int_equal(hx_cli_parse_load_from(ARGC(ARGV("--rate", "5/s", "--config", "other.yaml")), with_config,
                                            load_scenario, &l, &cli, err, sizeof(err)),
                     -1);
    assert_string_equal(err, "--config and --set: the scenario is given already");
    assert_int_equal(l.calls, 0);
    hx_cli_free(&cli);
    l.fail = true;
    char **argv = ARGV("--rate", "5/s");
    assert_int_equal(
        hx_cli_parse_load_from(ARGC(ARGV("--rate", "5/s")), argv, load_scenario, &l, &cli, err, sizeof(err)), -1);
    assert_string_equal(err, "the loader failed");
    hx_cli_free(&cli);
    /* without an arrival from the flags, the sweep cannot be run as one load */
    l.fail = false;
    char **none = ARGV("--quiet");
    assert_int_equal(hx_cli_parse_load_from(ARGC(ARGV("--quiet")), none, load_scenario, &l, &cli, err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "load.arrival: a sweep is run by `soak run s.yaml`"));
    hx_cli_free(&cli);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flags_over_the_loaded_scenario),
        cmocka_unit_test(test_refused_and_failing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
