/* common/hist_json.h — a cm_hist_t as JSON and back: the exact, sparse form in which a run's summary exports
 * its histograms, so that runs sharded across machines can be merged bucket by bucket (docs/json-summary.md,
 * "histograms").
 *
 * The layout object names the bucket scheme once for a set of histograms:
 *   {"scheme": "log-linear", "sub_bits": 8, "max": 4294967295, "bucket_count": 3328}
 * and each histogram lists only its non-empty buckets, in ascending order, each with its inclusive bounds:
 *   {"unit": "us", "count": 3, "clamped": 0, "min": 12, "max": 905, "sum": 1217,
 *    "buckets": [[12, 12, 1], [300, 301, 1], [904, 907, 1]]}
 * so a consumer needs nothing of SoakRig to read one, and at most CM_HIST_NBUCKETS entries are written. */
#ifndef CM_HIST_JSON_H
#define CM_HIST_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "common/hist.h"
#include "common/json.h"

/* The scheme's name in the layout object. */
#define CM_HIST_JSON_SCHEME "log-linear"

/* Writes the layout object of this build's histograms as the next value of w. */
void cm_hist_json_write_layout(cm_jw_t *w);
/* Writes h as the next value of w: unit (a name for what the values count, "us" for microseconds), count,
 * clamped, min and max (null when empty), sum, and the non-empty buckets as [low, high, count]. */
void cm_hist_json_write(cm_jw_t *w, const cm_hist_t *h, const char *unit);

/* Checks that token layout of d is a layout object describing this build's layout (extra members are
 * ignored). Token 0, cm_json_get's "absent", is missing. Returns 0, or -1 with a one-line reason in err naming
 * the member and its byte offset. */
int cm_hist_json_check_layout(const cm_json_doc_t *d, uint32_t layout, char *err, size_t errlen);
/* Reads the histogram object at token obj of d into h (which it initialises), after checking layout as
 * cm_hist_json_check_layout does. unit, when not NULL, is the unit the histogram must have. Everything is
 * validated: each bucket is exactly one of this layout, buckets ascend, no count is 0, counts sum to count
 * without overflow, min and max lie in the first and the last bucket, clamped values are in the top bucket,
 * sum lies between count x min and count x max. Integers above 2^63-1 are refused. Members it does not know
 * are ignored (the summary only ever adds fields). Returns 0, or -1 with h empty and a one-line reason in err
 * that names the member (relative to obj: "buckets[3]", "layout.sub_bits") and its byte offset in d; the
 * caller prefixes where obj is. */
/* obj 0 (cm_json_get's "absent") is missing, so a histogram is never the root of d. */
int cm_hist_from_json(const cm_json_doc_t *d, uint32_t layout, uint32_t obj, const char *unit, cm_hist_t *h, char *err,
                      size_t errlen);

#endif
