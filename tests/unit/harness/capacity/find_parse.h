/* tests/unit/harness/capacity/find_parse.h — what the `soak find` flag tests share: an argv from literals, the
 * options parsed into one static hx_find_opts_t (large: not on the stack), and PARSE_OK / PARSE_ERR, which
 * parse and check that it passed, or failed with a message containing the text given. Include after cmocka.h
 * and harness/capacity/find.h. */
#ifndef SOAK_TESTS_FIND_PARSE_H
#define SOAK_TESTS_FIND_PARSE_H

#include <string.h>

#define ARGV(...) ((char *[]){"find", __VA_ARGS__, NULL})
#define ARGC(v) ((int)(sizeof(v) / sizeof(char *)) - 1)
#define URL "--url", "http://127.0.0.1:9/v1"

static hx_find_opts_t opts; /* large: not on the stack */

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL) {
        print_error("\"%s\"\n  does not contain \"%s\"\n", haystack, needle);
        fail();
    }
}

#define PARSE_OK(...)                                                                                                  \
    do {                                                                                                               \
        char e_[1400] = "";                                                                                            \
        if (hx_find_parse(ARGC(ARGV(__VA_ARGS__)), ARGV(__VA_ARGS__), &opts, e_, sizeof(e_)) != 0) {                   \
            print_error("unexpected error: %s\n", e_);                                                                 \
            fail();                                                                                                    \
        }                                                                                                              \
    } while (0)

#define PARSE_ERR(want, ...)                                                                                           \
    do {                                                                                                               \
        char e_[1400] = "";                                                                                            \
        assert_int_equal(hx_find_parse(ARGC(ARGV(__VA_ARGS__)), ARGV(__VA_ARGS__), &opts, e_, sizeof(e_)), -1);        \
        assert_contains(e_, want);                                                                                     \
    } while (0)

#endif
