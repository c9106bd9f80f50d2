/* faults/fault-proxy/resp.h — RESP (Redis protocol) awareness for proxies with `protocol: resp`. */
#ifndef FP_RESP_H
#define FP_RESP_H

#include <stdint.h>

#define FP_RESP_MAX_TRACKED 64 /* distinct commands counted per proxy; others count as "other" */

struct fp_resp_stats {
    int n;
    struct {
        char name[32];
        uint64_t count;
        uint64_t delay_ns;
    } cmd[FP_RESP_MAX_TRACKED + 1];
};

#endif
