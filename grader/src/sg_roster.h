/*
 * sg_roster.h — the class's grades in the layout an LMS gradebook imports.
 *
 * The roster is a CSV file with a header row that maps each student's
 * submission folder (column "folder") to the LMS's identity columns:
 * Student, ID, SIS User ID, SIS Login ID, Section (a Canvas gradebook
 * export with a "folder" column added is one; other columns are ignored,
 * and so is Canvas's "Points Possible" row).
 *
 * OUTDIR/canvas.csv follows Canvas's gradebook import (canvas-lms,
 * app/models/gradebook_importer.rb): the header Student, ID, SIS User ID,
 * SIS Login ID, Section, then one column per lab (a new assignment of
 * that name on the first import, the same one afterwards) and the total;
 * a "Points Possible" row gives each lab's points (used for a new
 * assignment) and marks the total "(read only)", so that Canvas shows it
 * in the import file but does not make it an assignment. Canvas finds each
 * student by ID, else SIS User ID, else SIS Login ID, else name. A cell
 * left empty changes nothing in Canvas: a roster row with no submission,
 * and a lab the grader could not grade (no score, never a 0), are empty.
 *
 * OUTDIR/roster.txt (and the log) say which roster rows had no submission
 * and which submissions had no roster row.
 */
#ifndef SG_ROSTER_H
#define SG_ROSTER_H

#include <stdio.h>

#include "sg_text.h"

/*
 * After a batch: reads roster, lists class_dir's submissions, reads each
 * student's OUTDIR/students/<folder>/grade.json, writes OUTDIR/canvas.csv
 * and OUTDIR/roster.txt, and writes what did not match to log. 0, or -1
 * with a message in err (a roster that cannot be read, a file that cannot
 * be written).
 */
/*
 * Before a batch: whether roster can be read and has the columns the
 * export needs, so that a mistyped roster is said at once, not after the
 * class was graded. 0, or -1 with a message in err.
 */
int sg_roster_check(const char *roster, struct sg_buf *err);

int sg_roster_export(const char *roster, const char *class_dir, const char *outdir, FILE *log,
                     struct sg_buf *err);

#endif
