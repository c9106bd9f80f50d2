/* tests/unit/faults/fault_test.c — fault specs read from YAML and JSON (every kind, defaults, errors with
 * their positions, limits one past the bound) and the per-request decision (list order, filters, first N,
 * every k-th, windows, seeded probability, the x-mock-fault header, the same decisions from several threads). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "faults/fault.h"

#define S(lit) ((cm_str_t){lit, sizeof(lit) - 1})

static int parse(const char *yaml, uint64_t seed, fx_set_t *set, cm_err_t *err)
{
    cm_conf_t conf;
    memset(err, 0, sizeof(*err));
    if (cm_conf_load_string(&conf, "t.yaml", yaml, strlen(yaml), err) != 0) {
        cm_conf_free(&conf);
        return -2;
    }
    int rc = fx_parse(&conf, conf.root != NULL ? cm_conf_get(conf.root, "faults") : NULL, "faults", seed, set, err);
    cm_conf_free(&conf); /* the set keeps its own copies */
    return rc;
}

static void expect_error(const char *yaml, const char *needle)
{
    fx_set_t set;
    cm_err_t err;
    int rc = parse(yaml, 1, &set, &err);
    if (rc != -1 || strstr(err.msg, needle) == NULL)
        fail_msg("for %s: rc %d, message \"%s\", expected one containing \"%s\"", yaml, rc, err.msg, needle);
    assert_int_equal(set.n, 0);
}

static fx_request_t req(const char *route, const char *model, uint64_t at_ns)
{
    fx_request_t r = {{route, strlen(route)}, {model, strlen(model)}, {"", 0}, {NULL, 0}, at_ns};
    return r;
}

static void test_every_kind_and_defaults(void **state)
{
    fx_set_t s;
    cm_err_t err;
    int rc = parse("faults:\n"
                   "  - {kind: http_error, status: 529, retry_after: 2s}\n"
                   "  - {kind: stall, duration: 25s}\n"
                   "  - {kind: stall, at: {after_chunks: 3}, duration: 1s, then: reset}\n"
                   "  - {kind: close, at: after_headers}\n"
                   "  - {kind: reset}\n"
                   "  - {kind: truncate, bytes: 100}\n"
                   "  - {kind: malformed}\n"
                   "  - {kind: stream_error, at: {after_bytes: 512}}\n"
                   "  - {kind: drip, every: 50ms}\n"
                   "  - {kind: conn_limit, requests: 100, age: 1h}\n"
                   "  - {kind: accept_pause, window: 10s..20s}\n"
                   "  - {kind: pause, duration: 200ms, every: 30s}\n",
                   1, &s, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(s.n, 12);
    assert_int_equal(s.faults[0].status, 529);
    assert_true(s.faults[0].has_retry_after);
    assert_int_equal(s.faults[0].retry_after_ns, 2000000000ull);
    assert_int_equal(s.faults[1].at.kind, FX_AT_BEFORE_HEADERS);
    assert_int_equal(s.faults[1].then, FX_THEN_RESUME);
    assert_int_equal(s.faults[1].duration_ns, 25000000000ull);
    assert_int_equal(s.faults[2].at.kind, FX_AT_AFTER_CHUNKS);
    assert_int_equal(s.faults[2].at.n, 3);
    assert_int_equal(s.faults[2].then, FX_THEN_RESET);
    assert_int_equal(s.faults[3].at.kind, FX_AT_AFTER_HEADERS);
    assert_int_equal(s.faults[5].bytes, 100);
    assert_int_equal(s.faults[7].at.kind, FX_AT_AFTER_BYTES);
    assert_int_equal(s.faults[7].at.n, 512);
    assert_int_equal(s.faults[8].bytes, 1);
    assert_int_equal(s.faults[8].every_ns, 50000000ull);
    assert_int_equal(s.faults[9].max_requests, 100);
    assert_int_equal(s.faults[9].max_age_ns, 3600000000000ull);
    assert_int_equal(s.faults[10].window_from, 10000000000ull);
    assert_int_equal(s.faults[10].window_to, 20000000000ull);
    assert_false(fx_kind_per_request(s.faults[11].kind));
    assert_true(s.faults[4].always);
    assert_int_equal(s.faults[4].window_to, UINT64_MAX);
    fx_set_free(&s);
}

/* The admin API sends JSON; the same loader and validation read it. */
static void test_json_spec(void **state)
{
    fx_set_t s;
    cm_err_t err;
    int rc = parse("{\"faults\": [{\"name\": \"slow\", \"kind\": \"stall\", \"duration\": \"3s\", \"then\": \"close\", "
                   "\"routes\": [\"chat\"], \"probability\": \"25%\", \"window\": \"2m..4m\"}]}",
                   1, &s, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.faults[0].name, "slow");
    assert_int_equal(s.faults[0].then, FX_THEN_CLOSE);
    assert_int_equal(s.faults[0].nroutes, 1);
    assert_string_equal(s.faults[0].routes[0], "chat");
    assert_false(s.faults[0].always);
    assert_int_equal(s.faults[0].window_from, 120000000000ull);
    assert_int_equal(s.faults[0].window_to, 240000000000ull);
    fx_set_free(&s);
}

static void test_errors_say_what_and_where(void **state)
{
    expect_error("faults:\n  - {kind: stal, duration: 1s}\n", "t.yaml:2:");
    expect_error("faults:\n  - {kind: stal, duration: 1s}\n", "unknown fault kind \"stal\"");
    expect_error("faults:\n  - {kind: stall}\n", "faults[0].duration: required for this kind");
    expect_error("faults:\n  - {kind: stall, duration: 1s, status: 500}\n", "status");
    expect_error("faults:\n  - {kind: http_error}\n", "faults[0].status: required for kind http_error");
    expect_error("faults:\n  - {kind: http_error, status: 200}\n", "faults[0].status");
    expect_error("faults:\n  - {kind: http_error, status: 600}\n", "must be between 400 and 599, got 600");
    expect_error("faults:\n  - {kind: stall, duration: 25h}\n", "at most 24h");
    expect_error("faults:\n  - {kind: stall, duration: 0s}\n", "more than 0");
    expect_error("faults:\n  - {kind: close, at: middle}\n", "faults[0].at: expected before_headers");
    expect_error("faults:\n  - {kind: stream_error, at: before_headers}\n", "faults[0].at");
    expect_error("faults:\n  - {kind: stall, duration: 1s, then: later}\n", "expected resume, close or reset");
    expect_error("faults:\n  - {kind: reset, window: 4m..2m}\n", "the end must come after the start");
    expect_error("faults:\n  - {kind: reset, window: 2m}\n", "expected FROM..TO");
    expect_error("faults:\n  - {kind: reset, probability: 120%}\n", "faults[0].probability");
    expect_error("faults:\n  - {kind: reset, first: 0}\n", "faults[0].first");
    expect_error("faults:\n  - {kind: conn_limit}\n", "conn_limit needs");
    expect_error("faults:\n  - {kind: conn_limit, requests: 5, probability: 50%}\n", "probability");
    expect_error("faults:\n  - {kind: accept_pause}\n", "faults[0].window: required for kind accept_pause");
    expect_error("faults:\n  - {kind: pause, duration: 2s, every: 1s}\n", "shorter than every");
    expect_error("faults:\n  - {kind: reset, name: a}\n  - {kind: close, name: a}\n", "used by an earlier fault");
    expect_error("faults:\n  - {kind: reset, name: 'a b'}\n", "letters, digits");
    expect_error("faults:\n  - reset\n", "a fault is a map");
    expect_error("faults: {kind: reset}\n", "expected a list of faults");
}

/* One more than each bound is refused: faults per deployment, list entries, name length, counts. */
static void test_limits(void **state)
{
    char yaml[8192];
    size_t n = (size_t)snprintf(yaml, sizeof(yaml), "faults:\n");
    for (int i = 0; i <= FX_MAX_FAULTS; i++)
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "  - {kind: reset}\n");
    expect_error(yaml, "at most 64 per deployment");
    n = (size_t)snprintf(yaml, sizeof(yaml), "faults:\n  - {kind: reset, models: [");
    for (int i = 0; i <= FX_MAX_LIST; i++)
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "%sm%d", i ? ", " : "", i);
    snprintf(yaml + n, sizeof(yaml) - n, "]}\n");
    expect_error(yaml, "from 1 to 64 entries");
    snprintf(yaml, sizeof(yaml), "faults:\n  - {kind: reset, name: %065d}\n", 0);
    expect_error(yaml, "1 to 64 letters");
    expect_error("faults:\n  - {kind: reset, every_nth: 1000000000001}\n", "faults[0].every_nth");
}

static void test_first_every_nth_window_and_order(void **state)
{
    fx_set_t s;
    cm_err_t err;
    assert_int_equal(parse("faults:\n"
                           "  - {kind: http_error, status: 503, routes: [embeddings]}\n"
                           "  - {kind: reset, first: 2, models: [m]}\n"
                           "  - {kind: close, every_nth: 3, window: 1s..2s}\n",
                           1, &s, &err),
                     0);
    fx_request_t chat = req("chat", "m", 0), emb = req("embeddings", "m", 0);
    assert_ptr_equal(fx_pick(&s, &emb), &s.faults[0]); /* list order: the first that applies wins */
    assert_ptr_equal(fx_pick(&s, &chat), &s.faults[1]);
    assert_ptr_equal(fx_pick(&s, &chat), &s.faults[1]);
    assert_null(fx_pick(&s, &chat)); /* first: 2 used up; the window of the third is not open at 0 s */
    fx_request_t other = req("chat", "other", 1500000000ull);
    assert_null(fx_pick(&s, &other));
    assert_null(fx_pick(&s, &other));
    assert_ptr_equal(fx_pick(&s, &other), &s.faults[2]); /* the 3rd request inside the window */
    other.since_start_ns = 2000000000ull;
    assert_null(fx_pick(&s, &other)); /* the window is [1s, 2s) */
    fx_set_reset(&s);
    assert_ptr_equal(fx_pick(&s, &chat), &s.faults[1]);
    fx_set_free(&s);
}

static void test_header_names_a_fault(void **state)
{
    fx_set_t s;
    cm_err_t err;
    assert_int_equal(parse("faults:\n"
                           "  - {name: on-request, kind: http_error, status: 500, probability: 0%}\n"
                           "  - {name: cl, kind: conn_limit, requests: 1}\n",
                           1, &s, &err),
                     0);
    fx_request_t r = req("chat", "m", 0);
    for (int i = 0; i < 100; i++)
        assert_null(fx_pick(&s, &r)); /* probability 0%: never by targeting */
    r.header = S("on-request");
    assert_ptr_equal(fx_pick(&s, &r), &s.faults[0]);
    r.header = S("cl"); /* a deployment fault cannot be asked for per request */
    assert_null(fx_pick(&s, &r));
    r.header = S("nope");
    assert_null(fx_pick(&s, &r));
    fx_set_free(&s);
}

static size_t count_hits(uint64_t seed, int n)
{
    fx_set_t s;
    cm_err_t err;
    assert_int_equal(parse("faults:\n  - {kind: reset, probability: 30%}\n", seed, &s, &err), 0);
    fx_request_t r = req("chat", "m", 0);
    size_t hits = 0;
    for (int i = 0; i < n; i++)
        hits += fx_pick(&s, &r) != NULL;
    fx_set_free(&s);
    return hits;
}

static void test_probability_is_seeded(void **state)
{
    size_t a = count_hits(7, 20000), b = count_hits(7, 20000), c = count_hits(8, 20000);
    assert_int_equal(a, b);
    assert_in_range(a, 5700, 6300); /* 30% of 20,000: 6,000, sd 65 */
    assert_in_range(c, 5700, 6300);
    assert_true(a != c || count_hits(9, 20000) != a);
}

/* Decisions depend on the request's rank among those a fault saw, not on which thread asked: the set of
 * ranks that got the fault is the same with one thread or four. */
#define RANKS 4000

typedef struct worker_arg {
    fx_set_t *s;
    int n;
} worker_arg_t;

static void *pick_many(void *p)
{
    worker_arg_t *a = p;
    fx_request_t r = req("chat", "m", 0);
    for (int i = 0; i < a->n; i++)
        (void)fx_pick(a->s, &r);
    return NULL;
}

static void test_same_decisions_from_several_threads(void **state)
{
    fx_set_t one, four;
    cm_err_t err;
    const char *spec = "faults:\n  - {kind: reset, probability: 50%, every_nth: 2}\n  - {kind: close}\n";
    assert_int_equal(parse(spec, 42, &one, &err), 0);
    assert_int_equal(parse(spec, 42, &four, &err), 0);
    worker_arg_t a1 = {&one, RANKS};
    pick_many(&a1);
    pthread_t t[4];
    worker_arg_t a4 = {&four, RANKS / 4};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, pick_many, &a4), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    /* Every request passes the first fault's filters, so both counters reach RANKS; how many of them the
     * first fault took is what its draws decided, and the second fault saw exactly the rest. */
    assert_int_equal(atomic_load(&one.passed[0]), RANKS);
    assert_int_equal(atomic_load(&four.passed[0]), RANKS);
    assert_int_equal(atomic_load(&one.passed[1]), atomic_load(&four.passed[1]));
    assert_in_range(atomic_load(&one.passed[1]), RANKS * 3 / 4 - 150, RANKS * 3 / 4 + 150);
    fx_set_free(&one);
    fx_set_free(&four);
}

static void test_empty_and_null(void **state)
{
    fx_set_t s;
    cm_err_t err;
    assert_int_equal(parse("faults:\n", 1, &s, &err), 0);
    assert_int_equal(s.n, 0);
    fx_request_t r = req("chat", "m", 0);
    assert_null(fx_pick(&s, &r));
    fx_set_free(&s);
    assert_int_equal(parse("other: 1\n", 1, &s, &err), 0);
    assert_int_equal(s.n, 0);
    fx_set_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_and_defaults),
        cmocka_unit_test(test_json_spec),
        cmocka_unit_test(test_errors_say_what_and_where),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_first_every_nth_window_and_order),
        cmocka_unit_test(test_header_names_a_fault),
        cmocka_unit_test(test_probability_is_seeded),
        cmocka_unit_test(test_same_decisions_from_several_threads),
        cmocka_unit_test(test_empty_and_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
