/* tests/unit/harness/config/config_load.h — what the scenario-file tests share: load a YAML text as a named file
 * into an hx_cfg_t (load_as; load names it s.yaml), and expect_error, which fails the test unless the text is
 * refused with exactly the message given. Include after cmocka.h and harness/config/config.h. */
#ifndef SOAK_TESTS_CONFIG_LOAD_H
#define SOAK_TESTS_CONFIG_LOAD_H

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

#endif
