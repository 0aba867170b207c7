/*
 * sg_html_glance.h — what an instructor reads first on the class page:
 * how many were graded (and who is incomplete or refused), the labs by
 * mean score and the tests by pass rate, lowest first, the commonest
 * mistake (a stub's ENOSYS is not one) with what its test said, and the
 * distribution of totals.
 */
#ifndef SG_HTML_GLANCE_H
#define SG_HTML_GLANCE_H

#include "sg_html_class.h"
#include "sg_html_mistakes.h"

/* The section "At a glance". */
void sg_html_glance(struct sg_html *h, xmlNodePtr parent, const struct sg_html_class *c,
                    const struct sg_mistakes *m);

#endif
