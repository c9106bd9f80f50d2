#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "faults/fault-proxy/config.h"

int fp_split_addr(const char *s, char *host, size_t hostlen, uint16_t *port, char *err, size_t errlen)
{
    const char *colon = strrchr(s, ':');
    if (colon == NULL || colon[1] == '\0' || strlen(s) >= FP_MAX_ADDR || strlen(s) >= hostlen) {
        snprintf(err, errlen, "expected HOST:PORT, got \"%s\"", s);
        return -1;
    }
    size_t hl = (size_t)(colon - s);
    memcpy(host, s, hl);
    host[hl] = '\0';
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']')
        memmove(host, host + 1, hl - 2), host[hl - 2] = '\0';
    /* Digits only and at most 65535: atoi() would wrap 99999 to 34463 and read "-1" as 65535. */
    if (strspn(colon + 1, "0123456789") != strlen(colon + 1) || strlen(colon + 1) > 5 || atol(colon + 1) > 65535) {
        snprintf(err, errlen, "invalid port in \"%s\" (expected 0 to 65535)", s);
        return -1;
    }
    *port = (uint16_t)atol(colon + 1);
    return 0;
}

int fp_parse_addr(const char *s, struct sockaddr_storage *addr, socklen_t *len, char *err, size_t errlen)
{
    char host[FP_MAX_ADDR], service[8];
    uint16_t port;
    if (fp_split_addr(s, host, sizeof(host), &port, err, errlen) != 0)
        return -1;
    snprintf(service, sizeof(service), "%u", (unsigned)port);
    /* localhost is the loopback address by definition (RFC 6761): no resolver needed, and a machine without
     * an /etc/hosts entry for it (a bare container) still takes it. */
    const char *name = host[0] == '\0' ? "0.0.0.0" : strcasecmp(host, "localhost") == 0 ? "127.0.0.1" : host;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(name, service, &hints, &res);
    if (rc != 0 || res == NULL) {
        snprintf(err, errlen, "cannot resolve \"%s\": %s", s, gai_strerror(rc));
        return -1;
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static int read_str(const cm_conf_t *conf, const cm_node_t *n, const char *path, char *out, size_t cap, cm_err_t *err)
{
    const char *s;
    if (cm_conf_str(conf, n, path, &s, err) != 0)
        return -1;
    if (s[0] == '\0' || strlen(s) >= cap)
        return cm_conf_error(conf, n, path, err, "must be 1 to %zu bytes", cap - 1);
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

static int read_addr(const cm_conf_t *conf, const cm_node_t *n, const char *path, char *out, cm_err_t *err)
{
    struct sockaddr_storage a;
    socklen_t len;
    char why[256];
    if (read_str(conf, n, path, out, FP_MAX_ADDR, err) != 0)
        return -1;
    if (strstr(out, "{{") != NULL)
        return cm_conf_error(conf, n, path, err,
                             "\"%s\" has placeholders that `soak run` fills in; check the scenario with `soak run "
                             "--check`, or give the address with --set",
                             out);
    if (fp_parse_addr(out, &a, &len, why, sizeof(why)) != 0)
        return cm_conf_error(conf, n, path, err, "%s", why);
    return 0;
}

static int read_protocol(const cm_conf_t *conf, const cm_node_t *n, const char *path, fp_protocol_t *out, cm_err_t *err)
{
    const char *s;
    if (cm_conf_str(conf, n, path, &s, err) != 0)
        return -1;
    if (strcmp(s, "tcp") != 0 && strcmp(s, "resp") != 0)
        return cm_conf_error(conf, n, path, err, "unknown protocol \"%s\" (expected tcp, resp)", s);
    *out = s[0] == 't' ? FP_PROTO_TCP : FP_PROTO_RESP;
    return 0;
}

static int read_toxics(const cm_conf_t *conf, const cm_node_t *n, const char *path, fp_proxy_conf_t *c, cm_err_t *err)
{
    char p[256], q[300];
    if (n->type == CM_NODE_NULL)
        return 0;
    if (n->type != CM_NODE_SEQ)
        return cm_conf_error(conf, n, path, err, "expected a list of toxics");
    if (n->n > FP_MAX_TOXICS)
        return cm_conf_error(conf, n, path, err, "at most %d toxics per proxy, got %zu", FP_MAX_TOXICS, n->n);
    c->toxics = cm_xcalloc(n->n + 1, sizeof(*c->toxics));
    for (size_t i = 0; i < n->n; i++) {
        cm_conf_path(p, sizeof(p), path, (int)i, NULL);
        if (fp_toxic_parse(conf, n->items[i], p, NULL, &c->toxics[i], err) != 0)
            return -1;
        if (c->toxics[i].type == FP_ERROR && c->protocol != FP_PROTO_RESP)
            return cm_conf_error(conf, cm_conf_get(n->items[i], "type"), cm_conf_path(q, sizeof(q), p, -1, "type"), err,
                                 "error toxics need protocol resp");
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->toxics[j].name, c->toxics[i].name) == 0)
                return cm_conf_error(conf, n->items[i], p, err, "toxic already exists: \"%s\"", c->toxics[i].name);
        c->ntoxics = (int)i + 1;
    }
    return 0;
}

static int read_fields(const cm_conf_t *conf, const cm_node_t *node, const char *path, fp_proxy_conf_t *c,
                       cm_err_t *err)
{
    char p[256];
    const cm_node_t *n;
    if ((n = cm_conf_get(node, "name")) != NULL &&
        read_str(conf, n, cm_conf_path(p, sizeof(p), path, -1, "name"), c->name, FP_MAX_NAME, err) != 0)
        return -1;
    if (strchr(c->name, '/') != NULL)
        return cm_conf_error(conf, n, p, err, "a proxy name cannot contain '/'");
    if ((n = cm_conf_get(node, "listen")) != NULL &&
        read_addr(conf, n, cm_conf_path(p, sizeof(p), path, -1, "listen"), c->listen, err) != 0)
        return -1;
    if ((n = cm_conf_get(node, "upstream")) != NULL &&
        read_addr(conf, n, cm_conf_path(p, sizeof(p), path, -1, "upstream"), c->upstream, err) != 0)
        return -1;
    if ((n = cm_conf_get(node, "enabled")) != NULL &&
        cm_conf_bool(conf, n, cm_conf_path(p, sizeof(p), path, -1, "enabled"), &c->enabled, err) != 0)
        return -1;
    if ((n = cm_conf_get(node, "protocol")) != NULL &&
        read_protocol(conf, n, cm_conf_path(p, sizeof(p), path, -1, "protocol"), &c->protocol, err) != 0)
        return -1;
    if ((n = cm_conf_get(node, "toxics")) != NULL &&
        read_toxics(conf, n, cm_conf_path(p, sizeof(p), path, -1, "toxics"), c, err) != 0)
        return -1;
    return 0;
}

int fp_proxy_conf_parse(const cm_conf_t *conf, const cm_node_t *node, const char *path, const fp_proxy_conf_t *base,
                        fp_proxy_conf_t *out, cm_err_t *err)
{
    static const char *const keys[] = {"name", "listen", "upstream", "enabled", "protocol", "toxics", NULL};
    static const char *const required[] = {"name", "upstream", NULL};
    fp_proxy_conf_t c;
    memset(out, 0, sizeof(*out));
    if (node == NULL || node->type != CM_NODE_MAP)
        return cm_conf_error(conf, node, path, err, "expected a map (name, listen, upstream, enabled, protocol)");
    if (cm_conf_check_keys(conf, node, path, keys, err) != 0)
        return -1;
    if (base == NULL && cm_conf_require_keys(conf, node, path, required, err) != 0)
        return -1;
    if (base != NULL) {
        c = *base;
        c.toxics = NULL, c.ntoxics = 0;
    } else {
        memset(&c, 0, sizeof(c));
        snprintf(c.listen, sizeof(c.listen), "127.0.0.1:0");
        c.enabled = true;
    }
    if (read_fields(conf, node, path, &c, err) != 0) {
        fp_proxy_conf_free(&c);
        return -1;
    }
    *out = c;
    return 0;
}

void fp_proxy_conf_free(fp_proxy_conf_t *c)
{
    free(c->toxics);
    c->toxics = NULL;
    c->ntoxics = 0;
}

static int read_seed(const cm_conf_t *conf, const cm_node_t *root, fp_config_t *out, cm_err_t *err)
{
    const cm_node_t *n = root != NULL && root->type == CM_NODE_MAP ? cm_conf_get(root, "seed") : NULL;
    int64_t v;
    if (n == NULL)
        return 0;
    if (cm_conf_int(conf, n, "seed", 0, INT64_MAX, &v, err) != 0)
        return -1;
    out->seed = (uint64_t)v;
    return 0;
}

int fp_config_parse(const cm_conf_t *conf, const cm_node_t *root, fp_config_t *out, cm_err_t *err)
{
    char p[64];
    memset(out, 0, sizeof(*out));
    if (read_seed(conf, root, out, err) != 0)
        return -1;
    const cm_node_t *list = root;
    const char *path = "";
    if (root != NULL && root->type == CM_NODE_MAP) {
        if (cm_conf_check_keys(conf, root, "", cm_scenario_keys, err) != 0)
            return -1;
        list = cm_conf_get(root, "proxies"), path = "proxies";
    }
    if (list == NULL || list->type == CM_NODE_NULL)
        return 0;
    if (list->type != CM_NODE_SEQ)
        return cm_conf_error(conf, list, path, err, "expected a list of proxies");
    if (list->n > FP_MAX_CONF_PROXIES)
        return cm_conf_error(conf, list, path, err, "at most %d proxies, got %zu", FP_MAX_CONF_PROXIES, list->n);
    out->proxies = cm_xcalloc(list->n + 1, sizeof(*out->proxies));
    for (size_t i = 0; i < list->n; i++) {
        snprintf(p, sizeof(p), "%s[%zu]", path, i);
        if (fp_proxy_conf_parse(conf, list->items[i], p, NULL, &out->proxies[i], err) != 0)
            return -1;
        out->n = i + 1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(out->proxies[j].name, out->proxies[i].name) == 0)
                return cm_conf_error(conf, list->items[i], p, err, "proxy already exists: \"%s\"",
                                     out->proxies[i].name);
    }
    return 0;
}

void fp_config_free(fp_config_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        fp_proxy_conf_free(&c->proxies[i]);
    free(c->proxies);
    memset(c, 0, sizeof(*c));
}
