#include "mock-provider/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "mock-provider/providers/content.h"
#include "mock-provider/quota/quota.h"

/* A request waiting for a concurrency slot. Allocated apart from the request, because a slot may be handed
 * to it by another thread at the moment its client goes away: the message then still arrives, finds run
 * NULL and passes the slot on (so it holds a reference to the snapshot whose engine q is). */
typedef struct mp_limits_wait {
    mp_quota_waiter_t w; /* owner: the run's worker; cookie: this */
    h2o_multithread_message_t msg;
    mp_run_t *run; /* NULL once the request is gone */
    mp_quota_t *q;
    mp_snap_t *snap; /* keeps q alive until the message is handled, even when the admin API replaced it and
                        the request is gone */
} mp_limits_wait_t;

/* What an admission charges (limits.h). */
static uint64_t charge(const mp_deployment_t *dep, const mp_request_t *r)
{
    uint64_t out = 0;
    if (mp_api_timing(r->api) == MP_TIMING_TOKENS) {
        if (dep->limits.charge == MP_QUOTA_CHARGE_ESTIMATE) {
            double mean = cm_dist_mean(&dep->output_tokens);
            out = mean > 0 ? (uint64_t)mean : 0;
            if (r->max_tokens >= 0 && (uint64_t)r->max_tokens < out)
                out = (uint64_t)r->max_tokens;
        } else {
            out = r->max_tokens >= 0 ? (uint64_t)r->max_tokens : mp_output_tokens_cap(&dep->output_tokens);
        }
        out *= r->n > 1 ? r->n : 1;
    }
    return (uint64_t)r->prompt_tokens + out;
}

static void add_header(void *ctx, const char *name, const char *value, size_t len)
{
    h2o_req_t *req = ctx;
    /* h2o keeps the name's pointer (a literal, per mp_header_fn) and the value's (copied into the pool). */
    h2o_iovec_t v = h2o_strdup(&req->pool, value, len);
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 0, NULL, v.base, v.len);
}

static void rate_headers(mp_run_t *run, const mp_quota_decision_t *d, bool refused)
{
    const mp_deployment_t *dep = run->dep;
    if (dep->ops->rate_headers != NULL)
        dep->ops->rate_headers(dep, d, refused, add_header, run->req);
}

static mp_limits_verdict_t refuse_rate(mp_run_t *run, const mp_quota_decision_t *d, mp_error_t *err)
{
    const mp_deployment_t *dep = run->dep;
    rate_headers(run, d, true);
    if (dep->ops->rate_error != NULL)
        dep->ops->rate_error(dep, &run->r, d, err);
    else
        mp_error_preset(dep->ops, err, MP_ERR_RATE_LIMITED, NULL);
    return MP_LIMITS_REFUSED;
}

/* Full with a full queue: the provider's overloaded answer, with a retry hint of a second. */
static mp_limits_verdict_t refuse_busy(mp_run_t *run, mp_error_t *err)
{
    const mp_deployment_t *dep = run->dep;
    mp_quota_decision_t d;
    memset(&d, 0, sizeof(d));
    d.hit = MP_QUOTA_LIMIT_CONCURRENCY;
    d.retry_ns = 1000000000ull;
    if (run->ticket.counters != NULL)
        mp_quota_refund(dep->quota, &run->ticket);
    rate_headers(run, &d, true);
    mp_error_preset(dep->ops, err, MP_ERR_UNAVAILABLE, NULL);
    return MP_LIMITS_REFUSED;
}

mp_limits_verdict_t mp_limits_admit(mp_run_t *run, mp_error_t *err)
{
    const mp_deployment_t *dep = run->dep;
    mp_quota_t *q = dep->quota;
    if (q == NULL || mp_api_timing((mp_api_t)run->api) == MP_TIMING_AT_ONCE)
        return MP_LIMITS_GO;
    const mp_quota_config_t *cfg = &dep->limits;
    if (cfg->rpm != 0 || cfg->tpm != 0) {
        mp_quota_decision_t d;
        if (!mp_quota_admit(q, run->key.p, run->key.n, charge(dep, &run->r), cm_now_ns(), &run->ticket, &d))
            return refuse_rate(run, &d, err);
        rate_headers(run, &d, false);
    }
    if (cfg->concurrency == 0)
        return MP_LIMITS_GO;
    mp_limits_wait_t *wait = cm_xcalloc(1, sizeof(*wait));
    wait->w.owner = run->wd->worker;
    wait->w.cookie = wait;
    wait->q = q;
    uint32_t position;
    switch (mp_quota_acquire(q, &wait->w, &position)) {
    case MP_QUOTA_SLOT_RUN:
        free(wait);
        run->slot = true;
        return MP_LIMITS_GO;
    case MP_QUOTA_SLOT_QUEUED:
        wait->run = run;
        wait->snap = mp_snap_ref(run->snap);
        run->wait = wait;
        return MP_LIMITS_QUEUED;
    default:
        free(wait);
        return refuse_busy(run, err);
    }
}

void mp_limits_settle(mp_run_t *run)
{
    if (run->ticket.counters != NULL)
        mp_quota_settle(run->dep->quota, &run->ticket,
                        (uint64_t)run->r.prompt_tokens + (run->begun ? run->x.completion_tokens : 0));
}

/* Hands q's freed slot to the oldest waiter, on its own worker's loop. */
static void pass_slot(mp_quota_t *q)
{
    mp_quota_waiter_t *next = mp_quota_release(q);
    if (next == NULL)
        return;
    mp_limits_wait_t *wait = next->cookie;
    mp_worker_t *owner = next->owner;
    h2o_multithread_send_message(&owner->limits_rx, &wait->msg);
}

void mp_limits_done(mp_run_t *run)
{
    mp_quota_t *q = run->dep->quota;
    if (q == NULL)
        return;
    mp_limits_settle(run);
    if (run->slot) {
        run->slot = false;
        pass_slot(q);
    }
    mp_limits_wait_t *wait = run->wait;
    if (wait != NULL) {
        run->wait = NULL;
        if (mp_quota_cancel(q, &wait->w)) {
            mp_snap_release(wait->snap);
            free(wait);
        } else
            wait->run = NULL; /* a slot is on its way to this worker: the message passes it on */
    }
}

static void on_granted(h2o_multithread_receiver_t *rx, h2o_linklist_t *messages)
{
    mp_worker_t *w = H2O_STRUCT_FROM_MEMBER(mp_worker_t, limits_rx, rx);
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *m = H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        h2o_linklist_unlink(&m->link);
        mp_limits_wait_t *wait = H2O_STRUCT_FROM_MEMBER(mp_limits_wait_t, msg, m);
        mp_run_t *run = wait->run;
        mp_quota_t *q = wait->q;
        mp_snap_t *snap = wait->snap;
        free(wait);
        if (run == NULL) {
            pass_slot(q);
            mp_snap_release(snap); /* the last reference frees an engine replaced meanwhile */
            continue;
        }
        mp_snap_release(snap); /* the run holds its own */
        run->wait = NULL;
        run->slot = true;
        uint64_t now = cm_now_ns();
        run->queued_ns = now > run->arrival ? now - run->arrival : 0;
        w->continue_run(run);
    }
}

void mp_limits_worker_init(mp_worker_t *w, void (*continue_run)(mp_run_t *run))
{
    w->continue_run = continue_run;
    h2o_multithread_register_receiver(w->ctx.queue, &w->limits_rx, on_granted);
}

int mp_limits_create(mp_config_t *cfg, uint64_t start_ns, char *err, size_t errlen)
{
    for (size_t i = 0; i < cfg->ndeps; i++) {
        mp_deployment_t *d = &cfg->deps[i];
        char why[200];
        if (!d->limited || d->quota != NULL)
            continue;
        if (mp_quota_create(&d->limits, start_ns, &d->quota, why, sizeof(why)) != 0) {
            snprintf(err, errlen, "deployment \"%s\": limits: %s", d->name, why);
            mp_limits_free(cfg);
            return -1;
        }
    }
    return 0;
}

void mp_limits_free(mp_config_t *cfg)
{
    for (size_t i = 0; i < cfg->ndeps; i++) {
        if (cfg->deps[i].quota != NULL)
            mp_quota_destroy(cfg->deps[i].quota);
        cfg->deps[i].quota = NULL;
    }
}
