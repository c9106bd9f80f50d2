/* Tests mock-provider/providers/render.c: numbers, base64, SSE framing helpers and ids. */
#include <math.h>

#include "fixture.h"
#include "mock-provider/providers/render.h"

static const char *put(cm_buf_t *b)
{
    return b->data ? b->data : "";
}

static void test_put_uint_int(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    mp_put_uint(&b, 0);
    cm_buf_putc(&b, ' ');
    mp_put_uint(&b, 18446744073709551615ULL);
    cm_buf_putc(&b, ' ');
    mp_put_int(&b, -42);
    cm_buf_putc(&b, ' ');
    mp_put_int(&b, INT64_MIN);
    assert_string_equal(put(&b), "0 18446744073709551615 -42 -9223372036854775808");
    cm_buf_free(&b);
}

static void test_put_double(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    const double v[] = {1.0, 0.7, 0.1 + 0.2, 2.0, 0.0, -1.5, 1e21};
    const char *want[] = {"1.0", "0.7", "0.30000000000000004", "2.0", "0.0", "-1.5", "1e+21"};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        cm_buf_reset(&b);
        mp_put_double(&b, v[i]);
        assert_string_equal(put(&b), want[i]);
    }
    cm_buf_reset(&b);
    mp_put_double(&b, NAN);
    assert_string_equal(put(&b), "null");
    cm_buf_free(&b);
}

/* Every float printed with 9 significant digits must read back as the same float32. */
static void test_put_float_round_trips(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    cm_rng_t rng;
    cm_rng_seed(&rng, 1);
    for (int i = 0; i < 200000; i++) {
        double mag = pow(10.0, -(double)(cm_rng_next(&rng) % 12)) * cm_rng_uniform(&rng);
        float f = (float)((cm_rng_next(&rng) & 1) ? -mag : mag);
        cm_buf_reset(&b);
        mp_put_float(&b, f);
        float back = strtof(put(&b), NULL);
        if (back != f)
            fail_msg("%.9g printed as %s read back as %.9g", (double)f, put(&b), (double)back);
        assert_null(strpbrk(put(&b), "eE")); /* fixed notation */
    }
    cm_buf_free(&b);
}

static void test_put_float_edges(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    const float v[] = {0.0f, 0.5f, -0.25f, 0.0999999999f, 1.0f, 0.023064255f, 1e-35f, 3.5f};
    const char *want[] = {"0.0", "0.5", "-0.25", "0.1", "1.0", "0.023064256", "0.0", "3.5"};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        cm_buf_reset(&b);
        mp_put_float(&b, v[i]);
        assert_string_equal(put(&b), want[i]);
    }
    cm_buf_free(&b);
}

static void test_base64_known(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    const float v[] = {1.0f, 2.0f};
    mp_base64_f32le(&b, v, 2);
    assert_string_equal(put(&b), "AACAPwAAAEA=");
    cm_buf_reset(&b);
    mp_base64_f32le(&b, v, 1);
    assert_string_equal(put(&b), "AACAPw==");
    cm_buf_reset(&b);
    mp_base64_f32le(&b, v, 0);
    assert_string_equal(put(&b), "");
    cm_buf_free(&b);
}

static void test_base64_round_trip(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    for (size_t n = 1; n < 40; n++) {
        float v[40], back[40];
        for (size_t i = 0; i < n; i++)
            v[i] = (float)i * 0.37f - 3.0f;
        cm_buf_reset(&b);
        mp_base64_f32le(&b, v, n);
        assert_int_equal(b.len, (n * 4 + 2) / 3 * 4);
        long got = mp_base64_decode(b.data, b.len, (unsigned char *)back, sizeof(back));
        assert_int_equal(got, (long)(n * 4));
        assert_memory_equal(v, back, n * 4); /* the test host is little-endian like the wire format */
    }
    cm_buf_free(&b);
}

static void test_base64_decode_rejects(void **state)
{
    (void)state;
    unsigned char out[16];
    assert_int_equal(mp_base64_decode("AAA", 3, out, sizeof(out)), -1);
    assert_int_equal(mp_base64_decode("AA!A", 4, out, sizeof(out)), -1);
    assert_int_equal(mp_base64_decode("A=AA", 4, out, sizeof(out)), -1);
    assert_int_equal(mp_base64_decode("AACAPwAAAEA=", 12, out, 4), -1); /* too small */
    assert_int_equal(mp_base64_decode("", 0, out, sizeof(out)), 0);
}

static void test_sse_event(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    mp_sse_event(&b, "response.created");
    MP_PUT_LIT(&b, "{}" MP_SSE_END);
    assert_string_equal(put(&b), "event: response.created\ndata: {}\n\n");
    cm_buf_reset(&b);
    mp_put_quoted(&b, (cm_str_t){"a\\\"b", 4});
    mp_put_cstr_or_null(&b, NULL);
    mp_put_cstr_or_null(&b, "x\"y");
    assert_string_equal(put(&b), "\"a\\\"b\"null\"x\\\"y\"");
    cm_buf_free(&b);
}

static void test_json_compact(void **state)
{
    (void)state;
    cm_buf_t b = CM_BUF_INIT;
    const char *in = "[\n  {\"a b\" : \"x \\\" \\\\ y\",\r\n\t\"n\": [1, 2 ] }\n]";
    mp_put_json_compact(&b, (cm_str_t){in, strlen(in)});
    assert_string_equal(put(&b), "[{\"a b\":\"x \\\" \\\\ y\",\"n\":[1,2]}]");
    cm_buf_free(&b);
}

static void test_ids(void **state)
{
    (void)state;
    cm_rng_t rng;
    cm_rng_seed(&rng, 3);
    char id[64], id2[64];
    mp_id_base62(id, sizeof(id), "chatcmpl-", 29, &rng);
    assert_int_equal(strlen(id), 9 + 29);
    assert_int_equal(strncmp(id, "chatcmpl-", 9), 0);
    for (size_t i = 9; i < strlen(id); i++)
        assert_non_null(strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", id[i]));
    mp_id_base62(id2, sizeof(id2), "chatcmpl-", 29, &rng);
    assert_string_not_equal(id, id2);
    mp_id_hex(id, sizeof(id), "resp_", 48, &rng);
    assert_int_equal(strlen(id), 53);
    assert_int_equal(strspn(id + 5, "0123456789abcdef"), 48);
    /* Truncation is safe. */
    mp_id_hex(id, 8, "resp_", 48, &rng);
    assert_int_equal(strlen(id), 7);
    mp_id_base62_from(id, sizeof(id), "call_", 24, 99);
    mp_id_base62_from(id2, sizeof(id2), "call_", 24, 99);
    assert_string_equal(id, id2);
    assert_int_equal(strlen(id), 29);
    mp_id_base62_from(id2, sizeof(id2), "call_", 24, 100);
    assert_string_not_equal(id, id2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_uint_int),          cmocka_unit_test(test_put_double),
        cmocka_unit_test(test_put_float_round_trips), cmocka_unit_test(test_put_float_edges),
        cmocka_unit_test(test_base64_known),          cmocka_unit_test(test_base64_round_trip),
        cmocka_unit_test(test_base64_decode_rejects), cmocka_unit_test(test_sse_event),
        cmocka_unit_test(test_json_compact),          cmocka_unit_test(test_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
