/*
 * sg_summary.h — the class at a glance, from each student's grade.json:
 * OUTDIR/gradebook.csv, OUTDIR/summary.txt and OUTDIR/summary.json.
 */
#ifndef SG_SUMMARY_H
#define SG_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "sg_text.h"

/* One student of the class: the name shown (escaped) and the folder of their reports. */
struct sg_class_member {
    const char *name;
    const char *dir;
};

/*
 * labs: the columns; students: n members. A student with a lab the grader
 * could not grade is "incomplete": the gradebook says so (and to regrade),
 * and the class statistics leave them out. 0, or -1 with a message.
 */
int sg_summary_write(const char *outdir, const char *const *labs,
                     const struct sg_class_member *students, size_t n, struct sg_buf *err);

/*
 * For other views of the class (the HTML pages), the gradebook's own words,
 * from a student's grade.json (NULL when the grader failed on them): the
 * status column, malloc'ed ("ok", "02-...: compile error", "incomplete: ...");
 * and whether the grade is complete (counted in the class statistics).
 */
struct json_t;
char *sg_summary_status(struct json_t *grade);
bool sg_summary_complete(struct json_t *grade);
/* The lab whose "id" is id in a grade.json, or NULL. */
struct json_t *sg_summary_find_lab(struct json_t *grade, const char *id);

#endif
