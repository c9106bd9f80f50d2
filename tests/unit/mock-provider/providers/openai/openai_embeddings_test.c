/* Tests mock-provider/providers/openai/openai_embeddings.c: the embeddings request forms and errors, the float and
 * base64 bodies, determinism. */
#include <math.h>

#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/render.h"

#define EMB(input) "{\"model\":\"text-embedding-3-small\",\"input\":" input "}"
#define ERR(body, param, code, msg) fx_expect_error(f, MP_API_EMBEDDINGS, body, 400, param, code, msg)

/* base64 of the 2-dimension vector of "hello": recorded once, must never change. */
#define PINNED_HELLO "uSsLv8DdVr8="

static const char invalid_input[] =
    "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.";

static void test_input_forms(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    assert_int_equal(fx_parse(f, MP_API_EMBEDDINGS, EMB("\"hello world\"")), 0);
    assert_int_equal(f->req.ninputs, 1);
    assert_int_equal(f->req.input_tokens[0], 3);
    assert_int_equal(f->req.prompt_tokens, 3);
    assert_false(f->req.base64);
    assert_int_equal(f->req.dimensions, 0);
    uint64_t hello = f->req.input_hash[0];
    assert_int_equal(fx_parse(f, MP_API_EMBEDDINGS, EMB("[\"hello world\",\"hello\\u0020world\",\"x\"]")), 0);
    assert_int_equal(f->req.ninputs, 3);
    assert_true(f->req.input_hash[0] == hello);
    assert_true(f->req.input_hash[1] == hello); /* the same text, escaped differently */
    assert_true(f->req.input_hash[2] != hello);
    assert_int_equal(f->req.prompt_tokens, 3 + 4 + 1); /* estimates count bytes as sent (escaped) */
    assert_int_equal(fx_parse(f, MP_API_EMBEDDINGS, EMB("[15339, 1917]")), 0);
    assert_int_equal(f->req.ninputs, 1);
    assert_int_equal(f->req.input_tokens[0], 2);
    uint64_t ids = f->req.input_hash[0];
    assert_int_equal(fx_parse(f, MP_API_EMBEDDINGS, EMB("[[15339,1917],[1],[15339, 1917]]")), 0);
    assert_int_equal(f->req.ninputs, 3);
    assert_true(f->req.input_hash[0] == ids);
    assert_true(f->req.input_hash[2] == ids);
    assert_true(f->req.input_hash[1] != ids);
    assert_int_equal(f->req.prompt_tokens, 5);
    assert_int_equal(fx_parse(f, MP_API_EMBEDDINGS,
                              "{\"model\":\"text-embedding-3-large\",\"input\":\"a\","
                              "\"encoding_format\":\"base64\",\"dimensions\":3072,\"user\":\"u\"}"),
                     0);
    assert_true(f->req.base64);
    assert_int_equal(f->req.dimensions, 3072);
    fx_free(f);
}

static void test_input_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    static const char types[] = "one of a string, array of strings, array of integers, or array of arrays of integers";
    char msg[256];
    const char *bad[] = {"\"\"",      "[]",          "[\"a\",\"\"]", "[[]]",  "[[1],[]]",
                         "[\"a\",1]", "[[1],\"a\"]", "[-1]",         "[1.5]", "[[1,\"x\"]]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char body[128];
        snprintf(body, sizeof(body), EMB("%s"), bad[i]);
        ERR(body, "", "", invalid_input);
    }
    snprintf(msg, sizeof(msg), "Invalid type for 'input': expected %s, but got an integer instead.", types);
    ERR(EMB("5"), "input", "invalid_type", msg);
    snprintf(msg, sizeof(msg), "Invalid type for 'input': expected %s, but got an object instead.", types);
    ERR(EMB("[{}]"), "input", "invalid_type", msg);
    ERR("{\"model\":\"text-embedding-3-small\"}", "input", "missing_required_parameter",
        "Missing required parameter: 'input'.");
    ERR("{\"input\":\"a\"}", "", "", "you must provide a model parameter");
    ERR(EMB("\"a\",\"stream\":true"), "", "", "Unrecognized request argument supplied: stream");
    cm_buf_t big = CM_BUF_INIT;
    cm_buf_puts(&big, "{\"model\":\"m\",\"input\":[");
    for (int i = 0; i < 2049; i++)
        cm_buf_puts(&big, i ? ",\"a\"" : "\"a\"");
    cm_buf_puts(&big, "]}");
    ERR(big.data, "input", "array_above_max_length",
        "Invalid 'input': array too long. Expected an array with maximum length 2048, but got an array with length "
        "2049 instead.");
    cm_buf_free(&big);
    fx_free(f);
}

static void test_format_and_dimensions_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ERR(EMB("\"a\",\"encoding_format\":\"hex\""), "encoding_format", "invalid_value",
        "Invalid value: 'hex'. Supported values are: 'float' and 'base64'.");
    ERR(EMB("\"a\",\"encoding_format\":1"), "encoding_format", "invalid_type",
        "Invalid type for 'encoding_format': expected a string, but got an integer instead.");
    ERR("{\"model\":\"text-embedding-ada-002\",\"input\":\"a\",\"dimensions\":8}", "dimensions", "",
        "This model does not support specifying dimensions.");
    ERR(EMB("\"a\",\"dimensions\":0"), "dimensions", "integer_below_min_value",
        "Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got 0 instead.");
    ERR(EMB("\"a\",\"dimensions\":1537"), "dimensions", "integer_above_max_value",
        "Invalid 'dimensions': integer above maximum value. Expected a value <= 1536, but got 1537 instead.");
    ERR(EMB("\"a\",\"dimensions\":\"8\""), "dimensions", "invalid_type",
        "Invalid type for 'dimensions': expected an integer, but got a string instead.");
    fx_free(f);
}

static void test_float_body(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_body(f, MP_API_EMBEDDINGS, EMB("[\"hello\",\"world\"]"));
    const cm_json_doc_t *d = &f->doc;
    assert_string_equal(jstr(d, 0, "object"), "list");
    assert_string_equal(jstr(d, 0, "model"), "text-embedding-3-small");
    assert_int_equal(jint(d, 0, "usage.prompt_tokens"), 4);
    assert_int_equal(jint(d, 0, "usage.total_tokens"), 4);
    assert_int_equal(d->tok[jpath(d, 0, "data")].count, 2);
    for (int i = 0; i < 2; i++) {
        char p[64];
        snprintf(p, sizeof(p), "data.%d.object", i);
        assert_string_equal(jstr(d, 0, p), "embedding");
        snprintf(p, sizeof(p), "data.%d.index", i);
        assert_int_equal(jint(d, 0, p), i);
        snprintf(p, sizeof(p), "data.%d.embedding", i);
        uint32_t e = jpath(d, 0, p);
        assert_int_equal(d->tok[e].count, 1536);
        /* Each value reads back as the float32 of the vector, and the vector has unit length. */
        static float want[1536];
        mp_embedding_vector(f->req.input_hash[i], 1536, want);
        double sum = 0;
        uint32_t k = 0;
        for (uint32_t t = cm_json_first(d, e); t != 0; t = cm_json_next(d, t), k++) {
            double v;
            assert_int_equal(cm_json_double(d, t, &v), 0);
            if ((float)v != want[k])
                fail_msg("component %u: %.9g != %.9g", k, v, (double)want[k]);
            sum += v * v;
        }
        assert_true(fabs(sqrt(sum) - 1.0) < 1e-5);
    }
    fx_free(f);
}

static void test_base64_body_round_trip(void **state)
{
    (void)state;
    fx_t *f = fx_new(), *g = fx_new();
    fx_body(f, MP_API_EMBEDDINGS, EMB("\"The food was delicious\",\"encoding_format\":\"base64\",\"dimensions\":256"));
    fx_body(g, MP_API_EMBEDDINGS, EMB("\"The food was delicious\",\"dimensions\":256"));
    const char *b64 = jstr(&f->doc, 0, "data.0.embedding");
    float v[256];
    assert_int_equal(mp_base64_decode(b64, strlen(b64), (unsigned char *)v, sizeof(v)), (long)sizeof(v));
    uint32_t e = jpath(&g->doc, 0, "data.0.embedding");
    assert_int_equal(g->doc.tok[e].count, 256);
    uint32_t k = 0;
    for (uint32_t t = cm_json_first(&g->doc, e); t != 0; t = cm_json_next(&g->doc, t), k++) {
        double x;
        cm_json_double(&g->doc, t, &x);
        assert_true((float)x == v[k]); /* float and base64 carry the same vector */
    }
    fx_free(f);
    fx_free(g);
}

static void test_dimensions_defaults(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_body(f, MP_API_EMBEDDINGS,
            "{\"model\":\"text-embedding-3-large\",\"input\":\"a\",\"encoding_format\":\"base64\"}");
    assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "data.0.embedding")].len, (3072 * 4 + 2) / 3 * 4);
    fx_free(f);
    f = fx_new();
    f->dep.embedding_dimensions = 8;
    fx_body(f, MP_API_EMBEDDINGS, "{\"model\":\"custom-embedder\",\"input\":\"a\"}");
    assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "data.0.embedding")].count, 8);
    fx_free(f);
    f = fx_new();
    fx_body(f, MP_API_EMBEDDINGS, "{\"model\":\"custom-embedder\",\"input\":\"a\"}");
    assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "data.0.embedding")].count, 1536);
    fx_free(f);
}

/* The whole pipeline is pinned: the vector of "hello" must not change across releases. */
static void test_pinned_vector(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_body(f, MP_API_EMBEDDINGS, EMB("\"hello\",\"dimensions\":2,\"encoding_format\":\"base64\""));
    const char *first = jstr(&f->doc, 0, "data.0.embedding");
    char copy[64];
    assert_true(strlen(first) < sizeof(copy));
    memcpy(copy, first, strlen(first) + 1);
    fx_free(f);
    f = fx_new();
    fx_body(f, MP_API_EMBEDDINGS, EMB("\"hello\",\"dimensions\":2,\"encoding_format\":\"base64\""));
    assert_string_equal(jstr(&f->doc, 0, "data.0.embedding"), copy);
    assert_string_equal(copy, PINNED_HELLO);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_input_forms),
        cmocka_unit_test(test_input_errors),
        cmocka_unit_test(test_format_and_dimensions_errors),
        cmocka_unit_test(test_float_body),
        cmocka_unit_test(test_base64_body_round_trip),
        cmocka_unit_test(test_dimensions_defaults),
        cmocka_unit_test(test_pinned_vector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
