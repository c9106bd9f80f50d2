/* Tests mock-provider/providers/openai/openai_parse.c (and the field checks of openai_check.c): chat and completions
 * requests, valid forms and every error with OpenAI's exact status, param, code and message. */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/openai/openai.h"
#include "mock-provider/providers/openai/openai_check.h"

#define CHAT(extra)                                                                                                    \
    "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]" extra "}"
#define ERR(body, param, code, msg) fx_expect_error(f, MP_API_CHAT, body, 400, param, code, msg)
#define CERR(body, param, code, msg) fx_expect_error(f, MP_API_COMPLETIONS, body, 400, param, code, msg)

static const char invalid_json[] =
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library "
    "correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble "
    "figuring out how to fix this, please contact us through our help center at help.openai.com.)";

static void test_chat_minimal(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    assert_int_equal(fx_parse(f, MP_API_CHAT, CHAT("")), 0);
    assert_int_equal(f->req.api, MP_API_CHAT);
    assert_int_equal(f->req.model.n, 11);
    assert_memory_equal(f->req.model.p, "gpt-4o-mini", 11);
    assert_int_equal(f->req.n, 1);
    assert_int_equal(f->req.max_tokens, -1);
    assert_false(f->req.stream);
    assert_false(mp_oa_req(&f->req)->include_usage);
    assert_false(f->req.tools);
    /* "Hello there" is 11 bytes: ceil(11/4) = 3, + 3 for the message, + 3 for the reply. */
    assert_int_equal(f->req.prompt_tokens, 9);
    assert_int_equal(f->req.echo.n, 11);
    assert_memory_equal(f->req.echo.p, "Hello there", 11);
    assert_true(f->req.temperature == 1.0);
    fx_free(f);
}

static void test_chat_full(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    const char *body = "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                       "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is\"},"
                       "{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://x/y.png\"}},"
                       "{\"type\":\"text\",\"text\":\" this?\"}]}],"
                       "\"n\":3,\"max_tokens\":9,\"max_completion_tokens\":7,\"temperature\":0.5,\"top_p\":0.9,"
                       "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"stop\":[\"a\",\"b\"],"
                       "\"seed\":1,\"user\":\"u\",\"logit_bias\":{\"50256\":-100},\"presence_penalty\":-2,"
                       "\"response_format\":{\"type\":\"text\"},\"metadata\":{\"k\":\"v\"},\"frequency_penalty\":null,"
                       "\"logprobs\":true,\"top_logprobs\":2,\"store\":false,\"service_tier\":\"auto\"}";
    assert_int_equal(fx_parse(f, MP_API_CHAT, body), 0);
    assert_int_equal(f->req.n, 3);
    assert_int_equal(f->req.max_tokens, 7); /* max_completion_tokens wins */
    assert_true(f->req.temperature == 0.5);
    assert_true(f->req.top_p == 0.9);
    assert_true(f->req.stream);
    assert_true(mp_oa_req(&f->req)->include_usage);
    /* system: ceil(9/4)+3 = 6; user: text parts "What is" + " this?" = 13 bytes -> 4+3 = 7; +3 */
    assert_int_equal(f->req.prompt_tokens, 16);
    assert_int_equal(f->req.echo.n, 7); /* the first text part of the last user message */
    fx_free(f);
}

static void test_chat_nulls_are_absent(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    assert_int_equal(fx_parse(f, MP_API_CHAT,
                              CHAT(",\"n\":null,\"max_tokens\":null,\"stream\":null,\"stream_options\":null,"
                                   "\"temperature\":null,\"tools\":null,\"tool_choice\":null,\"stop\":null")),
                     0);
    assert_int_equal(f->req.n, 1);
    assert_int_equal(f->req.max_tokens, -1);
    assert_false(f->req.stream);
    fx_free(f);
}

static void test_chat_escaped_keys(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    assert_int_equal(fx_parse(f, MP_API_CHAT,
                              "{\"mod\\u0065l\":\"m\",\"messages\":[{\"r\\u006fle\":\"user\",\"content\":\"x\"}],"
                              "\"\\u006e\":2}"),
                     0);
    assert_int_equal(f->req.n, 2);
    fx_free(f);
}

static void test_invalid_json(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    const char *bodies[] = {"{", "", "[]", "\"x\"", "{\"model\":\"m\",}", "{\"a\":1} x", "nul"};
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        fx_expect_error(f, MP_API_CHAT, bodies[i], 400, "", "", invalid_json);
        assert_int_equal(f->err.kind, MP_ERR_INVALID_JSON);
    }
    fx_free(f);
}

static void test_model_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ERR("{\"messages\":[]}", "", "", "you must provide a model parameter");
    ERR("{\"model\":\"\",\"messages\":[]}", "", "", "you must provide a model parameter");
    ERR("{\"model\":null,\"messages\":[]}", "", "", "you must provide a model parameter");
    ERR("{\"model\":4,\"messages\":[]}", "model", "invalid_type",
        "Invalid type for 'model': expected a string, but got an integer instead.");
    assert_int_equal(f->err.kind, MP_ERR_BAD_REQUEST);
    fx_free(f);
}

/* The request of issue 7: a 10,000-character model with n=16 and stream made an 11.6 MB stream from a
 * 10 KB request (the name is in every chunk). Every api refuses names past MP_OA_MAX_MODEL_LEN. */
static void test_model_length_bounded(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    static const mp_api_t apis[] = {MP_API_CHAT, MP_API_COMPLETIONS, MP_API_EMBEDDINGS, MP_API_RESPONSES};
    static const char *const rest[] = {
        "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":16,\"stream\":true",
        "\"prompt\":\"hi\"",
        "\"input\":\"hi\"",
        "\"input\":\"hi\"",
    };
    for (size_t a = 0; a < 4; a++) {
        size_t lens[] = {MP_OA_MAX_MODEL_LEN, MP_OA_MAX_MODEL_LEN + 1, 10000};
        for (size_t i = 0; i < 3; i++) {
            cm_buf_t b = CM_BUF_INIT;
            cm_buf_puts(&b, "{\"model\":\"");
            for (size_t k = 0; k < lens[i]; k++)
                cm_buf_putc(&b, 'm');
            cm_buf_printf(&b, "\",%s}", rest[a]);
            if (i == 0) {
                if (fx_parse(f, apis[a], b.data) != 0)
                    fail_msg("api %zu: %s", a, f->err.message);
                assert_int_equal(f->req.model.n, MP_OA_MAX_MODEL_LEN);
            } else {
                char msg[200];
                snprintf(msg, sizeof(msg),
                         "Invalid 'model': string too long. Expected a string with maximum length 256, but got a "
                         "string with length %zu instead.",
                         lens[i]);
                fx_expect_error(f, apis[a], b.data, 400, "model", "string_above_max_length", msg);
            }
            cm_buf_free(&b);
        }
    }
    fx_free(f);
}

static void test_unknown_argument(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ERR(CHAT(",\"foo\":1"), "", "", "Unrecognized request argument supplied: foo");
    ERR(CHAT(",\"prompt\":\"x\""), "", "", "Unrecognized request argument supplied: prompt");
    fx_free(f);
}

static void test_numeric_ranges(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ERR(CHAT(",\"n\":0"), "n", "integer_below_min_value",
        "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead.");
    ERR(CHAT(",\"n\":129"), "n", "integer_above_max_value",
        "Invalid 'n': integer above maximum value. Expected a value <= 128, but got 129 instead.");
    ERR(CHAT(",\"n\":1.5"), "n", "invalid_type",
        "Invalid type for 'n': expected an integer, but got a decimal instead.");
    ERR(CHAT(",\"n\":\"2\""), "n", "invalid_type",
        "Invalid type for 'n': expected an integer, but got a string instead.");
    ERR(CHAT(",\"max_tokens\":0"), "max_tokens", "integer_below_min_value",
        "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead.");
    ERR(CHAT(",\"max_completion_tokens\":-5"), "max_completion_tokens", "integer_below_min_value",
        "Invalid 'max_completion_tokens': integer below minimum value. Expected a value >= 1, but got -5 instead.");
    ERR(CHAT(",\"temperature\":2.5"), "temperature", "decimal_above_max_value",
        "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 2.5 instead.");
    /* Beyond a double: out of range, never read as 0. */
    ERR(CHAT(",\"temperature\":1e400"), "temperature", "decimal_above_max_value",
        "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 1e400 instead.");
    ERR(CHAT(",\"presence_penalty\":-1e999"), "presence_penalty", "decimal_below_min_value",
        "Invalid 'presence_penalty': decimal below minimum value. Expected a value >= -2, but got -1e999 instead.");
    fx_expect_error(f, MP_API_RESPONSES, "{\"model\":\"m\",\"input\":\"x\",\"top_p\":1E+400}", 400, "top_p",
                    "decimal_above_max_value",
                    "Invalid 'top_p': decimal above maximum value. Expected a value <= 1, but got 1E+400 instead.");
    ERR(CHAT(",\"temperature\":-1"), "temperature", "decimal_below_min_value",
        "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -1 instead.");
    ERR(CHAT(",\"temperature\":\"hot\""), "temperature", "invalid_type",
        "Invalid type for 'temperature': expected a decimal, but got a string instead.");
    ERR(CHAT(",\"top_p\":1.01"), "top_p", "decimal_above_max_value",
        "Invalid 'top_p': decimal above maximum value. Expected a value <= 1, but got 1.01 instead.");
    ERR(CHAT(",\"presence_penalty\":-2.5"), "presence_penalty", "decimal_below_min_value",
        "Invalid 'presence_penalty': decimal below minimum value. Expected a value >= -2, but got -2.5 instead.");
    ERR(CHAT(",\"top_logprobs\":21"), "top_logprobs", "integer_above_max_value",
        "Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got 21 instead.");
    fx_free(f);
}

static void test_other_types(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ERR(CHAT(",\"stream\":\"yes\""), "stream", "invalid_type",
        "Invalid type for 'stream': expected a boolean, but got a string instead.");
    ERR(CHAT(",\"stream\":1"), "stream", "invalid_type",
        "Invalid type for 'stream': expected a boolean, but got an integer instead.");
    ERR(CHAT(",\"logit_bias\":[]"), "logit_bias", "invalid_type",
        "Invalid type for 'logit_bias': expected an object, but got an array instead.");
    ERR(CHAT(",\"user\":{}"), "user", "invalid_type",
        "Invalid type for 'user': expected a string, but got an object instead.");
    ERR(CHAT(",\"stop\":5"), "stop", "invalid_type",
        "Invalid type for 'stop': expected one of a string or array of strings, but got an integer instead.");
    ERR(CHAT(",\"stop\":[\"a\",true]"), "stop", "invalid_type",
        "Invalid type for 'stop': expected one of a string or array of strings, but got a boolean instead.");
    ERR(CHAT(",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]"), "stop", "array_above_max_length",
        "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 5 "
        "instead.");
    assert_int_equal(fx_parse(f, MP_API_CHAT, CHAT(",\"stop\":\"\\n\"")), 0);
    fx_free(f);
}

static void test_stream_options(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ERR(CHAT(",\"stream_options\":{\"include_usage\":true}"), "stream_options", "",
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
    ERR(CHAT(",\"stream\":false,\"stream_options\":{}"), "stream_options", "",
        "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
    ERR(CHAT(",\"stream\":true,\"stream_options\":{\"include_usage\":\"x\"}"), "stream_options.include_usage",
        "invalid_type",
        "Invalid type for 'stream_options.include_usage': expected a boolean, but got a string instead.");
    ERR(CHAT(",\"stream\":true,\"stream_options\":[]"), "stream_options", "invalid_type",
        "Invalid type for 'stream_options': expected an object, but got an array instead.");
    assert_int_equal(fx_parse(f, MP_API_CHAT, CHAT(",\"stream\":true,\"stream_options\":{\"include_usage\":false}")),
                     0);
    assert_true(f->req.stream);
    assert_false(mp_oa_req(&f->req)->include_usage);
    fx_free(f);
}

/* ---- completions ---------------------------------------------------------------------------------- */

static void test_completions_valid(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    assert_int_equal(fx_parse(f, MP_API_COMPLETIONS, "{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":\"Say this\"}"),
                     0);
    assert_int_equal(f->req.api, MP_API_COMPLETIONS);
    assert_int_equal(f->req.prompt_tokens, 2);
    assert_int_equal(f->req.echo.n, 8);
    assert_int_equal(f->req.n, 1);
    assert_int_equal(fx_parse(f, MP_API_COMPLETIONS, "{\"model\":\"m\",\"prompt\":[\"abcd\",\"abcdefgh\"],\"n\":2}"),
                     0);
    assert_int_equal(f->req.n, 4); /* n choices per prompt */
    assert_int_equal(f->req.prompt_tokens, 3);
    assert_int_equal(f->req.echo.n, 4);
    assert_int_equal(fx_parse(f, MP_API_COMPLETIONS, "{\"model\":\"m\",\"prompt\":[1,2,3],\"max_tokens\":0}"), 0);
    assert_int_equal(f->req.prompt_tokens, 3);
    assert_int_equal(f->req.n, 1);
    assert_int_equal(f->req.max_tokens, 0);
    assert_int_equal(f->req.echo.n, 0);
    assert_int_equal(fx_parse(f, MP_API_COMPLETIONS,
                              "{\"model\":\"m\",\"prompt\":[[1,2],[3]],\"stream\":true,"
                              "\"stream_options\":{\"include_usage\":true},\"echo\":true,"
                              "\"suffix\":\"s\",\"best_of\":2,\"logprobs\":5}"),
                     0);
    assert_int_equal(f->req.n, 2);
    assert_int_equal(f->req.prompt_tokens, 3);
    assert_true(mp_oa_req(&f->req)->include_usage);
    fx_free(f);
}

static void test_completions_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    static const char types[] = "one of a string, array of strings, array of integers, or array of arrays of integers";
    char msg[256];
    CERR("{\"model\":\"m\"}", "prompt", "missing_required_parameter", "Missing required parameter: 'prompt'.");
    CERR("{\"prompt\":\"x\"}", "", "", "you must provide a model parameter");
    snprintf(msg, sizeof(msg), "Invalid type for 'prompt': expected %s, but got an integer instead.", types);
    CERR("{\"model\":\"m\",\"prompt\":5}", "prompt", "invalid_type", msg);
    snprintf(msg, sizeof(msg), "Invalid type for 'prompt': expected %s, but got an integer instead.", types);
    CERR("{\"model\":\"m\",\"prompt\":[\"a\",1]}", "prompt", "invalid_type", msg);
    snprintf(msg, sizeof(msg), "Invalid type for 'prompt': expected %s, but got an object instead.", types);
    CERR("{\"model\":\"m\",\"prompt\":[{}]}", "prompt", "invalid_type", msg);
    CERR("{\"model\":\"m\",\"prompt\":[]}", "prompt", "empty_array",
         "Invalid 'prompt': empty array. Expected an array with minimum length 1, but got an empty array instead.");
    CERR("{\"model\":\"m\",\"prompt\":[[1,-1]]}", "prompt", "invalid_type",
         "Invalid type for 'prompt': expected an array of non-negative integers, but got an integer instead.");
    CERR("{\"model\":\"m\",\"prompt\":[1,\"a\"]}", "prompt", "invalid_type",
         "Invalid type for 'prompt': expected an array of non-negative integers, but got a string instead.");
    CERR("{\"model\":\"m\",\"prompt\":[\"a\",\"b\",\"c\"],\"n\":50}", "n", "",
         "Too many choices requested: n (50) times the number of prompts (3) is above the maximum of 128.");
    CERR("{\"model\":\"m\",\"prompt\":\"x\",\"messages\":[]}", "", "",
         "Unrecognized request argument supplied: messages");
    CERR("{\"model\":\"m\",\"prompt\":\"x\",\"logprobs\":6}", "logprobs", "integer_above_max_value",
         "Invalid 'logprobs': integer above maximum value. Expected a value <= 5, but got 6 instead.");
    CERR("{\"model\":\"m\",\"prompt\":\"x\",\"stream_options\":{}}", "stream_options", "",
         "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
    fx_free(f);
}

static void test_models_api_has_no_body(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->route = (mp_route_t){.api = MP_API_MODELS};
    assert_int_equal(f->dep.ops->parse(&f->route, "", 0, &f->toks, &f->a, &f->req, &f->err), 0);
    assert_int_equal(f->req.api, MP_API_MODELS);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chat_minimal),          cmocka_unit_test(test_chat_full),
        cmocka_unit_test(test_chat_nulls_are_absent), cmocka_unit_test(test_chat_escaped_keys),
        cmocka_unit_test(test_invalid_json),          cmocka_unit_test(test_model_errors),
        cmocka_unit_test(test_model_length_bounded),  cmocka_unit_test(test_unknown_argument),
        cmocka_unit_test(test_numeric_ranges),        cmocka_unit_test(test_other_types),
        cmocka_unit_test(test_stream_options),        cmocka_unit_test(test_completions_valid),
        cmocka_unit_test(test_completions_errors),    cmocka_unit_test(test_models_api_has_no_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
