/* faults/fault-proxy/resp.h — a streaming RESP (Redis protocol) parser for proxies with `protocol: resp`.
 *
 * It never buffers a message: it is fed whatever bytes arrived and says where a command's name became
 * known and where a message ended, so the proxy can apply a per-command toxic to exactly that command's
 * bytes while they flow. Commands are multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) or inline (`PING\r\n`),
 * pipelined; replies are any RESP2 or RESP3 value, nested aggregates included. Every length a peer sends is
 * bounded (FP_RESP_MAX_*): past a bound the parser reports an error and the proxy passes the connection's
 * remaining bytes through untouched. */
#ifndef FP_RESP_H
#define FP_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FP_RESP_MAX_DEPTH 32             /* nested aggregates in a reply */
#define FP_RESP_MAX_ARGS (1024 * 1024)   /* arguments of one command (redis: 1M by default too) */
#define FP_RESP_MAX_ELEMENTS (1ll << 32) /* elements of one reply aggregate */
#define FP_RESP_MAX_BULK (512ll << 20)   /* bytes of one bulk string (redis' proto-max-bulk-len) */
#define FP_RESP_MAX_INLINE (64 * 1024)   /* bytes of an inline command or a simple reply line */
#define FP_RESP_MAX_NAME_BULK 1024       /* bytes of a command's first argument (its name) */
#define FP_RESP_MAX_NAME 32              /* bytes kept of a command name, NUL included */
#define FP_RESP_MAX_TRACKED 64           /* distinct commands counted per proxy; others count as OTHER */

typedef enum fp_resp_event {
    FP_RESP_MORE,  /* every byte given was consumed; the message goes on */
    FP_RESP_NAME,  /* commands: the name is known (in name), after *used bytes */
    FP_RESP_END,   /* a message ended after *used bytes */
    FP_RESP_ERROR, /* not RESP, or a bound passed: err says why */
} fp_resp_event_t;

typedef struct fp_resp {
    bool replies;    /* parsing replies (else commands) */
    bool in_msg;     /* inside a message */
    bool end_due;    /* a NAME was the message's last byte: END comes next with 0 bytes */
    bool in_line;    /* reading a line (header or simple value) */
    bool inline_cmd; /* the command is inline */
    bool word_over;  /* inline: the first word (the name) has ended */
    char type;       /* the type byte of the line being read */
    char line[24];   /* the start of the line (headers are short; longer lines are only counted) */
    size_t line_len;
    int64_t bulk;                    /* bytes (CRLF included) left of the bulk being read; 0 when none */
    int64_t args;                    /* commands: arguments left */
    int64_t arg;                     /* commands: index of the argument being read */
    int depth;                       /* replies: open aggregates */
    int64_t left[FP_RESP_MAX_DEPTH]; /* replies: elements left at each depth */
    char top;                        /* replies: the type byte of the message (a '>' push answers no command) */
    char name[FP_RESP_MAX_NAME];     /* commands: upper-case name, truncated */
    size_t name_len;
} fp_resp_t;

void fp_resp_init(fp_resp_t *p, bool replies);
/* Consumes data[0..len) up to the next event and sets *used to the bytes consumed. */
fp_resp_event_t fp_resp_feed(fp_resp_t *p, const char *data, size_t len, size_t *used, char *err, size_t errlen);

/* The error reply a `type: error` toxic sends for reply (BUSY, LOADING, READONLY, OOM), as Redis words it. */
const char *fp_resp_error_reply(const char *reply);

struct fp_resp_stats {
    int n;
    struct {
        char name[FP_RESP_MAX_NAME];
        uint64_t count;
        uint64_t delay_ns;          /* delay injected into this command */
        uint64_t errors;            /* error replies injected */
    } cmd[FP_RESP_MAX_TRACKED + 1]; /* the last one is OTHER */
};

#endif
