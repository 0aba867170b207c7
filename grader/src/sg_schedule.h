/*
 * sg_schedule.h — run the tests of a submission several at a time.
 *
 * Most tests spend their time waiting on purpose (a held lock, a sleeping
 * process), and a test that hangs waits its whole limit; run one after
 * another, a submission that hangs everywhere costs the sum of its limits.
 * So each test runs in a runner process of its own, up to `parallel` at a
 * time, each taking one of the machine-wide slots (sg_slots.h) for as long
 * as its sandbox lives. The jobs come in the order given (round-robin over
 * the labs, so that every lab's first tests run early).
 *
 * A test that did not finish in its limit tells something about the
 * functions it calls: a later test of the same lab that calls every one of
 * them (its rubric "needs" include all of the hung test's) is not run, and
 * fails with a message that says which test hung and why it was not run.
 * A test that calls anything else, or fewer functions, still runs: the
 * function that hangs may be one it does not call. So that this decision
 * never depends on which test happened to end first (on the machine's
 * load), a test starts only once every earlier test of its lab whose
 * functions it calls too has ended: the same submission always gets the
 * same grade.
 *
 * A test whose rubric "requires" earlier tests starts once they have
 * ended, and only if they passed: a stress run of many processes catches
 * a missing mutex only when two of them collide, so with the tests that
 * catch the mistake every time failing, its own result would change from
 * one grading to the next (a platform review: the same lab 02 file scored
 * 44 to 53). It fails instead, saying which test to fix first.
 *
 * Whatever a runner reports comes back as JSON on a pipe; a runner that
 * reports nothing, or a test the grader could not start, marks its lab as
 * not graded (the grader's failure, never a score).
 */
#ifndef SG_SCHEDULE_H
#define SG_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>

#include "sg_build.h"
#include "sg_results.h"
#include "sg_rubric.h"
#include "sg_sandbox.h"
#include "sg_slots.h"

struct sg_job {
    const struct sg_rubric_test *rt;
    const struct sg_build *build;
    double seconds;                 /* its time limit */
    struct sg_test_result *result;  /* filled when it has run */
    size_t lab;                     /* its lab's index */
};

/* Which of the jobs one call runs: the others are left as they are. */
enum sg_phase { SG_PHASE_ALL, SG_PHASE_PUBLIC, SG_PHASE_HIDDEN };

struct sg_schedule_opts {
    const struct sg_sandbox *sandbox;
    const struct sg_slots *slots;   /* NULL: no machine-wide bound */
    int parallel;                   /* runners at once for this submission */
    enum sg_phase phase;            /* SG_PHASE_HIDDEN: the public jobs ran in an earlier call */
};

/*
 * Runs the jobs of o->phase. A hidden job is skipped for a public test
 * that hung in an earlier call just as in the same one. When the grader cannot run a test of lab i, lab_error[i]
 * gets why (malloc'ed) and that lab's other jobs are not started. 0, or -1
 * when the grader itself could not go on (a fork, a pipe).
 */
int sg_schedule_run(struct sg_job *jobs, size_t n, const struct sg_schedule_opts *o,
                    char **lab_error);

/*
 * Fails t without running it (0 points): observed taken from obs, expected
 * (malloc'ed) kept, hint copied. For a test that could not tell right from
 * wrong, and for the memory check of a lab whose basic tests failed.
 */
void sg_result_not_run(struct sg_test_result *t, struct sg_buf *obs, char *expected,
                       const char *hint);

#endif
