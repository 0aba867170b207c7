/*
 * kt.h — what the kit's own tests share (tests/kit/): the kit's root, the
 * labs and corpora, and the helpers that grade, read and write.
 *
 * The kit tests itself from its root, after `make`:
 * - the reference solutions score 100 %, hidden tests included, through the
 *   real command line in every format; the skeletons compile and score at
 *   most 10 % (kt_reference.c);
 * - every known-wrong submission in tests/corpus/ fails exactly the tests
 *   that name its mistake, with words that say so (kt_corpus.c);
 * - submissions that are missing, linked, or reach outside themselves are
 *   graded as such, and the rest of the submission still is
 *   (kt_submissions.c); hostile ones are contained (kt_hostile.c);
 * - a class is graded, each student exactly as alone (kt_batch.c); the
 *   student kit and each platform's package run as the platform runs them
 *   (kt_platforms.c);
 * - the class's page and the students' pages agree with the gradebook,
 *   link to pages that exist, escape whatever a submission holds, and load
 *   in a real browser at desktop and phone widths (kt_html.c, driving
 *   Chromium through kt_cdp.c).
 */
#ifndef KT_H
#define KT_H

#include "sg_batch.h"
#include "sg_fs.h"
#include "sg_grade.h"
#include "sg_isolate.h"
#include "sg_kit.h"
#include "sg_report.h"
#include "sg_rubric.h"
#include "sg_spawn.h"
#include "sg_text.h"

#include <check.h>
#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char kt_root[PATH_MAX];
extern bool kt_no_sandbox;   /* grade outside bubblewrap (tests of the fallback) */
extern bool kt_memcheck;     /* add the memory-check test */
extern bool kt_public_only;  /* without the hidden tests, as students grade */
extern char **kt_labs;       /* the kit's labs */
extern int kt_nlabs;
extern json_t *kt_mutants;   /* every mutant of every corpus file, with "lab" set */
extern json_t *kt_hostile;   /* tests/corpus/hostile.json */
extern struct sg_slots kt_slots; /* bounds the kit's own gradings at once, every lane together */
/* The corpus shared by make test's lanes, each taking the next mutant (kt_corpus.c): 0 or -1. */
int kt_corpus_share(void);
void kt_corpus_unshare(void);

struct kt_csv {
    char cells[32][24][128]; /* rows x columns */
    int rows, col;
};

char *kt_read(const char *path, size_t *len);

void kt_write(const char *path, const char *text);

char *kt_tempdir(void);

void kt_rmtree(const char *dir);

char *kt_path(const char *a, const char *b);

/* Grades one lab of a submission in-process, with hidden tests; tests and timeout as in sg_grade_opts. */
void kt_grade_some(const char *submission, const char *lab, const char *const *tests,
                   double timeout, struct sg_grade *g);

void kt_grade(const char *submission, const char *lab, struct sg_grade *g);
/* Fails when the text report of g prints a NULL string, "(null)". */
void kt_require_no_null_in_report(const struct sg_grade *g, const char *what);

/* The first failed test of a lab and what it said, for messages (malloc'ed). */
char *kt_first_failure(const struct sg_lab_result *lab);

char *kt_test_text(const struct sg_test_result *t);

/* The lab's file name, from its rubric. */
char *kt_lab_file(const char *lab);

/* Whether a process (named comm, when not NULL) has path in its command line. */
bool kt_process_mentions(const char *comm, const char *path);

/* Runs shmgrade with args; returns its exit status, its stdout and its stderr (malloc'ed). */
int kt_shmgrade_err(const char *const *args, char **out, char **err);

int kt_shmgrade(const char *const *args, char **out);
/* Gradescope's results.json at results, of a shmgrade that exited with rc, full marks (log: its output). */
void kt_require_full_marks(const char *results, int rc, const char *what, const char *log);
/* kt_sh(script), which writes Gradescope's results.json at results: full marks. */
void kt_sh_full_marks(const char *script, const char *results, const char *what);

char *kt_apply_mutant(const char *lab, json_t *m);
/* A new folder (malloc'ed path) holding lab's file made by the edits of m; kt_rmtree it after. */
char *kt_mutant_submission(const char *lab, json_t *m);
/* The corpus mutant of lab named name (borrowed); the test fails without one. */
json_t *kt_mutant_named(const char *lab, const char *name);

/* text with every @NAME@ of the pairs replaced; malloc'ed. */
char *kt_substitute(const char *text, const char *const pairs[][2], size_t npairs);

bool kt_in_list(json_t *list, const char *name);

void kt_csv_cell(void *data, size_t len, void *arg);

void kt_csv_row(int ch, void *arg);

/* Reads a CSV file back with libcsv's parser. */
void kt_read_csv(const char *path, struct kt_csv *c);

int kt_csv_column(const struct kt_csv *c, const char *name);

const char *kt_csv_get(const struct kt_csv *c, const char *student, const char *column);

void kt_copy(const char *from, const char *to);

/* A student's folder with the reference solution of each lab in labs (mirrored or flat). */
void kt_student(const char *class, const char *name, const char *const *labs, bool mirrored,
                const char *tree);

/* The batch tests' class of 18: correct, partial, skeletons, compile errors, empty. */
void kt_mixed_class(const char *class);
void kt_odd_names(const char *class);

/* The end of a long text, where failures are: Check's messages have a size limit. */
const char *kt_tail(const char *text);

/* Runs script with /bin/sh from the kit's root; returns its exit status, its whole output in *out. */
int kt_sh(const char *script, char **out);

void kt_load_corpus(void);

/* Runs shmgrade with args, expecting status and words on stderr. */
void kt_expect_usage(const char *const *args, int status, const char *words);

/* A headless Chromium driven through the DevTools protocol (kt_cdp.c). */
struct kt_browser;
/* Starts chromium with a fresh profile in dir (which must exist); NULL with *why. */
struct kt_browser *kt_browser_start(const char *chromium, const char *dir, char **why);
void kt_browser_stop(struct kt_browser *b);
/* The end of what Chromium printed (malloc'ed), for messages. */
char *kt_browser_log(const struct kt_browser *b);
/* Calls a DevTools method (params stolen; session NULL for the browser); its result or NULL. */
json_t *kt_cdp_call(struct kt_browser *b, const char *session, const char *method,
                    json_t *params, char **why);
/*
 * Loads url in a new tab width CSS pixels wide (a phone's viewport below
 * 700), in the light or dark colour scheme; evaluates probe (an expression
 * whose value is returned as JSON in *facts); saves a screenshot of the
 * whole page to png; and says in *errors (malloc'ed, "" when none) what
 * went wrong meanwhile: exceptions, console errors, failed loads, any load
 * but the page itself, a dialog. 0, or -1 with *why.
 */
int kt_browser_check(struct kt_browser *b, const char *url, int width, bool dark,
                     const char *probe, const char *png, json_t **facts, char **errors,
                     char **why);

/* Each file's tests, as a test case of the kit's suite. */
void kt_add_reference(Suite *s);
void kt_add_corpus(Suite *s);
void kt_add_submissions(Suite *s);
void kt_add_leaks(Suite *s);
void kt_add_hostile(Suite *s);
void kt_add_batch(Suite *s);
void kt_add_platforms(Suite *s);
void kt_add_html(Suite *s);
void kt_add_formats(Suite *s);
void kt_add_rules(Suite *s);

/* Why a hint dictates code instead of naming the concept, or NULL (kt_rules.c). */
const char *kt_hint_dictates(const char *hint);

#endif
