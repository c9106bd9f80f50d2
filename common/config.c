/* common/config.c — YAML to cm_node_t tree (the typed readers are in config_read.c).
 *
 * libyaml's event parser is iterative, and so is this builder: open maps and sequences live on an
 * explicit stack, so a hostile file costs a bounded heap array, never C stack. Children are collected in
 * temporary vectors and copied into the document's arena when their container ends.
 *
 * Every map is checked for duplicate keys when it ends, and merge keys (`<<: *defaults`) are expanded
 * there, explicit keys winning. Aliases share the anchored node (the tree is a DAG); an alias to a node
 * that is still open would make a cycle and is refused. */
#include "common/config.h"
#include "common/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#define MAX_DEPTH 256
#define MAX_FILE_BYTES (64u << 20)
/* Merged pairs in one document: merges copy pairs, so this bounds the memory and time an alias-heavy file
 * can cost (aliases alone share nodes and cost nothing). */
#define MAX_MERGED 1000000

typedef struct pair {
    cm_node_t *key, *value;
} pair_t;

typedef struct frame {
    cm_node_t *node;
    pair_t *v; /* maps: pairs; sequences: items in .value */
    size_t n, cap;
    cm_node_t *key; /* maps: a key waiting for its value */
    bool flow;      /* written inline: {a: 1, b: 2} or [1, 2] */
    bool swallow;   /* flow map: the next event is the empty value of a piece rejoined by rejoin_piece */
    char path[256];
} frame_t;

typedef struct anchor {
    char *name;
    cm_node_t *node;
} anchor_t;

typedef struct loader {
    cm_conf_t *conf;
    const char *text;
    size_t len;
    frame_t *stack;
    size_t depth;
    anchor_t *anchors;
    size_t nanchors, capanchors;
    bool have_doc;
    size_t merged; /* pairs copied by merges so far */
    cm_err_t *err;
} loader_t;

/* ---- errors ----------------------------------------------------------------------------------------- */

static void vformat(const cm_conf_t *conf, int line, int col, const char *path, cm_err_t *err, const char *fmt,
                    va_list ap)
{
    char *m = err->msg;
    size_t cap = sizeof(err->msg);
    const char *file = conf->file ? conf->file : "(config)";
    int n = line > 0 ? snprintf(m, cap, "%s:%d:%d: ", file, line, col) : snprintf(m, cap, "%s: ", file);
    if (n >= 0 && (size_t)n < cap && path != NULL && path[0] != '\0')
        n += snprintf(m + n, cap - (size_t)n, "%s: ", path);
    if (n >= 0 && (size_t)n < cap)
        vsnprintf(m + n, cap - (size_t)n, fmt, ap);
}

int cm_conf_error(const cm_conf_t *conf, const cm_node_t *node, const char *path, cm_err_t *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (node != NULL && node->origin != NULL) {
        cm_conf_t from = {.file = node->origin};
        vformat(&from, 0, 0, path, err, fmt, ap);
    } else {
        vformat(conf, node ? node->line : 0, node ? node->col : 0, path, err, fmt, ap);
    }
    va_end(ap);
    return -1;
}

static int fail_at(loader_t *ld, yaml_mark_t mark, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(loader_t *ld, yaml_mark_t mark, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(ld->conf, (int)mark.line + 1, (int)mark.column + 1, path, ld->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* libyaml reports reader errors (bad encoding) by byte offset; people want a line and column. */
static yaml_mark_t mark_of_offset(const loader_t *ld, size_t off)
{
    yaml_mark_t m = {off, 0, 0};
    for (size_t i = 0; i < off && i < ld->len; i++) {
        if (ld->text[i] == '\n')
            m.line++, m.column = 0;
        else
            m.column++;
    }
    return m;
}

static int syntax_error(loader_t *ld, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->error == YAML_READER_ERROR)
        return fail_at(ld, mark_of_offset(ld, p->problem_offset), NULL, "%s", problem);
    if (p->context != NULL)
        return fail_at(ld, p->problem_mark, NULL, "%s (%s at line %zu)", problem, p->context, p->context_mark.line + 1);
    return fail_at(ld, p->problem_mark, NULL, "%s", problem);
}

/* ---- nodes ------------------------------------------------------------------------------------------ */

static cm_node_t *new_node(loader_t *ld, cm_node_type_t type, yaml_mark_t mark)
{
    cm_node_t *n = cm_arena_alloc(&ld->conf->arena, sizeof(*n));
    memset(n, 0, sizeof(*n));
    n->type = type;
    n->line = (int)mark.line + 1;
    n->col = (int)mark.column + 1;
    return n;
}

static char *arena_strndup(loader_t *ld, const char *s, size_t n)
{
    char *d = cm_arena_alloc(&ld->conf->arena, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static bool plain_null(const yaml_event_t *ev)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
        if (strcmp((const char *)ev->data.scalar.value, nulls[i]) == 0)
            return true;
    }
    return false;
}

/* A map key keeps its text even when it reads as null ("~:"): keys are always scalars with a string. */
static bool expecting_key(const loader_t *ld)
{
    const frame_t *f = ld->depth > 0 ? &ld->stack[ld->depth - 1] : NULL;
    return f != NULL && f->node->type == CM_NODE_MAP && f->key == NULL;
}

static cm_node_t *scalar_node(loader_t *ld, const yaml_event_t *ev)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    bool str_tag = tag != NULL && strcmp(tag, YAML_STR_TAG) == 0;
    bool null = !str_tag && !expecting_key(ld) && plain_null(ev);
    cm_node_t *n = new_node(ld, null ? CM_NODE_NULL : CM_NODE_SCALAR, ev->start_mark);
    n->quoted = str_tag || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    if (n->type == CM_NODE_SCALAR)
        n->str = arena_strndup(ld, (const char *)ev->data.scalar.value, ev->data.scalar.length);
    return n;
}

/* ---- anchors ---------------------------------------------------------------------------------------- */

static void add_anchor(loader_t *ld, const yaml_char_t *name, cm_node_t *node)
{
    if (name == NULL)
        return;
    if (ld->nanchors == ld->capanchors) {
        ld->capanchors = ld->capanchors ? ld->capanchors * 2 : 16;
        ld->anchors = cm_xrealloc(ld->anchors, ld->capanchors * sizeof(*ld->anchors));
    }
    /* A redefined anchor applies from here on, so later aliases see the newest one. */
    ld->anchors[ld->nanchors++] = (anchor_t){cm_xstrdup((const char *)name), node};
}

static cm_node_t *find_anchor(const loader_t *ld, const char *name)
{
    for (size_t i = ld->nanchors; i > 0; i--) {
        if (strcmp(ld->anchors[i - 1].name, name) == 0)
            return ld->anchors[i - 1].node;
    }
    return NULL;
}

static bool is_open(const loader_t *ld, const cm_node_t *node)
{
    for (size_t i = 0; i < ld->depth; i++) {
        if (ld->stack[i].node == node)
            return true;
    }
    return false;
}

/* ---- building --------------------------------------------------------------------------------------- */

static void frame_push_pair(frame_t *f, cm_node_t *key, cm_node_t *value)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->v = cm_xrealloc(f->v, f->cap * sizeof(*f->v));
    }
    f->v[f->n++] = (pair_t){key, value};
}

/* Adds a finished (or just opened) node to the innermost container, or makes it the root. */
static int attach(loader_t *ld, cm_node_t *node, yaml_mark_t mark)
{
    if (ld->depth == 0) {
        ld->conf->root = node;
        return 0;
    }
    frame_t *f = &ld->stack[ld->depth - 1];
    if (f->node->type == CM_NODE_SEQ) {
        frame_push_pair(f, NULL, node);
        return 0;
    }
    if (f->key == NULL) {
        if (node->type == CM_NODE_MAP || node->type == CM_NODE_SEQ)
            return fail_at(ld, mark, f->path, "map keys must be plain scalars");
        if (node->type == CM_NODE_NULL) { /* only an alias to a null value gets here */
            cm_node_t *k = new_node(ld, CM_NODE_SCALAR, mark);
            k->str = arena_strndup(ld, "", 0);
            node = k;
        }
        f->key = node;
        return 0;
    }
    frame_push_pair(f, f->key, node);
    f->key = NULL;
    return 0;
}

static int open_container(loader_t *ld, const yaml_event_t *ev, cm_node_type_t type, const yaml_char_t *anchor)
{
    if (ld->depth == MAX_DEPTH)
        return fail_at(ld, ev->start_mark, NULL, "nesting deeper than %d levels", MAX_DEPTH);
    cm_node_t *n = new_node(ld, type, ev->start_mark);
    add_anchor(ld, anchor, n);
    char path[256] = "";
    if (ld->depth > 0) {
        const frame_t *f = &ld->stack[ld->depth - 1];
        if (f->node->type == CM_NODE_SEQ)
            cm_conf_path(path, sizeof(path), f->path, (int)f->n, NULL);
        else if (f->key != NULL)
            cm_conf_path(path, sizeof(path), f->path, -1, f->key->str);
    }
    if (attach(ld, n, ev->start_mark) != 0)
        return -1;
    frame_t *f = &ld->stack[ld->depth++];
    memset(f, 0, sizeof(*f));
    f->node = n;
    f->flow = type == CM_NODE_MAP ? ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                                  : ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
    memcpy(f->path, path, sizeof(path));
    return 0;
}

static int cmp_pair_key(const void *a, const void *b)
{
    const pair_t *x = *(const pair_t *const *)a, *y = *(const pair_t *const *)b;
    int c = strcmp(x->key->str, y->key->str);
    return c != 0 ? c : (x < y ? -1 : x > y);
}

static bool is_merge_key(const cm_node_t *k)
{
    return !k->quoted && strcmp(k->str, "<<") == 0;
}

/* Sorts pointers to the pairs by key (ties by position in v, which is priority order) and clears the
 * value of every pair whose key already appeared at a higher priority. Returns the earliest duplicate
 * among the first `explicit` pairs (a genuine duplicate key, with *first its first occurrence) or NULL. */
static pair_t *dedupe(pair_t *v, size_t n, size_t explicit, pair_t **first)
{
    if (n < 2)
        return NULL;
    pair_t **idx = cm_xmalloc(n * sizeof(*idx));
    for (size_t i = 0; i < n; i++)
        idx[i] = &v[i];
    qsort(idx, n, sizeof(*idx), cmp_pair_key);
    pair_t *dup = NULL, *group = idx[0];
    for (size_t i = 1; i < n; i++) {
        if (strcmp(idx[i]->key->str, group->key->str) != 0) {
            group = idx[i];
            continue;
        }
        if (idx[i] < v + explicit && (dup == NULL || idx[i] < dup))
            dup = idx[i], *first = group;
        idx[i]->value = NULL;
    }
    free(idx);
    return dup;
}

/* Appends the pairs of a map given as a merge source ("<<: *base" or "<<: [*a, *b]"). */
static int add_merge_source(loader_t *ld, const frame_t *f, const cm_node_t *src, pair_t **all, size_t *n, size_t *cap)
{
    if (src->type != CM_NODE_MAP)
        return cm_conf_error(ld->conf, src, f->path, ld->err, "<<: expected a map or a list of maps to merge");
    if ((ld->merged += src->n) > MAX_MERGED)
        return cm_conf_error(ld->conf, src, f->path, ld->err, "<<: merges copy more than %d keys in this file",
                             MAX_MERGED);
    if (*n + src->n > *cap) {
        *cap = (*n + src->n) * 2;
        *all = cm_xrealloc(*all, *cap * sizeof(**all));
    }
    for (size_t i = 0; i < src->n; i++)
        (*all)[(*n)++] = (pair_t){src->keys[i], src->items[i]};
    return 0;
}

/* Explicit pairs first, then merged ones in order, so that dedupe keeps the right winner. */
static int collect_pairs(loader_t *ld, const frame_t *f, pair_t **all, size_t *n, size_t *explicit)
{
    size_t cap = f->n + 1;
    *all = cm_xmalloc(cap * sizeof(**all));
    *n = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (!is_merge_key(f->v[i].key))
            (*all)[(*n)++] = f->v[i];
    }
    *explicit = *n;
    for (size_t i = 0; i < f->n; i++) {
        const cm_node_t *src = f->v[i].value;
        if (!is_merge_key(f->v[i].key))
            continue;
        bool list = src->type == CM_NODE_SEQ;
        for (size_t j = 0; j < (list ? src->n : 1); j++) {
            if (add_merge_source(ld, f, list ? src->items[j] : src, all, n, &cap) != 0)
                return -1;
        }
    }
    return 0;
}

static int close_map(loader_t *ld, frame_t *f)
{
    pair_t *all, *first = NULL;
    size_t n, explicit;
    int rc = collect_pairs(ld, f, &all, &n, &explicit);
    pair_t *dup = rc == 0 ? dedupe(all, n, explicit, &first) : NULL;
    if (dup != NULL) {
        rc = cm_conf_error(ld->conf, dup->key, f->path, ld->err, "duplicate key \"%s\" (first at line %d)",
                           dup->key->str, first->key->line);
    }
    cm_node_t *m = f->node;
    m->keys = cm_arena_alloc(&ld->conf->arena, (n ? n : 1) * sizeof(cm_node_t *));
    m->items = cm_arena_alloc(&ld->conf->arena, (n ? n : 1) * sizeof(cm_node_t *));
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (all[i].value != NULL) {
            m->keys[m->n] = all[i].key;
            m->items[m->n++] = all[i].value;
        }
    }
    free(all);
    return rc;
}

static int close_container(loader_t *ld)
{
    frame_t *f = &ld->stack[ld->depth - 1];
    int rc = 0;
    if (f->node->type == CM_NODE_MAP) {
        rc = close_map(ld, f);
    } else {
        cm_node_t *s = f->node;
        s->items = cm_arena_alloc(&ld->conf->arena, (f->n ? f->n : 1) * sizeof(cm_node_t *));
        for (size_t i = 0; i < f->n; i++)
            s->items[i] = f->v[i].value;
        s->n = f->n;
    }
    free(f->v);
    f->v = NULL;
    ld->depth--;
    return rc;
}

static int paren_balance(const char *s)
{
    int depth = 0;
    for (; *s != '\0'; s++)
        depth += *s == '(' ? 1 : *s == ')' ? -1 : 0;
    return depth;
}

/* Inline collections split at every comma, so `{ttft: lognormal(80ms, 0.3)}` reaches us as the value
 * "lognormal(80ms" followed by a key "0.3)" with no value. Parentheses are SoakRig's own syntax (a
 * distribution's arguments), never YAML's, so an unquoted value that opened a parenthesis it has not closed
 * takes the following plain pieces back, with the ", " the split removed, until it balances. Returns true
 * when ev was consumed that way. */
static bool rejoin_piece(loader_t *ld, const yaml_event_t *ev)
{
    frame_t *f = ld->depth > 0 ? &ld->stack[ld->depth - 1] : NULL;
    if (f == NULL || !f->flow || f->n == 0 || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    if (f->swallow) { /* the empty value that followed the piece taken back */
        f->swallow = false;
        return ev->data.scalar.length == 0;
    }
    cm_node_t *prev = f->v[f->n - 1].value;
    bool at_key = f->node->type == CM_NODE_MAP && f->key == NULL;
    if ((!at_key && f->node->type == CM_NODE_MAP) || prev == NULL || prev->type != CM_NODE_SCALAR || prev->quoted ||
        paren_balance(prev->str) <= 0)
        return false;
    size_t a = strlen(prev->str), b = ev->data.scalar.length;
    char *joined = cm_arena_alloc(&ld->conf->arena, a + 2 + b + 1);
    memcpy(joined, prev->str, a);
    memcpy(joined + a, ", ", 2);
    memcpy(joined + a + 2, ev->data.scalar.value, b + 1);
    prev->str = joined;
    f->swallow = at_key;
    return true;
}

static int on_scalar(loader_t *ld, const yaml_event_t *ev)
{
    if (strlen((const char *)ev->data.scalar.value) != ev->data.scalar.length)
        return fail_at(ld, ev->start_mark, NULL, "NUL character in a scalar");
    if (rejoin_piece(ld, ev))
        return 0;
    cm_node_t *n = scalar_node(ld, ev);
    add_anchor(ld, ev->data.scalar.anchor, n);
    return attach(ld, n, ev->start_mark);
}

static int on_alias(loader_t *ld, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    cm_node_t *n = find_anchor(ld, name);
    if (n == NULL)
        return fail_at(ld, ev->start_mark, NULL, "unknown alias \"*%s\"", name);
    if (is_open(ld, n))
        return fail_at(ld, ev->start_mark, NULL, "alias \"*%s\" refers to a node that contains it", name);
    return attach(ld, n, ev->start_mark);
}

/* Handles one event; sets *done at the end of the stream. */
static int on_event(loader_t *ld, const yaml_event_t *ev, bool *done)
{
    switch (ev->type) {
    case YAML_STREAM_END_EVENT:
        *done = true;
        return 0;
    case YAML_DOCUMENT_START_EVENT:
        if (ld->have_doc)
            return fail_at(ld, ev->start_mark, NULL, "multiple documents in one file are not supported");
        ld->have_doc = true;
        return 0;
    case YAML_MAPPING_START_EVENT:
        return open_container(ld, ev, CM_NODE_MAP, ev->data.mapping_start.anchor);
    case YAML_SEQUENCE_START_EVENT:
        return open_container(ld, ev, CM_NODE_SEQ, ev->data.sequence_start.anchor);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        return close_container(ld);
    case YAML_SCALAR_EVENT:
        return on_scalar(ld, ev);
    case YAML_ALIAS_EVENT:
        return on_alias(ld, ev);
    default:
        return 0;
    }
}

static int run_parser(loader_t *ld)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return fail_at(ld, (yaml_mark_t){0, 0, 0}, NULL, "cannot initialise the YAML parser");
    yaml_parser_set_input_string(&p, (const unsigned char *)ld->text, ld->len);
    int rc = 0;
    /* libyaml always makes progress and ends with STREAM-END or an error, so this loop is bounded by the
     * input's size. */
    for (bool done = false; rc == 0 && !done;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = syntax_error(ld, &p);
            break;
        }
        rc = on_event(ld, &ev, &done);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}

int cm_conf_load_string(cm_conf_t *conf, const char *name, const char *text, size_t len, cm_err_t *err)
{
    memset(conf, 0, sizeof(*conf));
    err->msg[0] = '\0';
    loader_t ld;
    memset(&ld, 0, sizeof(ld));
    ld.conf = conf;
    ld.text = text;
    ld.len = len;
    ld.err = err;
    size_t nlen = strlen(name);
    char *file = cm_arena_alloc(&conf->arena, nlen + 1);
    memcpy(file, name, nlen + 1);
    conf->file = file;
    ld.stack = cm_xmalloc(MAX_DEPTH * sizeof(*ld.stack));
    int rc = run_parser(&ld);
    for (size_t i = 0; i < ld.depth; i++)
        free(ld.stack[i].v);
    for (size_t i = 0; i < ld.nanchors; i++)
        free(ld.anchors[i].name);
    free(ld.anchors);
    free(ld.stack);
    if (rc != 0)
        conf->root = NULL; /* a half-built tree is never handed out */
    return rc;
}

int cm_conf_read_wait_ms = 10000;

/* Reads fd to its end into b. A regular file ends; a FIFO without a writer, a terminal or a device may never
 * end (or never even open), so anything else is read without blocking, through poll(), for at most
 * cm_conf_read_wait_ms in all. */
static int read_all(cm_conf_t *conf, int fd, bool regular, cm_buf_t *b, cm_err_t *err)
{
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (!regular) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            long long left = cm_conf_read_wait_ms -
                             ((long long)(now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            int ready = left > 0 ? poll(&pfd, 1, (int)left) : 0;
            if (ready == 0)
                return cm_conf_error(conf, NULL, NULL, err, "no end of file after %g s (a FIFO without a writer?)",
                                     cm_conf_read_wait_ms / 1000.0);
            if (ready < 0 && errno != EINTR)
                return cm_conf_error(conf, NULL, NULL, err, "cannot read: %s", strerror(errno));
        }
        cm_buf_reserve(b, 65536);
        ssize_t got = read(fd, b->data + b->len, 65536);
        if (got == 0)
            return 0;
        if (got < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (got < 0)
            return cm_conf_error(conf, NULL, NULL, err, "cannot read: %s", strerror(errno));
        b->len += (size_t)got;
        if (b->len > MAX_FILE_BYTES)
            return cm_conf_error(conf, NULL, NULL, err, "file larger than %u MiB", MAX_FILE_BYTES >> 20);
    }
}

int cm_conf_load_file(cm_conf_t *conf, const char *path, cm_err_t *err)
{
    memset(conf, 0, sizeof(*conf));
    conf->file = path;
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, without a bound. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return cm_conf_error(conf, NULL, NULL, err, "cannot open: %s", strerror(errno));
    struct stat st;
    cm_buf_t b = CM_BUF_INIT;
    int rc;
    if (fstat(fd, &st) != 0)
        rc = cm_conf_error(conf, NULL, NULL, err, "cannot read: %s", strerror(errno));
    else if (S_ISDIR(st.st_mode))
        rc = cm_conf_error(conf, NULL, NULL, err, "cannot read: %s", strerror(EISDIR));
    else
        rc = read_all(conf, fd, S_ISREG(st.st_mode), &b, err);
    close(fd);
    if (rc == 0)
        rc = cm_conf_load_string(conf, path, b.data ? b.data : "", b.len, err);
    cm_buf_free(&b);
    return rc;
}

void cm_conf_free(cm_conf_t *conf)
{
    cm_arena_free(&conf->arena);
    conf->root = NULL;
    conf->file = NULL; /* it may have lived in the arena */
}
