/* faults/fault-proxy/toxic.h — one toxic: what it does to the bytes of one direction of a proxied
 * connection, with toxiproxy's names, attributes and units (ms, KB/s, bytes, us for slicer's delay).
 *
 * Toxics are read from YAML (a scenario's `proxies[i].toxics`) and from the control API's JSON bodies through
 * the same cm_conf reader, so one parser validates both and every error names its field:
 * `request:1:40: attributes.latency: must be between 0 and 86400000, got -5`. */
#ifndef FP_TOXIC_H
#define FP_TOXIC_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/json.h"

#define FP_MAX_NAME 64                /* bytes of a proxy's or a toxic's name, NUL included */
#define FP_MAX_TOXICS 32              /* toxics per proxy */
#define FP_MAX_COMMANDS 16            /* commands a RESP toxic is limited to */
#define FP_MAX_COMMAND 32             /* bytes of one command name, NUL included */
#define FP_MAX_MS (86400ll * 1000)    /* any time attribute: one day */
#define FP_MAX_BYTES (1ll << 50)      /* limit_data and slicer sizes */
#define FP_MAX_RATE (100ll * 1000000) /* bandwidth in KB/s: 100 GB/s */

typedef enum fp_toxic_type {
    FP_LATENCY,    /* latency, jitter (ms): each chunk is held latency +- jitter */
    FP_BANDWIDTH,  /* rate (KB/s) */
    FP_SLOW_CLOSE, /* delay (ms) before the close is passed on */
    FP_TIMEOUT,    /* timeout (ms): no data passes; the connection closes after timeout, 0 = never */
    FP_RESET_PEER, /* timeout (ms): RST that long after the first data (0 = at once); data is dropped */
    FP_SLICER,     /* average_size, size_variation (bytes), delay (us) between the slices */
    FP_LIMIT_DATA, /* bytes: the connection closes once that many have passed */
    FP_DOWN,       /* new connections are closed at once, as when the dependency is down */
    FP_STALL,      /* duration, start (ms): data arriving in the window is held until it ends, then flows */
    FP_ERROR,      /* RESP only: reply (BUSY, LOADING, READONLY, OOM) instead of forwarding the command */
    FP_TOXIC_TYPE_COUNT
} fp_toxic_type_t;

typedef enum fp_stream {
    FP_UPSTREAM = 0,   /* client -> upstream */
    FP_DOWNSTREAM = 1, /* upstream -> client (toxiproxy's default) */
} fp_stream_t;

typedef struct fp_toxic {
    char name[FP_MAX_NAME];
    fp_toxic_type_t type;
    fp_stream_t stream;
    double toxicity; /* probability per connection, 0..1 */
    uint32_t uid;    /* given by the proxy when added; with the seed it decides which connections get it */
    uint64_t added_ns;
    /* attributes, in toxiproxy's units */
    int64_t latency, jitter;                        /* latency */
    int64_t rate;                                   /* bandwidth */
    int64_t delay;                                  /* slow_close (ms), slicer (us) */
    int64_t timeout;                                /* timeout, reset_peer */
    int64_t average_size, size_variation;           /* slicer */
    int64_t bytes;                                  /* limit_data */
    int64_t duration, start;                        /* stall */
    char reply[FP_MAX_COMMAND];                     /* error: BUSY, LOADING, READONLY, OOM */
    char commands[FP_MAX_COMMANDS][FP_MAX_COMMAND]; /* RESP: upper-case commands it applies to; none = all */
    int ncommands;
} fp_toxic_t;

const char *fp_toxic_type_name(fp_toxic_type_t t);
const char *fp_stream_name(fp_stream_t s);

/* Reads one toxic (a map: name, type, stream, toxicity, attributes) into out. With base non-NULL the map
 * updates a copy of base (the API's POST /proxies/P/toxics/T): only the keys given change, and type cannot.
 * Without it, stream defaults to downstream, toxicity to 1 and name to "<type>_<stream>". Attributes must
 * suit the type; missing ones take toxiproxy's defaults (0, or slicer's average_size 1). Returns 0 or -1
 * with err naming the field and its position. */
int fp_toxic_parse(const cm_conf_t *conf, const cm_node_t *node, const char *path, const fp_toxic_t *base,
                   fp_toxic_t *out, cm_err_t *err);

/* Writes the toxic as toxiproxy shows it: {"name","type","stream","toxicity","attributes":{...}}. */
void fp_toxic_json(cm_jw_t *w, const fp_toxic_t *t);

/* Whether the toxic applies to command (upper-case) in RESP mode: always when it names no commands. */
bool fp_toxic_matches(const fp_toxic_t *t, const char *command);

#endif
