/*
 * sg_report.h — write a grade in the formats instructors and platforms use.
 */
#ifndef SG_REPORT_H
#define SG_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "sg_results.h"

enum sg_format {
    SG_FORMAT_TEXT,     /* for people; colour on a terminal */
    SG_FORMAT_JSON,     /* Gradescope's results.json */
    SG_FORMAT_JUNIT,    /* JUnit XML, for CI servers */
    SG_FORMAT_TAP,      /* Test Anything Protocol */
    SG_FORMAT_AUTOLAB,  /* the text report, then Autolab's {"scores": ...} as the last line */
    SG_FORMAT_GRADE,    /* shmgrade's own complete JSON, read back by batch mode */
    SG_FORMAT_CLASSROOM,   /* GitHub Classroom's runner result (autograding-grading-reporter) */
    SG_FORMAT_PRAIRIELEARN, /* PrairieLearn's external grader results.json */
    SG_FORMAT_COUNT
};

/* 0 and *f set for a format's name (sg_format_name); -1 otherwise. */
int sg_format_parse(const char *name, enum sg_format *f);
const char *sg_format_name(enum sg_format f);
/* The file a batch writes this format to, in each student's folder. */
const char *sg_format_file(enum sg_format f);

/* Every format's name, comma-separated, for messages. */
const char *sg_format_names(void);

/* Writes g in format f; colour applies to text. 0, or -1 with errno set. */
int sg_report_write(const struct sg_grade *g, enum sg_format f, FILE *out, bool colour);

int sg_report_text(const struct sg_grade *g, FILE *out, bool colour);
int sg_report_json(const struct sg_grade *g, FILE *out);
int sg_report_junit(const struct sg_grade *g, FILE *out);
int sg_report_tap(const struct sg_grade *g, FILE *out);
int sg_report_autolab(const struct sg_grade *g, FILE *out);
int sg_report_grade(const struct sg_grade *g, FILE *out);
int sg_report_classroom(const struct sg_grade *g, FILE *out);
/* Refuses (-1, EAGAIN) a grade with a lab the grader could not grade: that is a failed job. */
int sg_report_prairielearn(const struct sg_grade *g, FILE *out);

/* "01-shared-buffer: map_shared": every platform's name for a test. */
char *sg_report_test_name(const struct sg_lab_result *lab, const struct sg_test_result *t);
/* The failure explained in a few lines (observed/expected/hint, output); malloc'ed. */
char *sg_report_test_details(const struct sg_test_result *t);

#endif
