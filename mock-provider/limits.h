/* mock-provider/limits.h — a deployment's limits: on the request path: rate-limit admission (requests and
 * tokens per minute, quota.h), the provider's rate-limit headers and 429, the charge corrected to the real
 * usage, and the concurrency limit with its bounded queue, whose waiters may be woken by any worker thread.
 *
 * Order: after the budget check and before faults (a refused request never reaches a fault, as at a real
 * provider, whose limiter sits in front). The charge at admission is the prompt estimate plus max_tokens (or
 * the most the deployment's length model gives when the request sets none), or with charge: estimate, plus
 * the length model's mean; settled to prompt + completion tokens once the lengths are drawn. Listings and
 * token counts are not limited. A concurrency refusal is the provider's overloaded error (OpenAI 503,
 * Anthropic 529), not a 429. */
#ifndef MP_LIMITS_H
#define MP_LIMITS_H

#include "mock-provider/config.h"
#include "mock-provider/run.h"

typedef enum mp_limits_verdict {
    MP_LIMITS_GO,      /* admitted: go on */
    MP_LIMITS_QUEUED,  /* waiting for a concurrency slot: mp_limits_granted will continue it */
    MP_LIMITS_REFUSED, /* err filled (and the headers added): answer with it */
} mp_limits_verdict_t;

mp_limits_verdict_t mp_limits_admit(mp_run_t *run, mp_error_t *err);
/* After mp_exchange_begin: corrects the charge to the tokens the answer really has. */
void mp_limits_settle(mp_run_t *run);
/* When the run is disposed: gives its concurrency slot to the next waiter (on whichever worker it waits)
 * or takes it out of the queue; settles a charge never corrected. */
void mp_limits_done(mp_run_t *run);

/* Registers the worker's receiver for slots handed over by other threads; continue_run is called on the
 * worker's own thread for each run that got its slot. */
void mp_limits_worker_init(mp_worker_t *w, void (*continue_run)(mp_run_t *run));

/* Creates and frees the deployments' quota engines (dep->quota) of a configuration. */
int mp_limits_create(mp_config_t *cfg, uint64_t start_ns, char *err, size_t errlen);
void mp_limits_free(mp_config_t *cfg);

#endif
