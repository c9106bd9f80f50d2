/* tests/fuzz/resp_fuzz.c — fault-proxy's streaming RESP parser on arbitrary bytes, as commands and as
 * replies, fed whole and in pieces: no crash, progress on every call, and the same events whatever the
 * pieces. */
#include "faults/fault-proxy/resp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A digest of the events: each event and its absolute offset. */
static uint64_t run(bool replies, const uint8_t *data, size_t size, size_t piece)
{
    fp_resp_t p;
    char err[128];
    size_t pos = 0;
    uint64_t digest = 0;
    fp_resp_init(&p, replies);
    for (int guard = 0; guard < 1000000 && (pos < size || p.end_due); guard++) {
        size_t n = size - pos < piece ? size - pos : piece, used;
        fp_resp_event_t ev = fp_resp_feed(&p, (const char *)data + pos, n, &used, err, sizeof(err));
        if (used > n)
            abort();
        pos += used;
        if (ev == FP_RESP_MORE && used != n)
            abort(); /* MORE means everything was consumed */
        if (ev == FP_RESP_NAME && strlen(p.name) >= FP_RESP_MAX_NAME)
            abort();
        /* An error's offset depends on the pieces (a line is found too long after what was read of it). */
        if (ev != FP_RESP_MORE)
            digest = digest * 31 + (uint64_t)ev * 1000003 + (ev == FP_RESP_ERROR ? 0 : pos);
        if (ev == FP_RESP_ERROR)
            break;
    }
    return digest;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    for (int replies = 0; replies < 2; replies++) {
        uint64_t whole = run(replies, data, size, size + 1);
        if (run(replies, data, size, 1) != whole || run(replies, data, size, 5) != whole)
            abort();
    }
    return 0;
}
