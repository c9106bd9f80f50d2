/* bench/h2o_bare.c — the floor for mock-provider's throughput: an h2o 2.2.5 evloop server on one thread that
 * answers every request with the same bytes, read from a file at start. bench/mock_vs_nginx.sh serves the
 * mock's own response body with it, so the ratio mock/bare is what the mock's request path costs.
 *
 *   h2o_bare PORT BODY_FILE */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <h2o.h>

static h2o_globalconf_t config;
static h2o_context_t ctx;
static h2o_accept_ctx_t accept_ctx;
static h2o_iovec_t body;

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    static h2o_generator_t generator = {NULL, NULL};
    req->res.status = 200;
    req->res.reason = "OK";
    req->res.content_length = body.len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/json"));
    h2o_start_response(req, &generator);
    h2o_send(req, &body, 1, H2O_SEND_STATE_FINAL);
    return 0;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    if (err != NULL)
        return;
    h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
    if (sock != NULL)
        h2o_accept(&accept_ctx, sock);
}

static int listen_on(h2o_loop_t *loop, int port)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0), on = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 4096) != 0) {
        fprintf(stderr, "h2o_bare: cannot listen on port %d: %s\n", port, strerror(errno));
        return -1;
    }
    h2o_socket_t *sock = h2o_evloop_socket_create(loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    h2o_socket_read_start(sock, on_accept);
    return 0;
}

static int read_body(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    static char data[1 << 20];
    body.len = fread(data, 1, sizeof(data), f);
    body.base = data;
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3 || read_body(argv[2]) != 0) {
        fprintf(stderr, "usage: h2o_bare PORT BODY_FILE\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    h2o_config_init(&config);
    config.server_name = h2o_iovec_init(H2O_STRLIT("h2o-bare"));
    config.max_request_entity_size = 64 << 20;
    h2o_hostconf_t *host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_create_handler(path, sizeof(h2o_handler_t))->on_req = on_req;

    h2o_loop_t *loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    accept_ctx.ctx = &ctx;
    accept_ctx.hosts = config.hosts;
    if (listen_on(loop, atoi(argv[1])) != 0)
        return 1;
    for (;;)
        h2o_evloop_run(loop, INT32_MAX);
}
