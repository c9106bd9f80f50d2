/* tests/unit/harness/measure/sse_test.c — the SSE parser: WHATWG line and field rules, the same events whatever
 * the split of the input, bounded event size, stopping from the callback, pending state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/measure/sse.h"

#include <stdio.h>
#include <string.h>

/* Events are logged as "[event]data\n" entries so whole sequences compare as one string. */
typedef struct log {
    cm_buf_t text;
    int count;
    int stop_after; /* return 7 from the callback at this event (0 = never) */
} log_t;

static int log_event(void *ctx, const char *event, size_t event_len, const char *data, size_t data_len)
{
    log_t *l = ctx;
    cm_buf_putc(&l->text, '[');
    cm_buf_append(&l->text, event, event_len);
    cm_buf_putc(&l->text, ']');
    cm_buf_append(&l->text, data, data_len);
    cm_buf_putc(&l->text, '\n');
    assert_int_equal(event[event_len], '\0'); /* callers may treat both as C strings */
    assert_int_equal(data[data_len], '\0');
    l->count++;
    return l->stop_after != 0 && l->count == l->stop_after ? 7 : 0;
}

static const char sample[] = "data: first\n\n"
                             ": a comment, ignored\r\n"
                             "event: delta\r\n"
                             "data:no space\r\n"
                             "data:  two spaces keep one\r\n"
                             "id: 42\r\n"
                             "retry: 1000\r\n"
                             "\r\n"
                             "data: cr only\r\rdata\r\r"
                             "unknown: field\n"
                             "event: lonely\n\n"
                             "data: after lonely\n\n"
                             "event:x\nevent: y\ndata: {\"k\": \"v: w\"}\ndata\ndata: end\n\n"
                             "data: [DONE]\n\n";

static const char expected[] = "[]first\n"
                               "[delta]no space\n two spaces keep one\n"
                               "[]cr only\n"
                               "[]\n"
                               "[]after lonely\n"
                               "[y]{\"k\": \"v: w\"}\n\nend\n"
                               "[][DONE]\n";

static void parse_split(log_t *l, const char *s, size_t n, const size_t *cuts, size_t ncuts)
{
    hx_sse_t p;
    hx_sse_init(&p, 4096, log_event, l);
    size_t at = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : n;
        assert_int_equal(hx_sse_feed(&p, s + at, end - at), 0);
        at = end;
    }
    assert_false(hx_sse_pending(&p));
    hx_sse_free(&p);
}

static void test_whole_stream(void **state)
{
    (void)state;
    log_t l = {CM_BUF_INIT, 0, 0};
    parse_split(&l, sample, sizeof(sample) - 1, NULL, 0);
    assert_string_equal(l.text.data, expected);
    assert_int_equal(l.count, 7);
    cm_buf_free(&l.text);
}

static void test_every_split_offset(void **state)
{
    (void)state;
    size_t n = sizeof(sample) - 1;
    for (size_t cut = 0; cut <= n; cut++) {
        log_t l = {CM_BUF_INIT, 0, 0};
        parse_split(&l, sample, n, &cut, 1);
        if (strcmp(l.text.data, expected) != 0) {
            print_error("split at %zu gave:\n%s\n", cut, l.text.data);
            fail();
        }
        cm_buf_free(&l.text);
    }
}

static void test_every_pair_of_splits(void **state)
{
    (void)state;
    size_t n = sizeof(sample) - 1;
    for (size_t a = 0; a <= n; a += 3) {
        for (size_t b = a; b <= n; b++) {
            size_t cuts[2] = {a, b};
            log_t l = {CM_BUF_INIT, 0, 0};
            parse_split(&l, sample, n, cuts, 2);
            if (strcmp(l.text.data, expected) != 0) {
                print_error("splits at %zu,%zu gave:\n%s\n", a, b, l.text.data);
                fail();
            }
            cm_buf_free(&l.text);
        }
    }
}

static void test_byte_by_byte(void **state)
{
    (void)state;
    log_t l = {CM_BUF_INIT, 0, 0};
    hx_sse_t p;
    hx_sse_init(&p, 4096, log_event, &l);
    for (size_t i = 0; i < sizeof(sample) - 1; i++)
        assert_int_equal(hx_sse_feed(&p, sample + i, 1), 0);
    assert_string_equal(l.text.data, expected);
    hx_sse_free(&p);
    cm_buf_free(&l.text);
}

/* "\r" then "\n" in the next feed is one line end, not an end plus a blank line (which would dispatch). */
static void test_crlf_split_across_feeds(void **state)
{
    (void)state;
    log_t l = {CM_BUF_INIT, 0, 0};
    hx_sse_t p;
    hx_sse_init(&p, 4096, log_event, &l);
    assert_int_equal(hx_sse_feed(&p, "data: a\r", 8), 0);
    assert_int_equal(hx_sse_feed(&p, "\ndata: b\r", 9), 0);
    assert_int_equal(l.count, 0);
    assert_int_equal(hx_sse_feed(&p, "\n\r", 2), 0);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.text.data, "[]a\nb\n");
    assert_int_equal(hx_sse_feed(&p, "\n", 1), 0); /* the \n of that last \r\n: no second dispatch */
    assert_int_equal(l.count, 1);
    assert_false(hx_sse_pending(&p));
    hx_sse_free(&p);
    cm_buf_free(&l.text);
}

static void test_pending_and_reset(void **state)
{
    (void)state;
    log_t l = {CM_BUF_INIT, 0, 0};
    hx_sse_t p;
    hx_sse_init(&p, 4096, log_event, &l);
    assert_false(hx_sse_pending(&p));
    assert_int_equal(hx_sse_feed(&p, "data: par", 9), 0);
    assert_true(hx_sse_pending(&p)); /* partial line */
    assert_int_equal(hx_sse_feed(&p, "tial\n", 5), 0);
    assert_true(hx_sse_pending(&p)); /* complete line, frame not dispatched */
    hx_sse_reset(&p);
    assert_false(hx_sse_pending(&p));
    assert_int_equal(hx_sse_feed(&p, "\n", 1), 0);
    assert_int_equal(l.count, 0); /* the reset dropped the frame */
    assert_int_equal(hx_sse_feed(&p, "event: e\n", 9), 0);
    assert_true(hx_sse_pending(&p));
    assert_int_equal(hx_sse_feed(&p, "\n", 1), 0); /* no data: nothing dispatched, event name dropped */
    assert_int_equal(hx_sse_feed(&p, "data: x\n\n", 9), 0);
    assert_string_equal(l.text.data, "[]x\n");
    hx_sse_free(&p);
    cm_buf_free(&l.text);
}

static void test_callback_stops_parsing(void **state)
{
    (void)state;
    log_t l = {CM_BUF_INIT, 0, 2};
    hx_sse_t p;
    hx_sse_init(&p, 4096, log_event, &l);
    const char *s = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
    assert_int_equal(hx_sse_feed(&p, s, strlen(s)), 7);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.text.data, "[]1\n[]2\n");
    hx_sse_free(&p);
    cm_buf_free(&l.text);
}

static void test_event_size_is_bounded(void **state)
{
    (void)state;
    char big[200];
    memset(big, 'a', sizeof(big));
    log_t l = {CM_BUF_INIT, 0, 0};
    hx_sse_t p;
    /* Many data lines, each small: the joined frame is what is bounded. */
    hx_sse_init(&p, 64, log_event, &l);
    int rc = 0;
    for (int i = 0; i < 10 && rc == 0; i++)
        rc = hx_sse_feed(&p, "data: 0123456789\n", 17);
    assert_int_equal(rc, -1);
    assert_int_equal(l.count, 0);
    hx_sse_free(&p);
    /* A line that never ends is bounded too, within one feed and across feeds. */
    hx_sse_init(&p, 64, log_event, &l);
    assert_int_equal(hx_sse_feed(&p, big, sizeof(big)), -1);
    hx_sse_free(&p);
    hx_sse_init(&p, 64, log_event, &l);
    rc = 0;
    for (int i = 0; i < 20 && rc == 0; i++)
        rc = hx_sse_feed(&p, big, 10);
    assert_int_equal(rc, -1);
    hx_sse_free(&p);
    /* A line (here a comment, which is never stored) longer than the limit is an error wherever the feeds
     * split it, so the outcome does not depend on the network. */
    hx_sse_init(&p, 64, log_event, &l);
    assert_int_equal(hx_sse_feed(&p, ":", 1), 0);
    assert_int_equal(hx_sse_feed(&p, big, 70), -1);
    hx_sse_free(&p);
    char comment[80] = ":";
    memset(comment + 1, 'c', 70);
    comment[71] = '\n';
    hx_sse_init(&p, 64, log_event, &l);
    assert_int_equal(hx_sse_feed(&p, comment, 72), -1);
    hx_sse_free(&p);
    /* Right at the limit is fine. */
    hx_sse_init(&p, 64, log_event, &l);
    const char *fits = "data: 0123456789012345678901234567890123456789012345678901234567\n\n"; /* a 64-byte line */
    assert_int_equal(hx_sse_feed(&p, fits, strlen(fits)), 0);
    assert_int_equal(l.count, 1);
    hx_sse_free(&p);
    cm_buf_free(&l.text);
}

static void test_binary_garbage_does_not_crash(void **state)
{
    (void)state;
    log_t l = {CM_BUF_INIT, 0, 0};
    hx_sse_t p;
    hx_sse_init(&p, 1 << 16, log_event, &l);
    unsigned char junk[4096];
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof(junk); i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        junk[i] = (unsigned char)(i % 50 == 0 ? '\n' : x);
    }
    assert_int_equal(hx_sse_feed(&p, (const char *)junk, sizeof(junk)), 0);
    assert_int_equal(hx_sse_feed(&p, "\n\ndata: ok\n\n", 12), 0);
    assert_non_null(strstr(l.text.data, "[]ok\n"));
    hx_sse_free(&p);
    cm_buf_free(&l.text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_stream),
        cmocka_unit_test(test_every_split_offset),
        cmocka_unit_test(test_every_pair_of_splits),
        cmocka_unit_test(test_byte_by_byte),
        cmocka_unit_test(test_crlf_split_across_feeds),
        cmocka_unit_test(test_pending_and_reset),
        cmocka_unit_test(test_callback_stops_parsing),
        cmocka_unit_test(test_event_size_is_bounded),
        cmocka_unit_test(test_binary_garbage_does_not_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
