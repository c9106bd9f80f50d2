/* harness/engine/worker.c — one engine thread's transfers: launching a request (or counting it dropped at the
 * in-flight cap), collecting finished ones into the stats, retrying elsewhere under the harness router,
 * retiring connections by max_requests or max_age, the abort at the end, and the thread's setup and teardown.
 * The libcurl <-> libevent glue is worker_curl.c. */
#include "harness/engine/worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/clock.h"

/* ---- transfers -------------------------------------------------------------------------------------- */

static void publish_inflight(hx_worker_t *w)
{
    atomic_store_explicit(&w->inflight_pub, w->inflight, memory_order_relaxed);
}

static void note_first(hx_worker_t *w, hx_err_t err, uint64_t now, const char *msg)
{
    hx_first_err_t *f = &w->first[err];
    if (f->set || err == HX_ERR_NONE)
        return;
    f->set = true;
    f->at_ns = now > w->start_ns ? now - w->start_ns : 0;
    snprintf(f->msg, sizeof(f->msg), "%s", msg);
}

static void release(hx_worker_t *w, hx_xfer_t *x)
{
    x->active = false;
    x->user = NULL;
    x->next_free = w->free_list;
    w->free_list = x;
    w->inflight--;
    publish_inflight(w);
}

static CURLU *target_of(const hx_worker_t *w, uint32_t route, uint32_t req, uint16_t model)
{
    return w->targets[((size_t)route * w->wl->nreqs + req) * hx_workload_model_slots(w->wl) + model];
}

/* A 429 from one of several targets: cool it down and, when retries are left and another target is ready,
 * send the same request there (same intended and first send time: its latency is what a gateway's caller
 * sees). Returns true when the transfer went out again (r is then counted as a retried attempt only). */
static bool retry_elsewhere(hx_worker_t *w, hx_xfer_t *x, const hx_result_t *r, uint64_t now)
{
    hx_router_t *rt = w->router;
    if (rt->ntargets < 2 || r->status != 429 || r->err != HX_ERR_HTTP_429) /* not when api: http expects 429 */
        return false;
    hx_router_cool(rt, x->route, now, x->hdr.retry_after_ms);
    if (x->attempt >= rt->cfg->retries || !hx_router_has_other(rt, now, x->route) || w->state != HX_W_RUNNING)
        return false;
    uint64_t intended = x->intended, sent = x->sent;
    /* r names its deployment inside x's response headers, which the next prepare resets. */
    char dep[HX_DEPLOYMENT_MAX];
    hx_result_t attempt = *r;
    if (r->deployment != NULL) {
        memcpy(dep, r->deployment, r->deployment_len + 1);
        attempt.deployment = dep;
    }
    uint32_t route = hx_router_pick(rt, now, x->route, &w->route_cursor, &w->rng);
    char why[200];
    if (hx_xfer_prepare(x, w->wl, x->req, x->model, target_of(w, route, x->req, x->model), w->headers[x->req], &w->rng,
                        x->seq, why, sizeof(why)) != 0)
        return false;
    x->route = route;
    x->attempt++;
    x->intended = intended;
    x->sent = sent;
    if (curl_multi_add_handle(w->multi, x->easy) != CURLM_OK)
        return false; /* counted as the 429 it was */
    if (x->warmup) {
        hx_stats_record_retry(w->wstats, &attempt);
        return true;
    }
    hx_stats_record_retry(w->stats, &attempt);
    if (w->gstats != NULL)
        hx_stats_record_retry(&w->gstats[x->group], &attempt);
    return true;
}

/* A finished request counts in the run's stats and in its group's, in the interval in which it completed
 * (now): when the interval timer has not fired yet for a boundary already passed (a busy loop), the interval
 * is closed here first, so that a request never lands in an interval (or phase) that ended before it did. A
 * warm-up request counts only in the warm-up's stats, which the collector keeps out of every result. */
static void record(hx_worker_t *w, bool warm, uint32_t group, const hx_result_t *r, uint64_t now)
{
    if (now >= w->next_interval && w->state != HX_W_DONE)
        hx_worker_close_interval(w, now);
    if (warm) {
        hx_stats_record(w->wstats, r);
        return;
    }
    hx_stats_record(w->stats, r);
    if (w->gstats != NULL)
        hx_stats_record(&w->gstats[group], r);
}

/* max_requests and max_age: libcurl has no per-connection request limit, and its lifetime limit counts
 * whole seconds and only applies once a connection is strictly older than that. So after the request that
 * reaches either limit the harness shuts the now idle connection down itself: libcurl checks a pooled
 * connection before reusing it, sees it closed and opens a new one, and the server sees a clean FIN. */
static void retire_if_due(hx_worker_t *w, const hx_xfer_t *x, CURLcode code, uint64_t now)
{
    const hx_conn_policy_t *p = x->pool >= 0 ? &w->cfg->groups[x->pool].conn : &w->cfg->conn;
    uint32_t max_req = p->max_requests;
    uint64_t max_age = p->max_age_ns;
    if ((max_req == 0 && max_age == 0) || code != CURLE_OK || x->fd < 0 || (size_t)x->fd >= w->nconns)
        return;
    hx_conn_t *c = &w->conns[x->fd];
    if (!c->open)
        return;
    c->requests++;
    if ((max_req != 0 && c->requests >= max_req) || (max_age != 0 && now - c->opened_ns >= max_age)) {
        shutdown(x->fd, SHUT_RDWR);
        c->open = false;
    }
}

static void finish_xfer(hx_worker_t *w, hx_xfer_t *x, CURLcode code)
{
    uint64_t now = cm_now_ns();
    hx_result_t r;
    char msg[sizeof(w->first[0].msg)];
    hx_xfer_finish(x, code, now, &w->toks, &r);
    curl_multi_remove_handle(w->multi, x->easy);
    retire_if_due(w, x, code, now);
    if (retry_elsewhere(w, x, &r, now))
        return;
    r.good = hx_slo_met(w->cfg->slos, w->cfg->nslos, &r);
    record(w, x->warmup, x->group, &r, now);
    if (r.err != HX_ERR_NONE && !w->first[r.err].set) {
        hx_xfer_describe(x, code, &r, msg, sizeof(msg));
        note_first(w, r.err, now, msg);
    }
    hx_user_t *user = x->user;
    release(w, x);
    hx_worker_on_done(w, user, now, true);
}

/* Users without think time send their next request from here (hx_worker_on_done); libcurl's zero timeout
 * for a new transfer then sends all of them in one pass after the loop has served every ready socket. */
void hx_worker_collect_done(hx_worker_t *w)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(w->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        /* Copied before the handle is removed: the message does not survive curl_multi_remove_handle. */
        CURL *e = m->easy_handle;
        CURLcode code = m->data.result;
        hx_xfer_t *x = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x);
        if (x != NULL)
            finish_xfer(w, x, code);
    }
}

static hx_xfer_t *get_xfer(hx_worker_t *w, char *err, size_t errlen)
{
    hx_xfer_t *x = w->free_list;
    if (x != NULL) {
        w->free_list = x->next_free;
        return x;
    }
    x = hx_xfer_new(&w->xopts, w->stats, err, errlen);
    if (x == NULL)
        return NULL;
    w->xfers = cm_xrealloc(w->xfers, (w->nxfers + 1) * sizeof(*w->xfers));
    w->xfers[w->nxfers++] = x;
    return x;
}

/* A request that could not even be handed to libcurl still has an outcome: it is counted (client_setup)
 * rather than vanishing from the totals, and the first one's reason is reported. */
static void launch_failed(hx_worker_t *w, uint64_t intended, hx_user_t *user, uint32_t group, bool warm,
                          const char *why)
{
    uint64_t now = cm_now_ns();
    hx_result_t r;
    hx_xfer_setup_failed(intended, now, &r);
    record(w, warm, group, &r, now);
    note_first(w, HX_ERR_CLIENT_SETUP, now, why);
    hx_worker_on_done(w, user, now, false);
}

/* Whether the request about to be sent (or dropped) is one of this thread's share of the warm-up count. */
static bool take_warm(hx_worker_t *w)
{
    if (w->warm_left == 0)
        return false;
    if (--w->warm_left == 0) {
        uint64_t now = cm_now_ns();
        w->warm_end = now > w->start_ns ? now - w->start_ns : 1;
    }
    return true;
}

void hx_worker_launch(hx_worker_t *w, uint64_t intended, hx_user_t *user, uint64_t now_ns, uint32_t group)
{
    char why[200];
    bool warm = take_warm(w);
    if (w->inflight >= w->cap) {
        /* Users never exceed the cap (hx_cfg_finish checks), but a dropped user must think and try again
         * rather than vanish from the run. */
        if (warm) {
            hx_stats_record_dropped(w->wstats);
        } else {
            hx_stats_record_dropped(w->stats);
            if (w->gstats != NULL)
                hx_stats_record_dropped(&w->gstats[group]);
        }
        if (!w->first[HX_ERR_DROPPED].set) {
            snprintf(why, sizeof(why), "%u requests already in flight on thread %u (its share of max_inflight %u)",
                     w->inflight, w->index, w->cfg->max_inflight);
            note_first(w, HX_ERR_DROPPED, cm_now_ns(), why);
        }
        if (user != NULL)
            hx_worker_on_done(w, user, cm_now_ns(), false);
        return;
    }
    hx_xfer_t *x = get_xfer(w, why, sizeof(why));
    if (x == NULL) {
        launch_failed(w, intended, user, group, warm, why);
        return;
    }
    const hx_group_t *g = &w->cfg->groups[group];
    uint32_t req = hx_workload_pick_range(w->wl, g->first_req, g->nreqs, &w->rng);
    uint16_t model = hx_workload_model(w->wl, req, &w->cursor[req]);
    uint64_t seq = w->seq++ * w->nworkers + w->index;
    x->route = hx_router_pick(w->router, now_ns != 0 ? now_ns : cm_now_ns(), UINT32_MAX, &w->route_cursor, &w->rng);
    x->attempt = 0;
    x->seq = seq;
    x->group = group;
    x->warmup = warm;
    x->stats = warm ? w->wstats : w->stats;
    x->gstats = w->gstats != NULL && !warm ? &w->gstats[group] : NULL;
    int pool = g->own_pool ? (int)group : -1;
    if (x->pool != pool &&
        hx_xfer_set_pool(x, pool, pool >= 0 ? w->shares[group] : NULL, pool >= 0 ? &g->conn : &w->cfg->conn) != 0) {
        snprintf(why, sizeof(why), "libcurl refused the connection pool of group %s", g->name);
        x->next_free = w->free_list;
        w->free_list = x;
        launch_failed(w, intended, user, group, warm, why);
        return;
    }
    if (hx_xfer_prepare(x, w->wl, req, model, target_of(w, x->route, req, model), w->headers[req], &w->rng, seq, why,
                        sizeof(why)) != 0) {
        x->next_free = w->free_list; /* never in flight: back to the free list as it is */
        w->free_list = x;
        launch_failed(w, intended, user, group, warm, why);
        return;
    }
    x->intended = intended;
    x->user = user;
    x->active = true;
    x->sent = now_ns != 0 ? now_ns : cm_now_ns();
    w->inflight++;
    CURLMcode mc = curl_multi_add_handle(w->multi, x->easy);
    if (mc != CURLM_OK) {
        snprintf(why, sizeof(why), "curl_multi_add_handle: %s", curl_multi_strerror(mc));
        release(w, x);
        launch_failed(w, intended, user, group, warm, why);
        return;
    }
    hx_stats_record_sent(x->stats, intended, x->sent);
    if (w->inflight > w->stats->inflight_max)
        w->stats->inflight_max = w->inflight;
    if (x->gstats != NULL)
        hx_stats_record_sent(x->gstats, intended, x->sent);
    /* A burst past the pool's limit keeps its connections: the next boundary sizes the pool with it. */
    if (w->inflight > w->pool_limit)
        hx_worker_limit_pool(w, w->cap);
    publish_inflight(w);
}

void hx_worker_abort_all(hx_worker_t *w)
{
    uint64_t now = cm_now_ns();
    for (uint32_t i = 0; i < w->nxfers; i++) {
        hx_xfer_t *x = w->xfers[i];
        if (!x->active)
            continue;
        hx_result_t r;
        hx_xfer_aborted(x, now, &r);
        curl_multi_remove_handle(w->multi, x->easy);
        record(w, x->warmup, x->group, &r, now);
        note_first(w, HX_ERR_CLIENT_CLOSED, now, "still in flight when the run stopped and the drain ran out");
        release(w, x);
    }
}

/* ---- setup and teardown ----------------------------------------------------------------------------- */

static int build_headers(hx_worker_t *w, char *err, size_t errlen)
{
    w->headers = cm_xcalloc(w->wl->nreqs, sizeof(*w->headers));
    for (size_t i = 0; i < w->wl->nreqs; i++) {
        const hx_reqtpl_t *rq = &w->wl->reqs[i];
        struct curl_slist *l = NULL, *t;
        /* "Expect:" turns off libcurl's 100-continue round trip, which 7.88 makes for bodies over 1 MiB
         * (EXPECT_100_THRESHOLD in its lib/http.h; before 7.69, over 1 KiB): a large template body
         * would otherwise wait for the server's 100 before it is sent. */
        for (size_t h = 0; h <= rq->nheaders; h++) {
            t = curl_slist_append(l, h < rq->nheaders ? rq->headers[h] : "Expect:");
            if (t == NULL) {
                curl_slist_free_all(l);
                snprintf(err, errlen, "out of memory building request headers");
                return -1;
            }
            l = t;
        }
        w->headers[i] = l;
    }
    return 0;
}

static int build_targets(hx_worker_t *w, char *err, size_t errlen)
{
    w->ntargets = (size_t)w->router->ntargets * w->wl->nreqs * hx_workload_model_slots(w->wl);
    w->targets = cm_xcalloc(w->ntargets, sizeof(*w->targets));
    for (size_t i = 0; i < w->ntargets; i++) {
        if (w->urls[i] == NULL)
            continue; /* a model the template does not use */
        w->targets[i] = curl_url();
        if (w->targets[i] == NULL) {
            snprintf(err, errlen, "out of memory parsing the target URL");
            return -1;
        }
        CURLUcode uc = curl_url_set(w->targets[i], CURLUPART_URL, w->urls[i], 0);
        if (uc != CURLUE_OK) {
            snprintf(err, errlen, "cannot use URL \"%s\": %s", w->urls[i], curl_url_strerror(uc));
            return -1;
        }
    }
    return 0;
}

int hx_worker_init(hx_worker_t *w, const hx_cfg_t *cfg, hx_collector_t *c, char *const *urls, hx_router_t *router,
                   uint32_t index, uint32_t nworkers, char *err, size_t errlen)
{
    memset(w, 0, sizeof(*w));
    w->cfg = cfg;
    w->wl = &cfg->workload;
    w->collector = c;
    w->urls = urls;
    w->router = router;
    w->route_cursor = index; /* threads start their round robin at different targets */
    w->index = index;
    w->nworkers = nworkers;
    w->cap = cfg->max_inflight / nworkers + (index < cfg->max_inflight % nworkers ? 1u : 0u);
    w->wake_fd = -1;
    w->stats = cm_xcalloc(1, sizeof(*w->stats));
    hx_stats_init(w->stats);
    /* The warm-up count is shared like the in-flight cap: with open-loop arrivals dealt round robin, the
     * threads' first shares are exactly the run's first warmup_requests arrivals. */
    w->warm_left = cfg->warmup_requests / nworkers + (index < cfg->warmup_requests % nworkers ? 1u : 0u);
    if (cfg->warmup_requests > 0) {
        w->wstats = cm_xcalloc(1, sizeof(*w->wstats));
        hx_stats_init(w->wstats);
    }
    if (cfg->groups_set) {
        w->gstats = cm_xcalloc(cfg->ngroups, sizeof(*w->gstats));
        for (size_t g = 0; g < cfg->ngroups; g++)
            hx_stats_init(&w->gstats[g]);
    }
    uint64_t mix[3] = {cfg->seed, index, 0x776f726bu};
    cm_rng_seed(&w->rng, cm_hash64(mix, sizeof(mix), 1));
    /* each group its own share of its own arrival (the run's arrival when there are no groups); Poisson
     * streams seeded apart */
    for (size_t g = 0; cfg->arrival.kind != HX_ARRIVAL_USERS && g < cfg->ngroups; g++)
        hx_sched_init(&w->sched[g], &cfg->groups[g].arrival, index, nworkers, cfg->seed + 0x9e3779b97f4a7c15ull * g);
    if (hx_worker_setup_curl(w, err, errlen) != 0 || build_headers(w, err, errlen) != 0 ||
        build_targets(w, err, errlen) != 0)
        return -1;
    return 0;
}

void hx_worker_free(hx_worker_t *w)
{
    /* The multi handle goes first: closing its pooled connections calls back into the socket and close
     * callbacks, which still need the socket slots and the loop. */
    if (w->multi != NULL)
        curl_multi_cleanup(w->multi);
    for (uint32_t i = 0; i < w->nxfers; i++)
        hx_xfer_free(w->xfers[i]);
    free(w->xfers);
    /* Then the groups' own pools, once no handle uses them; their connections close through the callbacks. */
    for (size_t g = 0; g < HX_MAX_GROUPS; g++) {
        if (w->shares[g] != NULL)
            curl_share_cleanup(w->shares[g]);
    }
    for (size_t i = 0; i < w->nsocks; i++) {
        if (w->socks[i] != NULL && w->socks[i]->added)
            event_del(&w->socks[i]->ev);
        free(w->socks[i]);
    }
    free(w->socks);
    free(w->conns);
    for (size_t i = 0; w->headers != NULL && i < w->wl->nreqs; i++)
        curl_slist_free_all(w->headers[i]);
    free(w->headers);
    for (size_t i = 0; w->targets != NULL && i < w->ntargets; i++)
        if (w->targets[i] != NULL)
            curl_url_cleanup(w->targets[i]);
    free(w->targets);
    if (w->curl_timer != NULL)
        event_free(w->curl_timer);
    if (w->base != NULL)
        event_base_free(w->base);
    if (w->wake_fd >= 0)
        close(w->wake_fd);
    cm_json_toks_free(&w->toks);
    free(w->stats);
    free(w->gstats);
    free(w->wstats);
    memset(w, 0, sizeof(*w));
}
