/* mock-provider/metrics.h — request counters, gauges and served-latency histograms, rendered as
 * Prometheus text (exposition format 0.0.4) on GET /metrics.
 *
 * Every worker thread writes only its own block (mp_tmetrics_t): single writer, relaxed atomic stores, no
 * locks and no shared cache lines on the request path. A scrape (any thread) reads all blocks with relaxed
 * atomic loads and sums them, so a scrape sees each counter at some recent value, never a torn one.
 *
 * Exported series (names start with mock_):
 *   mock_requests_total{deployment,api,model,status}   counter
 *   mock_inflight_requests{deployment}                 gauge
 *   mock_open_connections                              gauge
 *   mock_ttft_seconds / mock_itl_seconds / mock_response_seconds{deployment}   histograms
 *   mock_timer_lateness_seconds{deployment}            histogram: planned send time to actual send
 * The model label is bounded: a deployment with a model list uses those names; one that accepts any model
 * tracks the first MP_METRICS_AUTO_MODELS distinct names and labels the rest "other". */
#ifndef MP_METRICS_H
#define MP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "mock-provider/deployment.h"

#define MP_METRICS_AUTO_MODELS 32
/* Longest model name kept as a label (longer names, and names with characters outside printable ASCII or
 * with quotes or backslashes, count as "other"). */
#define MP_METRICS_MODEL_LABEL_MAX 96

/* Model slots passed to mp_metrics_request besides the named ones (0 .. nmodels-1 for a deployment with a
 * model list, or what mp_metrics_model_slot returns). */
#define MP_SLOT_NONE UINT32_MAX        /* the request named no model (rejected before it was read) */
#define MP_SLOT_OTHER (UINT32_MAX - 1) /* a model outside the tracked set */

/* api index for requests that matched no route. */
#define MP_METRICS_API_UNKNOWN (-1)

typedef enum mp_lat {
    MP_LAT_TTFT,     /* stream: arrival to the send of the first token */
    MP_LAT_ITL,      /* stream: between the sends of consecutive tokens */
    MP_LAT_RESPONSE, /* arrival to the send of the last byte */
    MP_LAT_LATENESS, /* a planned send (a whole body, or a stream step) to the moment it was handed to h2o */
    MP_LAT__COUNT,
} mp_lat_t;

typedef struct mp_metrics mp_metrics_t;
typedef struct mp_tmetrics mp_tmetrics_t;

/* Creates the metrics of ndeps deployments (deps must outlive m; their names and model lists are read at
 * scrape time) for nthreads writer threads. Never NULL (allocation failure aborts). */
mp_metrics_t *mp_metrics_create(const mp_deployment_t *deps, size_t ndeps, uint32_t nthreads);
void mp_metrics_free(mp_metrics_t *m);

/* The block written by thread index `thread` (< nthreads). */
mp_tmetrics_t *mp_metrics_thread(mp_metrics_t *m, uint32_t thread);

/* Label slot for a model name on a deployment that accepts any model: the name's slot among the first
 * MP_METRICS_AUTO_MODELS distinct names seen by any thread, or MP_SLOT_OTHER. Lock-free once a name is
 * known; registering a new name takes a per-deployment mutex (at most MP_METRICS_AUTO_MODELS times).
 * model is the raw JSON string contents from the request. For a deployment with a model list, pass the
 * index of the matching configured name instead of calling this. */
uint32_t mp_metrics_model_slot(mp_metrics_t *m, uint32_t dep, const char *model, size_t len);

/* Recording, by the owning thread only. api is an mp_api_t or MP_METRICS_API_UNKNOWN; status is the HTTP
 * status sent (statuses outside the built-in table are counted under status="other"). */
void mp_metrics_request(mp_tmetrics_t *t, uint32_t dep, int api, uint32_t model_slot, int status);
void mp_metrics_inflight(mp_tmetrics_t *t, uint32_t dep, int delta);
/* A fault of kind (fx_kind_t) applied on deployment dep: mock_faults_total{deployment,kind}. */
void mp_metrics_fault(mp_tmetrics_t *t, uint32_t dep, int kind);
void mp_metrics_connections(mp_tmetrics_t *t, int delta);
void mp_metrics_latency(mp_tmetrics_t *t, uint32_t dep, mp_lat_t which, uint64_t ns);

/* In-flight requests of one thread block, all deployments together. Read by the owning thread (shutdown). */
int64_t mp_metrics_thread_inflight(const mp_tmetrics_t *t);
/* Connections open on one thread (read by that thread). */
int64_t mp_metrics_thread_connections(const mp_tmetrics_t *t);

/* Appends the whole exposition to out. Safe to call from any thread while writers run. */
void mp_metrics_render(mp_metrics_t *m, cm_buf_t *out);
/* The same with the quota engines to read limits from (quotas[d] for deployment d, NULL when unlimited):
 * the current snapshots' engines, which the admin API may have replaced since the configuration's. */
struct mp_quota;
void mp_metrics_render_quotas(mp_metrics_t *m, struct mp_quota *const *quotas, cm_buf_t *out);

#endif
