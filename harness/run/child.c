#include "harness/run/child.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/net.h"

/* How often a wait looks at the child, its readiness and the signals. */
#define POLL_NS (20ull * CM_NS_PER_MS)

/* In the child, between fork and exec: only async-signal-safe calls. */
static void exec_child(char *const argv[], int log_fd, pid_t parent)
{
    sigset_t none;
    sigemptyset(&none);
    setpgid(0, 0);
    /* The parent blocks SIGINT and SIGTERM and ignores SIGPIPE; a blocked mask and an ignored signal survive
     * exec, so the child would not stop on SIGTERM or would see EPIPE where it expects to die. */
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(126); /* soak is already gone: do not start at all */
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0)
        dup2(in, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execvp(argv[0], argv);
    const char *why = strerror(errno);
    (void)!write(STDERR_FILENO, "soak run: cannot execute ", 25);
    (void)!write(STDERR_FILENO, argv[0], strlen(argv[0]));
    (void)!write(STDERR_FILENO, ": ", 2);
    (void)!write(STDERR_FILENO, why, strlen(why));
    (void)!write(STDERR_FILENO, "\n", 1);
    _exit(127);
}

int hx_child_start(hx_child_t *c, const char *name, char *const argv[], const char *log, char *err, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s", name);
    snprintf(c->log, sizeof(c->log), "%s", log);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644); /* a rerun into one report dir starts afresh */
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open its log %s: %s", name, log, strerror(errno));
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0)
        exec_child(argv, fd, parent);
    int saved = errno;
    close(fd);
    if (pid < 0) {
        snprintf(err, errlen, "%s: fork failed: %s", name, strerror(saved));
        return -1;
    }
    setpgid(pid, pid); /* also here, so that a stop right after the fork reaches the group */
    c->pid = pid;
    return 0;
}

bool hx_child_alive(hx_child_t *c)
{
    if (c->pid == 0 || c->exited)
        return false;
    int st;
    pid_t r = waitpid(c->pid, &st, WNOHANG);
    if (r == 0)
        return true;
    if (r == c->pid) {
        c->status = st;
        c->exited = true;
        kill(-c->pid, SIGKILL); /* what it started itself, if anything is left in its group */
    }
    return false;
}

const char *hx_child_describe(const hx_child_t *c, char *out, size_t cap)
{
    if (!c->exited)
        snprintf(out, cap, "is running");
    else if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 127)
        snprintf(out, cap, "could not be executed (status 127)");
    else if (WIFEXITED(c->status))
        snprintf(out, cap, "exited with status %d", WEXITSTATUS(c->status));
    else if (WIFSIGNALED(c->status))
        snprintf(out, cap, "was killed by signal %d (%s)", WTERMSIG(c->status), strsignal(WTERMSIG(c->status)));
    else
        snprintf(out, cap, "ended (wait status %#x)", (unsigned)c->status);
    return out;
}

/* Reads up to HX_CHILD_LOG_SCAN bytes of the log from offset `from` (-1: its last HX_CHILD_LOG_SCAN bytes).
 * Returns a malloc'd, NUL-terminated buffer (NULL when the log cannot be read) and its length. */
static char *read_log(const hx_child_t *c, off_t from, size_t *len)
{
    int fd = open(c->log, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    off_t start = from >= 0 ? from : 0;
    if (from < 0 && fstat(fd, &st) == 0 && st.st_size > (off_t)HX_CHILD_LOG_SCAN)
        start = st.st_size - (off_t)HX_CHILD_LOG_SCAN;
    char *buf = malloc(HX_CHILD_LOG_SCAN + 1);
    ssize_t n = buf != NULL ? pread(fd, buf, HX_CHILD_LOG_SCAN, start) : -1;
    close(fd);
    if (n < 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

void hx_child_tail(const hx_child_t *c, char *out, size_t cap)
{
    size_t len, used = strlen(out);
    char *buf = read_log(c, -1, &len);
    if (buf == NULL)
        return;
    while (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    size_t start = len;
    for (int lines = 0; start > 0 && lines < HX_CHILD_TAIL_LINES; start--) {
        if (buf[start - 1] == '\n' && ++lines == HX_CHILD_TAIL_LINES)
            break;
    }
    for (char *line = strtok(buf + start, "\n"); line != NULL && used + 1 < cap; line = strtok(NULL, "\n")) {
        int n = snprintf(out + used, cap - used, "\n    %s", line);
        if (n < 0)
            break;
        used += (size_t)n < cap - used ? (size_t)n : cap - used - 1;
    }
    free(buf);
}

char *hx_child_read_log(const hx_child_t *c, size_t *len)
{
    return read_log(c, 0, len);
}

bool hx_child_log_has(hx_child_t *c, const char *text)
{
    size_t len, tlen = strlen(text);
    char *buf = read_log(c, c->scanned, &len);
    bool found = buf != NULL && memmem(buf, len, text, tlen) != NULL;
    /* a match may straddle what was read and what comes next: keep its length minus one */
    if (buf != NULL && !found && len >= tlen)
        c->scanned += (off_t)(len - tlen + 1);
    free(buf);
    return found;
}

/* Sleeps up to POLL_NS, returning true at once if SIGINT or SIGTERM is pending (and consuming it). */
static bool signalled(void)
{
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    struct timespec ts = {0, (long)POLL_NS};
    int sig = sigtimedwait(&sigs, NULL, &ts);
    return sig == SIGINT || sig == SIGTERM;
}

int hx_child_wait_ready(hx_child_t *c, hx_ready_fn ready, void *ctx, uint64_t timeout_ns, bool *interrupted, char *err,
                        size_t errlen)
{
    char how[96];
    uint64_t deadline = cm_now_ns() + timeout_ns;
    for (;;) {
        if (ready(ctx, c))
            return 0;
        if (!hx_child_alive(c)) {
            snprintf(err, errlen, "%s (pid %d) %s before it was ready; the end of its log (%s):", c->name, (int)c->pid,
                     hx_child_describe(c, how, sizeof(how)), c->log);
            hx_child_tail(c, err, errlen);
            return -1;
        }
        if (cm_now_ns() >= deadline) {
            snprintf(err, errlen, "%s (pid %d) was not ready after %.1fs; the end of its log (%s):", c->name,
                     (int)c->pid, (double)timeout_ns / 1e9, c->log);
            hx_child_tail(c, err, errlen);
            return -1;
        }
        if (signalled()) {
            *interrupted = true;
            snprintf(err, errlen, "interrupted while waiting for %s", c->name);
            return -1;
        }
    }
}

bool hx_ready_tcp(const char *host, uint16_t port)
{
    struct sockaddr_storage ss;
    socklen_t len = cm_numeric_addr(host, port, &ss);
    if (len == 0)
        return false;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool ok = connect(fd, (struct sockaddr *)&ss, len) == 0;
    close(fd);
    return ok;
}

uint16_t hx_free_port(const char *host)
{
    struct sockaddr_storage ss;
    socklen_t len = cm_numeric_addr(host, 0, &ss);
    if (len == 0)
        return 0;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    uint16_t port = 0;
    if (bind(fd, (struct sockaddr *)&ss, len) == 0 && getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                             : ((struct sockaddr_in6 *)&ss)->sin6_port);
    close(fd);
    return port;
}

void hx_child_stop(hx_child_t *c)
{
    if (!hx_child_alive(c))
        return;
    kill(-c->pid, SIGTERM);
    kill(c->pid, SIGTERM); /* in case it left its group */
    uint64_t deadline = cm_now_ns() + HX_CHILD_STOP_NS;
    while (hx_child_alive(c) && cm_now_ns() < deadline) {
        struct timespec ts = {0, (long)(10 * CM_NS_PER_MS)};
        nanosleep(&ts, NULL);
    }
    if (!c->exited) {
        kill(-c->pid, SIGKILL);
        kill(c->pid, SIGKILL);
        int st;
        if (waitpid(c->pid, &st, 0) == c->pid) {
            c->status = st;
            c->exited = true;
        }
    }
}

/* Reads what the child writes to fd into out until EOF or the deadline. Returns false at the deadline. */
static bool drain_output(int fd, char *out, size_t cap, uint64_t deadline)
{
    size_t used = 0;
    char sink[4096];
    for (;;) {
        uint64_t now = cm_now_ns();
        if (now >= deadline)
            return false;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ms = (int)((deadline - now) / CM_NS_PER_MS) + 1;
        if (poll(&p, 1, ms) < 0 && errno != EINTR)
            return true;
        char *dst = used + 1 < cap ? out + used : sink;
        size_t room = used + 1 < cap ? cap - used - 1 : sizeof(sink);
        ssize_t n = read(fd, dst, room);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            return true;
        if (n > 0 && dst != sink) {
            used += (size_t)n;
            out[used] = '\0';
        }
    }
}

int hx_child_run(char *const argv[], char *out, size_t cap, uint64_t timeout_ns)
{
    int fds[2];
    out[0] = '\0';
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(out, cap, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0)
        exec_child(argv, fds[1], parent);
    close(fds[1]);
    if (pid < 0) {
        snprintf(out, cap, "fork: %s", strerror(errno));
        close(fds[0]);
        return -1;
    }
    bool done = drain_output(fds[0], out, cap, cm_now_ns() + timeout_ns);
    close(fds[0]);
    if (!done)
        kill(-pid, SIGKILL);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (!done) {
        snprintf(out, cap, "%s did not finish within %.0fs", argv[0], (double)timeout_ns / 1e9);
        return -1;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}
