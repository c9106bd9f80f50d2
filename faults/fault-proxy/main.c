/* fault-proxy: a TCP fault proxy (toxiproxy's API) for any dependency. This file only reads the command
 * line and drives the library (config.c reads proxies, proxy.c runs them, api.c serves the control API). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/config.h"
#include "common/getopt_msg.h"
#include "common/log.h"
#include "common/net.h"
#include "common/units.h"
#include "faults/fault-proxy/api.h"
#include "faults/fault-proxy/config.h"
#include "faults/fault-proxy/proxy.h"

enum { OPT_CHECK = 256, OPT_API, OPT_TOKEN, OPT_SEED, OPT_LOG_LEVEL, OPT_NO_API, OPT_SET };

#define FP_MAX_SETS 64

static const struct option longopts[] = {
    {"config", required_argument, NULL, 'c'},
    {"check", no_argument, NULL, OPT_CHECK},
    {"api", required_argument, NULL, OPT_API},
    {"no-api", no_argument, NULL, OPT_NO_API},
    {"token", required_argument, NULL, OPT_TOKEN},
    {"seed", required_argument, NULL, OPT_SEED},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"set", required_argument, NULL, OPT_SET},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

typedef struct options {
    const char *config;
    bool check;
    const char *api;
    bool api_given, no_api;
    const char *token;
    bool seed_given;
    uint64_t seed;
    const char *log_level;
    const char *sets[FP_MAX_SETS]; /* --set PATH=VALUE, applied to the file before it is read */
    size_t nsets;
} options_t;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: fault-proxy [--config FILE [--check]] [--api HOST:PORT] [options]\n"
            "A TCP fault proxy for any dependency (redis-server, a database, the mock): latency, bandwidth, stall,\n"
            "timeout, reset, slicer, limit_data, down, slow_close per direction, controlled through toxiproxy's\n"
            "HTTP API. Prints one line per proxy with its bound address, then \"fault-proxy: ready\".\n"
            "\n"
            "  -c, --config FILE       read the proxies: section (and seed:) of a scenario file\n"
            "      --check             validate the configuration and exit (0 valid, 2 invalid)\n"
            "      --set PATH=VALUE    override a value of the file (repeatable), e.g.\n"
            "                          --set 'proxies[redis].upstream=127.0.0.1:6380'\n"
            "      --api HOST:PORT     control API address; port 0 picks a free port (default: 127.0.0.1:8474)\n"
            "      --no-api            serve no control API (proxies from --config only)\n"
            "      --token TOKEN       require \"Authorization: Bearer TOKEN\" on the API (needed off loopback)\n"
            "      --seed N            seed deciding which connections a toxic hits (default: the file's, or 1)\n"
            "      --log-level LEVEL   error, warn, info or debug (default: info)\n"
            "  -h, --help              show this help\n"
            "  -V, --version           show the version\n"
            "\n"
            "Exit status: 0 stopped by SIGINT/SIGTERM or check passed, 1 runtime failure, 2 usage or config error.\n"
            "Reference: docs/fault-proxy.md\n");
}

/* An empty token would pass for one off loopback and let anyone in with "Bearer "; a space or a control
 * character could never be sent. NULL when token is fine (or not given). */
static const char *token_problem(const char *token)
{
    if (token == NULL)
        return NULL;
    if (token[0] == '\0')
        return "empty";
    if (cm_bearer_token_bad(token) >= 0)
        return "a space or control character cannot be sent in a header";
    return NULL;
}

static int parse_args(int argc, char **argv, options_t *o)
{
    char err[256];
    int c;
    memset(o, 0, sizeof(*o));
    o->api = "127.0.0.1:8474";
    o->seed = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            o->config = optarg;
            break;
        case OPT_CHECK:
            o->check = true;
            break;
        case OPT_API:
            o->api = optarg;
            o->api_given = true;
            break;
        case OPT_NO_API:
            o->no_api = true;
            break;
        case OPT_TOKEN:
            o->token = optarg;
            break;
        case OPT_SEED:
            if (cm_parse_u64(optarg, &o->seed, err, sizeof(err)) != 0) {
                fprintf(stderr, "fault-proxy: --seed: %s\n", err);
                return -1;
            }
            o->seed_given = true;
            break;
        case OPT_LOG_LEVEL:
            o->log_level = optarg;
            break;
        case OPT_SET:
            if (o->nsets >= FP_MAX_SETS) {
                fprintf(stderr, "fault-proxy: --set: given more than %d times\n", FP_MAX_SETS);
                return -1;
            }
            o->sets[o->nsets++] = optarg;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            printf("fault-proxy %s\n", SOAK_VERSION);
            exit(0);
        default: {
            char msg[256];
            fprintf(stderr, "fault-proxy: %s\nTry 'fault-proxy --help'.\n",
                    cm_getopt_msg("c:hV", longopts, argv, optind, optopt, msg, sizeof(msg)));
            return -1;
        }
        }
    }
    if (optind < argc) {
        fprintf(stderr, "fault-proxy: unexpected argument \"%s\"\n", argv[optind]);
        return -1;
    }
    if (o->nsets > 0 && o->config == NULL) {
        fprintf(stderr, "fault-proxy: --set needs --config FILE\n");
        return -1;
    }
    if (o->check && o->config == NULL) {
        fprintf(stderr, "fault-proxy: --check needs --config FILE\n");
        return -1;
    }
    if (o->no_api && (o->api_given || o->token != NULL)) {
        fprintf(stderr, "fault-proxy: --no-api cannot be combined with %s\n", o->api_given ? "--api" : "--token");
        return -1;
    }
    const char *why = token_problem(o->token);
    if (why != NULL) {
        fprintf(stderr, "fault-proxy: --token: %s\n", why);
        return -1;
    }
    if (o->no_api) {
        o->api = NULL;
        return 0;
    }
    /* Checked here rather than at bind time, so that --check refuses a bad address too. */
    char host[FP_MAX_ADDR];
    uint16_t port;
    if (fp_api_check_addr(o->api, o->token, host, sizeof(host), &port, err, sizeof(err)) != 0) {
        fprintf(stderr, "fault-proxy: --api: %s\n", err);
        return -1;
    }
    return 0;
}

static int load(const options_t *o, fp_config_t *cfg)
{
    cm_conf_t conf;
    cm_err_t err;
    int rc = 0;
    memset(cfg, 0, sizeof(*cfg));
    cfg->seed = 1;
    if (o->config == NULL)
        return 0;
    if (cm_conf_load_file(&conf, o->config, &err) != 0 || cm_conf_set_all(&conf, o->sets, o->nsets, &err) != 0)
        rc = -1;
    else if (conf.root == NULL) { /* the other binaries refuse an empty scenario too */
        snprintf(err.msg, sizeof(err.msg), "%s: the file is empty (expected proxies: or a list of proxies)", o->config);
        rc = -1;
    } else if (fp_config_parse(&conf, conf.root, cfg, &err) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "%s\n", err.msg);
        fp_config_free(cfg);
    }
    if (rc == 0 && cfg->seed == 0 && cm_conf_get(conf.root, "seed") == NULL)
        cfg->seed = 1;
    cm_conf_free(&conf);
    return rc;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    event_base_loopbreak(arg);
}

static int serve(const options_t *o, const fp_config_t *cfg)
{
    /* Toxics are timers: libevent's default coarse clock would let them fire up to a tick (4 ms) early. */
    struct event_config *ecfg = event_config_new();
    event_config_set_flag(ecfg, EVENT_BASE_FLAG_PRECISE_TIMER);
    struct event_base *base = event_base_new_with_config(ecfg);
    event_config_free(ecfg);
    fp_server_t server;
    fp_api_t *api = NULL;
    char err[512];
    int rc = 1;
    signal(SIGPIPE, SIG_IGN);
    fp_server_init(&server, base, o->seed_given ? o->seed : cfg->seed);
    for (size_t i = 0; i < cfg->n; i++) {
        fp_proxy_t *p;
        if (fp_server_add(&server, &cfg->proxies[i], &p, err, sizeof(err)) != 0) {
            fprintf(stderr, "fault-proxy: proxy %s: %s\n", cfg->proxies[i].name, err);
            goto error;
        }
        printf("fault-proxy: proxy %s listening on %s upstream %s\n", p->name, p->listen, p->upstream);
    }
    if (o->api != NULL) {
        if (fp_api_start(&api, &server, o->api, o->token, err, sizeof(err)) != 0) {
            fprintf(stderr, "fault-proxy: --api: %s\n", err);
            rc = 2;
            goto error;
        }
        printf("fault-proxy: api listening on http://%s\n", fp_api_address(api));
    }
    struct event *sigint = evsignal_new(base, SIGINT, on_signal, base);
    struct event *sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    event_add(sigint, NULL);
    event_add(sigterm, NULL);
    printf("fault-proxy: ready\n");
    fflush(stdout);
    rc = event_base_dispatch(base) < 0 ? 1 : 0;
    event_free(sigint);
    event_free(sigterm);
error:
    fp_api_free(api);
    fp_server_free(&server);
    event_base_free(base);
    return rc;
}

int main(int argc, char **argv)
{
    options_t o;
    fp_config_t cfg;
    cm_log_level_t level = CM_LOG_INFO;
    if (parse_args(argc, argv, &o) != 0)
        return 2;
    if (o.log_level != NULL && cm_log_parse_level(o.log_level, &level) != 0) {
        fprintf(stderr, "fault-proxy: --log-level: expected error, warn, info or debug\n");
        return 2;
    }
    cm_log_set_level(level);
    if (load(&o, &cfg) != 0)
        return 2;
    if (o.check) {
        printf("%s: ok (%zu proxies)\n", o.config, cfg.n);
        fp_config_free(&cfg);
        return 0;
    }
    int rc = serve(&o, &cfg);
    fp_config_free(&cfg);
    return rc;
}
