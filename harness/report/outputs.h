/* harness/report/outputs.h — where a run's reports go: a report directory (report.dir, templated) with
 * summary.json, series.jsonl, junit.xml and report.html for the requested formats, and explicit files from
 * flags (--json, --jsonl, --junit, --html) that take precedence. Every file is opened before the run starts, so a path
 * that cannot be written fails at once instead of after hours of load. */
#ifndef HX_OUTPUTS_H
#define HX_OUTPUTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "harness/config/config.h"

typedef struct hx_outputs {
    char *dir;                                             /* the expanded report directory, or NULL */
    char *json_path, *jsonl_path, *junit_path, *html_path; /* NULL when not requested */
    FILE *json, *jsonl, *junit, *html;
} hx_outputs_t;

/* Expands a report dir template: {{name}} (with '/' and spaces made '-'), {{time}} (UTC, 20261121T200533Z)
 * and {{seed}}. Returns a malloc'd string. */
char *hx_outputs_expand_dir(const char *tmpl, const char *name, uint64_t wall_ms, uint64_t seed);

/* Creates path and its missing parents (mkdir -p). Returns 0, or -1 with "path: reason" in err. */
int hx_outputs_make_dirs(const char *path, char *err, size_t errlen);

/* How long a report file's reader may take no byte before the write fails (EAGAIN). */
#define HX_OUTPUT_STALL_MS 2000

/* fopen(path, "w") that cannot block: a FIFO without a reader would wait in open() for ever (SIGINT
 * and SIGTERM are blocked for the run, to be read at its checkpoints); it is refused instead ("no process reads this
 * FIFO"). A FIFO that has a reader, such as --jsonl >(jq ...), works as before, and one whose reader stops reading
 * fails its writes after HX_OUTPUT_STALL_MS instead of holding the run. Returns the file, or NULL with "path:
 * reason" in err. */
FILE *hx_outputs_fopen(const char *path, char *err, size_t errlen);

/* Resolves the paths (creating the report directory and its parents) and opens every file for writing.
 * Returns 0, or -1 with "path: reason" in err (nothing is left open). */
int hx_outputs_open(hx_outputs_t *o, const hx_cfg_t *cfg, uint64_t wall_ms, char *err, size_t errlen);
/* Closes every file. Returns 0, or -1 with the first write/close error in err. */
int hx_outputs_close(hx_outputs_t *o, char *err, size_t errlen);

#endif
