/* tests/unit/mock-provider/handler_test.c — the request pipeline in a real server on 127.0.0.1 (one worker
 * thread, a free port): bodies over max_body get the provider's own 413 (JSON body, request-id and x-mock-*
 * headers, counted in /metrics) whichever way h2o or the handler refuses them, a client that keeps sending
 * its oversize body still reads that 413, an answer over the response budget is the 400 of budget.h, and an
 * Azure deployment's answers carry its request id under both of Azure's headers and its 429s retry-after-ms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/buf.h"
#include "mock-provider/config.h"
#include "mock-provider/server.h"
#include "faults/fault.h"

#define MAX_BODY 1024
#define IO_TIMEOUT_S 10 /* every socket call of a test gives up after this */

static mp_config_t cfg;
static mp_server_t *server;
static uint16_t port, azure_port;

/* Faults the requests of the Azure tests name: 429s with a sub-second and a longer wait, and a 503. */
static fx_set_t *azure_faults(void)
{
    static const char yaml[] = "faults:\n"
                               "  - {name: quick, kind: http_error, status: 429, retry_after: 250ms, probability: 0%}\n"
                               "  - {name: slow, kind: http_error, status: 429, retry_after: 1500ms, probability: 0%}\n"
                               "  - {name: busy, kind: http_error, status: 503, retry_after: 2s, probability: 0%}\n";
    cm_conf_t conf;
    cm_err_t err;
    fx_set_t *set = calloc(1, sizeof(*set));
    if (set == NULL || cm_conf_load_string(&conf, "t.yaml", yaml, strlen(yaml), &err) != 0)
        fail_msg("faults: %s", err.msg);
    if (fx_parse(&conf, cm_conf_get(conf.root, "faults"), "faults", 1, set, &err) != 0)
        fail_msg("faults: %s", err.msg);
    cm_conf_free(&conf);
    return set;
}

static int start(void **state)
{
    (void)state;
    char err[256];
    mp_config_init(&cfg);
    cfg.threads = 1;
    cfg.max_body = MAX_BODY;
    mp_deployment_t *d = mp_config_add_deployment(&cfg, "t");
    d->output_tokens = cm_dist_fixed(100000);
    mp_deployment_t *az = mp_config_add_deployment(&cfg, "az");
    az->provider = MP_PROVIDER_AZURE;
    az->output_tokens = cm_dist_fixed(3);
    az->faults = azure_faults();
    if (mp_server_create(&server, &cfg, err, sizeof(err)) != 0 || mp_server_start(server, err, sizeof(err)) != 0)
        fail_msg("server: %s", err);
    port = cfg.deps[0].listen_port;
    azure_port = cfg.deps[1].listen_port;
    return 0;
}

static int stop(void **state)
{
    (void)state;
    mp_server_stop(server);
    mp_server_free(server);
    mp_config_free(&cfg);
    return 0;
}

static int connect_mock(uint16_t to)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {IO_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(to)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
        fail_msg("connect to 127.0.0.1:%u failed", (unsigned)to);
    return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            fail_msg("send failed after the server answered (a reset instead of a lingering close?)");
        p += w;
        n -= (size_t)w;
    }
}

/* Sends head, then `body` bytes of 'a' (in chunked framing when chunked), then reads the answer until the
 * server closes or has sent a whole response with its content-length. */
static void exchange_with(uint16_t to, const char *head, size_t body, bool chunked, cm_buf_t *resp)
{
    int fd = connect_mock(to);
    char chunk[4096];
    memset(chunk, 'a', sizeof(chunk));
    send_all(fd, head, strlen(head));
    for (size_t sent = 0; sent < body;) {
        size_t n = body - sent < sizeof(chunk) ? body - sent : sizeof(chunk);
        if (chunked) {
            char size[16];
            snprintf(size, sizeof(size), "%zx\r\n", n);
            send_all(fd, size, strlen(size));
        }
        send_all(fd, chunk, n);
        if (chunked)
            send_all(fd, "\r\n", 2);
        sent += n;
    }
    if (chunked)
        send_all(fd, "0\r\n\r\n", 5);
    cm_buf_reset(resp);
    char buf[4096];
    for (int i = 0; i < 1000; i++) {
        ssize_t r = recv(fd, buf, sizeof(buf), 0);
        if (r <= 0)
            break;
        cm_buf_append(resp, buf, (size_t)r);
        const char *end = strstr(resp->data, "\r\n\r\n"), *cl = strstr(resp->data, "content-length: ");
        if (cl == NULL)
            cl = strstr(resp->data, "Content-Length: ");
        if (end != NULL && cl != NULL && resp->len >= (size_t)(end + 4 - resp->data) + strtoul(cl + 16, NULL, 10))
            break;
    }
    close(fd);
}

static void exchange(const char *head, size_t body, bool chunked, cm_buf_t *resp)
{
    exchange_with(port, head, body, chunked, resp);
}

static const char *header(const cm_buf_t *resp, const char *name, char *out, size_t cap)
{
    const char *p = strstr(resp->data, name);
    if (p == NULL)
        fail_msg("no %s header in:\n%s", name, resp->data);
    p += strlen(name);
    size_t n = strcspn(p, "\r");
    snprintf(out, cap, "%.*s", (int)n, p);
    return out;
}

/* The provider's 413: JSON body, OpenAI's error object, the request-id pair and the x-mock-* headers. */
static void expect_shaped_413(const cm_buf_t *resp, const char *detail)
{
    char v[128], id[128];
    if (strncmp(resp->data, "HTTP/1.1 413 ", 13) != 0)
        fail_msg("expected a 413, got:\n%.300s", resp->data);
    assert_string_equal(header(resp, "content-type: ", v, sizeof(v)), "application/json");
    header(resp, "\nx-request-id: ", id, sizeof(id));
    assert_int_equal(strncmp(id, "req_", 4), 0);
    assert_int_equal(strlen(id), 36);
    assert_string_equal(header(resp, "x-mock-request-id: ", v, sizeof(v)), id);
    assert_string_equal(header(resp, "x-mock-deployment: ", v, sizeof(v)), "t");
    header(resp, "x-mock-service-ms: ", v, sizeof(v));
    assert_string_equal(header(resp, "openai-version: ", v, sizeof(v)), "2020-10-01");
    const char *body = strstr(resp->data, "\r\n\r\n") + 4;
    char want[400];
    snprintf(want, sizeof(want),
             "{\"error\":{\"message\":\"The request body is too large (%s).\",\"type\":\"invalid_request_error\","
             "\"param\":null,\"code\":\"request_too_large\"}}",
             detail);
    assert_string_equal(body, want);
}

#define HEAD(len)                                                                                                      \
    "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"                              \
    "Content-Length: " len "\r\n\r\n"

/* h2o refuses a content-length over its limit before reading the body; the answer is ours. */
static void test_content_length_over_limit(void **state)
{
    (void)state;
    cm_buf_t resp = CM_BUF_INIT;
    exchange(HEAD("9000000"), 0, false, &resp);
    expect_shaped_413(&resp, "the limit is 1024 bytes");
    cm_buf_free(&resp);
}

/* A client that sends its whole 8 MB body without waiting (no Expect: 100-continue, like most SDKs) still
 * reads the 413: the mock keeps reading and discarding instead of resetting the connection. */
static void test_client_keeps_sending(void **state)
{
    (void)state;
    cm_buf_t resp = CM_BUF_INIT;
    exchange(HEAD("8000000"), 8000000, false, &resp);
    expect_shaped_413(&resp, "the limit is 1024 bytes");
    cm_buf_free(&resp);
}

/* A chunked body is refused as soon as it passes the limit. */
static void test_chunked_over_limit(void **state)
{
    (void)state;
    cm_buf_t resp = CM_BUF_INIT;
    exchange("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 64 * 1024, true,
             &resp);
    expect_shaped_413(&resp, "the limit is 1024 bytes");
    cm_buf_free(&resp);
}

/* One byte over max_body is what h2o still lets through; the handler's size step refuses it, with the size.
 * At max_body exactly the body is read (and is not JSON). */
static void test_limit_boundary(void **state)
{
    (void)state;
    cm_buf_t resp = CM_BUF_INIT;
    exchange(HEAD("1025"), 1025, false, &resp);
    expect_shaped_413(&resp, "1025 bytes; the limit is 1024 bytes");
    exchange(HEAD("1024"), 1024, false, &resp);
    assert_int_equal(strncmp(resp.data, "HTTP/1.1 400 ", 13), 0);
    cm_buf_free(&resp);
}

/* Every 413 above is in mock_requests_total, under api "chat" and model "". */
static void test_counted_in_metrics(void **state)
{
    (void)state;
    cm_buf_t resp = CM_BUF_INIT;
    exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 0, false, &resp);
    if (strstr(resp.data, "mock_requests_total{deployment=\"t\",api=\"chat\",model=\"\",status=\"413\"} 4\n") == NULL)
        fail_msg("413s not counted:\n%s", resp.data);
    cm_buf_free(&resp);
}

/* The deployment writes 100,000 tokens per choice: 128 streamed choices are refused before anything is
 * produced. */
static void test_response_over_budget(void **state)
{
    (void)state;
    static const char body[] =
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":128,\"stream\":true}";
    char head[256];
    snprintf(head, sizeof(head), "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    cm_buf_t resp = CM_BUF_INIT;
    exchange(head, 0, false, &resp);
    if (strncmp(resp.data, "HTTP/1.1 400 ", 13) != 0 || strstr(resp.data, "\"code\":\"response_too_large\"") == NULL ||
        strstr(resp.data, "\"param\":\"n\"") == NULL)
        fail_msg("expected the budget's 400, got:\n%.600s", resp.data);
    cm_buf_free(&resp);
}

/* Azure sends its request id as apim-request-id and also as x-request-id, the one header the OpenAI SDKs read
 * into a result's _request_id and an error's requestID: an answer and an error carry both, with one id. */
static void test_azure_request_ids(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", /* 200 */
        "{\"messages\":[]}",                                       /* 400 */
    };
    static const char *const statuses[] = {"HTTP/1.1 200 ", "HTTP/1.1 400 "};
    for (size_t i = 0; i < 2; i++) {
        char head[512], apim[128], xreq[128], mock[128];
        snprintf(head, sizeof(head),
                 "POST /openai/deployments/d/chat/completions?api-version=2024-10-21 HTTP/1.1\r\nHost: x\r\n"
                 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                 strlen(bodies[i]), bodies[i]);
        cm_buf_t resp = CM_BUF_INIT;
        exchange_with(azure_port, head, 0, false, &resp);
        if (strncmp(resp.data, statuses[i], 13) != 0)
            fail_msg("expected %s, got:\n%.400s", statuses[i], resp.data);
        header(&resp, "\napim-request-id: ", apim, sizeof(apim));
        header(&resp, "\nx-request-id: ", xreq, sizeof(xreq));
        header(&resp, "\nx-mock-request-id: ", mock, sizeof(mock));
        assert_int_equal(strlen(apim), 32);
        assert_string_equal(xreq, apim);
        assert_string_equal(mock, apim);
        cm_buf_free(&resp);
    }
}

/* Azure's 429 carries retry-after-ms next to retry-after, from a fault too: the OpenAI SDKs wait what it says
 * (250 ms, not the whole second of retry-after). Other statuses keep retry-after alone. */
static void test_azure_fault_retry_after_ms(void **state)
{
    (void)state;
    static const struct {
        const char *fault, *status, *after, *after_ms;
    } cases[] = {
        {"quick", "HTTP/1.1 429 ", "1", "250"},
        {"slow", "HTTP/1.1 429 ", "2", "1500"},
        {"busy", "HTTP/1.1 503 ", "2", NULL},
    };
    static const char body[] = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char head[512], v[64];
        snprintf(head, sizeof(head),
                 "POST /openai/deployments/d/chat/completions?api-version=2024-10-21 HTTP/1.1\r\nHost: x\r\n"
                 "x-mock-fault: %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                 cases[i].fault, strlen(body), body);
        cm_buf_t resp = CM_BUF_INIT;
        exchange_with(azure_port, head, 0, false, &resp);
        if (strncmp(resp.data, cases[i].status, 13) != 0)
            fail_msg("%s: expected %s, got:\n%.400s", cases[i].fault, cases[i].status, resp.data);
        assert_string_equal(header(&resp, "\nretry-after: ", v, sizeof(v)), cases[i].after);
        if (cases[i].after_ms != NULL)
            assert_string_equal(header(&resp, "\nretry-after-ms: ", v, sizeof(v)), cases[i].after_ms);
        else if (strstr(resp.data, "retry-after-ms") != NULL)
            fail_msg("%s: retry-after-ms on a %s:\n%.400s", cases[i].fault, cases[i].status, resp.data);
        cm_buf_free(&resp);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length_over_limit), cmocka_unit_test(test_client_keeps_sending),
        cmocka_unit_test(test_chunked_over_limit),        cmocka_unit_test(test_limit_boundary),
        cmocka_unit_test(test_counted_in_metrics),        cmocka_unit_test(test_response_over_budget),
        cmocka_unit_test(test_azure_request_ids),         cmocka_unit_test(test_azure_fault_retry_after_ms),
    };
    return cmocka_run_group_tests(tests, start, stop);
}
