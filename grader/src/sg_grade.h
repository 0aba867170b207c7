/*
 * sg_grade.h — grade a submission: for each lab, find the file, build it,
 * run every test of the rubric in a process of its own, and score it.
 */
#ifndef SG_GRADE_H
#define SG_GRADE_H

#include <stdbool.h>

#include "sg_kit.h"
#include "sg_results.h"
#include "sg_slots.h"

struct sg_grade_opts {
    const char *submission;
    const char *const *labs;   /* lab ids to grade, NULL-terminated; NULL for all */
    bool hidden;               /* also run the hidden tests */
    const char *workdir;       /* scratch space, created and owned by the caller */
    bool no_sandbox;           /* run tests outside bubblewrap (debugging, measurements) */
    const char *const *tests;  /* run only these tests (by name), NULL-terminated; NULL for all */
    double timeout;            /* seconds per test instead of the rubric's, when > 0 */
    bool memcheck;             /* add each lab's memory-check test (valgrind) */
    bool root_nofollow;        /* the submission folder itself may not be a link (batch) */
    bool batch;                /* one student of a class */
    bool own_code;             /* the kit's own files (its self-test): run even as the grader */
    const struct sg_slots *slots; /* the machine-wide bound on tests at once, or NULL */
    int parallel;              /* tests of this submission at once (0: 1) */
    const char *build_cache;   /* a batch's cache of builds by content, or NULL */
    bool needs_namespaces;     /* graded beside classmates: not graded without bubblewrap */
    const char *outdir;        /* a batch's output folder, hidden from the sandboxes, or NULL */
};

/*
 * For the kit's own tests: the first n attempts to start each test fail as
 * a sandbox that could not be set up does (each test is tried three times).
 */
void sg_grade_inject_start_faults(int n);

/* Tests at once when nothing is asked: twice the cores, since tests wait on purpose. */
int sg_default_jobs(void);

/* 0 with g filled, or -1 when the grader itself failed (message in err). */
int sg_grade_submission(const struct sg_kit *kit, const struct sg_grade_opts *o,
                        struct sg_grade *g, struct sg_buf *err);

#endif
