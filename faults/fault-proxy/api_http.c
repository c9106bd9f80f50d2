/* The HTTP side of the control API: evhttp with bounded bodies and headers, bearer token, and the answer
 * of fp_api_call. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/alloc.h"
#include "faults/fault-proxy/api.h"

struct fp_api {
    fp_server_t *server;
    struct evhttp *http;
    char *token;
    char address[FP_MAX_ADDR];
};

static const char *method_name(enum evhttp_cmd_type t)
{
    switch (t) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_PATCH:
        return "PATCH";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_HEAD:
        return "HEAD";
    case EVHTTP_REQ_OPTIONS:
        return "OPTIONS";
    default:
        return "OTHER";
    }
}

static bool authorized(const fp_api_t *api, struct evhttp_request *req)
{
    if (api->token == NULL)
        return true;
    const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
    return h != NULL && strncmp(h, "Bearer ", 7) == 0 && strcmp(h + 7, api->token) == 0;
}

static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    default:
        return "Internal Server Error";
    }
}

static void handle(struct evhttp_request *req, void *arg)
{
    fp_api_t *api = arg;
    cm_buf_t out = CM_BUF_INIT;
    int status;
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    const char *method = method_name(evhttp_request_get_command(req));
    if (!authorized(api, req)) {
        cm_buf_puts(&out, "{\"error\":\"missing or wrong bearer token\",\"status\":401}");
        status = 401;
    } else {
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        size_t len = evbuffer_get_length(in);
        const char *body = len > 0 ? (const char *)evbuffer_pullup(in, (ev_ssize_t)len) : "";
        status = fp_api_call(api->server, method, path != NULL ? path : "/", body, len, &out);
    }
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    bool text = path != NULL && strcmp(path, "/metrics") == 0 && status == 200;
    evhttp_add_header(h, "Content-Type", text ? "text/plain; version=0.0.4" : "application/json");
    struct evbuffer *body = evbuffer_new();
    if (status != 204 && out.len > 0)
        evbuffer_add(body, out.data, out.len);
    evhttp_send_reply(req, status, reason(status), body);
    evbuffer_free(body);
    cm_buf_free(&out);
}

static bool loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (strcmp(host, "localhost") == 0)
        return true;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

int fp_api_check_addr(const char *addr, const char *token, char *host, size_t hostlen, uint16_t *port, char *err,
                      size_t errlen)
{
    if (fp_split_addr(addr, host, hostlen, port, err, errlen) != 0)
        return -1;
    if (!loopback(host) && token == NULL) {
        snprintf(err, errlen, "%s is not a loopback address: give --token", host);
        return -1;
    }
    return 0;
}

static int bind_api(fp_api_t *api, const char *addr, char *err, size_t errlen)
{
    char host[FP_MAX_ADDR];
    uint16_t port;
    if (fp_api_check_addr(addr, api->token, host, sizeof(host), &port, err, errlen) != 0)
        return -1;
    struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(api->http, host, port);
    if (bs == NULL) {
        snprintf(err, errlen, "cannot listen on %s", addr);
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &len);
    unsigned bound = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                              : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    snprintf(api->address, sizeof(api->address), strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, bound);
    return 0;
}

int fp_api_start(fp_api_t **out, fp_server_t *s, const char *addr, const char *token, char *err, size_t errlen)
{
    fp_api_t *api = cm_xcalloc(1, sizeof(*api));
    api->server = s;
    api->token = token != NULL ? cm_xstrdup(token) : NULL;
    api->http = evhttp_new(s->base);
    evhttp_set_max_body_size(api->http, FP_API_MAX_BODY);
    evhttp_set_max_headers_size(api->http, FP_API_MAX_HEADERS);
    evhttp_set_timeout(api->http, FP_API_TIMEOUT_S);
    /* Every method reaches the handler, so that one the API does not take is a JSON 405 like every other
     * error, not evhttp's HTML 501 page. */
    evhttp_set_allowed_methods(api->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE |
                                              EVHTTP_REQ_PUT | EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                              EVHTTP_REQ_CONNECT);
    evhttp_set_gencb(api->http, handle, api);
    if (bind_api(api, addr, err, errlen) != 0) {
        fp_api_free(api);
        return -1;
    }
    *out = api;
    return 0;
}

const char *fp_api_address(const fp_api_t *api)
{
    return api->address;
}

void fp_api_free(fp_api_t *api)
{
    if (api == NULL)
        return;
    if (api->http != NULL)
        evhttp_free(api->http);
    free(api->token);
    free(api);
}
