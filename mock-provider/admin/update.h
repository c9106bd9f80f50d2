/* mock-provider/admin/update.h — what an admin API update asks for, as a complete new deployment: the body
 * (JSON) merged into the deployment's current source, then read by the same reader as the scenario file
 * (mp_config_read_deployment), so YAML and JSON share one parser and one validation. No h2o in here, so
 * it is unit-tested and fuzzed on its own.
 *
 *   PUT     the body is the whole deployment; name, provider, listen and models may be left out (they stay)
 *           and, when given, must be the current ones ("cannot change at runtime": the listener is bound, the
 *           metrics' model label slots are laid out at the start)
 *   PATCH   the body is merged into the current source as a JSON merge patch (RFC 7386): objects merge key
 *           by key, null removes a key, anything else replaces
 *   FAULTS_PUT, FAULTS_DELETE   the body (a list) replaces `faults`, or `faults` is removed
 *
 * Errors name the field as a path from the deployment ("faults[1].duration", "latency.ttft") with the
 * body's line:col ("body:1:42: faults[1].duration: ..."); a value kept from the current configuration is
 * named as such ("current configuration: ..."). */
#ifndef MP_ADMIN_UPDATE_H
#define MP_ADMIN_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "mock-provider/deployment.h"

#define MP_ADMIN_MAX_BODY (1024u * 1024) /* bytes of one request body */

typedef enum mp_admin_op {
    MP_ADMIN_PUT,
    MP_ADMIN_PATCH,
    MP_ADMIN_FAULTS_PUT,
    MP_ADMIN_FAULTS_DELETE,
} mp_admin_op_t;

/* What an update leaves as it was: the engines and counters behind those keys carry over. */
typedef struct mp_admin_kept {
    bool limits; /* `limits` is textually the same (the quota engine and its windows carry over) */
    bool faults; /* `faults` and the seed are the same (the fault set and its counters carry over) */
} mp_admin_kept_t;

/* Builds the deployment op asks for from cur (whose source is its JSON) and body (len bytes; ignored for
 * FAULTS_DELETE). scenario_seed derives the default seed, as in the file. On success returns 0 and fills
 * *out (owned: free it with mp_deployment_free) with the fixed fields (index, ops, listen) copied from
 * cur, and *kept. Returns
 * -1 with err filled when the update is invalid: nothing is changed. */
int mp_admin_build(const mp_deployment_t *cur, uint64_t scenario_seed, mp_admin_op_t op, const char *body, size_t len,
                   mp_deployment_t *out, mp_admin_kept_t *kept, cm_err_t *err);

#endif
