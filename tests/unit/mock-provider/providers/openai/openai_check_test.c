/* Tests mock-provider/providers/openai/openai_check.c: the helpers behind every 400 (type phrases, value lists,
 * UTF-8-safe truncation of echoed request text). */
#include "unit/mock-provider/providers/fixture.h"
#include "mock-provider/providers/openai/openai_check.h"

static void test_trim_utf8(void **state)
{
    (void)state;
    char a[] = "ab\xc3";         /* 2-byte sequence cut after its lead */
    char b[] = "ab\xe2\x82";     /* 3-byte sequence cut after 2 */
    char c[] = "ab\xe2\x82\xac"; /* complete */
    char d[] = "\xf0\x9f\x98";   /* 4-byte sequence cut after 3 */
    char e[] = "plain";
    mp_trim_utf8(a);
    mp_trim_utf8(b);
    mp_trim_utf8(c);
    mp_trim_utf8(d);
    mp_trim_utf8(e);
    assert_string_equal(a, "ab");
    assert_string_equal(b, "ab");
    assert_string_equal(c, "ab\xe2\x82\xac");
    assert_string_equal(d, "");
    assert_string_equal(e, "plain");
}

static void test_type_phrases(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    const char *src = "[{},[],\"s\",1,1.5,1e400,true,false,null]";
    const char *want[] = {"an object", "an array",  "a string",  "an integer", "a decimal",
                          "a decimal", "a boolean", "a boolean", "null"};
    fx_read(f, src, strlen(src));
    uint32_t t = cm_json_first(&f->doc, 0);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++, t = cm_json_next(&f->doc, t))
        assert_string_equal(mp_oa_type_phrase(&f->doc, t), want[i]);
    fx_free(f);
}

/* Long non-ASCII text echoed in messages and params is cut on a character boundary. */
static void test_long_utf8_echo_stays_valid(void **state)
{
    (void)state;
    fx_t *f = fx_new();
    cm_buf_t body = CM_BUF_INIT, key = CM_BUF_INIT;
    for (int i = 0; i < 40; i++)
        cm_buf_puts(&key, "\xe2\x82\xac");                                         /* 120 bytes of euro signs */
    cm_buf_printf(&body, "{\"model\":\"m\",\"input\":\"x\",\"a%s\":1}", key.data); /* 'a' + 40 x 3 bytes */
    assert_int_equal(fx_parse(f, MP_API_RESPONSES, body.data), -1);
    assert_string_equal(f->err.code, "unknown_parameter");
    assert_int_equal(strlen(f->err.param), 61); /* 63 bytes would end inside the 21st euro sign */
    f->dep.ops->render_error(&f->err, &f->out);
    fx_read(f, f->out.data, f->out.len); /* the reader rejects invalid UTF-8 */
    cm_buf_reset(&body);
    cm_buf_printf(&body, "{\"model\":\"m\",\"input\":\"x\",\"truncation\":1,\"tool_choice\":\"%s\",\"tools\":[]}",
                  key.data);
    assert_int_equal(fx_parse(f, MP_API_RESPONSES, body.data), -1);
    cm_buf_reset(&body);
    cm_buf_printf(&body, "{\"model\":\"m\",\"input\":\"x\",\"tools\":[],\"tool_choice\":\"ab%s\"}", key.data);
    assert_int_equal(fx_parse(f, MP_API_RESPONSES, body.data), -1);
    assert_string_equal(f->err.code, "invalid_value");
    cm_buf_reset(&f->out);
    f->dep.ops->render_error(&f->err, &f->out);
    fx_read(f, f->out.data, f->out.len);
    cm_buf_free(&body);
    cm_buf_free(&key);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trim_utf8),
        cmocka_unit_test(test_type_phrases),
        cmocka_unit_test(test_long_utf8_echo_stays_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
