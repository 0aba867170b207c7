/*
 * sg_memcheck.h — the memory-check pass (shmgrade --memcheck).
 *
 * The lab's memcheck driver (labs/NN/memcheck.c, calling the API as the
 * tests do) and the lab's program run under valgrind's memcheck, in the
 * sandbox, every process of theirs followed (one XML file per process).
 *
 * What counts is what the student's code did, and only what it did:
 * - a finding is the student's when a frame's code address lies in the
 *   student's object (by the link map, not by the debug information's file
 *   name, which `#line` can forge), and is shown at the first such frame;
 * - a definite leak counts in the process that called the API, not in a
 *   child that ends with _exit as the labs require (its memory goes with
 *   it: freeing it first would be a strange lesson);
 * - the driver must reach its end ("mc: done" with the grader's token) and
 *   its calls must work ("could not check" otherwise): a memory check of
 *   code that never ran, or that left early, earns nothing;
 * - valgrind's records are watched from outside (sg_fswatch.h): a record
 *   removed, rewritten or incomplete fails the check;
 * - code that talks to valgrind (client requests) is refused when it is
 *   built (sg_elf.c).
 */
#ifndef SG_MEMCHECK_H
#define SG_MEMCHECK_H

#include "sg_build.h"
#include "sg_results.h"
#include "sg_rubric.h"
#include "sg_sandbox.h"

struct sg_memcheck_run {
    const struct sg_build *build;  /* the driver, the program for it, their link maps */
    const struct sg_sandbox *sandbox;
};

/* Fills t (points, verdict, findings). -1 when the grader could not run valgrind (why). */
int sg_memcheck(const struct sg_rubric *r, const struct sg_memcheck_run *m,
                struct sg_test_result *t, struct sg_buf *why);

#endif
