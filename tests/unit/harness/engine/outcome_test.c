/* tests/unit/harness/engine/outcome_test.c — libcurl results and HTTP statuses to error classes, the response
 * headers that carry ground truth, and the non-stream body check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "harness/engine/outcome.h"

static hx_err_t classify(CURLcode code, long os_errno, int status, bool connected, bool stream, hx_err_t body)
{
    hx_outcome_in_t in = {(int)code, os_errno, status, connected, stream, body, false, false};
    return hx_outcome_classify(&in);
}

/* api: http: whether the status was expected decides, then the check's class. */
static hx_err_t classify_generic(CURLcode code, int status, bool expected, hx_err_t body)
{
    hx_outcome_in_t in = {(int)code, 0, status, true, false, body, true, expected};
    return hx_outcome_classify(&in);
}

static void test_generic_statuses(void **state)
{
    (void)state;
    assert_int_equal(classify_generic(CURLE_OK, 404, true, HX_ERR_NONE), HX_ERR_NONE);
    assert_int_equal(classify_generic(CURLE_OK, 404, true, HX_ERR_BAD_BODY), HX_ERR_BAD_BODY);
    assert_int_equal(classify_generic(CURLE_OK, 200, false, HX_ERR_NONE), HX_ERR_HTTP_OTHER);
    assert_int_equal(classify_generic(CURLE_OK, 204, false, HX_ERR_NONE), HX_ERR_HTTP_OTHER);
    assert_int_equal(classify_generic(CURLE_OK, 302, true, HX_ERR_NONE), HX_ERR_NONE);
    assert_int_equal(classify_generic(CURLE_OK, 429, false, HX_ERR_NONE), HX_ERR_HTTP_429);
    assert_int_equal(classify_generic(CURLE_OK, 429, true, HX_ERR_NONE), HX_ERR_NONE);
    assert_int_equal(classify_generic(CURLE_OK, 404, false, HX_ERR_NONE), HX_ERR_HTTP_4XX);
    assert_int_equal(classify_generic(CURLE_OK, 503, false, HX_ERR_NONE), HX_ERR_HTTP_5XX);
    /* a transport error wins over an expected status */
    assert_int_equal(classify_generic(CURLE_PARTIAL_FILE, 200, true, HX_ERR_NONE), HX_ERR_RESET);
}

static void test_transport_errors(void **state)
{
    (void)state;
    assert_int_equal(classify(CURLE_COULDNT_CONNECT, ECONNREFUSED, 0, false, false, HX_ERR_NONE),
                     HX_ERR_CONNECT_REFUSED);
    assert_int_equal(classify(CURLE_COULDNT_CONNECT, ETIMEDOUT, 0, false, false, HX_ERR_NONE), HX_ERR_CONNECT_TIMEOUT);
    assert_int_equal(classify(CURLE_COULDNT_CONNECT, EHOSTUNREACH, 0, false, false, HX_ERR_NONE), HX_ERR_OTHER);
    assert_int_equal(classify(CURLE_OPERATION_TIMEDOUT, 0, 0, false, false, HX_ERR_NONE), HX_ERR_CONNECT_TIMEOUT);
    assert_int_equal(classify(CURLE_OPERATION_TIMEDOUT, 0, 0, true, false, HX_ERR_NONE), HX_ERR_TIMEOUT);
    assert_int_equal(classify(CURLE_OPERATION_TIMEDOUT, 0, 200, true, true, HX_ERR_STREAM_TRUNCATED), HX_ERR_TIMEOUT);
    assert_int_equal(classify(CURLE_RECV_ERROR, ECONNRESET, 0, true, false, HX_ERR_NONE), HX_ERR_RESET);
    assert_int_equal(classify(CURLE_SEND_ERROR, EPIPE, 0, true, false, HX_ERR_NONE), HX_ERR_RESET);
    assert_int_equal(classify(CURLE_GOT_NOTHING, 0, 0, true, false, HX_ERR_NONE), HX_ERR_RESET);
    assert_int_equal(classify(CURLE_PARTIAL_FILE, 0, 200, true, false, HX_ERR_NONE), HX_ERR_RESET);
    assert_int_equal(classify(CURLE_WEIRD_SERVER_REPLY, 0, 0, true, false, HX_ERR_NONE), HX_ERR_OTHER);
}

static void test_broken_streams(void **state)
{
    (void)state;
    /* A 200 stream cut in the middle keeps the stream reader's finer class. */
    assert_int_equal(classify(CURLE_PARTIAL_FILE, 0, 200, true, true, HX_ERR_STREAM_TRUNCATED),
                     HX_ERR_STREAM_TRUNCATED);
    assert_int_equal(classify(CURLE_RECV_ERROR, ECONNRESET, 200, true, true, HX_ERR_STREAM_NO_DONE),
                     HX_ERR_STREAM_NO_DONE);
    /* The body callback ends a stream with an event past the size limit. */
    assert_int_equal(classify(CURLE_WRITE_ERROR, 0, 200, true, true, HX_ERR_STREAM_PARSE), HX_ERR_STREAM_PARSE);
    /* ...but a reset before any stream class (or of a non-2xx) is a reset. */
    assert_int_equal(classify(CURLE_RECV_ERROR, ECONNRESET, 200, true, true, HX_ERR_NONE), HX_ERR_RESET);
    assert_int_equal(classify(CURLE_RECV_ERROR, ECONNRESET, 500, true, true, HX_ERR_STREAM_TRUNCATED), HX_ERR_RESET);
}

static void test_statuses(void **state)
{
    (void)state;
    assert_int_equal(classify(CURLE_OK, 0, 200, true, false, HX_ERR_NONE), HX_ERR_NONE);
    assert_int_equal(classify(CURLE_OK, 0, 201, true, false, HX_ERR_BAD_BODY), HX_ERR_BAD_BODY);
    assert_int_equal(classify(CURLE_OK, 0, 200, true, true, HX_ERR_STREAM_ERROR), HX_ERR_STREAM_ERROR);
    assert_int_equal(classify(CURLE_OK, 0, 429, true, false, HX_ERR_NONE), HX_ERR_HTTP_429);
    assert_int_equal(classify(CURLE_OK, 0, 401, true, false, HX_ERR_NONE), HX_ERR_HTTP_4XX);
    assert_int_equal(classify(CURLE_OK, 0, 499, true, false, HX_ERR_NONE), HX_ERR_HTTP_4XX);
    assert_int_equal(classify(CURLE_OK, 0, 500, true, false, HX_ERR_NONE), HX_ERR_HTTP_5XX);
    assert_int_equal(classify(CURLE_OK, 0, 529, true, false, HX_ERR_NONE), HX_ERR_HTTP_5XX);
    assert_int_equal(classify(CURLE_OK, 0, 302, true, false, HX_ERR_NONE), HX_ERR_HTTP_OTHER);
    assert_int_equal(classify(CURLE_OK, 0, 0, true, false, HX_ERR_NONE), HX_ERR_HTTP_OTHER);
}

static void feed(hx_headers_t *h, const char *line)
{
    hx_headers_line(h, line, strlen(line));
}

static void test_headers(void **state)
{
    (void)state;
    hx_headers_t h;
    hx_headers_reset(&h);
    feed(&h, "HTTP/1.1 100 Continue\r\n");
    assert_int_equal(h.status, 100);
    feed(&h, "x-mock-service-ms: 99\r\n");
    feed(&h, "HTTP/1.1 200 OK\r\n"); /* the final response starts over */
    assert_int_equal(h.status, 200);
    assert_true(h.mock_service_ms == HX_NO_VALUE);
    feed(&h, "Content-Type: application/json\r\n");
    feed(&h, "X-Mock-Service-Ms:  31.25 \r\n");
    feed(&h, "x-litellm-overhead-duration-ms: 4\r\n");
    feed(&h, "x-mock-deployment: fake-openai-endpoint\r\n");
    feed(&h, "x-mock-deployment-extra: nope\r\n");
    feed(&h, "\r\n");
    assert_true(h.mock_service_ms == 31.25);
    assert_true(h.gateway_overhead_ms == 4);
    assert_string_equal(h.deployment, "fake-openai-endpoint");
    assert_int_equal(h.deployment_len, 20);
    feed(&h, "x-mock-service-ms: soon\r\n");
    assert_true(h.mock_service_ms == HX_NO_VALUE);
    feed(&h, "x-mock-service-ms: -3\r\n");
    assert_true(h.mock_service_ms == HX_NO_VALUE);
    char long_name[200];
    memset(long_name, 'd', sizeof(long_name));
    snprintf(long_name, sizeof(long_name), "x-mock-deployment: %0150d\r\n", 7);
    feed(&h, long_name);
    assert_int_equal(h.deployment_len, HX_DEPLOYMENT_MAX - 1);
    /* The name is printed in the terminal table: a server's escape sequence must not reach the terminal. */
    feed(&h, "x-mock-deployment: a\x1b[2Jb\x01" "c\x7f\xc3\xa9\r\n");
    assert_string_equal(h.deployment, "a?[2Jb?c?\xc3\xa9");
    feed(&h, "HTTP/2 503\r\n");
    assert_int_equal(h.status, 503);
    assert_int_equal(h.deployment_len, 0);
}

static void test_body_check(void **state)
{
    (void)state;
    cm_json_toks_t toks = {0};
    uint32_t tokens = 99;
    const char *ok = "{\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,\"total_tokens\":21}}";
    assert_int_equal(hx_body_check(ok, strlen(ok), &toks, &tokens), HX_ERR_NONE);
    assert_int_equal(tokens, 12);
    const char *resp = "{\"object\":\"response\",\"usage\":{\"input_tokens\":3,\"output_tokens\":50},\"error\":null}";
    assert_int_equal(hx_body_check(resp, strlen(resp), &toks, &tokens), HX_ERR_NONE);
    assert_int_equal(tokens, 50);
    const char *gem = "{\"candidates\":[],\"usageMetadata\":{\"promptTokenCount\":4,\"candidatesTokenCount\":7}}";
    assert_int_equal(hx_body_check(gem, strlen(gem), &toks, &tokens), HX_ERR_NONE);
    assert_int_equal(tokens, 7);
    const char *emb = "{\"object\":\"list\",\"data\":[]}";
    assert_int_equal(hx_body_check(emb, strlen(emb), &toks, &tokens), HX_ERR_NONE);
    assert_int_equal(tokens, 0);
    const char *bad[] = {"", "{\"choices\":[", "[1,2]", "\"text\"", "{\"error\":{\"message\":\"boom\"}}", "{} x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (hx_body_check(bad[i], strlen(bad[i]), &toks, &tokens) != HX_ERR_BAD_BODY) {
            print_error("body %zu \"%s\" was not classified bad_body\n", i, bad[i]);
            fail();
        }
    }
    cm_json_toks_free(&toks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transport_errors), cmocka_unit_test(test_broken_streams),
        cmocka_unit_test(test_statuses),         cmocka_unit_test(test_headers),
        cmocka_unit_test(test_body_check),       cmocka_unit_test(test_generic_statuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
