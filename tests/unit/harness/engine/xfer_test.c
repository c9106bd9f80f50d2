/* tests/unit/harness/engine/xfer_test.c — preparing a transfer checks every curl_easy_setopt it makes: a refused
 * option fails that request with the option's name and libcurl's reason, and the transfer stays reusable.
 *
 * libcurl refuses these options only in conditions a test cannot arrange (out of memory, a build without a
 * feature), so this file defines curl_easy_setopt itself: the linker binds the harness's calls to this
 * definition, which forwards to the real one (found with dlsym) unless told to refuse one option. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/config/config.h"
#include "harness/measure/stats.h"
#include "harness/engine/xfer.h"

typedef CURLcode (*setopt_fn)(CURL *, CURLoption, ...);

static struct {
    bool refuse;
    CURLoption option;          /* refused while refuse is set */
    unsigned curlu, postfields; /* calls seen */
} seam;

/* The parameter's type follows from the option's number range (curl.h's CURLOPTTYPE_*). */
CURLcode(curl_easy_setopt)(CURL *curl, CURLoption option, ...)
{
    static setopt_fn real;
    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "curl_easy_setopt");
    seam.curlu += option == CURLOPT_CURLU;
    seam.postfields += option == CURLOPT_POSTFIELDS;
    if (seam.refuse && option == seam.option)
        return CURLE_OUT_OF_MEMORY;
    va_list ap;
    va_start(ap, option);
    CURLcode rc;
    if (option < CURLOPTTYPE_OBJECTPOINT)
        rc = real(curl, option, va_arg(ap, long));
    else if (option < CURLOPTTYPE_FUNCTIONPOINT || option >= CURLOPTTYPE_BLOB)
        rc = real(curl, option, va_arg(ap, void *));
    else if (option < CURLOPTTYPE_OFF_T)
        rc = real(curl, option, va_arg(ap, void (*)(void)));
    else
        rc = real(curl, option, va_arg(ap, curl_off_t));
    va_end(ap);
    return rc;
}

typedef struct fixture {
    hx_workload_t wl;
    CURLU *url;
    struct curl_slist *headers;
    hx_stats_t stats;
    cm_rng_t rng;
} fixture_t;

static fixture_t *make_fixture(void)
{
    fixture_t *f = calloc(1, sizeof(*f));
    char err[256];
    hx_reqspec_t spec;
    hx_reqspec_defaults(&spec); /* "{{uuid}} ...": a new body, so CURLOPT_POSTFIELDS, for every request */
    assert_int_equal(hx_workload_init(&f->wl, &spec, 1, NULL, 0, NULL, err, sizeof(err)), 0);
    f->url = curl_url();
    assert_int_equal(curl_url_set(f->url, CURLUPART_URL, "http://127.0.0.1:9/v1/chat/completions", 0), CURLUE_OK);
    f->headers = curl_slist_append(NULL, "Expect:");
    hx_stats_init(&f->stats);
    cm_rng_seed(&f->rng, 1);
    memset(&seam, 0, sizeof(seam));
    return f;
}

static void free_fixture(fixture_t *f)
{
    curl_slist_free_all(f->headers);
    curl_url_cleanup(f->url);
    hx_workload_free(&f->wl);
    free(f);
}

static hx_xfer_t *new_xfer(fixture_t *f)
{
    char err[256];
    hx_xfer_opts_t o = {HX_DEFAULT_TIMEOUT_NS, {0, 0, false}, NULL, NULL, NULL};
    hx_xfer_t *x = hx_xfer_new(&o, &f->stats, err, sizeof(err));
    if (x == NULL)
        fail_msg("hx_xfer_new: %s", err);
    return x;
}

static int prepare(fixture_t *f, hx_xfer_t *x, char *err, size_t n)
{
    err[0] = '\0';
    return hx_xfer_prepare(x, &f->wl, 0, 0, f->url, f->headers, &f->rng, 1, err, n);
}

static void test_prepare_sets_options(void **state)
{
    (void)state;
    fixture_t *f = make_fixture();
    hx_xfer_t *x = new_xfer(f);
    char err[256];
    assert_int_equal(prepare(f, x, err, sizeof(err)), 0);
    assert_int_equal(seam.curlu, 1);
    assert_int_equal(seam.postfields, 1);
    assert_int_equal(prepare(f, x, err, sizeof(err)), 0);
    assert_int_equal(seam.curlu, 1); /* the URL handle is kept for the same template */
    assert_int_equal(seam.postfields, 2);
    hx_xfer_free(x);
    free_fixture(f);
}

static void test_refused_option_fails_the_request(void **state)
{
    (void)state;
    static const struct {
        CURLoption option;
        const char *name;
    } cases[] = {
        {CURLOPT_POSTFIELDS, "CURLOPT_POSTFIELDS"},
        {CURLOPT_POSTFIELDSIZE_LARGE, "CURLOPT_POSTFIELDSIZE_LARGE"},
        {CURLOPT_CURLU, "CURLOPT_CURLU"},
        {CURLOPT_HTTPHEADER, "CURLOPT_HTTPHEADER"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fixture_t *f = make_fixture();
        hx_xfer_t *x = new_xfer(f);
        char err[256], want[256];
        seam.refuse = true;
        seam.option = cases[i].option;
        assert_int_equal(prepare(f, x, err, sizeof(err)), -1);
        snprintf(want, sizeof(want), "curl_easy_setopt(%s): %s", cases[i].name,
                 curl_easy_strerror(CURLE_OUT_OF_MEMORY));
        assert_string_equal(err, want);
        /* Once libcurl takes the option again, the same transfer sets everything anew and works. */
        seam.refuse = false;
        unsigned curlu = seam.curlu;
        assert_int_equal(prepare(f, x, err, sizeof(err)), 0);
        assert_int_equal(seam.curlu, curlu + 1);
        hx_xfer_free(x);
        free_fixture(f);
    }
}

/* A request that never reached libcurl is a failure of its own class, not a silent gap in the counts. */
static void test_setup_failure_is_an_outcome(void **state)
{
    (void)state;
    hx_stats_t *s = calloc(1, sizeof(*s));
    hx_stats_init(s);
    hx_result_t r;
    hx_xfer_setup_failed(1000, 1500, &r);
    assert_int_equal(r.err, HX_ERR_CLIENT_SETUP);
    assert_string_equal(hx_err_name(r.err), "client_setup");
    hx_stats_record(s, &r);
    assert_int_equal(s->all.total, 1);
    assert_int_equal(s->all.failed, 1);
    assert_int_equal(s->errors[HX_ERR_CLIENT_SETUP], 1);
    assert_int_equal(s->mock_service.count, 0);
    free(s);
}

/* The first error of a class is printed on the terminal: a server's body with newlines and escape sequences
 * becomes one line without control characters, bounded by the caller's buffer. */
static void test_describe_error_body(void **state)
{
    fixture_t *f = make_fixture();
    (void)state;
    hx_xfer_t *x = new_xfer(f);
    static const char body[] = "bad\r\n\x1b]0;title\x07\x1b[2J\x7f</script>";
    cm_buf_append(&x->resp, body, sizeof(body) - 1);
    hx_result_t r = {.status = 502, .err = HX_ERR_HTTP_5XX};
    char msg[240];
    hx_xfer_describe(x, CURLE_OK, &r, msg, sizeof(msg));
    assert_string_equal(msg, "HTTP 502: bad   ]0;title  [2J </script>");
    cm_buf_reset(&x->resp);
    for (int i = 0; i < 100; i++)
        cm_buf_puts(&x->resp, "0123456789");
    hx_xfer_describe(x, CURLE_OK, &r, msg, sizeof(msg));
    assert_int_equal(strlen(msg), sizeof(msg) - 1);
    hx_xfer_free(x);
    free_fixture(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prepare_sets_options),
        cmocka_unit_test(test_refused_option_fails_the_request),
        cmocka_unit_test(test_setup_failure_is_an_outcome),
        cmocka_unit_test(test_describe_error_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
