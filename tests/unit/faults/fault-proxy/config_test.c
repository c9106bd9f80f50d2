/* tests/unit/faults/fault-proxy/config_test.c — the proxies: section: fields and defaults, toxics inside a
 * proxy, errors with file:line:col, unknown keys, bad addresses, duplicates and the limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "faults/fault-proxy/config.h"

static int parse(const char *yaml, fp_config_t *cfg, cm_err_t *err)
{
    cm_conf_t conf;
    memset(err, 0, sizeof(*err));
    if (cm_conf_load_string(&conf, "s.yaml", yaml, strlen(yaml), err) != 0) {
        cm_conf_free(&conf);
        memset(cfg, 0, sizeof(*cfg));
        return -2;
    }
    int rc = fp_config_parse(&conf, conf.root, cfg, err);
    cm_conf_free(&conf);
    return rc;
}

static void expect_error(const char *yaml, const char *needle)
{
    fp_config_t cfg;
    cm_err_t err;
    int rc = parse(yaml, &cfg, &err);
    if (rc != -1 || strstr(err.msg, needle) == NULL)
        fail_msg("for %s: rc %d, message \"%s\", expected one containing \"%s\"", yaml, rc, err.msg, needle);
    fp_config_free(&cfg);
}

static void test_proxies(void **state)
{
    fp_config_t cfg;
    cm_err_t err;
    int rc =
        parse("seed: 42\n"
              "mock: {ignored: by this reader}\n"
              "proxies:\n"
              "  - name: redis\n"
              "    listen: 127.0.0.1:0\n"
              "    upstream: 127.0.0.1:6379\n"
              "    protocol: resp\n"
              "    toxics:\n"
              "      - {type: stall, attributes: {duration: 25s}}\n"
              "      - {name: slow-get, type: latency, stream: upstream, attributes: {latency: 5, commands: [GET]}}\n"
              "  - {name: db, upstream: \"[::1]:5432\", enabled: false}\n",
              &cfg, &err);
    if (rc != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(cfg.seed, 42);
    assert_int_equal(cfg.n, 2);
    assert_string_equal(cfg.proxies[0].name, "redis");
    assert_int_equal(cfg.proxies[0].protocol, FP_PROTO_RESP);
    assert_int_equal(cfg.proxies[0].ntoxics, 2);
    assert_string_equal(cfg.proxies[0].toxics[0].name, "stall_downstream");
    assert_int_equal(cfg.proxies[0].toxics[0].duration, 25000);
    assert_string_equal(cfg.proxies[0].toxics[1].commands[0], "GET");
    assert_true(cfg.proxies[0].enabled);
    assert_string_equal(cfg.proxies[1].listen, "127.0.0.1:0");
    assert_false(cfg.proxies[1].enabled);
    assert_int_equal(cfg.proxies[1].protocol, FP_PROTO_TCP);
    fp_config_free(&cfg);
}

static void test_bare_list_and_empty(void **state)
{
    fp_config_t cfg;
    cm_err_t err;
    assert_int_equal(
        parse("[{\"name\": \"a\", \"upstream\": \"127.0.0.1:1\", \"listen\": \"127.0.0.1:0\"}]", &cfg, &err), 0);
    assert_int_equal(cfg.n, 1);
    fp_config_free(&cfg);
    assert_int_equal(parse("name: no proxies here\n", &cfg, &err), 0);
    assert_int_equal(cfg.n, 0);
    fp_config_free(&cfg);
}

static void test_errors(void **state)
{
    expect_error("proxies:\n  - name: x\n    upstrem: 127.0.0.1:1\n",
                 "s.yaml:3:5: proxies[0]: unknown key \"upstrem\" (did you mean \"upstream\"?");
    expect_error("proxies:\n  - {name: x}\n", "proxies[0]: missing required key \"upstream\"");
    expect_error("proxies:\n  - {name: x, upstream: nowhere}\n",
                 "s.yaml:2:25: proxies[0].upstream: expected HOST:PORT");
    expect_error("proxies:\n  - {name: x, upstream: \"127.0.0.1:99999\"}\n", "invalid port");
    expect_error("proxies:\n  - {name: x, upstream: \"127.0.0.1:1\", protocol: http}\n",
                 "proxies[0].protocol: unknown protocol \"http\" (expected tcp, resp)");
    expect_error("proxies:\n  - {name: x, upstream: \"127.0.0.1:1\"}\n  - {name: x, upstream: \"127.0.0.1:2\"}\n",
                 "s.yaml:3:5: proxies[1]: proxy already exists: \"x\"");
    expect_error("proxies:\n  - {name: x, upstream: \"127.0.0.1:1\", toxics: [{type: down}, {type: down}]}\n",
                 "proxies[0].toxics[1]: toxic already exists: \"down_downstream\"");
    expect_error(
        "proxies:\n  - {name: x, upstream: \"127.0.0.1:1\", toxics: [{type: latency, attributes: {latency: x}}]}\n",
        "proxies[0].toxics[0].attributes.latency:");
    expect_error(
        "proxies:\n  - {name: x, upstream: \"127.0.0.1:1\", toxics: [{type: error, attributes: {reply: BUSY}}]}\n",
        "proxies[0].toxics[0].type: error toxics need protocol resp");
    expect_error("proxies: 3\n", "proxies: expected a list of proxies");
    expect_error("seed: -1\n", "seed:");
    /* a misspelt section is refused here as by soak and the mock, not read as a file without proxies */
    expect_error("proxys:\n  - {name: x, upstream: \"127.0.0.1:1\"}\n",
                 "s.yaml:1:1: unknown key \"proxys\" (did you mean \"proxies\"?");
}

static void test_limits(void **state)
{
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_puts(&b, "proxies:\n  - name: x\n    upstream: 127.0.0.1:1\n    toxics:\n");
    for (int i = 0; i <= FP_MAX_TOXICS; i++)
        cm_buf_printf(&b, "      - {name: t%d, type: down}\n", i);
    expect_error(b.data, "at most 32 toxics per proxy, got 33");
    cm_buf_reset(&b);
    cm_buf_puts(&b, "proxies:\n");
    for (int i = 0; i <= FP_MAX_CONF_PROXIES; i++)
        cm_buf_printf(&b, "  - {name: p%d, upstream: \"127.0.0.1:1\"}\n", i);
    expect_error(b.data, "at most 256 proxies, got 257");
    cm_buf_free(&b);
}

static void test_addresses(void **state)
{
    struct sockaddr_storage a;
    socklen_t len;
    char err[256];
    assert_int_equal(fp_parse_addr("127.0.0.1:8474", &a, &len, err, sizeof(err)), 0);
    assert_int_equal(a.ss_family, AF_INET);
    assert_int_equal(fp_parse_addr("[::1]:0", &a, &len, err, sizeof(err)), 0);
    assert_int_equal(a.ss_family, AF_INET6);
    assert_int_equal(fp_parse_addr("localhost:6379", &a, &len, err, sizeof(err)), 0);
    assert_int_equal(fp_parse_addr("127.0.0.1", &a, &len, err, sizeof(err)), -1);
    assert_int_equal(fp_parse_addr("127.0.0.1:x", &a, &len, err, sizeof(err)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proxies), cmocka_unit_test(test_bare_list_and_empty), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),  cmocka_unit_test(test_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
