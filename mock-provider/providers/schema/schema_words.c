/* Realistic strings and number ranges for generated values. The tables are our own short lists; what matters
 * is that a client (or a person reading a CI log) sees names that look like names and emails that look like
 * emails, and that every value is drawn from the caller's seeded generator, so a run reproduces. */
#include "mock-provider/providers/schema/schema_words.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const first_names[] = {
    "Alice", "Bruno",  "Chloe",  "Daniel", "Elena", "Farid", "Grace", "Hiro",  "Ines", "Jonas", "Kara",
    "Liam",  "Maya",   "Nikhil", "Olivia", "Pablo", "Quinn", "Rosa",  "Samir", "Tara", "Umar",  "Vera",
    "Wei",   "Ximena", "Yusuf",  "Zoe",    "Amara", "Felix", "Lucia", "Marco", "Noah", "Sofia",
};
static const char *const last_names[] = {
    "Anderson", "Bauer",  "Costa",  "Dubois", "Evans",  "Fischer", "Garcia", "Haddad",  "Ito",    "Jensen", "Kim",
    "Lopez",    "Martin", "Nguyen", "Okafor", "Patel",  "Quinlan", "Rossi",  "Silva",   "Tanaka", "Usman",  "Varga",
    "Walker",   "Xu",     "Yilmaz", "Zhang",  "Moreau", "Novak",   "Reyes",  "Schmidt", "Brown",  "Wilson",
};
static const char *const cities[] = {
    "Lisbon", "Toronto", "Osaka",   "Nairobi", "Lyon",   "Austin",  "Melbourne", "Bergen",
    "Porto",  "Seattle", "Munich",  "Lima",    "Denver", "Krakow",  "Valencia",  "Dublin",
    "Boston", "Sapporo", "Chicago", "Zurich",  "Oslo",   "Seville", "Auckland",  "Quebec",
};
static const char *const countries[] = {
    "Portugal", "Canada",  "Japan",  "Kenya",  "France", "United States", "Australia",
    "Norway",   "Germany", "Peru",   "Poland", "Spain",  "Ireland",       "Switzerland",
    "Brazil",   "India",   "Mexico", "Italy",  "Sweden", "Vietnam",
};
static const char *const streets[] = {
    "Maple Street", "Oak Avenue",   "Harbor Road", "Cedar Lane",  "Mill Road",    "River Street",
    "Park Avenue",  "Station Road", "Hill Street", "Elm Street",  "Market Place", "Church Lane",
    "Bridge Road",  "Garden Way",   "Lake Drive",  "Forest Road",
};
static const char *const companies[] = {
    "Acme Corp", "Northwind Traders", "Globex",      "Initech",       "Umbrella Labs",  "Stark Industries",
    "Hooli",     "Vandelay Imports",  "Wayne Foods", "Blue Sky Data", "Cobalt Systems", "Orbit Logistics",
};
static const char *const colors[] = {"red", "blue", "green", "orange", "purple", "teal", "yellow", "black", "white"};
static const char *const languages[] = {"English", "Spanish", "French", "German", "Japanese", "Portuguese", "Hindi"};
static const char *const currencies[] = {"USD", "EUR", "GBP", "JPY", "CAD", "CHF", "AUD"};
static const char *const words[] = {
    "time",   "river",   "garden", "signal",  "bridge",  "market", "quiet",   "bright", "report", "window",
    "summer", "network", "simple", "planet",  "story",   "engine", "forest",  "letter", "travel", "music",
    "island", "project", "ocean",  "careful", "morning", "gentle", "history", "winter", "city",   "team",
    "paper",  "change",  "local",  "clear",   "steady",  "update", "service", "energy", "health", "water",
};
static const char *const domains[] = {"example.com", "example.org", "example.net", "mail.example.com"};

static uint32_t below(cm_rng_t *rng, uint32_t n)
{
    return n ? (uint32_t)(cm_rng_next(rng) % n) : 0;
}

#define PICK(list, rng) ((list)[below((rng), (uint32_t)COUNT(list))])

static void put_lower(cm_buf_t *out, const char *s)
{
    for (; *s; s++)
        cm_buf_putc(out, *s == ' ' ? '.' : (char)tolower((unsigned char)*s));
}

static void put_digits(cm_buf_t *out, uint32_t v, int width)
{
    cm_buf_printf(out, "%0*u", width, v);
}

void mp_words_word(cm_buf_t *out, cm_rng_t *rng)
{
    cm_buf_puts(out, PICK(words, rng));
}

static void put_email(cm_buf_t *out, cm_rng_t *rng)
{
    put_lower(out, PICK(first_names, rng));
    cm_buf_putc(out, '.');
    put_lower(out, PICK(last_names, rng));
    cm_buf_putc(out, '@');
    cm_buf_puts(out, PICK(domains, rng));
}

/* Version 4, variant 10xx, lower-case: the form every uuid validator accepts. */
static void put_uuid(cm_buf_t *out, cm_rng_t *rng)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t hi = cm_rng_next(rng), lo = cm_rng_next(rng);
    char s[37];
    for (int i = 0, o = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            s[o++] = '-';
        unsigned v = i < 16 ? (unsigned)(hi >> (4 * i)) & 15 : (unsigned)(lo >> (4 * (i - 16))) & 15;
        if (i == 12)
            v = 4;
        else if (i == 16)
            v = 8 | (v & 3);
        s[o++] = hex[v];
    }
    s[36] = '\0';
    cm_buf_puts(out, s);
}

static void put_date(cm_buf_t *out, cm_rng_t *rng)
{
    cm_buf_printf(out, "%u-%02u-%02u", 2020 + below(rng, 7), 1 + below(rng, 12), 1 + below(rng, 28));
}

static void put_clock(cm_buf_t *out, cm_rng_t *rng)
{
    cm_buf_printf(out, "%02u:%02u:%02u", below(rng, 24), below(rng, 60), below(rng, 60));
}

/* RFC 3339 full-time, which JSON Schema's "time" is: the clock and an offset, UTC ("Z") half the time, else
 * one of the offsets real zones use (half-hour ones included). */
static void put_time(cm_buf_t *out, cm_rng_t *rng)
{
    static const char *const offsets[] = {"+01:00", "+02:00", "+05:30", "+09:00", "-03:00", "-05:00", "-08:00"};
    put_clock(out, rng);
    cm_buf_puts(out, below(rng, 2) ? "Z" : PICK(offsets, rng));
}

static void put_url(cm_buf_t *out, cm_rng_t *rng)
{
    cm_buf_puts(out, "https://www.");
    cm_buf_puts(out, PICK(domains, rng));
    cm_buf_putc(out, '/');
    mp_words_word(out, rng);
    cm_buf_putc(out, '/');
    put_digits(out, below(rng, 10000), 1);
}

bool mp_words_format(cm_buf_t *out, const char *f, cm_rng_t *rng)
{
    if (!strcmp(f, "email") || !strcmp(f, "idn-email"))
        put_email(out, rng);
    else if (!strcmp(f, "uuid"))
        put_uuid(out, rng);
    else if (!strcmp(f, "date"))
        put_date(out, rng);
    else if (!strcmp(f, "time"))
        put_time(out, rng);
    else if (!strcmp(f, "date-time")) {
        put_date(out, rng);
        cm_buf_putc(out, 'T');
        put_clock(out, rng);
        cm_buf_putc(out, 'Z');
    } else if (!strcmp(f, "duration"))
        cm_buf_printf(out, "P%uDT%uH%uM", below(rng, 30), below(rng, 24), below(rng, 60));
    else if (!strcmp(f, "uri") || !strcmp(f, "url") || !strcmp(f, "uri-reference") || !strcmp(f, "iri"))
        put_url(out, rng);
    else if (!strcmp(f, "hostname") || !strcmp(f, "idn-hostname")) {
        mp_words_word(out, rng);
        cm_buf_putc(out, '.');
        cm_buf_puts(out, PICK(domains, rng));
    } else if (!strcmp(f, "ipv4")) /* 192.0.2.0/24 is reserved for documentation */
        cm_buf_printf(out, "192.0.2.%u", 1 + below(rng, 254));
    else if (!strcmp(f, "ipv6"))
        cm_buf_printf(out, "2001:db8::%x:%x", 1 + below(rng, 0xfffe), 1 + below(rng, 0xfffe));
    else
        return false;
    return true;
}

/* ---- by property name ----------------------------------------------------------------------------- */

typedef enum kind {
    K_PHRASE,
    K_EMAIL,
    K_FIRST,
    K_LAST,
    K_USER,
    K_COMPANY,
    K_CITY,
    K_COUNTRY,
    K_STREET,
    K_ZIP,
    K_PHONE,
    K_URL,
    K_UUID,
    K_DATETIME,
    K_DATE,
    K_COLOR,
    K_LANGUAGE,
    K_CURRENCY,
    K_TITLE,
    K_FILE,
    K_NAME,
    K_SENTENCE,
    K_WORD,
} kind_t;

/* Substrings of the lower-cased name (letters and digits only) and what they ask for, tried in order:
 * "first_name" is a first name before it is a name. */
static const struct rule {
    const char *part;
    kind_t kind;
} rules[] = {
    {"email", K_EMAIL},
    {"firstname", K_FIRST},
    {"givenname", K_FIRST},
    {"lastname", K_LAST},
    {"surname", K_LAST},
    {"familyname", K_LAST},
    {"username", K_USER},
    {"login", K_USER},
    {"nickname", K_USER},
    {"company", K_COMPANY},
    {"organi", K_COMPANY},
    {"employer", K_COMPANY},
    {"city", K_CITY},
    {"town", K_CITY},
    {"country", K_COUNTRY},
    {"street", K_STREET},
    {"address", K_STREET},
    {"zip", K_ZIP},
    {"postal", K_ZIP},
    {"postcode", K_ZIP},
    {"phone", K_PHONE},
    {"mobile", K_PHONE},
    {"url", K_URL},
    {"website", K_URL},
    {"homepage", K_URL},
    {"link", K_URL},
    {"uuid", K_UUID},
    {"guid", K_UUID},
    {"timestamp", K_DATETIME},
    {"datetime", K_DATETIME},
    {"birthday", K_DATE},
    {"date", K_DATE},
    {"colo", K_COLOR},
    {"language", K_LANGUAGE},
    {"currency", K_CURRENCY},
    {"title", K_TITLE},
    {"subject", K_TITLE},
    {"headline", K_TITLE},
    {"file", K_FILE},
    {"name", K_NAME},
    {"description", K_SENTENCE},
    {"summary", K_SENTENCE},
    {"text", K_SENTENCE},
    {"content", K_SENTENCE},
    {"message", K_SENTENCE},
    {"body", K_SENTENCE},
    {"comment", K_SENTENCE},
    {"reason", K_SENTENCE},
    {"answer", K_SENTENCE},
    {"explanation", K_SENTENCE},
    {"note", K_SENTENCE},
    {"review", K_SENTENCE},
    {"tag", K_WORD},
    {"keyword", K_WORD},
    {"category", K_WORD},
    {"label", K_WORD},
    {"status", K_WORD},
    {"type", K_WORD},
    {"kind", K_WORD},
    {"role", K_WORD},
};

/* Lower-cased letters and digits of key, at most cap-1 of them. */
static void normalize(const char *key, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        if (isalnum((unsigned char)key[i]))
            out[o++] = (char)tolower((unsigned char)key[i]);
    out[o] = '\0';
}

/* "id", "user_id", "order-id", "customerId": an identifier. ("valid" and "paid" are not.) */
static bool is_id(const char *key, size_t n)
{
    if (n == 2)
        return tolower((unsigned char)key[0]) == 'i' && tolower((unsigned char)key[1]) == 'd';
    return n > 2 && ((key[n - 2] == 'I' && key[n - 1] == 'd') ||
                     ((key[n - 3] == '_' || key[n - 3] == '-') && key[n - 2] == 'i' && key[n - 1] == 'd'));
}

/* "created_at", "updatedAt": a moment. */
static bool is_moment(const char *key, size_t n)
{
    return n > 3 &&
           ((key[n - 2] == 'A' && key[n - 1] == 't') || (key[n - 3] == '_' && key[n - 2] == 'a' && key[n - 1] == 't'));
}

static kind_t kind_of(const char *key, size_t n)
{
    if (is_id(key, n))
        return K_UUID;
    if (is_moment(key, n))
        return K_DATETIME;
    char norm[64];
    normalize(key, n, norm, sizeof(norm));
    for (size_t i = 0; i < COUNT(rules); i++)
        if (strstr(norm, rules[i].part) != NULL)
            return rules[i].kind;
    return K_PHRASE;
}

static void put_words(cm_buf_t *out, cm_rng_t *rng, uint32_t n, bool capital)
{
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0)
            cm_buf_putc(out, ' ');
        size_t at = out->len;
        mp_words_word(out, rng);
        if (capital || i == 0)
            out->data[at] = (char)toupper((unsigned char)out->data[at]);
    }
}

static void put_kind(cm_buf_t *out, kind_t k, cm_rng_t *rng)
{
    switch (k) {
    case K_EMAIL:
        put_email(out, rng);
        break;
    case K_FIRST:
        cm_buf_puts(out, PICK(first_names, rng));
        break;
    case K_LAST:
        cm_buf_puts(out, PICK(last_names, rng));
        break;
    case K_USER:
        put_lower(out, PICK(first_names, rng));
        cm_buf_printf(out, "_%u", below(rng, 1000));
        break;
    case K_COMPANY:
        cm_buf_puts(out, PICK(companies, rng));
        break;
    case K_CITY:
        cm_buf_puts(out, PICK(cities, rng));
        break;
    case K_COUNTRY:
        cm_buf_puts(out, PICK(countries, rng));
        break;
    case K_STREET:
        cm_buf_printf(out, "%u %s", 1 + below(rng, 400), PICK(streets, rng));
        break;
    case K_ZIP:
        put_digits(out, below(rng, 100000), 5);
        break;
    case K_PHONE:
        cm_buf_printf(out, "+1-555-01%02u", below(rng, 100));
        break;
    case K_URL:
        put_url(out, rng);
        break;
    case K_UUID:
        put_uuid(out, rng);
        break;
    case K_DATETIME:
        mp_words_format(out, "date-time", rng);
        break;
    case K_DATE:
        put_date(out, rng);
        break;
    case K_COLOR:
        cm_buf_puts(out, PICK(colors, rng));
        break;
    case K_LANGUAGE:
        cm_buf_puts(out, PICK(languages, rng));
        break;
    case K_CURRENCY:
        cm_buf_puts(out, PICK(currencies, rng));
        break;
    case K_TITLE:
        put_words(out, rng, 2 + below(rng, 3), true);
        break;
    case K_FILE:
        mp_words_word(out, rng);
        cm_buf_printf(out, "_%u.pdf", 2020 + below(rng, 7));
        break;
    case K_NAME:
        cm_buf_printf(out, "%s %s", PICK(first_names, rng), PICK(last_names, rng));
        break;
    case K_SENTENCE:
        put_words(out, rng, 6 + below(rng, 7), false);
        cm_buf_putc(out, '.');
        break;
    case K_WORD:
        mp_words_word(out, rng);
        break;
    case K_PHRASE:
        put_words(out, rng, 2 + below(rng, 3), false);
        break;
    }
}

void mp_words_for_key(cm_buf_t *out, const char *key, size_t keylen, cm_rng_t *rng)
{
    put_kind(out, kind_of(key, keylen), rng);
}

/* ---- number ranges -------------------------------------------------------------------------------- */

static const struct range {
    const char *part;
    double lo, hi;
    int decimals;
} ranges[] = {
    {"year", 1990, 2026, 0},     {"month", 1, 12, 0},      {"hour", 0, 23, 0},
    {"minute", 0, 59, 0},        {"price", 5, 500, 2},     {"cost", 5, 500, 2},
    {"amount", 5, 500, 2},       {"total", 10, 900, 2},    {"salary", 30000, 150000, 0},
    {"balance", 0, 5000, 2},     {"fee", 1, 50, 2},        {"latitude", -90, 90, 4},
    {"longitude", -180, 180, 4}, {"lat", -90, 90, 4},      {"lng", -180, 180, 4},
    {"lon", -180, 180, 4},       {"percent", 0, 100, 1},   {"rating", 1, 5, 1},
    {"stars", 1, 5, 0},          {"score", 0, 100, 1},     {"temperature", -10, 35, 1},
    {"confidence", 0, 1, 2},     {"probability", 0, 1, 2}, {"weight", 1, 100, 1},
    {"count", 1, 20, 0},         {"quantity", 1, 20, 0},   {"qty", 1, 20, 0},
    {"days", 1, 14, 0},          {"day", 1, 28, 0},
};

void mp_words_number_range(const char *key, size_t keylen, double *lo, double *hi, int *decimals)
{
    char norm[64];
    normalize(key, keylen, norm, sizeof(norm));
    *lo = 1;
    *hi = 100;
    *decimals = 2;
    size_t nl = strlen(norm); /* punctuation is dropped: it may be shorter than the key */
    if (!strcmp(norm, "age") ||
        (keylen > 3 && nl > 3 && !strcmp(norm + nl - 3, "age") && (key[keylen - 4] == '_' || key[keylen - 3] == 'A'))) {
        *lo = 18;
        *hi = 80;
        *decimals = 0;
        return;
    }
    for (size_t i = 0; i < COUNT(ranges); i++) {
        if (strstr(norm, ranges[i].part) != NULL) {
            *lo = ranges[i].lo;
            *hi = ranges[i].hi;
            *decimals = ranges[i].decimals;
            return;
        }
    }
}
