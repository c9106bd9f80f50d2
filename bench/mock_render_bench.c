/* bench/mock_render_bench.c — the mock's hot path in process: parse + plan + render + release of a small
 * non-stream chat completion, the work behind every request of the seed's 1K RPS test. Prints the median
 * over several rounds of the cost per request, in microseconds, so a change to the parser or the renderer
 * can be compared before and after on the same machine:
 *   build/release/bench/mock_render_bench [ROUNDS] [REQUESTS_PER_ROUND]
 * A figure, not a pass/fail check: timing limits do not belong in unit tests on a shared machine. */
#include "tests/unit/mock-provider/providers/fixture.h"

#define REQUEST                                                                                                        \
    "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}],\"max_tokens\":50}"
#define MAX_ROUNDS 100

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static long arg(int argc, char **argv, int i, long dflt, long max)
{
    if (argc <= i)
        return dflt;
    char *end;
    long v = strtol(argv[i], &end, 10);
    if (*end != '\0' || v < 1 || v > max) {
        fprintf(stderr, "mock_render_bench: argument %d must be a whole number from 1 to %ld, got \"%s\"\n", i, max,
                argv[i]);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    long rounds = arg(argc, argv, 1, 7, MAX_ROUNDS), n = arg(argc, argv, 2, 50000, 10000000);
    double parse[MAX_ROUNDS], render[MAX_ROUNDS];
    fx_t *f = fx_new();
    f->dep.output_tokens = cm_dist_fixed(16);
    for (long r = 0; r < rounds; r++) {
        double p = 0, q = 0;
        for (long i = 0; i < n; i++) {
            double t0 = fx_now();
            if (fx_parse(f, MP_API_CHAT, REQUEST) != 0) {
                fprintf(stderr, "mock_render_bench: the request did not parse\n");
                return 1;
            }
            double t1 = fx_now();
            mp_exchange_begin(&f->x, &f->dep, &f->req, &f->rng, &f->a);
            cm_buf_reset(&f->out);
            f->dep.ops->render_body(&f->x, &f->out);
            mp_exchange_end(&f->x);
            double t2 = fx_now();
            p += t1 - t0;
            q += t2 - t1;
            if (i % 1000 == 999)
                cm_arena_free(&f->arena); /* the server releases a request's pool per request */
        }
        parse[r] = p / (double)n * 1e6;
        render[r] = q / (double)n * 1e6;
    }
    qsort(parse, (size_t)rounds, sizeof(double), cmp_double);
    qsort(render, (size_t)rounds, sizeof(double), cmp_double);
    printf("small chat (%zu bytes out), median of %ld rounds of %ld: parse %.2f us, begin+render+end %.2f us per "
           "request\n",
           f->out.len, rounds, n, parse[rounds / 2], render[rounds / 2]);
    fx_free(f);
    return 0;
}
