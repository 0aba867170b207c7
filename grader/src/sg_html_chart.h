/*
 * sg_html_chart.h — the pages' charts, as inline SVG built with libxml2
 * like the rest of the page (SVG namespace, text escaped by the
 * serialiser).
 *
 * Readable without colour: every bar carries its number, a second series
 * is hatched rather than told by hue, and each chart and bar has a title
 * (a tooltip, and what a screen reader says). Charts scale to their box
 * (a viewBox, or lengths in percent), so they fit a phone's width.
 */
#ifndef SG_HTML_CHART_H
#define SG_HTML_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "sg_html_page.h"

/* One bar of a histogram: its label, and how many fall in it per series, stacked. */
struct sg_bin {
    const char *label;   /* under the bar: "40-49" */
    int count[2];        /* [0] solid, at the bottom; [1] hatched, above it */
};

struct sg_histogram {
    const char *title;     /* what it shows, e.g. "Totals of the 20 students graded" */
    const char *axis;      /* under the labels: "total (% of the maximum)" */
    const char *unit;      /* what is counted: "student" (plural adds "s") */
    const char *series[2]; /* what each series is, for the bars' titles; series[1] NULL: one */
    const struct sg_bin *bins;
    size_t nbins;
};

/* The patterns the charts use (one hidden <svg> per page, before any chart). */
xmlNodePtr sg_chart_defs(struct sg_html *h, xmlNodePtr parent);

/* A histogram appended to parent; the <svg> or NULL (the page records why). */
xmlNodePtr sg_chart_histogram(struct sg_html *h, xmlNodePtr parent, const struct sg_histogram *c);

/* A bar as wide as its box: passed of total solid, the rest hatched; title says it in words. */
xmlNodePtr sg_chart_rate(struct sg_html *h, xmlNodePtr parent, int passed, int total,
                         const char *title);

/* A legend's sample of a series: solid or hatched. */
xmlNodePtr sg_chart_swatch(struct sg_html *h, xmlNodePtr parent, bool hatched);

#endif
