/* mock-provider/run_headers.c — the headers every answer carries (request ids, x-mock-service-ms, the
 * provider's static headers) and the HTTP reason phrases. Split from run.c because none of it touches a run:
 * handler.c uses it as well for the answers it gives before a run exists. */
#include "mock-provider/run.h"

#include <string.h>

static const struct {
    int status;
    const char *reason;
} reasons[] = {
    {200, "OK"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {413, "Payload Too Large"},
    {422, "Unprocessable Entity"},
    {429, "Too Many Requests"},
    {500, "Internal Server Error"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {529, "Site Overloaded"},
};

const char *mp_reason(int status)
{
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (reasons[i].status == status)
            return reasons[i].reason;
    return "Unknown";
}

/* ---- headers ------------------------------------------------------------------------------------------ */

static void add_header(h2o_req_t *req, const char *name, const char *value, size_t len)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 0, NULL, value, len);
}

/* Decimal digits of v at the end of a 24-byte buffer; returns where they start. printf is avoided on
 * the per-response path: it showed up in profiles at 70K+ responses a second. */
static char *put_digits(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return end;
}

/* "<ms>.<3 decimals>" in pool memory. */
static h2o_iovec_t format_ms3(h2o_mem_pool_t *pool, uint64_t ns)
{
    char tmp[24], *end = tmp + sizeof(tmp);
    uint64_t us = (ns + 500) / 1000;
    char *p = put_digits(end, 1000 + us % 1000); /* four digits: "1" + the zero-padded decimals */
    *p = '.';
    p = put_digits(p, us / 1000);
    return h2o_strdup(pool, p, (size_t)(end - p));
}

static h2o_iovec_t format_uint(h2o_mem_pool_t *pool, uint64_t v)
{
    char tmp[24], *end = tmp + sizeof(tmp);
    char *p = put_digits(end, v);
    return h2o_strdup(pool, p, (size_t)(end - p));
}

void mp_run_add_headers(h2o_req_t *req, const mp_deployment_t *dep, const char *rid, size_t rid_len,
                        uint64_t service_ns)
{
    const mp_provider_t *ops = dep->ops;
    h2o_iovec_t id = h2o_strdup(&req->pool, rid, rid_len);
    h2o_iovec_t ms = format_ms3(&req->pool, service_ns);
    if (ops->request_id_header != NULL)
        add_header(req, ops->request_id_header, id.base, id.len);
    if (ops->request_id_header2 != NULL)
        add_header(req, ops->request_id_header2, id.base, id.len);
    add_header(req, "x-mock-request-id", id.base, id.len);
    add_header(req, "x-mock-deployment", dep->name, strlen(dep->name));
    add_header(req, "x-mock-service-ms", ms.base, ms.len);
    if (ops->processing_ms_header != NULL) {
        h2o_iovec_t rounded = format_uint(&req->pool, (service_ns + 500000) / 1000000);
        add_header(req, ops->processing_ms_header, rounded.base, rounded.len);
    }
    for (const mp_header_t *h = ops->static_headers; h != NULL && h->name != NULL; h++)
        add_header(req, h->name, h->value, strlen(h->value));
}
