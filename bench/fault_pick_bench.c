/* bench/fault_pick_bench.c — what a deployment's faults cost a request they do not match: the CPU time of
 * one fx_pick (faults/fault_pick.c) for a chat request of model gpt-4o-mini with no key and no x-mock-fault
 * header, against sets of 0, 8 and 64 request faults whose targeting names a model, a key or a route that
 * request does not have (the set bench/mock_faults.sh configures). Median of the rounds, in ns per pick;
 * compare it with the mock's CPU time per request (bench/mock_faults.sh prints it, about 20 us on the
 * project's VM). A figure, not a pass/fail check.
 *   build/release/bench/fault_pick_bench [ROUNDS] [PICKS_PER_ROUND]     (default 7 and 2,000,000) */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "faults/fault.h"

#define MAX_FAULTS 64
#define MAX_ROUNDS 101

static const char *never_model[] = {"never-model"};
static const char *never_key[] = {"sk-never"};
static const char *never_route[] = {"embeddings"};

/* Fault i targets, in turn, a model, a key and a route the request never carries (as in mock_faults.sh). */
static void build(fx_set_t *s, fx_fault_t *faults, _Atomic uint64_t *passed, size_t n)
{
    memset(s, 0, sizeof(*s));
    memset(faults, 0, sizeof(*faults) * MAX_FAULTS);
    for (size_t i = 0; i < n; i++) {
        fx_fault_t *f = &faults[i];
        f->kind = (fx_kind_t)(i % 8); /* the per-request kinds come first in fx_kind_t */
        f->always = true;
        f->window_to = UINT64_MAX;
        if (i % 3 == 0) {
            f->models = never_model;
            f->nmodels = 1;
        } else if (i % 3 == 1) {
            f->keys = never_key;
            f->nkeys = 1;
        } else {
            f->routes = never_route;
            f->nroutes = 1;
        }
        atomic_init(&passed[i], 0);
    }
    s->faults = faults;
    s->n = n;
    s->passed = passed;
}

static double cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double round_ns(const fx_set_t *s, const fx_request_t *r, long picks)
{
    size_t hits = 0;
    double t0 = cpu_ns();
    for (long i = 0; i < picks; i++)
        hits += fx_pick(s, r) != NULL;
    double t = cpu_ns() - t0;
    if (hits != 0) {
        fprintf(stderr, "fault_pick_bench: a fault matched: the figure is void\n");
        exit(1);
    }
    return t / (double)picks;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 7;
    long picks = argc > 2 ? atol(argv[2]) : 2000000;
    if (rounds < 1 || rounds > MAX_ROUNDS || picks < 1 || picks > 1000000000) {
        fprintf(stderr, "usage: fault_pick_bench [ROUNDS 1..%d] [PICKS_PER_ROUND 1..1e9]\n", MAX_ROUNDS);
        return 2;
    }
    static fx_fault_t faults[MAX_FAULTS];
    static _Atomic uint64_t passed[MAX_FAULTS];
    const size_t sizes[] = {0, 8, MAX_FAULTS};
    fx_request_t r = {.route = CM_STR("chat"), .model = CM_STR("gpt-4o-mini"), .since_start_ns = 1000000000ull};
    printf("faults  ns per pick (median of %d rounds of %ld)\n", rounds, picks);
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        fx_set_t s;
        double ns[MAX_ROUNDS];
        build(&s, faults, passed, sizes[k]);
        for (int i = 0; i < rounds; i++)
            ns[i] = round_ns(&s, &r, picks);
        qsort(ns, (size_t)rounds, sizeof(ns[0]), cmp_double);
        printf("%6zu  %8.1f\n", sizes[k], ns[rounds / 2]);
    }
    return 0;
}
