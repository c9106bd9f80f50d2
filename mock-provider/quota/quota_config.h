/* mock-provider/quota/quota_config.h — reads a deployment's `limits:` map into an mp_quota_config_t, with the
 * config loader's conventions (errors at file:line:col of the offending node, unknown keys with the list of
 * allowed ones). The deployment reader calls it; `--check` therefore validates limits too.
 *
 *   limits: {rpm: 600, tpm: 100k, window: sliding, per_key: false, concurrency: 8, queue: 16,
 *            retry_after: seconds, charge: max_tokens}
 *
 * rpm 1..10M, tpm 1..10G (count suffixes allowed: 10k), concurrency 1..100k, queue 0..100k (needs
 * concurrency); window sliding (default), fixed or azure; retry_after seconds (default), http-date, ms, none
 * or any other text sent as is; charge max_tokens (default) or estimate. At least one of rpm, tpm and
 * concurrency; per_key needs rpm or tpm; charge needs tpm. */
#ifndef MP_QUOTA_CONFIG_H
#define MP_QUOTA_CONFIG_H

#include "common/config.h"
#include "mock-provider/quota/quota.h"

/* node is the value of `limits`; path names it in messages ("mock.deployments[0].limits"). Fills *out
 * (starting from mp_quota_config_defaults) and returns 0, or returns -1 with err filled. */
int mp_quota_config_read(const cm_conf_t *conf, const cm_node_t *node, const char *path, mp_quota_config_t *out,
                         cm_err_t *err);

#endif
