/* Tests mock-provider/providers/embedding.c: deterministic unit vectors and model dimensions. */
#include <math.h>
#include <pthread.h>

#include "fixture.h"

static double norm(const float *v, uint32_t n)
{
    double s = 0;
    for (uint32_t i = 0; i < n; i++)
        s += (double)v[i] * v[i];
    return sqrt(s);
}

static void test_unit_length(void **state)
{
    (void)state;
    static float v[3072];
    const uint32_t dims[] = {1, 2, 3, 256, 1536, 3072};
    for (size_t k = 0; k < sizeof(dims) / sizeof(dims[0]); k++) {
        for (uint64_t h = 0; h < 20; h++) {
            mp_embedding_vector(h * 7919, dims[k], v);
            double n = norm(v, dims[k]);
            if (fabs(n - 1.0) > 1e-5)
                fail_msg("dims %u hash %llu: norm %.9f", dims[k], (unsigned long long)h, n);
        }
    }
}

static void test_deterministic_and_distinct(void **state)
{
    (void)state;
    static float a[1536], b[1536];
    mp_embedding_vector(12345, 1536, a);
    mp_embedding_vector(12345, 1536, b);
    assert_memory_equal(a, b, sizeof(a));
    mp_embedding_vector(12346, 1536, b);
    double dot = 0;
    for (int i = 0; i < 1536; i++)
        dot += (double)a[i] * b[i];
    assert_true(fabs(dot) < 0.2); /* unrelated inputs give nearly orthogonal vectors */
    /* Pinned values: the same input must give the same vector in every run and every release, since users
     * record vectors from the mock and compare them later. */
    const float pinned[4] = {0x1.46ec54p-1f, -0x1.7316bp-2f, 0x1.b8e1cep-3f, -0x1.49ae82p-1f};
    mp_embedding_vector(0, 4, a);
    for (int i = 0; i < 4; i++)
        if (a[i] != pinned[i])
            fail_msg("component %d: %a != pinned %a", i, (double)a[i], (double)pinned[i]);
    /* Different sizes of the same input are different vectors, not prefixes. */
    mp_embedding_vector(12345, 4, b);
    mp_embedding_vector(12345, 8, a);
    assert_true(memcmp(a, b, 4 * sizeof(float)) != 0);
}

typedef struct job {
    uint64_t hash;
    float v[512];
} job_t;

static void *worker(void *arg)
{
    job_t *j = arg;
    for (int i = 0; i < 100; i++)
        mp_embedding_vector(j->hash, 512, j->v);
    return NULL;
}

static void test_same_across_threads(void **state)
{
    (void)state;
    job_t jobs[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        jobs[i].hash = 777;
        assert_int_equal(pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 1; i < 4; i++)
        assert_memory_equal(jobs[0].v, jobs[i].v, sizeof(jobs[0].v));
}

static void test_default_dims(void **state)
{
    (void)state;
    assert_int_equal(mp_embedding_default_dims(CM_STR("text-embedding-3-small"), 7), 1536);
    assert_int_equal(mp_embedding_default_dims(CM_STR("text-embedding-3-large"), 7), 3072);
    assert_int_equal(mp_embedding_default_dims(CM_STR("text-embedding-ada-002"), 7), 1536);
    assert_int_equal(mp_embedding_default_dims(CM_STR("text-embedding-3-smal"), 7), 7);
    assert_int_equal(mp_embedding_default_dims(CM_STR("text-embedding-3-smallx"), 7), 7);
    assert_int_equal(mp_embedding_default_dims(CM_STR("my-model"), 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unit_length),
        cmocka_unit_test(test_deterministic_and_distinct),
        cmocka_unit_test(test_same_across_threads),
        cmocka_unit_test(test_default_dims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
