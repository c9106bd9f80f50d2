/* faults/fault-proxy/api.h — toxiproxy's control API (proxies, toxics, reset, populate, version) and
 * /metrics, on libevent's evhttp in the proxies' own loop. Request bodies are read with the same cm_conf
 * readers as the config file (JSON is YAML), so a bad field is a 400 that names it, and nothing changes. */
#ifndef FP_API_H
#define FP_API_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "faults/fault-proxy/proxy.h"

#define FP_API_MAX_BODY (64u << 10)    /* bytes of a request body (a /populate of many proxies fits) */
#define FP_API_MAX_HEADERS (16u << 10) /* bytes of a request's headers */
#define FP_API_TIMEOUT_S 30            /* an idle or slow API connection is closed after this */

typedef struct fp_api fp_api_t;

/* Serves the API on addr (HOST:PORT, port 0 picks one) for s. With token non-NULL every request needs
 * "Authorization: Bearer TOKEN"; a non-loopback addr without a token is refused. Returns 0 or -1 with err. */
int fp_api_start(fp_api_t **out, fp_server_t *s, const char *addr, const char *token, char *err, size_t errlen);
/* Checks an API address as fp_api_start takes it: HOST:PORT (IPv6 in brackets), a port of 0 to 65535, a
 * loopback host unless token is non-NULL. Fills host (hostlen bytes; FP_MAX_ADDR is enough) and port.
 * Returns 0 or -1 with err; binds nothing, so --check can use it. */
int fp_api_check_addr(const char *addr, const char *token, char *host, size_t hostlen, uint16_t *port, char *err,
                      size_t errlen);
/* The bound HOST:PORT. */
const char *fp_api_address(const fp_api_t *api);
void fp_api_free(fp_api_t *api);

/* One API call without HTTP, for tests and for the server: method ("GET", "POST", "PATCH", "DELETE"), path,
 * body. Writes the answer's JSON (or text for /metrics) into out and returns the HTTP status. */
int fp_api_call(fp_server_t *s, const char *method, const char *path, const char *body, size_t len, cm_buf_t *out);

/* Prometheus text for every proxy of s. */
void fp_metrics_write(const fp_server_t *s, cm_buf_t *out);

#endif
