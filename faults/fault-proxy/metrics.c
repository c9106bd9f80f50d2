/* /metrics: Prometheus text for every proxy (names start with fault_proxy_). */
#include <stdio.h>

#include "faults/fault-proxy/api.h"
#include "faults/fault-proxy/conn.h"
#include "faults/fault-proxy/resp.h"

static void header(cm_buf_t *b, const char *name, const char *type, const char *help)
{
    cm_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Per-command families (protocol resp); index FP_RESP_MAX_TRACKED is OTHER, used once the table is full. */
static void resp_lines(const fp_proxy_t *p, cm_buf_t *b, int which)
{
    for (int i = 0; p->resp != NULL && i <= FP_RESP_MAX_TRACKED; i++) {
        const char *cmd = p->resp->cmd[i].name;
        if (p->resp->cmd[i].count == 0)
            continue;
        if (which == 8)
            cm_buf_printf(b, "fault_proxy_resp_commands_total{proxy=\"%s\",command=\"%s\"} %llu\n", p->name, cmd,
                          (unsigned long long)p->resp->cmd[i].count);
        else if (which == 9)
            cm_buf_printf(b, "fault_proxy_resp_injected_delay_seconds_total{proxy=\"%s\",command=\"%s\"} %.6f\n",
                          p->name, cmd, (double)p->resp->cmd[i].delay_ns / 1e9);
        else
            cm_buf_printf(b, "fault_proxy_resp_injected_errors_total{proxy=\"%s\",command=\"%s\"} %llu\n", p->name, cmd,
                          (unsigned long long)p->resp->cmd[i].errors);
    }
}

/* Walks the connections: /metrics is read rarely, and the data path then keeps no counter for it. */
static size_t buffered(const fp_proxy_t *p)
{
    size_t n = 0;
    for (const fp_conn_t *c = p->conns; c != NULL; c = fp_conn_next(c))
        n += fp_conn_buffered(c);
    return n;
}

static void proxy_lines(const fp_proxy_t *p, cm_buf_t *b, int which)
{
    const fp_stats_t *st = &p->stats;
    switch (which) {
    case 0:
        for (int s = 0; s < 2; s++)
            cm_buf_printf(b, "fault_proxy_bytes_total{proxy=\"%s\",direction=\"%s\"} %llu\n", p->name,
                          fp_stream_name((fp_stream_t)s), (unsigned long long)st->bytes[s]);
        break;
    case 1:
        cm_buf_printf(b, "fault_proxy_connections_total{proxy=\"%s\"} %llu\n", p->name,
                      (unsigned long long)st->connections);
        break;
    case 2:
        cm_buf_printf(b, "fault_proxy_open_connections{proxy=\"%s\"} %llu\n", p->name, (unsigned long long)st->open);
        break;
    case 3:
        cm_buf_printf(b, "fault_proxy_refused_total{proxy=\"%s\"} %llu\n", p->name, (unsigned long long)st->refused);
        break;
    case 4:
        for (int t = 0; t < FP_TOXIC_TYPE_COUNT; t++)
            if (st->toxic_hits[t] > 0)
                cm_buf_printf(b, "fault_proxy_toxic_hits_total{proxy=\"%s\",type=\"%s\"} %llu\n", p->name,
                              fp_toxic_type_name((fp_toxic_type_t)t), (unsigned long long)st->toxic_hits[t]);
        break;
    case 5:
        cm_buf_printf(b, "fault_proxy_toxics{proxy=\"%s\"} %d\n", p->name, p->ntoxics);
        break;
    case 6:
        cm_buf_printf(b, "fault_proxy_passthrough_connections{proxy=\"%s\"} %llu\n", p->name,
                      (unsigned long long)st->pass_open);
        break;
    case 7:
        cm_buf_printf(b, "fault_proxy_buffered_bytes{proxy=\"%s\"} %zu\n", p->name, buffered(p));
        break;
    default:
        resp_lines(p, b, which);
        break;
    }
}

void fp_metrics_write(const fp_server_t *s, cm_buf_t *b)
{
    static const struct {
        const char *name, *type, *help;
    } families[] = {
        {"fault_proxy_bytes_total", "counter", "Bytes passed on, per proxy and direction."},
        {"fault_proxy_connections_total", "counter", "Connections accepted."},
        {"fault_proxy_open_connections", "gauge", "Connections open now."},
        {"fault_proxy_refused_total", "counter", "Connections closed at once (down toxic, upstream unreachable)."},
        {"fault_proxy_toxic_hits_total", "counter", "Times a toxic acted on data or on a connection."},
        {"fault_proxy_toxics", "gauge", "Toxics set on the proxy."},
        {"fault_proxy_passthrough_connections", "gauge", "Open connections on the raw passthrough path (no toxic)."},
        {"fault_proxy_buffered_bytes", "gauge", "Bytes the proxy holds for its open connections now."},
        {"fault_proxy_resp_commands_total", "counter", "RESP commands seen, per command."},
        {"fault_proxy_resp_injected_delay_seconds_total", "counter", "Delay injected into RESP commands."},
        {"fault_proxy_resp_injected_errors_total", "counter", "Error replies sent instead of Redis' answer."},
    };
    for (int f = 0; f < (int)(sizeof(families) / sizeof(families[0])); f++) {
        header(b, families[f].name, families[f].type, families[f].help);
        for (int i = 0; i < s->n; i++)
            proxy_lines(s->proxies[i], b, f);
    }
}
