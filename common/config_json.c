/* cm_conf_write_json: a loaded YAML (or JSON) tree written back as JSON text, so that a reader's input can
 * be shown, stored and read again by the same reader (the mock's admin API keeps each deployment as the
 * text it was configured with). */
#include <string.h>

#include "common/config.h"
#include "common/json.h"

/* An unquoted scalar is written as a JSON number or boolean when it is one, else as a string: `80ms` stays
 * "80ms", `100` stays 100, `true` stays true, and reading the JSON back gives the same values. */
static bool json_number(const char *s)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    if (*p == '0' && p[1] >= '0' && p[1] <= '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

static void write_scalar(cm_buf_t *b, const cm_node_t *n)
{
    const char *s = n->str != NULL ? n->str : "";
    if (!n->quoted && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0 || json_number(s))) {
        cm_buf_puts(b, s);
        return;
    }
    cm_json_escape(b, s, strlen(s));
}

static int write_node(cm_buf_t *b, const cm_node_t *n, int depth, size_t max)
{
    if (depth > CM_CONF_JSON_MAX_DEPTH || b->len > max)
        return -1;
    if (n == NULL || n->type == CM_NODE_NULL) {
        cm_buf_puts(b, "null");
        return 0;
    }
    if (n->type == CM_NODE_SCALAR) {
        write_scalar(b, n);
        return 0;
    }
    bool map = n->type == CM_NODE_MAP;
    cm_buf_putc(b, map ? '{' : '[');
    for (size_t i = 0; i < n->n; i++) {
        if (i > 0)
            cm_buf_puts(b, ", ");
        if (map) {
            const char *k = n->keys[i]->str != NULL ? n->keys[i]->str : "";
            cm_json_escape(b, k, strlen(k));
            cm_buf_puts(b, ": ");
        }
        if (write_node(b, n->items[i], depth + 1, max) != 0)
            return -1;
    }
    cm_buf_putc(b, map ? '}' : ']');
    return b->len > max ? -1 : 0;
}

int cm_conf_write_json(cm_buf_t *b, const cm_node_t *n, size_t max)
{
    size_t start = b->len;
    if (write_node(b, n, 0, start + max) != 0) {
        b->len = start;
        if (b->data != NULL)
            b->data[start] = '\0';
        return -1;
    }
    return 0;
}
