/* bench/json_parse_bench.c — times cm_json_parse against cJSON on the seed Locust chat body (about 16 KB)
 * and on a small chat body, and prints the median ns per parse of several runs and the ratio.
 *
 * Usage: json_parse_bench [runs] [parses-per-run]   (defaults 11 and 2000)
 *
 * Each run parses the same body many times back to back, so the numbers are for a warm cache: that is
 * the mock's situation, where the body was just read from the socket. */
#include "common/buf.h"
#include "common/clock.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SOAK_HAVE_CJSON
#include <cjson/cJSON.h>
#endif

typedef int (*parse_fn)(const char *body, size_t len, void *ctx);

static int parse_ours(const char *body, size_t len, void *ctx)
{
    cm_json_doc_t doc;
    char err[128];
    if (cm_json_parse(&doc, body, len, ctx, err, sizeof(err)) != 0) {
        fprintf(stderr, "json_parse_bench: %s\n", err);
        return -1;
    }
    return cm_json_get(&doc, 0, "model") != 0 ? 0 : -1;
}

#ifdef SOAK_HAVE_CJSON
static int parse_cjson(const char *body, size_t len, void *ctx)
{
    cJSON *root = cJSON_ParseWithLength(body, len);
    if (root == NULL)
        return -1;
    int rc = cJSON_GetObjectItemCaseSensitive(root, "model") != NULL ? 0 : -1;
    cJSON_Delete(root);
    return rc;
}
#endif

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Mean ns per parse over one run of per_run parses; -1 when a parse fails. */
static double run_ns(parse_fn fn, const char *body, size_t len, void *ctx, int per_run)
{
    uint64_t t0 = cm_now_ns();
    for (int i = 0; i < per_run; i++) {
        if (fn(body, len, ctx) != 0)
            return -1;
    }
    return (double)(cm_now_ns() - t0) / per_run;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
    return v[n / 2];
}

static void seed_body(cm_buf_t *b)
{
    static const char uuid[] = "3f0c6d4e-8a51-4c1b-9d2e-7b6a5f4e3d21";
    cm_buf_puts(b, "{\"model\":\"fake-openai-endpoint\",\"messages\":[{\"role\":\"user\",\"content\":\"");
    for (int i = 0; i < 150; i++)
        cm_buf_printf(b, "%s This is a test there will be no cache hits and we'll fill up the context", uuid);
    cm_buf_puts(b, "\"}],\"user\":\"my-new-end-user-1\"}");
}

/* Runs of the two parsers alternate, so load from other processes on a shared machine hits both alike
 * and the ratio stays meaningful even when the absolute numbers move. */
static int bench_body(const char *name, const char *body, size_t len, int runs, int per_run)
{
    cm_json_toks_t toks = {0};
    double ours[101], ref[101];
    int rc = 0;
    for (int r = 0; r < runs && rc == 0; r++) {
        ours[r] = run_ns(parse_ours, body, len, &toks, per_run);
#ifdef SOAK_HAVE_CJSON
        ref[r] = run_ns(parse_cjson, body, len, NULL, per_run);
#else
        ref[r] = 0;
#endif
        rc = ours[r] < 0 || ref[r] < 0 ? -1 : 0;
    }
    cm_json_toks_free(&toks);
    if (rc != 0)
        return -1;
    double m = median(ours, runs);
    printf("%-6s %6zu bytes  cm_json_parse %7.0f ns/parse", name, len, m);
#ifdef SOAK_HAVE_CJSON
    double mr = median(ref, runs);
    printf("  cJSON %7.0f ns/parse  ratio cJSON/ours %.1fx", mr, mr / m);
#else
    printf("  (cJSON not found at build time: no comparison)");
#endif
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 11;
    int per_run = argc > 2 ? atoi(argv[2]) : 2000;
    if (runs < 1 || runs > 101 || per_run < 1) {
        fprintf(stderr, "usage: json_parse_bench [runs 1..101] [parses-per-run >= 1]\n");
        return 2;
    }
    static const char small[] = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],"
                                "\"max_tokens\":50,\"stream\":true,\"temperature\":0.7}";
    cm_buf_t seed = CM_BUF_INIT;
    seed_body(&seed);
    printf("median of %d runs x %d parses (parser built with -O2)\n", runs, per_run);
    int rc = bench_body("seed", seed.data, seed.len, runs, per_run);
    if (rc == 0)
        rc = bench_body("small", small, sizeof(small) - 1, runs, per_run);
    cm_buf_free(&seed);
    if (rc != 0)
        fprintf(stderr, "json_parse_bench: a parse failed\n");
    return rc == 0 ? 0 : 1;
}
