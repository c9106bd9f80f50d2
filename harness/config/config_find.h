/* harness/config/config_find.h — soak find's search settings, read once for the command line and the scenario
 * file. `soak find --start-rate 50/s --precision 10%` and a scenario's
 *
 *   load:
 *     arrival:
 *       find: {start_rate: 50/s, precision: 10%, require: 900/s, probe_duration: 5s, probe_warmup: 1s}
 *
 * go through the same reader (hx_find_settings_read), so a key and its flag have the same default, the same
 * bounds and the same cross-checks; only their names differ in messages (hx_find_names_t). The file's section
 * (hx_cfg_load_find) makes `soak run FILE` start the file's processes and run the knee search against its target
 * (harness/capacity, cap_scenario.c). The bounds live here, below harness/capacity, where the file's reader and
 * the search (search.h) both find them.
 *
 * Reference: docs/scenarios.md (the section), docs/capacity.md (the search). */
#ifndef HX_CONFIG_FIND_H
#define HX_CONFIG_FIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"

/* Bounds of the search's inputs (search.h checks them again for other callers). */
#define HX_SEARCH_MAX_PROBES 200 /* rates one search may probe */
#define HX_SEARCH_MAX_REPEATS 20 /* runs per rate */
#define HX_SEARCH_MIN_PRECISION 0.001
#define HX_SEARCH_MAX_PRECISION 0.5
#define HX_SEARCH_MIN_RATE 0.001      /* per second */
#define HX_SEARCH_MAX_RATE 10000000.0 /* per second */

#define HX_FIND_DEFAULT_START_RATE 10.0
#define HX_FIND_DEFAULT_MAX_RATE 100000.0
#define HX_FIND_DEFAULT_PRECISION 0.05
#define HX_FIND_DEFAULT_MAX_PROBES 30
/* The lowest rate a search goes down to by default: a probe needs this many arrivals after its warm-up. */
#define HX_FIND_MIN_ARRIVALS 10.0
/* A search over closed-loop users (soak find --over users). */
#define HX_FIND_DEFAULT_START_USERS 8
#define HX_FIND_DEFAULT_MAX_USERS 10000
#define HX_FIND_MAX_USERS 100000

/* A probe's length (--probe-duration, probe_duration; soak sweep's runs too): its default, its warm-up's, and
 * the longest (an hour); the measured part after the warm-up is at least a second. */
#define HX_CAP_DEFAULT_DURATION_NS (10ull * 1000000000ull)
#define HX_CAP_DEFAULT_WARMUP_NS (2ull * 1000000000ull)
#define HX_CAP_MAX_DURATION_NS (3600ull * 1000000000ull)
#define HX_CAP_MIN_MEASURED_NS 1000000000ull
#define HX_CAP_DEFAULT_SETTLE_NS (30ull * 1000000000ull)

/* Each setting, by what it is rather than how it is spelt. */
typedef enum hx_find_key {
    HX_FK_OVER,
    HX_FK_START_RATE,
    HX_FK_MIN_RATE,
    HX_FK_MAX_RATE,
    HX_FK_START_USERS,
    HX_FK_MIN_USERS,
    HX_FK_MAX_USERS,
    HX_FK_THINK,
    HX_FK_REPEATS,
    HX_FK_PRECISION,
    HX_FK_MAX_PROBES,
    HX_FK_DURATION,
    HX_FK_WARMUP,
    HX_FK_SETTLE,
    HX_FK_POISSON,
    HX_FK_REQUIRE,
    HX_FK_COUNT,
} hx_find_key_t;

/* How messages name the settings: soak find's flags ("--start-rate"; over_users "--over users") or a scenario's
 * keys ("start_rate"; "over: users"). key[] ends with NULL, so a file's reader can check its keys with it. */
typedef struct hx_find_names {
    const char *key[HX_FK_COUNT + 1];
    const char *over_users;
} hx_find_names_t;
extern const hx_find_names_t hx_find_flag_names, hx_find_file_names;

/* The settings, defaults filled in. */
typedef struct hx_find_settings {
    bool over_users;        /* the search is over closed-loop users, not the arrival rate */
    double start, min, max; /* per second, or user counts (whole) over users */
    unsigned repeats, max_probes;
    double precision;
    uint64_t duration_ns, warmup_ns, settle_ns;
    bool poisson;      /* Poisson gaps at each rate (over the rate only) */
    const char *think; /* over users: the users' think time as written (points into the caller's text), or NULL */
    bool require_set;
    double require; /* the gate: per second, or users over users */
} hx_find_settings_t;

/* Reads the settings given as text (v[key]; NULL when not given; HX_FK_POISSON "true" or "false") into s, with
 * soak find's defaults, bounds and cross-checks: an option of one axis refused on the other, start between min
 * and max, the measured part of a probe at least a second, require in the axis's unit ("900/s", "64users").
 * Returns 0, or -1 with *bad the setting at fault and why a message that names it through names
 * ("start_rate \"0/s\": expected 0.001/s to 10M/s"). */
int hx_find_settings_read(hx_find_settings_t *s, const char *const *v, const hx_find_names_t *names,
                          hx_find_key_t *bad, char *why, size_t whylen);

/* Whether v is a whole number from 1 to max ("8", "1k"), into *out. For the flags of soak sweep's own. */
bool hx_find_whole(const char *v, unsigned max, unsigned *out);

/* load.arrival: {find: {...}}: a scenario whose load is the knee search. */
typedef struct hx_find_cfg {
    bool set;
    hx_find_settings_t s;
    const cm_node_t *node; /* load.arrival.find, for messages (valid while the file's cm_conf_t lives) */
} hx_find_cfg_t;

/* Reads the map n of load.arrival.find into f. Returns 0, or -1 with "file:line:col: load.arrival.find: KEY
 * ...: reason" in err (the position of the key's value, or of the map for a cross-check of defaults). */
int hx_cfg_load_find(hx_find_cfg_t *f, const cm_conf_t *conf, const cm_node_t *n, cm_err_t *err);

#endif
