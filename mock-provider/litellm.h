/* mock-provider/litellm.h — a LiteLLM proxy config (model_list) that routes to the deployments of a running
 * mock, so a gateway is pointed at the fakes in one step (mock-provider --print-litellm-config).
 *
 * One model_list entry per deployment and model it serves (the deployment's name when it accepts any):
 * model_name is the model, so deployments serving the same model form one LiteLLM group and are
 * load-balanced; litellm_params carry the provider's prefix (mp_provider_t.litellm_prefix), the api_base as
 * the deployment printed it, its first API key and what the provider adds (Azure's api_version). */
#ifndef MP_LITELLM_H
#define MP_LITELLM_H

#include <stdio.h>

#include "mock-provider/config.h"

/* Writes the YAML document to out. The deployments' ports must be bound (listen_port != 0). */
void mp_litellm_write(const mp_config_t *cfg, FILE *out);

#endif
