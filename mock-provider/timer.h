/* mock-provider/timer.h — per-thread timers with arbitrary deadlines on CLOCK_MONOTONIC (nanoseconds).
 *
 * h2o's own h2o_timeout_t has one fixed duration per list, so it cannot serve per-request latencies drawn
 * from a distribution. Two layers live here:
 *   - mp_timerq_t: a binary min-heap of deadlines; add, cancel and re-arm are O(log n). Pure data
 *     structure, no system calls (unit-tested on its own).
 *   - mp_timers_t: a timerq driven by a timerfd (TFD_TIMER_ABSTIME) registered in an h2o evloop; when the
 *     fd fires, every due timer runs and the fd is re-armed to the next deadline.
 *
 * Timers are embedded in the caller's objects (no allocation per timer). Neither layer is thread-safe: a
 * queue belongs to one event-loop thread. */
#ifndef MP_TIMER_H
#define MP_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <h2o.h>

typedef struct mp_timer mp_timer_t;
typedef void (*mp_timer_cb)(mp_timer_t *timer);

#define MP_TIMER_IDLE SIZE_MAX
/* Slack of mp_timers_add: 1/32 of the delay (a 30 ms time to first token may fire 0.94 ms early, a 1 ms
 * inter-token gap 31 us early), never more than 1 ms. */
#define MP_TIMER_SLACK_DIV 32
#define MP_TIMER_SLACK_MAX_NS 1000000ull

struct mp_timer {
    uint64_t deadline; /* CLOCK_MONOTONIC ns; valid while armed */
    uint64_t early;    /* the earliest moment it may fire (<= deadline), so that nearby timers share a wakeup */
    uint64_t seq;      /* insertion order: timers with equal deadlines fire first-in first-out */
    mp_timer_cb cb;
    size_t slot; /* position in the heap, MP_TIMER_IDLE when not armed */
};

/* Prepares a timer (not armed). cb runs when the deadline passes; it may add or cancel any timer. */
static inline void mp_timer_init(mp_timer_t *t, mp_timer_cb cb)
{
    t->deadline = 0;
    t->early = 0;
    t->seq = 0;
    t->cb = cb;
    t->slot = MP_TIMER_IDLE;
}

static inline bool mp_timer_armed(const mp_timer_t *t)
{
    return t->slot != MP_TIMER_IDLE;
}

/* The heap keeps each timer's ordering key next to its pointer, so that sifting compares entries of one
 * contiguous array instead of dereferencing timers scattered over thousands of requests (profiled: the
 * pointer-chasing version spent 13% of a 10K-stream run in cancel). */
typedef struct mp_timerq_entry {
    uint64_t deadline;
    uint64_t seq;
    uint64_t early;
    mp_timer_t *timer;
} mp_timerq_entry_t;

typedef struct mp_timerq {
    mp_timerq_entry_t *heap;
    size_t n, cap;
    uint64_t seq;
} mp_timerq_t;

void mp_timerq_init(mp_timerq_t *q);
/* Frees the heap array. Armed timers are forgotten (marked idle). */
void mp_timerq_dispose(mp_timerq_t *q);
/* Arms t for deadline; re-arms it when already armed. The queue keeps a pointer to t until it fires or
 * is cancelled, so t must stay alive that long. */
void mp_timerq_add(mp_timerq_t *q, mp_timer_t *t, uint64_t deadline);
/* Like mp_timerq_add, but t may fire as early as `early` (clamped to deadline) when the queue is run then:
 * timers keep their deadline order, and a run fires the earliest ones whose window has opened. */
void mp_timerq_add_window(mp_timerq_t *q, mp_timer_t *t, uint64_t early, uint64_t deadline);
/* Disarms t; a no-op when t is not armed. */
void mp_timerq_cancel(mp_timerq_t *q, mp_timer_t *t);
/* Gives back heap capacity a burst left: down to twice the armed timers (at least MP_TIMERQ_MIN_CAP). */
#define MP_TIMERQ_MIN_CAP 64
void mp_timerq_shrink(mp_timerq_t *q);
/* Earliest deadline, or UINT64_MAX when the queue is empty. */
uint64_t mp_timerq_next(const mp_timerq_t *q);
/* Fires, in deadline order, every timer whose deadline (or opened window) is <= now (including timers that callbacks
 * add with a deadline <= now, so a late thread catches up within one call). Each timer is disarmed before its callback
 * runs. Returns the number of callbacks run. */
size_t mp_timerq_run(mp_timerq_t *q, uint64_t now);

typedef struct mp_timers {
    mp_timerq_t q;
    int fd;             /* timerfd, -1 before init */
    h2o_socket_t *sock; /* the fd registered in the evloop */
    uint64_t armed;     /* deadline the timerfd is set to; UINT64_MAX when disarmed */
    bool firing;        /* inside the fd's callback, which re-arms once at its end */
} mp_timers_t;

/* Creates the timerfd and registers it in loop. Returns 0, or -1 with a reason in err. */
int mp_timers_init(mp_timers_t *t, h2o_evloop_t *loop, char *err, size_t errlen);
/* Closes the fd (through h2o) and frees the heap. Safe on a zeroed or half-initialised struct. */
void mp_timers_dispose(mp_timers_t *t);
/* Arms (or re-arms) timer at an absolute CLOCK_MONOTONIC deadline; the timerfd is reprogrammed only when
 * the earliest deadline moves earlier. The timer may fire up to MP_TIMER_SLACK_DIV-th of its delay early
 * (at most MP_TIMER_SLACK_MAX_NS) when the thread is awake anyway, so that timers close together share one
 * wakeup instead of costing one each (the kernel grants its own timers a slack for the same reason). */
void mp_timers_add(mp_timers_t *t, mp_timer_t *timer, uint64_t deadline);
/* Fires the timers whose window has opened by now; the worker calls it after every loop iteration, so
 * that a wakeup for I/O also serves the timers due within their slack. Returns the longest the next
 * h2o_evloop_run may wait (its max_wait): 0 when a timer fired, INT32_MAX otherwise. A callback run here,
 * outside h2o_evloop_run, may complete a socket write; h2o then queues the write's completion (which ends
 * an HTTP/1 request and reads the next one) for its next run, but sizes that run's poll by its own
 * timeouts only, so without the 0 the completion could wait for an unrelated event, forever on an idle
 * connection. */
int32_t mp_timers_poll(mp_timers_t *t);
void mp_timers_cancel(mp_timers_t *t, mp_timer_t *timer);
/* Number of armed timers. */
static inline size_t mp_timers_count(const mp_timers_t *t)
{
    return t->q.n;
}

#endif
