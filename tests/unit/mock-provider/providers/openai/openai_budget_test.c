/* Tests mock-provider/providers/openai/openai_budget.c: the response bound holds for what the renderers produce, and
 * each request-controlled multiplier of issue 7 ends in a 400 response_too_large instead of a large
 * response: n x tokens, inputs x dimensions, echoed text x n, tool arguments x chunks. */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/budget.h"
#include "mock-provider/providers/openai/openai.h"
#include "mock-provider/providers/content.h"

/* Renders the answer to body (which must parse and fit its budget) as a body and as a stream, and checks
 * both against the bound. Returns the larger size. */
static size_t render_within_bound(fx_t *f, mp_api_t api, const char *body)
{
    size_t largest = 0;
    for (int stream = 0; stream <= 1; stream++) {
        if (fx_parse(f, api, body) != 0)
            fail_msg("parse failed: %s", f->err.message);
        if (api == MP_API_EMBEDDINGS && stream)
            break;
        f->req.stream = stream;
        uint64_t bound = mp_oa_response_bound(&f->dep, &f->req);
        if (mp_oa_response_check(&f->dep, &f->req, &f->err) != 0)
            fail_msg("refused: %s", f->err.message);
        mp_exchange_begin(&f->x, &f->dep, &f->req, &f->rng, &f->a);
        cm_buf_reset(&f->out);
        if (stream)
            fx_stream(f);
        else
            f->dep.ops->render_body(&f->x, &f->out);
        mp_exchange_end(&f->x);
        if (f->out.len > bound)
            fail_msg("api %d stream %d: %zu bytes rendered, bound %llu", (int)api, stream, f->out.len,
                     (unsigned long long)bound);
        if (f->out.len > largest)
            largest = f->out.len;
    }
    return largest;
}

/* Expects the request to parse and be refused by the budget, with this param and a message naming what. */
static void expect_too_large(fx_t *f, mp_api_t api, const char *body, const char *param, const char *what)
{
    if (fx_parse(f, api, body) != 0)
        fail_msg("parse failed: %s", f->err.message);
    assert_int_equal(mp_oa_response_check(&f->dep, &f->req, &f->err), -1);
    assert_int_equal(f->err.status, 400);
    assert_int_equal(f->err.kind, MP_ERR_BAD_REQUEST);
    assert_string_equal(f->err.code, "response_too_large");
    assert_string_equal(f->err.param, param);
    if (strstr(f->err.message, what) == NULL)
        fail_msg("message \"%s\" does not say \"%s\"", f->err.message, what);
    cm_buf_reset(&f->out);
    f->dep.ops->render_error(&f->err, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "error.type"), "invalid_request_error");
    assert_string_equal(jstr(&f->doc, 0, "error.code"), "response_too_large");
}

static void test_every_shape_within_bound(void **state)
{
    (void)state;
    static const char *const chat[] = {
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a b c d e f\"}],\"n\":3}",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a b\"}],\"n\":2,\"stream_options\":null,"
        "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\","
        "\"properties\":{\"q\":{\"enum\":[\"x\\\"y\\\\z\"]}},\"required\":[\"q\"]}}}],\"tool_choice\":\"required\"}",
    };
    for (int echo = 0; echo <= 1; echo++) {
        fx_t *f = fx_new();
        f->dep.content = echo ? MP_CONTENT_ECHO : MP_CONTENT_POOL;
        f->dep.output_tokens = cm_dist_fixed(40);
        for (size_t i = 0; i < 2; i++)
            render_within_bound(f, MP_API_CHAT, chat[i]);
        render_within_bound(f, MP_API_COMPLETIONS, "{\"model\":\"m\",\"prompt\":[\"x y\",\"z\"],\"n\":4}");
        render_within_bound(f, MP_API_RESPONSES,
                            "{\"model\":\"m\",\"input\":\"hello there\",\"instructions\":\"be brief\","
                            "\"metadata\":{\"k\":\"v\"},\"tools\":[{\"type\":\"function\",\"name\":\"g\","
                            "\"parameters\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},"
                            "\"required\":[\"a\"]}}],\"tool_choice\":\"required\"}");
        render_within_bound(f, MP_API_RESPONSES, "{\"model\":\"m\",\"input\":\"hello there\"}");
        render_within_bound(f, MP_API_EMBEDDINGS,
                            "{\"model\":\"text-embedding-3-large\",\"input\":[\"a\",\"b\",\"c\"]}");
        render_within_bound(f, MP_API_EMBEDDINGS,
                            "{\"model\":\"text-embedding-3-small\",\"input\":\"a\",\"encoding_format\":\"base64\"}");
        fx_free(f);
    }
}

/* In echo mode a one-word prompt of 50 KB is the whole text: the bound must count every copy a format makes
 * of it (the Responses stream has five: the deltas and four closing events). */
static void test_text_dominated_within_bound(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.content = MP_CONTENT_ECHO;
    cm_buf_t word = CM_BUF_INIT, body = CM_BUF_INIT;
    for (int i = 0; i < 50 * 1024; i++)
        cm_buf_putc(&word, 'w');
    cm_buf_printf(&body, "{\"model\":\"m\",\"input\":\"%s\"}", word.data);
    assert_true(render_within_bound(f, MP_API_RESPONSES, body.data) > 5 * word.len);
    cm_buf_reset(&body);
    cm_buf_printf(&body, "{\"model\":\"m\",\"prompt\":\"%s\",\"n\":3}", word.data);
    render_within_bound(f, MP_API_COMPLETIONS, body.data);
    cm_buf_reset(&body);
    cm_buf_printf(&body, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}],\"n\":3}", word.data);
    render_within_bound(f, MP_API_CHAT, body.data);
    cm_buf_free(&word);
    cm_buf_free(&body);
    fx_free(f);
}

/* The schema of issue 7 (9 levels, each requiring its child 6 times, 801 bytes) with a forced tool call
 * and n=16: the arguments are one path now, and the whole stream stays small. */
static void test_nested_tools_schema(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    cm_buf_t body = CM_BUF_INIT;
    cm_buf_puts(&body, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":16,"
                       "\"tool_choice\":\"required\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\","
                       "\"parameters\":");
    for (int i = 0; i < 9; i++)
        cm_buf_puts(&body, "{\"type\":\"object\",\"required\":[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"],\"properties\":"
                           "{\"a\":");
    cm_buf_puts(&body, "{\"type\":\"string\"}");
    for (int i = 0; i < 9; i++)
        cm_buf_puts(&body, "}}");
    cm_buf_puts(&body, "}}]}");
    size_t largest = render_within_bound(f, MP_API_CHAT, body.data);
    if (largest > 200 * 1024)
        fail_msg("%zu bytes for a %zu-byte request", largest, body.len);
    cm_buf_free(&body);
    fx_free(f);
}

/* The longest model accepted (256 bytes) with n=16 and a stream: within the bound and far below the
 * budget; the 10,000-byte name of issue 7 no longer parses (openai_parse_test). */
static void test_long_model_many_choices(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.output_tokens = (cm_dist_t){.kind = CM_DIST_NORMAL, .a = 64, .b = 16};
    cm_buf_t body = CM_BUF_INIT;
    cm_buf_puts(&body, "{\"model\":\"");
    for (int i = 0; i < 256; i++)
        cm_buf_putc(&body, 'm');
    cm_buf_puts(&body, "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":16,\"stream\":true}");
    size_t largest = render_within_bound(f, MP_API_CHAT, body.data);
    assert_true(largest < 2 * 1024 * 1024);
    assert_true(mp_oa_response_bound(&f->dep, &f->req) < mp_response_budget(&f->dep) / 8);
    cm_buf_free(&body);
    fx_free(f);
}

/* n x tokens: a deployment that writes 100,000 tokens serves one choice but refuses 128, unless the
 * request's max_tokens brings the product down. */
static void test_choices_times_tokens(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.output_tokens = cm_dist_fixed(100000);
    assert_int_equal(mp_output_tokens_cap(&f->dep.output_tokens), 100000);
    expect_too_large(
        f, MP_API_CHAT,
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":128,\"stream\":true}", "n",
        "128 choice(s) x up to 100000 tokens, streamed");
    assert_int_equal(fx_parse(f, MP_API_CHAT,
                              "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":128,"
                              "\"stream\":true,\"max_tokens\":100}"),
                     0);
    assert_int_equal(mp_oa_response_check(&f->dep, &f->req, &f->err), 0);
    expect_too_large(f, MP_API_COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"x\",\"n\":128}", "n",
                     "128 choice(s) x up to 100000 tokens, in one body");
    /* One choice of 100,000 streamed tokens is about 29 MB of chunks: within the default budget, over a
     * 16 MiB one, and the parameter to blame is not n. */
    const char *one = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}";
    assert_int_equal(fx_parse(f, MP_API_CHAT, one), 0);
    assert_int_equal(mp_oa_response_check(&f->dep, &f->req, &f->err), 0);
    f->dep.max_response = 16ull << 20;
    expect_too_large(f, MP_API_CHAT, one, "",
                     "1 choice(s) x up to 100000 tokens, streamed), above the limit of 16777216");
    fx_free(f);
}

/* inputs x dimensions: 2048 inputs of 3072 floats (about 75 MB of JSON) are over the default budget; as
 * base64 (OpenAI's SDK default, 34 MB) they fit; a deployment's 65,536 dimensions are refused even for
 * base64. */
static void test_embedding_inputs_times_dimensions(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    cm_buf_t inputs = CM_BUF_INIT, body = CM_BUF_INIT;
    for (int i = 0; i < 2048; i++)
        cm_buf_printf(&inputs, "%s\"w%d\"", i ? "," : "", i);
    cm_buf_printf(&body, "{\"model\":\"text-embedding-3-large\",\"input\":[%s]}", inputs.data);
    expect_too_large(f, MP_API_EMBEDDINGS, body.data, "input", "2048 inputs x 3072 dimensions as float");
    cm_buf_reset(&body);
    cm_buf_printf(&body, "{\"model\":\"text-embedding-3-large\",\"input\":[%s],\"encoding_format\":\"base64\"}",
                  inputs.data);
    assert_int_equal(fx_parse(f, MP_API_EMBEDDINGS, body.data), 0);
    assert_int_equal(mp_oa_response_check(&f->dep, &f->req, &f->err), 0);
    f->dep.embedding_dimensions = 65536;
    cm_buf_reset(&body);
    cm_buf_printf(&body, "{\"model\":\"custom\",\"input\":[%s],\"encoding_format\":\"base64\"}", inputs.data);
    expect_too_large(f, MP_API_EMBEDDINGS, body.data, "input", "2048 inputs x 65536 dimensions as base64");
    cm_buf_free(&inputs);
    cm_buf_free(&body);
    fx_free(f);
}

/* Echo mode copies the prompt into every choice: a 1 MB word with n=128 would be 128 MB. */
static void test_echo_times_choices(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.content = MP_CONTENT_ECHO;
    cm_buf_t body = CM_BUF_INIT;
    cm_buf_puts(&body, "{\"model\":\"m\",\"n\":128,\"prompt\":\"");
    for (int i = 0; i < 1024 * 1024; i++)
        cm_buf_putc(&body, 'w');
    cm_buf_puts(&body, "\"}");
    expect_too_large(f, MP_API_COMPLETIONS, body.data, "n", "128 choice(s)");
    cm_buf_free(&body);
    fx_free(f);
}

/* Streamed tool arguments become one chunk per 4 characters: 256 KiB of arguments (the toolargs limit) in
 * 16 choices would be about 700 MB of chunks. */
static void test_tool_arguments_times_chunks(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    cm_buf_t big = CM_BUF_INIT, body = CM_BUF_INIT;
    for (int i = 0; i < 200 * 1024; i++)
        cm_buf_putc(&big, 'x');
    cm_buf_printf(&body,
                  "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":16,\"stream\":true,"
                  "\"tool_choice\":\"required\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\","
                  "\"parameters\":{\"properties\":{\"a\":{\"const\":\"%s\"}},\"required\":[\"a\"]}}}]}",
                  big.data);
    expect_too_large(f, MP_API_CHAT, body.data, "tools", "16 choice(s) x a tool call with 204808 bytes of arguments");
    cm_buf_free(&big);
    cm_buf_free(&body);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_shape_within_bound),          cmocka_unit_test(test_nested_tools_schema),
        cmocka_unit_test(test_long_model_many_choices),           cmocka_unit_test(test_choices_times_tokens),
        cmocka_unit_test(test_embedding_inputs_times_dimensions), cmocka_unit_test(test_echo_times_choices),
        cmocka_unit_test(test_tool_arguments_times_chunks),       cmocka_unit_test(test_text_dominated_within_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
