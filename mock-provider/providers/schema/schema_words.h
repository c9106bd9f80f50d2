/* mock-provider/providers/schema/schema_words.h — realistic text and numbers for values generated from a JSON Schema
 * (internal to the schema generator): person names, emails, places, the string formats JSON Schema names,
 * and plausible number ranges chosen from a property's name ("age", "price", "latitude").
 *
 * Everything written is printable ASCII without '"' or '\\', so it is valid JSON string contents as it is,
 * and its length in characters is its length in bytes. Provider-neutral: no request types here. */
#ifndef MP_PROVIDERS_SCHEMA_WORDS_H
#define MP_PROVIDERS_SCHEMA_WORDS_H

#include <stdbool.h>

#include "common/buf.h"
#include "common/dist.h"

/* Appends a value of the named format: email, idn-email, uuid, date-time, date, time (RFC 3339 full-time,
 * HH:MM:SS with an offset, "Z" or "+05:30": JSON Schema's definition), duration, uri, url, uri-reference, iri,
 * hostname, idn-hostname, ipv4, ipv6. Returns false (and appends nothing) for any other format. format is
 * NUL-terminated. */
bool mp_words_format(cm_buf_t *out, const char *format, cm_rng_t *rng);

/* Appends text that fits a property called key (raw bytes, any case): a person's name for "name", an email
 * for "email", a city for "city", a sentence for "description"... and a short phrase of common words when
 * the name says nothing. key may be empty. */
void mp_words_for_key(cm_buf_t *out, const char *key, size_t keylen, cm_rng_t *rng);

/* Appends one common English word (for padding a string up to its minLength). */
void mp_words_word(cm_buf_t *out, cm_rng_t *rng);

/* A plausible range for a number called key ("age" 18..80, "year" 1990..2026, "price" 5..500 with cents,
 * "latitude" -90..90...), or 1..100 when the name says nothing. decimals is how many fraction digits a
 * number (not an integer) of that kind shows. */
void mp_words_number_range(const char *key, size_t keylen, double *lo, double *hi, int *decimals);

#endif
