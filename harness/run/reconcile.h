/* harness/run/reconcile.h — every request soak sent, accounted for on the mock's side. After the load,
 * `soak run` reads the mock's /metrics and sets, per deployment, what soak saw (attempts answered with that
 * deployment's x-mock-deployment header, their 2xx and 429s) beside what the mock counted (requests by
 * status, 429s, faults applied), prints the two in one table and writes them to deployments.json in the
 * report directory. A difference is explained, not hidden: requests soak counted without an answer naming a
 * deployment (connection errors, resets before the headers, requests cut at the end) are shown apart. */
#ifndef HX_RECONCILE_H
#define HX_RECONCILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/measure/stats.h"

/* Most bytes of a /metrics answer read (the mock's is a few KiB per deployment and model). */
#define HX_METRICS_MAX (8u << 20)

typedef struct hx_dep_counts {
    const char *name;
    uint64_t soak_attempts, soak_ok, soak_429; /* from soak's statistics */
    uint64_t mock_requests, mock_2xx, mock_429, mock_faults;
    bool mock_seen; /* the mock's metrics named it */
} hx_dep_counts_t;

/* Adds the mock's counters from a Prometheus text (mock_requests_total{deployment,...,status},
 * mock_faults_total{deployment,kind}) to the entries of d whose name matches. Unknown lines are ignored. */
void hx_reconcile_parse(const char *text, size_t len, hx_dep_counts_t *d, size_t n);

/* Fills soak's side of d from a run's totals. Returns soak's attempts that named no deployment of d (no
 * answer, or cut at the end). */
uint64_t hx_reconcile_soak(const hx_stats_t *total, hx_dep_counts_t *d, size_t n);

/* GETs url (the mock's /metrics) into a malloc'd, NUL-terminated buffer. Returns it, or NULL with err. */
char *hx_reconcile_fetch(const char *url, size_t *len, char *err, size_t errlen);

/* Prints the table; `unanswered` is soak's requests with no answer naming a deployment (and those cut at the
 * end), `generic` its api: http requests (which may hit endpoints the mock does not count). Returns true when
 * both sides agree on every deployment, or when the mock's extra requests are all among the unanswered ones
 * and soak's extra ones among the generic ones. */
bool hx_reconcile_print(FILE *out, const hx_dep_counts_t *d, size_t n, uint64_t unanswered, uint64_t generic);

/* Writes deployments.json: {"deployments": {name: {"soak": {...}, "mock": {...}}}, "unattributed": N,
 * "generic": N, "reconciled": bool}. Returns 0, or -1 with errno. */
int hx_reconcile_write(const char *path, const hx_dep_counts_t *d, size_t n, uint64_t unanswered, uint64_t generic,
                       bool agreed);

#endif
