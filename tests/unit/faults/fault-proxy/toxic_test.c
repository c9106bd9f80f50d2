/* tests/unit/faults/fault-proxy/toxic_test.c — toxics read from YAML and JSON: every type with its
 * attributes and toxiproxy's defaults, durations with units, errors naming the field with its position,
 * updates, and the limits one past the bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "faults/fault-proxy/toxic.h"

static int parse(const char *text, const fp_toxic_t *base, fp_toxic_t *out, cm_err_t *err)
{
    cm_conf_t conf;
    memset(err, 0, sizeof(*err));
    if (cm_conf_load_string(&conf, "t", text, strlen(text), err) != 0) {
        cm_conf_free(&conf);
        return -2;
    }
    int rc = fp_toxic_parse(&conf, conf.root, "", base, out, err);
    cm_conf_free(&conf);
    return rc;
}

static void expect_error(const char *text, const char *needle)
{
    fp_toxic_t t;
    cm_err_t err;
    int rc = parse(text, NULL, &t, &err);
    if (rc != -1 || strstr(err.msg, needle) == NULL)
        fail_msg("for %s: rc %d, message \"%s\", expected one containing \"%s\"", text, rc, err.msg, needle);
}

static void test_defaults(void **state)
{
    fp_toxic_t t;
    cm_err_t err;
    assert_int_equal(parse("{\"type\": \"latency\", \"attributes\": {\"latency\": 100}}", NULL, &t, &err), 0);
    assert_string_equal(t.name, "latency_downstream");
    assert_int_equal(t.stream, FP_DOWNSTREAM);
    assert_true(t.toxicity == 1.0);
    assert_int_equal(t.latency, 100);
    assert_int_equal(t.jitter, 0);
    assert_int_equal(parse("{type: slicer, stream: upstream}", NULL, &t, &err), 0);
    assert_string_equal(t.name, "slicer_upstream");
    assert_int_equal(t.average_size, 1);
}

static void test_every_type(void **state)
{
    static const struct {
        const char *text;
        fp_toxic_type_t type;
    } cases[] = {
        {"{type: latency, attributes: {latency: 10, jitter: 5}}", FP_LATENCY},
        {"{type: bandwidth, attributes: {rate: 100}}", FP_BANDWIDTH},
        {"{type: slow_close, attributes: {delay: 100}}", FP_SLOW_CLOSE},
        {"{type: timeout, attributes: {timeout: 0}}", FP_TIMEOUT},
        {"{type: reset_peer, attributes: {timeout: 10}}", FP_RESET_PEER},
        {"{type: slicer, attributes: {average_size: 10, size_variation: 5, delay: 100}}", FP_SLICER},
        {"{type: limit_data, attributes: {bytes: 1000}}", FP_LIMIT_DATA},
        {"{type: down}", FP_DOWN},
        {"{type: stall, attributes: {duration: 25s, start: 100}}", FP_STALL},
        {"{type: error, attributes: {reply: busy, commands: [evalsha]}}", FP_ERROR},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fp_toxic_t t;
        cm_err_t err;
        if (parse(cases[i].text, NULL, &t, &err) != 0)
            fail_msg("%s: %s", cases[i].text, err.msg);
        assert_int_equal(t.type, cases[i].type);
        assert_int_equal(strncmp(t.name, fp_toxic_type_name(cases[i].type), strlen(fp_toxic_type_name(t.type))), 0);
    }
}

static void test_attributes_and_units(void **state)
{
    fp_toxic_t t;
    cm_err_t err;
    assert_int_equal(parse("{type: stall, attributes: {duration: 25s, start: 1m}}", NULL, &t, &err), 0);
    assert_int_equal(t.duration, 25000);
    assert_int_equal(t.start, 60000);
    assert_int_equal(parse("{type: slicer, attributes: {average_size: 64, delay: 2ms}}", NULL, &t, &err), 0);
    assert_int_equal(t.delay, 2000); /* slicer's delay is in microseconds, as in toxiproxy */
    assert_int_equal(parse("{type: slow_close, attributes: {delay: 2s}}", NULL, &t, &err), 0);
    assert_int_equal(t.delay, 2000);
    assert_int_equal(parse("{type: latency, attributes: {latency: 5, commands: [get, Incrby]}}", NULL, &t, &err), 0);
    assert_int_equal(t.ncommands, 2);
    assert_string_equal(t.commands[1], "INCRBY");
    assert_true(fp_toxic_matches(&t, "GET"));
    assert_false(fp_toxic_matches(&t, "PING"));
    assert_int_equal(parse("{type: error, attributes: {reply: LOADING}}", NULL, &t, &err), 0);
    assert_string_equal(t.reply, "LOADING");
    assert_true(fp_toxic_matches(&t, "PING"));
}

static void test_errors_name_the_field(void **state)
{
    expect_error("{\"type\": \"latncy\"}", "t:1:10: type: unknown toxic type \"latncy\"");
    expect_error("{\"attributes\": {}}", "missing required field: type");
    expect_error("{type: latency, stream: sideways}", "stream: stream was invalid");
    expect_error("{type: latency, toxicity: 1.5}", "toxicity: must be between 0 and 1");
    expect_error("{type: latency, attributes: {latency: -5}}", "attributes.latency:");
    expect_error("{type: latency, attributes: {rate: 5}}", "attributes: unknown key \"rate\"");
    expect_error("{type: latency, colour: red}", "unknown key \"colour\"");
    expect_error("{type: slicer, attributes: {average_size: 10, size_variation: 10}}",
                 "size_variation must be smaller than average_size");
    expect_error("{type: error}", "reply is required");
    expect_error("{type: error, attributes: {reply: NOPE}}", "unknown reply \"NOPE\"");
    expect_error("{type: latency, name: \"a/b\"}", "name: a name is 1 to 63 bytes without '/'");
    expect_error("{type: latency, attributes: {latency: 2d}}", "must be at most 1 day");
    expect_error("[1, 2]", "expected a map");
}

static void test_limits(void **state)
{
    char text[1024] = "{type: latency, attributes: {commands: [";
    for (int i = 0; i <= FP_MAX_COMMANDS; i++)
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "%sC%d", i ? ", " : "", i);
    strcat(text, "]}}");
    expect_error(text, "at most 16 commands, got 17");
    char name[200];
    memset(name, 'a', FP_MAX_NAME);
    name[FP_MAX_NAME] = '\0';
    snprintf(text, sizeof(text), "{type: down, name: %s}", name);
    expect_error(text, "a name is 1 to 63 bytes");
}

static void test_update(void **state)
{
    fp_toxic_t base, t;
    cm_err_t err;
    assert_int_equal(
        parse("{name: slow, type: latency, stream: upstream, attributes: {latency: 10, jitter: 2}}", NULL, &base, &err),
        0);
    assert_int_equal(parse("{\"attributes\": {\"latency\": 50}}", &base, &t, &err), 0);
    assert_string_equal(t.name, "slow");
    assert_int_equal(t.stream, FP_UPSTREAM);
    assert_int_equal(t.latency, 50);
    assert_int_equal(t.jitter, 2);
    assert_int_equal(parse("{\"toxicity\": 0.25}", &base, &t, &err), 0);
    assert_true(t.toxicity == 0.25);
    assert_int_equal(parse("{\"type\": \"bandwidth\"}", &base, &t, &err), -1);
    assert_non_null(strstr(err.msg, "a toxic's type cannot change"));
}

static void test_json_round_trip(void **state)
{
    fp_toxic_t t, back;
    cm_err_t err;
    cm_buf_t b = CM_BUF_INIT;
    cm_jw_t w;
    assert_int_equal(
        parse("{name: s, type: slicer, toxicity: 0.5, attributes: {average_size: 9, size_variation: 3, delay: 7}}",
              NULL, &t, &err),
        0);
    cm_jw_init(&w, &b);
    fp_toxic_json(&w, &t);
    assert_string_equal(b.data, "{\"name\":\"s\",\"type\":\"slicer\",\"stream\":\"downstream\",\"toxicity\":0.5,"
                                "\"attributes\":{\"average_size\":9,\"size_variation\":3,\"delay\":7}}");
    assert_int_equal(parse(b.data, NULL, &back, &err), 0);
    assert_int_equal(back.average_size, 9);
    assert_int_equal(back.delay, 7);
    cm_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_type),
        cmocka_unit_test(test_attributes_and_units),
        cmocka_unit_test(test_errors_name_the_field),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_update),
        cmocka_unit_test(test_json_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
