#include "harness/report/outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/clock.h"

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
            /* A path past 160 bytes (a long scenario name in report.dir) is cut, at a character's start, so
             * the reason still fits the message */
            int len = (int)strlen(p), cut = len > 160 ? 160 : len;
            while (cut < len && cut > 0 && ((unsigned char)p[cut] & 0xc0) == 0x80)
                cut--;
            snprintf(err, errlen, "%.*s%s: cannot create directory: %s", cut, p, cut < len ? "..." : "",
                     strerror(errno));
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

/* A report file: its descriptor, and whether its reader already stalled (then every later write fails at
 * once, the close's flush included, rather than waiting again). */
typedef struct out_file {
    int fd;
    bool stalled;
} out_file_t;

/* Writes to a report file go through here. The file stays non-blocking, so a FIFO or pipe whose reader stopped
 * reading (a stalled `--jsonl >(consumer)`) cannot hold the run: SIGINT and SIGTERM are blocked for the run and
 * read between writes, so a write that blocked for ever would make the run deaf to them and lose every report.
 * A reader that is slow only slows the report; one that takes no byte for HX_OUTPUT_STALL_MS fails the file
 * with EAGAIN. A regular file never waits here. Anything short of the whole buffer is an error: stdio would
 * otherwise retry, each time with a new wait. */
static ssize_t out_write(void *cookie, const char *buf, size_t n)
{
    out_file_t *o = cookie;
    size_t done = 0;
    uint64_t stalled_at = 0;
    while (done < n && !o->stalled) {
        ssize_t w = write(o->fd, buf + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            stalled_at = 0;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN)
            return -1;
        uint64_t now = cm_now_ns();
        if (stalled_at == 0)
            stalled_at = now;
        o->stalled = now - stalled_at >= (uint64_t)HX_OUTPUT_STALL_MS * CM_NS_PER_MS;
        struct pollfd p = {.fd = o->fd, .events = POLLOUT};
        if (!o->stalled)
            poll(&p, 1, HX_OUTPUT_STALL_MS / 10);
    }
    if (done < n) {
        errno = EAGAIN;
        return -1;
    }
    return (ssize_t)n;
}

static int out_close(void *cookie)
{
    out_file_t *o = cookie;
    int rc = close(o->fd);
    free(o);
    return rc;
}

FILE *hx_outputs_fopen(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0666);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open for writing: %s", path,
                 errno == ENXIO ? "no process reads this FIFO" : strerror(errno));
        return NULL;
    }
    out_file_t *o = cm_xcalloc(1, sizeof(*o));
    o->fd = fd;
    cookie_io_functions_t io = {.write = out_write, .close = out_close};
    FILE *f = fopencookie(o, "w", io);
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open for writing: %s", path, strerror(errno));
        close(fd);
        free(o);
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
