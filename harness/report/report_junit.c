/* harness/report/report_junit.c — the JUnit XML report (docs/json-summary.md "JUnit XML"): a testcase for the run
 * and one per expectation, the client's self-check as testsuite properties. Apart from report.c, which keeps the
 * progress line, the terminal table and the JSON summary. */
#include <errno.h>
#include <string.h>

#include "common/buf.h"
#include "harness/report/report.h"
#include "harness/report/report_client.h"
#include "harness/report/svg.h"

/* XML 1.0 allows no control characters other than tab, newline and carriage return, even escaped; they
 * become '?' so that a stray byte in a deployment name cannot make the whole report unreadable. So does a
 * byte that is not UTF-8 (the declaration says UTF-8): a long name cut by a fixed buffer ends mid-character. */
static void xml_escape(cm_buf_t *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)(s != NULL ? s : "");
    const unsigned char *end = u + strlen((const char *)u);
    while (u < end) {
        unsigned char c = *u;
        if (c >= 0x80) {
            size_t n = hx_xml_char_len(u, end);
            if (n > 0)
                cm_buf_append(b, u, n);
            else
                cm_buf_putc(b, '?');
            u += n > 0 ? n : 1;
            continue;
        }
        const char *ent = c == '&'    ? "&amp;"
                          : c == '<'  ? "&lt;"
                          : c == '>'  ? "&gt;"
                          : c == '"'  ? "&quot;"
                          : c == '\'' ? "&apos;"
                          : c == '\n' ? "&#10;"
                                      : NULL;
        if (ent != NULL)
            cm_buf_puts(b, ent);
        else
            cm_buf_putc(b, c < 0x20 && c != '\t' && c != '\r' ? '?' : (char)c);
        u++;
    }
}

static void junit_case(cm_buf_t *b, const char *cls, const char *name, double secs, const char *failure)
{
    cm_buf_puts(b, "    <testcase classname=\"");
    xml_escape(b, cls);
    cm_buf_puts(b, "\" name=\"");
    xml_escape(b, name);
    cm_buf_printf(b, "\" time=\"%.3f\"", secs);
    if (failure == NULL) {
        cm_buf_puts(b, "/>\n");
        return;
    }
    cm_buf_puts(b, ">\n      <failure message=\"");
    xml_escape(b, failure);
    cm_buf_puts(b, "\" type=\"soak\">");
    xml_escape(b, failure);
    cm_buf_puts(b, "</failure>\n    </testcase>\n");
}

static void junit_run_case(cm_buf_t *b, const char *cls, const hx_report_t *r)
{
    const hx_stats_t *t = r->total;
    char msg[512];
    if (r->info->failure != NULL) {
        junit_case(b, cls, "run", r->info->duration_s, r->info->failure);
        return;
    }
    if (t->all.ok > 0) {
        junit_case(b, cls, "run", r->info->duration_s, NULL);
        return;
    }
    int len = snprintf(msg, sizeof(msg), "no request succeeded (%llu completed", (unsigned long long)t->all.total);
    for (int e = 1; e < HX_ERR__COUNT && len > 0 && (size_t)len < sizeof(msg); e++)
        if (t->errors[e] > 0)
            len += snprintf(msg + len, sizeof(msg) - (size_t)len, ", %s %llu", hx_err_name((hx_err_t)e),
                            (unsigned long long)t->errors[e]);
    if (len > 0 && (size_t)len < sizeof(msg))
        snprintf(msg + len, sizeof(msg) - (size_t)len, ")");
    junit_case(b, cls, "run", r->info->duration_s, msg);
}

/* What a failure rate is made of, so that a CI page shows whether the target failed or the run overloaded
 * it: " (failed 10, aborted 6, dropped 4 of 210 offered)". */
static void failure_detail(char *buf, size_t n, const hx_stats_t *t)
{
    snprintf(buf, n, " (failed %llu, aborted %llu, dropped %llu of %llu offered)", (unsigned long long)t->all.failed,
             (unsigned long long)t->aborted, (unsigned long long)t->dropped, (unsigned long long)hx_stats_offered(t));
}

int hx_report_junit(FILE *out, const hx_report_t *r)
{
    const hx_run_info_t *in = r->info;
    char cls[160], started[40], name[384], msg[640], val[64];
    size_t failures = r->total->all.ok > 0 ? 0 : 1;
    for (size_t i = 0; i < r->nexpects; i++)
        failures += !r->verdicts[i].pass;
    snprintf(cls, sizeof(cls), "soak.%s", in->scenario ? in->scenario : "load");
    hx_report_iso_time(started, sizeof(started), in->wall_start_ms);
    started[19] = '\0'; /* JUnit timestamps carry no zone or fraction */
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    cm_buf_printf(&b, "<testsuites name=\"soak\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n",
                  r->nexpects + 1, failures, in->duration_s);
    cm_buf_printf(&b,
                  "  <testsuite name=\"soak\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" "
                  "time=\"%.3f\" timestamp=\"%s\">\n",
                  r->nexpects + 1, failures, in->duration_s, started);
    cm_buf_puts(&b, "    <properties>\n");
    hx_report_junit_client(&b, r);
    hx_report_junit_warmup(&b, r);
    cm_buf_puts(&b, "    </properties>\n");
    junit_run_case(&b, cls, r);
    for (size_t i = 0; i < r->nexpects; i++) {
        const hx_expect_t *e = &r->expects[i];
        char label[224];
        hx_report_expect_label(e, label, sizeof(label));
        snprintf(name, sizeof(name), "%s %s%s", label, e->bound_text, e->is_default ? " (default)" : "");
        hx_expect_format_value(e, &r->verdicts[i], val, sizeof(val));
        int len = snprintf(msg, sizeof(msg), "%s measured %s, expected %s", label, val, e->bound_text);
        if (strcmp(e->metric, "failure_rate") == 0 && len > 0 && (size_t)len < sizeof(msg))
            failure_detail(msg + len, sizeof(msg) - (size_t)len, r->total);
        junit_case(&b, cls, name, 0, r->verdicts[i].pass ? NULL : msg);
    }
    cm_buf_puts(&b, "  </testsuite>\n</testsuites>\n");
    errno = 0;
    int rc = hx_report_write_all(out, &b);
    cm_buf_free(&b);
    return rc;
}
