/*
 * sg_memcheck.h — the memory-check pass (shmgrade --memcheck).
 *
 * The lab's memcheck driver (labs/NN/memcheck.c, calling the API as the
 * tests do) and the lab's program run under valgrind's memcheck, in the
 * sandbox, every process of theirs followed (one XML file per process).
 * What counts is what the student's code did: an error or a definite leak
 * counts when a frame of its stack is in the student's file, and is shown
 * at the first such frame; anything else is not the student's. The driver
 * itself reports descriptors that a call left open.
 */
#ifndef SG_MEMCHECK_H
#define SG_MEMCHECK_H

#include "sg_results.h"
#include "sg_rubric.h"
#include "sg_sandbox.h"

struct sg_memcheck_run {
    const char *driver;    /* the lab's memcheck driver, built with the student's file */
    const char *program;   /* the lab's program */
    const char *rundir;    /* writable: valgrind's XML goes here */
    const char *workdir;   /* the read-only scratch folder */
    const struct sg_sandbox *sandbox;
    const char *const *envp;
};

/* Fills t (points, verdict, findings). -1 when the grader could not run valgrind (why). */
int sg_memcheck(const struct sg_rubric *r, const struct sg_memcheck_run *m,
                struct sg_test_result *t, struct sg_buf *why);

#endif
