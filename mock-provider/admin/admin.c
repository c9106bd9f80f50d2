#include "mock-provider/admin/admin.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/json.h"
#include "mock-provider/admin/update.h"
#include "mock-provider/admin/journal.h"
#include "mock-provider/quota/quota.h"

struct mp_admin {
    mp_server_t *server;
    mp_config_t *cfg;
    h2o_globalconf_t conf;
    h2o_context_t ctx;
    h2o_evloop_t *loop;
    h2o_accept_ctx_t accept;
    h2o_socket_t *listener, *wake;
    int fd, wake_fd;
    int stop; /* __atomic */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int state; /* under lock: 0 starting, 1 serving, 2 failed, 3 stopped */
    char failure[200];
};

typedef struct admin_handler {
    h2o_handler_t super;
    mp_admin_t *admin;
} admin_handler_t;

static const h2o_iovec_t ctype_json = {H2O_STRLIT("application/json")};

/* ---- responses ---------------------------------------------------------------------------------------- */

static int send_json(h2o_req_t *req, int status, const char *body, size_t len)
{
    req->res.status = status;
    req->res.reason = status == 200   ? "OK"
                      : status == 400 ? "Bad Request"
                      : status == 401 ? "Unauthorized"
                      : status == 404 ? "Not Found"
                      : status == 405 ? "Method Not Allowed"
                                      : "Error";
    req->res.content_length = len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ctype_json.base, ctype_json.len);
    h2o_iovec_t copy = h2o_strdup(&req->pool, body, len);
    h2o_send_inline(req, copy.base, copy.len);
    return 0;
}

static int send_error(h2o_req_t *req, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int send_error(h2o_req_t *req, int status, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cm_buf_t b = CM_BUF_INIT;
    cm_jw_t w;
    cm_jw_init(&w, &b);
    cm_jw_obj(&w);
    cm_jw_key(&w, "error");
    cm_jw_obj(&w);
    cm_jw_key(&w, "status");
    cm_jw_int(&w, status);
    cm_jw_key(&w, "message");
    cm_jw_str(&w, msg);
    cm_jw_obj_end(&w);
    cm_jw_obj_end(&w);
    send_json(req, status, b.data, b.len);
    cm_buf_free(&b);
    return 0;
}

static int send_buf(h2o_req_t *req, cm_buf_t *b)
{
    send_json(req, 200, b->data != NULL ? b->data : "", b->len);
    cm_buf_free(b);
    return 0;
}

/* ---- requests ----------------------------------------------------------------------------------------- */

static bool method_is(const h2o_req_t *req, const char *m)
{
    return h2o_memis(req->method.base, req->method.len, m, strlen(m));
}

static int find_dep(const mp_config_t *cfg, const char *p, size_t n)
{
    for (size_t i = 0; i < cfg->ndeps; i++)
        if (strlen(cfg->deps[i].name) == n && memcmp(cfg->deps[i].name, p, n) == 0)
            return (int)i;
    return -1;
}

/* Constant time in the length of the expected value. */
static bool authorized(const mp_admin_t *a, const h2o_req_t *req)
{
    const char *token = a->cfg->admin.token;
    if (token == NULL)
        return true;
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (i < 0)
        return false;
    h2o_iovec_t v = req->headers.entries[i].value;
    size_t tn = strlen(token);
    if (v.len != tn + 7 || !h2o_memis(v.base, 7, H2O_STRLIT("Bearer ")))
        return false;
    unsigned char diff = 0;
    for (size_t k = 0; k < tn; k++)
        diff |= (unsigned char)(v.base[7 + k] ^ token[k]);
    return diff == 0;
}

static void put_source(cm_buf_t *b, const mp_snap_t *s)
{
    cm_buf_puts(b, s->dep.source);
}

static int get_deployments(mp_admin_t *a, h2o_req_t *req)
{
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_puts(&b, "{\"deployments\": [");
    for (uint32_t d = 0; d < a->cfg->ndeps; d++) {
        mp_snap_t *s = mp_server_current(a->server, d);
        if (d > 0)
            cm_buf_puts(&b, ", ");
        put_source(&b, s);
        mp_snap_release(s);
    }
    cm_buf_puts(&b, "]}");
    return send_buf(req, &b);
}

static void version_header(h2o_req_t *req, const mp_snap_t *s)
{
    char v[24];
    int n = snprintf(v, sizeof(v), "%llu", (unsigned long long)s->version);
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-mock-config-version"), 0, NULL,
                          h2o_strdup(&req->pool, v, (size_t)n).base, (size_t)n);
}

static int get_one(mp_admin_t *a, h2o_req_t *req, uint32_t d, bool faults)
{
    mp_snap_t *s = mp_server_current(a->server, d);
    cm_buf_t b = CM_BUF_INIT;
    if (!faults) {
        put_source(&b, s);
    } else {
        cm_conf_t conf;
        cm_err_t err;
        const cm_node_t *f = NULL;
        if (cm_conf_load_string(&conf, "source", s->dep.source, strlen(s->dep.source), &err) == 0)
            f = cm_conf_get(conf.root, "faults");
        if (f == NULL || f->type == CM_NODE_NULL || cm_conf_write_json(&b, f, SIZE_MAX / 2) != 0)
            cm_buf_puts(&b, "[]");
        cm_conf_free(&conf);
    }
    version_header(req, s);
    mp_snap_release(s);
    return send_buf(req, &b);
}

/* Builds, publishes and answers with the new settings; or 400 with what is wrong, nothing changed. fresh:
 * a new quota engine and fault set even when limits and faults are the same (POST /admin/reset). */
static int apply(mp_admin_t *a, uint32_t d, mp_admin_op_t op, const char *body, size_t len, bool fresh,
                 mp_snap_t **published, cm_err_t *err)
{
    mp_snap_t *cur = mp_server_current(a->server, d);
    mp_deployment_t dep;
    mp_admin_kept_t kept;
    if (mp_admin_build(&cur->dep, a->cfg->seed, op, body, len, &dep, &kept, err) != 0) {
        mp_snap_release(cur);
        return -1;
    }
    bool share = dep.limited && !fresh && kept.limits && cur->quota != NULL;
    if (dep.limited && !share) {
        char why[200];
        if (mp_quota_create(&dep.limits, cm_now_ns(), &dep.quota, why, sizeof(why)) != 0) {
            snprintf(err->msg, sizeof(err->msg), "body: limits: %s", why);
            mp_deployment_free(&dep);
            mp_snap_release(cur);
            return -1;
        }
    }
    bool share_faults = !fresh && kept.faults && cur->faults != NULL && dep.faults != NULL;
    mp_snap_t *next = mp_snap_own(&dep, share ? cur->quota : NULL, share_faults ? cur->faults : NULL);
    next->version = cur->version + 1;
    mp_snap_release(cur);
    *published = mp_snap_ref(next);
    mp_server_publish(a->server, d, next, MP_ADMIN_PUBLISH_WAIT_NS);
    return 0;
}

static int update(mp_admin_t *a, h2o_req_t *req, uint32_t d, mp_admin_op_t op)
{
    cm_err_t err;
    mp_snap_t *s;
    h2o_iovec_t body = req->entity;
    if (body.base != NULL && body.len > MP_ADMIN_MAX_BODY)
        return send_error(req, 413, "the body is larger than %u bytes", MP_ADMIN_MAX_BODY);
    if (apply(a, d, op, body.base != NULL ? body.base : "", body.base != NULL ? body.len : 0, false, &s, &err) != 0)
        return send_error(req, 400, "%s", err.msg);
    cm_buf_t b = CM_BUF_INIT;
    put_source(&b, s);
    version_header(req, s);
    mp_snap_release(s);
    return send_buf(req, &b);
}

/* Every deployment as if just configured: fault sets and quota engines rebuilt from their sources (counters,
 * draws and windows start over), fault windows and pause schedules counted from now, journal emptied.
 * Metrics are counters and stay. */
static int reset(mp_admin_t *a, h2o_req_t *req)
{
    uint64_t now = cm_now_ns();
    for (uint32_t d = 0; d < a->cfg->ndeps; d++) {
        cm_err_t err;
        mp_snap_t *s;
        atomic_store_explicit(&a->server->live[d].epoch_ns, now, memory_order_relaxed);
        if (apply(a, d, MP_ADMIN_PATCH, "{}", 2, true, &s, &err) != 0)
            return send_error(req, 500, "deployment \"%s\": %s", a->cfg->deps[d].name, err.msg);
        mp_snap_release(s);
    }
    if (a->server->journal != NULL)
        mp_journal_clear(a->server->journal);
    static const char ok[] = "{\"reset\": true}";
    return send_json(req, 200, ok, sizeof(ok) - 1);
}

/* ?limit=N (1..everything kept) and ?deployment=NAME. */
static int get_requests(mp_admin_t *a, h2o_req_t *req)
{
    size_t limit = MP_ADMIN_DEFAULT_LIMIT, most = (size_t)a->server->nthreads * a->cfg->admin.journal;
    if (most == 0)
        most = 1; /* journal: 0 keeps nothing; the answer is empty */
    int dep = -1;
    bool seen_limit = false, seen_dep = false;
    if (req->query_at != SIZE_MAX) {
        const char *p = req->path.base + req->query_at + 1, *end = req->path.base + req->path.len;
        while (p < end) {
            const char *amp = memchr(p, '&', (size_t)(end - p));
            const char *stop = amp != NULL ? amp : end, *eq = memchr(p, '=', (size_t)(stop - p));
            const char *v = eq != NULL ? eq + 1 : stop;
            size_t kn = (size_t)((eq != NULL ? eq : stop) - p), vn = (size_t)(stop - v);
            bool *seen = h2o_memis(p, kn, H2O_STRLIT("limit"))        ? &seen_limit
                         : h2o_memis(p, kn, H2O_STRLIT("deployment")) ? &seen_dep
                                                                      : NULL;
            if (seen != NULL && *seen)
                return send_error(req, 400, "%.*s given twice", (int)kn, p);
            if (seen != NULL)
                *seen = true;
            if (h2o_memis(p, kn, H2O_STRLIT("limit"))) {
                size_t n = 0;
                if (vn == 0 || vn > 9)
                    return send_error(req, 400, "limit: expected a number from 1 to %zu", most);
                for (size_t i = 0; i < vn; i++) {
                    if (v[i] < '0' || v[i] > '9')
                        return send_error(req, 400, "limit: expected a number from 1 to %zu", most);
                    n = n * 10 + (size_t)(v[i] - '0');
                }
                if (n == 0)
                    return send_error(req, 400, "limit: expected a number from 1 to %zu", most);
                limit = n;
            } else if (h2o_memis(p, kn, H2O_STRLIT("deployment"))) {
                if ((dep = find_dep(a->cfg, v, vn)) < 0)
                    return send_error(req, 404, "no deployment \"%.*s\"", (int)(vn < 64 ? vn : 64), v);
            } else {
                return send_error(req, 400, "unknown parameter \"%.*s\" (allowed: limit, deployment)",
                                  (int)(kn < 64 ? kn : 64), p);
            }
            p = stop + 1;
        }
    }
    if (limit > most)
        limit = most;
    cm_buf_t b = CM_BUF_INIT;
    if (a->server->journal != NULL)
        mp_journal_render(a->server->journal, a->cfg, limit, dep, &b);
    else
        cm_buf_puts(&b, "{\"requests\": []}");
    return send_buf(req, &b);
}

static int not_allowed(h2o_req_t *req, const char *allow)
{
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, allow, strlen(allow));
    return send_error(req, 405, "method %.*s is not allowed here (allowed: %s)",
                      (int)(req->method.len < 16 ? req->method.len : 16), req->method.base, allow);
}

static int deployment_path(mp_admin_t *a, h2o_req_t *req, const char *p, size_t n)
{
    const char *slash = memchr(p, '/', n);
    size_t nn = slash != NULL ? (size_t)(slash - p) : n;
    bool faults = slash != NULL && h2o_memis(slash, n - nn, H2O_STRLIT("/faults"));
    if (slash != NULL && !faults)
        return send_error(req, 404, "no such path (try /admin/deployments/NAME or /admin/deployments/NAME/faults)");
    int d = find_dep(a->cfg, p, nn);
    if (d < 0)
        return send_error(req, 404, "no deployment \"%.*s\"", (int)(nn < 64 ? nn : 64), p);
    if (method_is(req, "GET"))
        return get_one(a, req, (uint32_t)d, faults);
    if (method_is(req, "PUT"))
        return update(a, req, (uint32_t)d, faults ? MP_ADMIN_FAULTS_PUT : MP_ADMIN_PUT);
    if (!faults && method_is(req, "PATCH"))
        return update(a, req, (uint32_t)d, MP_ADMIN_PATCH);
    if (faults && method_is(req, "DELETE"))
        return update(a, req, (uint32_t)d, MP_ADMIN_FAULTS_DELETE);
    return not_allowed(req, faults ? "GET, PUT, DELETE" : "GET, PUT, PATCH");
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    mp_admin_t *a = ((admin_handler_t *)self)->admin;
    size_t n = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    const char *p = req->path.base;
    static const char deps[] = "/admin/deployments";
    if (!authorized(a, req)) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL, H2O_STRLIT("Bearer"));
        return send_error(req, 401, "the admin API needs Authorization: Bearer TOKEN");
    }
    /* Only /admin/requests reads a query string; anywhere else one would be ignored, so it is refused. */
    if (req->query_at != SIZE_MAX && req->query_at + 1 < req->path.len &&
        !h2o_memis(p, n, H2O_STRLIT("/admin/requests")))
        return send_error(req, 400, "%.*s takes no query parameters (only /admin/requests does: limit, deployment)",
                          (int)(n < 64 ? n : 64), p);
    if (h2o_memis(p, n, H2O_STRLIT("/admin/deployments")))
        return method_is(req, "GET") ? get_deployments(a, req) : not_allowed(req, "GET");
    if (n > sizeof(deps) && memcmp(p, deps, sizeof(deps) - 1) == 0 && p[sizeof(deps) - 1] == '/')
        return deployment_path(a, req, p + sizeof(deps), n - sizeof(deps));
    if (h2o_memis(p, n, H2O_STRLIT("/admin/reset")))
        return method_is(req, "POST") ? reset(a, req) : not_allowed(req, "POST");
    if (h2o_memis(p, n, H2O_STRLIT("/admin/requests")))
        return method_is(req, "GET") ? get_requests(a, req) : not_allowed(req, "GET");
    return send_error(req, 404, "no such path (the admin API is under /admin/: deployments, reset, requests)");
}

/* ---- listener and thread ------------------------------------------------------------------------------ */

static int bind_admin(const char *host, uint16_t *port, int *out, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t len;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(*port);
        len = sizeof(*v4);
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(*port);
        len = sizeof(*v6);
    } else {
        snprintf(err, errlen, "admin: \"%s\" is not a numeric address", host);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), on = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) != 0) ||
        bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 128) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        bool v6host = ss.ss_family == AF_INET6;
        snprintf(err, errlen, "admin: cannot listen on %s%s%s:%u: %s", v6host ? "[" : "", host, v6host ? "]" : "",
                 (unsigned)*port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(ss.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
    *out = fd;
    return 0;
}

int mp_admin_create(mp_admin_t **out, mp_server_t *s, char *err, size_t errlen)
{
    mp_admin_t *a = cm_xcalloc(1, sizeof(*a));
    a->server = s;
    a->cfg = s->cfg;
    a->wake_fd = -1;
    if (bind_admin(s->cfg->admin.listen_host, &s->cfg->admin.listen_port, &a->fd, err, errlen) != 0) {
        free(a);
        return -1;
    }
    h2o_config_init(&a->conf);
    a->conf.server_name = h2o_iovec_init(H2O_STRLIT("mock-provider-admin"));
    a->conf.max_request_entity_size = MP_ADMIN_MAX_BODY;
    h2o_hostconf_t *host = h2o_config_register_host(&a->conf, h2o_iovec_init(H2O_STRLIT("admin")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    admin_handler_t *h = (admin_handler_t *)h2o_create_handler(path, sizeof(*h));
    h->super.on_req = on_req;
    h->admin = a;
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->cond, NULL);
    *out = a;
    return 0;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    mp_admin_t *a = listener->data;
    if (err != NULL)
        return;
    for (int i = 0; i < 16; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            return;
        h2o_accept(&a->accept, sock);
    }
}

static void on_wake(h2o_socket_t *sock, const char *err)
{
    mp_admin_t *a = sock->data;
    uint64_t v;
    ssize_t r = read(a->wake_fd, &v, sizeof(v));
    (void)r;
    (void)err;
}

static void set_state(mp_admin_t *a, int state, const char *why)
{
    pthread_mutex_lock(&a->lock);
    a->state = state;
    if (why != NULL)
        snprintf(a->failure, sizeof(a->failure), "%s", why);
    pthread_cond_broadcast(&a->cond);
    pthread_mutex_unlock(&a->lock);
}

/* Parks when done, as the workers do (worker.c): h2o keeps thread-local state it cannot release. */
static void *admin_main(void *arg)
{
    mp_admin_t *a = arg;
    a->loop = h2o_evloop_create();
    h2o_context_init(&a->ctx, a->loop, &a->conf);
    a->accept.ctx = &a->ctx;
    a->accept.hosts = a->conf.hosts;
    a->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (a->wake_fd < 0) {
        set_state(a, 2, strerror(errno));
        for (;;)
            pause();
    }
    a->wake = h2o_evloop_socket_create(a->loop, a->wake_fd, H2O_SOCKET_FLAG_DONT_READ);
    a->wake->data = a;
    h2o_socket_read_start(a->wake, on_wake);
    a->listener = h2o_evloop_socket_create(a->loop, a->fd, H2O_SOCKET_FLAG_DONT_READ);
    a->listener->data = a;
    h2o_socket_read_start(a->listener, on_accept);
    set_state(a, 1, NULL);
    while (!__atomic_load_n(&a->stop, __ATOMIC_ACQUIRE))
        h2o_evloop_run(a->loop, INT32_MAX);
    h2o_socket_read_stop(a->listener);
    h2o_socket_close(a->listener);
    a->listener = NULL;
    h2o_context_request_shutdown(&a->ctx);
    set_state(a, 3, NULL);
    for (;;)
        pause();
    return NULL;
}

int mp_admin_start(mp_admin_t *a, char *err, size_t errlen)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* Signals stay with the main thread: the caller blocks them before starting threads (main.c). */
    int rc = pthread_create(&a->thread, &attr, admin_main, a);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the admin thread: %s", strerror(rc));
        return -1;
    }
    pthread_mutex_lock(&a->lock);
    while (a->state == 0)
        pthread_cond_wait(&a->cond, &a->lock);
    int state = a->state;
    pthread_mutex_unlock(&a->lock);
    if (state != 1) {
        snprintf(err, errlen, "admin thread: %s", a->failure);
        return -1;
    }
    return 0;
}

void mp_admin_stop(mp_admin_t *a)
{
    if (a == NULL)
        return;
    pthread_mutex_lock(&a->lock);
    bool serving = a->state == 1;
    pthread_mutex_unlock(&a->lock);
    if (!serving)
        return;
    __atomic_store_n(&a->stop, 1, __ATOMIC_RELEASE);
    uint64_t one = 1;
    ssize_t r = write(a->wake_fd, &one, sizeof(one));
    (void)r;
    pthread_mutex_lock(&a->lock);
    while (a->state == 1)
        pthread_cond_wait(&a->cond, &a->lock);
    pthread_mutex_unlock(&a->lock);
}
