/* The `limits:` reader. Range checks name the node they are about; combination checks name the key that
 * needs another one. */
#include "mock-provider/quota/quota_config.h"

#include <string.h>

#include "mock-provider/quota/quota_format.h"

static const char *const limit_keys[] = {"rpm",   "tpm",         "window", "per_key", "concurrency",
                                         "queue", "retry_after", "charge", NULL};

typedef struct reader {
    const cm_conf_t *conf;
    const cm_node_t *map;
    const char *path;
    cm_err_t *err;
} reader_t;

static const char *child(const reader_t *r, const char *key, char *buf, size_t n)
{
    return cm_conf_path(buf, n, r->path, -1, key);
}

/* Reads an optional whole number; *out is left alone when the key is absent. */
static int read_u64(const reader_t *r, const char *key, int64_t min, uint64_t max, uint64_t *out)
{
    char p[160];
    int64_t v;
    const cm_node_t *n = cm_conf_get(r->map, key);
    if (n == NULL)
        return 0;
    if (cm_conf_int(r->conf, n, child(r, key, p, sizeof(p)), min, (int64_t)max, &v, r->err) != 0)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

/* One keyword out of a table; the message lists them all. */
static int read_word(const reader_t *r, const char *key, const char *const *words, const char *expected, int *out)
{
    char p[160];
    const char *s;
    const cm_node_t *n = cm_conf_get(r->map, key);
    if (n == NULL)
        return 0;
    if (cm_conf_str(r->conf, n, child(r, key, p, sizeof(p)), &s, r->err) != 0)
        return -1;
    for (int i = 0; words[i] != NULL; i++)
        if (strcmp(s, words[i]) == 0) {
            *out = i;
            return 0;
        }
    return cm_conf_error(r->conf, n, p, r->err, "unknown %s \"%s\" (expected %s)", key, s, expected);
}

static int read_retry_after(const reader_t *r, mp_retry_after_t *out)
{
    char p[160], why[200];
    const char *s;
    const cm_node_t *n = cm_conf_get(r->map, "retry_after");
    if (n == NULL)
        return 0;
    if (cm_conf_str(r->conf, n, child(r, "retry_after", p, sizeof(p)), &s, r->err) != 0)
        return -1;
    if (mp_retry_after_parse(s, out, why, sizeof(why)) != 0)
        return cm_conf_error(r->conf, n, p, r->err, "%s", why);
    return 0;
}

static int read_values(const reader_t *r, mp_quota_config_t *c)
{
    static const char *const windows[] = {"sliding", "fixed", "azure", NULL};
    static const char *const charges[] = {"max_tokens", "estimate", NULL};
    char p[160];
    uint64_t conc = 0, queue = 0;
    int window = (int)c->window, charge = (int)c->charge;
    const cm_node_t *n;
    if (read_u64(r, "rpm", 1, MP_QUOTA_MAX_RPM, &c->rpm) != 0 ||
        read_u64(r, "tpm", 1, MP_QUOTA_MAX_TPM, &c->tpm) != 0 ||
        read_u64(r, "concurrency", 1, MP_QUOTA_MAX_CONCURRENCY, &conc) != 0 ||
        read_u64(r, "queue", 0, MP_QUOTA_MAX_QUEUE, &queue) != 0 ||
        read_word(r, "window", windows, "sliding, fixed or azure", &window) != 0 ||
        read_word(r, "charge", charges, "max_tokens or estimate", &charge) != 0 ||
        read_retry_after(r, &c->retry_after) != 0)
        return -1;
    if ((n = cm_conf_get(r->map, "per_key")) != NULL &&
        cm_conf_bool(r->conf, n, child(r, "per_key", p, sizeof(p)), &c->per_key, r->err) != 0)
        return -1;
    c->concurrency = (uint32_t)conc;
    c->queue = (uint32_t)queue;
    c->window = (mp_quota_window_t)window;
    c->charge = (mp_quota_charge_t)charge;
    return 0;
}

/* Settings that only make sense next to another one are errors at the key that needs it. */
static int check_combinations(const reader_t *r, const mp_quota_config_t *c)
{
    char p[160];
    const cm_node_t *n;
    if (c->rpm == 0 && c->tpm == 0 && c->concurrency == 0)
        return cm_conf_error(r->conf, r->map, r->path, r->err, "limits needs at least one of rpm, tpm and concurrency");
    if ((n = cm_conf_get(r->map, "queue")) != NULL && c->concurrency == 0)
        return cm_conf_error(r->conf, n, child(r, "queue", p, sizeof(p)), r->err,
                             "a queue needs a concurrency limit (the queue holds requests beyond it)");
    if ((n = cm_conf_get(r->map, "per_key")) != NULL && c->per_key && c->rpm == 0 && c->tpm == 0)
        return cm_conf_error(r->conf, n, child(r, "per_key", p, sizeof(p)), r->err,
                             "per_key applies to rpm and tpm; set at least one");
    if ((n = cm_conf_get(r->map, "charge")) != NULL && c->tpm == 0)
        return cm_conf_error(r->conf, n, child(r, "charge", p, sizeof(p)), r->err, "charge applies to tpm; set it");
    if ((n = cm_conf_get(r->map, "window")) != NULL && c->rpm == 0 && c->tpm == 0)
        return cm_conf_error(r->conf, n, child(r, "window", p, sizeof(p)), r->err,
                             "window applies to rpm and tpm; set at least one");
    return 0;
}

int mp_quota_config_read(const cm_conf_t *conf, const cm_node_t *node, const char *path, mp_quota_config_t *out,
                         cm_err_t *err)
{
    reader_t r = {.conf = conf, .map = node, .path = path, .err = err};
    mp_quota_config_defaults(out);
    if (node == NULL || node->type != CM_NODE_MAP)
        return cm_conf_error(conf, node, path, err, "expected a map such as {rpm: 60, tpm: 10000}");
    if (cm_conf_check_keys(conf, node, path, limit_keys, err) != 0 || read_values(&r, out) != 0 ||
        check_combinations(&r, out) != 0)
        return -1;
    return 0;
}
