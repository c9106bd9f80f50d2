/* Tests mock-provider/providers/stop.c: collecting sequences (the count limit, empty ones), matching on decoded
 * text whatever the escapes, the first sequence to complete, where the cut falls in the tokens, and the
 * sequences too long for any answer. */
#include "fixture.h"
#include "mock-provider/providers/stop.h"

/* Tokens given as a NULL-terminated array of escaped strings. */
static cm_str_t token_of(void *ctx, uint32_t i)
{
    const char *const *toks = ctx;
    for (uint32_t k = 0; k < i; k++)
        if (toks[k] == NULL)
            return (cm_str_t){"", 0};
    return toks[i] ? (cm_str_t){toks[i], strlen(toks[i])} : (cm_str_t){"", 0};
}

static uint32_t count_of(const char *const *toks)
{
    uint32_t n = 0;
    while (toks[n] != NULL)
        n++;
    return n;
}

/* Runs the scan for sequences seqs (raw, NULL-terminated) over toks; returns whether one stopped it. */
static bool find(const char *const *seqs, const char *const *toks, size_t max_bytes, mp_stop_hit_t *hit)
{
    fx_t *f = fx_new();
    mp_request_t r;
    memset(&r, 0, sizeof(r));
    for (size_t i = 0; seqs[i] != NULL; i++)
        assert_int_equal(mp_stop_add(&r, (cm_str_t){seqs[i], strlen(seqs[i])}), 0);
    mp_stop_matcher_t *m = mp_stop_prepare(&r, max_bytes, &f->a);
    bool found = mp_stop_find(m, token_of, (void *)toks, count_of(toks), hit);
    fx_free(f);
    return found;
}

static void test_add_limit_and_empty(void **state)
{
    (void)state;
    mp_request_t r;
    memset(&r, 0, sizeof(r));
    assert_int_equal(mp_stop_add(&r, CM_STR("")), 0);
    assert_int_equal(r.nstop, 0);
    for (int i = 0; i < MP_MAX_STOP_SEQUENCES; i++)
        assert_int_equal(mp_stop_add(&r, CM_STR("x")), 0);
    assert_int_equal(r.nstop, MP_MAX_STOP_SEQUENCES);
    assert_int_equal(mp_stop_add(&r, CM_STR("x")), -1);
    assert_int_equal(r.nstop, MP_MAX_STOP_SEQUENCES);
}

/* Escapes on either side compare as the characters they stand for; the cut is at the start of the character
 * (escape) where the sequence begins, counted in escaped bytes. */
static void test_decoded_match(void **state)
{
    (void)state;
    mp_stop_hit_t hit;
    const char *toks[] = {"say", " \\\"hi\\\"\\n", " \xf0\x9f\x98\x80", " now", NULL};
    const char *quote[] = {"\\u0022hi\\u0022\\u000a", NULL};
    assert_true(find(quote, toks, 1000, &hit));
    assert_int_equal(hit.cut, 4); /* "say " */
    assert_int_equal(hit.tokens, 2);
    assert_int_equal(hit.which, 0);
    const char *emoji[] = {"nope", "\\ud83d\\ude00 n", NULL};
    assert_true(find(emoji, toks, 1000, &hit));
    assert_int_equal(hit.cut, strlen("say \\\"hi\\\"\\n "));
    assert_int_equal(hit.tokens, 3);
    assert_int_equal(hit.which, 1);
    const char *none[] = {"\\\"hi\\\" ", "won", NULL};
    assert_false(find(none, toks, 1000, &hit));
}

/* Overlapping prefixes (where a naive restart would miss "aab" in "aaab"), a match at the very start of a
 * token, and one at the very start of the answer. */
static void test_kmp_and_boundaries(void **state)
{
    (void)state;
    mp_stop_hit_t hit;
    const char *toks[] = {"a", "a", "ab", "c", NULL};
    const char *aab[] = {"aab", NULL};
    assert_true(find(aab, toks, 100, &hit));
    assert_int_equal(hit.cut, 1);
    assert_int_equal(hit.tokens, 1); /* the match starts where token 1 starts */
    const char *bc[] = {"bc", NULL};
    assert_true(find(bc, toks, 100, &hit));
    assert_int_equal(hit.cut, 3);
    assert_int_equal(hit.tokens, 3); /* token 2 ("ab") is cut short to "a" */
    const char *start[] = {"a", NULL};
    assert_true(find(start, toks, 100, &hit));
    assert_int_equal(hit.cut, 0);
    assert_int_equal(hit.tokens, 1); /* empty, but it took a token to decide */
}

/* A sequence longer than the longest answer is never matched (no tables for it); one that fits still is. An
 * adversarial case for a naive scan (a long run of 'a' and a sequence of 'a's ending in 'b') finds the end. */
static void test_too_long_and_adversarial(void **state)
{
    (void)state;
    mp_stop_hit_t hit;
    const char *toks[] = {"abc", NULL};
    const char *seqs[] = {"abc", NULL};
    assert_false(find(seqs, toks, 2, &hit));
    assert_true(find(seqs, toks, 3, &hit));
    enum { RUN = 200000, SEQ = 4000 };
    char *run = cm_xcalloc(1, RUN + 2), *seq = cm_xcalloc(1, SEQ + 1);
    memset(run, 'a', RUN);
    run[RUN] = 'b';
    memset(seq, 'a', SEQ - 1);
    seq[SEQ - 1] = 'b';
    const char *big[] = {run, NULL}, *s[] = {seq, NULL};
    assert_true(find(s, big, RUN + 1, &hit));
    assert_int_equal(hit.cut, RUN + 1 - SEQ);
    free(run);
    free(seq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_limit_and_empty),
        cmocka_unit_test(test_decoded_match),
        cmocka_unit_test(test_kmp_and_boundaries),
        cmocka_unit_test(test_too_long_and_adversarial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
