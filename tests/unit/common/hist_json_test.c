/* tests/unit/common/hist_json_test.c — histograms written as JSON and read back: the exact shape, a round trip
 * of random histograms whose merge equals one histogram that recorded everything (buckets, percentiles), and
 * every malformed input refused with its member and byte offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/hist_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A valid document: the layout and one histogram (12, 300 and 905 us), the base of every malformed one. */
#define LAYOUT "{\"scheme\":\"log-linear\",\"sub_bits\":8,\"max\":4294967295,\"bucket_count\":3328}"
#define BUCKETS "[[12,12,1],[300,301,1],[904,907,1]]"
static const char base_doc[] = "{\"layout\":" LAYOUT ",\"h\":{\"unit\":\"us\",\"count\":3,\"clamped\":0,\"min\":12,"
                               "\"max\":905,\"sum\":1217,\"buckets\":" BUCKETS "}}";

static uint64_t rnd_state = 777;

static uint64_t rnd(void) /* splitmix64: this test depends on nothing but the code under test */
{
    uint64_t z = (rnd_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Values spread over every magnitude the layout has: exact ones below 256, microseconds to an hour, and a few
 * past CM_HIST_MAX that are clamped. */
static uint64_t random_value(void)
{
    uint64_t r = rnd();
    if (r % 1000 == 0)
        return CM_HIST_MAX + 1 + (r >> 40);
    return (r >> 8) & ((UINT64_C(1) << (rnd() % 33)) - 1);
}

static cm_hist_t *new_hist(void)
{
    cm_hist_t *h = malloc(sizeof(*h));
    assert_non_null(h);
    cm_hist_init(h);
    return h;
}

/* {"layout": ..., "h": h} as the report writes it. */
static void export_doc(cm_buf_t *b, const cm_hist_t *h, const char *unit)
{
    cm_jw_t w;
    cm_jw_init(&w, b);
    cm_jw_obj(&w);
    cm_jw_key(&w, "layout");
    cm_hist_json_write_layout(&w);
    cm_jw_key(&w, "h");
    cm_hist_json_write(&w, h, unit);
    cm_jw_obj_end(&w);
}

/* Parses doc and reads its "h" against its "layout"; returns what cm_hist_from_json did. */
static int import_doc(const char *doc, size_t len, const char *unit, cm_hist_t *h, char *err, size_t errlen)
{
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    int rc = cm_json_parse(&d, doc, len, &toks, err, errlen);
    if (rc == 0)
        rc = cm_hist_from_json(&d, cm_json_get(&d, 0, "layout"), cm_json_get(&d, 0, "h"), unit, h, err, errlen);
    cm_json_toks_free(&toks);
    return rc;
}

static void assert_same_hist(const cm_hist_t *a, const cm_hist_t *b)
{
    assert_int_equal(a->count, b->count);
    assert_int_equal(a->clamped, b->clamped);
    assert_int_equal(a->min, b->min);
    assert_int_equal(a->max, b->max);
    assert_true(a->sum == b->sum);
    for (uint32_t i = 0; i < CM_HIST_NBUCKETS; i++)
        if (a->buckets[i] != b->buckets[i])
            fail_msg("bucket %u (%llu..%llu): %llu != %llu", i, (unsigned long long)cm_hist_bucket_low(i),
                     (unsigned long long)cm_hist_bucket_high(i), (unsigned long long)a->buckets[i],
                     (unsigned long long)b->buckets[i]);
}

static cm_hist_t *round_trip(const cm_hist_t *h)
{
    cm_buf_t b = CM_BUF_INIT;
    char err[256];
    cm_hist_t *back = new_hist();
    export_doc(&b, h, "us");
    if (import_doc(b.data, b.len, "us", back, err, sizeof(err)) != 0)
        fail_msg("a histogram the writer wrote was refused: %s", err);
    cm_buf_free(&b);
    assert_same_hist(back, h);
    return back;
}

static void test_written_shape(void **state)
{
    (void)state;
    cm_hist_t *h = new_hist();
    cm_hist_record(h, 12);
    cm_hist_record(h, 300);
    cm_hist_record(h, 905);
    cm_buf_t b = CM_BUF_INIT;
    export_doc(&b, h, "us");
    cm_buf_putc(&b, '\0');
    assert_string_equal(b.data, base_doc);
    cm_buf_free(&b);
    free(h);
}

static void test_empty_round_trip(void **state)
{
    (void)state;
    cm_hist_t *h = new_hist();
    cm_buf_t b = CM_BUF_INIT;
    export_doc(&b, h, "us");
    cm_buf_putc(&b, '\0');
    assert_non_null(strstr(b.data, "\"h\":{\"unit\":\"us\",\"count\":0,\"clamped\":0,\"min\":null,\"max\":null,"
                                   "\"sum\":0,\"buckets\":[]}"));
    cm_buf_free(&b);
    free(round_trip(h));
    free(h);
}

/* Two runs recorded apart, exported, read back and merged hold what one histogram recording both holds. */
static void test_merge_of_exports_is_exact(void **state)
{
    (void)state;
    cm_hist_t *a = new_hist(), *b = new_hist(), *both = new_hist();
    for (int i = 0; i < 20000; i++) {
        uint64_t v = random_value();
        cm_hist_record(i % 3 ? a : b, v);
        cm_hist_record(both, v);
    }
    assert_true(a->clamped > 0 && b->clamped > 0);
    cm_hist_t *ra = round_trip(a), *rb = round_trip(b);
    cm_hist_merge(ra, rb);
    assert_same_hist(ra, both);
    static const double qs[] = {0, 0.1, 1, 10, 50, 90, 99, 99.9, 99.99, 100};
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
        assert_int_equal(cm_hist_percentile(ra, qs[i]), cm_hist_percentile(both, qs[i]));
    assert_true(cm_hist_mean(ra) == cm_hist_mean(both));
    free(a);
    free(b);
    free(both);
    free(ra);
    free(rb);
}

/* Every bucket of the layout at once: the most a histogram can write, and it still reads back. */
static void test_every_bucket(void **state)
{
    (void)state;
    cm_hist_t *h = new_hist();
    for (uint32_t i = 0; i < CM_HIST_NBUCKETS; i++)
        cm_hist_record_n(h, cm_hist_bucket_high(i), i + 1);
    free(round_trip(h));
    free(h);
}

/* base_doc with its first `from` replaced by `to`. */
static char *mutate(const char *from, const char *to)
{
    const char *at = strstr(base_doc, from);
    if (at == NULL)
        fail_msg("\"%s\" is not in the base document", from);
    size_t head = (size_t)(at - base_doc), n = strlen(base_doc) - strlen(from) + strlen(to);
    char *s = malloc(n + 1);
    assert_non_null(s);
    snprintf(s, n + 1, "%.*s%s%s", (int)head, base_doc, to, at + strlen(from));
    return s;
}

static void assert_refused_doc(const char *doc, const char *unit, const char *want)
{
    char err[256] = "";
    cm_hist_t *h = new_hist();
    if (import_doc(doc, strlen(doc), unit, h, err, sizeof(err)) == 0)
        fail_msg("accepted %s", doc);
    assert_string_equal(err, want);
    assert_int_equal(h->count, 0); /* left empty */
    free(h);
}

static void assert_refused(const char *from, const char *to, const char *want)
{
    char *doc = mutate(from, to);
    assert_refused_doc(doc, "us", want);
    free(doc);
}

static void test_layout_refusals(void **state)
{
    (void)state;
    assert_refused("\"log-linear\"", "\"hdr\"", "layout.scheme (byte 21): expected \"log-linear\"");
    assert_refused("\"sub_bits\":8", "\"sub_bits\":7", "layout.sub_bits (byte 44): 7, but this build's layout has 8");
    assert_refused("4294967295", "65535", "layout.max (byte 52): 65535, but this build's layout has 4294967295");
    assert_refused(",\"bucket_count\":3328", "", "layout.bucket_count (byte 10): missing");
    assert_refused(LAYOUT, "[1]", "layout (byte 10): expected an object");
    assert_refused_doc("{\"h\":{}}", "us", "layout: missing");
    assert_refused_doc("{\"layout\":" LAYOUT "}", "us", "histogram: missing");
}

static void test_member_refusals(void **state)
{
    (void)state;
    assert_refused_doc("{\"layout\":" LAYOUT ",\"h\":[1]}", "us", "histogram (byte 88): expected an object");
    assert_refused("\"unit\":\"us\"", "\"unit\":\"ms\"", "unit (byte 97): expected \"us\"");
    assert_refused("\"unit\":\"us\",", "", "unit (byte 88): missing");
    assert_refused("\"count\":3", "\"count\":-3", "count (byte 109): -3 is not an integer in 0..9223372036854775807");
    assert_refused("\"count\":3", "\"count\":3.5", "count (byte 109): 3.5 is not an integer in 0..9223372036854775807");
    assert_refused("\"count\":3", "\"count\":1e19",
                   "count (byte 109): 1e19 is not an integer in 0..9223372036854775807");
    assert_refused("\"count\":3", "\"count\":\"3\"",
                   "count (byte 110): \"3\" is not an integer in 0..9223372036854775807");
    assert_refused("\"sum\":1217", "\"sum\":-1", "sum (byte 148): expected a finite number >= 0");
    assert_refused("\"sum\":1217", "\"sum\":1e999", "sum (byte 148): expected a finite number >= 0");
    assert_refused("\"sum\":1217", "\"sum\":35",
                   "sum (byte 148): 35 is outside count x min .. count x max (36 .. 2715)");
    assert_refused("\"min\":12", "\"min\":null", "min (byte 129): null is not an integer in 0..9223372036854775807");
    assert_refused("\"min\":12", "\"min\":11", "min (byte 129): 11 is not in the first bucket 12..12");
    assert_refused("\"max\":905", "\"max\":908", "max (byte 138): 908 is not in the last bucket 904..907");
    assert_refused("\"clamped\":0", "\"clamped\":1", "clamped (byte 121): 1, more than the top bucket's 0");
    /* unit NULL: any string is a unit, but it must be one */
    char *doc = mutate("\"unit\":\"us\"", "\"unit\":7");
    assert_refused_doc(doc, NULL, "unit (byte 96): expected a string");
    free(doc);
    doc = mutate("\"unit\":\"us\"", "\"unit\":\"milli_tokens_per_s\"");
    cm_hist_t *h = new_hist();
    char err[256];
    assert_int_equal(import_doc(doc, strlen(doc), NULL, h, err, sizeof(err)), 0);
    free(doc);
    free(h);
}

static void test_bucket_refusals(void **state)
{
    (void)state;
    assert_refused(BUCKETS, "{}", "buckets (byte 163): expected an array");
    assert_refused("[300,301,1]", "[300,301]", "buckets[1] (byte 174): expected [low, high, count]");
    assert_refused("[300,301,1]", "[300,302,1]",
                   "buckets[1] (byte 174): 300..302 is not a bucket of this layout (300 is in 300..301)");
    assert_refused("[300,301,1]", "[301,301,1]",
                   "buckets[1] (byte 174): 301..301 is not a bucket of this layout (301 is in 300..301)");
    assert_refused("[300,301,1]", "[300,301,0]", "buckets[1] (byte 174): count 0: only non-empty buckets are listed");
    assert_refused("[300,301,1]", "[300,301,-1]",
                   "buckets[1][2] (byte 183): -1 is not an integer in 0..9223372036854775807");
    assert_refused("[904,907,1]", "[4294967296,4294967296,1]",
                   "buckets[2] (byte 186): low 4294967296 is above the layout's max 4294967295");
    assert_refused("[300,301,1]", "[12,12,1]",
                   "buckets[1] (byte 174): 12..12 is not above the bucket before it (buckets ascend, each once)");
    assert_refused("[12,12,1],[300,301,1]", "[300,301,1],[12,12,1]",
                   "buckets[1] (byte 176): 12..12 is not above the bucket before it (buckets ascend, each once)");
    assert_refused("[904,907,1]", "[904,907,2]", "buckets (byte 163): the counts sum to 4, but count is 3");
    assert_refused(BUCKETS, "[[12,12,9223372036854775807],[300,301,9223372036854775807],[904,907,9223372036854775807]]",
                   "buckets[2] (byte 222): the counts up to here overflow 64 bits");
    /* one entry more than the layout has buckets */
    size_t cap = CM_HIST_NBUCKETS + 1, n = strlen("[0,0,1],") * cap + 2;
    char *many = malloc(n);
    assert_non_null(many);
    many[0] = '[';
    for (size_t i = 0; i < cap; i++)
        memcpy(many + 1 + i * 8, "[0,0,1],", 8);
    many[n - 2] = ']';
    many[n - 1] = '\0';
    assert_refused(BUCKETS, many, "buckets (byte 163): 3329 entries, more than the layout's 3328 buckets");
    free(many);
}

/* Empty: min and max null, sum 0; clamped values sit in the top bucket with max at CM_HIST_MAX. */
static void test_consistency_refusals(void **state)
{
    (void)state;
    static const char empty[] =
        "{\"layout\":" LAYOUT ",\"h\":{\"unit\":\"us\",\"count\":0,\"clamped\":0,\"min\":0,\"max\":null,\"sum\":0,"
        "\"buckets\":[]}}";
    assert_refused_doc(empty, "us", "min (byte 129): expected null: count is 0");
    static const char one[] =
        "{\"layout\":" LAYOUT ",\"h\":{\"unit\":\"us\",\"count\":2,\"clamped\":0,\"min\":906,\"max\":905,\"sum\":1811,"
        "\"buckets\":[[904,907,2]]}}";
    assert_refused_doc(one, "us", "min (byte 129): 906 is above max 905");
    static const char top[] =
        "{\"layout\":" LAYOUT ",\"h\":{\"unit\":\"us\",\"count\":1,\"clamped\":1,\"min\":4278190080,"
        "\"max\":4278190080,\"sum\":4278190080,\"buckets\":[[4278190080,4294967295,1]]}}";
    assert_refused_doc(top, "us", "clamped (byte 121): 1 clamped values but max 4278190080 is not 4294967295");
}

/* A later schema may add members: they are ignored. */
static void test_unknown_members_ignored(void **state)
{
    (void)state;
    char *doc = mutate("\"unit\":\"us\"", "\"unit\":\"us\",\"p50\":{\"x\":[1,2]}");
    cm_hist_t *h = new_hist();
    char err[256];
    if (import_doc(doc, strlen(doc), "us", h, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(h->count, 3);
    assert_int_equal(cm_hist_percentile(h, 50), 300);
    free(doc);
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_shape),
        cmocka_unit_test(test_empty_round_trip),
        cmocka_unit_test(test_merge_of_exports_is_exact),
        cmocka_unit_test(test_every_bucket),
        cmocka_unit_test(test_layout_refusals),
        cmocka_unit_test(test_member_refusals),
        cmocka_unit_test(test_bucket_refusals),
        cmocka_unit_test(test_consistency_refusals),
        cmocka_unit_test(test_unknown_members_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
