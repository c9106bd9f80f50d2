#include "common/getopt_msg.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

char *cm_getopt_msg(const char *shorts, const struct option *longopts, char *const argv[], int ind, int opt, char *buf,
                    size_t n)
{
    /* A short option that takes a value, or a long one (its val), whose value is missing: named by its long form. */
    const char *s = opt > 0 && opt < 128 && opt != ':' ? strchr(shorts, opt) : NULL;
    bool missing = s != NULL && s[1] == ':';
    for (const struct option *o = longopts; opt != 0 && o->name != NULL; o++)
        if (o->flag == NULL && o->val == opt && o->has_arg != optional_argument) {
            snprintf(buf, n, o->has_arg == required_argument ? "--%s needs a value" : "--%s takes no value", o->name);
            return buf;
        }
    if (missing)
        snprintf(buf, n, "-%c needs a value", opt);
    else if (opt > 0 && opt < 128 && s == NULL)
        snprintf(buf, n, "unknown option \"-%c\"", opt);
    else
        snprintf(buf, n, "unknown option \"%.200s\"", ind > 0 ? argv[ind - 1] : "");
    return buf;
}
