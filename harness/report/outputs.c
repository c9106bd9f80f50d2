#include "harness/report/outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/buf.h"

char *hx_outputs_expand_dir(const char *tmpl, const char *name, uint64_t wall_ms, uint64_t seed)
{
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_puts(&b, "");
    for (const char *p = tmpl; *p;) {
        if (strncmp(p, "{{name}}", 8) == 0) {
            for (const char *n = name; *n; n++)
                cm_buf_putc(&b, (*n == '/' || *n == ' ') ? '-' : *n);
            p += 8;
        } else if (strncmp(p, "{{time}}", 8) == 0) {
            time_t t = (time_t)(wall_ms / 1000);
            struct tm tm;
            char ts[32];
            gmtime_r(&t, &tm);
            strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
            cm_buf_puts(&b, ts);
            p += 8;
        } else if (strncmp(p, "{{seed}}", 8) == 0) {
            cm_buf_printf(&b, "%llu", (unsigned long long)seed);
            p += 8;
        } else {
            cm_buf_putc(&b, *p++);
        }
    }
    return cm_buf_detach(&b);
}

int hx_outputs_make_dirs(const char *path, char *err, size_t errlen)
{
    char *p = cm_xstrdup(path);
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: cannot create directory: %s", p, strerror(errno));
            free(p);
            return -1;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return 0;
}

static char *in_dir(const char *dir, const char *file)
{
    cm_buf_t b = CM_BUF_INIT;
    cm_buf_printf(&b, "%s/%s", dir, file);
    return cm_buf_detach(&b);
}

FILE *hx_outputs_fopen(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0666);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open for writing: %s", path,
                 errno == ENXIO ? "no process reads this FIFO" : strerror(errno));
        return NULL;
    }
    /* Writes block again once open: a reader that is slow only slows the report. */
    FILE *f = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open for writing: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

static int open_one(const char *path, FILE **f, char *err, size_t errlen)
{
    if (path == NULL)
        return 0;
    *f = hx_outputs_fopen(path, err, errlen);
    return *f == NULL ? -1 : 0;
}

static char *pick(const char *flag_path, const char *dir, unsigned formats, unsigned fmt, const char *file)
{
    if (flag_path != NULL)
        return cm_xstrdup(flag_path);
    if (dir != NULL && (formats & fmt))
        return in_dir(dir, file);
    return NULL;
}

int hx_outputs_open(hx_outputs_t *o, const hx_cfg_t *cfg, uint64_t wall_ms, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    if (cfg->report_dir != NULL) {
        o->dir = hx_outputs_expand_dir(cfg->report_dir, cfg->name, wall_ms, cfg->seed);
        if (hx_outputs_make_dirs(o->dir, err, errlen) != 0)
            goto error;
    }
    o->json_path = pick(cfg->json_path, o->dir, cfg->report_formats, HX_FMT_JSON, "summary.json");
    o->jsonl_path = pick(cfg->jsonl_path, o->dir, cfg->report_formats, HX_FMT_JSONL, "series.jsonl");
    o->junit_path = pick(cfg->junit_path, o->dir, cfg->report_formats, HX_FMT_JUNIT, "junit.xml");
    o->html_path = pick(cfg->html_path, o->dir, cfg->report_formats, HX_FMT_HTML, "report.html");
    if (open_one(o->json_path, &o->json, err, errlen) || open_one(o->jsonl_path, &o->jsonl, err, errlen) ||
        open_one(o->junit_path, &o->junit, err, errlen) || open_one(o->html_path, &o->html, err, errlen))
        goto error;
    return 0;
error:
    hx_outputs_close(o, NULL, 0);
    return -1;
}

static void close_one(FILE **f, const char *path, char *err, size_t errlen, int *rc)
{
    if (*f == NULL)
        return;
    if (fclose(*f) != 0 && *rc == 0 && err != NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        *rc = -1;
    }
    *f = NULL;
}

int hx_outputs_close(hx_outputs_t *o, char *err, size_t errlen)
{
    int rc = 0;
    close_one(&o->json, o->json_path, err, errlen, &rc);
    close_one(&o->jsonl, o->jsonl_path, err, errlen, &rc);
    close_one(&o->junit, o->junit_path, err, errlen, &rc);
    close_one(&o->html, o->html_path, err, errlen, &rc);
    free(o->dir);
    free(o->json_path);
    free(o->jsonl_path);
    free(o->junit_path);
    free(o->html_path);
    memset(o, 0, sizeof(*o));
    return rc;
}
