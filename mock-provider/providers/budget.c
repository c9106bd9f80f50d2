/* The response budget every shape checks its bound against (budget.h); each shape computes its own bound. */
#include "mock-provider/providers/budget.h"

uint64_t mp_response_budget(const mp_deployment_t *dep)
{
    return dep->max_response ? dep->max_response : MP_DEFAULT_MAX_RESPONSE;
}
