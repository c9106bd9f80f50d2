/* Tests mock-provider/providers/openai/openai_logprobs.c: chat logprobs in bodies and in every stream chunk, tokens
 * that concatenate to the content, bytes that are the tokens' UTF-8, sorted alternatives, and the bound. */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/budget.h"
#include "mock-provider/providers/openai/openai.h"

#define CHAT(extra)                                                                                                    \
    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Say \\\"caf\\u00e9\\\" and\\nmore\"}]" extra "}"

/* Checks one entry (token t of a logprobs.content array) and appends its token to text. */
static void check_entry(const cm_json_doc_t *d, uint32_t e, uint32_t top, cm_buf_t *text)
{
    char token[256];
    uint32_t tt = cm_json_get(d, e, "token");
    size_t n = cm_json_unescape(d, tt, token, sizeof(token));
    assert_true(n < sizeof(token));
    cm_buf_append(text, token, n);
    double lp, prev;
    assert_int_equal(cm_json_double(d, cm_json_get(d, e, "logprob"), &lp), 0);
    assert_true(lp <= 0);
    uint32_t bytes = cm_json_get(d, e, "bytes");
    assert_int_equal(d->tok[bytes].count, n);
    uint32_t i = 0;
    for (uint32_t b = cm_json_first(d, bytes); b != 0; b = cm_json_next(d, b), i++) {
        int64_t v;
        assert_int_equal(cm_json_int(d, b, &v), 0);
        assert_int_equal(v, (unsigned char)token[i]);
    }
    uint32_t alts = cm_json_get(d, e, "top_logprobs");
    assert_int_equal(d->tok[alts].count, top);
    prev = 0;
    i = 0;
    for (uint32_t a = cm_json_first(d, alts); a != 0; a = cm_json_next(d, a), i++) {
        double alp;
        cm_json_double(d, cm_json_get(d, a, "logprob"), &alp);
        assert_true(alp <= prev);
        prev = alp;
        if (i == 0) {
            char first[256];
            cm_json_unescape(d, cm_json_get(d, a, "token"), first, sizeof(first));
            assert_string_equal(first, token);
            assert_true(alp == lp);
        }
        assert_int_equal(cm_json_type(d, cm_json_get(d, a, "bytes")), CM_JSON_ARRAY);
    }
}

static void check_body(fx_t *f, uint32_t top)
{
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    const cm_json_doc_t *d = &f->doc;
    for (uint32_t c = 0; c < f->x.n; c++) {
        char path[64];
        snprintf(path, sizeof(path), "choices.%u.logprobs.content", c);
        uint32_t content = jpath(d, 0, path);
        assert_int_equal(d->tok[content].count, f->x.tokens[c]);
        cm_buf_t text = CM_BUF_INIT;
        for (uint32_t e = cm_json_first(d, content); e != 0; e = cm_json_next(d, e))
            check_entry(d, e, top, &text);
        snprintf(path, sizeof(path), "choices.%u.message.content", c);
        assert_string_equal(text.data ? text.data : "", jstr(d, 0, path));
        snprintf(path, sizeof(path), "choices.%u.logprobs.refusal", c);
        assert_true(jnull(d, 0, path));
        cm_buf_free(&text);
    }
    assert_true(mp_oa_response_bound(&f->dep, &f->req) >= f->out.len);
}

static void test_body_pool_and_echo(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_begin(f, MP_API_CHAT, CHAT(",\"logprobs\":true,\"top_logprobs\":3,\"n\":2"));
    check_body(f, 3);
    fx_free(f);
    f = fx_new();
    f->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = cm_dist_fixed(50);
    fx_begin(f, MP_API_CHAT, CHAT(",\"logprobs\":true"));
    check_body(f, 0);
    fx_free(f);
    /* Structured output: its pieces are the tokens. */
    f = fx_new();
    fx_begin(f, MP_API_CHAT,
             CHAT(",\"logprobs\":true,\"top_logprobs\":20,\"response_format\":{\"type\":"
                  "\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"object\","
                  "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}"));
    check_body(f, 20);
    fx_free(f);
    /* Without logprobs: null, as before. */
    f = fx_new();
    fx_begin(f, MP_API_CHAT, CHAT(""));
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_true(jnull(&f->doc, 0, "choices.0.logprobs"));
    fx_free(f);
}

/* Every chunk carries logprobs.content: its token's entry, or [] for the role and finish chunks; the tokens
 * add up to the content, and the entries are the body's (same seed). */
static void test_stream(void **state)
{
    (void)state;
    fx_t *f = fx_new(), *g = fx_new();
    f->dep.content = g->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = g->dep.output_tokens = cm_dist_fixed(50);
    fx_begin(f, MP_API_CHAT, CHAT(",\"logprobs\":true,\"top_logprobs\":2,\"stream\":true"));
    fx_begin(g, MP_API_CHAT, CHAT(",\"logprobs\":true,\"top_logprobs\":2"));
    fx_stream(f);
    static sse_frame_t fr[256];
    size_t n = sse_split(f->out.data, f->out.len, fr, 256);
    cm_buf_t text = CM_BUF_INIT, entries = CM_BUF_INIT;
    for (size_t i = 0; i + 1 < n; i++) {
        fx_read(f, fr[i].data, fr[i].len);
        uint32_t content = jpath(&f->doc, 0, "choices.0.logprobs.content");
        if (content == 0 || cm_json_type(&f->doc, content) != CM_JSON_ARRAY)
            fail_msg("chunk %zu without logprobs.content: %.*s", i, (int)fr[i].len, fr[i].data);
        assert_true(f->doc.tok[content].count <= 1);
        if (f->doc.tok[content].count == 1) {
            check_entry(&f->doc, cm_json_first(&f->doc, content), 2, &text);
            cm_str_t raw = cm_json_raw(&f->doc, cm_json_first(&f->doc, content));
            cm_buf_append(&entries, raw.p, raw.n);
        }
    }
    g->dep.ops->render_body(&g->x, &g->out);
    fx_read(g, g->out.data, g->out.len);
    assert_string_equal(text.data, jstr(&g->doc, 0, "choices.0.message.content"));
    cm_buf_t body_entries = CM_BUF_INIT;
    uint32_t content = jpath(&g->doc, 0, "choices.0.logprobs.content");
    for (uint32_t e = cm_json_first(&g->doc, content); e != 0; e = cm_json_next(&g->doc, e)) {
        cm_str_t raw = cm_json_raw(&g->doc, e);
        cm_buf_append(&body_entries, raw.p, raw.n);
    }
    assert_string_equal(entries.data, body_entries.data);
    assert_true(mp_oa_response_bound(&f->dep, &f->req) >= f->out.len);
    cm_buf_free(&text);
    cm_buf_free(&entries);
    cm_buf_free(&body_entries);
    fx_free(f);
    fx_free(g);
}

/* Responses: include ["message.output_text.logprobs"] puts the entries in output_text.logprobs and in each
 * output_text.delta event. */
static void test_responses(void **state)
{
    (void)state;
    fx_t *f = fx_new(), *g = fx_new();
#define RESP(extra)                                                                                                    \
    "{\"model\":\"m\",\"input\":\"hi\",\"include\":[\"message.output_text.logprobs\"],\"top_logprobs\":2" extra "}"
    fx_begin(f, MP_API_RESPONSES, RESP(""));
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    uint32_t lp = jpath(&f->doc, 0, "output.0.content.0.logprobs");
    assert_int_equal(f->doc.tok[lp].count, f->x.tokens[0]);
    cm_buf_t text = CM_BUF_INIT;
    for (uint32_t e = cm_json_first(&f->doc, lp); e != 0; e = cm_json_next(&f->doc, e))
        check_entry(&f->doc, e, 2, &text);
    assert_string_equal(text.data, jstr(&f->doc, 0, "output.0.content.0.text"));
    assert_int_equal(jint(&f->doc, 0, "top_logprobs"), 2);
    fx_begin(g, MP_API_RESPONSES, RESP(",\"stream\":true"));
#undef RESP
    fx_stream(g);
    static sse_frame_t fr[256];
    size_t n = sse_split(g->out.data, g->out.len, fr, 256);
    cm_buf_t streamed = CM_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(fr[i].event, "response.output_text.delta") != 0)
            continue;
        fx_read(g, fr[i].data, fr[i].len);
        uint32_t arr = jpath(&g->doc, 0, "logprobs");
        assert_int_equal(g->doc.tok[arr].count, 1);
        check_entry(&g->doc, cm_json_first(&g->doc, arr), 2, &streamed);
    }
    assert_string_equal(streamed.data, text.data);
    assert_true(mp_oa_response_bound(&g->dep, &g->req) >= g->out.len);
    cm_buf_free(&text);
    cm_buf_free(&streamed);
    fx_free(f);
    fx_free(g);
}

static void test_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_expect_error(f, MP_API_CHAT, CHAT(",\"top_logprobs\":2"), 400, "top_logprobs", "",
                    "The 'top_logprobs' parameter is only allowed when 'logprobs' is enabled.");
    fx_expect_error(f, MP_API_CHAT, CHAT(",\"logprobs\":false,\"top_logprobs\":2"), 400, "top_logprobs", "",
                    "The 'top_logprobs' parameter is only allowed when 'logprobs' is enabled.");
    fx_expect_error(f, MP_API_CHAT, CHAT(",\"logprobs\":true,\"top_logprobs\":21"), 400, "top_logprobs",
                    "integer_above_max_value",
                    "Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got 21 instead.");
    fx_free(f);
}

/* ---- legacy completions: logprobs: N ------------------------------------------------------------ */

#define COMP(extra) "{\"model\":\"m\",\"prompt\":\"Say \\\"caf\\u00e9\\\"\"" extra "}"

/* One choice's legacy object: four arrays of one length, tokens concatenating to text, each token's logprob
 * also its entry in its top object (with want entries, distinct keys), offsets from offset on, each the
 * previous plus the previous token's characters. Returns the offset after the last token. */
static size_t check_legacy(const cm_json_doc_t *d, uint32_t lp, const char *text, uint32_t want, size_t offset)
{
    uint32_t tokens = cm_json_get(d, lp, "tokens"), logprobs = cm_json_get(d, lp, "token_logprobs");
    uint32_t tops = cm_json_get(d, lp, "top_logprobs"), offsets = cm_json_get(d, lp, "text_offset");
    uint32_t n = d->tok[tokens].count;
    assert_int_equal(d->tok[logprobs].count, n);
    assert_int_equal(d->tok[tops].count, n);
    assert_int_equal(d->tok[offsets].count, n);
    cm_buf_t joined = CM_BUF_INIT;
    for (uint32_t i = 0; i < n; i++) {
        char tok[256], key[256];
        size_t len = cm_json_unescape(d, cm_json_at(d, tokens, i), tok, sizeof(tok));
        cm_buf_append(&joined, tok, len);
        double lpv, top_lp;
        assert_int_equal(cm_json_double(d, cm_json_at(d, logprobs, i), &lpv), 0);
        assert_true(lpv <= 0);
        uint32_t top = cm_json_at(d, tops, i);
        assert_int_equal(d->tok[top].count, want);
        uint32_t k = cm_json_first(d, top);
        cm_json_unescape(d, k, key, sizeof(key));
        assert_string_equal(key, tok); /* the chosen token is the most likely */
        cm_json_double(d, k + 1, &top_lp);
        assert_true(top_lp == lpv);
        for (uint32_t a = k; a != 0; a = cm_json_next(d, a + 1))
            for (uint32_t b = cm_json_next(d, a + 1); b != 0; b = cm_json_next(d, b + 1)) {
                char ka[256], kb[256];
                cm_json_unescape(d, a, ka, sizeof(ka));
                cm_json_unescape(d, b, kb, sizeof(kb));
                assert_string_not_equal(ka, kb);
            }
        int64_t off;
        assert_int_equal(cm_json_int(d, cm_json_at(d, offsets, i), &off), 0);
        assert_int_equal(off, offset);
        for (size_t j = 0; j < len; j++) /* characters: UTF-8 lead bytes */
            offset += ((unsigned char)tok[j] & 0xc0) != 0x80;
    }
    cm_buf_putc(&joined, '\0');
    assert_string_equal(joined.data, text);
    cm_buf_free(&joined);
    return offset;
}

static void test_legacy_body(void **state)
{
    (void)state;
    for (uint32_t top = 0; top <= 5; top++) {
        char body[128];
        snprintf(body, sizeof(body), COMP(",\"logprobs\":%u,\"n\":2"), top);
        fx_t *f = fx_new();
        fx_begin(f, MP_API_COMPLETIONS, body);
        f->dep.ops->render_body(&f->x, &f->out);
        fx_read(f, f->out.data, f->out.len);
        for (uint32_t c = 0; c < 2; c++) {
            char path[64], text[512];
            snprintf(path, sizeof(path), "choices.%u.text", c);
            fx_copy(text, sizeof(text), jstr(&f->doc, 0, path));
            snprintf(path, sizeof(path), "choices.%u.logprobs", c);
            /* "Say "café"" is 10 characters: offsets count from the end of the prompt. */
            check_legacy(&f->doc, jpath(&f->doc, 0, path), text, top > 0 ? top : 1, 10);
            assert_int_equal(f->doc.tok[jpath(&f->doc, jpath(&f->doc, 0, path), "tokens")].count, f->x.tokens[c]);
        }
        assert_true(mp_oa_response_bound(&f->dep, &f->req) >= f->out.len);
        fx_free(f);
    }
    /* Several prompts: each choice counts from its own prompt (n per prompt, in order); token ids from 0. */
    fx_t *f = fx_new();
    fx_begin(f, MP_API_COMPLETIONS,
             "{\"model\":\"m\",\"prompt\":[\"ab\",\"\\u00e9t\\u00e9!\"],\"n\":2,\"logprobs\":1}");
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    static const int64_t first[] = {2, 2, 4, 4};
    for (uint32_t c = 0; c < 4; c++) {
        char path[64];
        snprintf(path, sizeof(path), "choices.%u.logprobs.text_offset.0", c);
        assert_int_equal(jint(&f->doc, 0, path), first[c]);
    }
    fx_free(f);
    f = fx_new();
    fx_begin(f, MP_API_COMPLETIONS, "{\"model\":\"m\",\"prompt\":[1,2,3],\"logprobs\":1}");
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_int_equal(jint(&f->doc, 0, "choices.0.logprobs.text_offset.0"), 0);
    fx_free(f);
    /* Absent (or null): logprobs stays null. */
    f = fx_new();
    fx_begin(f, MP_API_COMPLETIONS, COMP(",\"logprobs\":null"));
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_true(jnull(&f->doc, 0, "choices.0.logprobs"));
    fx_free(f);
}

/* Streamed: every chunk carries the object of its own token (the closing chunk empty arrays), and together
 * they are the body's object for the same seed, offsets included (echo mode: escapes and UTF-8 count as
 * one character). */
static void test_legacy_stream(void **state)
{
    (void)state;
    for (int echo = 0; echo < 2; echo++) {
        fx_t *f = fx_new(), *g = fx_new();
        f->dep.content = g->dep.content = echo ? MP_CONTENT_ECHO : MP_CONTENT_POOL;
        fx_begin(f, MP_API_COMPLETIONS, COMP(",\"logprobs\":3,\"stream\":true"));
        fx_begin(g, MP_API_COMPLETIONS, COMP(",\"logprobs\":3"));
        fx_stream(f);
        g->dep.ops->render_body(&g->x, &g->out);
        static sse_frame_t fr[64];
        size_t n = sse_split(f->out.data, f->out.len, fr, 64), offset = 10;
        cm_buf_t text = CM_BUF_INIT;
        for (size_t i = 0; i + 1 < n; i++) {
            fx_read(f, fr[i].data, fr[i].len);
            char piece[256];
            fx_copy(piece, sizeof(piece), jstr(&f->doc, 0, "choices.0.text"));
            uint32_t lp = jpath(&f->doc, 0, "choices.0.logprobs");
            assert_int_equal(f->doc.tok[cm_json_get(&f->doc, lp, "tokens")].count, piece[0] ? 1 : 0);
            offset = check_legacy(&f->doc, lp, piece, 3, offset);
            cm_buf_puts(&text, piece);
        }
        assert_true(fr[n - 1].len == 6 && memcmp(fr[n - 1].data, "[DONE]", 6) == 0);
        fx_read(g, g->out.data, g->out.len);
        assert_string_equal(text.data, jstr(&g->doc, 0, "choices.0.text"));
        assert_int_equal(check_legacy(&g->doc, jpath(&g->doc, 0, "choices.0.logprobs"), text.data, 3, 10), offset);
        assert_true(mp_oa_response_bound(&f->dep, &f->req) >= f->out.len);
        cm_buf_free(&text);
        fx_free(f);
        fx_free(g);
    }
}

static void test_legacy_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_expect_error(f, MP_API_COMPLETIONS, COMP(",\"logprobs\":6"), 400, "logprobs", "integer_above_max_value",
                    "Invalid 'logprobs': integer above maximum value. Expected a value <= 5, but got 6 instead.");
    fx_expect_error(f, MP_API_COMPLETIONS, COMP(",\"logprobs\":true"), 400, "logprobs", "invalid_type",
                    "Invalid type for 'logprobs': expected an integer, but got a boolean instead.");
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_pool_and_echo),
        cmocka_unit_test(test_legacy_body),
        cmocka_unit_test(test_legacy_stream),
        cmocka_unit_test(test_legacy_errors),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_responses),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
