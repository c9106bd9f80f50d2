#include "mock-provider/timer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/clock.h"

/* ---- the heap ----------------------------------------------------------------------------------------- */

static bool before(const mp_timerq_entry_t *a, const mp_timerq_entry_t *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void place(mp_timerq_t *q, size_t i, const mp_timerq_entry_t *e)
{
    q->heap[i] = *e;
    e->timer->slot = i;
}

static void sift_up(mp_timerq_t *q, size_t i)
{
    mp_timerq_entry_t e = q->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&e, &q->heap[parent]))
            break;
        place(q, i, &q->heap[parent]);
        i = parent;
    }
    place(q, i, &e);
}

static void sift_down(mp_timerq_t *q, size_t i)
{
    mp_timerq_entry_t e = q->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= q->n)
            break;
        if (child + 1 < q->n && before(&q->heap[child + 1], &q->heap[child]))
            child++;
        if (!before(&q->heap[child], &e))
            break;
        place(q, i, &q->heap[child]);
        i = child;
    }
    place(q, i, &e);
}

void mp_timerq_init(mp_timerq_t *q)
{
    memset(q, 0, sizeof(*q));
}

void mp_timerq_dispose(mp_timerq_t *q)
{
    for (size_t i = 0; i < q->n; i++)
        q->heap[i].timer->slot = MP_TIMER_IDLE;
    free(q->heap);
    memset(q, 0, sizeof(*q));
}

/* Removing from the middle moves the last entry into the hole; it may belong above or below that
 * position, so both directions are tried (at most one of them moves it). */
void mp_timerq_cancel(mp_timerq_t *q, mp_timer_t *t)
{
    if (t->slot == MP_TIMER_IDLE)
        return;
    size_t i = t->slot;
    t->slot = MP_TIMER_IDLE;
    if (i == --q->n)
        return;
    place(q, i, &q->heap[q->n]);
    mp_timer_t *moved = q->heap[i].timer;
    sift_up(q, i);
    sift_down(q, moved->slot);
}

void mp_timerq_add(mp_timerq_t *q, mp_timer_t *t, uint64_t deadline)
{
    mp_timerq_add_window(q, t, deadline, deadline);
}

void mp_timerq_add_window(mp_timerq_t *q, mp_timer_t *t, uint64_t early, uint64_t deadline)
{
    mp_timerq_cancel(q, t);
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : MP_TIMERQ_MIN_CAP;
        q->heap = cm_xrealloc(q->heap, q->cap * sizeof(*q->heap));
    }
    t->deadline = deadline;
    t->early = early < deadline ? early : deadline;
    t->seq = q->seq++;
    mp_timerq_entry_t e = {deadline, t->seq, t->early, t};
    place(q, q->n++, &e);
    sift_up(q, t->slot);
}

void mp_timerq_shrink(mp_timerq_t *q)
{
    size_t want = MP_TIMERQ_MIN_CAP;
    while (want < 2 * q->n)
        want *= 2;
    if (q->cap <= want)
        return;
    q->heap = cm_xrealloc(q->heap, want * sizeof(*q->heap));
    q->cap = want;
}

uint64_t mp_timerq_next(const mp_timerq_t *q)
{
    return q->n ? q->heap[0].deadline : UINT64_MAX;
}

size_t mp_timerq_run(mp_timerq_t *q, uint64_t now)
{
    size_t fired = 0;
    while (q->n > 0 && q->heap[0].early <= now) {
        mp_timer_t *t = q->heap[0].timer;
        mp_timerq_cancel(q, t);
        t->cb(t);
        fired++;
    }
    return fired;
}

/* ---- the timerfd driver ------------------------------------------------------------------------------- */

/* A zero it_value disarms a timerfd, so "no deadline" is expressed that way; a real deadline is never 0
 * because CLOCK_MONOTONIC starts well above zero by the time a server runs. */
static void program(mp_timers_t *t, uint64_t deadline)
{
    struct itimerspec its;
    memset(&its, 0, sizeof(its));
    if (deadline != UINT64_MAX) {
        its.it_value.tv_sec = (time_t)(deadline / CM_NS_PER_S);
        its.it_value.tv_nsec = (long)(deadline % CM_NS_PER_S);
        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
            its.it_value.tv_nsec = 1;
    }
    /* timerfd_settime only fails on invalid arguments, which the code above rules out. */
    (void)timerfd_settime(t->fd, TFD_TIMER_ABSTIME, &its, NULL);
    t->armed = deadline;
}

static void rearm(mp_timers_t *t)
{
    uint64_t next = mp_timerq_next(&t->q);
    if (next != t->armed)
        program(t, next);
}

/* The fd is registered with H2O_SOCKET_FLAG_DONT_READ, so h2o only tells us it is readable; reading the
 * expiration count ourselves clears the readiness (EAGAIN after a spurious wake is harmless). */
static void on_timerfd(h2o_socket_t *sock, const char *err)
{
    mp_timers_t *t = sock->data;
    uint64_t expirations;
    ssize_t r = read(t->fd, &expirations, sizeof(expirations));
    (void)r;
    /* The fd may have been programmed for a deadline that a cancellation removed; forget it so that
     * rearm() reprograms whatever is due next. */
    t->armed = UINT64_MAX;
    t->firing = true;
    mp_timerq_run(&t->q, cm_now_ns());
    t->firing = false;
    rearm(t);
}

int mp_timers_init(mp_timers_t *t, h2o_evloop_t *loop, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    mp_timerq_init(&t->q);
    t->armed = UINT64_MAX;
    t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (t->fd < 0) {
        snprintf(err, errlen, "timerfd_create: %s", strerror(errno));
        return -1;
    }
    t->sock = h2o_evloop_socket_create(loop, t->fd, H2O_SOCKET_FLAG_DONT_READ);
    t->sock->data = t;
    h2o_socket_read_start(t->sock, on_timerfd);
    return 0;
}

void mp_timers_dispose(mp_timers_t *t)
{
    /* Once created, the fd always has an h2o socket, which owns it and closes it. */
    if (t->sock != NULL) {
        h2o_socket_read_stop(t->sock);
        h2o_socket_close(t->sock);
    }
    t->sock = NULL;
    t->fd = -1;
    mp_timerq_dispose(&t->q);
}

/* Streams re-arm their timer from inside the fd's callback once per token; programming the fd then would
 * cost a system call per token, so it is left to the single rearm() at the end of the callback. */
void mp_timers_add(mp_timers_t *t, mp_timer_t *timer, uint64_t deadline)
{
    uint64_t now = cm_now_ns();
    uint64_t slack = deadline > now ? (deadline - now) / MP_TIMER_SLACK_DIV : 0;
    if (slack > MP_TIMER_SLACK_MAX_NS)
        slack = MP_TIMER_SLACK_MAX_NS;
    mp_timerq_add_window(&t->q, timer, deadline - slack, deadline);
    if (!t->firing && deadline < t->armed)
        program(t, deadline);
}

int32_t mp_timers_poll(mp_timers_t *t)
{
    if (t->q.n == 0 || t->q.heap[0].early > cm_now_ns())
        return INT32_MAX;
    t->firing = true;
    size_t fired = mp_timerq_run(&t->q, cm_now_ns());
    t->firing = false;
    rearm(t);
    return fired > 0 ? 0 : INT32_MAX;
}

/* Cancelling never reprograms the fd: a wake for a deadline that no longer exists costs one loop
 * iteration, while a timerfd_settime per cancellation would cost a system call on every early finish. */
void mp_timers_cancel(mp_timers_t *t, mp_timer_t *timer)
{
    mp_timerq_cancel(&t->q, timer);
}
