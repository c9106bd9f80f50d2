/* bench/quota_bench.c — the quota engine's admission path, in process, with 1 and 2 threads sharing one
 * deployment's limits. Prints decisions per second (admit + settle for an admitted request, admit alone for
 * a refused one) for:
 *   none        no limits configured (the engine's early return; the reference)
 *   open        rpm 10M and tpm 10G, sliding, never hit
 *   open-keys   the same per API key, 64 keys
 *   exhausted   rpm 60, spent: every decision is a refusal with its waits computed
 *   concurrency acquire + release of a limit of 100k slots
 * "Never hit" at these speeds needs more than 10M admissions a minute, so the open scenarios run on a clock
 * that goes 1000 times faster than real time: a real millisecond is a window-second, and the windows move
 * (expiry, merging in a full ring) as they would under a sustained 10M rpm load. The refused column proves
 * the limit was never hit. decisions/s is wall-clock throughput of all threads together; cpu-ns/decision is
 * the threads' CPU time per decision, which stays meaningful when other processes share the cores (time
 * spent waiting for the lock counts only while spinning). A figure, not a pass/fail check.
 *   build/release/bench/quota_bench [SECONDS_PER_RUN]     (default 0.5, at most 10) */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "mock-provider/quota/quota.h"

#define MAX_THREADS 2
#define CHECK_EVERY 256          /* decisions between clock reads for the deadline */
#define MAX_DECISIONS 4000000000 /* per thread and run, whatever the deadline */
#define SPEEDUP 1000             /* open scenarios: window time per real time */

typedef enum scenario { SC_NONE, SC_OPEN, SC_OPEN_KEYS, SC_EXHAUSTED, SC_CONCURRENCY, SC_COUNT } scenario_t;

static const char *const names[SC_COUNT] = {"none", "open", "open-keys", "exhausted", "concurrency"};

typedef struct run {
    mp_quota_t *q;
    scenario_t sc;
    uint64_t start, deadline;
    pthread_barrier_t barrier;
} run_t;

typedef struct worker {
    run_t *run;
    int id;
    uint64_t decisions, admitted;
    uint64_t cpu_ns; /* the thread's CPU time in the run: immune to other processes taking the cores */
} worker_t;

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t clock_for(const run_t *r, uint64_t real)
{
    return r->sc == SC_OPEN || r->sc == SC_OPEN_KEYS ? r->start + (real - r->start) * SPEEDUP : real;
}

#define NKEYS 64
static char keys[NKEYS][16];

static bool decide(run_t *r, uint64_t now, uint64_t i, int id)
{
    const char *k = NULL;
    size_t klen = 0;
    if (r->sc == SC_CONCURRENCY) {
        if (mp_quota_acquire(r->q, NULL, NULL) != MP_QUOTA_SLOT_RUN)
            return false;
        mp_quota_release(r->q);
        return true;
    }
    if (r->sc == SC_OPEN_KEYS) {
        k = keys[(i + (uint64_t)id * 7) % NKEYS];
        klen = strlen(k);
    }
    mp_quota_ticket_t t;
    mp_quota_decision_t d;
    if (!mp_quota_admit(r->q, k, klen, 100, now, &t, &d))
        return false;
    mp_quota_settle(r->q, &t, 60);
    return true;
}

static void *work(void *p)
{
    worker_t *w = p;
    run_t *r = w->run;
    pthread_barrier_wait(&r->barrier);
    uint64_t cpu0 = thread_cpu_ns();
    uint64_t now = clock_for(r, cm_now_ns());
    for (uint64_t i = 0; i < MAX_DECISIONS; i++) {
        if (i % CHECK_EVERY == 0) {
            uint64_t real = cm_now_ns();
            if (real >= r->deadline)
                break;
            now = clock_for(r, real);
        }
        w->admitted += decide(r, now, i, w->id);
        w->decisions++;
    }
    w->cpu_ns = thread_cpu_ns() - cpu0;
    return NULL;
}

static mp_quota_t *make(scenario_t sc, uint64_t start)
{
    mp_quota_config_t c;
    mp_quota_config_defaults(&c);
    if (sc == SC_OPEN || sc == SC_OPEN_KEYS) {
        c.rpm = MP_QUOTA_MAX_RPM;
        c.tpm = MP_QUOTA_MAX_TPM;
        c.per_key = sc == SC_OPEN_KEYS;
    } else if (sc == SC_EXHAUSTED) {
        c.rpm = 60;
    } else if (sc == SC_CONCURRENCY) {
        c.concurrency = MP_QUOTA_MAX_CONCURRENCY;
    }
    mp_quota_t *q;
    char why[128];
    if (mp_quota_create(&c, start, &q, why, sizeof(why)) != 0) {
        fprintf(stderr, "quota_bench: %s\n", why);
        exit(1);
    }
    return q;
}

static void measure(scenario_t sc, int threads, double seconds)
{
    run_t r = {.sc = sc, .start = cm_now_ns()};
    r.q = make(sc, r.start);
    if (sc == SC_EXHAUSTED) /* spend the minute's requests first */
        for (int i = 0; i < 60; i++)
            decide(&r, r.start, (uint64_t)i, 0);
    worker_t w[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    pthread_barrier_init(&r.barrier, NULL, (unsigned)threads);
    uint64_t t0 = cm_now_ns();
    r.deadline = t0 + (uint64_t)(seconds * 1e9);
    for (int i = 0; i < threads; i++) {
        w[i] = (worker_t){.run = &r, .id = i};
        pthread_create(&th[i], NULL, work, &w[i]);
    }
    uint64_t decisions = 0, admitted = 0, cpu = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        decisions += w[i].decisions;
        admitted += w[i].admitted;
        cpu += w[i].cpu_ns;
    }
    double elapsed = (double)(cm_now_ns() - t0) / 1e9;
    printf("%-12s %7d %14.0f %16.1f %14llu %12llu\n", names[sc], threads, (double)decisions / elapsed,
           (double)cpu / (double)decisions, (unsigned long long)admitted, (unsigned long long)(decisions - admitted));
    pthread_barrier_destroy(&r.barrier);
    mp_quota_destroy(r.q);
}

int main(int argc, char **argv)
{
    double seconds = 0.5;
    if (argc > 1) {
        char *end;
        seconds = strtod(argv[1], &end);
        if (*end != '\0' || !(seconds > 0 && seconds <= 10)) {
            fprintf(stderr, "usage: quota_bench [SECONDS_PER_RUN]  (0 < seconds <= 10, default 0.5)\n");
            return 2;
        }
    }
    for (int i = 0; i < NKEYS; i++)
        snprintf(keys[i], sizeof(keys[i]), "sk-bench-%02d", i);
    printf("%-12s %7s %14s %16s %14s %12s\n", "scenario", "threads", "decisions/s", "cpu-ns/decision", "admitted",
           "refused");
    for (int sc = 0; sc < SC_COUNT; sc++)
        for (int threads = 1; threads <= MAX_THREADS; threads++)
            measure((scenario_t)sc, threads, seconds);
    return 0;
}
