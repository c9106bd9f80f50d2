#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "harness/engine/worker.h"

/* When requests go out and when the run ends, for one worker thread. Times are absolute CLOCK_MONOTONIC
 * nanoseconds computed from the plan (start + offset), never accumulated from timer firings, so timer
 * jitter cannot drift the schedule. */

void hx_worker_arm(hx_worker_t *w, struct event *ev, uint64_t at_ns)
{
    /* libevent measures a timeout from its cached loop time, which can be stale by the time a callback
     * runs; refreshing it first keeps timers from firing early. */
    event_base_update_cache_time(w->base);
    uint64_t now = cm_now_ns();
    uint64_t d = at_ns > now ? at_ns - now : 0;
    uint64_t us = (d + 999) / 1000; /* round up: firing a microsecond late is fine, early is not */
    struct timeval tv = {(time_t)(us / 1000000u), (suseconds_t)(us % 1000000u)};
    evtimer_add(ev, &tv);
}

/* ---- open loop -------------------------------------------------------------------------------------- */

/* The next arrival of group g, then the earliest of all groups (disabled groups have none). */
static void advance(hx_worker_t *w, uint32_t g)
{
    uint64_t off = w->cfg->groups[g].enabled ? hx_sched_next(&w->sched[g]) : HX_SCHED_END;
    w->gnext[g] = off == HX_SCHED_END ? HX_SCHED_END : hx_deadline_ns(w->start_ns, off);
    w->next_arrival = HX_SCHED_END;
    for (uint32_t i = 0; i < w->cfg->ngroups; i++) {
        if (w->gnext[i] < w->next_arrival) {
            w->next_arrival = w->gnext[i];
            w->next_group = i;
        }
    }
}

/* Arrivals sent per timer callback when the loop is behind. The rest follow at once, after the loop has
 * served the sockets that became ready meanwhile: answers coming back free connections for reuse, whereas
 * sending thousands of late arrivals in one go would open thousands of new connections, and libcurl's
 * search of a host's connections is linear, so every later request would pay for them. */
#define HX_ARRIVAL_BATCH 64

/* Sends up to budget arrivals due by now + early (each either goes out or is counted as dropped at the cap).
 * An arrival sent ahead of its plan is timed from when it really went out, so sending early never shortens
 * a measured latency; sending late keeps the plan's time, so the delay shows. */
static void launch_due(hx_worker_t *w, uint64_t now, uint64_t early, int budget)
{
    int sent = 0;
    /* Never early across an interval's start: an arrival planned in the next interval (the next phase,
     * perhaps) is not sent, and so cannot complete, in this one. */
    uint64_t limit = now + early;
    if (now < w->next_interval && limit >= w->next_interval)
        limit = w->next_interval - 1;
    /* When the loop fell behind, every due arrival goes out now with its own intended time, so the delay
     * shows in the latency instead of being hidden by a slower schedule. */
    while (w->next_arrival <= limit && w->next_arrival < w->end_ns && sent < budget) {
        uint64_t intended = w->next_arrival < now ? w->next_arrival : now;
        uint32_t g = w->next_group;
        hx_worker_launch(w, intended, NULL, now, g);
        sent++;
        advance(w, g);
        /* Each arrival of a batch leaves after the ones before it were prepared: that wait is the client's
         * and belongs in its pacer lag (and latency), so the next one reads the clock again. */
        if (w->next_arrival <= limit)
            now = cm_now_ns();
    }
    if (sent > 0)
        hx_worker_kick(w);
}

static void arm_arrival(hx_worker_t *w)
{
    if (w->next_arrival < w->end_ns && w->next_arrival != w->arrival_armed) {
        hx_worker_arm(w, w->arrival_ev, w->next_arrival);
        w->arrival_armed = w->next_arrival;
    }
}

static void on_arrival(evutil_socket_t fd, short events, void *arg)
{
    hx_worker_t *w = arg;
    w->arrival_armed = HX_SCHED_END;
    if (w->state != HX_W_RUNNING || w->ending)
        return;
    launch_due(w, cm_now_ns(), HX_ARRIVAL_EARLY_NS, HX_ARRIVAL_BATCH);
    arm_arrival(w);
}

/* Only arrivals not yet due go out from here. Due ones mean the loop is behind: they belong to the arrival
 * timer (already expired, so it runs in this same loop pass), whose batch limit lets answers in between;
 * sending them after every socket event would open a connection for each at once. */
void hx_worker_arrivals_due(hx_worker_t *w, uint64_t now)
{
    if (w->state != HX_W_RUNNING || w->ending || w->cfg->arrival.kind == HX_ARRIVAL_USERS || w->next_arrival <= now ||
        w->next_arrival > now + HX_ARRIVAL_EARLY_NS)
        return;
    launch_due(w, now, HX_ARRIVAL_EARLY_NS, HX_ARRIVAL_BATCH);
    arm_arrival(w);
}

/* ---- the end of the run -------------------------------------------------------------------------- */

static void finish(hx_worker_t *w)
{
    w->state = HX_W_DONE;
    event_base_loopbreak(w->base);
}

/* at_once: send every overdue arrival now (an abort); otherwise a batch per loop pass, as on_arrival does. */
static void begin_drain(hx_worker_t *w, bool at_once)
{
    if (w->state != HX_W_RUNNING)
        return;
    /* Arrivals planned before the end that a busy loop has not sent yet belong to the run: they go out
     * now (late) or are counted as dropped, never silently skipped. After a stop signal, only those
     * already due. An overloaded run may owe tens of thousands: they go out a batch at a time, with the
     * sockets served in between (this callback comes back at once), rather than holding the thread for
     * seconds and opening a connection for each. */
    if (w->cfg->arrival.kind != HX_ARRIVAL_USERS) {
        w->ending = true; /* no arrival timer or early send from here: only the overdue ones, below */
        evtimer_del(w->arrival_ev);
        uint64_t now = cm_now_ns();
        launch_due(w, now, 0, at_once ? INT32_MAX : HX_ARRIVAL_BATCH);
        if (w->next_arrival <= now && w->next_arrival < w->end_ns) {
            hx_worker_arm(w, w->end_ev, now);
            return;
        }
    }
    w->state = HX_W_DRAINING;
    evtimer_del(w->arrival_ev);
    for (uint32_t i = 0; i < w->nusers; i++)
        evtimer_del(w->users[i].ev);
    if (w->inflight == 0) {
        finish(w);
        return;
    }
    hx_worker_arm(w, w->drain_ev, hx_deadline_ns(cm_now_ns(), w->cfg->drain_ns));
}

/* ---- closed loop ------------------------------------------------------------------------------------ */

static void on_user(evutil_socket_t fd, short events, void *arg)
{
    hx_user_t *u = arg;
    hx_worker_t *w = u->w;
    if (w->state != HX_W_RUNNING)
        return;
    hx_worker_launch(w, u->intended, u, 0, 0);
    hx_worker_kick(w);
}

void hx_worker_on_done(hx_worker_t *w, hx_user_t *user, uint64_t now_ns, bool may_launch)
{
    if (w->state == HX_W_DRAINING && w->inflight == 0) {
        finish(w);
        return;
    }
    if (user == NULL || w->state != HX_W_RUNNING)
        return;
    /* The next request is intended for the end of the think time, measured from this outcome. */
    uint64_t think = hx_think_sample(&w->cfg->arrival.think, &w->rng);
    uint64_t at = hx_deadline_ns(now_ns, think);
    if (at >= w->end_ns)
        return;
    user->intended = at;
    if (think == 0 && may_launch) {
        /* The outcome was timed a moment ago: that reading serves as the next request's sent time. */
        hx_worker_launch(w, at, user, now_ns, 0);
        return;
    }
    hx_worker_arm(w, user->ev, at);
}

static void start_users(hx_worker_t *w)
{
    const hx_arrival_t *a = &w->cfg->arrival;
    w->nusers = hx_users_on_thread(a, w->index, w->nworkers);
    w->users = cm_xcalloc(w->nusers ? w->nusers : 1, sizeof(*w->users));
    for (uint32_t i = 0; i < w->nusers; i++) {
        hx_user_t *u = &w->users[i];
        u->w = w;
        u->ev = evtimer_new(w->base, on_user, u);
        /* A start offset past any schedule (a spawn rate near 0) is HX_SCHED_END: it saturates past the end
         * rather than wrapping to a time already due. */
        u->intended = hx_deadline_ns(w->start_ns, hx_user_start_ns(a, hx_user_global(i, w->index, w->nworkers)));
        if (u->ev != NULL && u->intended < w->end_ns)
            hx_worker_arm(w, u->ev, u->intended);
    }
}

/* ---- run boundaries --------------------------------------------------------------------------------- */

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * CM_NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* How busy this thread was since the last sample: read on its own clock, so that a saturated thread shows
 * even when the process as a whole (other threads idle, an embedded mock) looks far from its cores. */
static void sample_cpu(hx_worker_t *w, uint64_t now)
{
    uint64_t cpu = thread_cpu_ns();
    if (w->wall_mark != 0 && now > w->wall_mark)
        hx_stats_record_cpu(w->stats, cpu > w->cpu_mark ? cpu - w->cpu_mark : 0, now - w->wall_mark);
    w->cpu_mark = cpu;
    w->wall_mark = now;
}

static void on_interval(evutil_socket_t fd, short events, void *arg)
{
    hx_worker_close_interval(arg, cm_now_ns());
}

void hx_worker_close_interval(hx_worker_t *w, uint64_t now)
{
    uint64_t peak = w->stats->inflight_max;
    sample_cpu(w, now);
    hx_collector_submit_all(w->collector, w->stats, w->gstats, w->wstats, now);
    hx_worker_trim_idle(w, peak);
    /* The new interval starts with what is already in flight. */
    w->stats->inflight_max = w->inflight;
    while (w->next_interval <= now)
        w->next_interval += w->cfg->interval_ns;
    hx_worker_arm(w, w->interval_ev, w->next_interval);
}

static void on_end(evutil_socket_t fd, short events, void *arg)
{
    begin_drain(arg, false);
}

static void on_drain_timeout(evutil_socket_t fd, short events, void *arg)
{
    hx_worker_t *w = arg;
    hx_worker_abort_all(w);
    finish(w);
}

static void on_wake(evutil_socket_t fd, short events, void *arg)
{
    hx_worker_t *w = arg;
    uint64_t v;
    if (read(w->wake_fd, &v, sizeof(v)) < 0) {
        /* EAGAIN: a spurious wakeup; the stop level below is what matters. */
    }
    int level = atomic_load(&w->stop_req);
    if (level >= 2) {
        begin_drain(w, true);
        hx_worker_abort_all(w);
        finish(w);
    } else if (level == 1) {
        begin_drain(w, false);
    }
}

static int create_events(hx_worker_t *w)
{
    w->arrival_ev = evtimer_new(w->base, on_arrival, w);
    w->interval_ev = evtimer_new(w->base, on_interval, w);
    w->end_ev = evtimer_new(w->base, on_end, w);
    w->drain_ev = evtimer_new(w->base, on_drain_timeout, w);
    w->wake_ev = event_new(w->base, w->wake_fd, EV_READ | EV_PERSIST, on_wake, w);
    if (!w->arrival_ev || !w->interval_ev || !w->end_ev || !w->drain_ev || !w->wake_ev)
        return -1;
    return event_add(w->wake_ev, NULL);
}

static void free_events(hx_worker_t *w)
{
    struct event *evs[] = {w->arrival_ev, w->interval_ev, w->end_ev, w->drain_ev, w->wake_ev};
    for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
        if (evs[i] != NULL)
            event_free(evs[i]);
    for (uint32_t i = 0; i < w->nusers; i++)
        if (w->users[i].ev != NULL)
            event_free(w->users[i].ev);
    free(w->users);
    w->users = NULL;
    w->nusers = 0;
    w->arrival_ev = w->interval_ev = w->end_ev = w->drain_ev = w->wake_ev = NULL;
}

static void run_loop(hx_worker_t *w)
{
    hx_worker_arm(w, w->interval_ev, w->next_interval);
    hx_worker_arm(w, w->end_ev, w->end_ns);
    if (w->cfg->arrival.kind == HX_ARRIVAL_USERS) {
        start_users(w);
    } else {
        for (uint32_t g = 0; g < w->cfg->ngroups; g++)
            advance(w, g);
        w->arrival_armed = HX_SCHED_END;
        arm_arrival(w);
    }
    /* A stop requested before the loop started would otherwise wait for the next write to wake_fd. */
    if (atomic_load(&w->stop_req) != 0)
        on_wake(w->wake_fd, EV_READ, w);
    if (w->state != HX_W_DONE)
        event_base_dispatch(w->base);
}

void *hx_worker_main(void *arg)
{
    hx_worker_t *w = arg;
    sample_cpu(w, cm_now_ns());
    if (create_events(w) == 0) {
        run_loop(w);
    } else {
        hx_first_err_t *f = &w->first[HX_ERR_OTHER];
        f->set = true;
        snprintf(f->msg, sizeof(f->msg), "thread %u could not create its timers", w->index);
    }
    hx_worker_abort_all(w);
    /* An empty remainder (the run ended on an interval boundary) would only add an empty line. */
    const hx_stats_t *s = w->stats, *ws = w->wstats;
    uint64_t now = cm_now_ns();
    sample_cpu(w, now);
    if (s->all.total || s->aborted || s->sent || s->dropped || s->itl.count ||
        (ws != NULL && (ws->all.total || ws->aborted || ws->sent || ws->dropped)))
        hx_collector_submit_all(w->collector, w->stats, w->gstats, w->wstats, now);
    free_events(w);
    atomic_store(&w->running, false);
    return NULL;
}
