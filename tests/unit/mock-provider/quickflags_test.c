/* tests/unit/mock-provider/quickflags_test.c — the command line to config step: one deployment from quick
 * flags with defaults and overrides, process-wide flags over a file, and the error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mock-provider/quickflags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void expect_error(const mp_cli_t *cli, const char *msg)
{
    mp_config_t c;
    cm_err_t err;
    mp_config_init(&c);
    memset(&err, 0, sizeof(err));
    assert_int_equal(mp_cli_build_config(cli, &c, &err), -1);
    assert_string_equal(err.msg, msg);
    mp_config_free(&c);
}

static void test_defaults(void **state)
{
    mp_cli_t cli;
    memset(&cli, 0, sizeof(cli));
    mp_config_t c;
    cm_err_t err;
    mp_config_init(&c);
    assert_int_equal(mp_cli_build_config(&cli, &c, &err), 0);
    assert_int_equal(c.ndeps, 1);
    assert_string_equal(c.deps[0].name, "default");
    assert_string_equal(c.deps[0].listen_host, "127.0.0.1");
    assert_int_equal(c.deps[0].listen_port, 0);
    assert_int_equal(c.deps[0].nmodels, 0);
    assert_int_equal(c.deps[0].output_tokens.kind, CM_DIST_NORMAL);
    assert_int_equal(c.threads, 0);
    assert_int_equal(c.keepalive_timeout, 300ull * 1000000000ull);
    mp_config_free(&c);
}

static void test_every_quick_flag(void **state)
{
    mp_cli_t cli = {
        .name = "fast",
        .listen = "[::1]:0",
        .ttft = "200ms",
        .itl = "normal(20ms, 5ms)",
        .prefill_per_token = "0.02ms",
        .output_tokens = "fixed(12)",
        .content = "echo",
        .seed = "42",
        .models = {"gpt-4o", "gpt-4o-mini"},
        .nmodels = 2,
        .api_keys = {"sk-test"},
        .nkeys = 1,
        .tool_calls = true,
        .threads = "2",
        .keepalive_timeout = "1m",
        .max_body = "64KiB",
    };
    mp_config_t c;
    cm_err_t err;
    mp_config_init(&c);
    assert_int_equal(mp_cli_build_config(&cli, &c, &err), 0);
    const mp_deployment_t *d = &c.deps[0];
    assert_string_equal(d->name, "fast");
    assert_string_equal(d->listen_host, "::1");
    assert_float_equal(d->ttft.a, 200e6, 1e-3);
    assert_int_equal(d->itl.kind, CM_DIST_NORMAL);
    assert_float_equal(d->prefill_per_token.a, 20e3, 1e-3);
    assert_float_equal(d->output_tokens.a, 12, 0);
    assert_int_equal(d->content, MP_CONTENT_ECHO);
    assert_int_equal(d->seed, 42);
    assert_int_equal(d->nmodels, 2);
    assert_string_equal(d->models[1], "gpt-4o-mini");
    assert_int_equal(d->nkeys, 1);
    assert_true(d->tool_calls);
    assert_int_equal(c.threads, 2);
    assert_int_equal(c.keepalive_timeout, 60ull * 1000000000ull);
    assert_int_equal(c.max_body, 65536);
    mp_config_free(&c);
}

static void test_errors(void **state)
{
    mp_cli_t cli;
    memset(&cli, 0, sizeof(cli));
    cli.ttft = "lognorml(1ms, 0.3)";
    mp_config_t c;
    cm_err_t err;
    mp_config_init(&c);
    assert_int_equal(mp_cli_build_config(&cli, &c, &err), -1);
    const char *prefix = "--ttft \"lognorml(1ms, 0.3)\": unknown distribution \"lognorml\"";
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0)
        fail_msg("\"%s\" does not start with \"%s\"", err.msg, prefix);
    mp_config_free(&c);

    memset(&cli, 0, sizeof(cli));
    cli.listen = "localhost";
    expect_error(&cli, "--listen \"localhost\": expected HOST:PORT, e.g. 127.0.0.1:0 or [::1]:8080");
    memset(&cli, 0, sizeof(cli));
    cli.content = "lorem";
    expect_error(&cli, "--content \"lorem\": expected pool or echo");
    memset(&cli, 0, sizeof(cli));
    cli.threads = "0";
    expect_error(&cli, "--threads \"0\": expected a whole number from 1 to 256");
    memset(&cli, 0, sizeof(cli));
    cli.seed = "-1";
    expect_error(&cli, "--seed \"-1\": expected a whole number from 0 to 18446744073709551615");
    memset(&cli, 0, sizeof(cli));
    cli.name = "has space";
    expect_error(&cli, "--name: name \"has space\" has an invalid character ' ' (allowed: letters, digits, '.', '_', "
                       "'-')");
    memset(&cli, 0, sizeof(cli));
    cli.models[0] = "m";
    cli.models[1] = "m";
    cli.nmodels = 2;
    expect_error(&cli, "--model \"m\" is given twice");
    memset(&cli, 0, sizeof(cli));
    cli.max_body = "0";
    expect_error(&cli, "--max-body \"0\": must be from 1 byte to 1GiB");
    memset(&cli, 0, sizeof(cli));
    cli.keepalive_timeout = "0s";
    expect_error(&cli, "--keepalive-timeout \"0s\": must be at least 1ms");
    memset(&cli, 0, sizeof(cli));
    cli.config = "x.yaml";
    cli.first_quick_flag = "ttft";
    expect_error(&cli, "--ttft cannot be combined with --config (describe deployments in the file's mock.deployments)");
    memset(&cli, 0, sizeof(cli));
    cli.config = "/nonexistent/dir/x.yaml";
    mp_config_init(&c);
    assert_int_equal(mp_cli_build_config(&cli, &c, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/x.yaml"));
    mp_config_free(&c);
}

static void test_file_with_global_overrides(void **state)
{
    char path[] = "/tmp/mockcore_qf_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char yaml[] = "mock:\n  threads: 4\n  deployments:\n    - name: a\n    - name: b\n";
    assert_int_equal(write(fd, yaml, sizeof(yaml) - 1), (ssize_t)(sizeof(yaml) - 1));
    close(fd);
    mp_cli_t cli;
    memset(&cli, 0, sizeof(cli));
    cli.config = path;
    cli.threads = "1";
    mp_config_t c;
    cm_err_t err;
    mp_config_init(&c);
    int rc = mp_cli_build_config(&cli, &c, &err);
    unlink(path);
    assert_int_equal(rc, 0);
    assert_int_equal(c.ndeps, 2);
    assert_int_equal(c.threads, 1);
    mp_config_free(&c);
}

static void test_file_with_sets(void **state)
{
    (void)state;
    char path[] = "/tmp/mockcore_qf_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char yaml[] = "mock:\n  deployments:\n    - {name: a, listen: 127.0.0.1:8080}\n    - name: b\n";
    assert_int_equal(write(fd, yaml, sizeof(yaml) - 1), (ssize_t)(sizeof(yaml) - 1));
    close(fd);
    mp_cli_t cli;
    memset(&cli, 0, sizeof(cli));
    cli.config = path;
    cli.sets[0] = "mock.deployments[a].listen=127.0.0.1:0";
    cli.sets[1] = "mock.deployments.1.listen=127.0.0.1:9";
    cli.nsets = 2;
    mp_config_t c;
    cm_err_t err;
    mp_config_init(&c);
    assert_int_equal(mp_cli_build_config(&cli, &c, &err), 0);
    assert_int_equal(c.ndeps, 2);
    assert_int_equal(c.deps[0].listen_port, 0);
    assert_int_equal(c.deps[1].listen_port, 9);
    mp_config_free(&c);
    /* A misspelt key set on the command line is reported as the flag's, like an unknown key in the file. */
    cli.sets[1] = "mock.deployments[b].lisen=127.0.0.1:9";
    mp_config_init(&c);
    assert_int_equal(mp_cli_build_config(&cli, &c, &err), -1);
    assert_non_null(strstr(err.msg, "--set mock.deployments[b].lisen"));
    assert_non_null(strstr(err.msg, "listen"));
    mp_config_free(&c);
    cli.nsets = 1;
    cli.sets[0] = "mock.deployments[c].listen=127.0.0.1:0";
    mp_config_init(&c);
    assert_int_equal(mp_cli_build_config(&cli, &c, &err), -1);
    assert_string_equal(err.msg, "--set mock.deployments[c].listen: no item of the list has name \"c\"");
    mp_config_free(&c);
    unlink(path);
    cli.config = NULL;
    expect_error(&cli, "--set needs --config FILE (it overrides a value of the file)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),       cmocka_unit_test(test_every_quick_flag),
        cmocka_unit_test(test_errors),         cmocka_unit_test(test_file_with_global_overrides),
        cmocka_unit_test(test_file_with_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
