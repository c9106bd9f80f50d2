/* mock-provider/faults.h — applying a deployment's request faults (faults/fault.h) to one request, after it
 * has been routed, authenticated and parsed and before its answer is planned.
 *
 * Applied in this build: conn_limit (per HTTP/1.1 connection), http_error (the provider's error body for the status,
 * with Retry-After when set), stall before the headers (then the normal answer, later by the stall; or a FIN or RST
 * when it ends), close and reset before the headers, and malformed (the body, or a stream's first event, is not valid
 * JSON). Every fault applied is counted in mock_faults_total{deployment,kind} and, where a response exists, named in
 * its x-mock-fault header (the fault's name, or its kind when unnamed). */
#ifndef MP_FAULTS_H
#define MP_FAULTS_H

#include <stdbool.h>

#include "mock-provider/run.h"

/* Request header that asks for a named fault (docs/faults.md). */
#define MP_FAULT_HEADER "x-mock-fault"

/* conn_limit faults: counts the request on its HTTP/1.1 connection and, when the connection has served its
 * limit of requests or reached its age, answers this request with "Connection: close" and closes the
 * connection after it (a clean FIN once the response is out), as a server with a keep-alive limit does.
 * HTTP/2 connections are not limited by this build. */
void mp_faults_connection(mp_run_t *run);

/* Picks the fault for run's request and applies it. Returns true when the fault answered (or will cut) the
 * request, so the caller must not start the normal answer; false when the normal answer follows (no fault,
 * or one that only changes it: a stall that resumes, malformed). */
bool mp_faults_apply(mp_run_t *run);

#endif
