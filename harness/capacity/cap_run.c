/* What `soak find` and `soak sweep` both need around their probes: signals held for the whole command, the
 * settle after a probe that left a backlog, the reports directory, the JSON file and the page. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "harness/capacity/find.h"
#include "harness/report/outputs.h"

void hx_find_block_signals(sigset_t *sigs, sigset_t *old)
{
    sigemptyset(sigs);
    sigaddset(sigs, SIGINT);
    sigaddset(sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, sigs, old);
}

void hx_find_restore_signals(const sigset_t *sigs, const sigset_t *old)
{
    struct timespec zero = {0, 0};
    while (sigtimedwait(sigs, NULL, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* The wait is on SIGINT and SIGTERM, which are blocked meanwhile: one ends it at once, and the command. */
int hx_find_settle(const hx_find_opts_t *o, const hx_probe_record_t *rec, FILE *err_out)
{
    if (rec->aborted == 0 || o->settle_ns == 0)
        return 0;
    double secs = (double)rec->aborted / (rec->achieved > 1 ? rec->achieved : 1);
    if (secs > (double)o->settle_ns / 1e9)
        secs = (double)o->settle_ns / 1e9;
    fprintf(err_out, "soak %s: settling %.1fs: %llu requests were unanswered at the end of the probe\n",
            o->cmd == HX_CAP_SWEEP ? "sweep" : "find", secs, (unsigned long long)rec->aborted);
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    struct timespec ts = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
    return sigtimedwait(&sigs, NULL, &ts) > 0 ? -1 : 0;
}

int hx_find_reports_dir(const hx_find_opts_t *o, FILE *err_out)
{
    if (o->reports_dir == NULL || mkdir(o->reports_dir, 0777) == 0 || errno == EEXIST)
        return 0;
    fprintf(err_out, "soak: --probe-reports %s: %s\n", o->reports_dir, strerror(errno));
    return -1;
}

int hx_find_write_file(const char *path, int (*write_fn)(FILE *, const void *), const void *arg, FILE *err_out)
{
    char why[4352];
    FILE *f = hx_outputs_fopen(path, why, sizeof(why));
    if (f == NULL) {
        fprintf(err_out, "soak: %s\n", why);
        return -1;
    }
    if (write_fn(f, arg) != 0) {
        fprintf(err_out, "soak: %s: %s\n", path, strerror(errno));
        fclose(f);
        return -1;
    }
    if (fclose(f) != 0) {
        fprintf(err_out, "soak: %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(err_out, "soak: wrote %s\n", path);
    return 0;
}

int hx_cap_write_page(const char *dir, const char *name, int (*write_fn)(FILE *, const void *), const void *arg,
                      FILE *out, FILE *err_out)
{
    char path[4096 + 16];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (hx_find_write_file(path, write_fn, arg, err_out) != 0)
        return -1;
    fprintf(out, "report: %s\n", path);
    return 0;
}
