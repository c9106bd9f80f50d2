/* harness/measure/phase.c — laying phases out on the run's clock and naming the spans expectations compare. */
#include "harness/measure/phase.h"

#include <stdio.h>
#include <string.h>

#include "common/units.h"

int hx_phases_find(const hx_phases_t *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++)
        if (strcmp(ps->p[i].name, name) == 0)
            return (int)i;
    return -1;
}

uint64_t hx_phases_total(const hx_phases_t *ps)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < ps->n; i++)
        sum += ps->p[i].dur_ns;
    return sum;
}

int hx_phases_layout(hx_phases_t *ps, uint64_t total_ns, uint64_t interval_ns, char *err, size_t errlen)
{
    if (ps->n == 0)
        return 0;
    uint64_t sum = hx_phases_total(ps);
    uint64_t total_iv = total_ns / interval_ns;
    if (total_ns % interval_ns != 0 || total_iv < ps->n) {
        char d[32], iv[32];
        snprintf(err, errlen, "a run of %s cannot hold %zu phases of whole intervals of %s",
                 cm_format_duration(d, sizeof(d), total_ns), ps->n, cm_format_duration(iv, sizeof(iv), interval_ns));
        return -1;
    }
    uint64_t at = 0;
    for (size_t i = 0; i < ps->n; i++) {
        hx_phase_t *p = &ps->p[i];
        uint64_t iv = p->dur_ns / interval_ns;
        if (sum != total_ns) {
            /* scaled, rounded to the nearest interval, leaving one for every phase after this one */
            double share = (double)p->dur_ns / (double)sum * (double)total_iv;
            iv = (uint64_t)(share + 0.5);
        }
        uint64_t left = total_iv - at / interval_ns;
        uint64_t after = ps->n - 1 - i;
        if (iv < 1)
            iv = 1;
        if (iv > left - after)
            iv = left - after;
        if (i + 1 == ps->n)
            iv = left;
        p->start_ns = at;
        p->end_ns = at + iv * interval_ns;
        at = p->end_ns;
    }
    return 0;
}

int hx_phases_at(const hx_phases_t *ps, uint64_t t_ns)
{
    for (size_t i = 0; i < ps->n; i++)
        if (t_ns < ps->p[i].end_ns)
            return (int)i;
    return ps->n > 0 ? (int)ps->n - 1 : -1;
}

void hx_span_ref_times(const hx_span_ref_t *r, const hx_phases_t *ps, uint64_t *start_ns, uint64_t *end_ns)
{
    if (r->phase >= 0 && (size_t)r->phase < ps->n) {
        *start_ns = ps->p[r->phase].start_ns;
        /* the last phase also holds the drain after the planned end */
        *end_ns = (size_t)r->phase + 1 == ps->n ? UINT64_MAX : ps->p[r->phase].end_ns;
        return;
    }
    *start_ns = r->start_ns;
    *end_ns = r->end_ns;
}

int hx_span_ref_parse(const char *s, const hx_phases_t *ps, hx_span_ref_t *r, char *err, size_t errlen)
{
    const char *dots = strstr(s, "..");
    if (dots == NULL) {
        int i = hx_phases_find(ps, s);
        if (i < 0) {
            if (ps->n == 0)
                snprintf(err, errlen, "\"%s\" is neither a time range (\"0s..60s\") nor a phase (load.phases has none)",
                         s);
            else
                snprintf(err, errlen, "\"%s\" is neither a time range (\"0s..60s\") nor one of the %zu phases", s,
                         ps->n);
            return -1;
        }
        *r = (hx_span_ref_t){.phase = i};
        return 0;
    }
    char a[64], why[160];
    size_t alen = (size_t)(dots - s);
    if (alen >= sizeof(a) || strlen(dots + 2) >= sizeof(a)) {
        snprintf(err, errlen, "time range \"%.80s\" is too long", s);
        return -1;
    }
    memcpy(a, s, alen);
    a[alen] = '\0';
    *r = (hx_span_ref_t){.phase = -1, .start_ns = 0, .end_ns = UINT64_MAX};
    if (alen > 0 && cm_parse_duration(a, &r->start_ns, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "time range \"%s\": %s", s, why);
        return -1;
    }
    if (dots[2] != '\0' && cm_parse_duration(dots + 2, &r->end_ns, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "time range \"%s\": %s", s, why);
        return -1;
    }
    if (r->end_ns <= r->start_ns) {
        snprintf(err, errlen, "time range \"%s\" ends before it starts", s);
        return -1;
    }
    return 0;
}

char *hx_span_ref_describe(const hx_span_ref_t *r, const hx_phases_t *ps, char *buf, size_t n)
{
    if (r->phase >= 0 && (size_t)r->phase < ps->n) {
        snprintf(buf, n, "%s", ps->p[r->phase].name);
        return buf;
    }
    char a[32] = "", b[32] = "";
    if (r->start_ns > 0)
        cm_format_duration(a, sizeof(a), r->start_ns);
    if (r->end_ns != UINT64_MAX)
        cm_format_duration(b, sizeof(b), r->end_ns);
    snprintf(buf, n, "%s..%s", a, b);
    return buf;
}
