/*
 * sg_html_student.h — one student's report as a page (report.html in the
 * student's folder of a batch): what the text report says, in the same
 * order and words, laid out for a browser, to send to the student.
 *
 * Like the text report it shows every test that was run, hidden tests
 * marked [hidden]: a batch graded with --hidden (make grade-all) shows
 * their results too.
 */
#ifndef SG_HTML_STUDENT_H
#define SG_HTML_STUDENT_H

#include "sg_results.h"
#include "sg_text.h"

/* Writes g as a page to path; name is the student's, escaped. 0, or -1 with err. */
int sg_html_student_write(const struct sg_grade *g, const char *name, const char *path,
                          struct sg_buf *err);

#endif
