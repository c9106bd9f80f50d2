/* mock-provider/providers/budget.h — how large a response may get, decided before any of it is produced.
 *
 * Every response has a byte budget: the deployment's max_response (MP_DEFAULT_MAX_RESPONSE when unset).
 * Before a request runs, the core asks for an upper bound of its response, computed from the request (n,
 * max_tokens, the model name, the echoed text, the tool call's arguments, embedding inputs and dimensions)
 * and the deployment (the largest length its output_tokens model gives, content mode, tool calls, embedding
 * dimensions). A bound over the budget is a 400 that says what is too large, so every multiplier a client
 * controls (n x tokens, name length x chunks, inputs x dimensions, arguments x chunks) is bounded, and no
 * response is built beyond it. The fuzz target checks that every rendered response stays within its bound. */
#ifndef MP_PROVIDERS_BUDGET_H
#define MP_PROVIDERS_BUDGET_H

#include <stdint.h>

#include "mock-provider/provider.h"

/* Upper bound, in bytes, of the body (or whole stream) that answers req on dep. Valid for requests that
 * parse; models listings answer 0 (their size does not depend on the request). */
uint64_t mp_response_bound(const mp_deployment_t *dep, const mp_request_t *req);

/* The deployment's response budget in bytes. */
uint64_t mp_response_budget(const mp_deployment_t *dep);

/* Returns 0 when the bound is within the budget, else -1 with err filled: a 400 invalid_request_error, code
 * "response_too_large", param the parameter to lower ("n", "input", "tools" or null) and a message with the
 * bound, the budget and what makes the response large. */
int mp_response_check(const mp_deployment_t *dep, const mp_request_t *req, mp_error_t *err);

#endif
