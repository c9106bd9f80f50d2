/* common/log.h — leveled logging to stderr. Not for hot paths: callers check cm_log_enabled first when
 * formatting is costly. Thread-safe (one write(2) per line). */
#ifndef CM_LOG_H
#define CM_LOG_H

typedef enum cm_log_level {
    CM_LOG_ERROR = 0,
    CM_LOG_WARN = 1,
    CM_LOG_INFO = 2,
    CM_LOG_DEBUG = 3,
} cm_log_level_t;

void cm_log_set_level(cm_log_level_t level);
int cm_log_enabled(cm_log_level_t level);
/* Parses "error", "warn", "info" or "debug"; returns -1 for anything else. */
int cm_log_parse_level(const char *s, cm_log_level_t *out);
void cm_log(cm_log_level_t level, const char *component, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
