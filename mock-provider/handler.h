/* mock-provider/handler.h — the request pipeline, one h2o handler per deployment.
 *
 * For each request on a deployment's listener:
 *   GET /health, GET /metrics       answered by the core (no auth, not counted as provider requests)
 *   route      dep->ops->route       unknown path or method -> the provider's 404
 *   auth       dep->api_keys         Authorization: Bearer K, or api-key: K -> else the provider's 401
 *   size       mock.max_body         -> the provider's 413 (bodies h2o itself refuses get it too: see
 *                                       mp_handler_register_oversize)
 *   parse      dep->ops->parse       -> the provider's 400 (invalid JSON, bad field)
 *   model      dep->models           -> the provider's 404 model_not_found
 *   budget     dep->max_response     -> the provider's 400 response_too_large (providers/budget.h)
 *   (quotas and faults plug in here: later issues)
 *   run        mp_run_start          exchange, timing plan, response (run.h)
 */
#ifndef MP_HANDLER_H
#define MP_HANDLER_H

#include <h2o.h>

#include "mock-provider/deployment.h"

struct mp_server;

typedef struct mp_handler {
    h2o_handler_t super;
    struct mp_server *server;
    const mp_deployment_t *dep;
} mp_handler_t;

/* Registers the pipeline for dep on pathconf (the "/" path of the deployment's own hostconf). The handler
 * is owned by h2o's configuration. */
void mp_handler_register(h2o_pathconf_t *pathconf, struct mp_server *s, const mp_deployment_t *dep);

/* The rest of a request's pipeline after its limits admitted it (faults, then the answer); called by the
 * handler, or later on the run's own worker when a concurrency slot was handed to it (limits.h). */
struct mp_run;
void mp_handler_continue(struct mp_run *run);
/* The whole pipeline of a request (route, auth, ..., limits, then mp_handler_continue); called by the
 * handler, or when a pause fault that held the request back ends. */
void mp_handler_begin(struct mp_run *run);

/* Registers, on host's fallback path, the filter that gives bodies h2o refuses as over its entity limit
 * (max_body + 1) the provider's own 413 body and headers, counted in mock_requests_total. */
void mp_handler_register_oversize(h2o_hostconf_t *host, struct mp_server *s, const mp_deployment_t *dep);

#endif
