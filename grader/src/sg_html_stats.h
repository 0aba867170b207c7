/*
 * sg_html_stats.h — the class's numbers as charts on the class page: the
 * distribution of totals, each lab's distribution, and every test's pass
 * rate, lowest first, by lab.
 *
 * The totals and the pass rates are summary.json's; a lab's distribution
 * counts the students the summary counts for that lab (every one whose lab
 * the grader could grade), a lab that was not graded (missing, not
 * compiling, refused) as 0, hatched apart from those whose tests ran.
 */
#ifndef SG_HTML_STATS_H
#define SG_HTML_STATS_H

#include "sg_html_class.h"
#include "sg_html_mistakes.h"

/* The bins of both distributions: tenths of the maximum, 100 % alone. */
#define SG_HTML_BINS 11
/* Which bin a percentage falls in. */
int sg_html_bin(double percent);

/* The histogram of totals, with the class's mean, median and range. */
void sg_html_totals(struct sg_html *h, xmlNodePtr parent, const struct sg_html_class *c);

/* The section "Labs": a histogram per lab and how many were not graded, and why. */
void sg_html_labs(struct sg_html *h, xmlNodePtr parent, const struct sg_html_class *c);

/* The section "Tests": a bar per test, linked to its common mistakes where it has any. */
void sg_html_rates(struct sg_html *h, xmlNodePtr parent, const struct sg_html_class *c,
                   const struct sg_mistakes *m);

#endif
