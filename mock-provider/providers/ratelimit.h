/* mock-provider/providers/ratelimit.h — what every provider's rate-limit rendering shares. */
#ifndef MP_PROVIDERS_RATELIMIT_H
#define MP_PROVIDERS_RATELIMIT_H

#include <stdbool.h>

#include "mock-provider/provider.h"
#include "mock-provider/quota/quota.h"

/* retry-after (and retry-after-ms when always_ms or the deployment's retry_after policy asks for it) of a
 * refusal by the deployment's limits, rendered under that policy (openai_ratelimit.c). */
void mp_retry_headers(const mp_deployment_t *dep, const mp_quota_decision_t *d, bool always_ms, mp_header_fn add,
                      void *ctx);

#endif
