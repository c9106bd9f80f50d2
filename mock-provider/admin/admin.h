/* mock-provider/admin/admin.h — the admin API: its own listener (mock.admin.listen or --admin), its own thread
 * and h2o event loop, so nothing it does runs on a worker's loop. docs/faults.md ("Admin API") is the
 * reference for the endpoints:
 *
 *   GET /admin/deployments                        every deployment, as JSON in the shape of the YAML
 *   GET|PUT|PATCH /admin/deployments/{name}        one deployment; PUT replaces, PATCH merges (RFC 7386)
 *   GET|PUT|DELETE /admin/deployments/{name}/faults
 *   POST /admin/reset                             fault counters, schedules, quota windows, journal
 *   GET /admin/requests?limit=N&deployment=NAME   the recent-requests journal (journal.h)
 *
 * Updates go through update.h (one reader for YAML and JSON; an invalid update changes nothing and
 * gets a 400 naming the field) and are published as a new snapshot (snapshot.h): the 200 is sent once
 * every worker thread has adopted it, so every request that arrives after the answer sees it, and every
 * request that started before keeps the settings it started with. With a token, every request must carry
 * `Authorization: Bearer TOKEN` (401 otherwise). Bodies are limited to MP_ADMIN_MAX_BODY. */
#ifndef MP_ADMIN_H
#define MP_ADMIN_H

#include <stdint.h>

#include "mock-provider/server.h"

#define MP_ADMIN_PUBLISH_WAIT_NS (2ull * 1000 * 1000 * 1000) /* an update waits this long for the workers */
#define MP_ADMIN_DEFAULT_LIMIT 100                           /* GET /admin/requests without ?limit= */

typedef struct mp_admin mp_admin_t;

/* Binds the admin listener of s->cfg->admin (its port is written back when 0). Returns 0 with *out, or -1
 * with err filled. */
int mp_admin_create(mp_admin_t **out, mp_server_t *s, char *err, size_t errlen);
/* Starts its thread once the server runs; waits until it serves. Returns 0 or -1 with err. */
int mp_admin_start(mp_admin_t *a, char *err, size_t errlen);
/* Stops serving (before mp_server_stop). The thread then parks until the process exits, like the workers. */
void mp_admin_stop(mp_admin_t *a);

#endif
