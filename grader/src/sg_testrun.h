/*
 * sg_testrun.h — run one test of a lab in a sandbox of its own, and read
 * its verdict from the judge's exit status (never from what was written).
 */
#ifndef SG_TESTRUN_H
#define SG_TESTRUN_H

#include "sg_build.h"
#include "sg_results.h"
#include "sg_rubric.h"
#include "sg_sandbox.h"

/* The harness gets the test's timeout; the grader adds this before it
 * kills the whole sandbox itself. */
#define SG_TIMEOUT_GRACE_MS 1000

/*
 * Runs rt with seconds as its limit and fills t. -1 (with why filled) when
 * the grader could not run it at all: the sandbox could not be set up
 * after retries, or the judge reported a usage or harness error. Neither
 * is the student's doing, so neither becomes a score.
 */
int sg_test_run(const struct sg_rubric_test *rt, double seconds, const struct sg_build *b,
                const struct sg_sandbox *sb, struct sg_test_result *t, struct sg_buf *why);

#endif
