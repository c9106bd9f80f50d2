/* Tests mock-provider/providers/openai/openai_messages.c: chat messages and Responses input validation, prompt
 * token estimates and the echo text. */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/openai/openai.h"

#define MSGS(m) "{\"model\":\"m\",\"messages\":" m "}"
#define ERR(body, param, code, msg) fx_expect_error(f, MP_API_CHAT, body, 400, param, code, msg)
#define RERR(body, param, code, msg) fx_expect_error(f, MP_API_RESPONSES, body, 400, param, code, msg)

static void test_messages_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ERR("{\"model\":\"m\"}", "messages", "missing_required_parameter", "Missing required parameter: 'messages'.");
    ERR(MSGS("\"hi\""), "messages", "invalid_type",
        "Invalid type for 'messages': expected an array of objects, but got a string instead.");
    ERR(MSGS("[]"), "messages", "empty_array",
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.");
    ERR(MSGS("[1]"), "messages[0]", "invalid_type",
        "Invalid type for 'messages[0]': expected an object, but got an integer instead.");
    ERR(MSGS("[{\"content\":\"x\"}]"), "messages[0].role", "missing_required_parameter",
        "Missing required parameter: 'messages[0].role'.");
    ERR(MSGS("[{\"role\":5,\"content\":\"x\"}]"), "messages[0].role", "invalid_type",
        "Invalid type for 'messages[0].role': expected a string, but got an integer instead.");
    ERR(MSGS("[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"robot\",\"content\":\"x\"}]"), "messages[1].role",
        "invalid_value",
        "Invalid value: 'robot'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and "
        "'developer'.");
    ERR(MSGS("[{\"role\":\"user\"}]"), "messages[0].content", "missing_required_parameter",
        "Missing required parameter: 'messages[0].content'.");
    ERR(MSGS("[{\"role\":\"user\",\"content\":null}]"), "messages.[0].content", "",
        "Invalid value for 'content': expected a string, got null.");
    ERR(MSGS("[{\"role\":\"system\",\"content\":7}]"), "messages[0].content", "invalid_type",
        "Invalid type for 'messages[0].content': expected one of a string or array of objects, but got an integer "
        "instead.");
    ERR(MSGS("[{\"role\":\"user\",\"content\":[]}]"), "messages[0].content", "empty_array",
        "Invalid 'messages[0].content': empty array. Expected an array with minimum length 1, but got an empty "
        "array instead.");
    ERR(MSGS("[{\"role\":\"user\",\"content\":[\"x\"]}]"), "messages[0].content[0]", "invalid_type",
        "Invalid type for 'messages[0].content[0]': expected an object, but got a string instead.");
    ERR(MSGS("[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}]"), "messages[0].content[0].type",
        "missing_required_parameter", "Missing required parameter: 'messages[0].content[0].type'.");
    ERR(MSGS("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"video\"}]}]"),
        "messages[0].content[1].type", "invalid_value",
        "Invalid value: 'video'. Supported values are: 'text', 'image_url', 'input_audio', 'refusal', and 'file'.");
    ERR(MSGS("[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]"), "messages[0].content[0].text",
        "missing_required_parameter", "Missing required parameter: 'messages[0].content[0].text'.");
    ERR(MSGS("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":1}]}]"), "messages[0].content[0].text",
        "invalid_type",
        "Invalid type for 'messages[0].content[0].text': expected a string, but got an integer instead.");
    ERR(MSGS("[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"tool\",\"content\":\"r\"}]"),
        "messages[1].tool_call_id", "missing_required_parameter",
        "Missing required parameter: 'messages[1].tool_call_id'.");
    ERR(MSGS("[{\"role\":\"function\",\"content\":\"r\"}]"), "messages[0].name", "missing_required_parameter",
        "Missing required parameter: 'messages[0].name'.");
    fx_free(f);
}

static void test_messages_valid_forms(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    const char *body = MSGS("[{\"role\":\"developer\",\"content\":\"rules\"},"
                            "{\"role\":\"user\",\"content\":\"first question\"},"
                            "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
                            "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
                            "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"42\"},"
                            "{\"role\":\"assistant\"},"
                            "{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{}},"
                            "{\"type\":\"text\",\"text\":\"last \\\"one\\\"\"}],\"name\":\"bob\"}]");
    assert_int_equal(fx_parse(f, MP_API_CHAT, body), 0);
    /* rules 5 -> 2+3; "first question" 14 -> 4+3; null -> 0+3; "42" -> 1+3; absent -> 0+3;
     * raw text `last \"one\"` 12 bytes -> 3+3; and 3 for the reply. */
    assert_int_equal(f->req.prompt_tokens, 5 + 7 + 3 + 4 + 3 + 6 + 3);
    assert_int_equal(f->req.echo.n, 12);
    assert_memory_equal(f->req.echo.p, "last \\\"one\\\"", 12);
    fx_free(f);
}

static void test_echo_is_last_user_message(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    assert_int_equal(fx_parse(f, MP_API_CHAT,
                              MSGS("[{\"role\":\"user\",\"content\":\"one\"},{\"role\":\"assistant\",\"content\":"
                                   "\"two\"},{\"role\":\"user\",\"content\":\"three\"},{\"role\":\"system\","
                                   "\"content\":\"four\"}]")),
                     0);
    assert_int_equal(f->req.echo.n, 5);
    assert_memory_equal(f->req.echo.p, "three", 5);
    assert_int_equal(fx_parse(f, MP_API_CHAT, MSGS("[{\"role\":\"system\",\"content\":\"sys\"}]")), 0);
    assert_int_equal(f->req.echo.n, 0);
    fx_free(f);
}

/* ---- Responses input ------------------------------------------------------------------------------ */

static void test_responses_input_valid(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    assert_int_equal(
        fx_parse(f, MP_API_RESPONSES, "{\"model\":\"m\",\"input\":\"Tell me\",\"instructions\":\"Be kind\"}"), 0);
    assert_int_equal(f->req.prompt_tokens, 3 + (2 + 3) + (2 + 3));
    assert_int_equal(f->req.echo.n, 7);
    assert_true(mp_oa_req(&f->req)->has_instructions);
    assert_int_equal(mp_oa_req(&f->req)->instructions.n, 7);
    const char *body = "{\"model\":\"m\",\"input\":[{\"role\":\"system\",\"content\":\"sys\"},"
                       "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hey "
                       "you\"},{\"type\":\"input_image\",\"image_url\":\"http://x\"}]},"
                       "{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]},"
                       "{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"{}\"},"
                       "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"result text\"}]}";
    assert_int_equal(fx_parse(f, MP_API_RESPONSES, body), 0);
    /* sys 1+3, "hey you" 2+3, arguments "{}" 1+3, output 11 bytes 3+3, reasoning 0, + 3 */
    assert_int_equal(f->req.prompt_tokens, 4 + 5 + 4 + 6 + 3);
    assert_int_equal(f->req.echo.n, 7);
    assert_false(mp_oa_req(&f->req)->has_instructions);
    assert_int_equal(fx_parse(f, MP_API_RESPONSES, "{\"model\":\"m\"}"), 0);
    assert_int_equal(f->req.prompt_tokens, 3);
    fx_free(f);
}

static void test_responses_input_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    RERR("{\"model\":\"m\",\"input\":5}", "input", "invalid_type",
         "Invalid type for 'input': expected one of a string or array of input items, but got an integer instead.");
    RERR("{\"model\":\"m\",\"input\":[\"x\"]}", "input[0]", "invalid_type",
         "Invalid type for 'input[0]': expected an object, but got a string instead.");
    RERR("{\"model\":\"m\",\"input\":[{\"role\":\"bot\",\"content\":\"x\"}]}", "input[0].role", "invalid_value",
         "Invalid value: 'bot'. Supported values are: 'user', 'assistant', 'system', and 'developer'.");
    RERR("{\"model\":\"m\",\"input\":[{\"role\":\"user\"}]}", "input[0].content", "missing_required_parameter",
         "Missing required parameter: 'input[0].content'.");
    RERR("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":3}]}", "input[0].content", "invalid_type",
         "Invalid type for 'input[0].content': expected one of a string or array of input content, but got an "
         "integer instead.");
    RERR("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}]}",
         "input[0].content[0].type", "invalid_value",
         "Invalid value: 'text'. Supported values are: 'input_text', 'input_image', 'input_file', 'input_audio', "
         "'output_text', and 'refusal'.");
    RERR("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\"}]}]}",
         "input[0].content[0].text", "missing_required_parameter",
         "Missing required parameter: 'input[0].content[0].text'.");
    RERR("{\"model\":\"m\",\"input\":[{\"content\":\"x\"}]}", "input[0].type", "missing_required_parameter",
         "Missing required parameter: 'input[0].type'.");
    RERR("{\"model\":\"m\",\"input\":[{\"type\":\"message\",\"content\":\"x\"}]}", "input[0].role",
         "missing_required_parameter", "Missing required parameter: 'input[0].role'.");
    RERR("{\"model\":\"m\",\"input\":[{\"type\":\"function_call_output\",\"output\":\"x\"}]}", "input[0].call_id",
         "missing_required_parameter", "Missing required parameter: 'input[0].call_id'.");
    RERR("{\"model\":\"m\",\"input\":[{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\"}]}",
         "input[0].arguments", "missing_required_parameter", "Missing required parameter: 'input[0].arguments'.");
    RERR("{\"model\":\"m\",\"input\":[{\"type\":7}]}", "input[0].type", "invalid_type",
         "Invalid type for 'input[0].type': expected a string, but got an integer instead.");
    RERR("{\"model\":\"m\",\"instructions\":[1]}", "instructions", "invalid_type",
         "Invalid type for 'instructions': expected a string, but got an array instead.");
    fx_free(f);
}

#define INPUT_ERR(input, param, code, msg) RERR("{\"model\":\"m\",\"input\":[" input "]}", param, code, msg)
#define RS_OK "{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]}"
#define CALL ",{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\",\"arguments\":\"{}\"}"

/* Reasoning items given back in an agent loop: their shape, their id, and where they may stand. */
static void test_responses_reasoning_item_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    INPUT_ERR("{\"type\":\"reasoning\",\"summary\":[]}" CALL, "input[0].id", "missing_required_parameter",
              "Missing required parameter: 'input[0].id'.");
    INPUT_ERR("{\"type\":\"reasoning\",\"id\":7,\"summary\":[]}" CALL, "input[0].id", "invalid_type",
              "Invalid type for 'input[0].id': expected a string, but got an integer instead.");
    INPUT_ERR("{\"type\":\"reasoning\",\"id\":\"item_9\",\"summary\":[]}" CALL, "input[0].id", "invalid_value",
              "Invalid 'input[0].id': 'item_9'. Expected an ID that begins with 'rs'.");
    INPUT_ERR("{\"type\":\"reasoning\",\"id\":\"\",\"summary\":[]}" CALL, "input[0].id", "invalid_value",
              "Invalid 'input[0].id': ''. Expected an ID that contains letters, numbers, underscores, or dashes, "
              "but this value contained additional characters.");
    INPUT_ERR("{\"type\":\"reasoning\",\"id\":\"rs 1\",\"summary\":[]}" CALL, "input[0].id", "invalid_value",
              "Invalid 'input[0].id': 'rs 1'. Expected an ID that contains letters, numbers, underscores, or "
              "dashes, but this value contained additional characters.");
    INPUT_ERR("{\"type\":\"reasoning\",\"id\":\"rs_1\"}" CALL, "input[0].summary", "missing_required_parameter",
              "Missing required parameter: 'input[0].summary'.");
    INPUT_ERR("{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":\"why\"}" CALL, "input[0].summary", "invalid_type",
              "Invalid type for 'input[0].summary': expected an array of objects, but got a string instead.");
    INPUT_ERR("{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[{\"type\":\"text\",\"text\":\"x\"}]}" CALL,
              "input[0].summary[0].type", "invalid_value",
              "Invalid value: 'text'. Supported values are: 'summary_text'.");
    INPUT_ERR("{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[{\"type\":\"summary_text\"}]}" CALL,
              "input[0].summary[0].text", "missing_required_parameter",
              "Missing required parameter: 'input[0].summary[0].text'.");
    INPUT_ERR("{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[],\"content\":[{\"type\":\"summary_text\","
              "\"text\":\"x\"}]}" CALL,
              "input[0].content[0].type", "invalid_value",
              "Invalid value: 'summary_text'. Supported values are: 'reasoning_text'.");
    INPUT_ERR("{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[],\"encrypted_content\":1}" CALL,
              "input[0].encrypted_content", "invalid_type",
              "Invalid type for 'input[0].encrypted_content': expected a string, but got an integer instead.");
    INPUT_ERR("{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[],\"status\":\"done\"}" CALL, "input[0].status",
              "invalid_value",
              "Invalid value: 'done'. Supported values are: 'in_progress', 'completed', and 'incomplete'.");
    INPUT_ERR("{\"role\":\"user\",\"content\":\"hi\"}," RS_OK, "input", "",
              "Item 'rs_1' of type 'reasoning' was provided without its required following item.");
    INPUT_ERR(RS_OK ",{\"role\":\"user\",\"content\":\"hi\"}", "input", "",
              "Item 'rs_1' of type 'reasoning' was provided without its required following item.");
    /* without store the item cannot be looked up: OpenAI's 404 */
    fx_expect_error(f, MP_API_RESPONSES, "{\"model\":\"m\",\"store\":false,\"input\":[" RS_OK CALL "]}", 404, "input",
                    "",
                    "Item with id 'rs_1' not found. Items are not persisted when `store` is set to false. Try again "
                    "with `store` set to true, or remove this item from your input.");
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messages_errors),           cmocka_unit_test(test_messages_valid_forms),
        cmocka_unit_test(test_echo_is_last_user_message), cmocka_unit_test(test_responses_input_valid),
        cmocka_unit_test(test_responses_input_errors),    cmocka_unit_test(test_responses_reasoning_item_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
