/* harness/measure/collector.c — per-interval merging of the threads' stats, the JSONL time series, the cumulative
 * totals, the first/last drift windows and the downsampled timeline the HTML report draws.
 *
 * Engine threads submit their interval stats into a small ring of pending intervals (indexed by interval
 * number) under a mutex taken about once per second per thread. The main thread closes intervals in order
 * once they are due, writes each as one JSONL line, flushes it (so a killed run keeps every closed second)
 * and folds it into the totals. Memory is fixed: HX_PENDING pending intervals, the totals, and a ring of at
 * most HX_DRIFT_SLOTS buckets for the last drift window and HX_TIMELINE_POINTS timeline points, however long
 * the run. */
#include "harness/measure/collector.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/clock.h"
#include "harness/measure/series.h"
#include "harness/measure/timeline.h"

/* Intervals that may be open at once. Threads run at most a second or two ahead of the main thread's
 * closing; a thread further ahead than this is folded into the newest open interval rather than lost. */
#define HX_PENDING 8
/* Buckets kept for the last drift window. With the defaults (60 s window, 1 s intervals) one bucket is one
 * interval; longer windows put several intervals in a bucket, so the window is quantised to buckets. */
#define HX_DRIFT_SLOTS 64 /* plus one, see drift_setup */
#define HX_DEFAULT_DRIFT_NS (60ull * CM_NS_PER_S)

#define HX_COLLECTOR_MAX_GROUPS 8

typedef struct pending {
    hx_stats_t stats;
    hx_stats_t *groups; /* ngroups of them, or NULL */
    hx_stats_t *warm;   /* the warm-up's requests (warm-up by count), or NULL */
    uint64_t index;
    uint64_t inflight_sum; /* the submitters' in-flight maxima, summed: the threads ran concurrently */
    bool used;
} pending_t;

typedef struct span {
    uint64_t start_ns, end_ns; /* from the run's start */
    int group;                 /* -1: every request; else that group's */
    bool used;                 /* an interval closed in it */
    hx_stats_t *stats;
} span_t;

typedef struct drift {
    uint64_t window_ns;
    uint64_t first_intervals; /* intervals [0, first_intervals) make up the first window */
    bool have_first;
    hx_stats_t first;
    uint64_t per_bucket; /* intervals per bucket of the last window */
    uint32_t nbuckets;
    hx_stats_t *buckets;
    uint64_t *bucket_group; /* group number + 1 held by each bucket; 0 = empty */
    uint64_t last_group;
    bool have_last;
    bool lastwin_dirty;
    hx_stats_t lastwin; /* merged on demand from the buckets */
} drift_t;

struct hx_collector {
    pthread_mutex_t lock;
    uint64_t start_ns, wall_start_ms, interval_ns;
    FILE *series;
    int series_errno;
    /* Guarded by lock: */
    pending_t pending[HX_PENDING];
    uint64_t next_close; /* the oldest interval not closed yet */
    uint64_t max_seen;   /* the highest interval anything was submitted to */
    bool any_seen;
    /* Main thread only: */
    hx_stats_t closing;
    hx_stats_t total;
    hx_stats_t last;
    bool have_last;
    hx_stats_t everything; /* total plus the excluded phases */
    uint64_t included;     /* closed intervals not in an excluded phase: the drift windows' clock */
    const hx_phases_t *phases;
    const char *const *group_names;
    size_t ngroups;
    hx_stats_t *closing_groups; /* ngroups */
    hx_stats_t *group_totals;   /* ngroups */
    hx_stats_t *closing_warm, *warm_total; /* warm-up by count, or NULL */
    span_t spans[HX_COLLECTOR_MAX_SPANS];
    int nspans;
    drift_t *drift; /* a pointer so the lazily merged last window can be filled behind a const collector */
    hx_timeline_t *timeline;
    cm_buf_t line;
};

static void drift_setup(drift_t *d, uint64_t window_ns, uint64_t interval_ns)
{
    free(d->buckets);
    free(d->bucket_group);
    d->window_ns = window_ns;
    uint64_t nint = (window_ns + interval_ns - 1) / interval_ns;
    if (nint == 0)
        nint = 1;
    d->first_intervals = nint;
    d->per_bucket = (nint + HX_DRIFT_SLOTS - 1) / HX_DRIFT_SLOTS;
    /* One bucket more than the window needs: the run's last interval is usually cut short, and the window
     * then reaches one bucket further back to still cover window_ns. */
    d->nbuckets = (uint32_t)((nint + d->per_bucket - 1) / d->per_bucket) + 1;
    d->buckets = cm_xcalloc(d->nbuckets, sizeof(*d->buckets));
    d->bucket_group = cm_xcalloc(d->nbuckets, sizeof(*d->bucket_group));
    d->have_first = d->have_last = false;
    d->lastwin_dirty = true;
    hx_stats_init(&d->first);
    hx_stats_init(&d->lastwin);
}

hx_collector_t *hx_collector_new(uint64_t start_ns, uint64_t wall_start_ms, uint64_t interval_ns, FILE *series)
{
    hx_collector_t *c = cm_xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    c->start_ns = start_ns;
    c->wall_start_ms = wall_start_ms;
    c->interval_ns = interval_ns > 0 ? interval_ns : CM_NS_PER_S;
    c->series = series;
    for (int i = 0; i < HX_PENDING; i++)
        hx_stats_init(&c->pending[i].stats);
    hx_stats_init(&c->closing);
    hx_stats_init(&c->total);
    hx_stats_init(&c->everything);
    hx_stats_init(&c->last);
    c->drift = cm_xcalloc(1, sizeof(*c->drift));
    drift_setup(c->drift, HX_DEFAULT_DRIFT_NS, c->interval_ns);
    c->timeline = hx_timeline_new();
    return c;
}

void hx_collector_free(hx_collector_t *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->lock);
    free(c->drift->buckets);
    free(c->drift->bucket_group);
    free(c->drift);
    hx_timeline_free(c->timeline);
    cm_buf_free(&c->line);
    for (int i = 0; i < c->nspans; i++)
        free(c->spans[i].stats);
    for (int i = 0; i < HX_PENDING; i++) {
        free(c->pending[i].groups);
        free(c->pending[i].warm);
    }
    free(c->closing_warm);
    free(c->warm_total);
    free(c->closing_groups);
    free(c->group_totals);
    free(c);
}

void hx_collector_set_drift_window(hx_collector_t *c, uint64_t window_ns)
{
    drift_setup(c->drift, window_ns > 0 ? window_ns : HX_DEFAULT_DRIFT_NS, c->interval_ns);
}

void hx_collector_set_phases(hx_collector_t *c, const hx_phases_t *ps)
{
    c->phases = ps;
    for (size_t i = 0; i < ps->n; i++) {
        const hx_phase_t *p = &ps->p[i];
        /* the last phase also holds the drain after the planned end */
        (void)hx_collector_add_span(c, p->start_ns, i + 1 == ps->n ? UINT64_MAX : p->end_ns);
    }
}

void hx_collector_set_groups(hx_collector_t *c, const char *const *names, size_t n)
{
    if (n > HX_COLLECTOR_MAX_GROUPS)
        n = HX_COLLECTOR_MAX_GROUPS;
    c->group_names = names;
    c->ngroups = n;
    for (int i = 0; i < HX_PENDING; i++) {
        c->pending[i].groups = cm_xcalloc(n, sizeof(hx_stats_t));
        for (size_t g = 0; g < n; g++)
            hx_stats_init(&c->pending[i].groups[g]);
    }
    c->closing_groups = cm_xcalloc(n, sizeof(hx_stats_t));
    c->group_totals = cm_xcalloc(n, sizeof(hx_stats_t));
    for (size_t g = 0; g < n; g++) {
        hx_stats_init(&c->closing_groups[g]);
        hx_stats_init(&c->group_totals[g]);
    }
}

/* Allocated only when asked for: a stats block is about half a megabyte, ten of them per collector. */
static hx_stats_t *new_stats(void)
{
    hx_stats_t *s = cm_xmalloc(sizeof(*s));
    hx_stats_init(s);
    return s;
}

void hx_collector_set_warmup(hx_collector_t *c)
{
    if (c->warm_total != NULL)
        return;
    for (int i = 0; i < HX_PENDING; i++)
        c->pending[i].warm = new_stats();
    c->closing_warm = new_stats();
    c->warm_total = new_stats();
}

const hx_stats_t *hx_collector_warmup(const hx_collector_t *c)
{
    return c->warm_total;
}

const hx_stats_t *hx_collector_group_total(const hx_collector_t *c, int g)
{
    return g >= 0 && (size_t)g < c->ngroups ? &c->group_totals[g] : NULL;
}

int hx_collector_add_span(hx_collector_t *c, uint64_t start_ns, uint64_t end_ns)
{
    return hx_collector_add_group_span(c, start_ns, end_ns, -1);
}

int hx_collector_add_group_span(hx_collector_t *c, uint64_t start_ns, uint64_t end_ns, int group)
{
    if (group >= 0 && (size_t)group >= c->ngroups)
        return -1;
    for (int i = 0; i < c->nspans; i++)
        if (c->spans[i].start_ns == start_ns && c->spans[i].end_ns == end_ns && c->spans[i].group == group)
            return i;
    if (c->nspans == HX_COLLECTOR_MAX_SPANS)
        return -1;
    span_t *sp = &c->spans[c->nspans];
    sp->start_ns = start_ns;
    sp->end_ns = end_ns;
    sp->group = group;
    sp->used = false;
    sp->stats = cm_xmalloc(sizeof(*sp->stats));
    hx_stats_init(sp->stats);
    return c->nspans++;
}

const hx_stats_t *hx_collector_span(const hx_collector_t *c, int id)
{
    return id >= 0 && id < c->nspans && c->spans[id].used ? c->spans[id].stats : NULL;
}

const hx_stats_t *hx_collector_everything(const hx_collector_t *c)
{
    return &c->everything;
}

int hx_collector_series_errno(const hx_collector_t *c)
{
    return c->series_errno;
}

/* ---- submit (engine threads) ------------------------------------------------------------------------ */

void hx_collector_submit(hx_collector_t *c, hx_stats_t *s, uint64_t now_ns)
{
    hx_collector_submit_groups(c, s, NULL, now_ns);
}

void hx_collector_submit_groups(hx_collector_t *c, hx_stats_t *s, hx_stats_t *groups, uint64_t now_ns)
{
    hx_collector_submit_all(c, s, groups, NULL, now_ns);
}

void hx_collector_submit_all(hx_collector_t *c, hx_stats_t *s, hx_stats_t *groups, hx_stats_t *warm, uint64_t now_ns)
{
    uint64_t idx = s->start_ns > c->start_ns ? (s->start_ns - c->start_ns) / c->interval_ns : 0;
    if (now_ns > s->end_ns)
        s->end_ns = now_ns;
    pthread_mutex_lock(&c->lock);
    /* An interval already closed cannot be reopened (its line is written): a late submit goes to the
     * oldest open interval, so the totals stay exact and only its place in the series moves. */
    if (idx < c->next_close)
        idx = c->next_close;
    if (idx >= c->next_close + HX_PENDING)
        idx = c->next_close + HX_PENDING - 1;
    pending_t *p = &c->pending[idx % HX_PENDING];
    if (!p->used) {
        hx_stats_reset(&p->stats, c->start_ns + idx * c->interval_ns);
        for (size_t g = 0; g < c->ngroups; g++)
            hx_stats_reset(&p->groups[g], c->start_ns + idx * c->interval_ns);
        if (p->warm != NULL)
            hx_stats_reset(p->warm, c->start_ns + idx * c->interval_ns);
        p->index = idx;
        p->inflight_sum = 0;
        p->used = true;
    }
    hx_stats_merge(&p->stats, s);
    for (size_t g = 0; groups != NULL && g < c->ngroups; g++)
        hx_stats_merge(&p->groups[g], &groups[g]);
    if (warm != NULL && p->warm != NULL)
        hx_stats_merge(p->warm, warm);
    p->inflight_sum += s->inflight_max;
    if (!c->any_seen || idx > c->max_seen)
        c->max_seen = idx;
    c->any_seen = true;
    pthread_mutex_unlock(&c->lock);
    hx_stats_reset(s, now_ns);
    for (size_t g = 0; groups != NULL && g < c->ngroups; g++)
        hx_stats_reset(&groups[g], now_ns);
    if (warm != NULL)
        hx_stats_reset(warm, now_ns);
}

/* ---- JSONL series ----------------------------------------------------------------------------------- */

static void write_line(hx_collector_t *c, const hx_stats_t *s, uint64_t inflight, int phase)
{
    hx_series_line_t l = {s,
                          c->start_ns,
                          c->wall_start_ms,
                          phase >= 0 ? &c->phases->p[phase] : NULL,
                          inflight,
                          c->group_names,
                          c->closing_groups,
                          c->ngroups,
                          c->closing_warm};
    cm_buf_reset(&c->line);
    hx_series_format(&c->line, &l);
    if (c->series == NULL || c->series_errno != 0)
        return;
    /* Flushed line by line: a run killed with -9 keeps every interval closed before it died. */
    if (fwrite(c->line.data, 1, c->line.len, c->series) != c->line.len || fflush(c->series) != 0)
        c->series_errno = errno != 0 ? errno : EIO;
}

/* ---- closing (main thread) -------------------------------------------------------------------------- */

static void drift_add(drift_t *d, uint64_t idx, const hx_stats_t *s)
{
    if (idx < d->first_intervals) {
        hx_stats_merge(&d->first, s);
        d->have_first = true;
    }
    uint64_t group = idx / d->per_bucket;
    uint32_t slot = (uint32_t)(group % d->nbuckets);
    if (d->bucket_group[slot] != group + 1) {
        hx_stats_init(&d->buckets[slot]);
        d->bucket_group[slot] = group + 1;
    }
    hx_stats_merge(&d->buckets[slot], s);
    d->last_group = group;
    d->have_last = true;
    d->lastwin_dirty = true;
}

/* Takes interval idx out of the pending ring into c->closing (an empty interval when nothing was
 * submitted: a second in which no thread reported still gets its line). */
static uint64_t take_pending(hx_collector_t *c, uint64_t idx)
{
    uint64_t inflight_sum = 0;
    pthread_mutex_lock(&c->lock);
    pending_t *p = &c->pending[idx % HX_PENDING];
    if (p->used && p->index == idx) {
        memcpy(&c->closing, &p->stats, sizeof(c->closing));
        for (size_t g = 0; g < c->ngroups; g++)
            memcpy(&c->closing_groups[g], &p->groups[g], sizeof(hx_stats_t));
        if (p->warm != NULL)
            memcpy(c->closing_warm, p->warm, sizeof(hx_stats_t));
        inflight_sum = p->inflight_sum;
        p->used = false;
    } else {
        hx_stats_reset(&c->closing, 0);
        for (size_t g = 0; g < c->ngroups; g++)
            hx_stats_reset(&c->closing_groups[g], 0);
        if (c->closing_warm != NULL)
            hx_stats_reset(c->closing_warm, 0);
    }
    c->next_close = idx + 1;
    pthread_mutex_unlock(&c->lock);
    return inflight_sum;
}

static void close_one(hx_collector_t *c, uint64_t idx, bool final, uint64_t inflight)
{
    hx_stats_t *s = &c->closing;
    uint64_t inflight_sum = take_pending(c, idx);
    uint64_t submitted_end = s->end_ns;
    s->start_ns = c->start_ns + idx * c->interval_ns;
    s->end_ns = s->start_ns + c->interval_ns;
    /* The run's last interval is usually cut short: its rate is over the time it really covered. */
    if (final && submitted_end > s->start_ns && submitted_end < s->end_ns)
        s->end_ns = submitted_end;
    s->inflight_max = inflight_sum > inflight ? inflight_sum : inflight;
    uint64_t t = s->start_ns - c->start_ns;
    int phase = c->phases != NULL ? hx_phases_at(c->phases, t) : -1;
    bool excluded = phase >= 0 && c->phases->p[phase].exclude;
    write_line(c, s, inflight, phase);
    for (size_t g = 0; g < c->ngroups; g++) { /* the interval's own span, as for the run's */
        c->closing_groups[g].start_ns = s->start_ns;
        c->closing_groups[g].end_ns = s->end_ns;
    }
    for (int i = 0; i < c->nspans; i++) {
        span_t *sp = &c->spans[i];
        if (t >= sp->start_ns && t < sp->end_ns) {
            hx_stats_merge(sp->stats, sp->group < 0 ? s : &c->closing_groups[sp->group]);
            sp->used = true;
        }
    }
    hx_stats_merge(&c->everything, s);
    if (c->warm_total != NULL) {
        hx_stats_merge(&c->everything, c->closing_warm);
        hx_stats_merge(c->warm_total, c->closing_warm);
    }
    for (size_t g = 0; g < c->ngroups && !excluded; g++)
        hx_stats_merge(&c->group_totals[g], &c->closing_groups[g]);
    if (!excluded) {
        uint64_t run_inflight_max = c->total.inflight_max;
        hx_stats_merge(&c->total, s);
        c->total.inflight_max = s->inflight_max > run_inflight_max ? s->inflight_max : run_inflight_max;
        drift_add(c->drift, c->included++, s);
    }
    memcpy(&c->last, s, sizeof(c->last));
    c->have_last = true;
    hx_timeline_add(c->timeline, s, (double)(s->start_ns - c->start_ns) / 1e9, (double)(s->end_ns - c->start_ns) / 1e9);
}

int hx_collector_close_due(hx_collector_t *c, uint64_t now_ns, uint64_t grace_ns, uint64_t inflight)
{
    pthread_mutex_lock(&c->lock);
    uint64_t next = c->next_close, max_seen = c->max_seen;
    bool any = c->any_seen;
    pthread_mutex_unlock(&c->lock);
    bool final = now_ns == UINT64_MAX;
    uint64_t due; /* intervals [0, due) may be closed */
    if (final)
        due = any && max_seen + 1 > next ? max_seen + 1 : next;
    else if (now_ns < c->start_ns || now_ns - c->start_ns < grace_ns)
        due = 0;
    else
        due = (now_ns - c->start_ns - grace_ns) / c->interval_ns;
    int closed = 0;
    for (uint64_t idx = next; idx < due; idx++, closed++)
        close_one(c, idx, final && idx + 1 == due, inflight);
    return closed;
}

/* ---- readers ---------------------------------------------------------------------------------------- */

const hx_stats_t *hx_collector_total(const hx_collector_t *c)
{
    return &c->total;
}

const hx_stats_t *hx_collector_last(const hx_collector_t *c)
{
    return c->have_last ? &c->last : NULL;
}

const hx_timeline_t *hx_collector_timeline(const hx_collector_t *c)
{
    return c->timeline;
}

const hx_stats_t *hx_collector_first_window(const hx_collector_t *c)
{
    return c->drift->have_first ? &c->drift->first : NULL;
}

/* Merges buckets from the newest back until they cover window_ns of time (or the ring is exhausted). */
static void merge_last_window(drift_t *d)
{
    uint64_t covered = 0;
    hx_stats_init(&d->lastwin);
    for (uint64_t k = 0; k < d->nbuckets && k <= d->last_group && covered < d->window_ns; k++) {
        uint64_t g = d->last_group - k;
        const hx_stats_t *b = &d->buckets[g % d->nbuckets];
        if (d->bucket_group[g % d->nbuckets] != g + 1)
            break;
        hx_stats_merge(&d->lastwin, b);
        covered += b->end_ns > b->start_ns ? b->end_ns - b->start_ns : 0;
    }
    d->lastwin_dirty = false;
}

const hx_stats_t *hx_collector_last_window(const hx_collector_t *c)
{
    drift_t *d = c->drift;
    if (!d->have_last)
        return NULL;
    if (d->lastwin_dirty)
        merge_last_window(d);
    return &d->lastwin;
}
