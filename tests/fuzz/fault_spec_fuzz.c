/* tests/fuzz/fault_spec_fuzz.c — the fault spec reader (faults/fault.h) on arbitrary YAML or JSON: a spec is
 * either refused with an error that has a position or read into a set whose every fault satisfies the bounds
 * the reader promises; then a few requests are picked against it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faults/fault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_fault(const fx_fault_t *f)
{
    if (f->kind >= FX_KIND_COUNT || f->nroutes > FX_MAX_LIST || f->nmodels > FX_MAX_LIST || f->nkeys > FX_MAX_LIST)
        abort();
    if (f->duration_ns > FX_MAX_DURATION_NS || f->every_ns > FX_MAX_DURATION_NS ||
        f->retry_after_ns > FX_MAX_DURATION_NS || f->max_age_ns > FX_MAX_DURATION_NS)
        abort();
    if (f->window_to <= f->window_from || (f->window_to != UINT64_MAX && f->window_to > FX_MAX_DURATION_NS))
        abort();
    if (f->kind == FX_HTTP_ERROR && (f->status < 400 || f->status > 599))
        abort();
    if (f->name != NULL && (strlen(f->name) == 0 || strlen(f->name) > FX_MAX_NAME))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cm_conf_t conf;
    cm_err_t err;
    fx_set_t set;
    if (cm_conf_load_string(&conf, "fuzz.yaml", (const char *)data, size, &err) != 0 || conf.root == NULL ||
        conf.root->type != CM_NODE_MAP) {
        cm_conf_free(&conf);
        return 0;
    }
    memset(&err, 0, sizeof(err));
    if (fx_parse(&conf, cm_conf_get(conf.root, "faults"), "faults", 7, &set, &err) != 0) {
        if (strncmp(err.msg, "fuzz.yaml:", 10) != 0 || set.n != 0)
            abort();
    } else {
        if (set.n > FX_MAX_FAULTS)
            abort();
        for (size_t i = 0; i < set.n; i++)
            check_fault(&set.faults[i]);
        fx_request_t r = {{"chat", 4}, {"m", 1}, {"", 0}, {NULL, 0}, 0};
        for (int i = 0; i < 8; i++) {
            const fx_fault_t *f = fx_pick(&set, &r);
            if (f != NULL && (f < set.faults || f >= set.faults + set.n || !fx_kind_per_request(f->kind)))
                abort();
            r.since_start_ns += 60000000000ull;
        }
        fx_set_free(&set);
    }
    cm_conf_free(&conf);
    return 0;
}
