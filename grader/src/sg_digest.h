/*
 * sg_digest.h — what a report shows of a lab's failures, so that a student
 * reads the first cause instead of a wall of echoes.
 *
 * Grading is untouched; only the presentation is decided here:
 * - a function of the API that is still a stub (its tests fail with
 *   ENOSYS, "Function not implemented") is one line, naming the tests
 *   that need it, in the spirit of check50's "can't check until a frown
 *   turns upside down";
 * - of the other failures, the first of each function is shown in full
 *   (observed, expected, hint), the rest in one line each: they most
 *   often fail for the same reason; but a crash and a hang are other
 *   causes than a wrong value, and the first of each is shown in full too.
 * A test's function is the first of its rubric "needs" that its failure
 * message names, else the last of them.
 */
#ifndef SG_DIGEST_H
#define SG_DIGEST_H

#include <stddef.h>

#include "sg_results.h"

enum sg_shown { SG_SHOWN_LINE, SG_SHOWN_FULL, SG_SHOWN_IN_STUB };

struct sg_stub {
    const char *function;     /* in the lab's tests' needs */
    size_t ntests;            /* failed tests that need it and are folded into its line */
    double points;            /* their points */
    char *tests;              /* their names, comma-separated (malloc'ed) */
};

struct sg_digest {
    enum sg_shown *shown;     /* per test of the lab */
    size_t *like;             /* per test: for a failure on one line, the test shown in full
                               * that it most likely repeats, or SIZE_MAX */
    struct sg_stub *stubs;
    size_t nstubs;
};

/* 0 with d filled, -1 when out of memory. */
int sg_digest_lab(const struct sg_lab_result *lab, struct sg_digest *d);
void sg_digest_free(struct sg_digest *d);

/*
 * What the one line of a failure that is not shown in full says after its
 * description: "not run: T did not finish, and this test calls the same
 * functions" for a test the grader skipped after T hung (sg_schedule.c),
 * else "see the failure of LIKE above" (the test d->like names, or "the
 * failure above" when like is NULL), with a way to see its own message (the
 * function is guessed from the message's words, so the cause may differ):
 * "the failure above" was ambiguous under several (a student-kit review).
 * A malloc'ed string, or NULL when out of memory.
 */
char *sg_digest_line_note(const struct sg_test_result *t, const char *like);

/* The name of the test that test k's one line points to (d->like), or NULL;
 * never a hidden test's name on a public test's line. */
const char *sg_digest_like(const struct sg_digest *d, const struct sg_lab_result *lab, size_t k);

#endif
