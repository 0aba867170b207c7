/*
 * sg_results.h — the results model every report is written from.
 */
#ifndef SG_RESULTS_H
#define SG_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

struct sg_test_result {
    char *name;          /* the test's id, e.g. "map_shared" */
    char *description;
    bool hidden;
    double points, max_points;
    bool passed;
    bool timed_out;      /* it was stopped for taking too long */
    /* On failure: the three parts of a structured message, or message alone. */
    char *observed, *expected, *hint;
    char *message;
    char *section;       /* where the handout explains it: "handouts/01-x.md#anchor", or NULL */
    char **needs;        /* the API functions it cannot pass without (NULL-terminated), or NULL */
    char *output;        /* what the student's code printed during the test (escaped) */
    size_t output_total; /* bytes printed in all, shown or not */
    double seconds;      /* wall time, grader's side */
    double cpu_seconds;  /* CPU time of every process of the test */
};

enum sg_lab_state {
    SG_LAB_GRADED,         /* the tests ran */
    SG_LAB_MISSING,        /* the file is not in the submission */
    SG_LAB_BUILD_FAILED,   /* it did not compile or link */
    SG_LAB_REFUSED,        /* it does what a lab file may not do */
    SG_LAB_GRADER_ERROR,   /* the grader could not grade it */
};

struct sg_lab_result {
    char *id;              /* "01-shared-buffer" */
    char *title;
    char *file;            /* "shared_buffer.c" */
    char *path;            /* where it was found in the submission, or NULL */
    enum sg_lab_state state;
    char *problem;         /* why it was not graded (state != GRADED) */
    char *build_output;    /* the compiler's warnings or errors (escaped), or NULL */
    char *notes;           /* lines worth knowing that cost nothing, or NULL */
    double score, max_score;
    double build_seconds, build_cpu_seconds;  /* compiling and linking */
    struct sg_test_result *tests;
    size_t ntests;
    /* Set only in a redacted copy (sg_redact.h): the hidden tests taken out. */
    size_t hidden_count, hidden_passed;
    double hidden_points, hidden_max_points;
};

struct sg_grade {
    char *submission;
    bool hidden;           /* hidden tests were run */
    char *sandbox;         /* how the tests ran: namespaces, user, limits */
    struct sg_lab_result *labs;
    size_t nlabs;
    double score, max_score;
    double seconds;
};

const char *sg_lab_state_name(enum sg_lab_state s);
/* How many labs the grader could not grade (SG_LAB_GRADER_ERROR): the grade is incomplete. */
size_t sg_grade_grader_errors(const struct sg_grade *g);
/* Whether the lab was not graded for what the student submitted (missing, compile error, refused). */
bool sg_lab_student_problem(const struct sg_lab_result *lab);
void sg_grade_total(struct sg_grade *g);
void sg_grade_free(struct sg_grade *g);

#endif
