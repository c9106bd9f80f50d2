/* mock-provider: a fake LLM provider for load and soak tests. This file only reads the command line and
 * drives the library (quickflags.c builds the config, server.c runs it). */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <h2o/version.h>

#include "common/getopt_msg.h"
#include "common/log.h"
#include "mock-provider/config.h"
#include "mock-provider/litellm.h"
#include "mock-provider/provider.h"
#include "mock-provider/admin/admin.h"
#include "mock-provider/quickflags.h"
#include "mock-provider/server.h"

enum {
    OPT_CHECK = 256,
    OPT_LISTEN,
    OPT_TTFT,
    OPT_ITL,
    OPT_PREFILL,
    OPT_OUTPUT_TOKENS,
    OPT_TOKENS_PER_CHUNK,
    OPT_MODEL,
    OPT_API_KEY,
    OPT_CONTENT,
    OPT_TOOL_CALLS,
    OPT_SEED,
    OPT_NAME,
    OPT_KEEPALIVE,
    OPT_MAX_BODY,
    OPT_THREADS,
    OPT_LOG_LEVEL,
    OPT_SET,
    OPT_LITELLM,
    OPT_ADMIN,
    OPT_ADMIN_TOKEN,
};

static const struct option longopts[] = {
    {"config", required_argument, NULL, 'c'},
    {"check", no_argument, NULL, OPT_CHECK},
    {"set", required_argument, NULL, OPT_SET},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"ttft", required_argument, NULL, OPT_TTFT},
    {"itl", required_argument, NULL, OPT_ITL},
    {"prefill-per-token", required_argument, NULL, OPT_PREFILL},
    {"output-tokens", required_argument, NULL, OPT_OUTPUT_TOKENS},
    {"tokens-per-chunk", required_argument, NULL, OPT_TOKENS_PER_CHUNK},
    {"model", required_argument, NULL, OPT_MODEL},
    {"api-key", required_argument, NULL, OPT_API_KEY},
    {"content", required_argument, NULL, OPT_CONTENT},
    {"tool-calls", no_argument, NULL, OPT_TOOL_CALLS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"name", required_argument, NULL, OPT_NAME},
    {"keepalive-timeout", required_argument, NULL, OPT_KEEPALIVE},
    {"max-body", required_argument, NULL, OPT_MAX_BODY},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"print-litellm-config", optional_argument, NULL, OPT_LITELLM},
    {"admin", required_argument, NULL, OPT_ADMIN},
    {"admin-token", required_argument, NULL, OPT_ADMIN_TOKEN},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

typedef struct options {
    mp_cli_t cli;
    int check;
    const char *log_level;
    bool litellm;             /* --print-litellm-config */
    const char *litellm_file; /* its FILE; NULL: stdout */
} options_t;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: mock-provider [--config FILE [--check]] [options]\n"
            "A fake LLM provider (OpenAI, Azure OpenAI, Anthropic, Gemini, Vertex AI) for load and soak tests.\n"
            "Without --config it serves one OpenAI deployment described by the quick flags (the others: provider:\n"
            "in a config). Every deployment prints its api_base when ready.\n"
            "\n"
            "  -c, --config FILE            read the mock: section of a scenario file\n"
            "      --set PATH=VALUE         override a value of the file; repeatable, e.g.\n"
            "                               --set mock.deployments[NAME].listen=127.0.0.1:0\n"
            "      --check                  validate the configuration and exit (0 valid, 2 invalid)\n"
            "      --print-litellm-config[=FILE]\n"
            "                               once the ports are bound, write a LiteLLM config (model_list) routing\n"
            "                               to every deployment to FILE (default: stdout), then serve\n"
            "\n"
            "One deployment without a file (not combinable with --config):\n"
            "      --name NAME              deployment name (default: default)\n"
            "      --listen HOST:PORT       listen address; port 0 picks a free port (default: 127.0.0.1:0)\n"
            "      --ttft D|DIST            time to first token, e.g. 200ms or lognormal(80ms, 0.3) (default: 0)\n"
            "      --itl D|DIST             inter-token latency, e.g. normal(20ms, 5ms) (default: 0)\n"
            "      --prefill-per-token D|DIST\n"
            "                               added per prompt token before the first token (default: 0)\n"
            "      --output-tokens DIST     completion length, capped by max_tokens (default: normal(64, 16))\n"
            "      --tokens-per-chunk DIST  tokens in each stream chunk, e.g. 4 or uniform(1, 8) (default: 1); each\n"
            "                               chunk comes k x itl after the previous one\n"
            "      --model M                accepted model; repeatable (default: any model)\n"
            "      --api-key K              accepted API key; repeatable (default: no auth)\n"
            "      --content pool|echo      answer text: seeded word pool or echo of the prompt (default: pool)\n"
            "      --tool-calls             answer with a tool call when the request offers tools\n"
            "      --seed N                 seed for latency, length and content draws\n"
            "\n"
            "Process:\n"
            "      --threads N              worker threads (default: one per CPU)\n"
            "      --keepalive-timeout D    idle keep-alive timeout (default: 300s)\n"
            "      --max-body SIZE          largest request body accepted (default: 8MiB)\n"
            "      --log-level LEVEL        error, warn, info or debug (default: info)\n"
            "      --admin HOST:PORT        serve the admin API there (docs/faults.md); port 0 picks a free port\n"
            "      --admin-token SECRET     require Authorization: Bearer SECRET (needed off loopback)\n"
            "  -h, --help                   show this help\n"
            "  -V, --version                show the version\n"
            "\n"
            "Exit status: 0 stopped by SIGINT/SIGTERM or check passed, 1 runtime failure, 2 usage or config error.\n"
            "Reference: docs/mock-provider.md\n");
}

static int add_list(const char **list, size_t *n, const char *flag, const char *v)
{
    if (*n == MP_CLI_MAX_LIST) {
        fprintf(stderr, "mock-provider: %s given more than %d times\n", flag, MP_CLI_MAX_LIST);
        return -1;
    }
    list[(*n)++] = v;
    return 0;
}

static const char *flag_name(int c)
{
    for (int i = 0; longopts[i].name != NULL; i++)
        if (longopts[i].val == c)
            return longopts[i].name;
    return NULL;
}

/* Flags that describe the quick deployment; remembered so that --config can refuse them. */
static int quick_option(int c, mp_cli_t *cli)
{
    const char *name = flag_name(c);
    if (name == NULL) {
        usage(stderr);
        return -1;
    }
    if (cli->first_quick_flag == NULL)
        cli->first_quick_flag = name;
    switch (c) {
    case OPT_LISTEN:
        cli->listen = optarg;
        break;
    case OPT_TTFT:
        cli->ttft = optarg;
        break;
    case OPT_ITL:
        cli->itl = optarg;
        break;
    case OPT_PREFILL:
        cli->prefill_per_token = optarg;
        break;
    case OPT_OUTPUT_TOKENS:
        cli->output_tokens = optarg;
        break;
    case OPT_TOKENS_PER_CHUNK:
        cli->tokens_per_chunk = optarg;
        break;
    case OPT_CONTENT:
        cli->content = optarg;
        break;
    case OPT_TOOL_CALLS:
        cli->tool_calls = true;
        break;
    case OPT_SEED:
        cli->seed = optarg;
        break;
    case OPT_NAME:
        cli->name = optarg;
        break;
    case OPT_MODEL:
        return add_list(cli->models, &cli->nmodels, "--model", optarg);
    case OPT_API_KEY:
        return add_list(cli->api_keys, &cli->nkeys, "--api-key", optarg);
    }
    return 0;
}

/* Returns 0 to go on, 1 when --help or --version was answered, -1 on a usage error (already printed). */
static int parse_option(int c, options_t *o)
{
    mp_cli_t *cli = &o->cli;
    switch (c) {
    case 'c':
        cli->config = optarg;
        return 0;
    case OPT_CHECK:
        o->check = 1;
        return 0;
    case OPT_SET:
        return add_list(cli->sets, &cli->nsets, "--set", optarg);
    case OPT_THREADS:
        cli->threads = optarg;
        return 0;
    case OPT_KEEPALIVE:
        cli->keepalive_timeout = optarg;
        return 0;
    case OPT_MAX_BODY:
        cli->max_body = optarg;
        return 0;
    case OPT_LOG_LEVEL:
        o->log_level = optarg;
        return 0;
    case OPT_ADMIN:
        cli->admin = optarg;
        return 0;
    case OPT_ADMIN_TOKEN:
        cli->admin_token = optarg;
        return 0;
    case OPT_LITELLM:
        o->litellm = true;
        o->litellm_file = optarg;
        return 0;
    case 'h':
        usage(stdout);
        return 1;
    case 'V':
        printf("mock-provider %s (h2o %s)\n", SOAK_VERSION, H2O_VERSION);
        return 1;
    default:
        return quick_option(c, cli);
    }
}

static int parse_args(int argc, char **argv, options_t *o)
{
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
        if (c == '?') {
            char msg[256];
            fprintf(stderr, "mock-provider: %s\nTry 'mock-provider --help'.\n",
                    cm_getopt_msg("c:hV", longopts, argv, optind, optopt, msg, sizeof(msg)));
            return -1;
        }
        int rc = parse_option(c, o);
        if (rc != 0)
            return rc;
    }
    if (optind < argc) {
        fprintf(stderr, "mock-provider: unexpected argument \"%s\" (options start with --)\n", argv[optind]);
        return -1;
    }
    if (o->check && o->litellm) {
        fprintf(stderr, "mock-provider: --print-litellm-config needs the bound ports: use it without --check\n");
        return -1;
    }
    if (o->check && o->cli.config == NULL && o->cli.first_quick_flag == NULL) {
        fprintf(stderr, "mock-provider: --check needs --config FILE (or quick flags) to validate\n");
        return -1;
    }
    cm_log_level_t level = CM_LOG_INFO;
    if (o->log_level != NULL && cm_log_parse_level(o->log_level, &level) != 0) {
        fprintf(stderr, "mock-provider: --log-level \"%s\": expected error, warn, info or debug\n", o->log_level);
        return -1;
    }
    cm_log_set_level(level);
    return 0;
}

/* Written whole to FILE.tmp and renamed, so a gateway started on the file never reads half of it. */
static int write_litellm(const mp_config_t *cfg, const char *path)
{
    if (path == NULL) {
        mp_litellm_write(cfg, stdout);
        return 0;
    }
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
        fprintf(stderr, "mock-provider: --print-litellm-config: path too long\n");
        return -1;
    }
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        fprintf(stderr, "mock-provider: --print-litellm-config: cannot write %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    mp_litellm_write(cfg, f);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "mock-provider: --print-litellm-config: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void print_ready(const mp_config_t *cfg)
{
    if (cfg->admin.listen_host != NULL) {
        bool v6 = strchr(cfg->admin.listen_host, ':') != NULL;
        printf("mock-provider: admin listening on http://%s%s%s:%u/admin\n", v6 ? "[" : "", cfg->admin.listen_host,
               v6 ? "]" : "", (unsigned)cfg->admin.listen_port);
    }
    for (size_t i = 0; i < cfg->ndeps; i++) {
        const mp_deployment_t *d = &cfg->deps[i];
        bool v6 = strchr(d->listen_host, ':') != NULL;
        printf("mock-provider: deployment %s listening on http://%s%s%s:%u%s\n", d->name, v6 ? "[" : "", d->listen_host,
               v6 ? "]" : "", (unsigned)d->listen_port, d->ops->base_path);
    }
    printf("mock-provider: ready\n");
    fflush(stdout);
}

/* Signals are blocked in every thread (the workers inherit the mask) and taken synchronously here with
 * sigwait, so no handler runs inside an event loop. */
static int serve(mp_config_t *cfg, const options_t *o)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    char err[512];
    mp_server_t *s = NULL;
    if (mp_server_create(&s, cfg, err, sizeof(err)) != 0 || mp_server_start(s, err, sizeof(err)) != 0) {
        fprintf(stderr, "mock-provider: %s\n", err);
        mp_server_free(s);
        return 1;
    }
    mp_admin_t *admin = NULL;
    if (cfg->admin.listen_host != NULL &&
        (mp_admin_create(&admin, s, err, sizeof(err)) != 0 || mp_admin_start(admin, err, sizeof(err)) != 0)) {
        fprintf(stderr, "mock-provider: %s\n", err);
        mp_server_stop(s);
        mp_server_free(s);
        return 1;
    }
    if (o->litellm && write_litellm(cfg, o->litellm_file) != 0) {
        mp_admin_stop(admin);
        mp_server_stop(s);
        mp_server_free(s);
        return 1;
    }
    print_ready(cfg);
    int sig = 0;
    sigwait(&set, &sig);
    cm_log(CM_LOG_INFO, "mock-provider", "%s received, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    mp_admin_stop(admin);
    mp_server_stop(s);
    mp_server_free(s);
    return 0;
}

int main(int argc, char **argv)
{
    options_t o;
    memset(&o, 0, sizeof(o));
    int rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 2 : 0;
    mp_config_t cfg;
    mp_config_init(&cfg);
    cm_err_t err;
    if (mp_cli_build_config(&o.cli, &cfg, &err) != 0) {
        fprintf(stderr, "mock-provider: %s\n", err.msg);
        mp_config_free(&cfg);
        return 2;
    }
    if (o.check) {
        printf("%s: OK (%zu deployment%s)\n", o.cli.config ? o.cli.config : "quick flags", cfg.ndeps,
               cfg.ndeps == 1 ? "" : "s");
        rc = 0;
    } else {
        rc = serve(&cfg, &o);
    }
    mp_config_free(&cfg);
    return rc;
}
