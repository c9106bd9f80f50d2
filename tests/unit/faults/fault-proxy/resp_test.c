/* tests/unit/faults/fault-proxy/resp_test.c — the streaming RESP parser: commands (multibulk, inline,
 * pipelined) with their names and ends at the right byte, replies (RESP2 and RESP3, nested), the same events
 * whatever the pieces the bytes arrive in, and every bound one past its limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "faults/fault-proxy/resp.h"

/* Feeds text in pieces of `piece` bytes and writes the events: "N:GET@13 E@21" (name and byte offset, end
 * and offset), "X" for an error. */
static void events(bool replies, const char *text, size_t piece, char *out, size_t cap)
{
    fp_resp_t p;
    char err[128];
    size_t len = strlen(text), pos = 0;
    fp_resp_init(&p, replies);
    out[0] = '\0';
    while (pos < len || p.end_due) {
        size_t n = len - pos < piece ? len - pos : piece, used;
        fp_resp_event_t ev = fp_resp_feed(&p, text + pos, n, &used, err, sizeof(err));
        pos += used;
        if (ev == FP_RESP_NAME)
            snprintf(out + strlen(out), cap - strlen(out), "%sN:%s@%zu", out[0] ? " " : "", p.name, pos);
        else if (ev == FP_RESP_END)
            snprintf(out + strlen(out), cap - strlen(out), "%sE@%zu", out[0] ? " " : "", pos);
        else if (ev == FP_RESP_ERROR) {
            snprintf(out + strlen(out), cap - strlen(out), "%sX", out[0] ? " " : "");
            return;
        }
    }
}

static void expect(bool replies, const char *text, const char *want)
{
    static const size_t pieces[] = {1, 2, 3, 7, 1 << 20};
    for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
        char got[1024];
        events(replies, text, pieces[i], got, sizeof(got));
        if (strcmp(got, want) != 0)
            fail_msg("%s fed %zu bytes at a time: got \"%s\", expected \"%s\"", text, pieces[i], got, want);
    }
}

static void test_commands(void **state)
{
    expect(false, "*2\r\n$3\r\nget\r\n$1\r\nk\r\n", "N:GET@13 E@20");
    expect(false, "*1\r\n$4\r\nPING\r\n", "N:PING@14 E@14");
    expect(false, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*1\r\n$4\r\nping\r\n", "N:SET@13 E@27 N:PING@41 E@41");
    expect(false, "PING\r\n", "N:PING@6 E@6");
    expect(false, "set  k v\nget k\r\n", "N:SET@9 E@9 N:GET@16 E@16");
    expect(false, "\r\n*0\r\n", "E@2 E@6");
    expect(false, "*2\r\n$7\r\nevalsha\r\n$0\r\n\r\n", "N:EVALSHA@17 E@23");
    /* a long name is kept truncated */
    expect(false, "*1\r\n$40\r\nABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ\r\n",
           "N:ABCDEFGHIJABCDEFGHIJABCDEFGHIJA@51 E@51");
}

static void test_command_errors(void **state)
{
    expect(false, "*x\r\n", "X");
    expect(false, "*2\r\n+foo\r\n", "X");
    expect(false, "*1\r\n$1025\r\n", "X");                            /* a name longer than FP_RESP_MAX_NAME_BULK */
    expect(false, "*1048577\r\n", "X");                               /* one argument past FP_RESP_MAX_ARGS */
    expect(false, "*2\r\n$3\r\nSET\r\n$536870913\r\n", "N:SET@13 X"); /* a bulk past 512 MiB */
    expect(false, "*1\r\n$-1\r\n", "X");
    expect(false, "*99999999999999999999999\r\n", "X");
    char line[FP_RESP_MAX_INLINE + 16];
    memset(line, 'a', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    char got[64];
    events(false, line, 4096, got, sizeof(got));
    assert_string_equal(got, "X"); /* an inline line past 64 KiB */
}

static void test_replies(void **state)
{
    expect(true, "+OK\r\n-ERR no\r\n:42\r\n", "E@5 E@14 E@19");
    expect(true, "$3\r\nfoo\r\n$-1\r\n$0\r\n\r\n", "E@9 E@14 E@20");
    expect(true, "*2\r\n$1\r\na\r\n*1\r\n:1\r\n*-1\r\n*0\r\n", "E@19 E@24 E@28");
    expect(true, "%1\r\n+a\r\n:1\r\n_\r\n,1.5\r\n#t\r\n(12\r\n", "E@12 E@15 E@21 E@25 E@30");
    expect(true, "|1\r\n+k\r\n+v\r\n+real\r\n", "E@19");
    expect(true, "=7\r\ntxt:abc\r\n~1\r\n:1\r\n>2\r\n+a\r\n+b\r\n", "E@13 E@21 E@33");
    /* a bulk whose payload holds CRLF and '*' */
    expect(true, "$6\r\n*1\r\n:1\r\n+x\r\n", "E@12 E@16");
}

static void test_reply_errors(void **state)
{
    char deep[256] = "";
    for (int i = 0; i <= FP_RESP_MAX_DEPTH; i++)
        strcat(deep, "*1\r\n");
    strcat(deep, ":1\r\n");
    expect(true, deep, "X");
    char ok[256] = "";
    for (int i = 0; i < FP_RESP_MAX_DEPTH; i++)
        strcat(ok, "*1\r\n");
    strcat(ok, ":1\r\n");
    char want[32];
    snprintf(want, sizeof(want), "E@%zu", strlen(ok));
    expect(true, ok, want);
    expect(true, "?\r\n", "X");
    expect(true, "$-2\r\n", "X");
    expect(true, "*4294967297\r\n", "X");
}

static void test_error_replies(void **state)
{
    assert_string_equal(fp_resp_error_reply("LOADING"), "-LOADING Redis is loading the dataset in memory\r\n");
    assert_int_equal(strncmp(fp_resp_error_reply("BUSY"), "-BUSY ", 6), 0);
    assert_int_equal(strncmp(fp_resp_error_reply("READONLY"), "-READONLY ", 10), 0);
    assert_int_equal(strncmp(fp_resp_error_reply("OOM"), "-OOM ", 5), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands),     cmocka_unit_test(test_command_errors), cmocka_unit_test(test_replies),
        cmocka_unit_test(test_reply_errors), cmocka_unit_test(test_error_replies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
