/* common/clock.h — the two clocks SoakRig uses. Monotonic for every interval and deadline; wall clock only
 * for timestamps shown to people or put on the wire (created, Date). */
#ifndef CM_CLOCK_H
#define CM_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t cm_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Wall-clock (Unix) time in ns, for dates a peer reads (Retry-After, rate-limit resets). */
static inline uint64_t cm_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t cm_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

#define CM_NS_PER_US 1000ull
#define CM_NS_PER_MS 1000000ull
#define CM_NS_PER_S 1000000000ull

#endif
