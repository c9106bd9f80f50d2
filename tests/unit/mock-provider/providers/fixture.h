/* tests/unit/mock-provider/providers/fixture.h — shared set-up for the provider tests: a deployment, an
 * arena allocator, parse/exchange helpers, and readers for what the renderers produce (JSON paths, SSE
 * frames). Header-only so that each *_test.c stays one self-contained executable. */
#ifndef TESTS_PROVIDERS_FIXTURE_H
#define TESTS_PROVIDERS_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/alloc.h"
#include "common/json.h"
#include "mock-provider/provider.h"

typedef struct fx {
    cm_arena_t arena;
    cm_allocator_t a;
    cm_json_toks_t toks;
    mp_deployment_t dep;
    mp_route_t route; /* what fx_parse routes to (only the api is set) */
    mp_request_t req;
    mp_error_t err;
    mp_exchange_t x;
    bool begun;
    cm_rng_t rng;
    cm_buf_t out;
    cm_json_toks_t otoks; /* for reading back what was rendered */
    cm_json_doc_t doc;
} fx_t;

static inline fx_t *fx_new(void)
{
    fx_t *f = cm_xcalloc(1, sizeof(*f));
    f->a = cm_arena_allocator(&f->arena);
    f->dep.name = "test";
    f->dep.provider = MP_PROVIDER_OPENAI;
    f->dep.ops = mp_provider_for(MP_PROVIDER_OPENAI);
    f->dep.output_tokens = cm_dist_fixed(5);
    f->dep.seed = 42;
    cm_rng_seed(&f->rng, 7);
    return f;
}

static inline void fx_free(fx_t *f)
{
    if (f->begun)
        mp_exchange_end(&f->x);
    cm_arena_free(&f->arena);
    cm_json_toks_free(&f->toks);
    cm_json_toks_free(&f->otoks);
    cm_buf_free(&f->out);
    free(f);
}

static inline int fx_parse(fx_t *f, mp_api_t api, const char *body)
{
    f->route = (mp_route_t){.api = api};
    return f->dep.ops->parse(&f->route, body, strlen(body), &f->toks, &f->a, &f->req, &f->err);
}

/* Parses body (must succeed) and begins an exchange. */
static inline void fx_begin(fx_t *f, mp_api_t api, const char *body)
{
    int rc = fx_parse(f, api, body);
    if (rc != 0)
        fail_msg("parse failed: %d %s (param %s, code %s)", f->err.status, f->err.message, f->err.param, f->err.code);
    mp_exchange_begin(&f->x, &f->dep, &f->req, &f->rng, &f->a);
    f->begun = true;
}

/* Renders the whole stream (head, every step, tail) into f->out. */
static inline void fx_stream(fx_t *f)
{
    const mp_provider_t *p = f->dep.ops;
    p->render_head(&f->x, &f->out);
    for (uint32_t i = 0; i < f->x.steps; i++)
        p->render_step(&f->x, &f->out);
    p->render_tail(&f->x, &f->out);
}

/* Expects a parse failure with exactly this status, param ("" = null), code ("" = null) and message. */
static inline void fx_expect_error(fx_t *f, mp_api_t api, const char *body, int status, const char *param,
                                   const char *code, const char *message)
{
    int rc = fx_parse(f, api, body);
    if (rc != -1)
        fail_msg("expected an error for %s", body);
    assert_int_equal(f->err.status, status);
    assert_string_equal(f->err.param, param);
    assert_string_equal(f->err.code, code);
    assert_string_equal(f->err.message, message);
}

/* Parses JSON text (must be valid) into f->doc. */
static inline void fx_read(fx_t *f, const char *s, size_t n)
{
    char err[160];
    if (cm_json_parse(&f->doc, s, n, &f->otoks, err, sizeof(err)) != 0)
        fail_msg("invalid JSON rendered: %s\n%.*s", err, (int)n, s);
}

/* Begins an exchange for body (must parse), renders its non-stream body into f->out and reads it into f->doc. */
static inline void fx_body(fx_t *f, mp_api_t api, const char *body)
{
    fx_begin(f, api, body);
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
}

/* A value by dotted path ("choices.0.message.content"); numbers index arrays. 0 when absent. */
static inline uint32_t jpath(const cm_json_doc_t *d, uint32_t t, const char *path)
{
    char part[64];
    bool first = true; /* token 0 is the root, but "absent" once a lookup has failed */
    while (*path != '\0') {
        if (!first && t == 0)
            return 0;
        first = false;
        size_t n = strcspn(path, ".");
        snprintf(part, sizeof(part), "%.*s", (int)n, path);
        if (cm_json_type(d, t) == CM_JSON_ARRAY)
            t = cm_json_at(d, t, (uint32_t)atoi(part));
        else
            t = cm_json_get(d, t, part);
        path += n + (path[n] == '.');
    }
    return t;
}

static inline int64_t jint(const cm_json_doc_t *d, uint32_t t, const char *path)
{
    int64_t v = -999999;
    uint32_t k = jpath(d, t, path);
    if (k == 0 || cm_json_int(d, k, &v) != 0)
        fail_msg("no integer at %s", path);
    return v;
}

/* The unescaped string at path into a static buffer ("<absent>" / "<null>" / "<not a string>"). */
static inline const char *jstr(const cm_json_doc_t *d, uint32_t t, const char *path)
{
    static char buf[8192];
    uint32_t k = jpath(d, t, path);
    if (k == 0)
        return "<absent>";
    if (cm_json_type(d, k) == CM_JSON_NULL)
        return "<null>";
    if (cm_json_type(d, k) != CM_JSON_STRING)
        return "<not a string>";
    cm_json_unescape(d, k, buf, sizeof(buf));
    return buf;
}

/* Copies a string the test expects to be short (e.g. an id read with jstr, whose buffer is reused). */
static inline void fx_copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        fail_msg("string of %zu bytes does not fit in %zu", n, cap);
    memcpy(dst, src, n + 1);
}

static inline bool jnull(const cm_json_doc_t *d, uint32_t t, const char *path)
{
    uint32_t k = jpath(d, t, path);
    return k != 0 && cm_json_type(d, k) == CM_JSON_NULL;
}

/* One SSE frame of a rendered stream. */
typedef struct sse_frame {
    char event[64]; /* "" when the frame has no event: line */
    const char *data;
    size_t len;
} sse_frame_t;

/* Splits s into frames (each "[event: X\n]data: Y\n\n"); fails the test on anything else. Returns the count. */
static inline size_t sse_split(const char *s, size_t n, sse_frame_t *frames, size_t cap)
{
    size_t count = 0, pos = 0;
    while (pos < n) {
        if (count == cap)
            fail_msg("too many frames");
        sse_frame_t *fr = &frames[count++];
        fr->event[0] = '\0';
        if (strncmp(s + pos, "event: ", 7) == 0) {
            const char *nl = memchr(s + pos, '\n', n - pos);
            if (nl == NULL)
                fail_msg("unterminated event line");
            snprintf(fr->event, sizeof(fr->event), "%.*s", (int)(nl - s - pos - 7), s + pos + 7);
            pos = (size_t)(nl - s) + 1;
        }
        if (strncmp(s + pos, "data: ", 6) != 0)
            fail_msg("expected data: at byte %zu: %.40s", pos, s + pos);
        pos += 6;
        const char *end = strstr(s + pos, "\n\n");
        if (end == NULL)
            fail_msg("frame without blank line at byte %zu", pos);
        fr->data = s + pos;
        fr->len = (size_t)(end - s - pos);
        if (memchr(fr->data, '\n', fr->len) != NULL)
            fail_msg("newline inside a data line");
        pos = (size_t)(end - s) + 2;
    }
    return count;
}

/* Renders f's whole stream with chunk steps per render_step (a deployment's tokens_per_chunk); returns the
 * number of chunks (render_step calls). */
static inline uint32_t fx_stream_chunked(fx_t *f, uint32_t chunk)
{
    const mp_provider_t *p = f->dep.ops;
    uint32_t n = 0;
    p->render_head(&f->x, &f->out);
    while (f->x.step < f->x.steps && n <= f->x.steps) {
        f->x.chunk = chunk;
        p->render_step(&f->x, &f->out);
        n++;
    }
    p->render_tail(&f->x, &f->out);
    return n;
}

/* Renders f's whole stream and splits it into at most cap frames of a typed event stream (the Responses API's):
 * every frame's event: line names its data's type, and sequence_number counts from 0. Returns the count. */
static inline size_t fx_events(fx_t *f, sse_frame_t *fr, size_t cap)
{
    fx_stream(f);
    size_t n = sse_split(f->out.data, f->out.len, fr, cap);
    for (size_t i = 0; i < n; i++) {
        fx_read(f, fr[i].data, fr[i].len);
        if (strcmp(jstr(&f->doc, 0, "type"), fr[i].event) != 0)
            fail_msg("frame %zu: event %s, type %s", i, fr[i].event, jstr(&f->doc, 0, "type"));
        assert_int_equal(jint(&f->doc, 0, "sequence_number"), (int64_t)i);
    }
    return n;
}

/* Fails unless the n frames' events are want[0..nwant-1], in order. */
static inline void fx_expect_events(const sse_frame_t *fr, size_t n, const char *const *want, size_t nwant)
{
    for (size_t i = 0; i < n && i < nwant; i++)
        if (strcmp(fr[i].event, want[i]) != 0)
            fail_msg("event %zu: %s, expected %s", i, fr[i].event, want[i]);
    assert_int_equal(n, nwant);
}

/* Words of s: runs of non-spaces. */
static inline size_t fx_count_words(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += *p != ' ' && (p == s || p[-1] == ' ');
    return n;
}

#include <time.h>
/* Elapsed seconds on a monotonic clock, for the micro-benchmarks in bench/. */
static inline double fx_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The calling thread's CPU time in seconds, for the checks that some input is refused or handled in bounded
 * work (a quadratic algorithm takes seconds where a linear one takes milliseconds). CPU time, not elapsed
 * time: a loaded machine delays a test without making it do more work, and must not fail it. */
static inline double fx_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* SOAK_TIME_SCALE multiplies timing tolerances on slow machines (default 1). */
static inline double fx_time_scale(void)
{
    const char *s = getenv("SOAK_TIME_SCALE");
    double v = s ? atof(s) : 1.0;
    return v > 0 ? v : 1.0;
}

#endif
