/*
 * sg_build.h — turn a student's lab file into the lab's programs, refusing
 * what a lab file may not do.
 *
 * The compiler, assembler and linker work on hostile input, so they run in
 * the sandbox like the tests (sg_sandbox.h), with limits on time, memory
 * and file size, seeing the system's headers and libraries, the student's
 * file, the lab's header and, for linking, the kit's compiled objects, and
 * nothing else of the kit: `#include`, `.incbin` or `#line` cannot reach
 * the hidden tests' sources, the solutions or the rubrics, and a 1 GiB
 * object is a refusal of that lab, not a failure of the grader.
 *
 * In labdir:
 *   src/  the student's file, the lab's header, the API list (read-only
 *         for every command)
 *   kit/  the kit's objects this lab links with, copied
 *   out/  what the build commands write; read-only for the tests
 *
 * Programs built: tests (the public tests), tests-hidden (public and
 * hidden, only with hidden, in hidden-out/, which only the sandboxes of
 * hidden tests see: student code running in a public test cannot read the
 * hidden tests' strings, in memory or on disk, and print them where a
 * student would read them), the lab's program, and for the memory check a
 * driver and a second program linked at fixed addresses, with link maps
 * that say where the student's code lies.
 */
#ifndef SG_BUILD_H
#define SG_BUILD_H

#include <stdbool.h>

#include "sg_kit.h"
#include "sg_results.h"
#include "sg_rubric.h"
#include "sg_sandbox.h"

struct sg_build {
    enum sg_lab_state state;  /* GRADED when every program was built */
    char *problem;            /* why not, in a sentence */
    char *output;             /* the compiler's messages, escaped, or NULL */
    char *notes;              /* e.g. global helpers made local */
    char *dir;                /* labdir */
    char *out;                /* labdir/out: what tests may read */
    char *hidden_out;         /* labdir/hidden-out: what only hidden tests may read */
    char *src;                /* labdir/src: the grader's inputs, which no command can change */
    char *test_program;
    char *hidden_program;     /* NULL without hidden tests */
    char *program;
    char *memcheck_driver;    /* built when asked and the lab has one, else NULL */
    char *memcheck_program;
    double seconds, cpu_seconds;  /* what the build took, all its commands together */
};

struct sg_build_opts {
    int student_fd;           /* the student's file, open for reading */
    const char *display;      /* its path as the student knows it, for messages */
    bool hidden;
    bool memcheck;
    const char *labdir;       /* created by sg_build_lab */
    const struct sg_sandbox *sandbox;
    const char *cache;        /* a batch's build cache (sg_buildcache.h), or NULL */
};

/*
 * Builds in o->labdir. Returns 0 when it could decide (b->state says how
 * it went), -1 when the grader itself failed (b->problem).
 */
int sg_build_lab(const struct sg_kit *kit, const struct sg_rubric *r,
                 const struct sg_build_opts *o, struct sg_build *b);
void sg_build_free(struct sg_build *b);

#endif
