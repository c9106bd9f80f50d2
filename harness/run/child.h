/* harness/run/child.h — the processes `soak run` starts (the mock, services, a gateway): started in their
 * own process group with their output in a log file, waited for until ready, watched while the load runs,
 * and stopped by PID (the whole group) when the run ends, whatever way it ends.
 *
 * No orphan: each child asks the kernel for SIGKILL when soak dies (PR_SET_PDEATHSIG), so even a soak
 * killed with SIGKILL leaves no mock or service behind; grandchildren a child starts itself are reached by
 * stopping the child's process group. */
#ifndef HX_CHILD_H
#define HX_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How long a stopped child gets after SIGTERM before SIGKILL. */
#define HX_CHILD_STOP_NS (5ull * 1000 * 1000 * 1000)
/* Most bytes of a log read when looking for a ready line or showing the last lines. */
#define HX_CHILD_LOG_SCAN (1u << 20)
/* Lines of a child's log quoted when it fails. */
#define HX_CHILD_TAIL_LINES 8

typedef struct hx_child {
    char name[64];  /* "mock-provider", "service redis" */
    char log[4096]; /* path of its stdout + stderr */
    pid_t pid;      /* 0 when not started or already reaped */
    int status;     /* wait status once reaped */
    bool exited;
    off_t scanned; /* hx_child_log_has: the log before this offset held no match (only new bytes are read) */
} hx_child_t;

/* Starts argv[0] (looked up in PATH when it has no '/') with stdout and stderr appended to log. Returns 0, or
 * -1 with err filled (the log cannot be opened, fork failed). A program that cannot be executed exits 127
 * with the reason in its log; hx_child_wait_ready reports it. */
int hx_child_start(hx_child_t *c, const char *name, char *const argv[], const char *log, char *err, size_t errlen);

/* True while the child runs; reaps it (and records its status) once it has exited. */
bool hx_child_alive(hx_child_t *c);

/* Describes how the child ended ("exited with status 1", "was killed by signal 9"), for messages. */
const char *hx_child_describe(const hx_child_t *c, char *out, size_t cap);

/* Appends the last lines of the child's log to out (each indented), or nothing when the log is empty. */
void hx_child_tail(const hx_child_t *c, char *out, size_t cap);

/* A readiness check, called until it returns true or the deadline passes. */
typedef bool (*hx_ready_fn)(void *ctx, hx_child_t *c);

/* Waits (polling every few milliseconds) until ready(ctx, c) is true. Returns 0; or -1 with err filled when
 * the child exits first, when timeout_ns passes, or when SIGINT or SIGTERM arrives (they must be blocked in
 * the calling thread; *interrupted is then set). */
int hx_child_wait_ready(hx_child_t *c, hx_ready_fn ready, void *ctx, uint64_t timeout_ns, bool *interrupted, char *err,
                        size_t errlen);

/* Ready checks: a TCP connect to 127.0.0.1 (or ::1) port succeeds; the log contains a line. */
bool hx_ready_tcp(const char *host, uint16_t port);
bool hx_child_log_has(hx_child_t *c, const char *text);
/* The start of the child's log (up to HX_CHILD_LOG_SCAN bytes), malloc'd and NUL-terminated, with its length;
 * NULL when it cannot be read. */
char *hx_child_read_log(const hx_child_t *c, size_t *len);

/* Stops the child's process group: SIGTERM, up to HX_CHILD_STOP_NS for the child to exit, then SIGKILL;
 * reaps it. Safe on a child that already exited or never started. */
void hx_child_stop(hx_child_t *c);

/* Runs argv to completion (a short command such as `mock-provider --check`), with stdout and stderr
 * collected into out (NUL-terminated; what does not fit in cap is read and dropped). Waits up to timeout_ns,
 * then kills it. Returns its exit status (0..255), 128 + signal when a signal ended it, or -1 with out set
 * to the reason when it could not be run or timed out. */
int hx_child_run(char *const argv[], char *out, size_t cap, uint64_t timeout_ns);

/* A free TCP port on host (the kernel's pick for port 0; the socket is closed again, so another process could
 * take it first: the window is the few milliseconds before the child binds it). Returns 0 on failure. */
uint16_t hx_free_port(const char *host);

#endif
