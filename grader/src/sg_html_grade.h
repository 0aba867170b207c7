/*
 * sg_html_grade.h — a student's grade.json (sg_report_grade.c) read back
 * into the results model, so that the batch's pages are written from the
 * same model as the text report, whether the student was graded in this
 * run or left as they were in an earlier one.
 */
#ifndef SG_HTML_GRADE_H
#define SG_HTML_GRADE_H

#include <jansson.h>

#include "sg_results.h"
#include "sg_text.h"

/*
 * Fills g from root, a grade.json as sg_report_grade writes it: 0, or -1
 * with what is wrong in err (and g empty). Free g with sg_grade_free.
 */
int sg_html_grade_read(json_t *root, struct sg_grade *g, struct sg_buf *err);

#endif
