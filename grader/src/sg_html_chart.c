/* sg_html_chart.c — inline SVG charts; see sg_html_chart.h. */
#include "sg_html_chart.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The <svg> root: in the SVG namespace, which its children inherit. */
static xmlNodePtr sg_svg(struct sg_html *h, xmlNodePtr parent, const char *cls)
{
    xmlNodePtr svg = sg_html_el(h, parent, "svg", NULL);
    if (svg == NULL)
        return NULL;
    xmlNsPtr ns = xmlNewNs(svg, BAD_CAST SG_SVG_NS, NULL);
    if (ns == NULL)
        return sg_html_fail(h, "xmlNewNs(svg) failed");
    xmlSetNs(svg, ns);
    sg_html_attr(h, svg, "class", cls);
    return svg;
}

/* An SVG element with numeric attributes: pairs of name and value, ending with NULL. */
static xmlNodePtr sg_shape(struct sg_html *h, xmlNodePtr parent, const char *tag, const char *cls,
                           ...)
{
    xmlNodePtr el = sg_html_el(h, parent, tag, NULL);
    sg_html_attr(h, el, "class", cls);
    va_list ap;
    va_start(ap, cls);
    for (const char *name; (name = va_arg(ap, const char *)) != NULL;) {
        double v = va_arg(ap, double);
        sg_html_attrf(h, el, name, "%.2f", v);
    }
    va_end(ap);
    return el;
}

xmlNodePtr sg_chart_defs(struct sg_html *h, xmlNodePtr parent)
{
    /* Hidden by size, not display:none: a pattern in an undisplayed
     * <svg> is not painted where it is used. */
    xmlNodePtr svg = sg_svg(h, parent, "defs");
    sg_html_attr(h, svg, "aria-hidden", "true");
    sg_html_attr(h, svg, "focusable", "false");
    xmlNodePtr defs = sg_html_el(h, svg, "defs", NULL);
    xmlNodePtr p = sg_html_el(h, defs, "pattern", NULL);
    sg_html_attr(h, p, "id", "sg-hatch");
    sg_html_attr(h, p, "patternUnits", "userSpaceOnUse");
    sg_html_attr(h, p, "width", "6");
    sg_html_attr(h, p, "height", "6");
    sg_html_attr(h, p, "patternTransform", "rotate(45)");
    sg_shape(h, p, "rect", "hatch-bg", "width", 6.0, "height", 6.0, (const char *)NULL);
    sg_shape(h, p, "line", "hatch-line", "x1", 1.0, "y1", 0.0, "x2", 1.0, "y2", 6.0,
             (const char *)NULL);
    return svg;
}

static void sg_count_words(struct sg_buf *b, int n, const char *unit)
{
    sg_buf_printf(b, "%d %s%s", n, unit, n == 1 ? "" : "s");
}

/* Geometry of a histogram, in the viewBox's units (about CSS pixels on a phone). */
enum { SG_W = 360, SG_H = 200, SG_TOP = 18, SG_BOTTOM = 38, SG_SIDE = 6 };

xmlNodePtr sg_chart_histogram(struct sg_html *h, xmlNodePtr parent, const struct sg_histogram *c)
{
    xmlNodePtr svg = sg_svg(h, parent, "chart histogram");
    sg_html_attrf(h, svg, "viewBox", "0 0 %d %d", SG_W, SG_H);
    sg_html_attr(h, svg, "role", "img");
    sg_html_attr(h, svg, "aria-label", c->title);
    sg_html_el(h, svg, "title", c->title);
    int most = 1;
    for (size_t i = 0; i < c->nbins; i++)
        if (c->bins[i].count[0] + c->bins[i].count[1] > most)
            most = c->bins[i].count[0] + c->bins[i].count[1];
    const double plot = SG_H - SG_TOP - SG_BOTTOM, base = SG_TOP + plot;
    const double step = (double)(SG_W - 2 * SG_SIDE) / (double)(c->nbins ? c->nbins : 1);
    for (size_t i = 0; i < c->nbins; i++) {
        const struct sg_bin *bin = &c->bins[i];
        int total = bin->count[0] + bin->count[1];
        double x = SG_SIDE + step * (double)i, mid = x + step / 2;
        xmlNodePtr g = sg_html_el(h, svg, "g", NULL);
        struct sg_buf what = SG_BUF_INIT;
        sg_buf_printf(&what, "%s: ", bin->label);
        sg_count_words(&what, total, c->unit);
        if (c->series[1] != NULL && total > 0)
            sg_buf_printf(&what, " (%d %s, %d %s)", bin->count[0], c->series[0], bin->count[1],
                          c->series[1]);
        sg_html_el(h, g, "title", what.data);
        sg_buf_free(&what);
        double top = base;
        for (int s = 0; s < 2; s++) {
            if (bin->count[s] == 0)
                continue;
            double height = plot * bin->count[s] / most;
            top -= height;
            sg_shape(h, g, "rect", s == 0 ? "solid" : "hatched", "x", x + step * 0.12, "y", top,
                     "width", step * 0.76, "height", height, (const char *)NULL);
        }
        if (total > 0) {
            xmlNodePtr n = sg_html_elf(h, g, "text", "%d", total);
            sg_html_attrf(h, n, "x", "%.2f", mid);
            sg_html_attrf(h, n, "y", "%.2f", top - 4);
            sg_html_attr(h, n, "text-anchor", "middle");
            sg_html_attr(h, n, "font-size", "12");
        }
        xmlNodePtr label = sg_html_el(h, g, "text", bin->label);
        sg_html_attrf(h, label, "x", "%.2f", mid);
        sg_html_attrf(h, label, "y", "%.2f", base + 14);
        sg_html_attr(h, label, "text-anchor", "middle");
        sg_html_attr(h, label, "font-size", "10");
    }
    sg_shape(h, svg, "line", "axis", "x1", (double)SG_SIDE, "y1", base, "x2",
             (double)(SG_W - SG_SIDE), "y2", base, (const char *)NULL);
    xmlNodePtr axis = sg_html_el(h, svg, "text", c->axis);
    sg_html_attrf(h, axis, "x", "%d", SG_W / 2);
    sg_html_attrf(h, axis, "y", "%d", SG_H - 5);
    sg_html_attr(h, axis, "text-anchor", "middle");
    sg_html_attr(h, axis, "font-size", "12");
    return svg;
}

xmlNodePtr sg_chart_rate(struct sg_html *h, xmlNodePtr parent, int passed, int total,
                         const char *title)
{
    /* No viewBox: lengths in percent keep the hatching square however
     * wide the bar is drawn. */
    xmlNodePtr svg = sg_svg(h, parent, "chart rate");
    sg_html_attr(h, svg, "role", "img");
    sg_html_attr(h, svg, "aria-label", title);
    sg_html_el(h, svg, "title", title);
    double share = total > 0 ? 100.0 * passed / total : 0;
    if (passed > 0) {
        xmlNodePtr r = sg_html_elc(h, svg, "rect", "solid", NULL);
        sg_html_attrf(h, r, "width", "%.2f%%", share);
        sg_html_attr(h, r, "height", "100%");
    }
    if (total > passed) {
        xmlNodePtr r = sg_html_elc(h, svg, "rect", "hatched", NULL);
        sg_html_attrf(h, r, "x", "%.2f%%", share);
        sg_html_attrf(h, r, "width", "%.2f%%", 100 - share);
        sg_html_attr(h, r, "height", "100%");
    }
    if (total == 0) {
        xmlNodePtr r = sg_html_elc(h, svg, "rect", "frame", NULL);
        sg_html_attr(h, r, "width", "100%");
        sg_html_attr(h, r, "height", "100%");
    }
    return svg;
}

xmlNodePtr sg_chart_swatch(struct sg_html *h, xmlNodePtr parent, bool hatched)
{
    xmlNodePtr svg = sg_svg(h, parent, "swatch");
    sg_html_attr(h, svg, "viewBox", "0 0 24 12");
    sg_html_attr(h, svg, "aria-hidden", "true");
    sg_shape(h, svg, "rect", hatched ? "hatched" : "solid", "x", 0.5, "y", 0.5, "width", 23.0,
             "height", 11.0, (const char *)NULL);
    return svg;
}
