/*
 * sg_batch.h — grade a whole class: every subfolder of a folder is one
 * student's submission.
 *
 * Each student is graded in a process of its own (up to jobs at once), so
 * one bad submission never stops or disturbs the rest. Reports go to
 * OUTDIR/students/<student>/ in each format asked for, with grade.json and
 * report.html beside them; then OUTDIR/gradebook.csv (a row per student: a
 * column per lab, the total and a status), OUTDIR/summary.txt and
 * summary.json (the class's score distribution and every test's pass
 * rate) and OUTDIR/index.html (all of it as a page, with charts and the
 * class's common mistakes: sg_html_class.h). A student whose files,
 * options and kit are unchanged since the last run is not graded again.
 */
#ifndef SG_BATCH_H
#define SG_BATCH_H

#include "sg_grade.h"
#include "sg_kit.h"

struct sg_batch_opts {
    const char *dir;            /* one subfolder per student */
    const char *outdir;
    int jobs;                   /* gradings at once; 0 for the number of cores */
    unsigned formats;           /* 1 << enum sg_format, for each report wanted */
    struct sg_grade_opts grade; /* labs, hidden, tests, timeout, no_sandbox (submission and workdir are per student) */
    bool progress;              /* a line per student on stderr */
};

/*
 * 0 when the batch ran and graded every student (whatever the grades); the
 * number of students the grader failed on (their summary says so: to
 * regrade), the rest written all the same; -1 with a message in err.
 */
int sg_batch_run(const struct sg_kit *kit, const struct sg_batch_opts *o, struct sg_buf *err);

#endif
