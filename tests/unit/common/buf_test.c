/* tests/unit/common/buf_test.c — the growable byte buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/buf.h"

#include <stdlib.h>
#include <string.h>

static void test_append_grows_and_terminates(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    assert_null(b.data);
    cm_buf_append(&b, "abc", 3);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.data, "abc");
    assert_true(b.cap > b.len);
    char chunk[1000];
    memset(chunk, 'x', sizeof(chunk));
    for (int i = 0; i < 100; i++)
        cm_buf_append(&b, chunk, sizeof(chunk));
    assert_int_equal(b.len, 100003);
    assert_true(b.cap > b.len);
    assert_int_equal(b.data[b.len], '\0');
    assert_int_equal(b.data[100002], 'x');
    cm_buf_append(&b, "", 0);
    assert_int_equal(b.len, 100003);
    cm_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

static void test_puts_putc_binary(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_putc(&b, 'h');
    cm_buf_puts(&b, "ello");
    cm_buf_putc(&b, '\0');
    cm_buf_putc(&b, '!');
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.data, "hello\0!", 8);
    cm_buf_free(&b);
}

static void test_printf_short_and_long(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_printf(&b, "%d-%s", 42, "x");
    assert_string_equal(b.data, "42-x");
    /* Longer than the first reservation: formatted twice, must not truncate. */
    char big[5000];
    memset(big, 'y', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    cm_buf_printf(&b, "[%s]", big);
    assert_int_equal(b.len, 4 + 2 + 4999);
    assert_int_equal(b.data[5], 'y');
    assert_int_equal(b.data[b.len - 1], ']');
    assert_int_equal(b.data[b.len], '\0');
    cm_buf_printf(&b, "%s", "");
    assert_int_equal(b.len, 4 + 2 + 4999);
    cm_buf_free(&b);
}

static void test_reserve(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_reserve(&b, 0);
    assert_non_null(b.data);
    cm_buf_reserve(&b, 10000);
    assert_true(b.cap - b.len > 10000); /* room for the bytes plus the NUL */
    char *before = b.data;
    size_t cap = b.cap;
    cm_buf_append(&b, "abc", 3);
    cm_buf_reserve(&b, 10);
    assert_ptr_equal(b.data, before); /* enough room already: no reallocation */
    assert_int_equal(b.cap, cap);
    cm_buf_free(&b);
}

static void test_reset_keeps_memory(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_reset(&b); /* on an empty buffer */
    assert_null(b.data);
    cm_buf_puts(&b, "something");
    size_t cap = b.cap;
    cm_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, cap);
    assert_string_equal(b.data, "");
    cm_buf_puts(&b, "new");
    assert_string_equal(b.data, "new");
    cm_buf_free(&b);
}

static void test_detach(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    char *s = cm_buf_detach(&b); /* an empty buffer detaches as "" */
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    cm_buf_puts(&b, "owned");
    s = cm_buf_detach(&b);
    assert_string_equal(s, "owned");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    free(s);
    cm_buf_puts(&b, "again"); /* usable after detach */
    assert_string_equal(b.data, "again");
    cm_buf_free(&b);
}

static void test_str_macro(void **state)
{
    (void)state;
    cm_str_t s = CM_STR("chat");
    assert_int_equal(s.n, 4);
    assert_memory_equal(s.p, "chat", 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_grows_and_terminates),
        cmocka_unit_test(test_puts_putc_binary),
        cmocka_unit_test(test_printf_short_and_long),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_reset_keeps_memory),
        cmocka_unit_test(test_detach),
        cmocka_unit_test(test_str_macro),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
