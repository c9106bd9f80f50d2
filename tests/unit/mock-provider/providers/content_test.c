/* Tests mock-provider/providers/content.c: exchange planning (lengths, finish reasons, ids) and token
 * production (pool words, echo, tool-call pieces). */
#include "fixture.h"
#include "mock-provider/providers/render.h"
#include "mock-provider/providers/content.h"

static mp_request_t chat_req(uint32_t n, int64_t max_tokens)
{
    mp_request_t r;
    memset(&r, 0, sizeof(r));
    r.api = MP_API_CHAT;
    r.model = CM_STR("m");
    r.n = n;
    r.max_tokens = max_tokens;
    return r;
}

static void begin(fx_t *f, const mp_request_t *r)
{
    f->req = *r;
    mp_exchange_begin(&f->x, &f->dep, &f->req, &f->rng, &f->a);
    f->begun = true;
}

/* All of choice c's tokens, produced one by one (as a stream does), concatenated. */
static void stream_text(mp_exchange_t *x, uint32_t c, cm_buf_t *out)
{
    for (uint32_t i = 0; i < x->tokens[c]; i++) {
        cm_str_t t = mp_content_next(x, c);
        cm_buf_append(out, t.p, t.n);
    }
}

static void test_lengths_and_finish(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    mp_request_t r = chat_req(3, -1);
    begin(f, &r);
    assert_int_equal(f->x.n, 3);
    for (uint32_t c = 0; c < 3; c++) {
        assert_int_equal(f->x.tokens[c], 5);
        assert_int_equal(f->x.finish[c], MP_FINISH_STOP);
    }
    assert_int_equal(f->x.steps, 5);
    assert_int_equal(f->x.completion_tokens, 15);
    assert_int_equal(strncmp(f->x.id, "chatcmpl-", 9), 0);
    assert_int_equal(strlen(f->x.id), 38);
    assert_true(f->x.created > 1600000000);
    fx_free(f);
}

static void test_max_tokens_caps_with_length(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    mp_request_t r = chat_req(1, 3);
    begin(f, &r);
    assert_int_equal(f->x.tokens[0], 3);
    assert_int_equal(f->x.finish[0], MP_FINISH_LENGTH);
    fx_free(f);
    f = fx_new();
    r = chat_req(1, 5); /* exactly the sampled length: not capped */
    begin(f, &r);
    assert_int_equal(f->x.finish[0], MP_FINISH_STOP);
    fx_free(f);
}

static void test_length_at_least_one_and_bounded(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.output_tokens = cm_dist_fixed(0.2);
    mp_request_t r = chat_req(1, -1);
    begin(f, &r);
    assert_int_equal(f->x.tokens[0], 1);
    fx_free(f);
    f = fx_new();
    f->dep.output_tokens = cm_dist_fixed(1e12);
    r = chat_req(1, -1);
    begin(f, &r);
    assert_int_equal(f->x.tokens[0], MP_MAX_OUTPUT_TOKENS);
    fx_free(f);
}

static void test_choices_clamped_and_responses_single(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    mp_request_t r = chat_req(1000, -1);
    begin(f, &r);
    assert_int_equal(f->x.n, MP_MAX_CHOICES);
    fx_free(f);
    f = fx_new();
    r = chat_req(4, -1);
    r.api = MP_API_RESPONSES;
    begin(f, &r);
    assert_int_equal(f->x.n, 1);
    assert_int_equal(strncmp(f->x.id, "resp_", 5), 0);
    assert_int_equal(strlen(f->x.id), 53);
    assert_int_equal(strncmp(f->x.item_id, "msg_", 4), 0);
    fx_free(f);
    f = fx_new();
    r = chat_req(1, -1);
    r.api = MP_API_EMBEDDINGS;
    begin(f, &r);
    assert_int_equal(f->x.n, 0);
    assert_int_equal(f->x.steps, 0);
    fx_free(f);
}

/* Same seed: the text produced token by token equals the text produced at once. */
static void test_stream_and_body_agree(void **state)
{
    (void)state;
    fx_t *a = fx_new(), *b = fx_new();
    a->dep.output_tokens = b->dep.output_tokens = cm_dist_fixed(40);
    mp_request_t r = chat_req(2, -1);
    begin(a, &r);
    begin(b, &r);
    assert_int_equal(a->x.seed, b->x.seed);
    cm_buf_t s = CM_BUF_INIT;
    for (uint32_t c = 0; c < 2; c++) {
        cm_buf_reset(&s);
        stream_text(&a->x, c, &s);
        mp_content_fill(&b->x, c);
        assert_int_equal(s.len, b->x.text[c].len);
        assert_memory_equal(s.data, b->x.text[c].data, s.len);
        assert_memory_equal(a->x.text[c].data, b->x.text[c].data, s.len);
    }
    /* Choices differ from each other, and each token is " word" after the first. */
    assert_false(a->x.text[0].len == a->x.text[1].len &&
                 memcmp(a->x.text[0].data, a->x.text[1].data, a->x.text[0].len) == 0);
    assert_int_equal(a->x.text[0].data[0] == ' ', 0);
    size_t spaces = 0;
    for (size_t i = 0; i < a->x.text[0].len; i++)
        spaces += a->x.text[0].data[i] == ' ';
    assert_int_equal(spaces, 39);
    cm_buf_free(&s);
    fx_free(a);
    fx_free(b);
}

static void test_pool_deterministic(void **state)
{
    (void)state;
    assert_string_equal(mp_pool_word(1, 0, 0), mp_pool_word(1, 0, 0));
    int same = 0;
    for (uint32_t i = 0; i < 64; i++)
        same += strcmp(mp_pool_word(1, 0, i), mp_pool_word(2, 0, i)) == 0;
    assert_true(same < 16);
    /* Exhausting the production past the planned length yields nothing. */
    fx_t *f = fx_new();
    mp_request_t r = chat_req(1, 2);
    begin(f, &r);
    mp_content_fill(&f->x, 0);
    cm_str_t t = mp_content_next(&f->x, 0);
    assert_int_equal(t.n, 0);
    t = mp_content_next(&f->x, 7); /* no such choice */
    assert_int_equal(t.n, 0);
    fx_free(f);
}

static void test_echo_tokens(void **state)
{
    (void)state;
    const char *raw = "Say \\\"hi\\\"  to\\nthe \\u00e9t\xc3\xa9 world ";
    cm_str_t echo = {raw, strlen(raw)};
    assert_int_equal(mp_echo_count_tokens(echo), 6);
    assert_int_equal(mp_echo_count_tokens((cm_str_t){"", 0}), 0);
    assert_int_equal(mp_echo_count_tokens(CM_STR("   ")), 1);
    fx_t *f = fx_new();
    f->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = cm_dist_fixed(100);
    mp_request_t r = chat_req(1, -1);
    r.echo = echo;
    begin(f, &r);
    assert_int_equal(f->x.tokens[0], 6);
    assert_int_equal(f->x.finish[0], MP_FINISH_STOP);
    const char *want[] = {"Say", " \\\"hi\\\"", "  to\\nthe", " \\u00e9t\xc3\xa9", " world", " "};
    for (int i = 0; i < 6; i++) {
        cm_str_t t = mp_content_next(&f->x, 0);
        assert_int_equal(t.n, strlen(want[i]));
        assert_memory_equal(t.p, want[i], t.n);
    }
    assert_int_equal(f->x.text[0].len, echo.n);
    assert_memory_equal(f->x.text[0].data, raw, echo.n);
    fx_free(f);
}

static void test_echo_capped_by_length_model_and_max_tokens(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = cm_dist_fixed(2);
    mp_request_t r = chat_req(1, -1);
    r.echo = CM_STR("one two three four");
    begin(f, &r);
    mp_content_fill(&f->x, 0);
    assert_int_equal(f->x.tokens[0], 2);
    assert_string_equal(f->x.text[0].data, "one two");
    assert_int_equal(f->x.finish[0], MP_FINISH_STOP);
    fx_free(f);
    f = fx_new();
    f->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = cm_dist_fixed(100);
    r = chat_req(1, 3);
    r.echo = CM_STR("one two three four");
    begin(f, &r);
    mp_content_fill(&f->x, 0);
    assert_string_equal(f->x.text[0].data, "one two three");
    assert_int_equal(f->x.finish[0], MP_FINISH_LENGTH);
    fx_free(f);
}

static void test_echo_empty_falls_back_to_pool(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.content = MP_CONTENT_ECHO;
    mp_request_t r = chat_req(1, -1);
    begin(f, &r);
    assert_int_equal(f->x.tokens[0], 5);
    mp_content_fill(&f->x, 0);
    assert_true(f->x.text[0].len >= 9); /* five pool words */
    fx_free(f);
}

/* Each piece, on its own, must be valid JSON string contents (no split escape or UTF-8 character). */
static void check_pieces(const char *escaped)
{
    cm_str_t s = {escaped, strlen(escaped)};
    uint32_t n = mp_tool_count_pieces(s);
    fx_t *f = fx_new();
    mp_request_t r = chat_req(1, -1);
    f->dep.tool_calls = true;
    r.tools = true;
    r.tool_name = CM_STR("f");
    r.tool_arguments = "{}"; /* replaced below: plan from an escaped text directly */
    begin(f, &r);
    cm_buf_reset(&f->x.text[0]);
    cm_buf_append(&f->x.text[0], escaped, s.n);
    f->x.tokens[0] = n;
    f->x.call_end[0] = s.n; /* one call: its arguments are the whole text */
    cm_buf_t all = CM_BUF_INIT;
    for (uint32_t i = 0; i < n; i++) {
        cm_str_t p = mp_content_next(&f->x, 0);
        assert_true(p.n > 0);
        cm_buf_t q = CM_BUF_INIT;
        cm_buf_putc(&q, '"');
        cm_buf_append(&q, p.p, p.n);
        cm_buf_putc(&q, '"');
        fx_read(f, q.data, q.len);
        cm_buf_free(&q);
        cm_buf_append(&all, p.p, p.n);
    }
    assert_int_equal(all.len, s.n);
    assert_memory_equal(all.data, escaped, s.n);
    cm_buf_free(&all);
    fx_free(f);
}

static void test_tool_pieces(void **state)
{
    (void)state;
    assert_int_equal(mp_tool_count_pieces(CM_STR("{}")), 1);
    assert_int_equal(mp_tool_count_pieces(CM_STR("")), 1);
    assert_int_equal(mp_tool_count_pieces(CM_STR("abcdefgh")), 2);
    assert_int_equal(mp_tool_count_pieces(CM_STR("\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9")), 2);
    check_pieces("{\\\"city\\\":\\\"example\\\",\\\"unit\\\":\\\"c\\\"}");
    check_pieces("{\\\"k\\\":\\\"\\u00e9\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\\\\\\\"\\\"}");
}

static void test_tool_call_planning(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    mp_request_t r = chat_req(2, 2);
    r.tools = true;
    r.tool_name = CM_STR("get_weather");
    r.tool_arguments = "{\"city\":\"example\"}";
    f->dep.tool_calls = true;
    begin(f, &r);
    for (uint32_t c = 0; c < 2; c++) {
        assert_int_equal(f->x.finish[c], MP_FINISH_TOOL_CALLS);
        assert_string_equal(f->x.text[c].data, "{\\\"city\\\":\\\"example\\\"}");
        assert_int_equal(f->x.tokens[c], mp_tool_count_pieces(CM_STR("{\\\"city\\\":\\\"example\\\"}")));
    }
    char id0[32], id1[32], again[32];
    mp_tool_call_id(&f->x, 0, 0, id0, sizeof(id0));
    mp_tool_call_id(&f->x, 1, 0, id1, sizeof(id1));
    mp_tool_call_id(&f->x, 0, 0, again, sizeof(again));
    assert_string_equal(id0, again);
    assert_string_not_equal(id0, id1);
    assert_int_equal(strlen(id0), 29);
    assert_int_equal(strncmp(id0, "call_", 5), 0);
    fx_free(f);
}

static void test_tool_call_needs_deployment_or_force(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    mp_request_t r = chat_req(1, -1);
    r.tools = true;
    r.tool_name = CM_STR("f");
    r.tool_arguments = "{}";
    begin(f, &r);
    assert_int_equal(f->x.finish[0], MP_FINISH_STOP); /* deployment tool_calls off, not forced */
    fx_free(f);
    f = fx_new();
    r.tool_forced = true;
    r.api = MP_API_RESPONSES;
    begin(f, &r);
    assert_int_equal(f->x.finish[0], MP_FINISH_TOOL_CALLS);
    assert_int_equal(strncmp(f->x.item_id, "fc_", 3), 0);
    fx_free(f);
}

static void test_fingerprint(void **state)
{
    (void)state;
    mp_deployment_t d;
    memset(&d, 0, sizeof(d));
    d.seed = 5;
    char a[16], b[16];
    mp_system_fingerprint(&d, a, sizeof(a));
    mp_system_fingerprint(&d, b, sizeof(b));
    assert_string_equal(a, b);
    assert_int_equal(strlen(a), 13);
    assert_int_equal(strspn(a + 3, "0123456789abcdef"), 10);
    d.seed = 6;
    mp_system_fingerprint(&d, b, sizeof(b));
    assert_string_not_equal(a, b);
}

/* Content comes from the seeded generator, ids do not: two exchanges drawn from one seed say the same words
 * under different ids, and 10,000 exchanges never repeat an id. */
static void test_ids_unique_content_seeded(void **state)
{
    (void)state;
    fx_t *f = fx_new(), *g = fx_new();
    mp_request_t r = chat_req(1, -1);
    begin(f, &r);
    begin(g, &r);
    mp_content_fill(&f->x, 0);
    mp_content_fill(&g->x, 0);
    assert_string_equal(f->x.text[0].data, g->x.text[0].data);
    assert_string_not_equal(f->x.id, g->x.id);
    char a[32], b[32];
    mp_tool_call_id(&f->x, 0, 0, a, sizeof(a));
    mp_tool_call_id(&g->x, 0, 0, b, sizeof(b));
    assert_string_not_equal(a, b);
    enum { N = 10000 };
    uint64_t *keys = cm_xcalloc(N, sizeof(*keys));
    for (int i = 0; i < N; i++)
        keys[i] = mp_unique_key();
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            if (keys[i] == keys[j])
                fail_msg("key %d repeats key %d", j, i);
    free(keys);
    fx_free(f);
    fx_free(g);
}

/* tokens_per_chunk: a chunk of k tokens is the same text as k single tokens; the last chunk holds the rest. */
static void test_multi_token_chunks(void **state)
{
    (void)state;
    fx_t *a = fx_new(), *b = fx_new();
    a->dep.output_tokens = b->dep.output_tokens = cm_dist_fixed(10);
    mp_request_t r = chat_req(1, -1);
    begin(a, &r);
    begin(b, &r);
    cm_buf_t one = CM_BUF_INIT, chunked = CM_BUF_INIT;
    stream_text(&a->x, 0, &one);
    b->x.chunk = 4;
    static const uint32_t want[] = {4, 8, 10};
    for (int i = 0; i < 3; i++) {
        cm_str_t t = mp_content_next(&b->x, 0);
        assert_int_equal(b->x.cursor[0], want[i]);
        cm_buf_append(&chunked, t.p, t.n);
    }
    assert_int_equal(mp_content_next(&b->x, 0).n, 0);
    assert_int_equal(one.len, chunked.len);
    assert_memory_equal(one.data, chunked.data, one.len);
    cm_buf_free(&one);
    cm_buf_free(&chunked);
    fx_free(a);
    fx_free(b);
}

/* ---- stop sequences ---- */

/* Choice 0's whole text for r, without stop sequences. */
static void full_text(const mp_request_t *r, mp_content_mode_t content, uint32_t len, char *out, size_t cap)
{
    fx_t *f = fx_new();
    f->dep.content = content;
    f->dep.output_tokens = cm_dist_fixed(len);
    mp_request_t plain = *r;
    plain.nstop = 0;
    begin(f, &plain);
    mp_content_fill(&f->x, 0);
    snprintf(out, cap, "%s", f->x.text[0].data);
    fx_free(f);
}

/* Tokens with text before pos: token 0, and one more for each space before pos (each later token starts there). */
static uint32_t tokens_before(const char *text, size_t pos)
{
    uint32_t n = 1;
    for (size_t i = 0; i < pos; i++)
        n += text[i] == ' ' && i > 0;
    return n;
}

/* A sequence across a word boundary ("...ld wo...") ends a pool answer right before it, in a body and in a
 * stream of 3-token chunks alike, with finish stop and the tokens that carry text. */
static void test_stop_across_words(void **state)
{
    (void)state;
    char full[512], seq[8];
    mp_request_t r = chat_req(1, -1);
    full_text(&r, MP_CONTENT_POOL, 12, full, sizeof(full));
    const char *sp = strchr(full + 1, ' ');
    assert_non_null(sp);
    snprintf(seq, sizeof(seq), "%.4s", sp - 2); /* two letters, the space, one letter */
    size_t pos = (size_t)(strstr(full, seq) - full);
    r.nstop = 1;
    r.stop[0] = (cm_str_t){seq, strlen(seq)};
    fx_t *f = fx_new(), *g = fx_new();
    f->dep.output_tokens = g->dep.output_tokens = cm_dist_fixed(12);
    begin(f, &r);
    begin(g, &r);
    assert_int_equal(f->x.finish[0], MP_FINISH_STOP);
    assert_int_equal(f->x.stopped[0], 1);
    assert_int_equal(f->x.tokens[0], tokens_before(full, pos));
    assert_int_equal(f->x.completion_tokens, f->x.tokens[0]);
    assert_int_equal(f->x.steps, f->x.tokens[0]);
    mp_content_fill(&f->x, 0);
    assert_int_equal(f->x.text[0].len, pos);
    assert_memory_equal(f->x.text[0].data, full, pos);
    assert_null(strstr(f->x.text[0].data, seq));
    cm_buf_t streamed = CM_BUF_INIT;
    g->x.chunk = 3;
    for (cm_str_t t = mp_content_next(&g->x, 0); t.n > 0; t = mp_content_next(&g->x, 0))
        cm_buf_append(&streamed, t.p, t.n);
    assert_int_equal(streamed.len, pos);
    assert_memory_equal(streamed.data, full, pos);
    cm_buf_free(&streamed);
    fx_free(f);
    fx_free(g);
}

/* Echo text is matched decoded: a sequence written with escapes finds the same characters written plainly, and
 * the cut keeps whole escapes. A sequence past max_tokens' end does not stop the answer (finish length). */
static void test_stop_echo_decoded(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    f->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = cm_dist_fixed(100);
    mp_request_t r = chat_req(1, -1);
    r.echo = CM_STR("the \\u00e9t\xc3\xa9 \\\"fox\\\" jumps over");
    r.nstop = 2;
    r.stop[0] = CM_STR("over");
    r.stop[1] = CM_STR("\xc3\xa9t\\u00e9 \\\"f"); /* été "f, spelled differently */
    begin(f, &r);
    mp_content_fill(&f->x, 0);
    assert_string_equal(f->x.text[0].data, "the ");
    assert_int_equal(f->x.tokens[0], 2); /* "the" and the space of the next */
    assert_int_equal(f->x.stopped[0], 2);
    fx_free(f);
    f = fx_new();
    f->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = cm_dist_fixed(100);
    r = chat_req(1, -1);
    r.echo = CM_STR("the fox jumps over");
    r.nstop = 1;
    r.stop[0] = CM_STR("x ju");
    begin(f, &r);
    mp_content_fill(&f->x, 0);
    assert_string_equal(f->x.text[0].data, "the fo");
    assert_int_equal(f->x.tokens[0], 2);
    fx_free(f);
    f = fx_new();
    f->dep.content = MP_CONTENT_ECHO;
    f->dep.output_tokens = cm_dist_fixed(100);
    r = chat_req(1, 2);
    r.echo = CM_STR("the fox jumps over");
    r.nstop = 1;
    r.stop[0] = CM_STR("jumps");
    begin(f, &r);
    mp_content_fill(&f->x, 0);
    assert_string_equal(f->x.text[0].data, "the fox");
    assert_int_equal(f->x.finish[0], MP_FINISH_LENGTH);
    assert_int_equal(f->x.stopped[0], 0);
    fx_free(f);
}

/* The first sequence to complete wins (a model stops generating there), the longer one when two complete
 * together; one at the very start leaves an empty answer that still counts a token. */
static void test_stop_first_to_complete(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b, *text;
        uint8_t stopped;
        uint32_t tokens;
    } cases[] = {
        {"a b c d", "b c", "a ", 2, 2},
        {"b c", "a b c", "", 2, 1},
        {"a b", "zzz", "", 1, 1},
        {"d", "c d", "a b ", 2, 3},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fx_t *f = fx_new();
        f->dep.content = MP_CONTENT_ECHO;
        f->dep.output_tokens = cm_dist_fixed(100);
        mp_request_t r = chat_req(1, -1);
        r.echo = CM_STR("a b c d e");
        r.nstop = 2;
        r.stop[0] = (cm_str_t){cases[i].a, strlen(cases[i].a)};
        r.stop[1] = (cm_str_t){cases[i].b, strlen(cases[i].b)};
        begin(f, &r);
        mp_content_fill(&f->x, 0);
        if (strcmp(f->x.text[0].data, cases[i].text) != 0 || f->x.stopped[0] != cases[i].stopped ||
            f->x.tokens[0] != cases[i].tokens)
            fail_msg("case %zu: text \"%s\" stopped %u tokens %u, want \"%s\" %u %u", i, f->x.text[0].data,
                     f->x.stopped[0], f->x.tokens[0], cases[i].text, cases[i].stopped, cases[i].tokens);
        fx_free(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lengths_and_finish),
        cmocka_unit_test(test_multi_token_chunks),
        cmocka_unit_test(test_ids_unique_content_seeded),
        cmocka_unit_test(test_max_tokens_caps_with_length),
        cmocka_unit_test(test_length_at_least_one_and_bounded),
        cmocka_unit_test(test_choices_clamped_and_responses_single),
        cmocka_unit_test(test_stream_and_body_agree),
        cmocka_unit_test(test_pool_deterministic),
        cmocka_unit_test(test_echo_tokens),
        cmocka_unit_test(test_echo_capped_by_length_model_and_max_tokens),
        cmocka_unit_test(test_echo_empty_falls_back_to_pool),
        cmocka_unit_test(test_tool_pieces),
        cmocka_unit_test(test_tool_call_planning),
        cmocka_unit_test(test_tool_call_needs_deployment_or_force),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_stop_across_words),
        cmocka_unit_test(test_stop_echo_decoded),
        cmocka_unit_test(test_stop_first_to_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
