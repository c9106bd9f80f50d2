/* tests/unit/common/config_test.c — YAML loading, positions, anchors and merges, key checks and the typed
 * readers with their exact `file:line:col: path: message` errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct fixture {
    cm_conf_t conf;
    cm_err_t err;
} fixture_t;

static int setup(void **state)
{
    *state = calloc(1, sizeof(fixture_t));
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    cm_conf_free(&f->conf);
    free(f);
    return 0;
}

static const cm_node_t *load(fixture_t *f, const char *text)
{
    cm_conf_free(&f->conf);
    if (cm_conf_load_string(&f->conf, "t.yaml", text, strlen(text), &f->err) != 0)
        fail_msg("load failed: %s", f->err.msg);
    return f->conf.root;
}

static void load_fails(fixture_t *f, const char *text, const char *want)
{
    cm_conf_free(&f->conf);
    if (cm_conf_load_string(&f->conf, "t.yaml", text, strlen(text), &f->err) == 0)
        fail_msg("load of \"%s\" succeeded, want error \"%s\"", text, want);
    assert_string_equal(f->err.msg, want);
    assert_null(f->conf.root);
}

/* ---- loading ---------------------------------------------------------------------------------------- */

static void test_tree_and_positions(void **state)
{
    fixture_t *f = *state;
    const cm_node_t *root = load(f, "name: demo\n"
                                    "seed: 42\n"
                                    "mock:\n"
                                    "  models: [a, \"b\"]\n"
                                    "  empty:\n"
                                    "  tilde: ~\n"
                                    "  quoted_null: \"null\"\n"
                                    "  limits: {rpm: 10000, window: sliding}\n");
    assert_int_equal(root->type, CM_NODE_MAP);
    assert_int_equal(root->n, 3);
    assert_int_equal(root->line, 1);
    assert_int_equal(root->col, 1);
    const cm_node_t *seed = cm_conf_get(root, "seed");
    assert_int_equal(seed->type, CM_NODE_SCALAR);
    assert_string_equal(seed->str, "42");
    assert_false(seed->quoted);
    assert_int_equal(seed->line, 2);
    assert_int_equal(seed->col, 7);
    const cm_node_t *mock = cm_conf_get(root, "mock");
    const cm_node_t *models = cm_conf_get(mock, "models");
    assert_int_equal(models->type, CM_NODE_SEQ);
    assert_int_equal(models->n, 2);
    assert_int_equal(models->line, 4);
    assert_int_equal(models->col, 11);
    assert_true(models->items[1]->quoted);
    assert_int_equal(models->items[1]->col, 15);
    assert_int_equal(cm_conf_get(mock, "empty")->type, CM_NODE_NULL);
    assert_null(cm_conf_get(mock, "empty")->str);
    assert_int_equal(cm_conf_get(mock, "tilde")->type, CM_NODE_NULL);
    assert_int_equal(cm_conf_get(mock, "quoted_null")->type, CM_NODE_SCALAR);
    const cm_node_t *limits = cm_conf_get(mock, "limits");
    assert_int_equal(limits->type, CM_NODE_MAP);
    assert_string_equal(cm_conf_get(limits, "rpm")->str, "10000");
    assert_int_equal(limits->keys[1]->line, 8);
    assert_int_equal(limits->keys[1]->col, 24);
    assert_null(cm_conf_get(limits, "tpm"));
    assert_null(cm_conf_get(models, "x")); /* not a map */
    assert_null(cm_conf_get(NULL, "x"));
}

static void test_empty_and_scalar_documents(void **state)
{
    fixture_t *f = *state;
    assert_null(load(f, ""));
    assert_null(load(f, "# only a comment\n"));
    const cm_node_t *r = load(f, "hello");
    assert_int_equal(r->type, CM_NODE_SCALAR);
    assert_string_equal(r->str, "hello");
    assert_int_equal(load(f, "~")->type, CM_NODE_NULL);
    r = load(f, "!!str ~");
    assert_int_equal(r->type, CM_NODE_SCALAR);
    assert_true(r->quoted);
    r = load(f, "null: 1\n~: 2\n");
    assert_string_equal(r->keys[0]->str, "null"); /* keys keep their text */
    assert_string_equal(r->keys[1]->str, "~");
}

static void test_anchors_aliases_and_merge(void **state)
{
    fixture_t *f = *state;
    const cm_node_t *r = load(f, "base: &b {provider: vertex, rpm: 10, tpm: 5}\n"
                                 "other: &o {rpm: 20, extra: x}\n"
                                 "copy: *b\n"
                                 "one:\n"
                                 "  <<: *b\n"
                                 "  rpm: 99\n"
                                 "two:\n"
                                 "  name: t\n"
                                 "  <<: [*o, *b]\n"
                                 "quoted:\n"
                                 "  \"<<\": literal\n");
    const cm_node_t *base = cm_conf_get(r, "base");
    assert_ptr_equal(cm_conf_get(r, "copy"), base);
    const cm_node_t *one = cm_conf_get(r, "one");
    assert_int_equal(one->n, 3);
    assert_string_equal(cm_conf_get(one, "rpm")->str, "99"); /* explicit keys win */
    assert_string_equal(cm_conf_get(one, "provider")->str, "vertex");
    assert_null(cm_conf_get(one, "<<"));
    const cm_node_t *two = cm_conf_get(r, "two");
    assert_int_equal(two->n, 5);
    assert_string_equal(cm_conf_get(two, "rpm")->str, "20"); /* earlier merge sources win */
    assert_string_equal(cm_conf_get(two, "tpm")->str, "5");
    assert_string_equal(cm_conf_get(two, "extra")->str, "x");
    assert_string_equal(two->keys[0]->str, "name"); /* explicit keys first, in document order */
    assert_string_equal(cm_conf_get(cm_conf_get(r, "quoted"), "<<")->str, "literal");
}

static void test_load_errors(void **state)
{
    fixture_t *f = *state;
    load_fails(f, "a: 1\nb: 2\na: 3\n", "t.yaml:3:1: duplicate key \"a\" (first at line 1)");
    load_fails(f, "m:\n  x: {k: 1, k: 2}\n", "t.yaml:2:13: m.x: duplicate key \"k\" (first at line 2)");
    load_fails(f, "l:\n  - {a: 1}\n  - {b: 1, b: 2}\n", "t.yaml:3:12: l[1]: duplicate key \"b\" (first at line 3)");
    load_fails(f, "a: [1, 2\n",
               "t.yaml:2:1: did not find expected ',' or ']' (while parsing a flow sequence at line 1)");
    load_fails(f, "a: *nope\n", "t.yaml:1:4: unknown alias \"*nope\"");
    load_fails(f, "a: &x [1, *x]\n", "t.yaml:1:11: alias \"*x\" refers to a node that contains it");
    load_fails(f, "a: 1\n---\nb: 2\n", "t.yaml:2:1: multiple documents in one file are not supported");
    load_fails(f, "a: \"x\\0y\"\n", "t.yaml:1:4: NUL character in a scalar");
    load_fails(f, "[a]: 1\n", "t.yaml:1:1: map keys must be plain scalars");
    load_fails(f, "a:\n  <<: 5\n", "t.yaml:2:7: a: <<: expected a map or a list of maps to merge");
    load_fails(f, "a: \xff\n", "t.yaml:1:4: invalid leading UTF-8 octet");
    load_fails(f, "a:\n\tb: 1\n",
               "t.yaml:2:1: found character that cannot start any token (while scanning for the "
               "next token at line 2)");
}

static void test_nesting_limit(void **state)
{
    fixture_t *f = *state;
    char deep[700];
    memset(deep, '[', 256);
    memset(deep + 256, ']', 256);
    deep[512] = '\0';
    assert_non_null(load(f, deep));
    memset(deep, '[', 257);
    memset(deep + 257, ']', 257);
    deep[514] = '\0';
    load_fails(f, deep, "t.yaml:1:257: nesting deeper than 256 levels");
}

/* Merges copy pairs, so a file that merges a big map many times is refused instead of eating memory. */
static void test_merge_budget(void **state)
{
    fixture_t *f = *state;
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_puts(&b, "big: &big\n");
    for (int i = 0; i < 2000; i++)
        cm_buf_printf(&b, "  k%d: %d\n", i, i);
    cm_buf_puts(&b, "list:\n");
    for (int i = 0; i < 499; i++)
        cm_buf_puts(&b, "  - {<<: *big, x: 1}\n");
    const cm_node_t *r = load(f, b.data); /* 998000 merged pairs: within the budget */
    assert_int_equal(cm_conf_get(r, "list")->items[498]->n, 2001);
    cm_buf_puts(&b, "  - {<<: *big, x: 1}\n");
    cm_buf_puts(&b, "  - {<<: *big, x: 1}\n");
    load_fails(f, b.data, "t.yaml:1:6: list[500]: <<: merges copy more than 1000000 keys in this file");
    cm_buf_free(&b);
}

static void test_load_file(void **state)
{
    fixture_t *f = *state;
    char path[] = "/tmp/soak_config_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "duration: 30s\n";
    assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
    close(fd);
    cm_conf_free(&f->conf);
    assert_int_equal(cm_conf_load_file(&f->conf, path, &f->err), 0);
    assert_string_equal(f->conf.file, path);
    uint64_t ns = 0;
    assert_int_equal(cm_conf_duration(&f->conf, cm_conf_get(f->conf.root, "duration"), "duration", &ns, &f->err), 0);
    assert_int_equal(ns, UINT64_C(30000000000));
    unlink(path);
    cm_conf_free(&f->conf);
    assert_int_equal(cm_conf_load_file(&f->conf, "/nonexistent/x.yaml", &f->err), -1);
    assert_string_equal(f->err.msg, "/nonexistent/x.yaml: cannot open: No such file or directory");
    cm_conf_free(&f->conf);
    cm_conf_free(&f->conf); /* freeing twice is harmless */
}

/* A FIFO without a writer once made every binary wait in open() for ever (soak run with SIGINT and SIGTERM
 * blocked, so not even ^C stopped it); a path that is not a regular file is now read for a bounded time. */
static void test_load_special_files(void **state)
{
    fixture_t *f = *state;
    cm_conf_free(&f->conf);
    assert_int_equal(cm_conf_load_file(&f->conf, "/tmp", &f->err), -1);
    assert_string_equal(f->err.msg, "/tmp: cannot read: Is a directory");
    cm_conf_free(&f->conf);
    int p[2];
    char path[64], fifo[] = "/tmp/soak_config_fifo_XXXXXX";
    assert_int_equal(pipe(p), 0); /* a pipe that ends, as <(cmd) gives: read whole */
    assert_int_equal(write(p[1], "seed: 7\n", 8), 8);
    close(p[1]);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
    assert_int_equal(cm_conf_load_file(&f->conf, path, &f->err), 0);
    assert_string_equal(cm_conf_get(f->conf.root, "seed")->str, "7");
    close(p[0]);
    cm_conf_free(&f->conf);
    assert_non_null(mkdtemp(fifo));
    snprintf(path, sizeof(path), "%s/f", fifo);
    assert_int_equal(mkfifo(path, 0600), 0);
    int saved = cm_conf_read_wait_ms;
    cm_conf_read_wait_ms = 200;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(cm_conf_load_file(&f->conf, path, &f->err), -1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cm_conf_read_wait_ms = saved;
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (s < 0.2 || s > 5)
        fail_msg("waited %.3f s for a FIFO without a writer, expected 0.2 s", s);
    assert_non_null(strstr(f->err.msg, ": no end of file after 0.2 s (a FIFO without a writer?)"));
    unlink(path);
    rmdir(fifo);
}

/* ---- key checks ------------------------------------------------------------------------------------- */

static void test_check_keys(void **state)
{
    fixture_t *f = *state;
    static const char *const keys[] = {"name", "listen", "latency", "limits", NULL};
    const cm_node_t *r = load(f, "d:\n  name: a\n  latncy: 5\ne:\n  name: b\n  zzz: 1\ng: 5\nh:\n");
    const cm_conf_t *c = &f->conf;
    assert_int_equal(cm_conf_check_keys(c, cm_conf_get(r, "d"), "mock.deployments[0]", keys, &f->err), -1);
    assert_string_equal(f->err.msg,
                        "t.yaml:3:3: mock.deployments[0]: unknown key \"latncy\" (did you mean \"latency\"? "
                        "allowed: name, listen, latency, limits)");
    assert_int_equal(cm_conf_check_keys(c, cm_conf_get(r, "e"), "e", keys, &f->err), -1);
    assert_string_equal(f->err.msg, "t.yaml:6:3: e: unknown key \"zzz\" (allowed: name, listen, latency, limits)");
    assert_int_equal(cm_conf_check_keys(c, cm_conf_get(r, "g"), "g", keys, &f->err), -1);
    assert_string_equal(f->err.msg, "t.yaml:7:4: g: expected a map, got a scalar");
    assert_int_equal(cm_conf_check_keys(c, cm_conf_get(r, "h"), "h", keys, &f->err), 0); /* empty = {} */
    assert_int_equal(cm_conf_check_keys(c, NULL, "absent", keys, &f->err), 0);
    static const char *const req[] = {"name", "listen", NULL};
    assert_int_equal(cm_conf_require_keys(c, cm_conf_get(r, "e"), "e", req, &f->err), -1);
    assert_string_equal(f->err.msg, "t.yaml:5:3: e: missing required key \"listen\"");
    static const char *const req1[] = {"name", NULL};
    assert_int_equal(cm_conf_require_keys(c, cm_conf_get(r, "e"), "e", req1, &f->err), 0);
    assert_int_equal(cm_conf_require_keys(c, NULL, "x", req1, &f->err), -1);
    assert_string_equal(f->err.msg, "t.yaml: x: missing required key \"name\"");
}

static void test_did_you_mean(void **state)
{
    fixture_t *f = *state;
    static const char *const keys[] = {"rpm", "tpm", "window", "ab", NULL};
    const cm_node_t *r = load(f, "a: {rmp: 1}\nb: {windwo: 1}\nc: {xy: 1}\nd: {Window: 1}\n");
    const cm_conf_t *c = &f->conf;
    assert_int_equal(cm_conf_check_keys(c, cm_conf_get(r, "a"), "a", keys, &f->err), -1);
    assert_non_null(strstr(f->err.msg, "(did you mean \"rpm\"?")); /* a swap counts as one edit */
    assert_int_equal(cm_conf_check_keys(c, cm_conf_get(r, "b"), "b", keys, &f->err), -1);
    assert_non_null(strstr(f->err.msg, "(did you mean \"window\"?"));
    assert_int_equal(cm_conf_check_keys(c, cm_conf_get(r, "c"), "c", keys, &f->err), -1);
    assert_null(strstr(f->err.msg, "did you mean")); /* "xy" is not close to "ab" */
    assert_int_equal(cm_conf_check_keys(c, cm_conf_get(r, "d"), "d", keys, &f->err), -1);
    assert_non_null(strstr(f->err.msg, "(did you mean \"window\"?"));
}

/* ---- typed readers ---------------------------------------------------------------------------------- */

static const cm_node_t *val(fixture_t *f, const char *key)
{
    const cm_node_t *n = cm_conf_get(f->conf.root, key);
    if (n == NULL)
        fail_msg("no key %s", key);
    return n;
}

/* Inline collections split at commas; an unquoted value with an unclosed parenthesis takes the pieces back. */
static void test_flow_rejoins_parentheses(void **state)
{
    fixture_t *f = *state;
    const cm_node_t *root = load(f, "lat: {ttft: lognormal(80ms, 0.3), itl: normal(20ms, 5ms), pre: 0.02ms}\n"
                                    "seq: [normal(64, 16), fixed(1), percentiles(p50=1ms, p90=2ms, p99=3ms)]\n"
                                    "quoted: {a: \"f(1\", b: 2}\n"
                                    "block: f(1, 2)\n");
    const cm_node_t *lat = cm_conf_get(root, "lat");
    assert_int_equal(lat->n, 3);
    assert_string_equal(cm_conf_get(lat, "ttft")->str, "lognormal(80ms, 0.3)");
    assert_string_equal(cm_conf_get(lat, "itl")->str, "normal(20ms, 5ms)");
    assert_string_equal(cm_conf_get(lat, "pre")->str, "0.02ms");
    const cm_node_t *seq = cm_conf_get(root, "seq");
    assert_int_equal(seq->n, 3);
    assert_string_equal(seq->items[0]->str, "normal(64, 16)");
    assert_string_equal(seq->items[1]->str, "fixed(1)");
    assert_string_equal(seq->items[2]->str, "percentiles(p50=1ms, p90=2ms, p99=3ms)");
    /* A quoted value is taken as written: the split stays a split. */
    const cm_node_t *q = cm_conf_get(root, "quoted");
    assert_int_equal(q->n, 2);
    assert_string_equal(cm_conf_get(q, "a")->str, "f(1");
    assert_string_equal(cm_conf_get(root, "block")->str, "f(1, 2)");
}

static void test_readers_ok(void **state)
{
    fixture_t *f = *state;
    load(f, "s: hello\nb1: true\nb2: False\ni: -42\nk: 10k\nq: \"7\"\nd: 2.5e-1\nneg: -3\n"
            "dur: 1m30s\nrate: 20k/min\npct: 30%\nsize: 4KiB\ndist: lognormal(80ms, 0.3)\ntok: normal(64, 16)\n"
            "one: gpt\nlist: [a, b, c]\nnone: []\n");
    const cm_conf_t *c = &f->conf;
    cm_err_t *e = &f->err;
    const char *s;
    bool b;
    int64_t i;
    double d;
    uint64_t u;
    cm_dist_t dist;
    assert_int_equal(cm_conf_str(c, val(f, "s"), "s", &s, e), 0);
    assert_string_equal(s, "hello");
    assert_int_equal(cm_conf_bool(c, val(f, "b1"), "b1", &b, e), 0);
    assert_true(b);
    assert_int_equal(cm_conf_bool(c, val(f, "b2"), "b2", &b, e), 0);
    assert_false(b);
    assert_int_equal(cm_conf_int(c, val(f, "i"), "i", -100, 100, &i, e), 0);
    assert_int_equal(i, -42);
    assert_int_equal(cm_conf_int(c, val(f, "k"), "k", 0, INT64_MAX, &i, e), 0);
    assert_int_equal(i, 10000);
    assert_int_equal(cm_conf_int(c, val(f, "q"), "q", 0, 10, &i, e), 0); /* the reader asks for a number */
    assert_int_equal(i, 7);
    assert_int_equal(cm_conf_double(c, val(f, "d"), "d", &d, e), 0);
    assert_true(d == 0.25);
    assert_int_equal(cm_conf_double(c, val(f, "neg"), "neg", &d, e), 0);
    assert_true(d == -3);
    assert_int_equal(cm_conf_duration(c, val(f, "dur"), "dur", &u, e), 0);
    assert_int_equal(u, UINT64_C(90000000000));
    assert_int_equal(cm_conf_rate(c, val(f, "rate"), "rate", &d, e), 0);
    assert_true(fabs(d - 20000.0 / 60) < 1e-9);
    assert_int_equal(cm_conf_percent(c, val(f, "pct"), "pct", &d, e), 0);
    assert_true(fabs(d - 0.3) < 1e-15);
    assert_int_equal(cm_conf_size(c, val(f, "size"), "size", &u, e), 0);
    assert_int_equal(u, 4096);
    assert_int_equal(cm_conf_dist(c, val(f, "dist"), "dist", CM_DIST_DURATION, &dist, e), 0);
    assert_int_equal(dist.kind, CM_DIST_LOGNORMAL);
    assert_int_equal(cm_conf_dist(c, val(f, "tok"), "tok", CM_DIST_COUNT, &dist, e), 0);
    assert_true(dist.a == 64);
    const char **list;
    size_t n;
    assert_int_equal(cm_conf_str_list(c, val(f, "one"), "one", &list, &n, e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0], "gpt");
    assert_int_equal(cm_conf_str_list(c, val(f, "list"), "list", &list, &n, e), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[2], "c");
    assert_int_equal(cm_conf_str_list(c, val(f, "none"), "none", &list, &n, e), 0);
    assert_int_equal(n, 0);
}

static void reader_fails(fixture_t *f, int rc, const char *want)
{
    assert_int_equal(rc, -1);
    assert_string_equal(f->err.msg, want);
}

static void test_reader_errors(void **state)
{
    fixture_t *f = *state;
    load(f, "m: {a: 1}\nl: [1]\nn:\nb: yes\ni: 1.5\nbig: 99999999999999999999\nr: 500\nx: 1e3x\nnan: nan\n"
            "dur: 30\nrate: 1000\npct: 150%\nsize: 1TB\ndist: lognorml(80ms, 0.3)\nlist: [a, {b: 1}]\nm2: 10m\n");
    const cm_conf_t *c = &f->conf;
    cm_err_t *e = &f->err;
    const char *s;
    bool b;
    int64_t i;
    double d;
    uint64_t u;
    cm_dist_t dist;
    const char **list;
    size_t n;
    reader_fails(f, cm_conf_str(c, val(f, "m"), "m", &s, e), "t.yaml:1:4: m: expected a string, got a map");
    reader_fails(f, cm_conf_str(c, val(f, "l"), "l", &s, e), "t.yaml:2:4: l: expected a string, got a list");
    reader_fails(f, cm_conf_str(c, val(f, "n"), "n", &s, e), "t.yaml:3:3: n: expected a string, got nothing (null)");
    reader_fails(f, cm_conf_str(c, NULL, "absent", &s, e), "t.yaml: absent: missing value (expected a string)");
    reader_fails(f, cm_conf_bool(c, val(f, "b"), "b", &b, e), "t.yaml:4:4: b: expected true or false, got \"yes\"");
    reader_fails(f, cm_conf_int(c, val(f, "i"), "i", 0, 10, &i, e),
                 "t.yaml:5:4: i: expected a whole number, got \"1.5\"");
    reader_fails(f, cm_conf_int(c, val(f, "big"), "big", 0, INT64_MAX, &i, e),
                 "t.yaml:6:6: big: \"99999999999999999999\" is out of range");
    reader_fails(f, cm_conf_int(c, val(f, "r"), "r", 1, 100, &i, e),
                 "t.yaml:7:4: r: must be between 1 and 100, got 500");
    reader_fails(f, cm_conf_int(c, val(f, "x"), "x", 0, 100, &i, e),
                 "t.yaml:8:4: x: \"1e3x\": unknown unit \"e\" (expected no suffix, k, M or G)");
    reader_fails(f, cm_conf_int(c, val(f, "m2"), "m2", 0, 100, &i, e),
                 "t.yaml:16:5: m2: \"10m\": \"m\" is not a count suffix (use k, M or G; minutes are written as "
                 "durations)");
    reader_fails(f, cm_conf_double(c, val(f, "nan"), "nan", &d, e), "t.yaml:9:6: nan: expected a number, got \"nan\"");
    reader_fails(f, cm_conf_duration(c, val(f, "dur"), "load.duration", &u, e),
                 "t.yaml:10:6: load.duration: \"30\": missing unit (expected ns, us, ms, s, m, h, d)");
    reader_fails(f, cm_conf_rate(c, val(f, "rate"), "rate", &d, e),
                 "t.yaml:11:7: rate: \"1000\": missing unit (expected /s, /min, /h, rps or rpm, e.g. \"1000/s\")");
    reader_fails(f, cm_conf_percent(c, val(f, "pct"), "pct", &d, e),
                 "t.yaml:12:6: pct: \"150%\": must be between 0% and "
                 "100%");
    reader_fails(f, cm_conf_size(c, val(f, "size"), "size", &u, e),
                 "t.yaml:13:7: size: \"1TB\": unknown unit \"TB\" (expected B, k, KB, KiB, M, MB, MiB, G, GB, GiB)");
    reader_fails(f, cm_conf_dist(c, val(f, "dist"), "mock.deployments[0].latency.ttft", CM_DIST_DURATION, &dist, e),
                 "t.yaml:14:7: mock.deployments[0].latency.ttft: unknown distribution \"lognorml\" (expected fixed, "
                 "uniform, normal, lognormal, percentiles)");
    reader_fails(f, cm_conf_str_list(c, val(f, "list"), "models", &list, &n, e),
                 "t.yaml:15:11: models[1]: expected a string, got a map");
    reader_fails(f, cm_conf_str_list(c, val(f, "m"), "models", &list, &n, e),
                 "t.yaml:1:4: models: expected a string or a list of strings, got a map");
}

/* ---- --set overrides -------------------------------------------------------------------------------- */

static const cm_node_t *at(const cm_node_t *n, const char *key)
{
    const cm_node_t *v = cm_conf_get(n, key);
    if (v == NULL)
        fail_msg("no key %s", key);
    return v;
}

static void test_set_overrides(void **state)
{
    fixture_t *f = *state;
    load(f, "name: a\nmock:\n  deployments:\n    - {name: one, listen: 127.0.0.1:8080}\n"
            "    - {name: two.b, listen: 127.0.0.1:8081}\nload: {arrival: {constant: 10/s}}\n");
    const char *sets[] = {"name=b",
                          "mock.deployments[0].listen=127.0.0.1:0",
                          "mock.deployments[two.b].listen=::1:0",
                          "load.arrival={poisson: 5/s}",
                          "load.requests.extra=",
                          "new.key=[1, 2]",
                          "mock.deployments.1.name=\"7\""};
    assert_int_equal(cm_conf_set_all(&f->conf, sets, 7, &f->err), 0);
    const cm_node_t *r = f->conf.root;
    assert_string_equal(at(r, "name")->str, "b");
    const cm_node_t *deps = at(at(r, "mock"), "deployments");
    assert_string_equal(at(deps->items[0], "listen")->str, "127.0.0.1:0");
    assert_string_equal(at(deps->items[1], "listen")->str, "::1:0");
    assert_string_equal(at(deps->items[1], "name")->str, "7");
    assert_true(at(deps->items[1], "name")->quoted);
    assert_non_null(at(deps->items[0], "listen")->origin);
    assert_null(at(deps->items[0], "name")->origin);
    const cm_node_t *arrival = at(at(r, "load"), "arrival");
    assert_int_equal(arrival->type, CM_NODE_MAP);
    assert_string_equal(at(arrival, "poisson")->str, "5/s");
    assert_null(cm_conf_get(arrival, "constant"));
    assert_int_equal(at(at(at(r, "load"), "requests"), "extra")->type, CM_NODE_NULL);
    assert_int_equal(at(at(r, "new"), "key")->type, CM_NODE_SEQ);
    /* Errors on set values name the flag, not a file position. */
    int64_t i;
    reader_fails(f, cm_conf_int(&f->conf, at(at(r, "new"), "key"), "new.key", 0, 9, &i, &f->err),
                 "--set new.key: new.key: expected a whole number, got a list");
    /* A key the file did not have is checked like one in the file. */
    static const char *const top[] = {"name", "mock", "load", NULL};
    assert_int_equal(cm_conf_check_keys(&f->conf, r, "", top, &f->err), -1);
    assert_non_null(strstr(f->err.msg, "--set new.key"));
}

static void test_set_errors(void **state)
{
    fixture_t *f = *state;
    load(f, "a: 1\nl: [{name: x}]\n");
    cm_err_t *e = &f->err;
    reader_fails(f, cm_conf_set(&f->conf, "a", e),
                 "--set a: expected PATH=VALUE, e.g. mock.deployments[0].listen=127.0.0.1:0");
    reader_fails(f, cm_conf_set(&f->conf, "=1", e), "--set : empty path (expected KEY.KEY=VALUE)");
    reader_fails(f, cm_conf_set(&f->conf, "a.b=1", e),
                 "--set a.b: cannot go into \"b\": the value before it is a scalar");
    reader_fails(f, cm_conf_set(&f->conf, "l[3].x=1", e), "--set l[3].x: index 3 is past the end of a list of 1 items");
    reader_fails(f, cm_conf_set(&f->conf, "l[y].x=1", e), "--set l[y].x: no item of the list has name \"y\"");
    reader_fails(f, cm_conf_set(&f->conf, "l[x=1", e),
                 "--set l[x: malformed path \"l[x\" (keys are separated by dots; items are [N] or [NAME])");
    reader_fails(f, cm_conf_set(&f->conf, "a..b=1", e),
                 "--set a..b: malformed path \"a..b\" (keys are separated by dots; items are [N] or [NAME])");
    assert_int_equal(cm_conf_set(&f->conf, "a={b: [1", e), -1);
    assert_non_null(strstr(e->msg, "--set a"));
    char longpath[700];
    memset(longpath, 'k', sizeof(longpath) - 3);
    strcpy(longpath + sizeof(longpath) - 3, "=1");
    assert_int_equal(cm_conf_set(&f->conf, longpath, e), -1);
    assert_non_null(strstr(e->msg, "path longer than 512 bytes"));
    /* The document is unchanged by failed sets. */
    assert_string_equal(at(f->conf.root, "a")->str, "1");
}

static void test_error_and_path_helpers(void **state)
{
    fixture_t *f = *state;
    const cm_node_t *r = load(f, "a: 1\n");
    assert_int_equal(cm_conf_error(&f->conf, r, NULL, &f->err, "bad %d", 7), -1);
    assert_string_equal(f->err.msg, "t.yaml:1:1: bad 7");
    cm_conf_error(&f->conf, r, "", &f->err, "x");
    assert_string_equal(f->err.msg, "t.yaml:1:1: x");
    cm_conf_error(&f->conf, NULL, "p.q", &f->err, "y");
    assert_string_equal(f->err.msg, "t.yaml: p.q: y");
    char buf[64];
    assert_string_equal(cm_conf_path(buf, sizeof(buf), "mock.deployments", 2, NULL), "mock.deployments[2]");
    assert_string_equal(cm_conf_path(buf, sizeof(buf), "mock", -1, "admin"), "mock.admin");
    assert_string_equal(cm_conf_path(buf, sizeof(buf), NULL, -1, "load"), "load");
    assert_string_equal(cm_conf_path(buf, sizeof(buf), "", 3, NULL), "[3]");
    assert_string_equal(cm_conf_path(buf, sizeof(buf), "a", 0, "b"), "a[0].b");
    char small[6];
    assert_string_equal(cm_conf_path(small, sizeof(small), "mock", -1, "admin"), "mock.");
    /* Long messages are truncated, never overflowed. */
    char longpath[2000];
    memset(longpath, 'p', sizeof(longpath) - 1);
    longpath[sizeof(longpath) - 1] = '\0';
    cm_conf_error(&f->conf, r, longpath, &f->err, "tail");
    assert_int_equal(strlen(f->err.msg), sizeof(f->err.msg) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tree_and_positions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_scalar_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_anchors_aliases_and_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nesting_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_special_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_did_you_mean, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_rejoins_parentheses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readers_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_and_path_helpers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_overrides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
