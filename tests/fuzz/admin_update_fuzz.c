/* tests/fuzz/admin_update_fuzz.c — admin API bodies (mock-provider/admin/update.c) on arbitrary input: the
 * first byte picks PUT, PATCH or a faults PUT, the rest is the body. An update is either refused with a
 * message that says where (the body, or the current configuration) and builds nothing, or built into a
 * deployment whose own source reads back (so a later PATCH starts from valid text). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "mock-provider/admin/update.h"
#include "mock-provider/config.h"
#include "mock-provider/provider.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base[] = "mock:\n"
                           "  deployments:\n"
                           "    - name: a\n"
                           "      listen: 127.0.0.1:0\n"
                           "      latency: {ttft: 80ms}\n"
                           "      limits: {rpm: 60}\n"
                           "      faults: [{kind: stall, duration: 1s, first: 2}]\n";

static mp_config_t *current(void)
{
    static mp_config_t cfg;
    static int loaded;
    if (!loaded) {
        cm_conf_t conf;
        cm_err_t err;
        mp_config_init(&cfg);
        if (cm_conf_load_string(&conf, "base.yaml", base, strlen(base), &err) != 0 ||
            mp_config_load(&cfg, &conf, &err) != 0)
            abort();
        cm_conf_free(&conf);
        cfg.deps[0].ops = mp_provider_for(cfg.deps[0].provider);
        loaded = 1;
    }
    return &cfg;
}

static bool says_where(const char *msg)
{
    return strncmp(msg, "body", 4) == 0 || strncmp(msg, "current configuration", 21) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const mp_admin_op_t ops[] = {MP_ADMIN_PATCH, MP_ADMIN_PUT, MP_ADMIN_FAULTS_PUT};
    if (size == 0)
        return 0;
    mp_admin_op_t op = ops[data[0] % 3];
    mp_deployment_t d, again;
    mp_admin_kept_t same;
    cm_err_t err;
    memset(&d, 0, sizeof(d));
    memset(&err, 0, sizeof(err));
    const mp_deployment_t *cur = &current()->deps[0];
    if (mp_admin_build(cur, 0, op, (const char *)data + 1, size - 1, &d, &same, &err) != 0) {
        if (!says_where(err.msg) || d.name != NULL)
            abort();
        return 0;
    }
    if (strcmp(d.name, "a") != 0 || d.provider != cur->provider || d.ops != cur->ops || d.source == NULL)
        abort();
    if (mp_admin_build(&d, 0, MP_ADMIN_PATCH, "{}", 2, &again, &same, &err) != 0 || !same.limits || !same.faults)
        abort();
    mp_deployment_free(&again);
    mp_deployment_free(&d);
    return 0;
}
