/* tests/fuzz/http_template_fuzz.c — the parsers of an `api: http` template on arbitrary text: the body template
 * (raw and JSON-escaped), its rendering, which must never pass the length hx_tmpl_max_len promised, the
 * expect_status list and the path check. */
#include "harness/engine/httpreq.h"
#include "harness/engine/template.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render_within(const hx_tmpl_t *t)
{
    cm_rng_t rng;
    cm_buf_t b = CM_BUF_INIT;
    cm_rng_seed(&rng, 1);
    hx_tmpl_render(t, &b, &rng, UINT64_MAX);
    if (b.len > hx_tmpl_max_len(t))
        abort();
    cm_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    char err[256];
    hx_tmpl_t t;
    if (hx_tmpl_compile_raw(&t, s, err, sizeof(err)) == 0) {
        render_within(&t);
        hx_tmpl_free(&t);
    }
    if (hx_tmpl_compile(&t, s, err, sizeof(err)) == 0) {
        render_within(&t);
        hx_tmpl_free(&t);
    }
    hx_status_set_t set;
    if (hx_status_set_parse(&set, s, err, sizeof(err)) == 0 && set.nitems > HX_HTTP_STATUS_ITEMS_MAX)
        abort();
    (void)hx_http_check_path(s, err, sizeof(err));
    free(s);
    return 0;
}
