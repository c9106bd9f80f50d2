/* tests/unit/harness/config/config_load.h — what the scenario-file tests share: load a YAML text as a named file
 * into an hx_cfg_t (load_as; load names it s.yaml; load_ok fails the test unless it loads), expect_error, which
 * fails the test unless the text is refused with exactly the message given, and expect_limit for the expect:
 * list's bound of a sweep or a search.
 * Include after cmocka.h and harness/config/config.h. */
#ifndef SOAK_TESTS_CONFIG_LOAD_H
#define SOAK_TESTS_CONFIG_LOAD_H

#include <stdio.h>
#include <string.h>

/* Loads text as file `name` into c; returns hx_cfg_load's result with the message in err. */
static inline int load_as(hx_cfg_t *c, const char *name, const char *text, cm_err_t *err)
{
    cm_conf_t conf;
    hx_cfg_init(c);
    int rc = cm_conf_load_string(&conf, name, text, strlen(text), err);
    if (rc == 0)
        rc = hx_cfg_load(c, &conf, err);
    cm_conf_free(&conf);
    return rc;
}

static inline int load(hx_cfg_t *c, const char *text, cm_err_t *err)
{
    return load_as(c, "s.yaml", text, err);
}

/* Loads text into c, which the test then frees; the test fails with the message if it does not load. */
static inline void load_ok(hx_cfg_t *c, const char *text)
{
    cm_err_t err;
    if (load(c, text, &err) != 0) {
        print_error("for:\n%s\nunexpected error: %s\n", text, err.msg);
        fail();
    }
}

/* The message a text produces (the test fails if it loads). */
static inline void expect_error(const char *text, const char *want)
{
    hx_cfg_t c;
    cm_err_t err;
    if (load(&c, text, &err) == 0) {
        print_error("loaded without error:\n%s\n", text);
        fail();
    }
    if (strcmp(err.msg, want) != 0) {
        print_error("for:\n%s\nexpected: %s\n     got: %s\n", text, want, err.msg);
        fail();
    }
    hx_cfg_free(&c);
}

/* head (a file without expect:) loads with as many expectations as a sweep or a search judges its runs on, and
 * with one more is refused with exactly want. */
static inline void expect_limit(const char *head, const char *want)
{
    char text[4096];
    hx_cfg_t c;
    size_t n = (size_t)snprintf(text, sizeof(text), "%sexpect:\n", head);
    for (int i = 0; i < HX_SWEEP_MAX_EXPECTS; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "  - {metric: latency.p99, max: %dms}\n", 100 + i);
    load_ok(&c, text);
    hx_cfg_free(&c);
    snprintf(text + n, sizeof(text) - n, "  - {metric: latency.p50, max: 1s}\n");
    expect_error(text, want);
}

#endif
