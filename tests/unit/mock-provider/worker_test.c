/* tests/unit/mock-provider/worker_test.c — the worker's scratch comes back to its baselines after an
 * outsized request (issue 7: one 8 MB body of small JSON values left about 80 MB of token array behind for
 * the life of the thread), and ordinary growth is kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mock-provider/worker.h"

#include <stdlib.h>
#include <string.h>

/* An array of n zeros: n + 1 tokens. */
static char *zeros(size_t n, size_t *len)
{
    char *s = malloc(2 * n + 2);
    size_t o = 0;
    s[o++] = '[';
    for (size_t i = 0; i < n; i++) {
        s[o++] = '0';
        s[o++] = i + 1 < n ? ',' : ']';
    }
    s[o] = '\0';
    *len = o;
    return s;
}

static void parse_with(mp_worker_t *w, size_t n)
{
    size_t len;
    char *s = zeros(n, &len), err[128];
    cm_json_doc_t doc;
    assert_int_equal(cm_json_parse(&doc, s, len, &w->toks, err, sizeof(err)), 0);
    assert_int_equal(doc.ntok, n + 1);
    free(s);
}

static void test_outsized_scratch_shrinks(void **state)
{
    (void)state;
    mp_worker_t *w = calloc(1, sizeof(*w));
    cm_buf_reserve(&w->scratch, 10u << 20); /* a 10 MB body was rendered */
    parse_with(w, 1000000);                 /* a request of a million values was read */
    assert_true(w->scratch.cap > 10u << 20);
    assert_true(w->toks.cap > 1000000);
    assert_true(mp_worker_trim_scratch(w));
    assert_int_equal(w->scratch.cap, MP_SCRATCH_BUF_BASELINE);
    assert_int_equal(w->scratch.len, 0);
    assert_int_equal(w->toks.cap, MP_SCRATCH_TOKS_BASELINE);
    assert_false(mp_worker_trim_scratch(w)); /* nothing more to do */
    parse_with(w, 100);                      /* still usable */
    cm_buf_puts(&w->scratch, "still usable");
    assert_string_equal(w->scratch.data, "still usable");
    cm_buf_free(&w->scratch);
    cm_json_toks_free(&w->toks);
    free(w);
}

/* Up to MP_SCRATCH_SLACK times the baseline the memory is kept: ordinary traffic never reallocates. */
static void test_ordinary_growth_kept(void **state)
{
    (void)state;
    mp_worker_t *w = calloc(1, sizeof(*w));
    cm_buf_reserve(&w->scratch, 3 * MP_SCRATCH_BUF_BASELINE);
    parse_with(w, 3 * MP_SCRATCH_TOKS_BASELINE);
    size_t cap = w->scratch.cap;
    uint32_t tcap = w->toks.cap;
    assert_true(cap <= MP_SCRATCH_SLACK * MP_SCRATCH_BUF_BASELINE);
    assert_true(tcap <= MP_SCRATCH_SLACK * MP_SCRATCH_TOKS_BASELINE);
    assert_false(mp_worker_trim_scratch(w));
    assert_int_equal(w->scratch.cap, cap);
    assert_int_equal(w->toks.cap, tcap);
    /* One token over the slack is outsized. */
    parse_with(w, MP_SCRATCH_SLACK * MP_SCRATCH_TOKS_BASELINE);
    assert_true(mp_worker_trim_scratch(w));
    assert_int_equal(w->toks.cap, MP_SCRATCH_TOKS_BASELINE);
    assert_int_equal(w->scratch.cap, cap);
    cm_buf_free(&w->scratch);
    cm_json_toks_free(&w->toks);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outsized_scratch_shrinks),
        cmocka_unit_test(test_ordinary_growth_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
