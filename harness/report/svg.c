/* harness/report/svg.c — inline SVG charts and escaping for the HTML report.
 *
 * The charts are plain SVG 1.1 elements written as well-formed XML (every element closed, every attribute
 * quoted), so the same bytes render inline in HTML and parse as XML. No script, font or stylesheet is
 * referenced: the report must open offline, years later, from a CI artifact. Coordinates are printed with
 * one decimal; every value drawn is checked to be finite first, because a NAN printed into a path makes a
 * browser drop the whole path. */
#include "harness/report/svg.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "common/json.h"

#define W 960.0
#define H 300.0
#define PAD_L 70.0
#define PAD_R 20.0
#define PAD_T 34.0
#define PAD_B 64.0
#define PLOT_W (W - PAD_L - PAD_R)
#define PLOT_H (H - PAD_T - PAD_B)
/* The highest y a chart scales to; larger values are drawn at the top edge. It keeps the tick arithmetic
 * finite whatever a series holds. */
#define Y_LIMIT 1e15
/* Grid lines per axis at most (the scales aim at about 5 to 8). */
#define MAX_TICKS 64

/* ---- escaping --------------------------------------------------------------------------------------- */

size_t hx_xml_char_len(const unsigned char *s, const unsigned char *end)
{
    size_t n = cm_json_utf8_len(s, end);
    return n == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe ? 0 : n; /* U+FFFE, U+FFFF */
}

static const char *entity(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

void hx_html_escape(cm_buf_t *b, const char *s, size_t max_bytes)
{
    if (s == NULL)
        return;
    size_t len = strlen(s), cap = max_bytes > 0 ? max_bytes : HX_HTML_MAX_TEXT;
    size_t end = len < cap ? len : cap;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < end;) {
        if (u[i] >= 0x80) {
            size_t n = hx_xml_char_len(u + i, u + len);
            if (n > 0 && i + n > end)
                break; /* a character cut by the bound is dropped, not split */
            if (n > 0)
                cm_buf_append(b, u + i, n);
            else
                cm_buf_putc(b, '?');
            i += n > 0 ? n : 1;
            continue;
        }
        const char *ent = entity(u[i]);
        if (ent != NULL)
            cm_buf_puts(b, ent);
        else
            cm_buf_putc(b, u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' ? '?' : (char)u[i]);
        i++;
    }
    if (end < len)
        cm_buf_puts(b, "\xe2\x80\xa6"); /* U+2026 HORIZONTAL ELLIPSIS */
}

/* ---- scales ----------------------------------------------------------------------------------------- */

/* The smallest 1, 2, 2.5 or 5 times a power of ten that is >= v (v > 0). */
static double nice_step(double v)
{
    double p = pow(10, floor(log10(v)));
    static const double m[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
        if (m[i] * p >= v)
            return m[i] * p;
    return 10 * p;
}

static double time_step(double x_max)
{
    static const double steps[] = {1,    2,    5,    10,    15,    30,    60,    120,    300,    600,   900,
                                   1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 432000, 864000};
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (x_max / steps[i] <= 8)
            return steps[i];
    return nice_step(x_max / 8);
}

static void fmt_time(cm_buf_t *b, double s)
{
    long v = lround(s);
    if (v < 60)
        cm_buf_printf(b, "%lds", v);
    else if (v < 3600)
        cm_buf_printf(b, v % 60 ? "%ldm%02lds" : "%ldm", v / 60, v % 60);
    else if (v < 86400 * 2)
        cm_buf_printf(b, v % 3600 / 60 ? "%ldh%02ldm" : "%ldh", v / 3600, v % 3600 / 60);
    else
        cm_buf_printf(b, "%.1fd", s / 86400);
}

static void fmt_value(cm_buf_t *b, double v, double step)
{
    if (v >= 1e6)
        cm_buf_printf(b, "%.4gM", v / 1e6);
    else if (v >= 1e4)
        cm_buf_printf(b, "%.4gk", v / 1e3);
    else
        cm_buf_printf(b, step >= 1 ? "%.0f" : step >= 0.1 ? "%.1f" : "%.3g", v);
}

typedef struct scale {
    double x_max, y_max, y_step;
} scale_t;

static double sx(const scale_t *s, double x)
{
    double v = PAD_L + PLOT_W * (x / s->x_max);
    return fmin(fmax(v, PAD_L), PAD_L + PLOT_W);
}

static double sy(const scale_t *s, double y)
{
    double v = PAD_T + PLOT_H * (1 - y / s->y_max);
    return fmin(fmax(v, PAD_T), PAD_T + PLOT_H);
}

/* The y range covers every finite point; returns false when there is none. */
static bool make_scale(scale_t *s, const hx_svg_chart_t *c)
{
    double top = 0;
    bool any = false;
    for (size_t i = 0; i < c->nseries && i < HX_SVG_MAX_SERIES; i++)
        for (size_t k = 0; k < c->series[i].n && k < HX_SVG_MAX_POINTS; k++)
            if (isfinite(c->series[i].y[k]) && isfinite(c->series[i].x[k])) {
                top = fmin(fmax(top, c->series[i].y[k]), Y_LIMIT);
                any = true;
            }
    s->x_max = isfinite(c->x_max) && c->x_max > 0 ? fmin(c->x_max, Y_LIMIT) : 1;
    s->y_step = nice_step(top > 0 ? top / 5 : 0.2);
    s->y_max = s->y_step * ceil((top > 0 ? top : 1) / s->y_step);
    return any;
}

/* ---- line chart ------------------------------------------------------------------------------------- */

static void axes(cm_buf_t *b, const scale_t *s, const hx_svg_chart_t *c)
{
    cm_buf_puts(b, "<g class=\"grid\">");
    for (int i = 0; i <= MAX_TICKS && (double)i * s->y_step <= s->y_max * 1.0001; i++) {
        double y = (double)i * s->y_step;
        cm_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", PAD_L, sy(s, y), PAD_L + PLOT_W,
                      sy(s, y));
        cm_buf_printf(b, "<text class=\"yl\" x=\"%.1f\" y=\"%.1f\">", PAD_L - 6, sy(s, y) + 4);
        fmt_value(b, y, s->y_step);
        cm_buf_puts(b, "</text>");
    }
    double step = time_step(s->x_max);
    for (int i = 0; i <= MAX_TICKS && (double)i * step <= s->x_max * 1.0001; i++) {
        double x = (double)i * step;
        cm_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", sx(s, x), PAD_T, sx(s, x),
                      PAD_T + PLOT_H);
        cm_buf_printf(b, "<text class=\"xl\" x=\"%.1f\" y=\"%.1f\">", sx(s, x), PAD_T + PLOT_H + 16);
        fmt_time(b, x);
        cm_buf_puts(b, "</text>");
    }
    cm_buf_puts(b, "</g>");
    cm_buf_printf(b, "<text class=\"unit\" x=\"%.1f\" y=\"%.1f\">", PAD_L - 6, PAD_T - 10);
    hx_html_escape(b, c->unit, 32);
    cm_buf_puts(b, "</text>");
}

static void bands(cm_buf_t *b, const scale_t *s, const hx_svg_chart_t *c)
{
    for (size_t i = 0; i < c->nbands && i < HX_SVG_MAX_BANDS; i++) {
        const hx_report_window_t *w = &c->bands[i];
        if (!isfinite(w->start_s) || !isfinite(w->end_s) || w->end_s < w->start_s)
            continue;
        double x0 = sx(s, w->start_s), x1 = sx(s, w->end_s);
        cm_buf_printf(b, "<g class=\"band\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>", x0,
                      PAD_T, fmax(x1 - x0, 1), PLOT_H);
        hx_html_escape(b, w->label, 0);
        cm_buf_printf(b, "</title></rect><text x=\"%.1f\" y=\"%.1f\">", x0 + 3, PAD_T + 12);
        hx_html_escape(b, w->label, 40);
        cm_buf_puts(b, "</text></g>");
    }
}

static void line(cm_buf_t *b, const scale_t *s, const hx_svg_series_t *se)
{
    cm_buf_printf(b, "<path class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s d=\"", se->color,
                  se->dashed ? " stroke-dasharray=\"6 4\"" : "");
    bool pen = false;
    size_t drawn = 0;
    for (size_t k = 0; k < se->n && k < HX_SVG_MAX_POINTS; k++) {
        if (!isfinite(se->y[k]) || !isfinite(se->x[k])) {
            pen = false;
            continue;
        }
        cm_buf_printf(b, "%s%c%.1f %.1f", drawn ? " " : "", pen ? 'L' : 'M', sx(s, se->x[k]), sy(s, se->y[k]));
        pen = true;
        drawn++;
    }
    /* A lone point between gaps would be invisible as a path of one move: a short stroke shows it. */
    cm_buf_puts(b, drawn == 1 ? " h1" : "");
    cm_buf_puts(b, "\"/>");
}

static void legend(cm_buf_t *b, const hx_svg_chart_t *c)
{
    double x = PAD_L, y = H - 14;
    for (size_t i = 0; i < c->nseries && i < HX_SVG_MAX_SERIES; i++) {
        const hx_svg_series_t *se = &c->series[i];
        if (x > W - 120) { /* wrap onto a second row rather than run off the chart */
            x = PAD_L;
            y += 16;
        }
        cm_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"4\" fill=\"%s\"/>", x, y - 5, se->color);
        cm_buf_printf(b, "<text class=\"lg\" x=\"%.1f\" y=\"%.1f\">", x + 16, y);
        hx_html_escape(b, se->name, 40);
        cm_buf_puts(b, "</text>");
        size_t chars = se->name != NULL ? strlen(se->name) : 0;
        x += 40 + 7.0 * (double)(chars < 40 ? chars : 40); /* about 7 px a character at 12 px sans-serif */
    }
}

void hx_svg_line_chart(cm_buf_t *b, const hx_svg_chart_t *c)
{
    scale_t s;
    bool any = make_scale(&s, c);
    size_t rows = c->nseries > 6 ? 2 : 1;
    cm_buf_printf(b,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"%s\" viewBox=\"0 0 %.0f %.0f\" "
                  "width=\"%.0f\" height=\"%.0f\" role=\"img\"><title>",
                  c->id, W, H + 16.0 * (double)(rows - 1), W, H + 16.0 * (double)(rows - 1));
    hx_html_escape(b, c->title, 0);
    cm_buf_puts(b, "</title>");
    cm_buf_printf(b, "<text class=\"ct\" x=\"%.1f\" y=\"16\">", PAD_L);
    hx_html_escape(b, c->title, 120);
    cm_buf_puts(b, "</text>");
    bands(b, &s, c);
    axes(b, &s, c);
    for (size_t i = 0; i < c->nseries && i < HX_SVG_MAX_SERIES; i++)
        line(b, &s, &c->series[i]);
    if (!any)
        cm_buf_printf(b, "<text class=\"nodata\" x=\"%.1f\" y=\"%.1f\">no data</text>", PAD_L + PLOT_W / 2,
                      PAD_T + PLOT_H / 2);
    legend(b, c);
    cm_buf_puts(b, "</svg>\n");
}

/* ---- bar chart -------------------------------------------------------------------------------------- */

void hx_svg_bar_chart(cm_buf_t *b, const char *id, const char *title, const hx_svg_bar_t *bars, size_t n)
{
    const double row = 24, label_w = 240, bar_w = 440;
    double h = 34 + row * (double)n + 8;
    cm_buf_printf(b,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"%s\" viewBox=\"0 0 %.0f %.0f\" "
                  "width=\"%.0f\" height=\"%.0f\" role=\"img\"><title>",
                  id, W, h, W, h);
    hx_html_escape(b, title, 0);
    cm_buf_puts(b, "</title><text class=\"ct\" x=\"10\" y=\"16\">");
    hx_html_escape(b, title, 120);
    cm_buf_puts(b, "</text>");
    for (size_t i = 0; i < n; i++) {
        double y = 34 + row * (double)i, share = isfinite(bars[i].share) ? fmin(fmax(bars[i].share, 0), 1) : 0;
        cm_buf_printf(b, "<text class=\"bl\" x=\"%.1f\" y=\"%.1f\">", label_w, y + 14);
        hx_html_escape(b, bars[i].label, 48);
        cm_buf_printf(b, "</text><rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"16\"/>", label_w + 8,
                      y + 2, fmax(bar_w * share, 1));
        cm_buf_printf(b, "<text class=\"lg\" x=\"%.1f\" y=\"%.1f\">", label_w + 16 + bar_w * share, y + 14);
        hx_html_escape(b, bars[i].note, 120);
        cm_buf_puts(b, "</text>");
    }
    cm_buf_puts(b, "</svg>\n");
}
