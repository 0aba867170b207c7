/* sg_report.h — write a grade as a text report or as Gradescope's results.json. */
#ifndef SG_REPORT_H
#define SG_REPORT_H

#include <stdio.h>

#include "sg_results.h"

/* Each returns 0, or -1 with errno set when writing failed. */
int sg_report_text(const struct sg_grade *g, FILE *out);
int sg_report_json(const struct sg_grade *g, FILE *out);

/* "01-shared-buffer: map_shared": every platform's name for a test. */
char *sg_report_test_name(const struct sg_lab_result *lab, const struct sg_test_result *t);
/* The failure explained in a few lines (observed/expected/hint, output); malloc'ed. */
char *sg_report_test_details(const struct sg_test_result *t);

#endif
