/* Tests mock-provider/providers/openai/openai_tools.c: tools and tool_choice for chat (nested) and the Responses
 * API (flat): which function is called, with what arguments, and every validation error. */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/budget.h"
#include "mock-provider/providers/openai/openai.h"
#include "mock-provider/providers/schema/toolargs.h"

#define CHAT(extra) "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]" extra "}"
#define RESP(extra) "{\"model\":\"m\",\"input\":\"x\"" extra "}"
#define FN(name, params) "{\"type\":\"function\",\"function\":{\"name\":\"" name "\",\"parameters\":" params "}}"
#define FLAT(name, params) "{\"type\":\"function\",\"name\":\"" name "\",\"parameters\":" params "}"
#define WEATHER                                                                                                        \
    "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},\"days\":{\"type\":\"integer\"}},"            \
    "\"required\":[\"city\",\"days\"]}"
#define ERR(body, param, code, msg) fx_expect_error(f, MP_API_CHAT, body, 400, param, code, msg)
#define RERR(body, param, code, msg) fx_expect_error(f, MP_API_RESPONSES, body, 400, param, code, msg)

static void expect_tool(fx_t *f, const char *name, const char *args, bool forced)
{
    assert_true(f->req.tools);
    assert_int_equal(f->req.tool_forced, forced);
    assert_int_equal(f->req.tool_name.n, strlen(name));
    assert_memory_equal(f->req.tool_name.p, name, strlen(name));
    if (args != NULL) {
        assert_string_equal(f->req.tool_arguments, args);
        return;
    }
    /* The WEATHER schema: a city (a realistic string) and a number of days (an integer). */
    cm_json_toks_t toks = {0};
    cm_json_doc_t d;
    char err[160];
    assert_int_equal(cm_json_parse(&d, f->req.tool_arguments, strlen(f->req.tool_arguments), &toks, err, sizeof(err)),
                     0);
    assert_int_equal(d.tok[0].count, 2);
    assert_int_equal(cm_json_type(&d, cm_json_get(&d, 0, "city")), CM_JSON_STRING);
    int64_t days;
    assert_int_equal(cm_json_int(&d, cm_json_get(&d, 0, "days"), &days), 0);
    cm_json_toks_free(&toks);
}

static void test_chat_auto_picks_first_function(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    assert_int_equal(fx_parse(f, MP_API_CHAT,
                              CHAT(",\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"c\"}}," FN(
                                  "get_weather", WEATHER) "," FN("other", "{}") "]")),
                     0);
    expect_tool(f, "get_weather", NULL, false);
    assert_int_equal(fx_parse(f, MP_API_CHAT, CHAT(",\"tools\":[" FN("f", "null") "],\"tool_choice\":\"auto\"")), 0);
    expect_tool(f, "f", "{}", false);
    fx_free(f);
}

static void test_chat_choice_modes(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    assert_int_equal(fx_parse(f, MP_API_CHAT, CHAT(",\"tools\":[" FN("f", WEATHER) "],\"tool_choice\":\"none\"")), 0);
    assert_false(f->req.tools);
    assert_int_equal(fx_parse(f, MP_API_CHAT, CHAT(",\"tools\":[" FN("f", WEATHER) "],\"tool_choice\":\"required\"")),
                     0);
    expect_tool(f, "f", NULL, true);
    assert_int_equal(fx_parse(f, MP_API_CHAT,
                              CHAT(",\"tools\":[" FN("a", "{}") "," FN("b", WEATHER) "],\"tool_choice\":{\"type\":"
                                                                                     "\"function\",\"function\":{"
                                                                                     "\"name\":\"b\"}}")),
                     0);
    expect_tool(f, "b", NULL, true);
    /* Only custom tools: nothing the fake model can call. */
    assert_int_equal(fx_parse(f, MP_API_CHAT, CHAT(",\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"c\"}}]")),
                     0);
    assert_false(f->req.tools);
    fx_free(f);
}

static void test_chat_tool_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ERR(CHAT(",\"tools\":[]"), "tools", "empty_array",
        "Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead.");
    ERR(CHAT(",\"tools\":{}"), "tools", "invalid_type",
        "Invalid type for 'tools': expected an array, but got an object instead.");
    ERR(CHAT(",\"tools\":[5]"), "tools[0]", "invalid_type",
        "Invalid type for 'tools[0]': expected an object, but got an integer instead.");
    ERR(CHAT(",\"tools\":[{}]"), "tools[0].type", "missing_required_parameter",
        "Missing required parameter: 'tools[0].type'.");
    ERR(CHAT(",\"tools\":[{\"type\":\"code\"}]"), "tools[0].type", "invalid_value",
        "Invalid value: 'code'. Supported values are: 'function' and 'custom'.");
    ERR(CHAT(",\"tools\":[{\"type\":\"function\"}]"), "tools[0].function", "missing_required_parameter",
        "Missing required parameter: 'tools[0].function'.");
    ERR(CHAT(",\"tools\":[{\"type\":\"function\",\"function\":\"f\"}]"), "tools[0].function", "invalid_type",
        "Invalid type for 'tools[0].function': expected an object, but got a string instead.");
    ERR(CHAT(",\"tools\":[" FN("a", "{}") ",{\"type\":\"function\",\"function\":{}}]"), "tools[1].function.name",
        "missing_required_parameter", "Missing required parameter: 'tools[1].function.name'.");
    ERR(CHAT(",\"tools\":[" FN("get weather", "{}") "]"), "tools[0].function.name", "invalid_value",
        "Invalid 'tools[0].function.name': string does not match pattern. Expected a string that matches the "
        "pattern '^[a-zA-Z0-9_-]+$'.");
    ERR(CHAT(",\"tools\":[" FN("", "{}") "]"), "tools[0].function.name", "empty_string",
        "Invalid 'tools[0].function.name': empty string. Expected a string with minimum length 1, but got an empty "
        "string instead.");
    ERR(CHAT(",\"tools\":[" FN("a123456789a123456789a123456789a123456789a123456789a123456789abcde", "{}") "]"),
        "tools[0].function.name", "string_above_max_length",
        "Invalid 'tools[0].function.name': string too long. Expected a string with maximum length 64, but got a "
        "string with length 65 instead.");
    ERR(CHAT(",\"tools\":[" FN("f", "[]") "]"), "tools[0].function.parameters", "invalid_type",
        "Invalid type for 'tools[0].function.parameters': expected an object, but got an array instead.");
    fx_free(f);
}

static void test_chat_choice_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ERR(CHAT(",\"tool_choice\":\"auto\""), "tool_choice", "",
        "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.");
    ERR(CHAT(",\"tools\":[" FN("f", "{}") "],\"tool_choice\":\"maybe\""), "tool_choice", "invalid_value",
        "Invalid value: 'maybe'. Supported values are: 'none', 'auto', and 'required'.");
    ERR(CHAT(",\"tools\":[" FN("f", "{}") "],\"tool_choice\":3"), "tool_choice", "invalid_type",
        "Invalid type for 'tool_choice': expected one of a string or object, but got an integer instead.");
    ERR(CHAT(",\"tools\":[" FN("f", "{}") "],\"tool_choice\":{}"), "tool_choice.type", "missing_required_parameter",
        "Missing required parameter: 'tool_choice.type'.");
    ERR(CHAT(",\"tools\":[" FN("f", "{}") "],\"tool_choice\":{\"type\":\"function\"}"), "tool_choice.function",
        "missing_required_parameter", "Missing required parameter: 'tool_choice.function'.");
    ERR(CHAT(",\"tools\":[" FN("f", "{}") "],\"tool_choice\":{\"type\":\"function\",\"function\":{}}"),
        "tool_choice.function.name", "missing_required_parameter",
        "Missing required parameter: 'tool_choice.function.name'.");
    ERR(CHAT(",\"tools\":[" FN("f", "{}") "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"g\"}}"),
        "tool_choice", "invalid_value",
        "Invalid value for 'tool_choice': no function named 'g' was specified in the 'tools' parameter.");
    fx_free(f);
}

static void test_responses_tools(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    const char *body =
        RESP(",\"tools\":[{\"type\":\"web_search\"}," FLAT("lookup", WEATHER) "],"
                                                                              "\"tool_choice\":{\"type\":"
                                                                              "\"function\",\"name\":"
                                                                              "\"lookup\"}");
    assert_int_equal(fx_parse(f, MP_API_RESPONSES, body), 0);
    expect_tool(f, "lookup", NULL, true);
    /* The raw JSON is kept for the echo in the Response object. */
    assert_int_equal(mp_oa_req(&f->req)->tool_choice_json.p[0], '{');
    assert_int_equal(mp_oa_req(&f->req)->tools_json.p[0], '[');
    assert_int_equal(mp_oa_req(&f->req)->tools_json.p[mp_oa_req(&f->req)->tools_json.n - 1], ']');
    assert_int_equal(fx_parse(f, MP_API_RESPONSES, RESP(",\"tools\":[],\"tool_choice\":\"none\"")), 0);
    assert_false(f->req.tools);
    assert_int_equal(mp_oa_req(&f->req)->tool_choice_json.n, 6); /* "none" with its quotes */
    assert_memory_equal(mp_oa_req(&f->req)->tool_choice_json.p, "\"none\"", 6);
    assert_int_equal(fx_parse(f, MP_API_RESPONSES, RESP(",\"tools\":[{\"type\":\"file_search\"}]")), 0);
    assert_false(f->req.tools);
    fx_free(f);
}

static void test_responses_tool_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    RERR(RESP(",\"tools\":[{\"type\":\"function\"}]"), "tools[0].name", "missing_required_parameter",
         "Missing required parameter: 'tools[0].name'.");
    RERR(RESP(",\"tools\":[" FLAT("f", "{}") "],\"tool_choice\":{\"type\":\"function\",\"name\":\"g\"}"), "tool_choice",
         "invalid_value",
         "Invalid value for 'tool_choice': no function named 'g' was specified in the 'tools' parameter.");
    RERR(RESP(",\"tools\":[" FLAT("f", "{}") "],\"tool_choice\":{\"type\":\"function\"}"), "tool_choice.name",
         "missing_required_parameter", "Missing required parameter: 'tool_choice.name'.");
    RERR(RESP(",\"tool_choice\":\"required\""), "tool_choice", "",
         "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.");
    fx_free(f);
}

/* A schema over the bound of toolargs.h is OpenAI's 400 for an invalid schema, naming the tool and what is
 * too large; the tool is found by its position (here the second tool, the named one). */
static void test_schema_over_limit(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    cm_buf_t schema = CM_BUF_INIT, body = CM_BUF_INIT;
    cm_buf_puts(&schema, "{\"type\":\"object\",\"required\":[");
    for (int i = 0; i <= MP_SCHEMA_MAX_PROPERTIES; i++)
        cm_buf_printf(&schema, "%s\"p%d\"", i ? "," : "", i);
    cm_buf_puts(&schema, "]}");
    cm_buf_printf(&body,
                  CHAT(",\"tools\":[" FN("a", "{}") ",{\"type\":\"function\",\"function\":{\"name\":\"big\","
                                                    "\"parameters\":%s}}],\"tool_choice\":{\"type\":\"function\","
                                                    "\"function\":{\"name\":\"big\"}}"),
                  schema.data);
    ERR(body.data, "tools[1].function.parameters", "invalid_function_parameters",
        "Invalid schema for function 'big': it has more than 5000 properties (required entries and property names, "
        "all nested objects together).");
    cm_buf_reset(&body);
    cm_buf_printf(&body, RESP(",\"tools\":[{\"type\":\"function\",\"name\":\"big\",\"parameters\":%s}]"), schema.data);
    RERR(body.data, "tools[0].parameters", "invalid_function_parameters",
         "Invalid schema for function 'big': it has more than 5000 properties (required entries and property "
         "names, all nested objects together).");
    cm_buf_free(&schema);
    cm_buf_free(&body);
    fx_free(f);
}

/* Agent loops: a conversation that ends with a tool result is answered in text (unless tool_choice forces
 * another call), so SDK runners stop; chat and Responses alike. */
static void test_answers_tool_result_in_text(void **state)
{
    (void)state;
    fx_t *f = fx_new(), *g = fx_new(), *h = fx_new(), *r = fx_new();
    f->dep.tool_calls = g->dep.tool_calls = h->dep.tool_calls = r->dep.tool_calls = true;
#define LOOP(choice)                                                                                                   \
    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},{\"role\":\"assistant\","             \
    "\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\","          \
    "\"arguments\":\"{}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"21C\"}],\"tools\":[" FN(    \
        "f", WEATHER) "]" choice "}"
    fx_begin(f, MP_API_CHAT, LOOP(""));
    assert_true(f->req.after_tool_result);
    assert_int_equal(f->x.finish[0], MP_FINISH_STOP);
    fx_begin(g, MP_API_CHAT, LOOP(",\"tool_choice\":\"required\""));
    assert_int_equal(g->x.finish[0], MP_FINISH_TOOL_CALLS);
    /* Before the result, the same deployment calls the tool. */
    fx_begin(h, MP_API_CHAT, CHAT(",\"tools\":[" FN("f", WEATHER) "]"));
    assert_false(h->req.after_tool_result);
    assert_int_equal(h->x.finish[0], MP_FINISH_TOOL_CALLS);
    fx_begin(
        r, MP_API_RESPONSES,
        "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"q\"},{\"type\":\"function_call\",\"call_id\":"
        "\"call_1\",\"name\":\"f\",\"arguments\":\"{}\"},{\"type\":\"function_call_output\",\"call_id\":\"call_1\","
        "\"output\":\"42\"}],\"tools\":[" FLAT("f", WEATHER) "]}");
    assert_true(r->req.after_tool_result);
    assert_int_equal(r->x.finish[0], MP_FINISH_STOP);
    assert_int_equal(strncmp(r->x.item_id, "msg_", 4), 0);
#undef LOOP
    fx_free(f);
    fx_free(g);
    fx_free(h);
    fx_free(r);
}

/* A tool message must answer an assistant message with tool_calls (OpenAI's 400 and its param, sic). */
static void test_tool_message_order(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ERR("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"tool\",\"tool_call_id\":"
        "\"c\",\"content\":\"1\"}]}",
        "messages.[1].role", "",
        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.");
    /* Parallel results: several tool messages after one assistant turn. */
    assert_int_equal(fx_parse(f, MP_API_CHAT,
                              "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":"
                              "\"assistant\",\"tool_calls\":[{\"id\":\"a\",\"type\":\"function\",\"function\":{"
                              "\"name\":\"f\",\"arguments\":\"{}\"}},{\"id\":\"b\",\"type\":\"function\",\"function\":{"
                              "\"name\":\"f\",\"arguments\":\"{}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"a\","
                              "\"content\":\"1\"},{\"role\":\"tool\",\"tool_call_id\":\"b\",\"content\":\"2\"}]}"),
                     0);
    assert_true(f->req.after_tool_result);
    /* A tool_call_id must name a call of the assistant turn before it: not an unknown id, nor one of an
     * earlier turn. */
#define ASSISTANT(id)                                                                                                  \
    "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"" id                                                            \
    "\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}"
#define TOOLMSG(id) "{\"role\":\"tool\",\"tool_call_id\":\"" id "\",\"content\":\"1\"}"
#define CONVO(...) "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}," __VA_ARGS__ "]}"
    ERR(CONVO(ASSISTANT("call_a") "," TOOLMSG("call_b")), "messages.[2].tool_call_id", "",
        "Invalid parameter: 'tool_call_id' of 'call_b' not found in 'tool_calls' of previous message.");
    ERR(CONVO(ASSISTANT("call_a") "," TOOLMSG("call_a") "," ASSISTANT("call_b") "," TOOLMSG("call_a")),
        "messages.[4].tool_call_id", "",
        "Invalid parameter: 'tool_call_id' of 'call_a' not found in 'tool_calls' of previous message.");
    assert_int_equal(fx_parse(f, MP_API_CHAT,
                              CONVO(ASSISTANT("call_a") "," TOOLMSG("call_a") "," ASSISTANT("call_b") "," TOOLMSG(
                                  "call_b") ",{\"role\":\"assistant\",\"content\":\"ok\",\"tool_calls\":null}")),
                     0);
    assert_false(f->req.after_tool_result);
    /* The assistant's tool_calls themselves: an array of objects with ids, not empty. */
    ERR(CONVO("{\"role\":\"assistant\",\"tool_calls\":[]}"), "messages[1].tool_calls", "empty_array",
        "Invalid 'messages[1].tool_calls': empty array. Expected an array with minimum length 1, but got an empty "
        "array instead.");
    ERR(CONVO("{\"role\":\"assistant\",\"tool_calls\":{}}"), "messages[1].tool_calls", "invalid_type",
        "Invalid type for 'messages[1].tool_calls': expected an array of objects, but got an object instead.");
    ERR(CONVO("{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\"}]}"), "messages[1].tool_calls[0].id",
        "missing_required_parameter", "Missing required parameter: 'messages[1].tool_calls[0].id'.");
    /* Many calls and results: matched through a hash, in time linear in the conversation. */
    cm_buf_t big = CM_BUF_INIT;
    cm_buf_puts(&big, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":"
                      "\"assistant\",\"tool_calls\":[");
    for (int i = 0; i < 20000; i++)
        cm_buf_printf(&big,
                      "%s{\"id\":\"call_%d\",\"type\":\"function\",\"function\":{\"name\":\"f\","
                      "\"arguments\":\"{}\"}}",
                      i ? "," : "", i);
    cm_buf_puts(&big, "]}");
    for (int i = 19999; i >= 0; i--)
        cm_buf_printf(&big, ",{\"role\":\"tool\",\"tool_call_id\":\"call_%d\",\"content\":\"1\"}", i);
    cm_buf_puts(&big, "]}");
    double t0 = fx_cpu_s();
    assert_int_equal(fx_parse(f, MP_API_CHAT, big.data), 0);
    assert_true(fx_cpu_s() - t0 < 0.5 * fx_time_scale());
    cm_buf_free(&big);
#undef ASSISTANT
#undef TOOLMSG
#undef CONVO
    fx_free(f);
}

/* Responses: a function_call_output must answer a function_call earlier in the input (OpenAI's 400),
 * unless the call may be stored upstream (previous_response_id, conversation, item_reference). */
static void test_function_call_output_order(void **state)
{
    (void)state;
    fx_t *f = fx_new();
#define CALL(id) "{\"type\":\"function_call\",\"call_id\":\"" id "\",\"name\":\"f\",\"arguments\":\"{}\"}"
#define OUT(id) "{\"type\":\"function_call_output\",\"call_id\":\"" id "\",\"output\":\"1\"}"
#define INPUT(extra, ...) "{\"model\":\"m\"" extra ",\"input\":[{\"role\":\"user\",\"content\":\"x\"}," __VA_ARGS__ "]}"
    RERR(INPUT("", OUT("call_1")), "input", "", "No tool call found for function call output with call_id call_1.");
    RERR(INPUT("", OUT("call_1") "," CALL("call_1")), "input", "",
         "No tool call found for function call output with call_id call_1.");
    RERR(INPUT("", CALL("call_1") "," OUT("call_2")), "input", "",
         "No tool call found for function call output with call_id call_2.");
    assert_int_equal(
        fx_parse(f, MP_API_RESPONSES, INPUT("", CALL("call_1") "," CALL("call_2") "," OUT("call_2") "," OUT("call_1"))),
        0);
    assert_true(f->req.after_tool_result);
    assert_int_equal(fx_parse(f, MP_API_RESPONSES, INPUT(",\"previous_response_id\":\"resp_1\"", OUT("call_1"))), 0);
    assert_int_equal(
        fx_parse(f, MP_API_RESPONSES, INPUT("", "{\"type\":\"item_reference\",\"id\":\"fc_1\"}," OUT("call_1"))), 0);
#undef CALL
#undef OUT
#undef INPUT
    fx_free(f);
}

/* tool_calls: {auto: p}: under tool_choice auto a call with probability p (seeded draws); forced choices
 * always call; the response bound covers either answer. */
static void test_auto_probability(void **state)
{
    (void)state;
    int calls = 0;
    for (int i = 0; i < 400; i++) {
        fx_t *f = fx_new();
        f->dep.tool_calls = true;
        f->dep.tool_auto = 0.25;
        cm_rng_seed(&f->rng, (uint64_t)i);
        fx_begin(f, MP_API_CHAT, CHAT(",\"tools\":[" FN("f", WEATHER) "]"));
        calls += f->x.finish[0] == MP_FINISH_TOOL_CALLS;
        fx_free(f);
    }
    if (calls < 60 || calls > 140) /* 100 expected; the binomial sd is 8.7 */
        fail_msg("%d calls in 400 at 25%%", calls);
    fx_t *f = fx_new();
    f->dep.tool_auto = 0.01;
    f->dep.tool_calls = true;
    for (int i = 0; i < 20; i++) {
        fx_begin(f, MP_API_CHAT, CHAT(",\"tools\":[" FN("f", WEATHER) "],\"tool_choice\":\"required\""));
        assert_int_equal(f->x.finish[0], MP_FINISH_TOOL_CALLS);
        mp_exchange_end(&f->x);
        f->begun = false;
    }
    fx_free(f);
}

#define THREE                                                                                                          \
    "[" FN("a", WEATHER) "," FN(                                                                                       \
        "b",                                                                                                           \
        "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}},\"required\":[\"q\"]}") "," FN("c",         \
                                                                                                          "{}") "]"

/* tool_calls: {parallel: 3}: an answer calls 1 to 3 of the offered functions, in order, each with its own
 * id and arguments; streamed, each call opens with its own chunk (index, id, name) before its pieces. */
static void test_parallel_calls(void **state)
{
    (void)state;
    int seen[4] = {0};
    for (int seed = 0; seed < 60; seed++) {
        fx_t *f = fx_new(), *g = fx_new();
        f->dep.tool_calls = g->dep.tool_calls = true;
        f->dep.tool_parallel = g->dep.tool_parallel = 3;
        cm_rng_seed(&f->rng, (uint64_t)seed);
        cm_rng_seed(&g->rng, (uint64_t)seed);
        fx_begin(f, MP_API_CHAT, CHAT(",\"tools\":" THREE));
        fx_begin(g, MP_API_CHAT, CHAT(",\"tools\":" THREE ",\"stream\":true"));
        assert_int_equal(f->req.ncalls, 3);
        uint32_t k = f->x.calls[0];
        assert_true(k >= 1 && k <= 3);
        seen[k]++;
        f->dep.ops->render_body(&f->x, &f->out);
        fx_read(f, f->out.data, f->out.len);
        uint32_t calls = jpath(&f->doc, 0, "choices.0.message.tool_calls");
        assert_int_equal(f->doc.tok[calls].count, k);
        static const char *const names[] = {"a", "b", "c"};
        char body_args[3][512], ids[3][40];
        for (uint32_t i = 0; i < k; i++) {
            char p[96];
            snprintf(p, sizeof(p), "choices.0.message.tool_calls.%u.function.name", i);
            assert_string_equal(jstr(&f->doc, 0, p), names[i]);
            snprintf(p, sizeof(p), "choices.0.message.tool_calls.%u.function.arguments", i);
            fx_copy(body_args[i], sizeof(body_args[i]), jstr(&f->doc, 0, p));
            assert_int_equal(body_args[i][0], '{');
            snprintf(p, sizeof(p), "choices.0.message.tool_calls.%u.id", i);
            fx_copy(ids[i], sizeof(ids[i]), jstr(&f->doc, 0, p));
            for (uint32_t j = 0; j < i; j++)
                assert_string_not_equal(ids[i], ids[j]);
        }
        fx_stream(g);
        static sse_frame_t fr[512];
        size_t n = sse_split(g->out.data, g->out.len, fr, 512);
        cm_buf_t args[3] = {CM_BUF_INIT, CM_BUF_INIT, CM_BUF_INIT};
        uint32_t opened = 0;
        for (size_t i = 0; i + 1 < n; i++) {
            fx_read(g, fr[i].data, fr[i].len);
            uint32_t tc = jpath(&g->doc, 0, "choices.0.delta.tool_calls.0");
            if (tc == 0)
                continue;
            int64_t idx = jint(&g->doc, tc, "index");
            assert_true(idx >= 0 && idx < (int64_t)k);
            if (jpath(&g->doc, tc, "id") != 0) {
                assert_int_equal(idx, opened); /* each call opens once, in order */
                opened++;
                assert_string_equal(jstr(&g->doc, tc, "function.name"), names[idx]);
            }
            assert_int_equal(idx + 1, opened); /* pieces belong to the call opened last */
            cm_buf_puts(&args[idx], jstr(&g->doc, tc, "function.arguments"));
        }
        assert_int_equal(opened, k);
        assert_true(mp_oa_response_bound(&g->dep, &g->req) >= g->out.len);
        for (uint32_t i = 0; i < k; i++) {
            assert_string_equal(args[i].data ? args[i].data : "", body_args[i]);
            cm_buf_free(&args[i]);
        }
        fx_free(f);
        fx_free(g);
    }
    assert_true(seen[1] > 0 && seen[2] > 0 && seen[3] > 0);
    /* One call when the request or the choice rules out parallel calls, and on the Responses API. */
    fx_t *f = fx_new();
    f->dep.tool_calls = true;
    f->dep.tool_parallel = 3;
    fx_begin(f, MP_API_CHAT, CHAT(",\"tools\":" THREE ",\"parallel_tool_calls\":false"));
    assert_int_equal(f->req.ncalls, 1);
    assert_int_equal(f->x.calls[0], 1);
    mp_exchange_end(&f->x);
    fx_begin(f, MP_API_CHAT,
             CHAT(",\"tools\":" THREE ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"b\"}}"));
    assert_int_equal(f->req.ncalls, 1);
    fx_free(f);
}
#undef THREE

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers_tool_result_in_text),
        cmocka_unit_test(test_tool_message_order),
        cmocka_unit_test(test_function_call_output_order),
        cmocka_unit_test(test_auto_probability),
        cmocka_unit_test(test_parallel_calls),
        cmocka_unit_test(test_chat_auto_picks_first_function),
        cmocka_unit_test(test_chat_choice_modes),
        cmocka_unit_test(test_chat_tool_errors),
        cmocka_unit_test(test_chat_choice_errors),
        cmocka_unit_test(test_responses_tools),
        cmocka_unit_test(test_responses_tool_errors),
        cmocka_unit_test(test_schema_over_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
