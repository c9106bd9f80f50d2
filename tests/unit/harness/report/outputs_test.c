/* tests/unit/harness/report/outputs_test.c — report paths (harness/report/outputs.c): a FIFO nobody reads is
 * refused, one whose reader stops reading fails after HX_OUTPUT_STALL_MS, and a directory that cannot be made
 * is named with its reason even when its path is long. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness/report/outputs.h"
#include "harness/report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"

/* A report path that is a FIFO nobody reads made soak wait in open() for ever, deaf to SIGTERM under soak run. */
static void test_open_fifo(void **state)
{
    (void)state;
    char dir[] = "/tmp/soak_report_fifo_XXXXXX", path[64], err[256] = "";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/f", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_null(hx_outputs_fopen(path, err, sizeof(err)));
    assert_non_null(strstr(err, "/f: cannot open for writing: no process reads this FIFO"));
    int rd = open(path, O_RDONLY | O_NONBLOCK); /* with a reader it is written as any file */
    assert_true(rd >= 0);
    FILE *f = hx_outputs_fopen(path, err, sizeof(err));
    assert_non_null(f);
    assert_int_equal(fputs("{}", f) >= 0 && fflush(f) == 0, 1);
    char got[4] = "";
    assert_int_equal(read(rd, got, sizeof(got) - 1), 2);
    assert_string_equal(got, "{}");
    /* A reader that stops reading fails the write after HX_OUTPUT_STALL_MS rather than holding the run (whose
     * signals wait for the write) for ever: 1 MiB is more than a pipe holds. */
    cm_buf_t big = CM_BUF_INIT;
    for (int i = 0; i < 1024; i++)
        cm_buf_printf(&big, "%01023d\n", i);
    uint64_t t0 = cm_now_ns();
    errno = 0;
    assert_int_equal(hx_report_write_all(f, &big), -1);
    assert_int_equal(errno, EAGAIN);
    uint64_t waited_ms = (cm_now_ns() - t0) / CM_NS_PER_MS;
    if (waited_ms < HX_OUTPUT_STALL_MS || waited_ms > 3 * HX_OUTPUT_STALL_MS)
        fail_msg("waited %llu ms for a stalled reader, expected %d..%d", (unsigned long long)waited_ms,
                 HX_OUTPUT_STALL_MS, 3 * HX_OUTPUT_STALL_MS);
    cm_buf_free(&big);
    fclose(f);
    close(rd);
    unlink(path);
    rmdir(dir);
}

/* A scenario name of hundreds of bytes in report.dir made a path the system refuses, and the message was cut
 * before the reason: the path is cut instead, at a character's start. */
static void test_make_dirs_long_path(void **state)
{
    (void)state;
    char err[256] = "";
    cm_buf_t path = CM_BUF_INIT;
    cm_buf_puts(&path, "/tmp/");
    for (int i = 0; i < 300; i++)
        cm_buf_puts(&path, "\xe2\x82\xac"); /* 900 bytes of euro signs: past NAME_MAX */
    assert_int_equal(hx_outputs_make_dirs(path.data, err, sizeof(err)), -1);
    const char *tail = "...: cannot create directory: File name too long";
    size_t n = strlen(err), t = strlen(tail);
    if (n < t || strcmp(err + n - t, tail) != 0)
        fail_msg("message \"%s\" does not end with \"%s\"", err, tail);
    size_t kept = n - t; /* "/tmp/" and whole euro signs of 3 bytes, at most 160 bytes */
    if (kept > 160 || kept < 150 || (kept - 5) % 3 != 0)
        fail_msg("the path was cut to %zu bytes, not at a character's start within 160", kept);
    cm_buf_free(&path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_fifo),
        cmocka_unit_test(test_make_dirs_long_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
