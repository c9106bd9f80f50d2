/* tests/unit/faults/fault-proxy/api_test.c — the control API without HTTP (fp_api_call): toxiproxy's paths,
 * bodies and status codes, 400s that name the field and change nothing, 404/409, reset, populate, version,
 * the toxic limit one past the bound, and /metrics. Proxies listen on 127.0.0.1:0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "faults/fault-proxy/api.h"

typedef struct fixture {
    struct event_base *base;
    fp_server_t s;
    cm_buf_t out;
} fixture_t;

static int setup(void **state)
{
    static fixture_t f;
    memset(&f, 0, sizeof(f));
    f.base = event_base_new();
    fp_server_init(&f.s, f.base, 1);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    fp_server_free(&f->s);
    event_base_free(f->base);
    cm_buf_free(&f->out);
    return 0;
}

static int call(fixture_t *f, const char *method, const char *path, const char *body)
{
    cm_buf_reset(&f->out);
    return fp_api_call(&f->s, method, path, body, body ? strlen(body) : 0, &f->out);
}

#define EXPECT(f, status, method, path, body, needle)                                                                  \
    do {                                                                                                               \
        const char *body_ = body;                                                                                      \
        int got_ = call(f, method, path, body_);                                                                       \
        const char *text_ = (f)->out.data ? (f)->out.data : "";                                                        \
        if (got_ != (status) || strstr(text_, needle) == NULL)                                                         \
            fail_msg("%s %s %s: status %d, body %s; expected %d with \"%s\"", method, path, body_ ? body_ : "", got_,  \
                     text_, status, needle);                                                                           \
    } while (0)

static const char *const PROXY = "{\"name\": \"redis\", \"listen\": \"127.0.0.1:0\", \"upstream\": \"127.0.0.1:6379\"}";

static void test_proxies(void **state)
{
    fixture_t *f = *state;
    EXPECT(f, 201, "POST", "/proxies", PROXY, "\"name\":\"redis\"");
    assert_null(strstr(f->out.data, "127.0.0.1:0\"")); /* the answer carries the real port */
    EXPECT(f, 409, "POST", "/proxies", PROXY, "proxy already exists");
    EXPECT(f, 200, "GET", "/proxies", NULL, "{\"redis\":{\"name\":\"redis\"");
    EXPECT(f, 200, "GET", "/proxies/redis", NULL, "\"enabled\":true");
    EXPECT(f, 404, "GET", "/proxies/nope", NULL, "proxy not found");
    EXPECT(f, 200, "POST", "/proxies/redis", "{\"enabled\": false}", "\"enabled\":false");
    EXPECT(f, 200, "PATCH", "/proxies/redis", "{\"enabled\": true}", "\"enabled\":true");
    EXPECT(f, 400, "POST", "/proxies", "{\"name\": \"x\"}", "missing required key \\\"upstream\\\"");
    EXPECT(f, 400, "POST", "/proxies", "{\"name\": \"x\", \"upstream\": \"127.0.0.1:1\", \"enabled\": 3}", "enabled:");
    EXPECT(f, 400, "POST", "/proxies", "", "bad request body");
    EXPECT(f, 400, "POST", "/proxies", "{not json", "request:");
    assert_int_equal(f->s.n, 1); /* nothing changed */
    EXPECT(f, 204, "DELETE", "/proxies/redis", NULL, "");
    EXPECT(f, 404, "DELETE", "/proxies/redis", NULL, "proxy not found");
    assert_int_equal(f->s.n, 0);
}

static void test_toxics(void **state)
{
    fixture_t *f = *state;
    EXPECT(f, 201, "POST", "/proxies", PROXY, "redis");
    EXPECT(f, 200, "POST", "/proxies/redis/toxics", "{\"type\": \"latency\", \"attributes\": {\"latency\": 100}}",
           "{\"name\":\"latency_downstream\",\"type\":\"latency\",\"stream\":\"downstream\",\"toxicity\":1,"
           "\"attributes\":{\"latency\":100,\"jitter\":0}}");
    EXPECT(f, 409, "POST", "/proxies/redis/toxics", "{\"type\": \"latency\"}", "toxic already exists");
    EXPECT(f, 400, "POST", "/proxies/redis/toxics", "{\"type\": \"latency\", \"attributes\": {\"latency\": -1}}",
           "attributes.latency");
    EXPECT(f, 400, "POST", "/proxies/redis/toxics", "{\"type\": \"error\", \"attributes\": {\"reply\": \"BUSY\"}}",
           "protocol resp");
    EXPECT(f, 200, "GET", "/proxies/redis/toxics", NULL, "[{\"name\":\"latency_downstream\"");
    EXPECT(f, 200, "GET", "/proxies/redis/toxics/latency_downstream", NULL, "\"latency\":100");
    EXPECT(f, 200, "POST", "/proxies/redis/toxics/latency_downstream", "{\"attributes\": {\"jitter\": 7}}",
           "\"latency\":100,\"jitter\":7");
    EXPECT(f, 400, "PATCH", "/proxies/redis/toxics/latency_downstream", "{\"attributes\": {\"rate\": 7}}",
           "unknown key \\\"rate\\\"");
    EXPECT(f, 404, "GET", "/proxies/redis/toxics/nope", NULL, "toxic not found");
    EXPECT(f, 404, "GET", "/proxies/nope/toxics", NULL, "proxy not found");
    EXPECT(f, 204, "DELETE", "/proxies/redis/toxics/latency_downstream", NULL, "");
    EXPECT(f, 200, "GET", "/proxies/redis/toxics", NULL, "[]");
}

static void test_toxic_limit(void **state)
{
    fixture_t *f = *state;
    char body[128];
    EXPECT(f, 201, "POST", "/proxies", PROXY, "redis");
    for (int i = 0; i < FP_MAX_TOXICS; i++) {
        snprintf(body, sizeof(body), "{\"name\": \"t%d\", \"type\": \"latency\"}", i);
        EXPECT(f, 200, "POST", "/proxies/redis/toxics", body, "latency");
    }
    EXPECT(f, 400, "POST", "/proxies/redis/toxics", "{\"name\": \"one-more\", \"type\": \"latency\"}",
           "too many toxics");
}

static void test_reset_populate_version(void **state)
{
    fixture_t *f = *state;
    EXPECT(f, 201, "POST", "/proxies", PROXY, "redis");
    EXPECT(f, 200, "POST", "/proxies/redis/toxics", "{\"type\": \"down\"}", "down");
    EXPECT(f, 200, "POST", "/proxies/redis", "{\"enabled\": false}", "false");
    EXPECT(f, 204, "POST", "/reset", NULL, "");
    EXPECT(f, 200, "GET", "/proxies/redis", NULL, "\"enabled\":true,\"protocol\":\"tcp\",\"toxics\":[]");
    char listen[FP_MAX_ADDR];
    snprintf(listen, sizeof(listen), "%s", fp_server_find(&f->s, "redis")->listen);
    EXPECT(f, 201, "POST", "/populate",
           "[{\"name\": \"redis\", \"listen\": \"127.0.0.1:0\", \"upstream\": \"127.0.0.1:6379\"},"
           " {\"name\": \"pg\", \"listen\": \"127.0.0.1:0\", \"upstream\": \"127.0.0.1:5432\"}]",
           "{\"proxies\":[{\"name\":\"redis\"");
    assert_int_equal(f->s.n, 2);
    assert_string_equal(fp_server_find(&f->s, "redis")->listen, listen); /* kept: same upstream, port 0 asked */
    EXPECT(f, 400, "POST", "/populate", "[{\"name\": \"new\", \"upstream\": \"127.0.0.1:1\"}, {\"name\": \"bad\"}]",
           "[1]: missing required key");
    assert_int_equal(f->s.n, 2); /* the valid first entry was not created either */
    EXPECT(f, 200, "GET", "/version", NULL, "{\"version\": \"");
    EXPECT(f, 404, "GET", "/nothing", NULL, "not found");
    EXPECT(f, 405, "DELETE", "/proxies", NULL, "method not allowed");
    /* a known path with a method it does not take is a 405, not a 404 (nor evhttp's HTML 501 for PUT) */
    EXPECT(f, 405, "GET", "/reset", NULL, "method not allowed");
    EXPECT(f, 405, "PUT", "/proxies/redis", "{}", "method not allowed");
    EXPECT(f, 405, "HEAD", "/proxies/redis/toxics", NULL, "method not allowed");
    EXPECT(f, 405, "OPTIONS", "/version", NULL, "method not allowed");
}

/* A port that is taken (a listening socket of the test's own): returns the socket, fills port. */
static int taken_port(char *port, size_t n)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 1), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    snprintf(port, n, "%u", ntohs(a.sin_port));
    return fd;
}

/* "A request that fails changes nothing": a /populate whose later entry cannot listen left the earlier ones
 * created or replaced, and an update to a taken address left the proxy moved there and disabled. */
static void test_failed_listen_changes_nothing(void **state)
{
    fixture_t *f = *state;
    char port[16], body[512];
    int fd = taken_port(port, sizeof(port));
    EXPECT(f, 201, "POST", "/proxies", PROXY, "redis");
    EXPECT(f, 200, "POST", "/proxies/redis/toxics", "{\"type\": \"down\"}", "down");
    char listen[FP_MAX_ADDR];
    snprintf(listen, sizeof(listen), "%s", fp_server_find(&f->s, "redis")->listen);
    snprintf(body, sizeof(body),
             "[{\"name\": \"redis\", \"upstream\": \"127.0.0.1:1\"}, {\"name\": \"new\", \"upstream\": "
             "\"127.0.0.1:1\"}, {\"name\": \"late\", \"upstream\": \"127.0.0.1:1\", \"listen\": \"127.0.0.1:%s\"}]",
             port);
    EXPECT(f, 500, "POST", "/populate", body, "Address already in use");
    assert_int_equal(f->s.n, 1);
    fp_proxy_t *p = fp_server_find(&f->s, "redis");
    assert_non_null(p);
    assert_string_equal(p->upstream, "127.0.0.1:6379");
    assert_string_equal(p->listen, listen);
    assert_int_equal(p->ntoxics, 1);
    snprintf(body, sizeof(body), "{\"listen\": \"127.0.0.1:%s\", \"upstream\": \"127.0.0.1:2\"}", port);
    EXPECT(f, 500, "POST", "/proxies/redis", body, "Address already in use");
    p = fp_server_find(&f->s, "redis");
    assert_string_equal(p->listen, listen);
    assert_string_equal(p->upstream, "127.0.0.1:6379");
    assert_true(p->enabled);
    assert_non_null(p->listener);
    close(fd);
}

/* Names are path segments: a name with a space or a '%' was created but could never be addressed, since
 * clients send it percent-encoded and the API compared the encoded text. */
static void test_encoded_names(void **state)
{
    fixture_t *f = *state;
    EXPECT(f, 201, "POST", "/proxies", "{\"name\": \"my redis%\", \"upstream\": \"127.0.0.1:6379\"}", "my redis%");
    EXPECT(f, 200, "GET", "/proxies/my%20redis%25", NULL, "\"name\":\"my redis%\"");
    EXPECT(f, 200, "POST", "/proxies/my%20redis%25/toxics", "{\"name\": \"a b\", \"type\": \"down\"}", "a b");
    EXPECT(f, 200, "GET", "/proxies/my%20redis%25/toxics/a%20b", NULL, "\"type\":\"down\"");
    EXPECT(f, 404, "GET", "/proxies/my%20redis%", NULL, "proxy not found"); /* a bad escape */
    EXPECT(f, 404, "GET", "/proxies/my%00redis", NULL, "proxy not found");
    EXPECT(f, 404, "GET", "/proxies/my%20redis%25/toxics/a%2", NULL, "toxic not found");
    EXPECT(f, 204, "DELETE", "/proxies/my%20redis%25", NULL, "");
    assert_int_equal(f->s.n, 0);
}

static void test_metrics(void **state)
{
    fixture_t *f = *state;
    EXPECT(f, 201, "POST", "/proxies", PROXY, "redis");
    EXPECT(f, 200, "GET", "/metrics", NULL, "fault_proxy_bytes_total{proxy=\"redis\",direction=\"upstream\"} 0\n");
    assert_non_null(strstr(f->out.data, "# TYPE fault_proxy_open_connections gauge\n"));
    assert_non_null(strstr(f->out.data, "fault_proxy_connections_total{proxy=\"redis\"} 0\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_proxies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_toxics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_toxic_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_populate_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_encoded_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_listen_changes_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
