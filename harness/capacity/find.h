/* harness/capacity/find.h — `soak find`: the highest arrival rate at which every SLO holds (the knee), by the
 * search of search.h over probes of probe.h, reported as a table of every probe, the knee with its bracket,
 * JSON (--json) and an exit status usable as a CI gate (--require). Reference: docs/capacity.md.
 *
 * Its flags are its own (--slo, --start-rate, --max-rate, --min-rate, --repeats, --precision, --max-probes,
 * --probe-duration, --probe-warmup, --settle, --require, --json, --probe-reports) plus every `soak load` flag that says
 * what to send and how (--url, --api, --model, --body, --config, --threads, --max-inflight, ...), passed on to
 * each probe. The load flags that the search sets itself (--rate, --duration, --warmup) or that would write a
 * probe's reports (--jsonl, --junit, --html, --webhook) are refused with a reason. */
#ifndef HX_FIND_H
#define HX_FIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/capacity/probe.h"
#include "harness/capacity/search.h"

#define HX_FIND_DEFAULT_START_RATE 10.0
#define HX_FIND_DEFAULT_MAX_RATE 100000.0
#define HX_FIND_DEFAULT_PRECISION 0.05
#define HX_FIND_DEFAULT_MAX_PROBES 30
#define HX_FIND_DEFAULT_DURATION_NS (10ull * 1000000000ull)
#define HX_FIND_DEFAULT_WARMUP_NS (2ull * 1000000000ull)
#define HX_FIND_MAX_DURATION_NS (3600ull * 1000000000ull) /* one probe: an hour at most */
#define HX_FIND_DEFAULT_SETTLE_NS (30ull * 1000000000ull)
/* The lowest rate a search goes down to: a probe needs this many arrivals after its warm-up for a verdict. */
#define HX_FIND_MIN_ARRIVALS 10.0

typedef struct hx_find_opts {
    bool help;
    hx_search_opts_t search;
    uint64_t duration_ns, warmup_ns;
    /* After a probe that left requests unanswered (aborted at the end of its drain), the target is likely still
     * serving a backlog that would slow the next probe: wait aborted / achieved rate seconds, at most this. */
    uint64_t settle_ns;
    bool require_set;
    double require; /* per second */
    const char *json_path, *reports_dir;
    hx_expect_t slos[HX_FIND_MAX_SLOS]; /* --slo, then failure_rate<=1% unless one bounds failure_rate */
    size_t nslos;
    bool default_failure_slo; /* the last of slos was added by default */
    const char *load_args[HX_FIND_MAX_LOAD_ARGS];
    size_t nload_args;
    /* From the first build of the load (hx_find_parse): the seed every probe derives its own from, and what
     * the reports name. */
    uint64_t seed;
    char target[512], api[64], arrival_kind[16];
    bool poisson;
} hx_find_opts_t;

/* Parses `soak find` (argv[0] is "find") and builds the load once at the start rate to check every load flag.
 * Returns 0, or -1 with a one-line message naming the flag and the value in err. */
int hx_find_parse(int argc, char **argv, hx_find_opts_t *o, char *err, size_t errlen);

/* Runs the search: a line per probe on err_out as it ends, the table and the knee on out, the JSON file.
 * Returns HX_EXIT_PASS (with --require: the knee is at least RATE; without: some rate met every SLO),
 * HX_EXIT_FAIL (otherwise) or HX_EXIT_ERROR (a probe could not run, interrupted, the JSON not written). */
int hx_find_run(const hx_find_opts_t *o, FILE *out, FILE *err_out);

void hx_find_usage(FILE *out); /* soak help find */

/* The knee as reports state it (find_report.c). */
typedef struct hx_find_outcome {
    const hx_find_opts_t *opts;
    const hx_search_result_t *search;
    const hx_probe_record_t *runs; /* every run, in order */
    size_t nruns;
    bool complete; /* false: stopped by an error or an interrupt, the knee is what was known then */
} hx_find_outcome_t;

/* The knee rate (0 when no rate passed). */
double hx_find_knee(const hx_find_outcome_t *f);
/* Whether the gate (--require) passes; true without --require when some rate passed. */
bool hx_find_gate(const hx_find_outcome_t *f);
void hx_find_print_probe(FILE *out, const hx_find_opts_t *o, const hx_probe_record_t *rec);
void hx_find_table(FILE *out, const hx_find_outcome_t *f);
/* Returns 0, or -1 with errno set on a write error. */
int hx_find_json(FILE *out, const hx_find_outcome_t *f);

#endif
