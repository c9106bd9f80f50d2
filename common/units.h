/* common/units.h — the one table-driven parser and formatter for quantities written by people:
 * durations ("250ms", "30s", "1.5h", "1m30s"), counts ("10k", "1.5M"), rates ("1170/s", "20k/min"),
 * percentages ("20%", "0.5%") and sizes ("4KiB", "1MB", "16k"). Used by the CLIs, the config loader and
 * the reports, so a value reads the same everywhere.
 *
 * All parsers take the whole string (leading/trailing spaces allowed, anything else after the number is an
 * error), return 0 on success or -1 and write a one-line reason into err (never NULL-terminated past
 * errlen). None of them allocate. */
#ifndef CM_UNITS_H
#define CM_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Durations: units ns, us (also µs), ms, s, m (also min), h, d; a bare "0" is allowed; compound forms
 * such as "1m30s" and "1h2m3.5s" are summed. A bare number without a unit is an error ("30": missing unit,
 * expected ns, us, ms, s, m, h). Negative values are errors. Result in nanoseconds; overflow is an error. */
int cm_parse_duration(const char *s, uint64_t *ns, char *err, size_t errlen);

/* Counts: a non-negative number with an optional k (1e3), M (1e6) or G (1e9) suffix (k/K, m is NOT mega:
 * "m" is rejected to avoid confusion with minutes). Fractions are allowed ("1.5k"). */
int cm_parse_count(const char *s, double *out, char *err, size_t errlen);

/* Rates: "<count>/<unit>" with unit s, sec, second, m, min, minute, h, hour (also "rps" and "rpm" as whole
 * suffixes: "1000rps", "10krpm"). Result per second. */
int cm_parse_rate(const char *s, double *per_second, char *err, size_t errlen);

/* Percentages: "20%" gives 0.2. A bare fraction "0.2" is also accepted. Range 0..100% inclusive. */
int cm_parse_percent(const char *s, double *fraction, char *err, size_t errlen);

/* Sizes: bytes with optional suffix B, k/KB (1000), KiB (1024), M/MB, MiB, G/GB, GiB. */
int cm_parse_size(const char *s, uint64_t *bytes, char *err, size_t errlen);

/* Whole numbers over the full unsigned 64-bit range, 0..18446744073709551615, in plain decimal digits (no
 * sign, suffix, fraction or exponent): identifiers such as seeds, where "10k" or rounding through a double
 * would be a mistake. Above the range is an error ("too large"), not a wrap. */
int cm_parse_u64(const char *s, uint64_t *out, char *err, size_t errlen);

/* Formatting for reports: shortest readable form with up to 3 significant decimals.
 * cm_format_duration(buf, n, 1250000) -> "1.25ms"; 0 -> "0s"; 90e9 -> "1m30s". Returns buf. */
char *cm_format_duration(char *buf, size_t n, uint64_t ns);
/* cm_format_count(buf, n, 12345) -> "12.3k"; 999 -> "999". Returns buf. */
char *cm_format_count(char *buf, size_t n, double v);

#endif
