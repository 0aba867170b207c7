/*
 * sg_html_class.h — the class at a glance, as a page: after a batch,
 * OUTDIR/index.html, and OUTDIR/students/<student>/report.html for each
 * student the grader could grade.
 *
 * Written from what the batch already wrote, so a page never disagrees
 * with the files beside it: each student's grade.json (their row, each
 * lab's distribution, the failure texts behind the common mistakes, their
 * own page) and summary.json (the class statistics and the pass rates);
 * the status and completeness of a grade are the gradebook's own
 * (sg_summary_status, sg_summary_complete).
 *
 * The page (top to bottom): at a glance (the labs and tests the class did
 * worst on and the commonest mistake, the distribution of totals); each
 * lab's distribution; every test's pass rate, lowest first, by lab; the
 * common mistakes; a row per student, linked to their page; the run (kit
 * version, options, date, how long grading took).
 */
#ifndef SG_HTML_CLASS_H
#define SG_HTML_CLASS_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "sg_batch.h"
#include "sg_html_page.h"
#include "sg_summary.h"

/* A student as the pages see them. */
struct sg_html_student {
    const char *name;  /* escaped, as in the gradebook */
    const char *dir;   /* OUTDIR/students/<folder> */
    const char *folder; /* the folder's name on disk (any bytes): where links point */
    json_t *grade;     /* their grade.json; NULL when the grader failed on them */
    bool complete;     /* counted in the class statistics */
    bool page;         /* their report.html was written */
};

struct sg_html_class {
    const char *const *labs;
    struct sg_html_student *students;
    size_t n;
    json_t *summary;   /* summary.json, as sg_summary_write wrote it */
};

/*
 * Writes every student's page, then index.html. o: the batch's options
 * (shown on the page); start: when the batch started (CLOCK_MONOTONIC), or
 * NULL when unknown. 0, or -1 with every page that could not be written
 * named in err (the others are written all the same).
 */
int sg_html_class_write(const struct sg_batch_opts *o, const char *const *labs,
                        const struct sg_class_member *students, size_t n,
                        const struct timespec *start, struct sg_buf *err);

/* For the page's sections. */
json_t *sg_html_find_lab(json_t *grade, const char *id);
json_t *sg_html_find_test(json_t *lab, const char *name);
/* qsort's order of summary.json tests: lowest pass rate first, then by name. */
int sg_html_cmp_rate(const void *a, const void *b);
/* The summary's tests of a lab, lowest pass rate first, then by name; *n of them (malloc'ed). */
json_t **sg_html_tests_of(const struct sg_html_class *c, const char *lab, size_t *n);
/* The first graded lab of the class with this id (its title, its tests' descriptions), or NULL. */
json_t *sg_html_some_lab(const struct sg_html_class *c, const char *id);
/* A link to a student's page (at a lab's section when lab is not NULL), or their name alone. */
void sg_html_student_link(struct sg_html *h, xmlNodePtr parent, const struct sg_html_student *s,
                          const char *lab);

#endif
