/* tests/unit/faults/fault-proxy/pass_test.c — the passthrough path in one process: a proxy on 127.0.0.1:0 in
 * front of a listening socket of the test's own, driven by running the loop without blocking. A connection no
 * toxic hits goes onto the path; a toxic added takes it off at once and bytes keep their order; removed, the
 * connection comes back; a toxic that misses the connection (toxicity 0) leaves it on the path; a stopped
 * reader leaves at most FP_PASS_BUF per direction in the proxy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "faults/fault-proxy/conn.h"
#include "faults/fault-proxy/pass.h"
#include "faults/fault-proxy/proxy.h"

#define LOOP_ROUNDS 2000 /* non-blocking loop turns any one wait may take (each sleeps at most 1 ms) */

typedef struct fixture {
    struct event_base *base;
    fp_server_t s;
    fp_proxy_t *p;
    int listener, client, upstream;
} fixture_t;

static int port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    return ntohs(a.sin_port);
}

static void turn(fixture_t *f)
{
    event_base_loop(f->base, EVLOOP_NONBLOCK);
    usleep(1000);
}

/* Runs the loop until the proxy has open connections on the path, or fails. */
static void wait_pass(fixture_t *f, uint64_t want)
{
    for (int i = 0; i < LOOP_ROUNDS && f->p->stats.pass_open != want; i++)
        turn(f);
    if (f->p->stats.pass_open != want)
        fail_msg("passthrough connections: expected %llu, got %llu", (unsigned long long)want,
                 (unsigned long long)f->p->stats.pass_open);
}

static int setup(void **state)
{
    static fixture_t f;
    char err[256];
    fp_proxy_conf_t c = {.name = "up", .listen = "127.0.0.1:0", .enabled = true, .protocol = FP_PROTO_TCP};
    memset(&f, 0, sizeof(f));
    f.base = event_base_new();
    fp_server_init(&f.s, f.base, 1);
    f.listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(f.listener, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(f.listener, 8), 0);
    snprintf(c.upstream, sizeof(c.upstream), "127.0.0.1:%d", port_of(f.listener));
    if (fp_server_add(&f.s, &c, &f.p, err, sizeof(err)) != 0)
        fail_msg("fp_server_add: %s", err);
    /* The client connects (the kernel completes the handshake from the backlog), the loop accepts it and
     * connects upstream, and the test accepts that. */
    f.client = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_port = htons((uint16_t)atoi(strrchr(f.p->listen, ':') + 1));
    assert_int_equal(connect(f.client, (struct sockaddr *)&a, sizeof(a)), 0);
    fcntl(f.listener, F_SETFL, O_NONBLOCK);
    f.upstream = -1;
    for (int i = 0; i < LOOP_ROUNDS && f.upstream < 0; i++) {
        turn(&f);
        f.upstream = accept(f.listener, NULL, NULL);
    }
    assert_true(f.upstream >= 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    close(f->client);
    close(f->upstream);
    close(f->listener);
    fp_server_free(&f->s);
    event_base_free(f->base);
    return 0;
}

/* Sends n bytes of a counting pattern starting at *seq from one socket and checks them at the other. */
static void exchange(fixture_t *f, int from, int to, size_t n, unsigned *seq)
{
    char buf[4096], got[4096];
    for (size_t i = 0; i < n && i < sizeof(buf); i++)
        buf[i] = (char)(*seq + i);
    assert_int_equal(send(from, buf, n, 0), (ssize_t)n);
    size_t have = 0;
    for (int i = 0; i < LOOP_ROUNDS && have < n; i++) {
        turn(f);
        ssize_t k = recv(to, got + have, n - have, MSG_DONTWAIT);
        if (k > 0)
            have += (size_t)k;
    }
    if (have != n || memcmp(buf, got, n) != 0)
        fail_msg("%zu of %zu bytes arrived%s", have, n, have == n ? ", out of order" : "");
    *seq += (unsigned)n;
}

static fp_toxic_t latency(const char *name, double toxicity)
{
    fp_toxic_t t = {.type = FP_LATENCY, .stream = FP_DOWNSTREAM, .toxicity = toxicity, .latency = 1};
    snprintf(t.name, sizeof(t.name), "%s", name);
    return t;
}

static void test_switching(void **state)
{
    fixture_t *f = *state;
    unsigned up = 0, down = 0;
    wait_pass(f, 1);
    exchange(f, f->client, f->upstream, 1000, &up);
    exchange(f, f->upstream, f->client, 1000, &down);
    fp_toxic_t t = latency("slow", 1);
    assert_int_equal(fp_proxy_add_toxic(f->p, &t), 0);
    assert_int_equal(f->p->stats.pass_open, 0); /* at once, not at the next read */
    exchange(f, f->upstream, f->client, 1000, &down);
    exchange(f, f->client, f->upstream, 1000, &up);
    assert_int_equal(fp_proxy_remove_toxic(f->p, "slow"), 0);
    wait_pass(f, 1);
    exchange(f, f->upstream, f->client, 1000, &down);
    assert_int_equal(f->p->stats.bytes[FP_UPSTREAM], 2000);
    assert_int_equal(f->p->stats.bytes[FP_DOWNSTREAM], 3000);
}

static void test_toxic_that_misses(void **state)
{
    fixture_t *f = *state;
    wait_pass(f, 1);
    fp_toxic_t t = latency("never", 0);
    assert_int_equal(fp_proxy_add_toxic(f->p, &t), 0);
    assert_int_equal(f->p->stats.pass_open, 1);
}

static void test_stopped_reader_bounded(void **state)
{
    fixture_t *f = *state;
    char buf[65536] = {0};
    wait_pass(f, 1);
    fcntl(f->upstream, F_SETFL, O_NONBLOCK);
    /* The client reads nothing: the upstream writes until every buffer on the way is full. */
    size_t sent = 0;
    for (int i = 0; i < LOOP_ROUNDS; i++) {
        ssize_t k = send(f->upstream, buf, sizeof(buf), MSG_DONTWAIT);
        if (k > 0)
            sent += (size_t)k;
        turn(f);
        if (k < 0 && errno == EAGAIN && i > 50)
            break;
    }
    size_t held = 0;
    for (const fp_conn_t *c = f->p->conns; c != NULL; c = fp_conn_next(c))
        held += fp_conn_buffered(c);
    if (held > FP_PASS_BUF)
        fail_msg("the proxy holds %zu bytes for a stopped reader (bound %u; %zu sent)", held, FP_PASS_BUF, sent);
    assert_true(sent > FP_PASS_BUF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_switching, setup, teardown),
        cmocka_unit_test_setup_teardown(test_toxic_that_misses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stopped_reader_bounded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
