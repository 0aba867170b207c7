/*
 * sg_build.h — turn a student's lab file into the lab's test program and
 * the lab's program, refusing what a lab file may not do.
 */
#ifndef SG_BUILD_H
#define SG_BUILD_H

#include <stdbool.h>

#include "sg_kit.h"
#include "sg_results.h"
#include "sg_rubric.h"

struct sg_build {
    enum sg_lab_state state;  /* GRADED when both programs were built */
    char *problem;            /* why not, in a sentence */
    char *output;             /* the compiler's messages, escaped, or NULL */
    char *notes;              /* e.g. global helpers made local */
    char *test_program;
    char *program;
    char *memcheck_driver;    /* built when asked and the lab has one, else NULL */
};

/*
 * Builds in workdir (created if needed). Returns 0 when it could decide
 * (b->state says how it went), -1 when the grader itself failed (b->problem).
 */
int sg_build_lab(const struct sg_kit *kit, const struct sg_rubric *r, const char *student_file,
                 bool hidden, bool memcheck, const char *workdir, const char *const *envp,
                 struct sg_build *b);
void sg_build_free(struct sg_build *b);

#endif
