#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "faults/fault-proxy/toxic.h"

static const char *const type_names[FP_TOXIC_TYPE_COUNT] = {
    "latency", "bandwidth", "slow_close", "timeout", "reset_peer", "slicer", "limit_data", "down", "stall", "error",
};

const char *fp_toxic_type_name(fp_toxic_type_t t)
{
    return t < FP_TOXIC_TYPE_COUNT ? type_names[t] : "?";
}

const char *fp_stream_name(fp_stream_t s)
{
    return s == FP_UPSTREAM ? "upstream" : "downstream";
}

/* The attributes each type accepts; any other key is an error that lists these. */
static const char *const *attribute_keys(fp_toxic_type_t t)
{
    static const char *const latency[] = {"latency", "jitter", "commands", NULL};
    static const char *const bandwidth[] = {"rate", NULL};
    static const char *const delay[] = {"delay", NULL};
    static const char *const timeout[] = {"timeout", NULL};
    static const char *const slicer[] = {"average_size", "size_variation", "delay", NULL};
    static const char *const limit[] = {"bytes", NULL};
    static const char *const none[] = {NULL};
    static const char *const stall[] = {"duration", "start", "commands", NULL};
    static const char *const error[] = {"reply", "commands", NULL};
    static const char *const *const table[FP_TOXIC_TYPE_COUNT] = {
        latency, bandwidth, delay, timeout, timeout, slicer, limit, none, stall, error,
    };
    return table[t];
}

typedef struct reader {
    const cm_conf_t *conf;
    const char *path;
    cm_err_t *err;
} reader_t;

static const char *sub(const reader_t *r, const char *key, char *buf, size_t n)
{
    return cm_conf_path(buf, n, r->path, -1, key);
}

/* A time attribute: a bare number in the attribute's toxiproxy unit (unit_ns: 1 ms, or 1 us for slicer's
 * delay), or a duration with its unit ("25s"), which YAML files read better. */
static int read_time(const reader_t *r, const cm_node_t *n, const char *path, uint64_t unit_ns, int64_t *out)
{
    if (n->type == CM_NODE_SCALAR && n->str[0] != '\0' && strspn(n->str, "0123456789") == strlen(n->str))
        return cm_conf_int(r->conf, n, path, 0, FP_MAX_MS * (int64_t)(1000000 / unit_ns), out, r->err);
    uint64_t ns;
    if (cm_conf_duration(r->conf, n, path, &ns, r->err) != 0)
        return -1;
    if (ns / unit_ns > (uint64_t)FP_MAX_MS * (1000000 / unit_ns))
        return cm_conf_error(r->conf, n, path, r->err, "must be at most 1 day");
    *out = (int64_t)(ns / unit_ns);
    return 0;
}

static int read_commands(const reader_t *r, const cm_node_t *n, const char *path, fp_toxic_t *t)
{
    const char **list;
    size_t count;
    cm_arena_t scratch = {0};
    cm_conf_t tmp = *r->conf; /* the list lands in a scratch arena: the document may be a request's */
    tmp.arena = scratch;
    int rc = cm_conf_str_list(&tmp, n, path, &list, &count, r->err);
    if (rc == 0 && count > FP_MAX_COMMANDS)
        rc = cm_conf_error(r->conf, n, path, r->err, "at most %d commands, got %zu", FP_MAX_COMMANDS, count);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        size_t len = strlen(list[i]);
        if (len == 0 || len >= FP_MAX_COMMAND) {
            rc = cm_conf_error(r->conf, n, path, r->err, "command names are 1 to %d bytes", FP_MAX_COMMAND - 1);
            break;
        }
        for (size_t j = 0; j <= len; j++)
            t->commands[i][j] = (char)toupper((unsigned char)list[i][j]);
    }
    if (rc == 0)
        t->ncommands = (int)count;
    cm_arena_free(&tmp.arena);
    return rc;
}

static int read_reply(const reader_t *r, const cm_node_t *n, const char *path, fp_toxic_t *t)
{
    static const char *const replies[] = {"BUSY", "LOADING", "READONLY", "OOM", NULL};
    const char *s;
    if (cm_conf_str(r->conf, n, path, &s, r->err) != 0)
        return -1;
    for (int i = 0; replies[i] != NULL; i++)
        if (strcasecmp(s, replies[i]) == 0) {
            snprintf(t->reply, sizeof(t->reply), "%s", replies[i]);
            return 0;
        }
    return cm_conf_error(r->conf, n, path, r->err, "unknown reply \"%s\" (expected BUSY, LOADING, READONLY, OOM)", s);
}

static int read_attribute(const reader_t *r, const char *key, const cm_node_t *n, fp_toxic_t *t)
{
    char p[256];
    const char *path = sub(r, key, p, sizeof(p));
    if (strcmp(key, "latency") == 0)
        return read_time(r, n, path, 1000000, &t->latency);
    if (strcmp(key, "jitter") == 0)
        return read_time(r, n, path, 1000000, &t->jitter);
    if (strcmp(key, "rate") == 0)
        return cm_conf_int(r->conf, n, path, 0, FP_MAX_RATE, &t->rate, r->err);
    if (strcmp(key, "delay") == 0)
        return read_time(r, n, path, t->type == FP_SLICER ? 1000 : 1000000, &t->delay);
    if (strcmp(key, "timeout") == 0)
        return read_time(r, n, path, 1000000, &t->timeout);
    if (strcmp(key, "average_size") == 0)
        return cm_conf_int(r->conf, n, path, 1, FP_MAX_BYTES, &t->average_size, r->err);
    if (strcmp(key, "size_variation") == 0)
        return cm_conf_int(r->conf, n, path, 0, FP_MAX_BYTES, &t->size_variation, r->err);
    if (strcmp(key, "bytes") == 0)
        return cm_conf_int(r->conf, n, path, 0, FP_MAX_BYTES, &t->bytes, r->err);
    if (strcmp(key, "duration") == 0)
        return read_time(r, n, path, 1000000, &t->duration);
    if (strcmp(key, "start") == 0)
        return read_time(r, n, path, 1000000, &t->start);
    if (strcmp(key, "reply") == 0)
        return read_reply(r, n, path, t);
    return read_commands(r, n, path, t);
}

static int read_attributes(const reader_t *top, const cm_node_t *map, fp_toxic_t *t)
{
    char p[256];
    reader_t r = {top->conf, sub(top, "attributes", p, sizeof(p)), top->err};
    if (map->type == CM_NODE_NULL)
        return 0;
    if (cm_conf_check_keys(r.conf, map, r.path, attribute_keys(t->type), r.err) != 0)
        return -1;
    for (size_t i = 0; i < map->n; i++)
        if (read_attribute(&r, map->keys[i]->str, map->items[i], t) != 0)
            return -1;
    if (t->type == FP_SLICER && t->size_variation >= t->average_size)
        return cm_conf_error(r.conf, map, r.path, r.err, "size_variation must be smaller than average_size");
    return 0;
}

static int read_type(const reader_t *r, const cm_node_t *n, fp_toxic_type_t *out)
{
    char p[256];
    const char *s;
    if (cm_conf_str(r->conf, n, sub(r, "type", p, sizeof(p)), &s, r->err) != 0)
        return -1;
    for (int i = 0; i < FP_TOXIC_TYPE_COUNT; i++)
        if (strcmp(s, type_names[i]) == 0) {
            *out = (fp_toxic_type_t)i;
            return 0;
        }
    return cm_conf_error(r->conf, n, p, r->err,
                         "unknown toxic type \"%s\" (expected latency, bandwidth, slow_close, timeout, reset_peer, "
                         "slicer, limit_data, down, stall, error)",
                         s);
}

static int read_stream(const reader_t *r, const cm_node_t *n, fp_stream_t *out)
{
    char p[256];
    const char *s;
    if (cm_conf_str(r->conf, n, sub(r, "stream", p, sizeof(p)), &s, r->err) != 0)
        return -1;
    if (strcmp(s, "upstream") == 0 || strcmp(s, "downstream") == 0) {
        *out = s[0] == 'u' ? FP_UPSTREAM : FP_DOWNSTREAM;
        return 0;
    }
    return cm_conf_error(r->conf, n, p, r->err, "stream was invalid, can be either upstream or downstream");
}

static int read_name(const reader_t *r, const cm_node_t *n, char *out)
{
    char p[256];
    const char *s;
    if (cm_conf_str(r->conf, n, sub(r, "name", p, sizeof(p)), &s, r->err) != 0)
        return -1;
    size_t len = strlen(s);
    if (len == 0 || len >= FP_MAX_NAME || strchr(s, '/') != NULL)
        return cm_conf_error(r->conf, n, p, r->err, "a name is 1 to %d bytes without '/'", FP_MAX_NAME - 1);
    memcpy(out, s, len + 1);
    return 0;
}

static int read_fields(const reader_t *r, const cm_node_t *node, bool update, fp_toxic_t *t)
{
    char p[256];
    const cm_node_t *n;
    if ((n = cm_conf_get(node, "type")) != NULL) {
        fp_toxic_type_t type = FP_LATENCY;
        if (read_type(r, n, &type) != 0)
            return -1;
        if (update && type != t->type)
            return cm_conf_error(r->conf, n, sub(r, "type", p, sizeof(p)), r->err, "a toxic's type cannot change");
        t->type = type;
    } else if (!update) {
        return cm_conf_error(r->conf, node, r->path, r->err, "missing required field: type");
    }
    if ((n = cm_conf_get(node, "stream")) != NULL && read_stream(r, n, &t->stream) != 0)
        return -1;
    if ((n = cm_conf_get(node, "toxicity")) != NULL) {
        if (cm_conf_double(r->conf, n, sub(r, "toxicity", p, sizeof(p)), &t->toxicity, r->err) != 0)
            return -1;
        if (!(t->toxicity >= 0 && t->toxicity <= 1))
            return cm_conf_error(r->conf, n, p, r->err, "must be between 0 and 1");
    }
    if ((n = cm_conf_get(node, "name")) != NULL && read_name(r, n, t->name) != 0)
        return -1;
    if ((n = cm_conf_get(node, "attributes")) != NULL && read_attributes(r, n, t) != 0)
        return -1;
    return 0;
}

int fp_toxic_parse(const cm_conf_t *conf, const cm_node_t *node, const char *path, const fp_toxic_t *base,
                   fp_toxic_t *out, cm_err_t *err)
{
    static const char *const keys[] = {"name", "type", "stream", "toxicity", "attributes", NULL};
    reader_t r = {conf, path, err};
    fp_toxic_t t;
    if (node == NULL || node->type != CM_NODE_MAP)
        return cm_conf_error(conf, node, path, err, "expected a map (name, type, stream, toxicity, attributes)");
    if (cm_conf_check_keys(conf, node, path, keys, err) != 0)
        return -1;
    if (base != NULL) {
        t = *base;
    } else {
        memset(&t, 0, sizeof(t));
        t.stream = FP_DOWNSTREAM;
        t.toxicity = 1;
        t.average_size = 1;
    }
    if (read_fields(&r, node, base != NULL, &t) != 0)
        return -1;
    if (t.type == FP_ERROR && t.reply[0] == '\0')
        return cm_conf_error(conf, node, path, err, "attributes.reply is required (BUSY, LOADING, READONLY or OOM)");
    if (t.name[0] == '\0')
        snprintf(t.name, sizeof(t.name), "%s_%s", fp_toxic_type_name(t.type), fp_stream_name(t.stream));
    *out = t;
    return 0;
}

bool fp_toxic_matches(const fp_toxic_t *t, const char *command)
{
    if (t->ncommands == 0)
        return true;
    for (int i = 0; i < t->ncommands; i++)
        if (strcmp(t->commands[i], command) == 0)
            return true;
    return false;
}

static void json_commands(cm_jw_t *w, const fp_toxic_t *t)
{
    if (t->ncommands == 0)
        return;
    cm_jw_key(w, "commands");
    cm_jw_arr(w);
    for (int i = 0; i < t->ncommands; i++)
        cm_jw_str(w, t->commands[i]);
    cm_jw_arr_end(w);
}

static void json_attributes(cm_jw_t *w, const fp_toxic_t *t)
{
    switch (t->type) {
    case FP_LATENCY:
        cm_jw_key(w, "latency"), cm_jw_int(w, t->latency);
        cm_jw_key(w, "jitter"), cm_jw_int(w, t->jitter);
        json_commands(w, t);
        break;
    case FP_BANDWIDTH:
        cm_jw_key(w, "rate"), cm_jw_int(w, t->rate);
        break;
    case FP_SLOW_CLOSE:
        cm_jw_key(w, "delay"), cm_jw_int(w, t->delay);
        break;
    case FP_TIMEOUT:
    case FP_RESET_PEER:
        cm_jw_key(w, "timeout"), cm_jw_int(w, t->timeout);
        break;
    case FP_SLICER:
        cm_jw_key(w, "average_size"), cm_jw_int(w, t->average_size);
        cm_jw_key(w, "size_variation"), cm_jw_int(w, t->size_variation);
        cm_jw_key(w, "delay"), cm_jw_int(w, t->delay);
        break;
    case FP_LIMIT_DATA:
        cm_jw_key(w, "bytes"), cm_jw_int(w, t->bytes);
        break;
    case FP_STALL:
        cm_jw_key(w, "duration"), cm_jw_int(w, t->duration);
        cm_jw_key(w, "start"), cm_jw_int(w, t->start);
        json_commands(w, t);
        break;
    case FP_ERROR:
        cm_jw_key(w, "reply"), cm_jw_str(w, t->reply);
        json_commands(w, t);
        break;
    default:
        break;
    }
}

void fp_toxic_json(cm_jw_t *w, const fp_toxic_t *t)
{
    cm_jw_obj(w);
    cm_jw_key(w, "name"), cm_jw_str(w, t->name);
    cm_jw_key(w, "type"), cm_jw_str(w, fp_toxic_type_name(t->type));
    cm_jw_key(w, "stream"), cm_jw_str(w, fp_stream_name(t->stream));
    cm_jw_key(w, "toxicity"), cm_jw_double(w, t->toxicity);
    cm_jw_key(w, "attributes");
    cm_jw_obj(w);
    json_attributes(w, t);
    cm_jw_obj_end(w);
    cm_jw_obj_end(w);
}
