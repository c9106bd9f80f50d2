/* harness/measure/stats.h — per-thread request statistics, merged at interval boundaries.
 *
 * Every engine thread records into its own hx_stats_t (no locks, no atomics). At each interval boundary a
 * thread hands its interval to the collector (hx_collector_*), which merges all threads' intervals,
 * appends the interval to the JSONL series, folds it into the cumulative stats and resets nothing the
 * threads own. Memory is fixed: it does not grow with the run length or the request count. */
#ifndef HX_STATS_H
#define HX_STATS_H

#include <stdint.h>

#include "common/hist.h"
#include "harness/measure/result.h"

#define HX_MAX_DEPLOYMENTS 64 /* distinct x-mock-deployment values tracked; more fold into "other" */
#define HX_MAX_MODELS 64
#define HX_MAX_REQUESTS 64  /* request templates */
#define HX_STATUS_SLOTS 600 /* http_errors[] covers statuses 0..599 */

typedef struct hx_counts {
    uint64_t total, ok, failed, rate_limited;
} hx_counts_t;

typedef struct hx_stats {
    uint64_t start_ns, end_ns; /* the interval (or run) this covers */
    hx_counts_t all;           /* requests with an outcome; aborted ones (client_closed) are not in here */
    uint64_t aborted;          /* in flight when the run ended and cut off by the harness (errors[client_closed]) */
    uint64_t sent;             /* requests handed to libcurl in this interval */
    uint64_t late;             /* of those, handed over more than HX_LATE_NS after their intended time */
    uint64_t dropped;          /* arrivals not sent because the in-flight cap was reached (errors[dropped]) */
    uint64_t retried;          /* attempts answered 429 and sent again to another target (the router) */
    uint64_t inflight_max;     /* highest in-flight depth seen */
    uint64_t status[6];        /* by status class: [0] none, [1] 1xx ... [5] 5xx */
    uint64_t errors[HX_ERR__COUNT];
    uint64_t tokens; /* output tokens (hx_result_t.tokens) */
    /* Successful streams whose usage count could be compared with their chunk count: how many, how many
     * disagreed, and both totals over them; usage_missing: successful streams that reported no usage. */
    uint64_t usage_compared, usage_differs, usage_tokens, usage_chunks, usage_missing;
    uint64_t good;              /* successes that met every SLO (hx_result_t.good) */
    uint64_t success_tokens;    /* output tokens of successful requests (aggregate tokens per second) */
    /* The client's self-check (docs/soak.md "Is the client the bottleneck?"): the engine threads' CPU time, the
     * wall time it was measured over (summed over threads), and per thread and interval (a sample) how busy
     * the thread was: the busiest sample (permille) and how many samples were at HX_CPU_SATURATED_PERMILLE
     * or more. Only the run's stats have them; a group's are 0. */
    uint64_t cpu_ns, cpu_wall_ns, cpu_samples, cpu_saturated;
    uint32_t cpu_busy_max;
    cm_hist_t pacer_lag;        /* us, every request handed to libcurl: how long after its intended time */
    cm_hist_t latency;          /* us, from intended send time, successful requests */
    cm_hist_t service;          /* us, from actual send time, successful requests */
    cm_hist_t latency_all;      /* us, from intended send, every request that completed (any outcome) */
    cm_hist_t ttfb;             /* us, from actual send */
    cm_hist_t ttft;             /* us, streams, from intended send time */
    cm_hist_t itl;              /* us, per token: each gap divided over the tokens its chunk carried */
    cm_hist_t icl;              /* us, every gap between consecutive output chunks */
    cm_hist_t ttfrt;            /* us, streams, from intended send to the first reasoning chunk */
    cm_hist_t tpot;             /* us, successful streams: decode time per token, the first left out */
    cm_hist_t tpot_incl_first;  /* us, successful streams: intended send to last token, per token */
    cm_hist_t otps;             /* output tokens per second x 1000, successful requests with tokens */
    cm_hist_t ttlt;             /* us, streams, from intended send to the last token */
    cm_hist_t mock_service;     /* us, x-mock-service-ms */
    cm_hist_t gateway_overhead; /* us, latency(service) minus x-mock-service-ms, when the mock answered */
    cm_hist_t litellm_overhead; /* us, x-litellm-overhead-duration-ms */
    hx_counts_t by_request[HX_MAX_REQUESTS];
    hx_counts_t by_model[HX_MAX_MODELS];
    /* Deployments are interned by name; names live in a table shared by all threads' stats (see
     * hx_stats_intern_deployment) so merging is index-wise. */
    hx_counts_t by_deployment[HX_MAX_DEPLOYMENTS + 1]; /* last slot: "other" */
    /* Requests that failed with an HTTP error status (errors http_4xx, http_429, http_5xx, http_other), by
     * exact status 100..599, so that an expectation can ignore one status (`ignore: [503]`). */
    uint64_t http_errors[HX_STATUS_SLOTS];
} hx_stats_t;

/* A send handed to libcurl more than 1 ms after its intended time is late. Not a share of the gap between
 * arrivals: at 10,000/s a thread's gap is a fraction of a millisecond and Poisson gaps are often near 0, so
 * a relative threshold would call a healthy pacer late. 1 ms is the window within which the engine sends
 * an arrival early (HX_ARRIVAL_EARLY_NS) and the precision its timers are built for; a send later than that
 * means the thread was busy or not scheduled. */
#define HX_LATE_NS (1000ull * 1000ull)
/* A thread busy (on CPU) for at least 90% of an interval is saturated: its arrivals queue behind its own
 * work. A sample shorter than HX_CPU_MIN_WALL_NS (the end of a run cut short) is too short to judge. */
#define HX_CPU_SATURATED_PERMILLE 900u
#define HX_CPU_MIN_WALL_NS (100ull * 1000000ull)

/* Empties s (all counters 0, histograms empty, start_ns 0). hx_stats_reset also sets start_ns. */
void hx_stats_init(hx_stats_t *s);
void hx_stats_reset(hx_stats_t *s, uint64_t start_ns);
/* Records one finished request (hot path: no locks, no allocation except the first sighting of a deployment
 * name). HX_ERR_CLIENT_CLOSED only counts aborted and errors[client_closed]. Otherwise: the counts, status
 * class, error class; latency and service for successes, latency_all for all; ttfb when a byte
 * arrived; ttft/ttlt/ttfrt for streams that produced them (any outcome); for successes, itl (per token), tpot,
 * tpot_incl_first, otps and the usage comparison (docs/metrics.md); mock_service and gateway_overhead
 * (service time minus x-mock-service-ms, floored at 0) when that header was present; litellm_overhead when
 * x-litellm-overhead-duration-ms was present. Times that go backwards count as 0. */
void hx_stats_record(hx_stats_t *s, const hx_result_t *r);
/* An attempt the router sends again to another target after its 429: counts retried and, at the deployment
 * that answered, one rate-limited attempt (the deployment table counts attempts; every other count, the
 * request once, with its final outcome). */
void hx_stats_record_retry(hx_stats_t *s, const hx_result_t *r);
/* One arrival that found the in-flight cap reached: counts dropped and errors[dropped], nothing else (it was
 * never sent, so it has no latency and no template). */
void hx_stats_record_dropped(hx_stats_t *s);
/* One request handed to libcurl at sent for its plan's intended time (both monotonic ns): counts sent, its
 * pacer lag (sent - intended, 0 when sent early) and late. A retry of the same request is not a new send. */
void hx_stats_record_sent(hx_stats_t *s, uint64_t intended, uint64_t sent);
/* One engine thread's CPU time over wall_ns of wall time (one sample, normally one interval): adds both, and
 * for a sample of at least HX_CPU_MIN_WALL_NS counts it, keeps the busiest and counts it saturated at
 * HX_CPU_SATURATED_PERMILLE or more. */
void hx_stats_record_cpu(hx_stats_t *s, uint64_t cpu_ns, uint64_t wall_ns);
/* The load offered to the target that has an end: every outcome (all.total), every request the harness cut
 * off at the end (aborted) and every arrival dropped at the in-flight cap (dropped). */
uint64_t hx_stats_offered(const hx_stats_t *s);
/* The part of hx_stats_offered that did not succeed: all.failed + aborted + dropped. */
uint64_t hx_stats_unsuccessful(const hx_stats_t *s);
/* One gap between consecutive output chunks of a stream (hx_stream's on_gap): ICL. The per-token ITL is
 * recorded with the finished request (hx_stats_record), once its token count is known. */
void hx_stats_record_icl(hx_stats_t *s, uint64_t gap_ns);
/* Adds src into dst: sums index by index, histogram merges, the union of the two spans, and the larger
 * inflight_max (a maximum over time; the collector sums concurrent threads' maxima itself). */
void hx_stats_merge(hx_stats_t *dst, const hx_stats_t *src);

/* Deployment names seen in x-mock-deployment, interned process-wide (thread-safe; takes a lock only the
 * first time a name is seen by a thread-local cache miss). Returns an index < HX_MAX_DEPLOYMENTS, or
 * HX_MAX_DEPLOYMENTS for "other". */
uint32_t hx_stats_intern_deployment(const char *name, uint32_t len);
const char *hx_stats_deployment_name(uint32_t index); /* NULL if unused */
uint32_t hx_stats_deployment_count(void);

#endif
