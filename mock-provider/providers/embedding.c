/* Deterministic embedding vectors and the built-in table of model dimensions. */
#include <math.h>
#include <string.h>

#include "mock-provider/provider.h"
#include "mock-provider/providers/render.h"

void mp_embedding_vector(uint64_t hash, uint32_t dims, float *out)
{
    if (dims == 0)
        return;
    /* A counter-based generator (mix64 of hash and index) instead of a stateful one: the vector depends on
     * (hash, dims) only, so the same input gives the same vector on every thread and every run. The
     * components are uniform in [-1, 1) before normalising: the direction is not uniform on the sphere,
     * which nothing downstream of a mock can observe. */
    uint64_t key = mp_mix64(hash ^ ((uint64_t)dims << 32));
    double sum = 0.0;
    for (uint32_t i = 0; i < dims; i++) {
        uint64_t r = mp_mix64(key + i);
        double v = (double)(r >> 11) * 0x1.0p-52 - 1.0;
        out[i] = (float)v;
        sum += v * v;
    }
    if (sum == 0.0) { /* only reachable if every draw were exactly zero; keep the promise of unit length */
        out[0] = 1.0f;
        return;
    }
    double inv = 1.0 / sqrt(sum);
    for (uint32_t i = 0; i < dims; i++)
        out[i] = (float)(out[i] * inv);
}

static const struct {
    const char *model;
    uint32_t dims;
} builtin_dims[] = {
    {"text-embedding-3-small", 1536},
    {"text-embedding-3-large", 3072},
    {"text-embedding-ada-002", 1536},
};

uint32_t mp_embedding_default_dims(cm_str_t model, uint32_t dflt)
{
    for (size_t i = 0; i < sizeof(builtin_dims) / sizeof(builtin_dims[0]); i++) {
        const char *m = builtin_dims[i].model;
        if (strlen(m) == model.n && memcmp(m, model.p, model.n) == 0)
            return builtin_dims[i].dims;
    }
    return dflt;
}
