/*
 * sg_rubric.h — a lab's rubric: labs/NN-name/rubric.json and, for the
 * instructor, labs/NN-name/hidden/rubric.json. They name the student's file,
 * the API it may define, the program, and each test's points and hint.
 */
#ifndef SG_RUBRIC_H
#define SG_RUBRIC_H

#include <stdbool.h>
#include <stddef.h>

#include "sg_text.h"

/* A test's CPU and stuck limits: the solution's measured times times these, at least the floor. */
#define SG_CPU_FACTOR 60.0
#define SG_STUCK_FACTOR 10.0
#define SG_CPU_FLOOR 0.5
/* ...and at most this: the heaviest reference test needs 0.4 s (in lab 03). */
#define SG_CPU_CEILING 8.0
#define SG_STUCK_FLOOR 1.0
/* A test's wall-clock limit: the rubric's, at least this. */
#define SG_WALL_FLOOR 10.0

struct sg_rubric_test {
    char *name;
    char *description;
    char *hint;          /* shown when the test fails without a hint of its own */
    char *section;       /* the handout section (an anchor id) that explains it, or NULL */
    char **needs;        /* the API functions it cannot pass without, NULL-terminated */
    char **requires;     /* tests of the lab that must pass before it runs, NULL-terminated */
    double points;
    double timeout;      /* wall-clock seconds: the test's own, or the rubric's */
    double cpu_limit;    /* CPU seconds of all its processes (from timings.json) */
    double stuck_limit;  /* seconds with nothing runnable and no CPU used */
    bool measured;       /* timings.json has it */
    bool hidden;
    bool basic;          /* the plain call of its functions: a hang here is theirs everywhere */
};

/* The memory-check pass (shmgrade --memcheck): one graded test per lab. */
struct sg_rubric_memcheck {
    double points;        /* 0: the lab has no memory check */
    char *description;
    char **program;       /* argv of the lab's program run under valgrind, NULL-terminated */
    char *input;          /* its standard input */
    /* Public tests that must pass before it runs: those that show the API
     * does its work. Code that does nothing (stubs returning canned
     * values) leaks nothing and touches no memory wrongly. */
    char **requires;      /* NULL-terminated */
};

struct sg_rubric {
    char *id;            /* the folder name, "01-shared-buffer" */
    char *dir;           /* labs/01-shared-buffer */
    char *title;
    char *file;          /* "shared_buffer.c" */
    char *header;        /* "shared_buffer.h" */
    char *program;       /* "shared_buffer" */
    char **api;
    size_t napi;
    struct sg_rubric_test *tests;
    size_t ntests;
    bool has_hidden;     /* the hidden rubric exists (instructor's kit) */
    struct sg_rubric_memcheck memcheck;
};

/* Loads labs_dir/id; with_hidden adds the hidden tests. 0, or -1 with a message in err. */
int sg_rubric_load(const char *labs_dir, const char *id, bool with_hidden, struct sg_rubric *r,
                   struct sg_buf *err);
void sg_rubric_free(struct sg_rubric *r);

/* Keeps only the tests whose names are in names (NULL-terminated). */
void sg_rubric_keep_tests(struct sg_rubric *r, const char *const *names);

/* The lab folder names under labs_dir (NN-name, with a rubric.json), sorted; NULL-terminated. */
char **sg_rubric_list_labs(const char *labs_dir, struct sg_buf *err);
void sg_strv_free(char **v);

#endif
