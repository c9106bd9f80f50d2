/* tests/unit/harness/config/config_find_test.c — load.arrival: {find: {...}}: every key read with its default, over
 * the rate and over users; every bad value with its file:line:col and key, each bound and one past it; what a knee
 * search cannot go with (refused where it is written); the stand-in arrival that --check and soak run finish the
 * rest of the load with, and what hx_cfg_finish says of a search that soak load is asked to run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "harness/config/config.h"

#include "unit/harness/config/config_load.h"

#define S 1000000000ull

static void test_defaults(void **state)
{
    (void)state;
    hx_cfg_t c;
    load_ok(&c, "load:\n  target: http://127.0.0.1:9/v1\n  arrival: {find: {}}\n");
    const hx_find_settings_t *s = &c.find.s;
    assert_true(c.find.set);
    assert_false(c.sweep.set);
    assert_false(c.arrival_set);
    assert_false(s->over_users);
    /* 10/s up to 100k/s, and down to the rate that still gives 10 arrivals in the 8 s after the warm-up */
    assert_true(s->start == 10 && s->max == 100000 && s->min == 1.25);
    assert_true(s->repeats == 1 && s->max_probes == 30 && s->precision == 0.05);
    assert_true(s->duration_ns == 10 * S && s->warmup_ns == 2 * S && s->settle_ns == 30 * S);
    assert_false(s->poisson);
    assert_null(s->think);
    assert_false(s->require_set);
    hx_cfg_free(&c);
}

static void test_every_key_rate(void **state)
{
    (void)state;
    hx_cfg_t c;
    const char *text = "load:\n"
                       "  target: http://127.0.0.1:9/v1\n"
                       "  arrival:\n"
                       "    find:\n"
                       "      over: rate\n"
                       "      start_rate: 50/s\n"
                       "      min_rate: 5/s\n"
                       "      max_rate: 1k/s\n"
                       "      repeats: 3\n"
                       "      precision: 10%\n"
                       "      max_probes: 12\n"
                       "      probe_duration: 5s\n"
                       "      probe_warmup: 1500ms\n"
                       "      settle: 0s\n"
                       "      poisson: true\n"
                       "      require: 900/s\n";
    load_ok(&c, text);
    const hx_find_settings_t *s = &c.find.s;
    assert_false(s->over_users);
    assert_true(s->start == 50 && s->min == 5 && s->max == 1000);
    assert_true(s->repeats == 3 && s->precision == 0.1 && s->max_probes == 12);
    assert_true(s->duration_ns == 5 * S && s->warmup_ns == 1500000000ull && s->settle_ns == 0);
    assert_true(s->poisson);
    assert_true(s->require_set && s->require == 900);
    hx_cfg_free(&c);
}

/* Over users: whole counts; think is kept (a copy: the file's text is gone by the time the probes run). */
static void test_every_key_users(void **state)
{
    (void)state;
    hx_cfg_t c;
    const char *text = "load:\n"
                       "  target: http://127.0.0.1:9/v1\n"
                       "  arrival:\n"
                       "    find: {over: users, start_users: 4, min_users: 2, max_users: 64, think: 10ms..20ms, "
                       "require: 16users}\n";
    load_ok(&c, text);
    const hx_find_settings_t *s = &c.find.s;
    assert_true(s->over_users);
    assert_true(s->start == 4 && s->min == 2 && s->max == 64);
    assert_string_equal(s->think, "10ms..20ms");
    assert_true(s->require_set && s->require == 16);
    hx_cfg_free(&c);
    /* defaults over users, and a start above the default maximum raises it */
    text = "load:\n  max_inflight: 20000\n  arrival: {find: {over: users, start_users: 12000, require: 1user}}\n";
    load_ok(&c, text);
    assert_true(c.find.s.start == 12000 && c.find.s.min == 1 && c.find.s.max == 12000 && c.find.s.require == 1);
    hx_cfg_free(&c);
    load_ok(&c, "load:\n  arrival: {find: {over: users}}\n");
    assert_true(c.find.s.start == 8 && c.find.s.min == 1 && c.find.s.max == 10000);
    hx_cfg_free(&c);
}

#define FIND(keys) "load:\n  arrival:\n    find: " keys "\n"
#define AT "load.arrival.find: " /* every message names the section, then the key */

static void test_bad_values(void **state)
{
    (void)state;
    expect_error(FIND("{start_rate: 0/s}"), "s.yaml:3:24: " AT "start_rate \"0/s\": expected 0.001/s to 10M/s");
    expect_error(FIND("{max_rate: 11M/s}"), "s.yaml:3:22: " AT "max_rate \"11M/s\": expected 0.001/s to 10M/s");
    expect_error(FIND("{start_rate: fast}"),
                 "s.yaml:3:24: " AT "start_rate \"fast\": expected a number at \"fast\" (expected a rate like 100/s "
                 "or 6k/min)");
    expect_error(FIND("{start_rate: 500/s, max_rate: 100/s}"),
                 "s.yaml:3:24: " AT "start_rate 500/s is above max_rate 100/s");
    expect_error(FIND("{min_rate: 20/s}"), "s.yaml:3:22: " AT "min_rate 20/s is above start_rate 10/s");
    expect_error(FIND("{repeats: 0}"), "s.yaml:3:21: " AT "repeats \"0\": expected a whole number from 1 to 20");
    expect_error(FIND("{repeats: 21}"), "s.yaml:3:21: " AT "repeats \"21\": expected a whole number from 1 to 20");
    expect_error(FIND("{repeats: 1.5}"), "s.yaml:3:21: " AT "repeats \"1.5\": expected a whole number from 1 to 20");
    expect_error(FIND("{max_probes: 201}"),
                 "s.yaml:3:24: " AT "max_probes \"201\": expected a whole number from 1 to 200");
    expect_error(FIND("{precision: 0%}"), "s.yaml:3:23: " AT "precision \"0%\": expected 0.1% to 50%");
    expect_error(FIND("{precision: 51%}"), "s.yaml:3:23: " AT "precision \"51%\": expected 0.1% to 50%");
    expect_error(FIND("{probe_duration: 61m}"), "s.yaml:3:28: " AT "probe_duration \"61m\": at most 1h");
    expect_error(FIND("{probe_warmup: soon}"),
                 "s.yaml:3:26: " AT "probe_warmup \"soon\": expected a number at \"soon\"");
    expect_error(FIND("{settle: 2h}"), "s.yaml:3:20: " AT "settle \"2h\": at most 1h");
    expect_error(FIND("{probe_duration: 2s, probe_warmup: 1500ms}"),
                 "s.yaml:3:28: " AT "probe_duration must exceed probe_warmup by at least 1s (the measured part)");
    /* the default duration against a warm-up given: said at the section */
    expect_error(FIND("{probe_warmup: 9001ms}"),
                 "s.yaml:3:11: " AT "probe_duration must exceed probe_warmup by at least 1s (the measured part)");
    expect_error(FIND("{poisson: maybe}"), "s.yaml:3:21: load.arrival.find.poisson: expected true or false, got "
                                           "\"maybe\"");
    expect_error(FIND("{require: [900/s]}"), "s.yaml:3:21: load.arrival.find.require: expected a string, got a list");
    expect_error(FIND("{over: load}"),
                 "s.yaml:3:18: " AT "over \"load\": expected rate (open-loop arrivals) or users (closed loop)");
    expect_error(FIND("{start_rates: 3/s}"), "s.yaml:3:12: load.arrival.find: unknown key \"start_rates\" (did you mean \"start_rate\"? "
                                      "allowed: over, start_rate, min_rate, max_rate, start_users, min_users, "
                                      "max_users, think, repeats, precision, max_probes, probe_duration, "
                                      "probe_warmup, settle, poisson, require)");
    expect_error(FIND("8"), "s.yaml:3:11: " AT "expected a map of soak find's settings (e.g. {start_rate: 50/s, "
                            "require: 900/s}; {} for the defaults)");
    expect_error("load:\n  arrival: {find: {}, constant: 5/s}\n",
                 "s.yaml:2:12: load.arrival: find goes alone: it sets every probe's arrival");
}

/* The options of one axis on the other, the gate in the other's unit, user counts out of bounds. */
static void test_axes(void **state)
{
    (void)state;
    expect_error(FIND("{over: users, start_rate: 5/s}"),
                 "s.yaml:3:37: " AT "start_rate: the search is over users (over: users): give start_users");
    expect_error(FIND("{over: users, max_rate: 5/s}"),
                 "s.yaml:3:35: " AT "max_rate: the search is over users (over: users): give max_users");
    expect_error(FIND("{start_users: 8}"),
                 "s.yaml:3:25: " AT "start_users goes with over: users (the search is over the arrival rate)");
    expect_error(FIND("{think: 1s}"), "s.yaml:3:19: " AT "think: the probes are open loop (over: users searches "
                                      "closed loops, where think applies)");
    expect_error(FIND("{over: users, poisson: true}"),
                 "s.yaml:3:34: " AT "poisson: the search is over users (over: users): closed loops have no arrival "
                 "rate to draw gaps from");
    expect_error(FIND("{require: 64users}"),
                 "s.yaml:3:21: " AT "require \"64users\": a user count, but the search is over the arrival rate: add "
                 "over: users, or give a rate like 900/s");
    expect_error(FIND("{over: users, require: 900/s}"),
                 "s.yaml:3:34: " AT "require \"900/s\": the search is over users (over: users): give a user count "
                 "like 64users");
    expect_error(FIND("{over: users, require: 0users}"),
                 "s.yaml:3:34: " AT "require \"0users\": expected a whole number of users from 1 to 100000, like "
                 "64users");
    expect_error(FIND("{require: lots}"),
                 "s.yaml:3:21: " AT "require \"lots\": expected a number at \"lots\" (expected a rate like 100/s or "
                 "6k/min)");
    expect_error(FIND("{over: users, max_users: 100001}"),
                 "s.yaml:3:36: " AT "max_users \"100001\": expected a whole number from 1 to 100000");
    expect_error(FIND("{over: users, start_users: 9, max_users: 8}"),
                 "s.yaml:3:38: " AT "start_users 9 is above max_users 8");
    expect_error(FIND("{over: users, min_users: 9}"), "s.yaml:3:36: " AT "min_users 9 is above start_users 8");
    expect_error(FIND("{over: users, think: forever}"),
                 "s.yaml:3:32: " AT "think \"forever\": expected a number at \"forever\"");
}

/* Where a search is not the load's arrival, it is no arrival kind at all. */
static void test_only_load_arrival(void **state)
{
    (void)state;
    expect_error("load:\n  phases:\n    - {name: a, duration: 5s, arrival: {find: {}}}\n",
                 "s.yaml:3:41: load.phases[0].arrival: unknown key \"find\" (allowed: constant, poisson, ramp, step, "
                 "every, users, spawn, think)");
}

static void test_refused_beside(void **state)
{
    (void)state;
    expect_error("duration: 30s\nload:\n  arrival: {find: {}}\n",
                 "s.yaml:1:11: duration: not with load.arrival: {find: ...} (line 3): each probe of a knee search "
                 "lasts load.arrival.find.probe_duration");
    expect_error("load:\n  arrival: {find: {}}\n  cooldown: 5s\n",
                 "s.yaml:3:13: load.cooldown: not with load.arrival: {find: ...} (line 2): each probe of a knee "
                 "search has its own warm-up (load.arrival.find.probe_warmup) and no other phase");
    expect_error("load:\n  arrival: {find: {}}\nchanges: []\n",
                 "s.yaml:3:10: changes: not with load.arrival: {find: ...} (line 2): timed changes follow one load's "
                 "clock; a knee search is many probes");
    expect_error("load:\n  arrival: {find: {}}\nreport: {exit_codes: detailed}\n",
                 "s.yaml:3:22: report.exit_codes: not with load.arrival: {find: ...} (line 2): a knee search writes "
                 "its own reports into report.dir (find.json, find.html, each probe's JSON and HTML) and exits as "
                 "soak find does (1: the knee is below load.arrival.find.require)");
    expect_error("load:\n  arrival: {find: {}}\n  groups: [{name: a, arrival: {constant: 1/s}, requests: [{model: "
                 "m}]}]\n",
                 "s.yaml:2:12: load.arrival: load.groups is set: each group has its own arrival and requests");
    /* The most expectations a search judges each probe on, and one more. */
    expect_limit("load:\n  arrival: {find: {}}\n", "s.yaml:4:3: expect: 16 expectations: a knee search judges every "
                                                   "probe on at most 15 (they are its SLOs)");
}

/* Over users, every probe's users must fit the load: at most max_inflight, at least one per thread. */
static void test_users_fit(void **state)
{
    (void)state;
    hx_cfg_t c;
    expect_error("load:\n  max_inflight: 300\n  arrival: {find: {over: users, max_users: 301}}\n",
                 "s.yaml:3:44: load.arrival.find.max_users: 301 users exceed load.max_inflight (300): raise "
                 "load.max_inflight");
    expect_error("load:\n  max_inflight: 300\n  arrival: {find: {over: users}}\n",
                 "s.yaml:3:19: load.arrival.find.max_users: 10000 users (the default) exceed load.max_inflight (300): "
                 "give max_users, or raise load.max_inflight");
    load_ok(&c, "load:\n  max_inflight: 300\n  arrival: {find: {over: users, max_users: 300}}\n");
    hx_cfg_free(&c);
    expect_error("load:\n  threads: 2\n  arrival: {find: {over: users}}\n",
                 "s.yaml:3:19: load.arrival.find.min_users: 1 user (the default) is below load.threads (2): a probe "
                 "needs a user per thread; give min_users at least 2");
    expect_error("load:\n  threads: 4\n  arrival: {find: {over: users, min_users: 3}}\n",
                 "s.yaml:3:44: load.arrival.find.min_users: 3 users are below load.threads (4): a probe needs a user "
                 "per thread; give min_users at least 4");
    load_ok(&c, "load:\n  threads: 2\n  arrival: {find: {over: users, min_users: 2}}\n");
    hx_cfg_free(&c);
    /* over the rate, neither applies */
    load_ok(&c, "load:\n  threads: 2\n  max_inflight: 300\n  arrival: {find: {}}\n");
    hx_cfg_free(&c);
}

/* soak load cannot run a search unless a flag gives it an arrival; soak run and --check give it a stand-in: the
 * search's first probe. */
static void test_standin(void **state)
{
    (void)state;
    hx_cfg_t c;
    char why[512];
    const char *text = "load:\n  target: http://127.0.0.1:9/v1\n  arrival: {find: {start_rate: 40/s}}\n";
    load_ok(&c, text);
    c.file = "s.yaml";
    assert_int_equal(hx_cfg_finish(&c, why, sizeof(why)), -1);
    assert_string_equal(why, "load.arrival: a knee search is run by `soak run s.yaml` (soak load runs one arrival: "
                             "pass --rate R or --users N)");
    hx_cfg_free(&c);
    load_ok(&c, text);
    hx_cfg_capacity_standin(&c);
    assert_true(c.arrival_set && c.arrival_standin && c.arrival.kind == HX_ARRIVAL_CONSTANT && c.arrival.rate == 40);
    if (hx_cfg_finish(&c, why, sizeof(why)) != 0)
        fail_msg("%s", why);
    hx_cfg_free(&c);
    load_ok(&c, "load:\n  target: http://127.0.0.1:9/v1\n  arrival: {find: {poisson: true}}\n");
    hx_cfg_capacity_standin(&c);
    assert_true(c.arrival.kind == HX_ARRIVAL_POISSON && c.arrival.rate == 10);
    hx_cfg_free(&c);
    text = "load:\n  target: http://127.0.0.1:9/v1\n  arrival: {find: {over: users, start_users: 16, think: 1s}}\n";
    load_ok(&c, text);
    hx_cfg_capacity_standin(&c);
    assert_true(c.arrival.kind == HX_ARRIVAL_USERS && c.arrival.users == 16);
    assert_true(c.arrival.think.kind == CM_DIST_FIXED && c.arrival.think.a == 1e9);
    if (hx_cfg_finish(&c, why, sizeof(why)) != 0)
        fail_msg("%s", why);
    hx_cfg_free(&c);
}

/* The same reader speaks the flags' names for soak find (find_cli.c). */
static void test_flag_names(void **state)
{
    (void)state;
    const char *v[HX_FK_COUNT] = {NULL};
    hx_find_settings_t s;
    hx_find_key_t bad;
    char why[512];
    v[HX_FK_OVER] = "users";
    v[HX_FK_START_RATE] = "5/s";
    assert_int_equal(hx_find_settings_read(&s, v, &hx_find_flag_names, &bad, why, sizeof(why)), -1);
    assert_int_equal(bad, HX_FK_START_RATE);
    assert_string_equal(why, "--start-rate: the search is over users (--over users): give --start-users");
    v[HX_FK_START_RATE] = NULL;
    v[HX_FK_REQUIRE] = "8users";
    assert_int_equal(hx_find_settings_read(&s, v, &hx_find_flag_names, &bad, why, sizeof(why)), 0);
    assert_true(s.over_users && s.require == 8 && s.start == 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),         cmocka_unit_test(test_every_key_rate),
        cmocka_unit_test(test_every_key_users),  cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_axes),             cmocka_unit_test(test_only_load_arrival),
        cmocka_unit_test(test_refused_beside),   cmocka_unit_test(test_users_fit),
        cmocka_unit_test(test_standin),          cmocka_unit_test(test_flag_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
