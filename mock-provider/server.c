#include "mock-provider/server.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/net.h"
#include "common/alloc.h"
#include "common/clock.h"
#include "mock-provider/handler.h"
#include "mock-provider/admin/journal.h"
#include "mock-provider/limits.h"
#include "mock-provider/provider.h"

#define LISTEN_BACKLOG 4096

/* The workers of a stopped server, kept until the process exits (see mp_server_free). */
static mp_server_t *retained;

static uint32_t online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > MP_MAX_THREADS ? MP_MAX_THREADS : (uint32_t)n;
}

/* One byte over max_body: h2o refuses a chunked body once it holds `limit` bytes, and a content-length
 * over `limit` at once, so every body h2o accepts is at most max_body + 1 bytes, the handler's size step
 * refuses that last byte, and h2o's own refusals are reshaped by the oversize filter (handler.h). */
size_t mp_server_entity_limit(uint64_t max_body)
{
    return max_body >= SIZE_MAX ? SIZE_MAX : (size_t)max_body + 1;
}

/* ---- listening sockets -------------------------------------------------------------------------------- */

static int set_opts(int fd, int family)
{
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0)
        return -1;
    /* An IPv6 listener must not also take the IPv4 port, or "::" and "0.0.0.0" deployments would clash. */
    if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) != 0)
        return -1;
    return 0;
}

/* Opens one SO_REUSEPORT listener; *port is the port to bind (0 = any) and receives the bound port. */
static int open_listener(const mp_deployment_t *d, uint16_t *port, int *out, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t len = cm_numeric_addr(d->listen_host, *port, &ss);
    const char *lb = strchr(d->listen_host, ':') ? "[" : "", *rb = *lb ? "]" : "";
    int fd = -1;
    if (len == 0) {
        snprintf(err, errlen, "deployment \"%s\": \"%s\" is not a numeric address", d->name, d->listen_host);
        return -1;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || set_opts(fd, ss.ss_family) != 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 ||
        listen(fd, LISTEN_BACKLOG) != 0)
        goto error;
    len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
        goto error;
    *port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                          : ((struct sockaddr_in6 *)&ss)->sin6_port);
    *out = fd;
    return 0;
error:
    snprintf(err, errlen, "deployment \"%s\": cannot listen on %s%s%s:%u: %s", d->name, lb, d->listen_host, rb,
             (unsigned)*port, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

/* SO_REUSEPORT lets any process of the same user bind a port that is already listening, and the kernel
 * would then split connections between them: a second mock started on the port of a running one would
 * silently take half its traffic. A plain bind (SO_REUSEADDR only, which still fails against a listener)
 * tells whether the port is really free before the group is bound. */
static int probe_port(const mp_deployment_t *d, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t len = cm_numeric_addr(d->listen_host, d->listen_port, &ss);
    int on = 1, rc = 0;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(fd, (struct sockaddr *)&ss, len) != 0) {
        const char *lb = strchr(d->listen_host, ':') ? "[" : "", *rb = *lb ? "]" : "";
        snprintf(err, errlen, "deployment \"%s\": cannot listen on %s%s%s:%u: %s", d->name, lb, d->listen_host, rb,
                 (unsigned)d->listen_port, strerror(errno));
        rc = -1;
    }
    if (fd >= 0)
        close(fd);
    return rc;
}

/* The first socket of a port-0 deployment picks the port; the other threads' sockets join it. */
static int bind_all(mp_server_t *s, char *err, size_t errlen)
{
    size_t ndeps = s->cfg->ndeps;
    for (size_t d = 0; d < ndeps; d++) {
        mp_deployment_t *dep = &s->cfg->deps[d];
        if (dep->listen_port != 0 && probe_port(dep, err, errlen) != 0)
            return -1;
        for (uint32_t t = 0; t < s->nthreads; t++) {
            uint16_t port = dep->listen_port;
            if (open_listener(dep, &port, &s->fds[t * ndeps + d], err, errlen) != 0)
                return -1;
            dep->listen_port = port;
        }
    }
    return 0;
}

static void close_fds(mp_server_t *s)
{
    for (size_t i = 0; s->fds != NULL && i < (size_t)s->nthreads * s->cfg->ndeps; i++) {
        if (s->fds[i] >= 0)
            close(s->fds[i]);
        s->fds[i] = -1;
    }
}

/* ---- h2o configuration -------------------------------------------------------------------------------- */

static uint64_t ns_to_ms(uint64_t ns)
{
    uint64_t ms = ns / 1000000u;
    return ms ? ms : 1;
}

/* Each deployment gets a hostconf of its own, reached only through its own listeners' accept contexts
 * (whose host list holds just that hostconf), so the Host header never routes a request to another
 * deployment. The host names are internal labels. */
static void setup_h2o(mp_server_t *s)
{
    h2o_config_init(&s->h2o);
    s->h2o.server_name = h2o_iovec_init(H2O_STRLIT("mock-provider"));
    s->h2o.max_request_entity_size = mp_server_entity_limit(s->cfg->max_body);
    s->h2o.http1.req_timeout = ns_to_ms(s->cfg->keepalive_timeout);
    s->h2o.http2.idle_timeout = ns_to_ms(s->cfg->keepalive_timeout);
    s->hosts = cm_xcalloc(2 * (s->cfg->ndeps ? s->cfg->ndeps : 1), sizeof(*s->hosts));
    for (size_t d = 0; d < s->cfg->ndeps; d++) {
        char name[48];
        snprintf(name, sizeof(name), "mock-deployment-%zu", d);
        h2o_hostconf_t *host = h2o_config_register_host(&s->h2o, h2o_iovec_init(name, strlen(name)), 65535);
        h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
        mp_handler_register(path, s, &s->cfg->deps[d]);
        mp_handler_register_oversize(host, s, &s->cfg->deps[d]);
        s->hosts[2 * d] = host;
        s->hosts[2 * d + 1] = NULL;
    }
}

/* glibc serves allocations above M_MMAP_THRESHOLD with their own mappings, returned to the kernel on free,
 * but raises the threshold (up to 32 MB) each time such a block is freed: after one outsized request the
 * next large buffers (a rejected body, a big response, scratch before it is trimmed) come from the heap
 * and stay resident. Measured: 10 rejected 9 MB bodies left the process at 17.6 MB instead of 5 MB.
 * Setting the threshold explicitly turns the adjustment off; 128 KiB is glibc's own starting value, so
 * ordinary requests (far smaller) are served from the heap as before. */
static void pin_mmap_threshold(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, MP_SERVER_MMAP_THRESHOLD);
#endif
}

static int resolve_providers(mp_config_t *cfg, char *err, size_t errlen)
{
    for (size_t d = 0; d < cfg->ndeps; d++) {
        cfg->deps[d].index = (uint32_t)d;
        cfg->deps[d].ops = mp_provider_for(cfg->deps[d].provider);
        if (cfg->deps[d].ops == NULL) {
            snprintf(err, errlen, "deployment \"%s\": no provider implementation", cfg->deps[d].name);
            return -1;
        }
    }
    return 0;
}

int mp_server_create(mp_server_t **out, mp_config_t *cfg, char *err, size_t errlen)
{
    mp_server_t *s = cm_xcalloc(1, sizeof(*s));
    s->cfg = cfg;
    s->nthreads = cfg->threads ? cfg->threads : online_cpus();
    s->fds = cm_xmalloc((size_t)s->nthreads * (cfg->ndeps ? cfg->ndeps : 1) * sizeof(int));
    for (size_t i = 0; i < (size_t)s->nthreads * cfg->ndeps; i++)
        s->fds[i] = -1;
    if (cfg->ndeps == 0) {
        snprintf(err, errlen, "no deployments to serve");
        goto error;
    }
    if (resolve_providers(cfg, err, errlen) != 0 || bind_all(s, err, errlen) != 0)
        goto error;
    pin_mmap_threshold();
    setup_h2o(s);
    s->metrics = mp_metrics_create(cfg->deps, cfg->ndeps, s->nthreads);
    if (cfg->admin.listen_host != NULL)
        s->journal = mp_journal_create(s->nthreads, cfg->admin.journal);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    *out = s;
    return 0;
error:
    close_fds(s);
    free(s->fds);
    free(s);
    return -1;
}

/* ---- start and stop ----------------------------------------------------------------------------------- */

void mp_server__worker_ready(mp_server_t *s, int rc, const char *why)
{
    pthread_mutex_lock(&s->lock);
    if (rc != 0 && !s->failed) {
        s->failed = 1;
        snprintf(s->failure, sizeof(s->failure), "%s", why);
    }
    s->nreported++;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

void mp_server__worker_stopped(mp_server_t *s, mp_worker_t *w)
{
    pthread_mutex_lock(&s->lock);
    w->stopped = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

static bool all_stopped(const mp_server_t *s)
{
    for (uint32_t i = 0; i < s->nthreads; i++)
        if (s->workers[i].spawned && !s->workers[i].stopped)
            return false;
    return true;
}

static void stop_workers(mp_server_t *s)
{
    for (uint32_t i = 0; i < s->nthreads; i++)
        if (s->workers[i].spawned)
            mp_worker_request_stop(&s->workers[i]);
    pthread_mutex_lock(&s->lock);
    while (!all_stopped(s))
        pthread_cond_wait(&s->cond, &s->lock);
    pthread_mutex_unlock(&s->lock);
}

int mp_server_start(mp_server_t *s, char *err, size_t errlen)
{
    uint32_t spawned = 0;
    s->started_ns = cm_now_ns();
    if (mp_limits_create(s->cfg, s->started_ns, err, errlen) != 0)
        return -1;
    s->live = cm_xcalloc(s->cfg->ndeps, sizeof(*s->live));
    for (size_t d = 0; d < s->cfg->ndeps; d++) {
        mp_deployment_fill_source(&s->cfg->deps[d]);
        atomic_init(&s->live[d].cur, mp_snap_borrow(&s->cfg->deps[d]));
        atomic_init(&s->live[d].epoch_ns, s->started_ns);
    }
    s->workers = cm_xcalloc(s->nthreads, sizeof(*s->workers));
    for (; spawned < s->nthreads; spawned++)
        if (mp_worker_spawn(&s->workers[spawned], s, spawned, &s->fds[spawned * s->cfg->ndeps], err, errlen) != 0)
            break;
    pthread_mutex_lock(&s->lock);
    while (s->nreported < spawned)
        pthread_cond_wait(&s->cond, &s->lock);
    int failed = s->failed;
    pthread_mutex_unlock(&s->lock);
    if (failed)
        snprintf(err, errlen, "worker setup failed: %s", s->failure);
    if (failed || spawned < s->nthreads) {
        stop_workers(s);
        /* Some of these fds now belong to h2o sockets of the stopped workers; leave them to the exit. */
        for (size_t i = 0; i < (size_t)spawned * s->cfg->ndeps; i++)
            s->fds[i] = -1;
        return -1;
    }
    /* The workers' h2o sockets own the fds from now on. */
    for (size_t i = 0; i < (size_t)s->nthreads * s->cfg->ndeps; i++)
        s->fds[i] = -1;
    return 0;
}

mp_snap_t *mp_server_current(mp_server_t *s, uint32_t d)
{
    return mp_snap_ref(atomic_load_explicit(&s->live[d].cur, memory_order_acquire));
}

static bool running(mp_server_t *s, mp_worker_t *w)
{
    pthread_mutex_lock(&s->lock);
    bool r = w->spawned && !w->stopped;
    pthread_mutex_unlock(&s->lock);
    return r;
}

uint32_t mp_server_publish(mp_server_t *s, uint32_t d, mp_snap_t *snap, uint64_t wait_ns)
{
    uint32_t expected = 0;
    mp_snap_t *old = atomic_exchange_explicit(&s->live[d].cur, snap, memory_order_acq_rel);
    for (uint32_t i = 0; s->workers != NULL && i < s->nthreads; i++) {
        mp_worker_t *w = &s->workers[i];
        if (!running(s, w))
            continue;
        expected++;
        mp_snap_release(atomic_exchange_explicit(&w->deps[d].mailbox, mp_snap_ref(snap), memory_order_acq_rel));
        mp_worker_wake(w);
    }
    mp_snap_release(old);
    uint64_t deadline = cm_now_ns() + wait_ns;
    uint32_t got;
    /* Bounded: a worker adopts at its next loop iteration, normally within microseconds. */
    while ((got = atomic_load_explicit(&snap->adopted, memory_order_acquire)) < expected && cm_now_ns() < deadline) {
        struct timespec ts = {0, 200 * 1000};
        nanosleep(&ts, NULL);
    }
    return got;
}

void mp_server_stop(mp_server_t *s)
{
    if (s->workers != NULL)
        stop_workers(s);
}

void mp_server_free(mp_server_t *s)
{
    if (s == NULL)
        return;
    close_fds(s);
    free(s->fds);
    s->fds = NULL;
    mp_metrics_free(s->metrics);
    s->metrics = NULL;
    mp_limits_free(s->cfg); /* the workers' loops have stopped: no request reaches a quota any more */
    if (s->workers != NULL) {
        /* Connections still open reference the contexts, hostconfs and handlers (see server.h). */
        retained = s;
        return;
    }
    h2o_config_dispose(&s->h2o);
    free(s->hosts);
    mp_journal_free(s->journal);
    for (size_t d = 0; s->live != NULL && d < s->cfg->ndeps; d++)
        mp_snap_release(atomic_load(&s->live[d].cur));
    free(s->live);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    free(s);
}
