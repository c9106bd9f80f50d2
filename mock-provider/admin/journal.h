/* mock-provider/admin/journal.h — the recent-requests journal of the admin API (GET /admin/requests): what the
 * provider saw, to check a gateway's retries and cooldowns from the other side.
 *
 * One ring per worker thread, written only by that thread when a request is disposed, so workers never
 * contend with each other; each ring has its own mutex, which only the admin thread's read (or reset) can
 * contend for, and then for the time of a copy. A read merges the rings by time. Each ring keeps the last
 * `journal` entries of its thread (mock.admin.journal), so a read returns at most that many per thread. */
#ifndef MP_JOURNAL_H
#define MP_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "mock-provider/config.h"

#define MP_JOURNAL_MAX_FAULT 64
#define MP_JOURNAL_MAX_MODEL 96
#define MP_JOURNAL_MAX_RID 80
#define MP_JOURNAL_MAX_CLIENT 56

typedef struct mp_journal_entry {
    uint64_t time_ns;    /* wall clock (ns since the Unix epoch) when the request arrived */
    uint64_t end_ns;     /* wall clock when it was done with (the merge order) */
    uint64_t latency_ns; /* arrival to done */
    uint32_t dep;
    int api;    /* mp_api_t, or MP_METRICS_API_UNKNOWN */
    int status; /* 0: no response (the connection was cut first) */
    char model[MP_JOURNAL_MAX_MODEL];
    char fault[MP_JOURNAL_MAX_FAULT];
    char rid[MP_JOURNAL_MAX_RID];
    char client[MP_JOURNAL_MAX_CLIENT];
} mp_journal_entry_t;

typedef struct mp_journal mp_journal_t;

/* cap entries per thread (0 keeps nothing). */
mp_journal_t *mp_journal_create(uint32_t nthreads, uint32_t cap);
void mp_journal_free(mp_journal_t *j);
/* Worker thread `thread` only. */
void mp_journal_add(mp_journal_t *j, uint32_t thread, const mp_journal_entry_t *e);
struct mp_run;
/* Copies what the entry of run needs from its request while the request is whole: the client address at
 * the start, the model once parsed (handler.c). */
void mp_journal_note_client(struct mp_run *run);
void mp_journal_note_model(struct mp_run *run);
/* The entry of a run being disposed (run.c). */
void mp_journal_add_run(mp_journal_t *j, uint32_t thread, const struct mp_run *run);
/* Empties every ring. */
void mp_journal_clear(mp_journal_t *j);
/* Writes {"requests": [...]} with the latest `limit` entries (oldest first) of deployment dep (-1: all). */
void mp_journal_render(mp_journal_t *j, const mp_config_t *cfg, size_t limit, int dep, cm_buf_t *out);

#endif
