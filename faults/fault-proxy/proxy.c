#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/dist.h"
#include "faults/fault-proxy/conn.h"
#include "faults/fault-proxy/proxy.h"
#include "faults/fault-proxy/resp.h"

void fp_server_init(fp_server_t *s, struct event_base *base, uint64_t seed)
{
    memset(s, 0, sizeof(*s));
    s->base = base;
    s->seed = seed;
}

bool fp_proxy_hits(const fp_proxy_t *p, const fp_toxic_t *t, uint64_t serial)
{
    if (t->toxicity >= 1)
        return true;
    if (t->toxicity <= 0)
        return false;
    uint64_t key[2] = {serial, t->uid};
    uint64_t h = cm_hash64(key, sizeof(key), p->server->seed ^ p->name_hash);
    return (double)(h >> 11) * 0x1.0p-53 < t->toxicity;
}

static void close_all(fp_proxy_t *p)
{
    while (p->conns != NULL)
        fp_conn_close(p->conns, false);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
    fp_conn_accept(arg, fd);
}

/* The bound address, so that a listen port 0 shows the port the kernel picked. */
static void bound_address(fp_proxy_t *p)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char host[INET6_ADDRSTRLEN];
    if (getsockname(evconnlistener_get_fd(p->listener), (struct sockaddr *)&ss, &len) != 0)
        return;
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
        snprintf(p->listen, sizeof(p->listen), "[%s]:%u", host, ntohs(a->sin6_port));
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
        snprintf(p->listen, sizeof(p->listen), "%s:%u", host, ntohs(a->sin_port));
    }
}

static int start(fp_proxy_t *p, char *err, size_t errlen)
{
    struct sockaddr_storage addr;
    socklen_t len;
    if (p->listener != NULL || !p->enabled)
        return 0;
    if (fp_parse_addr(p->listen, &addr, &len, err, errlen) != 0)
        return FP_E_LISTEN;
    p->listener = evconnlistener_new_bind(p->server->base, on_accept, p,
                                          LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 1024,
                                          (struct sockaddr *)&addr, (int)len);
    if (p->listener == NULL) {
        snprintf(err, errlen, "listen %s: %s", p->listen, evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        p->enabled = false;
        return FP_E_LISTEN;
    }
    bound_address(p);
    return 0;
}

static void stop(fp_proxy_t *p)
{
    if (p->listener != NULL)
        evconnlistener_free(p->listener);
    p->listener = NULL;
    close_all(p);
}

static int set_upstream(fp_proxy_t *p, const char *upstream, char *err, size_t errlen)
{
    if (fp_parse_addr(upstream, &p->up_addr, &p->up_len, err, errlen) != 0)
        return FP_E_LISTEN;
    snprintf(p->upstream, sizeof(p->upstream), "%s", upstream);
    return 0;
}

int fp_server_add(fp_server_t *s, const fp_proxy_conf_t *c, fp_proxy_t **out, char *err, size_t errlen)
{
    if (fp_server_find(s, c->name) != NULL) {
        snprintf(err, errlen, "proxy already exists");
        return FP_E_EXISTS;
    }
    if (s->n == FP_MAX_PROXIES) {
        snprintf(err, errlen, "at most %d proxies", FP_MAX_PROXIES);
        return FP_E_LIMIT;
    }
    fp_proxy_t *p = cm_xcalloc(1, sizeof(*p));
    p->server = s;
    snprintf(p->name, sizeof(p->name), "%s", c->name);
    snprintf(p->listen, sizeof(p->listen), "%s", c->listen);
    p->name_hash = cm_hash64(p->name, strlen(p->name), 0x6661756c74ull);
    p->enabled = c->enabled;
    p->protocol = c->protocol;
    int rc = set_upstream(p, c->upstream, err, errlen);
    for (int i = 0; rc == 0 && i < c->ntoxics; i++)
        rc = fp_proxy_add_toxic(p, &c->toxics[i]);
    if (rc == 0)
        rc = start(p, err, errlen);
    if (rc != 0) {
        free(p);
        return rc;
    }
    s->proxies[s->n++] = p;
    if (out != NULL)
        *out = p;
    return 0;
}

fp_proxy_t *fp_server_find(const fp_server_t *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->proxies[i]->name, name) == 0)
            return s->proxies[i];
    return NULL;
}

static void proxy_free(fp_proxy_t *p)
{
    stop(p);
    free(p->resp);
    free(p);
}

int fp_server_remove(fp_server_t *s, const char *name)
{
    for (int i = 0; i < s->n; i++) {
        if (strcmp(s->proxies[i]->name, name) != 0)
            continue;
        proxy_free(s->proxies[i]);
        memmove(&s->proxies[i], &s->proxies[i + 1], (size_t)(s->n - i - 1) * sizeof(s->proxies[0]));
        s->n--;
        return 0;
    }
    return FP_E_NOT_FOUND;
}

void fp_server_free(fp_server_t *s)
{
    for (int i = 0; i < s->n; i++)
        proxy_free(s->proxies[i]);
    s->n = 0;
    if (s->base != NULL)
        event_base_loop(s->base, EVLOOP_NONBLOCK); /* the closed connections' reapers */
}

static void toxics_changed(fp_proxy_t *p)
{
    fp_conn_t *next;
    for (fp_conn_t *c = p->conns; c != NULL; c = next) {
        next = fp_conn_next(c); /* c may close */
        fp_conn_toxics_changed(c);
    }
}

void fp_server_reset(fp_server_t *s)
{
    char err[256];
    for (int i = 0; i < s->n; i++) {
        fp_proxy_t *p = s->proxies[i];
        p->ntoxics = 0;
        p->enabled = true;
        (void)start(p, err, sizeof(err)); /* a port taken meanwhile leaves it disabled, as toxiproxy does */
        toxics_changed(p);
    }
}

int fp_proxy_update(fp_proxy_t *p, const fp_proxy_conf_t *c, char *err, size_t errlen)
{
    fp_proxy_t was = *p; /* the settings to go back to: only the scalars below are read from it */
    int rc = 0;
    bool moved = strcmp(p->listen, c->listen) != 0;
    if (strcmp(p->upstream, c->upstream) != 0 && (rc = set_upstream(p, c->upstream, err, errlen)) != 0)
        return rc;
    if (moved || !c->enabled)
        stop(p);
    if (moved)
        snprintf(p->listen, sizeof(p->listen), "%s", c->listen);
    p->enabled = c->enabled;
    p->protocol = c->protocol;
    rc = start(p, err, errlen);
    if (rc != 0) {
        /* An update that fails (the new address is taken) changes nothing but the connections a move has
         * closed: the old address, upstream and state come back, and so does the old listener. */
        char ignored[256];
        memcpy(p->listen, was.listen, sizeof(p->listen));
        memcpy(p->upstream, was.upstream, sizeof(p->upstream));
        p->up_addr = was.up_addr;
        p->up_len = was.up_len;
        p->enabled = was.enabled;
        p->protocol = was.protocol;
        (void)start(p, ignored, sizeof(ignored));
    }
    return rc;
}

fp_toxic_t *fp_proxy_toxic(fp_proxy_t *p, const char *name)
{
    for (int i = 0; i < p->ntoxics; i++)
        if (strcmp(p->toxics[i].name, name) == 0)
            return &p->toxics[i];
    return NULL;
}

int fp_proxy_add_toxic(fp_proxy_t *p, const fp_toxic_t *t)
{
    if (fp_proxy_toxic(p, t->name) != NULL)
        return FP_E_EXISTS;
    if (p->ntoxics == FP_MAX_TOXICS)
        return FP_E_LIMIT;
    fp_toxic_t *n = &p->toxics[p->ntoxics++];
    *n = *t;
    n->uid = p->next_uid++;
    n->added_ns = cm_now_ns();
    toxics_changed(p);
    return 0;
}

int fp_proxy_update_toxic(fp_proxy_t *p, const char *name, const fp_toxic_t *t)
{
    fp_toxic_t *old = fp_proxy_toxic(p, name);
    if (old == NULL)
        return FP_E_NOT_FOUND;
    uint32_t uid = old->uid;
    uint64_t added = old->added_ns;
    *old = *t;
    old->uid = uid;
    old->added_ns = added;
    toxics_changed(p);
    return 0;
}

int fp_proxy_remove_toxic(fp_proxy_t *p, const char *name)
{
    fp_toxic_t *t = fp_proxy_toxic(p, name);
    if (t == NULL)
        return FP_E_NOT_FOUND;
    size_t i = (size_t)(t - p->toxics);
    memmove(t, t + 1, (size_t)p->ntoxics - i - 1 ? ((size_t)p->ntoxics - i - 1) * sizeof(*t) : 0);
    p->ntoxics--;
    toxics_changed(p);
    return 0;
}

void fp_proxy_json(cm_jw_t *w, const fp_proxy_t *p)
{
    cm_jw_obj(w);
    cm_jw_key(w, "name"), cm_jw_str(w, p->name);
    cm_jw_key(w, "listen"), cm_jw_str(w, p->listen);
    cm_jw_key(w, "upstream"), cm_jw_str(w, p->upstream);
    cm_jw_key(w, "enabled"), cm_jw_bool(w, p->enabled);
    cm_jw_key(w, "protocol"), cm_jw_str(w, p->protocol == FP_PROTO_RESP ? "resp" : "tcp");
    cm_jw_key(w, "toxics");
    cm_jw_arr(w);
    for (int i = 0; i < p->ntoxics; i++)
        fp_toxic_json(w, &p->toxics[i]);
    cm_jw_arr_end(w);
    cm_jw_obj_end(w);
}
