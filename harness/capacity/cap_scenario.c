/* A scenario's sweep or knee search under `soak run` (load.arrival: {sweep: ...} or {find: ...}): the same sweep
 * as `soak sweep`, the same search as `soak find`, their settings from the file's keys instead of flags, their
 * runs built from the scenario soak run read (with the target it filled in) and watched with the processes it
 * started, their reports in the scenario's report directory. */
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "harness/capacity/sweep.h"
#include "harness/run/run.h"

/* The file's expect: list judges every run, as --slo does; failure_rate <= 1% is added unless one bounds
 * failure_rate (a latency percentile counts only the successes). */
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

/* A sweep's or a search's options, with the path of its JSON beside them: one allocation (large: every SLO and
 * load flag, not for the stack). */
typedef struct scenario_run {
    hx_find_opts_t o;
    char json[4096 + 16];
} scenario_run_t;

/* What a sweep and a search of the scenario share: the SLOs, the seed, the target, the reports in the report
 * directory with the JSON (sweep.json, find.json) among them, and soak run's hooks. The caller frees it. */
static scenario_run_t *scenario_opts(const hx_runner_env_t *env, hx_cap_cmd_t cmd, const hx_probe_hooks_t *hooks)
{
    const hx_cfg_t *c = env->cfg;
    scenario_run_t *run = cm_xcalloc(1, sizeof(*run));
    hx_find_opts_t *o = &run->o;
    snprintf(run->json, sizeof(run->json), "%s/%s.json", c->report_dir, cmd == HX_CAP_SWEEP ? "sweep" : "find");
    o->cmd = cmd;
    slos_of(o, c);
    o->seed = c->seed;
    snprintf(o->target, sizeof(o->target), "%s", c->target);
    o->reports_dir = c->report_dir;
    o->json_path = run->json;
    o->hooks = hooks;
    return run;
}

/* A flag every probe gets after the file's load (probe.c adds the rate or the users, the length and the seed). */
static void load_arg(hx_find_opts_t *o, const char *word)
{
    if (o->nload_args < HX_FIND_MAX_LOAD_ARGS)
        o->load_args[o->nload_args++] = word;
}

static int run_scenario(const hx_runner_env_t *env, scenario_run_t *run)
{
    const hx_find_opts_t *o = &run->o;
    const char *noun, *key = hx_cfg_capacity(env->cfg, &noun);
    fprintf(env->err_out, "soak run: %s: the load is a %s (load.arrival.%s); reports in %s\n", env->file, noun, key,
            env->cfg->report_dir);
    int rc = o->cmd == HX_CAP_SWEEP ? hx_sweep_run(o, env->out, env->err_out) : hx_find_run(o, env->out, env->err_out);
    free(run);
    return rc;
}

int hx_cap_scenario_sweep(const hx_runner_env_t *env)
{
    const hx_sweep_cfg_t *sw = &env->cfg->sweep;
    hx_probe_hooks_t hooks = {env->load, env->check, env->ctx};
    scenario_run_t *run = scenario_opts(env, HX_CAP_SWEEP, &hooks);
    hx_find_opts_t *o = &run->o;
    o->duration_ns = sw->duration_ns;
    o->warmup_ns = sw->warmup_ns;
    o->settle_ns = sw->settle_ns;
    o->nrates = sw->rates;
    o->sat_users = sw->saturation_users;
    o->poisson = sw->poisson;
    if (sw->poisson) /* the open-loop runs draw Poisson gaps; the closed loops leave the flag out (probe.c) */
        load_arg(o, "--poisson");
    return run_scenario(env, run);
}

int hx_cap_scenario_find(const hx_runner_env_t *env)
{
    const hx_find_settings_t *s = &env->cfg->find.s;
    hx_probe_hooks_t hooks = {env->load, env->check, env->ctx};
    scenario_run_t *run = scenario_opts(env, HX_CAP_FIND, &hooks);
    hx_find_opts_t *o = &run->o;
    hx_find_apply(o, s);
    o->poisson = s->poisson;
    if (s->poisson)
        load_arg(o, "--poisson");
    if (s->think != NULL) { /* the closed loops' think time (hx_cfg_load_find allows it over users only) */
        load_arg(o, "--think");
        load_arg(o, s->think);
    }
    return run_scenario(env, run);
}
