/* harness/report/webhook.h — the end-of-run webhook: one POST of a Slack-compatible message (`text` for
 * clients that read only that, and `blocks`: a header and fields with the verdict, duration, requests, failure
 * rate, latency p50/p95/p99 and when the first failure happened), so a CI channel or any receiver hears how
 * a run ended. Set with `report: {webhook: URL}` or `--webhook URL`; a webhook that fails is reported and
 * changes nothing else (the verdict and the files stand). */
#ifndef HX_WEBHOOK_H
#define HX_WEBHOOK_H

#include <stddef.h>

#include "common/buf.h"
#include "harness/report/report.h"

#define HX_WEBHOOK_TIMEOUT_MS 10000L

/* Writes the message for rep into b. first_failure_s is the time into the run of the first failed request,
 * negative when none failed. */
void hx_webhook_body(cm_buf_t *b, const hx_report_t *rep, double first_failure_s);

/* POSTs body (JSON) to url. Returns 0 on a 2xx answer, else -1 with err ("http://...: 404"). */
int hx_webhook_post(const char *url, const char *body, size_t len, char *err, size_t errlen);

#endif
