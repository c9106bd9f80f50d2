/* common/getopt_msg.h — the message for a command line getopt_long() refused, in the binaries' own words
 * ("--config needs a value", "unknown option \"--bogus\""), instead of getopt's, which names the program by
 * the path it was started with. Call with opterr = 0, after getopt_long() returned '?' or ':'. */
#ifndef CM_GETOPT_MSG_H
#define CM_GETOPT_MSG_H

#include <getopt.h>
#include <stddef.h>

/* Writes into buf (n bytes) what was wrong, from getopt's state: opt (optopt) is the option whose value is
 * missing (or that takes none but got one), or an unknown short option, or 0 for an unknown long option, which is
 * argv[ind - 1] (ind: optind).
 * shorts and longopts are what getopt_long() was given. Returns buf. */
char *cm_getopt_msg(const char *shorts, const struct option *longopts, char *const argv[], int ind, int opt, char *buf,
                    size_t n);

#endif
