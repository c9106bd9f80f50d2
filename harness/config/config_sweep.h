/* harness/config/config_sweep.h — `load.arrival: {sweep: {...}}`: a scenario whose load is a sweep (soak sweep's
 * synchronous run, throughput run and N constant rates) instead of one run. `soak run FILE` starts the file's
 * mock, services, proxies and gateway as usual and then runs the sweep against its target (harness/capacity,
 * cap_scenario.c). The keys mirror soak sweep's flags, with the same defaults and bounds (defined here, where
 * both the file's reader and the flags' find them):
 *
 *   load:
 *     arrival:
 *       sweep: {rates: 8, saturation_users: 128, probe_duration: 10s, probe_warmup: 2s, poisson: false,
 *               settle: 30s}
 *
 * Reference: docs/scenarios.md (the key), docs/capacity.md (the sweep). */
#ifndef HX_CONFIG_SWEEP_H
#define HX_CONFIG_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"
#include "harness/config/config_find.h" /* a probe's length, warm-up and settle: HX_CAP_* */

#define HX_SWEEP_DEFAULT_RATES 8
#define HX_SWEEP_MAX_RATES 50
#define HX_SWEEP_DEFAULT_USERS 128
#define HX_SWEEP_MAX_USERS 100000
/* Expectations a sweep (or a scenario's knee search) judges every run on (its expect: list, as --slo), one slot
 * kept for the default failure_rate bound. */
#define HX_SWEEP_MAX_EXPECTS 15

typedef struct hx_sweep_cfg {
    bool set; /* load.arrival is {sweep: ...} */
    unsigned rates;
    uint32_t saturation_users;
    uint64_t duration_ns, warmup_ns, settle_ns;
    bool poisson;
    const cm_node_t *node; /* load.arrival.sweep, for messages (valid while the file's cm_conf_t lives) */
} hx_sweep_cfg_t;

/* Reads the map n of load.arrival.sweep into s (defaults for the keys not given). Returns 0, or -1 with
 * "file:line:col: load.arrival.sweep.KEY: reason" in err. */
int hx_cfg_load_sweep(hx_sweep_cfg_t *s, const cm_conf_t *conf, const cm_node_t *n, cm_err_t *err);

#endif
