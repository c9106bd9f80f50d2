/* A scenario's sweep under `soak run` (load.arrival: {sweep: ...}): the same sweep as `soak sweep`, its settings
 * from the file's keys instead of flags, its runs built from the scenario soak run read (with the target it filled
 * in) and watched with the processes it started, its reports in the scenario's report directory. */
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "harness/capacity/sweep.h"
#include "harness/run/run.h"

/* The file's expect: list judges every run, as soak sweep's --slo does; failure_rate <= 1% is added unless one
 * bounds failure_rate (a latency percentile counts only the successes). */
static void slos_of(hx_find_opts_t *o, const hx_cfg_t *c)
{
    bool bounds_failures = false;
    for (size_t i = 0; i < c->nexpects && i < HX_SWEEP_MAX_EXPECTS; i++) {
        o->slos[o->nslos++] = c->expects[i];
        bounds_failures = bounds_failures || strcmp(c->expects[i].metric, "failure_rate") == 0;
    }
    if (!bounds_failures) {
        hx_expect_default(&o->slos[o->nslos++]);
        o->default_failure_slo = true;
    }
}

int hx_cap_scenario_sweep(const hx_runner_env_t *env)
{
    const hx_cfg_t *c = env->cfg;
    const hx_sweep_cfg_t *sw = &c->sweep;
    hx_find_opts_t *o = cm_xcalloc(1, sizeof(*o)); /* every SLO and load flag: not for the stack */
    size_t jlen = strlen(c->report_dir) + 16;
    char *json = cm_xmalloc(jlen);
    hx_probe_hooks_t hooks = {env->load, env->check, env->ctx};
    static const char *const poisson[] = {"--poisson"};
    snprintf(json, jlen, "%s/sweep.json", c->report_dir);
    o->cmd = HX_CAP_SWEEP;
    o->duration_ns = sw->duration_ns;
    o->warmup_ns = sw->warmup_ns;
    o->settle_ns = sw->settle_ns;
    o->nrates = sw->rates;
    o->sat_users = sw->saturation_users;
    o->poisson = sw->poisson;
    if (sw->poisson) { /* the open-loop runs draw Poisson gaps; the closed loops leave the flag out (probe.c) */
        o->load_args[0] = poisson[0];
        o->nload_args = 1;
    }
    slos_of(o, c);
    o->seed = c->seed;
    snprintf(o->target, sizeof(o->target), "%s", c->target);
    o->reports_dir = c->report_dir;
    o->json_path = json;
    o->hooks = &hooks;
    fprintf(env->err_out, "soak run: %s: the load is a sweep (load.arrival.sweep); reports in %s\n", env->file,
            c->report_dir);
    int rc = hx_sweep_run(o, env->out, env->err_out);
    free(json);
    free(o);
    return rc;
}
