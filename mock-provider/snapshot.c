#include "mock-provider/snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "faults/fault.h"
#include "mock-provider/config.h"
#include "mock-provider/quota/quota.h"

static mp_snap_t *snap_new(void)
{
    mp_snap_t *s = cm_xcalloc(1, sizeof(*s));
    atomic_init(&s->refs, 1);
    atomic_init(&s->adopted, 0);
    s->version = 1;
    return s;
}

static mp_quota_ref_t *quota_ref(struct mp_quota *q, bool owned)
{
    if (q == NULL)
        return NULL;
    mp_quota_ref_t *r = cm_xcalloc(1, sizeof(*r));
    atomic_init(&r->refs, 1);
    r->q = q;
    r->owned = owned;
    return r;
}

static void quota_release(mp_quota_ref_t *r)
{
    if (r == NULL || atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (r->owned)
        mp_quota_destroy(r->q);
    free(r);
}

static mp_faults_ref_t *faults_ref(struct fx_set *set, bool owned)
{
    if (set == NULL)
        return NULL;
    mp_faults_ref_t *r = cm_xcalloc(1, sizeof(*r));
    atomic_init(&r->refs, 1);
    r->set = set;
    r->owned = owned;
    return r;
}

static void faults_release(mp_faults_ref_t *r)
{
    if (r == NULL || atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (r->owned) {
        fx_set_free(r->set);
        free(r->set);
    }
    free(r);
}

mp_snap_t *mp_snap_borrow(const mp_deployment_t *d)
{
    mp_snap_t *s = snap_new();
    s->dep = *d;
    s->quota = quota_ref(d->quota, false);
    s->faults = faults_ref(d->faults, false);
    return s;
}

mp_snap_t *mp_snap_own(mp_deployment_t *d, mp_quota_ref_t *quota, mp_faults_ref_t *faults)
{
    mp_snap_t *s = snap_new();
    s->owned = true;
    s->dep = *d;
    memset(d, 0, sizeof(*d));
    if (quota != NULL) {
        atomic_fetch_add_explicit(&quota->refs, 1, memory_order_relaxed);
        s->quota = quota;
        s->dep.quota = quota->q;
    } else {
        s->quota = quota_ref(s->dep.quota, true);
    }
    if (faults != NULL) {
        if (s->dep.faults != NULL) {
            fx_set_free(s->dep.faults);
            free(s->dep.faults);
        }
        atomic_fetch_add_explicit(&faults->refs, 1, memory_order_relaxed);
        s->faults = faults;
        s->dep.faults = faults->set;
    } else {
        s->faults = faults_ref(s->dep.faults, true);
    }
    return s;
}

void mp_snap_release(mp_snap_t *s)
{
    if (s == NULL || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    quota_release(s->quota);
    faults_release(s->faults);
    if (s->owned) {
        s->dep.quota = NULL;
        s->dep.faults = NULL;
        mp_deployment_free(&s->dep);
    }
    free(s);
}

mp_snap_hold_t *mp_snap_hold(mp_snap_t *s)
{
    mp_snap_hold_t *h = cm_xmalloc(sizeof(*h));
    h->snap = s;
    h->holders = 1;
    return h;
}

void mp_snap_hold_put(mp_snap_hold_t *h)
{
    if (h == NULL || --h->holders > 0)
        return;
    mp_snap_release(h->snap);
    free(h);
}
