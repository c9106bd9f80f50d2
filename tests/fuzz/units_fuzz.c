/* tests/fuzz/units_fuzz.c — every units parser and the distribution parser on arbitrary text, plus the
 * property that a formatted duration parses back. */
#include "common/dist.h"
#include "common/units.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    char err[256], buf[64];
    uint64_t u;
    double d;
    if (cm_parse_duration(s, &u, err, sizeof(err)) == 0) {
        uint64_t back;
        if (cm_parse_duration(cm_format_duration(buf, sizeof(buf), u), &back, err, sizeof(err)) != 0)
            abort();
    }
    if (cm_parse_count(s, &d, err, sizeof(err)) == 0)
        cm_format_count(buf, sizeof(buf), d);
    (void)cm_parse_rate(s, &d, err, sizeof(err));
    (void)cm_parse_percent(s, &d, err, sizeof(err));
    (void)cm_parse_size(s, &u, err, sizeof(err));
    if (cm_parse_u64(s, &u, err, sizeof(err)) == 0) {
        uint64_t back;
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long)u);
        if (cm_parse_u64(buf, &back, err, sizeof(err)) != 0 || back != u)
            abort();
    }
    cm_dist_t dist;
    for (int unit = CM_DIST_DURATION; unit <= CM_DIST_COUNT; unit++) {
        if (cm_dist_parse(s, (cm_dist_unit_t)unit, &dist, err, sizeof(err)) == 0) {
            cm_rng_t rng;
            cm_rng_seed(&rng, size);
            if (!(cm_dist_sample(&dist, &rng) >= 0))
                abort();
            (void)cm_dist_mean(&dist);
            char f[512];
            cm_dist_format(&dist, (cm_dist_unit_t)unit, f, sizeof(f));
        }
    }
    free(s);
    return 0;
}
