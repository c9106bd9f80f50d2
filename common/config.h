/* common/config.h — YAML scenario files loaded into a small tree that remembers where every node was
 * written, so each error can say `configs/x.yaml:12:5: mock.deployments[0].latency.ttft: ...`.
 *
 * Typical use by a component's config reader:
 *
 *   static const char *const keys[] = {"name", "listen", "models", NULL};
 *   if (cm_conf_check_keys(doc, node, path, keys, err) != 0) return -1;   // unknown or duplicate keys
 *   const cm_node_t *n = cm_conf_get(node, "listen");
 *   if (n && cm_conf_str(doc, n, "mock.deployments[0].listen", &listen, err) != 0) return -1;
 *
 * The whole document is kept in one arena freed by cm_conf_free. Anchors and aliases are supported (an
 * alias points at the anchored node); tags are ignored; multi-document streams are an error. */
#ifndef CM_CONFIG_H
#define CM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/dist.h"

typedef enum cm_node_type {
    CM_NODE_NULL, /* empty value, "~" or "null" (unquoted) */
    CM_NODE_SCALAR,
    CM_NODE_MAP,
    CM_NODE_SEQ,
} cm_node_type_t;

typedef struct cm_node cm_node_t;
struct cm_node {
    cm_node_type_t type;
    int line, col;      /* 1-based position of the node's first character */
    const char *str;    /* scalars: the text, NUL-terminated; NULL otherwise */
    bool quoted;        /* scalars: written in quotes (so "10" is a string, not a number) */
    const char *origin; /* NULL for nodes of the file; "--set PATH" for a value set by cm_conf_set (errors then
                           name it instead of a file position) */
    size_t n;           /* maps: pairs; seqs: items */
    cm_node_t **keys;   /* maps: the key nodes (scalars) */
    cm_node_t **items;  /* maps: the values; seqs: the items */
};

typedef struct cm_conf {
    const char *file; /* name used in error messages */
    cm_node_t *root;  /* NULL for an empty document */
    cm_arena_t arena;
} cm_conf_t;

/* The top-level keys of a scenario file (NULL-terminated). One file configures every binary and each reads
 * its own sections, but each checks the whole list so that a misspelt section is an error everywhere
 * instead of a section some binary silently never reads. */
extern const char *const cm_scenario_keys[];

/* Errors: one line, already prefixed with file:line:col (or "file:" when no position applies). */
typedef struct cm_err {
    char msg[1024];
} cm_err_t;

/* Load a file or an in-memory string (name is used in messages). YAML syntax errors are reported with
 * libyaml's position and problem text. Return 0 or -1 with err filled; conf is always safe to free. */
int cm_conf_load_file(cm_conf_t *conf, const char *path, cm_err_t *err);
/* How long cm_conf_load_file waits, in all, for a path that is not a regular file (a FIFO without a writer,
 * a terminal, a device) to reach its end before it gives up with an error; 10 s. A test may lower it. */
extern int cm_conf_read_wait_ms;
int cm_conf_load_string(cm_conf_t *conf, const char *name, const char *text, size_t len, cm_err_t *err);
void cm_conf_free(cm_conf_t *conf);

/* Overrides one value of a loaded document, as `--set PATH=VALUE` does on a command line. PATH is map keys
 * separated by dots; a list item is chosen by index or by its `name` key, as `.N`, `[N]` or `[NAME]`
 * (mock.deployments[gemini-a].listen, load.requests.0.model). VALUE is YAML: a scalar, or a flow map or
 * list such as {constant: 100/s}. Keys missing on the way are created, so a misspelt key is reported by the
 * reader as unknown, like one in the file; a list index must exist. Readers' errors on the new nodes say
 * "--set PATH" instead of file:line:col. An alias shares its node, so setting inside one changes every use.
 * Returns 0, or -1 with err filled ("--set PATH: why"). */
int cm_conf_set(cm_conf_t *conf, const char *assignment, cm_err_t *err);
/* cm_conf_set for each of n assignments in order; stops at the first error. */
int cm_conf_set_all(cm_conf_t *conf, const char *const *assignments, size_t n, cm_err_t *err);

/* Formats "file:line:col: path: message" for node into err; returns -1 so callers can `return cm_conf_error(...)`.
 * path may be NULL or empty (then "file:line:col: message"). */
int cm_conf_error(const cm_conf_t *conf, const cm_node_t *node, const char *path, cm_err_t *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Map lookup; NULL when absent or when map is not a map. */
const cm_node_t *cm_conf_get(const cm_node_t *map, const char *key);

/* Checks node is a map whose keys are all in allowed (NULL-terminated) and none repeats. Unknown keys are
 * an error that lists the allowed ones and, when one is close (edit distance <= 2), suggests it:
 * `mock.deployments[0]: unknown key "latncy" (did you mean "latency"? allowed: name, listen, ...)`. */
int cm_conf_check_keys(const cm_conf_t *conf, const cm_node_t *node, const char *path, const char *const *allowed,
                       cm_err_t *err);
/* Checks that each key in required (NULL-terminated) is present. */
int cm_conf_require_keys(const cm_conf_t *conf, const cm_node_t *node, const char *path, const char *const *required,
                         cm_err_t *err);

/* Typed readers: each checks the node's type and value and reports errors at the node. */
int cm_conf_str(const cm_conf_t *conf, const cm_node_t *n, const char *path, const char **out, cm_err_t *err);
int cm_conf_bool(const cm_conf_t *conf, const cm_node_t *n, const char *path, bool *out, cm_err_t *err);
/* Integers within [min, max]; accepts count suffixes ("10k"). */
int cm_conf_int(const cm_conf_t *conf, const cm_node_t *n, const char *path, int64_t min, int64_t max, int64_t *out,
                cm_err_t *err);
int cm_conf_double(const cm_conf_t *conf, const cm_node_t *n, const char *path, double *out, cm_err_t *err);
int cm_conf_duration(const cm_conf_t *conf, const cm_node_t *n, const char *path, uint64_t *ns, cm_err_t *err);
int cm_conf_rate(const cm_conf_t *conf, const cm_node_t *n, const char *path, double *per_second, cm_err_t *err);
int cm_conf_percent(const cm_conf_t *conf, const cm_node_t *n, const char *path, double *fraction, cm_err_t *err);
int cm_conf_size(const cm_conf_t *conf, const cm_node_t *n, const char *path, uint64_t *bytes, cm_err_t *err);
int cm_conf_dist(const cm_conf_t *conf, const cm_node_t *n, const char *path, cm_dist_unit_t unit, cm_dist_t *out,
                 cm_err_t *err);
/* A sequence of strings, or a single scalar taken as a one-item list. *out is allocated in conf's arena. */
int cm_conf_str_list(const cm_conf_t *conf, const cm_node_t *n, const char *path, const char ***out, size_t *count,
                     cm_err_t *err);

/* Appends n as JSON text: maps and lists as such, unquoted scalars that are JSON numbers or true/false as
 * those, every other scalar as a string, empty values as null. Aliases are written out in full. Returns 0, or
 * -1 (b as it was) when the text would pass max bytes or nesting passes CM_CONF_JSON_MAX_DEPTH (an alias
 * bomb cannot make it grow without bound). Reading the text back (cm_conf_load_string) gives the same
 * values to every typed reader. */
#define CM_CONF_JSON_MAX_DEPTH 256
int cm_conf_write_json(cm_buf_t *b, const cm_node_t *n, size_t max);

/* Builds child paths for messages: cm_conf_path(buf, n, "mock.deployments", 2, NULL) -> "mock.deployments[2]";
 * cm_conf_path(buf, n, "mock", -1, "admin") -> "mock.admin". Returns buf. */
char *cm_conf_path(char *buf, size_t n, const char *parent, int index, const char *key);

#endif
