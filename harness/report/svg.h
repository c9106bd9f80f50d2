/* harness/report/svg.h — inline SVG charts for the HTML report, and the HTML/XML escaping every piece of
 * text in that report goes through. Everything is appended to a cm_buf_t; nothing here does I/O. */
#ifndef HX_SVG_H
#define HX_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

/* The longest piece of outside text (a name, a label, a message) the report copies, in bytes of input;
 * longer text is cut at a character boundary and ends with an ellipsis. */
#define HX_HTML_MAX_TEXT 512
/* Spans shaded on a chart; more are ignored (and the report says how many). */
#define HX_SVG_MAX_BANDS 64
/* Series drawn on one chart, and points per series; more are ignored. */
#define HX_SVG_MAX_SERIES 24
#define HX_SVG_MAX_POINTS 4096

/* A span of the run to shade on every chart over time (a fault window): seconds since the run's start.
 * The label is outside text (escaped, bounded by HX_HTML_MAX_TEXT). */
typedef struct hx_report_window {
    double start_s, end_s;
    const char *label;
} hx_report_window_t;

/* Appends s escaped for HTML text or a quoted attribute, also valid XML 1.0: & < > " ' become entities,
 * control characters other than tab and newline and bytes that are not well-formed UTF-8 become '?'. At
 * most max_bytes of s are read (0: HX_HTML_MAX_TEXT); a longer s ends with an ellipsis. NULL appends
 * nothing. */
void hx_html_escape(cm_buf_t *b, const char *s, size_t max_bytes);
/* Length of the character at s (s < end) as XML 1.0 and a UTF-8 page take it: a well-formed UTF-8 sequence
 * (no overlong form, surrogate or lead byte past U+10FFFF) other than U+FFFE and U+FFFF; 0 when the byte at s
 * does not start one. */
size_t hx_xml_char_len(const unsigned char *s, const unsigned char *end);

typedef struct hx_svg_series {
    const char *name;  /* legend text (escaped) */
    const char *color; /* a CSS colour from code, never from input */
    const double *x, *y;
    size_t n;    /* a non-finite y is a gap in the line */
    bool dashed; /* drawn dashed (targets, references) */
} hx_svg_series_t;

typedef struct hx_svg_chart {
    const char *id;    /* element id, from code */
    const char *title; /* escaped */
    const char *unit;  /* of the y axis: "req/s", "ms" (escaped) */
    double x_max;      /* the x axis runs from 0 to x_max seconds */
    const hx_svg_series_t *series;
    size_t nseries;
    const hx_report_window_t *bands;
    size_t nbands;
} hx_svg_chart_t;

/* A line chart over time: y from 0 to a rounded maximum, x in seconds with time labels ("90s", "2m",
 * "1h30m"), the bands shaded behind the lines with their labels, a legend below. A chart without a finite
 * point says "no data". */
void hx_svg_line_chart(cm_buf_t *b, const hx_svg_chart_t *c);

typedef struct hx_svg_bar {
    const char *label; /* escaped */
    double share;      /* 0..1, the bar's length */
    const char *note;  /* text after the bar ("41.2%, 1,234 requests"), escaped */
} hx_svg_bar_t;

/* Horizontal bars, one row per bar, lengths proportional to share. */
void hx_svg_bar_chart(cm_buf_t *b, const char *id, const char *title, const hx_svg_bar_t *bars, size_t n);

#endif
