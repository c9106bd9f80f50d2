/* harness/measure/phase.h — named spans of a run: the load's phases (warm-up, steady, fault, recovery...) and
 * the windows an expectation compares (drift between a baseline and a window).
 *
 * Phases partition the run from its start: each is a whole number of the run's intervals, so an interval (and
 * every request the collector attributes to it) belongs to exactly one phase. A phase marked `exclude`
 * (warm-up, cool-down) is kept out of the run's results and expectations and reported apart. Times are ns
 * from the run's start. */
#ifndef HX_PHASE_H
#define HX_PHASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HX_MAX_PHASES 16
#define HX_PHASE_NAME_MAX 48

typedef struct hx_phase {
    char name[HX_PHASE_NAME_MAX];
    uint64_t start_ns, end_ns; /* from the run's start; filled in by hx_phases_layout */
    uint64_t dur_ns;           /* as configured (before a --duration rescale) */
    bool exclude;              /* warm-up, cool-down: not in the run's results */
} hx_phase_t;

typedef struct hx_phases {
    hx_phase_t p[HX_MAX_PHASES];
    size_t n;
} hx_phases_t;

/* A span an expectation refers to: a phase by index, or times from the run's start. */
typedef struct hx_span_ref {
    int phase; /* >= 0: that phase; -1: [start_ns, end_ns) */
    uint64_t start_ns, end_ns;
} hx_span_ref_t;

/* The index of the phase called name, or -1. */
int hx_phases_find(const hx_phases_t *ps, const char *name);
/* The sum of the phases' configured durations. */
uint64_t hx_phases_total(const hx_phases_t *ps);
/* Lays the phases end to end from 0. When total_ns differs from their configured sum, every phase is scaled
 * by the same factor (a --duration that shortens a whole scenario keeps its shape), rounded to whole
 * intervals, at least one each, the last taking what rounding left so that they end exactly at total_ns
 * (total_ns must be at least n intervals). Returns 0, or -1 with a reason. */
int hx_phases_layout(hx_phases_t *ps, uint64_t total_ns, uint64_t interval_ns, char *err, size_t errlen);
/* The phase whose span holds t_ns; times past the last phase belong to the last one (the drain). -1 when
 * there are no phases. */
int hx_phases_at(const hx_phases_t *ps, uint64_t t_ns);
/* The span a reference covers, after layout. */
void hx_span_ref_times(const hx_span_ref_t *r, const hx_phases_t *ps, uint64_t *start_ns, uint64_t *end_ns);
/* Parses "0s..60s" (either end may be left out: "..60s", "2m.."; an open end is the end of the run,
 * UINT64_MAX) or a phase name into r. Returns 0, or -1 with a reason. */
int hx_span_ref_parse(const char *s, const hx_phases_t *ps, hx_span_ref_t *r, char *err, size_t errlen);
/* "steady", or "60s..120s". Returns buf. */
char *hx_span_ref_describe(const hx_span_ref_t *r, const hx_phases_t *ps, char *buf, size_t n);

#endif
