/* mock-provider/providers/budget.h — how large a response may get, decided before any of it is produced.
 *
 * Every response has a byte budget: the deployment's max_response (MP_DEFAULT_MAX_RESPONSE when unset).
 * Before a request runs, the core asks the provider (mp_provider_t.check_response) for an upper bound of its
 * response, computed from the request (n, max_tokens, the model name, the echoed text, the tool call's
 * arguments, embedding inputs and dimensions) and the deployment (the largest length its output_tokens model
 * gives, content mode, tool calls, embedding dimensions). Each shape computes its own bound
 * (openai/openai_budget.c, gemini/gemini_render.c, anthropic/anthropic_render.c). A bound over the budget is
 * a 400 that says what is too large, so every multiplier a client controls (n x tokens, name length x
 * chunks, inputs x dimensions, arguments x chunks) is bounded, and no response is built beyond it. The fuzz
 * targets check that every rendered response stays within its bound. */
#ifndef MP_PROVIDERS_BUDGET_H
#define MP_PROVIDERS_BUDGET_H

#include <stdint.h>

#include "mock-provider/provider.h"

/* The deployment's response budget in bytes. */
uint64_t mp_response_budget(const mp_deployment_t *dep);

#endif
