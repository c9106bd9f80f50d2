/* tests/fuzz/driver.c — runs a libFuzzer-style target without libFuzzer, so every build (gcc included)
 * exercises the fuzz targets in ctest.
 *
 * Usage: <target> CORPUS_DIR [ITERATIONS]
 * Runs the target on every file of CORPUS_DIR (sorted by name), then on ITERATIONS pseudo-random mutations
 * of them (default 20000, or SOAK_FUZZ_ITERATIONS; seed SOAK_FUZZ_SEED, default 1), and prints
 * "<name>: N inputs ok". Each input is copied into a buffer of exactly its size so that AddressSanitizer
 * catches any read past the end. A crash or abort inside the target fails the test; a signal handler then
 * writes the input that caused it to ./fuzz-crash-<name> so it can be replayed (sanitizers are told to
 * abort on error so that the handler runs after their report). Replay it with: <target> DIR 0, where DIR
 * holds just that file. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT 65536
#define FUZZ_MAX_FILES 4096

typedef struct input {
    uint8_t *p;
    size_t n;
} input_t;

static uint64_t rng_state;

static uint64_t next(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static size_t below(size_t n)
{
    return n ? (size_t)(next() % n) : 0;
}

static char crash_name[512];
static const uint8_t *volatile current;
static volatile size_t current_n;

/* Only async-signal-safe calls here: the process is dying. */
static void on_crash(int sig)
{
    int fd = open(crash_name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        ssize_t w = write(fd, (const void *)current, current_n);
        (void)w;
        close(fd);
        static const char msg[] = "fuzz driver: the crashing input was saved to ./";
        w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        w = write(STDERR_FILENO, crash_name, strlen(crash_name));
        w = write(STDERR_FILENO, "\n", 1);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void)
{
    return "abort_on_error=1";
}

const char *__ubsan_default_options(void)
{
    return "abort_on_error=1:print_stacktrace=1";
}

static void install_crash_handler(const char *name)
{
    static const int sigs[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
    snprintf(crash_name, sizeof(crash_name), "fuzz-crash-%s", name);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], on_crash);
}

static void run(const uint8_t *data, size_t n)
{
    uint8_t *copy = malloc(n ? n : 1);
    if (copy == NULL)
        abort();
    memcpy(copy, data, n);
    current = data;
    current_n = n;
    LLVMFuzzerTestOneInput(copy, n);
    free(copy);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_file(const char *path, input_t *in)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    in->p = malloc(FUZZ_MAX_INPUT);
    in->n = in->p ? fread(in->p, 1, FUZZ_MAX_INPUT, f) : 0;
    fclose(f);
    return in->p ? 0 : -1;
}

static size_t load_corpus(const char *dir, input_t *inputs)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "fuzz driver: cannot open corpus %s\n", dir);
        exit(2);
    }
    char *names[FUZZ_MAX_FILES];
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL && n < FUZZ_MAX_FILES;) {
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_names);
    size_t got = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (read_file(path, &inputs[got]) == 0)
            got++;
        free(names[i]);
    }
    return got;
}

/* Bytes that matter to the parsers under test: structure, escapes, digits, unit letters, YAML markers. */
static const char interesting[] =
    "{}[]:,\"'\\/ \t\n\r0123456789.-+eEkKMGmsuh%&*!|>#~<u\x00\x01\x1f\x7f\x80\xc3\xbf\xff";

static void mutate_once(input_t *m, const input_t *corpus, size_t ncorpus)
{
    size_t pos = below(m->n + 1);
    switch (below(7)) {
    case 0: /* flip a bit */
        if (m->n)
            m->p[below(m->n)] ^= (uint8_t)(1u << below(8));
        break;
    case 1: /* insert an interesting byte */
        if (m->n < FUZZ_MAX_INPUT) {
            memmove(m->p + pos + 1, m->p + pos, m->n - pos);
            m->p[pos] = (uint8_t)interesting[below(sizeof(interesting) - 1)];
            m->n++;
        }
        break;
    case 2: /* delete a run */
        if (m->n) {
            size_t at = below(m->n), len = 1 + below(m->n - at < 8 ? m->n - at : 8);
            memmove(m->p + at, m->p + at + len, m->n - at - len);
            m->n -= len;
        }
        break;
    case 3: /* overwrite with an interesting byte */
        if (m->n)
            m->p[below(m->n)] = (uint8_t)interesting[below(sizeof(interesting) - 1)];
        break;
    case 4: /* truncate */
        m->n = pos;
        break;
    case 5: { /* duplicate a chunk (nesting, repeated keys) */
        size_t at = below(m->n), len = below(m->n - at + 1);
        if (m->n + len <= FUZZ_MAX_INPUT) {
            memmove(m->p + pos + len, m->p + pos, m->n - pos);
            memmove(m->p + pos, m->p + (at < pos ? at : at + len), len);
            m->n += len;
        }
        break;
    }
    default: { /* splice a piece of another input */
        const input_t *o = &corpus[below(ncorpus)];
        size_t at = below(o->n), len = below(o->n - at + 1);
        if (pos + len <= FUZZ_MAX_INPUT) {
            memcpy(m->p + pos, o->p + at, len);
            if (pos + len > m->n)
                m->n = pos + len;
        }
    }
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR [ITERATIONS]\n", argv[0]);
        return 2;
    }
    const char *env_it = getenv("SOAK_FUZZ_ITERATIONS"), *env_seed = getenv("SOAK_FUZZ_SEED");
    long iterations = argc > 2 ? atol(argv[2]) : env_it ? atol(env_it) : 20000;
    rng_state = env_seed ? strtoull(env_seed, NULL, 10) : 1;
    char name[256];
    snprintf(name, sizeof(name), "%s", strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0]);
    char *suffix = strstr(name, "_fuzz");
    if (suffix != NULL)
        *suffix = '\0';
    install_crash_handler(name);
    static input_t corpus[FUZZ_MAX_FILES];
    size_t n = load_corpus(argv[1], corpus);
    if (n == 0) {
        fprintf(stderr, "%s: corpus %s is empty\n", name, argv[1]);
        return 2;
    }
    for (size_t i = 0; i < n; i++)
        run(corpus[i].p, corpus[i].n);
    input_t m = {malloc(FUZZ_MAX_INPUT), 0};
    for (long i = 0; i < iterations; i++) {
        const input_t *base = &corpus[below(n)];
        memcpy(m.p, base->p, base->n);
        m.n = base->n;
        for (size_t k = 1 + below(8); k > 0; k--)
            mutate_once(&m, corpus, n);
        run(m.p, m.n);
    }
    printf("%s: %ld inputs ok\n", name, (long)n + iterations);
    free(m.p);
    for (size_t i = 0; i < n; i++)
        free(corpus[i].p);
    return 0;
}
