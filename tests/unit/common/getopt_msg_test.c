/* tests/unit/common/getopt_msg_test.c — the binaries' own words for a command line getopt refused: a missing
 * value named by the option's long form, a value given to a flag, an unknown long or short option quoted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/getopt_msg.h"

#include <string.h>

enum { OPT_CHECK = 256, OPT_SEED };

static const struct option longopts[] = {
    {"config", required_argument, NULL, 'c'},
    {"check", no_argument, NULL, OPT_CHECK},
    {"seed", required_argument, NULL, OPT_SEED},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The message for the first option getopt_long refuses in the NULL-terminated args (after a program name). */
static void expect_msg(const char *const *args, const char *want)
{
    char *argv[8] = {"prog"};
    int argc = 1;
    for (; args[argc - 1] != NULL && argc < 7; argc++)
        argv[argc] = (char *)args[argc - 1];
    argv[argc] = NULL;
    optind = 0; /* GNU getopt: start over */
    opterr = 0;
    int c;
    char msg[256] = "";
    while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1)
        if (c == '?') {
            cm_getopt_msg("c:h", longopts, argv, optind, optopt, msg, sizeof(msg));
            break;
        }
    assert_string_equal(msg, want);
}

static void test_messages(void **state)
{
    (void)state;
    expect_msg((const char *[]){"--config", NULL}, "--config needs a value");
    expect_msg((const char *[]){"-c", NULL}, "--config needs a value");
    expect_msg((const char *[]){"--check", "--seed", NULL}, "--seed needs a value");
    expect_msg((const char *[]){"--bogus", NULL}, "unknown option \"--bogus\"");
    expect_msg((const char *[]){"--seed=1", "-x", NULL}, "unknown option \"-x\"");
    expect_msg((const char *[]){"--check=yes", NULL}, "--check takes no value");
    expect_msg((const char *[]){"--help", "-c", "f", NULL}, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
