/* mock-provider/config.h — the mock's settings: the `mock:` section of a scenario file, or one deployment
 * built from command-line quick flags (quickflags.h). The full key reference is docs/mock-provider.md.
 *
 * mp_config_t owns its deployments and every string in them (malloc'd copies); mp_config_free releases
 * them. A loaded config is read-only while the server runs, except listen_port which the server fills in
 * for deployments configured with port 0. */
#ifndef MP_CONFIG_H
#define MP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/clock.h"
#include "common/config.h"
#include "mock-provider/deployment.h"

#define MP_DEFAULT_KEEPALIVE_NS (300ull * CM_NS_PER_S) /* h2o's own default (10 s) drops idle pooled clients */
#define MP_DEFAULT_MAX_BODY (8ull * 1024 * 1024)
#define MP_MAX_BODY_LIMIT (1024ull * 1024 * 1024)
#define MP_MAX_THREADS 256
#define MP_MAX_NAME 64 /* deployment names: letters, digits, '.', '_', '-' */
#define MP_MAX_EMBEDDING_DIMS 65536
/* Deployments of one mock: each has a listener and, on every worker thread, its metrics (about 100 KiB). */
#define MP_MAX_DEPLOYMENTS 256
/* models of a deployment: each model has label slots in the deployment's metrics on every thread. */
#define MP_MAX_MODELS 256
/* api_keys of a deployment: a request's key is looked for in the list. */
#define MP_MAX_API_KEYS 1024

/* The admin API (admin/admin.h): mock.admin {listen, token, journal} or --admin / --admin-token. */
#define MP_ADMIN_DEFAULT_JOURNAL 1024
#define MP_ADMIN_MAX_JOURNAL 16384 /* per thread; an entry is about 340 bytes */
#define MP_ADMIN_MAX_TOKEN 256

typedef struct mp_admin_config {
    char *listen_host;    /* NULL: no admin API */
    uint16_t listen_port; /* 0 picks a free port; the server writes the bound one here */
    char *token;          /* NULL or "": no token (only allowed on a loopback address) */
    uint32_t journal;     /* entries kept by the recent-requests journal of each worker thread */
} mp_admin_config_t;

typedef struct mp_config {
    uint32_t threads;           /* worker threads; 0 = one per online CPU */
    uint64_t keepalive_timeout; /* ns: idle keep-alive (HTTP/1) and idle connection (HTTP/2) timeout */
    uint64_t max_body;          /* bytes: larger request bodies get the provider's 413 */
    uint64_t seed;              /* the scenario's top-level seed (0 when absent) */
    mp_deployment_t *deps;
    size_t ndeps;
    mp_admin_config_t admin;
} mp_config_t;

/* Defaults: threads 0, keepalive 300 s, max_body 8 MiB, seed 0, no deployments. */
void mp_config_init(mp_config_t *c);
void mp_config_free(mp_config_t *c);
/* Frees what one deployment owns (strings, faults, provider settings, source; not its quota engine). */
void mp_deployment_free(mp_deployment_t *d);

/* Appends a deployment named name (copied) with every default: provider openai, listen 127.0.0.1:0, any
 * model, no keys, latency 0, output_tokens normal(64, 16), content pool, no tool calls, seed derived from
 * c->seed and the name. Returns it; the pointer is valid until the next add. ops is left NULL (the server
 * fills it from mp_provider_for). */
mp_deployment_t *mp_config_add_deployment(mp_config_t *c, const char *name);

/* Reads a scenario document: top-level keys (name, seed, duration, mock, gateway, load, expect, report;
 * others are errors), the top-level seed and the mock: section. Every error is one line with file:line:col
 * and the key path. Returns 0, or -1 with err filled (c may then hold part of the file: free it). */
int mp_config_load(mp_config_t *c, const cm_conf_t *conf, cm_err_t *err);

/* Reads one deployment map (reported as mock.deployments[index]) and appends it to c, checking that its
 * name and explicit listen address are not used by an earlier deployment. Returns 0 or -1 with err.
 * (config_deployment.c; mp_config_load calls it for each list item.) */
int mp_config_load_deployment(mp_config_t *c, const cm_conf_t *conf, const cm_node_t *node, int index, cm_err_t *err);
/* The same reader with the key path of node given (errors name "PATH.latency.ttft", or "latency.ttft" when
 * path is ""): the admin API reads a JSON deployment through it. Fills the new deployment's source with node
 * as JSON text. */
int mp_config_read_deployment(mp_config_t *c, const cm_conf_t *conf, const cm_node_t *node, const char *path,
                              cm_err_t *err);

/* A token a client can send after "Bearer ": NULL (none), or at most MP_ADMIN_MAX_TOKEN characters, none a
 * space or a control character. Returns 0 or -1 with the reason. */
int mp_admin_token_check(const char *token, char *err, size_t errlen);
/* Sets the admin listener from "HOST:PORT" and an optional token (checked as above), checking that a
 * non-loopback address has a token. Returns 0 or -1 with err. */
int mp_config_set_admin(mp_config_t *c, const char *listen, const char *token, char *err, size_t errlen);
/* Whether host (numeric, as mp_parse_listen leaves it) is a loopback address: 127.0.0.0/8 or ::1. */
bool mp_is_loopback(const char *host);
/* Fills d->source from its fields when the reader did not (a deployment built from quick flags). */
void mp_deployment_fill_source(mp_deployment_t *d);

/* Parses "HOST:PORT" ("127.0.0.1:0", "[::1]:8080", "0.0.0.0:80"; "localhost" means 127.0.0.1). The host
 * must be a numeric address. Writes the host without brackets into host. Returns 0 or -1 with err. */
int mp_parse_listen(const char *s, char *host, size_t hostlen, uint16_t *port, char *err, size_t errlen);

/* Checks a deployment name: 1..MP_MAX_NAME characters from [A-Za-z0-9._-]. Returns 0 or -1 with err. */
int mp_check_name(const char *name, char *err, size_t errlen);

/* Seed used when a deployment sets none: a hash of its name under the scenario seed, so adding or
 * reordering deployments does not change the others' draws. */
uint64_t mp_default_seed(uint64_t scenario_seed, const char *name);

#endif
