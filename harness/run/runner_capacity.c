/* harness/run/runner_capacity.c — `soak run` of a scenario whose load is a capacity command (load.arrival:
 * {sweep: ...} or {find: ...}): once the file's processes run, the command itself is handed to the plug the caller
 * gave (hx_runner_opts_t.sweep or .find: harness/capacity, which drives run/ and so cannot be called from here by
 * name). What the plug gets from here: the scenario as read, with what soak run filled in once its processes ran,
 * for every run; and the watch over those processes. */
#include "harness/run/runner_internal.h"

#include <string.h>

/* A run's configuration: the file again (its --set applied), with the target, the api: http paths and the
 * gateway's header that soak run filled in. Read afresh each time, since every run applies its own flags. */
static int scenario_cfg(void *ctx, hx_cfg_t *c, char *err, size_t errlen)
{
    const hx_runner_t *r = ctx;
    cm_err_t e;
    if (hx_cfg_load(c, &r->sc.conf, &e) != 0) {
        snprintf(err, errlen, "%s", e.msg);
        return -1;
    }
    c->target = r->cfg.target;
    c->targets = r->cfg.targets;
    c->ntargets = r->cfg.ntargets;
    c->target_err = NULL;
    for (size_t i = 0; i < c->npath_tmpls && i < r->cfg.npath_tmpls; i++)
        c->reqs[c->path_tmpls[i].req].path = hx_cfg_strdup(c, r->cfg.reqs[r->cfg.path_tmpls[i].req].path);
    c->path_err = NULL;
    if (r->portkey_header != NULL) {
        const char **h = cm_arena_alloc(&c->arena, (c->nheaders + 1) * sizeof(char *));
        if (c->nheaders > 0)
            memcpy(h, c->headers, c->nheaders * sizeof(char *));
        h[c->nheaders++] = hx_cfg_strdup(c, r->portkey_header);
        c->headers = h;
    }
    c->quiet = true;
    return 0;
}

int hx_runner_capacity(hx_runner_t *r)
{
    hx_runner_env_t env = {.cfg = &r->cfg,
                           .file = r->o->file,
                           .load = scenario_cfg,
                           .check = hx_runner_watch, /* the load's own watch (such a load has no timed changes) */
                           .ctx = r,
                           .out = r->out,
                           .err_out = r->err_out};
    const char *noun;
    hx_cfg_capacity(&r->cfg, &noun);
    int rc = (r->cfg.find.set ? r->o->find : r->o->sweep)(&env);
    if (r->died > 0) {
        const hx_child_t *c = &r->children[r->died - 1];
        char tail[4096] = "", how[96];
        hx_child_tail(c, tail, sizeof(tail));
        fprintf(r->err_out, "soak run: %s (pid %d) %s during the %s; the end of its log (%s):%s\n", c->name,
                (int)c->pid, hx_child_describe(c, how, sizeof(how)), noun, c->log, tail);
        return HX_EXIT_FAIL; /* as a process that dies during one load */
    }
    return rc;
}
