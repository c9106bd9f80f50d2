/* Tests mock-provider/providers/openai/openai_responses.c (and the Responses request in openai_parse.c): the
 * Response object, the typed event stream and its in-stream error event, function calls, incomplete answers, and
 * request errors. */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/budget.h"
#include "mock-provider/providers/openai/openai.h"

#define RESP(extra) "{\"model\":\"gpt-4o\",\"input\":\"Tell me a story\"" extra "}"
#define ERR(body, param, code, msg) fx_expect_error(f, MP_API_RESPONSES, body, 400, param, code, msg)
#define TOOL                                                                                                           \
    ",\"tools\":[{\"type\":\"function\",\"name\":\"lookup\",\"parameters\":{\"type\":\"object\",\"properties\":{"      \
    "\"q\":{\"type\":\"string\"}},\"required\":[\"q\"]}}]"

/* Keys the SPEC's Response schema requires. */
static const char *const required_keys[] = {
    "id",           "object",      "created_at",  "error",  "incomplete_details",
    "instructions", "model",       "tools",       "output", "parallel_tool_calls",
    "metadata",     "tool_choice", "temperature", "top_p",  NULL};

static void check_response(const cm_json_doc_t *d, uint32_t r, const char *status)
{
    for (const char *const *k = required_keys; *k != NULL; k++)
        if (cm_json_get(d, r, *k) == 0)
            fail_msg("Response without %s", *k);
    assert_string_equal(jstr(d, r, "object"), "response");
    assert_string_equal(jstr(d, r, "status"), status);
    assert_int_equal(strncmp(jstr(d, r, "id"), "resp_", 5), 0);
}

static void test_body(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_begin(f, MP_API_RESPONSES,
             RESP(",\"instructions\":\"Be \\\"brief\\\"\",\"temperature\":0.3,\"top_p\":0.5,\"metadata\":{\"k\":"
                  "\"v\"},\"parallel_tool_calls\":false,\"store\":false,\"reasoning\":{},\"text\":{}"));
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    const cm_json_doc_t *d = &f->doc;
    check_response(d, 0, "completed");
    assert_string_equal(jstr(d, 0, "id"), f->x.id);
    assert_int_equal(jint(d, 0, "created_at"), f->x.created);
    assert_true(jnull(d, 0, "error"));
    assert_true(jnull(d, 0, "incomplete_details"));
    assert_string_equal(jstr(d, 0, "instructions"), "Be \"brief\"");
    assert_true(jnull(d, 0, "max_output_tokens"));
    assert_string_equal(jstr(d, 0, "model"), "gpt-4o");
    assert_string_equal(jstr(d, 0, "metadata.k"), "v");
    assert_int_equal(cm_json_type(d, jpath(d, 0, "parallel_tool_calls")), CM_JSON_FALSE);
    assert_string_equal(jstr(d, 0, "tool_choice"), "auto");
    assert_int_equal(d->tok[jpath(d, 0, "tools")].count, 0);
    double t;
    cm_json_double(d, jpath(d, 0, "temperature"), &t);
    assert_true(t == 0.3);
    cm_json_double(d, jpath(d, 0, "top_p"), &t);
    assert_true(t == 0.5);
    assert_int_equal(d->tok[jpath(d, 0, "output")].count, 1);
    assert_string_equal(jstr(d, 0, "output.0.type"), "message");
    assert_string_equal(jstr(d, 0, "output.0.id"), f->x.item_id);
    assert_int_equal(strncmp(f->x.item_id, "msg_", 4), 0);
    assert_string_equal(jstr(d, 0, "output.0.status"), "completed");
    assert_string_equal(jstr(d, 0, "output.0.role"), "assistant");
    assert_string_equal(jstr(d, 0, "output.0.content.0.type"), "output_text");
    assert_int_equal(d->tok[jpath(d, 0, "output.0.content.0.annotations")].count, 0);
    assert_int_equal(jint(d, 0, "usage.input_tokens"), f->req.prompt_tokens);
    assert_int_equal(jint(d, 0, "usage.output_tokens"), 5);
    assert_int_equal(jint(d, 0, "usage.total_tokens"), f->req.prompt_tokens + 5);
    assert_int_equal(jint(d, 0, "usage.input_tokens_details.cached_tokens"), 0);
    assert_int_equal(jint(d, 0, "usage.output_tokens_details.reasoning_tokens"), 0);
    fx_free(f);
}

static void test_incomplete(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.output_tokens = cm_dist_fixed(40);
    fx_begin(f, MP_API_RESPONSES, RESP(",\"max_output_tokens\":16"));
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    check_response(&f->doc, 0, "incomplete");
    assert_string_equal(jstr(&f->doc, 0, "incomplete_details.reason"), "max_output_tokens");
    assert_int_equal(jint(&f->doc, 0, "max_output_tokens"), 16);
    assert_string_equal(jstr(&f->doc, 0, "output.0.status"), "incomplete");
    assert_int_equal(jint(&f->doc, 0, "usage.output_tokens"), 16);
    fx_free(f);
}

typedef struct ev {
    size_t n;
    sse_frame_t fr[256];
} ev_t;

/* Renders the stream and checks what every event shares: the event line equals the data's type,
 * sequence_number counts from 0 without gaps, no [DONE]. */
static void stream(fx_t *f, ev_t *e)
{
    fx_stream(f);
    e->n = sse_split(f->out.data, f->out.len, e->fr, 256);
    for (size_t i = 0; i < e->n; i++) {
        fx_read(f, e->fr[i].data, e->fr[i].len);
        assert_string_equal(jstr(&f->doc, 0, "type"), e->fr[i].event);
        assert_int_equal(jint(&f->doc, 0, "sequence_number"), (int64_t)i);
    }
    assert_int_equal(f->x.seq, e->n);
}

static void test_stream_events(void **state)
{
    (void)state;
    fx_t *f = fx_new(), *g = fx_new();
    static ev_t e;
    fx_begin(f, MP_API_RESPONSES, RESP(",\"stream\":true"));
    fx_begin(g, MP_API_RESPONSES, RESP(""));
    stream(f, &e);
    const char *want[] = {"response.created",           "response.in_progress",
                          "response.output_item.added", "response.content_part.added",
                          "response.output_text.delta", "response.output_text.delta",
                          "response.output_text.delta", "response.output_text.delta",
                          "response.output_text.delta", "response.output_text.done",
                          "response.content_part.done", "response.output_item.done",
                          "response.completed"};
    assert_int_equal(e.n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < e.n; i++)
        assert_string_equal(e.fr[i].event, want[i]);
    fx_read(f, e.fr[0].data, e.fr[0].len);
    check_response(&f->doc, jpath(&f->doc, 0, "response"), "in_progress");
    assert_true(jnull(&f->doc, 0, "response.usage"));
    assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "response.output")].count, 0);
    fx_read(f, e.fr[2].data, e.fr[2].len);
    assert_int_equal(jint(&f->doc, 0, "output_index"), 0);
    assert_string_equal(jstr(&f->doc, 0, "item.status"), "in_progress");
    assert_string_equal(jstr(&f->doc, 0, "item.id"), f->x.item_id);
    fx_read(f, e.fr[3].data, e.fr[3].len);
    assert_string_equal(jstr(&f->doc, 0, "item_id"), f->x.item_id);
    assert_string_equal(jstr(&f->doc, 0, "part.text"), "");
    cm_buf_t text = CM_BUF_INIT;
    for (size_t i = 4; i < 9; i++) {
        fx_read(f, e.fr[i].data, e.fr[i].len);
        assert_int_equal(jint(&f->doc, 0, "content_index"), 0);
        assert_string_equal(jstr(&f->doc, 0, "item_id"), f->x.item_id);
        cm_buf_puts(&text, jstr(&f->doc, 0, "delta"));
    }
    g->dep.ops->render_body(&g->x, &g->out);
    fx_read(g, g->out.data, g->out.len);
    assert_string_equal(text.data, jstr(&g->doc, 0, "output.0.content.0.text"));
    fx_read(f, e.fr[9].data, e.fr[9].len);
    assert_string_equal(jstr(&f->doc, 0, "text"), text.data);
    fx_read(f, e.fr[10].data, e.fr[10].len);
    assert_string_equal(jstr(&f->doc, 0, "part.text"), text.data);
    fx_read(f, e.fr[11].data, e.fr[11].len);
    assert_string_equal(jstr(&f->doc, 0, "item.status"), "completed");
    fx_read(f, e.fr[12].data, e.fr[12].len);
    check_response(&f->doc, jpath(&f->doc, 0, "response"), "completed");
    assert_int_equal(jint(&f->doc, 0, "response.usage.output_tokens"), 5);
    assert_string_equal(jstr(&f->doc, 0, "response.output.0.content.0.text"), text.data);
    assert_null(strstr(f->out.data, "[DONE]"));
    cm_buf_free(&text);
    fx_free(f);
    fx_free(g);
}

/* A stream_error fault after two deltas: the Responses API's typed error event, flat (code, message, param) and
 * numbered after the events sent, on OpenAI and Azure alike; chat keeps the error object as a data-only frame. */
static void test_stream_error_event(void **state)
{
    (void)state;
    static const mp_provider_kind_t kinds[] = {MP_PROVIDER_OPENAI, MP_PROVIDER_AZURE};
    static const char *const messages[] = {
        "The engine is currently overloaded, please try again later.",
        "The service is temporarily unable to process your request. Please try again later.",
    };
    for (size_t k = 0; k < 2; k++) {
        fx_t *f = fx_new();
        static ev_t e;
        f->dep.provider = kinds[k];
        f->dep.ops = mp_provider_for(kinds[k]);
        fx_begin(f, MP_API_RESPONSES, RESP(",\"stream\":true"));
        f->dep.ops->render_head(&f->x, &f->out);
        f->dep.ops->render_step(&f->x, &f->out);
        f->dep.ops->render_step(&f->x, &f->out);
        mp_error_preset(f->dep.ops, &f->err, MP_ERR_UNAVAILABLE, NULL);
        f->dep.ops->render_stream_error(&f->x, &f->err, &f->out);
        e.n = sse_split(f->out.data, f->out.len, e.fr, 256);
        assert_int_equal(e.n, 7);
        assert_string_equal(e.fr[5].event, "response.output_text.delta");
        assert_string_equal(e.fr[6].event, "error");
        fx_read(f, e.fr[6].data, e.fr[6].len);
        assert_string_equal(jstr(&f->doc, 0, "type"), "error");
        assert_int_equal(jint(&f->doc, 0, "sequence_number"), 6);
        assert_string_equal(jstr(&f->doc, 0, "code"), k == 0 ? "server_error" : "ServiceUnavailable");
        assert_string_equal(jstr(&f->doc, 0, "message"), messages[k]);
        assert_true(jnull(&f->doc, 0, "param"));
        assert_int_equal(jpath(&f->doc, 0, "error"), 0);
        fx_free(f);
    }
    fx_t *c = fx_new();
    fx_begin(c, MP_API_CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true}");
    mp_error_preset(c->dep.ops, &c->err, MP_ERR_UNAVAILABLE, NULL);
    c->dep.ops->render_stream_error(&c->x, &c->err, &c->out);
    assert_string_equal(c->out.data,
                        "data: {\"error\":{\"message\":\"The engine is currently overloaded, please try again "
                        "later.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n");
    fx_free(c);
}

static void test_stream_incomplete_ends_with_incomplete(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    static ev_t e;
    f->dep.output_tokens = cm_dist_fixed(30);
    fx_begin(f, MP_API_RESPONSES, RESP(",\"stream\":true,\"max_output_tokens\":20"));
    stream(f, &e);
    assert_string_equal(e.fr[e.n - 1].event, "response.incomplete");
    fx_read(f, e.fr[e.n - 1].data, e.fr[e.n - 1].len);
    check_response(&f->doc, jpath(&f->doc, 0, "response"), "incomplete");
    fx_free(f);
}

static void test_function_call(void **state)
{
    (void)state;
    fx_t *f = fx_new(), *g = fx_new();
    static ev_t e;
    f->dep.tool_calls = g->dep.tool_calls = true;
    fx_begin(f, MP_API_RESPONSES, RESP(TOOL ",\"stream\":true"));
    fx_begin(g, MP_API_RESPONSES, RESP(TOOL));
    g->dep.ops->render_body(&g->x, &g->out);
    fx_read(g, g->out.data, g->out.len);
    const cm_json_doc_t *d = &g->doc;
    check_response(d, 0, "completed");
    assert_string_equal(jstr(d, 0, "output.0.type"), "function_call");
    assert_int_equal(strncmp(jstr(d, 0, "output.0.id"), "fc_", 3), 0);
    assert_int_equal(strncmp(jstr(d, 0, "output.0.call_id"), "call_", 5), 0);
    assert_string_equal(jstr(d, 0, "output.0.name"), "lookup");
    char body_args[256]; /* a realistic string for q, the same streamed or not (same conversation, same schema) */
    fx_copy(body_args, sizeof(body_args), jstr(d, 0, "output.0.arguments"));
    assert_int_equal(strncmp(body_args, "{\"q\":\"", 6), 0);
    assert_true(strlen(body_args) > 9);
    assert_string_equal(jstr(d, 0, "tools.0.name"), "lookup"); /* tools echoed */
    stream(f, &e);
    assert_string_equal(e.fr[2].event, "response.output_item.added");
    fx_read(f, e.fr[2].data, e.fr[2].len);
    assert_string_equal(jstr(&f->doc, 0, "item.type"), "function_call");
    assert_string_equal(jstr(&f->doc, 0, "item.arguments"), "");
    cm_buf_t args = CM_BUF_INIT;
    size_t i = 3;
    for (; i < e.n && strcmp(e.fr[i].event, "response.function_call_arguments.delta") == 0; i++) {
        fx_read(f, e.fr[i].data, e.fr[i].len);
        assert_string_equal(jstr(&f->doc, 0, "item_id"), f->x.item_id);
        cm_buf_puts(&args, jstr(&f->doc, 0, "delta"));
    }
    assert_int_equal(i - 3, f->x.tokens[0]);
    assert_string_equal(args.data, body_args);
    assert_string_equal(e.fr[i].event, "response.function_call_arguments.done");
    fx_read(f, e.fr[i].data, e.fr[i].len);
    assert_string_equal(jstr(&f->doc, 0, "arguments"), args.data);
    assert_string_equal(jstr(&f->doc, 0, "name"), "lookup");
    assert_string_equal(e.fr[i + 1].event, "response.output_item.done");
    assert_string_equal(e.fr[i + 2].event, "response.completed");
    assert_int_equal(e.n, i + 3);
    cm_buf_free(&args);
    fx_free(f);
    fx_free(g);
}

#define FLAT(name, params) "{\"type\":\"function\",\"name\":\"" name "\",\"parameters\":" params "}"
#define Q_SCHEMA "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}},\"required\":[\"q\"]}"
#define THREE "[" FLAT("a", Q_SCHEMA) ",{\"type\":\"web_search\"}," FLAT("b", Q_SCHEMA) "," FLAT("c", "{}") "]"

/* The body's function_call items: k of them, output_index order, names a, b, c, distinct ids and call ids. */
static uint32_t body_calls(fx_t *g, char args[3][256])
{
    static const char *const names[] = {"a", "b", "c"};
    const cm_json_doc_t *d = &g->doc;
    uint32_t k = d->tok[jpath(d, 0, "output")].count;
    char ids[3][64], calls[3][40], p[64];
    for (uint32_t i = 0; i < k; i++) {
        snprintf(p, sizeof(p), "output.%u.type", i);
        assert_string_equal(jstr(d, 0, p), "function_call");
        snprintf(p, sizeof(p), "output.%u.name", i);
        assert_string_equal(jstr(d, 0, p), names[i]);
        snprintf(p, sizeof(p), "output.%u.status", i);
        assert_string_equal(jstr(d, 0, p), "completed");
        snprintf(p, sizeof(p), "output.%u.id", i);
        fx_copy(ids[i], sizeof(ids[i]), jstr(d, 0, p));
        assert_int_equal(strncmp(ids[i], "fc_", 3), 0);
        snprintf(p, sizeof(p), "output.%u.call_id", i);
        fx_copy(calls[i], sizeof(calls[i]), jstr(d, 0, p));
        assert_int_equal(strncmp(calls[i], "call_", 5), 0);
        snprintf(p, sizeof(p), "output.%u.arguments", i);
        fx_copy(args[i], sizeof(args[i]), jstr(d, 0, p));
        assert_int_equal(args[i][0], '{');
        for (uint32_t j = 0; j < i; j++) {
            assert_string_not_equal(ids[i], ids[j]);
            assert_string_not_equal(calls[i], calls[j]);
        }
    }
    return k;
}

/* The stream of k calls: for each, output_item.added (index i), its argument deltas, arguments.done and
 * output_item.done, one call after the other, then response.completed listing all k. */
static void stream_calls(fx_t *f, uint32_t k, char args[3][256])
{
    static ev_t e;
    stream(f, &e);
    size_t i = 2;
    for (uint32_t call = 0; call < k; call++) {
        assert_string_equal(e.fr[i].event, "response.output_item.added");
        fx_read(f, e.fr[i].data, e.fr[i].len);
        assert_int_equal(jint(&f->doc, 0, "output_index"), call);
        assert_string_equal(jstr(&f->doc, 0, "item.status"), "in_progress");
        char id[64];
        fx_copy(id, sizeof(id), jstr(&f->doc, 0, "item.id"));
        cm_buf_t got = CM_BUF_INIT;
        for (i++; i < e.n && strcmp(e.fr[i].event, "response.function_call_arguments.delta") == 0; i++) {
            fx_read(f, e.fr[i].data, e.fr[i].len);
            assert_int_equal(jint(&f->doc, 0, "output_index"), call);
            assert_string_equal(jstr(&f->doc, 0, "item_id"), id);
            cm_buf_puts(&got, jstr(&f->doc, 0, "delta"));
        }
        assert_string_equal(got.data ? got.data : "", args[call]);
        cm_buf_free(&got);
        assert_string_equal(e.fr[i].event, "response.function_call_arguments.done");
        fx_read(f, e.fr[i].data, e.fr[i].len);
        assert_string_equal(jstr(&f->doc, 0, "arguments"), args[call]);
        assert_int_equal(jint(&f->doc, 0, "output_index"), call);
        assert_string_equal(e.fr[++i].event, "response.output_item.done");
        fx_read(f, e.fr[i].data, e.fr[i].len);
        assert_string_equal(jstr(&f->doc, 0, "item.id"), id);
        assert_string_equal(jstr(&f->doc, 0, "item.status"), "completed");
        assert_string_equal(jstr(&f->doc, 0, "item.arguments"), args[call]);
        i++;
    }
    assert_string_equal(e.fr[i].event, "response.completed");
    fx_read(f, e.fr[i].data, e.fr[i].len);
    assert_int_equal(f->doc.tok[jpath(&f->doc, 0, "response.output")].count, k);
    assert_int_equal(e.n, i + 1);
    assert_true(mp_oa_response_bound(&f->dep, &f->req) >= f->out.len);
}

/* tool_calls: {parallel: 3}: like chat, a Responses answer calls 1 to 3 of the offered functions (built-in
 * tools skipped), each its own function_call output item; one call when parallel_tool_calls is false or
 * tool_choice names a function. */
static void test_parallel_function_calls(void **state)
{
    (void)state;
    int seen[4] = {0};
    for (int seed = 0; seed < 40; seed++) {
        fx_t *f = fx_new(), *g = fx_new();
        f->dep.tool_calls = g->dep.tool_calls = true;
        f->dep.tool_parallel = g->dep.tool_parallel = 3;
        cm_rng_seed(&f->rng, (uint64_t)seed);
        cm_rng_seed(&g->rng, (uint64_t)seed);
        fx_begin(f, MP_API_RESPONSES, RESP(",\"tools\":" THREE ",\"stream\":true"));
        fx_begin(g, MP_API_RESPONSES, RESP(",\"tools\":" THREE));
        g->dep.ops->render_body(&g->x, &g->out);
        fx_read(g, g->out.data, g->out.len);
        check_response(&g->doc, 0, "completed");
        char args[3][256];
        uint32_t k = body_calls(g, args);
        assert_int_equal(k, g->x.calls[0]);
        assert_true(k >= 1 && k <= 3);
        assert_true(mp_oa_response_bound(&g->dep, &g->req) >= g->out.len);
        seen[k]++;
        stream_calls(f, k, args);
        fx_free(f);
        fx_free(g);
    }
    assert_true(seen[1] > 0 && seen[2] > 0 && seen[3] > 0);
    fx_t *f = fx_new();
    f->dep.tool_calls = true;
    f->dep.tool_parallel = 3;
    for (int seed = 0; seed < 10; seed++) {
        cm_rng_seed(&f->rng, (uint64_t)seed);
        fx_begin(f, MP_API_RESPONSES, RESP(",\"tools\":" THREE ",\"parallel_tool_calls\":false"));
        assert_int_equal(f->x.calls[0], 1);
        mp_exchange_end(&f->x);
        fx_begin(f, MP_API_RESPONSES,
                 RESP(",\"tools\":" THREE ",\"tool_choice\":{\"type\":\"function\",\"name\":\"b\"}"));
        assert_int_equal(f->x.calls[0], 1);
        mp_exchange_end(&f->x);
        f->begun = false;
    }
    fx_free(f);
}
#undef THREE

/* Clients that pretty-print their body (openai-node v4 does): echoed tools, tool_choice and metadata must
 * not carry newlines into the SSE data lines (stream() fails on a newline inside a frame). */
static void test_pretty_request_echo(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    static ev_t e;
    fx_begin(f, MP_API_RESPONSES,
             "{\n  \"model\": \"gpt-4o\",\n  \"input\": \"x\",\n  \"stream\": true,\n  \"tools\": [\n    {\n"
             "      \"type\": \"function\",\n      \"name\": \"lookup\",\n      \"parameters\": {\n"
             "        \"type\": \"object\", \"properties\": { \"q\": { \"const\": [1,\n 2] } },\n"
             "        \"required\": [ \"q\" ]\n      }\n    }\n  ],\n  \"tool_choice\": {\n    \"type\": "
             "\"function\",\n    \"name\": \"lookup\"\n  },\n  \"metadata\": {\n    \"k\": \"a b\"\n  }\n}");
    stream(f, &e);
    fx_read(f, e.fr[e.n - 1].data, e.fr[e.n - 1].len);
    assert_string_equal(jstr(&f->doc, 0, "response.tools.0.name"), "lookup");
    assert_string_equal(jstr(&f->doc, 0, "response.tool_choice.name"), "lookup");
    assert_string_equal(jstr(&f->doc, 0, "response.metadata.k"), "a b");
    assert_string_equal(jstr(&f->doc, 0, "response.output.0.arguments"), "{\"q\":[1,2]}");
    fx_free(f);
}

static void test_request_errors(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    ERR(RESP(",\"foo\":1"), "foo", "unknown_parameter", "Unknown parameter: 'foo'.");
    ERR(RESP(",\"messages\":[]"), "messages", "unknown_parameter", "Unknown parameter: 'messages'.");
    ERR(RESP(",\"max_output_tokens\":15"), "max_output_tokens", "integer_below_min_value",
        "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 15 instead.");
    ERR(RESP(",\"temperature\":3"), "temperature", "decimal_above_max_value",
        "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.");
    ERR(RESP(",\"metadata\":[]"), "metadata", "invalid_type",
        "Invalid type for 'metadata': expected an object, but got an array instead.");
    ERR("{\"input\":\"x\"}", "", "", "you must provide a model parameter");
    fx_free(f);
}

/* The Response echoes previous_response_id, store, user and the service tier; metadata is checked like the
 * real API (at most 16 pairs, string values up to 512 characters, keys up to 64). */
static void test_echo_and_metadata(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    fx_begin(f, MP_API_RESPONSES,
             RESP(",\"previous_response_id\":\"resp_abc\",\"store\":false,\"user\":\"u-1\",\"service_tier\":\"flex\","
                  "\"metadata\":{\"run\":\"ci-42\",\"caf\\u00e9\":\"\"}"));
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "previous_response_id"), "resp_abc");
    assert_int_equal(cm_json_type(&f->doc, jpath(&f->doc, 0, "store")), CM_JSON_FALSE);
    assert_string_equal(jstr(&f->doc, 0, "user"), "u-1");
    assert_string_equal(jstr(&f->doc, 0, "service_tier"), "flex");
    assert_string_equal(jstr(&f->doc, 0, "metadata.run"), "ci-42");
    fx_free(f);
    f = fx_new();
    fx_begin(f, MP_API_RESPONSES, RESP(",\"service_tier\":\"auto\""));
    f->dep.ops->render_body(&f->x, &f->out);
    fx_read(f, f->out.data, f->out.len);
    assert_string_equal(jstr(&f->doc, 0, "service_tier"), "default");
    assert_true(jnull(&f->doc, 0, "previous_response_id"));
    assert_int_equal(cm_json_type(&f->doc, jpath(&f->doc, 0, "store")), CM_JSON_TRUE);
    ERR(RESP(",\"metadata\":{\"k\":1}"), "metadata.k", "invalid_type",
        "Invalid type for 'metadata.k': expected a string, but got an integer instead.");
    ERR(RESP(",\"metadata\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\",\"e\":\"5\",\"f\":\"6\",\"g\":\"7\","
             "\"h\":\"8\",\"i\":\"9\",\"j\":\"10\",\"k\":\"11\",\"l\":\"12\",\"m\":\"13\",\"n\":\"14\",\"o\":\"15\","
             "\"p\":\"16\",\"q\":\"17\"}"),
        "metadata", "object_above_max_properties",
        "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object "
        "with 17 properties instead.");
    ERR(RESP(",\"service_tier\":\"gold\""), "service_tier", "invalid_value",
        "Invalid value: 'gold'. Supported values are: 'auto', 'default', 'flex', 'scale', and 'priority'.");
    char body[2048], v[600];
    memset(v, 'x', 513);
    v[513] = '\0';
    snprintf(body, sizeof(body), "{\"model\":\"m\",\"input\":\"x\",\"metadata\":{\"k\":\"%s\"}}", v);
    ERR(body, "metadata.k", "string_above_max_length",
        "Invalid 'metadata.k': string too long. Expected a string with maximum length 512, but got a string with "
        "length 513 instead.");
    v[512] = '\0'; /* at the limit: served */
    snprintf(body, sizeof(body), "{\"model\":\"m\",\"input\":\"x\",\"metadata\":{\"k\":\"%s\"}}", v);
    assert_int_equal(fx_parse(f, MP_API_RESPONSES, body), 0);
    memset(v, 'k', 65);
    v[65] = '\0';
    snprintf(body, sizeof(body), "{\"model\":\"m\",\"input\":\"x\",\"metadata\":{\"%s\":\"v\"}}", v);
    ERR(body, "metadata", "string_above_max_length",
        "Invalid 'metadata': key too long. Expected a key with maximum length 64, but got a key with length 65 "
        "instead.");
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_and_metadata),
        cmocka_unit_test(test_body),
        cmocka_unit_test(test_incomplete),
        cmocka_unit_test(test_stream_events),
        cmocka_unit_test(test_stream_incomplete_ends_with_incomplete),
        cmocka_unit_test(test_function_call),
        cmocka_unit_test(test_parallel_function_calls),
        cmocka_unit_test(test_stream_error_event),
        cmocka_unit_test(test_pretty_request_echo),
        cmocka_unit_test(test_request_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
