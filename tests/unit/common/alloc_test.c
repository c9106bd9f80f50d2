/* tests/unit/common/alloc_test.c — the never-NULL allocators and the bump arena. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/alloc.h"

#include <stdlib.h>
#include <string.h>

static void test_x_allocators(void **state)
{
    (void)state;
    void *p = cm_xmalloc(0); /* zero bytes still gives a pointer that can be freed */
    assert_non_null(p);
    free(p);
    int *z = cm_xcalloc(16, sizeof(int));
    for (int i = 0; i < 16; i++)
        assert_int_equal(z[i], 0);
    z = cm_xrealloc(z, 1024 * sizeof(int));
    assert_int_equal(z[15], 0); /* contents kept */
    free(z);
    free(cm_xcalloc(0, 0));
    char *s = cm_xstrdup("hello");
    assert_string_equal(s, "hello");
    free(s);
    s = cm_xstrndup("hello world", 5);
    assert_string_equal(s, "hello");
    free(s);
    s = cm_xstrndup("", 0);
    assert_string_equal(s, "");
    free(s);
}

static void test_arena(void **state)
{
    (void)state;
    cm_arena_t a = {NULL};
    char *prev = NULL;
    for (int i = 1; i < 2000; i++) {
        char *p = cm_arena_alloc(&a, (size_t)(1 + i % 50));
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xAB, (size_t)(1 + i % 50)); /* writable; ASan would catch overlap or overflow */
        assert_true(p != prev);
        prev = p;
    }
    char *big = cm_arena_alloc(&a, 100000); /* larger than a block */
    memset(big, 1, 100000);
    assert_int_equal((uintptr_t)big % 16, 0);
    cm_arena_free(&a);
    assert_null(a.head);
    cm_arena_free(&a); /* twice is harmless */
    cm_allocator_t al = cm_arena_allocator(&a);
    char *q = cm_alloc(&al, 10);
    assert_non_null(q);
    assert_non_null(a.head); /* the arena is reusable after free */
    cm_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_x_allocators),
        cmocka_unit_test(test_arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
