/* faults/fault-proxy/config.h — the `proxies:` section of a scenario (and the same maps in the control
 * API's bodies): {name, listen, upstream, enabled, protocol, toxics}. Addresses are checked when read, so
 * `fault-proxy --check` catches a bad one with its position. */
#ifndef FP_CONFIG_H
#define FP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/config.h"
#include "faults/fault-proxy/toxic.h"

#define FP_MAX_ADDR 128         /* bytes of a HOST:PORT, NUL included */
#define FP_MAX_CONF_PROXIES 256 /* proxies in one file or one /populate */

typedef enum fp_protocol {
    FP_PROTO_TCP,
    FP_PROTO_RESP, /* Redis: toxics may name commands, error replies, per-command counters */
} fp_protocol_t;

typedef struct fp_proxy_conf {
    char name[FP_MAX_NAME];
    char listen[FP_MAX_ADDR];
    char upstream[FP_MAX_ADDR];
    bool enabled;
    fp_protocol_t protocol;
    fp_toxic_t *toxics; /* ntoxics, malloc'd */
    int ntoxics;
} fp_proxy_conf_t;

typedef struct fp_config {
    uint64_t seed;
    fp_proxy_conf_t *proxies; /* n, malloc'd */
    size_t n;
} fp_config_t;

/* Reads one proxy map. With base non-NULL only the keys given change (the API's update); without it name and
 * upstream are required, listen defaults to 127.0.0.1:0 and enabled to true. Returns 0 or -1 with err. */
int fp_proxy_conf_parse(const cm_conf_t *conf, const cm_node_t *node, const char *path, const fp_proxy_conf_t *base,
                        fp_proxy_conf_t *out, cm_err_t *err);
void fp_proxy_conf_free(fp_proxy_conf_t *c);

/* Reads `seed:` and `proxies:` from a scenario's root (other sections are left to their readers), or a bare
 * list of proxy maps (a /populate body). Names must be unique. Returns 0 or -1 with err; out is always safe
 * to free. */
int fp_config_parse(const cm_conf_t *conf, const cm_node_t *root, fp_config_t *out, cm_err_t *err);
void fp_config_free(fp_config_t *c);

/* Splits HOST:PORT (IPv6 in brackets, which are taken off) into host (hostlen bytes; FP_MAX_ADDR is enough)
 * and a port of 0 to 65535. Returns 0, or -1 with err. */
int fp_split_addr(const char *s, char *host, size_t hostlen, uint16_t *port, char *err, size_t errlen);
/* Resolves "HOST:PORT" or "[V6]:PORT" (numeric port, host a literal or a name) into addr. Returns 0 or -1
 * with why in err. */
int fp_parse_addr(const char *s, struct sockaddr_storage *addr, socklen_t *len, char *err, size_t errlen);

#endif
