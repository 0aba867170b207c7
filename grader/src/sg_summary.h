/*
 * sg_summary.h — the class at a glance, from each student's grade.json:
 * OUTDIR/gradebook.csv, OUTDIR/summary.txt and OUTDIR/summary.json.
 */
#ifndef SG_SUMMARY_H
#define SG_SUMMARY_H

#include <stddef.h>

#include "sg_text.h"

/* labs: the columns; students: the folder names under outdir. 0, or -1 with a message. */
int sg_summary_write(const char *outdir, const char *const *labs, const char *const *students,
                     size_t n, struct sg_buf *err);

#endif
