/*
 * kit_tests.c — the kit tests itself (run by `make test` from the kit's root).
 *
 * - The reference solutions score 100 %, hidden tests included, through the
 *   real command line in both output formats.
 * - The skeletons compile and score at most 10 %.
 * - Every known-wrong submission in tests/corpus/ fails exactly the tests
 *   that name its mistake, with words that say so. A mutant is the reference
 *   solution with a few exact edits; see tests/corpus/README.md.
 * - Submissions that are missing, linked, or reach outside themselves are
 *   graded as such, and the rest of the submission still is.
 */
#include "sg_fs.h"
#include "sg_grade.h"
#include "sg_isolate.h"
#include "sg_kit.h"
#include "sg_rubric.h"
#include "sg_spawn.h"
#include "sg_text.h"

#include <check.h>
#include <csv.h>
#include <dirent.h>
#include <libxml/parser.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char kt_root[PATH_MAX];
struct sg_lab_result;
static char *kt_first_failure(const struct sg_lab_result *lab);
static bool kt_no_sandbox;   /* grade outside bubblewrap (tests of the fallback) */
static bool kt_memcheck;     /* add the memory-check test */
static char **kt_labs;       /* the kit's labs */
static json_t *kt_mutants;   /* every mutant of every corpus file, with "lab" set */

/* ---- helpers ---- */

static char *kt_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "re");
    ck_assert_msg(f != NULL, "open %s: %s", path, strerror(errno));
    struct sg_buf b = SG_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sg_buf_append(&b, chunk, n);
    fclose(f);
    if (len != NULL)
        *len = b.len;
    return sg_buf_take(&b);
}

static void kt_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "we");
    ck_assert_msg(f != NULL, "create %s: %s", path, strerror(errno));
    ck_assert(fputs(text, f) != EOF);
    ck_assert(fclose(f) == 0);
}

static char *kt_tempdir(void)
{
    char *dir = strdup("/tmp/shmlab-kit-tests.XXXXXX");
    ck_assert(dir != NULL && mkdtemp(dir) != NULL);
    return dir;
}

static void kt_rmtree(const char *dir)
{
    sg_rmtree(dir);
}

static char *kt_path(const char *a, const char *b)
{
    struct sg_buf p = SG_BUF_INIT;
    sg_buf_printf(&p, "%s/%s", a, b);
    return sg_buf_take(&p);
}

/* Grades one lab of a submission in-process, with hidden tests; tests and timeout as in sg_grade_opts. */
static void kt_grade_some(const char *submission, const char *lab, const char *const *tests,
                          double timeout, struct sg_grade *g)
{
    struct sg_kit kit;
    struct sg_buf err = SG_BUF_INIT;
    ck_assert_msg(sg_kit_at(&kit, kt_root, &err) == 0, "%s", err.data);
    sg_spawn_init();
    char *work = kt_tempdir();
    const char *labs[] = { lab, NULL };
    struct sg_grade_opts o = {
        .submission = submission, .labs = lab ? labs : NULL, .hidden = true, .workdir = work,
        .tests = tests, .timeout = timeout, .no_sandbox = kt_no_sandbox,
        .memcheck = kt_memcheck,
    };
    ck_assert_msg(sg_grade_submission(&kit, &o, g, &err) == 0, "grading failed: %s", err.data);
    kt_rmtree(work);
    free(work);
    sg_kit_free(&kit);
    sg_buf_free(&err);
}

static void kt_grade(const char *submission, const char *lab, struct sg_grade *g)
{
    kt_grade_some(submission, lab, NULL, 0, g);
}

/* Everything a report says about a test, for "says" checks. */
static char *kt_test_text(const struct sg_test_result *t);

/* The first failed test of a lab and what it said, for messages (malloc'ed). */
static char *kt_first_failure(const struct sg_lab_result *lab)
{
    struct sg_buf b = SG_BUF_INIT;
    if (lab->problem != NULL)
        sg_buf_printf(&b, "%s\n", lab->problem);
    for (size_t k = 0; k < lab->ntests; k++)
        if (!lab->tests[k].passed) {
            char *why = kt_test_text(&lab->tests[k]);
            sg_buf_printf(&b, "%s: %s%s", lab->tests[k].name, why,
                          lab->tests[k].output ? lab->tests[k].output : "");
            free(why);
            break;
        }
    return sg_buf_take(&b);
}

static char *kt_test_text(const struct sg_test_result *t)
{
    struct sg_buf b = SG_BUF_INIT;
    const char *parts[] = { t->observed, t->expected, t->hint, t->message };
    for (size_t i = 0; i < 4; i++)
        if (parts[i] != NULL)
            sg_buf_printf(&b, "%s\n", parts[i]);
    return sg_buf_take(&b);
}

/* The lab's file name, from its rubric. */
static char *kt_lab_file(const char *lab)
{
    struct sg_rubric r;
    struct sg_buf err = SG_BUF_INIT;
    char *labs = kt_path(kt_root, "labs");
    ck_assert_msg(sg_rubric_load(labs, lab, false, &r, &err) == 0, "%s", err.data);
    char *file = strdup(r.file);
    sg_rubric_free(&r);
    free(labs);
    return file;
}

/* Runs shmgrade with args; returns its exit status, its stdout and its stderr (malloc'ed). */
static int kt_shmgrade_err(const char *const *args, char **out, char **err)
{
    char *tmp = kt_tempdir();
    char *outfile = kt_path(tmp, "stdout");
    char *errfile = kt_path(tmp, "stderr");
    fflush(NULL);
    pid_t pid = fork();
    ck_assert(pid != -1);
    if (pid == 0) {
        int fd = open(outfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int efd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd == -1 || efd == -1 || dup2(fd, STDOUT_FILENO) == -1 ||
            dup2(efd, STDERR_FILENO) == -1 || chdir(kt_root) == -1)
            _exit(126);
        const char *argv[64] = { "grader/shmgrade" };
        size_t n = 1;
        for (; args[n - 1] != NULL; n++) {
            if (n == 63)
                _exit(125); /* more arguments than this helper carries */
            argv[n] = args[n - 1];
        }
        argv[n] = NULL;
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    ck_assert(waitpid(pid, &status, 0) == pid);
    *out = kt_read(outfile, NULL);
    char *errtext = kt_read(errfile, NULL);
    if (err != NULL)
        *err = errtext;
    else
        free(errtext);
    kt_rmtree(tmp);
    free(tmp);
    free(outfile);
    free(errfile);
    ck_assert_msg(WIFEXITED(status), "shmgrade was killed by signal %d", WTERMSIG(status));
    return WEXITSTATUS(status);
}

static int kt_shmgrade(const char *const *args, char **out)
{
    return kt_shmgrade_err(args, out, NULL);
}

/* ---- the reference solutions and the skeletons ---- */

START_TEST(solutions_score_full_marks_json)
{
    const char *args[] = { "--hidden", "--format", "json", "solutions", NULL };
    char *out;
    ck_assert_int_eq(kt_shmgrade(args, &out), 0);
    json_error_t jerr;
    json_t *root = json_loads(out, 0, &jerr);
    ck_assert_msg(root != NULL, "results.json does not parse: %s (line %d)", jerr.text, jerr.line);
    double score = json_number_value(json_object_get(root, "score"));
    double max = json_number_value(json_object_get(root, "max_score"));
    json_t *tests = json_object_get(root, "tests");
    ck_assert_msg(json_is_array(tests) && json_array_size(tests) > 0, "no tests[] in results.json");
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        const char *status = json_string_value(json_object_get(t, "status"));
        ck_assert_msg(name != NULL && status != NULL, "test %zu lacks a name or status", i);
        ck_assert_msg(strcmp(status, "passed") == 0, "%s: %s\n%s", name, status,
                      json_string_value(json_object_get(t, "output")));
        const char *colon = strstr(name, ": ");
        ck_assert_msg(colon != NULL, "test name %s does not start with its lab's folder", name);
        bool known = false;
        for (char **l = kt_labs; *l != NULL; l++)
            known |= strncmp(name, *l, (size_t)(colon - name)) == 0 && strlen(*l) == (size_t)(colon - name);
        ck_assert_msg(known, "test name %s does not start with a lab's folder name", name);
        ck_assert(json_is_number(json_object_get(t, "score")));
        ck_assert(json_is_number(json_object_get(t, "max_score")));
        ck_assert(json_is_string(json_object_get(t, "visibility")));
    }
    ck_assert_msg(max > 0 && score == max, "the solutions scored %g of %g", score, max);
    json_decref(root);
    free(out);
}
END_TEST

START_TEST(solutions_score_full_marks_text)
{
    const char *args[] = { "--hidden", "solutions", NULL };
    char *out;
    ck_assert_int_eq(kt_shmgrade(args, &out), 0);
    ck_assert_msg(strstr(out, "(100.0 %)") != NULL, "text report:\n%s", out);
    ck_assert_msg(strstr(out, "\n  FAIL ") == NULL, "text report:\n%s", out);
    free(out);
}
END_TEST

START_TEST(solutions_are_clean_under_memcheck)
{
    const char *tests[] = { "memcheck", NULL };
    kt_memcheck = true;
    struct sg_grade g;
    kt_grade_some("solutions", kt_labs[_i], tests, 0, &g);
    ck_assert_msg(g.labs[0].ntests == 1, "%s has no memory check", kt_labs[_i]);
    ck_assert_msg(g.labs[0].tests[0].passed, "%s: %s", kt_labs[_i], kt_first_failure(&g.labs[0]));
    sg_grade_free(&g);
}
END_TEST

START_TEST(skeletons_score_at_most_ten_percent)
{
    const char *lab = kt_labs[_i];
    struct sg_grade g;
    kt_grade("skeletons", lab, &g);
    ck_assert_msg(g.labs[0].state == SG_LAB_GRADED, "%s: the skeleton was not graded: %s", lab,
                  g.labs[0].problem);
    ck_assert_msg(g.max_score > 0 && g.score <= 0.1 * g.max_score,
                  "%s: the skeleton scored %g of %g", lab, g.score, g.max_score);
    sg_grade_free(&g);
}
END_TEST

/* ---- the corpus of known-wrong submissions ---- */

static char *kt_apply_mutant(const char *lab, json_t *m)
{
    const char *name = json_string_value(json_object_get(m, "name"));
    char *file = kt_lab_file(lab);
    struct sg_buf sol = SG_BUF_INIT;
    sg_buf_printf(&sol, "%s/solutions/%s/%s", kt_root, lab, file);
    char *text = kt_read(sol.data, NULL);
    sg_buf_free(&sol);
    free(file);

    size_t i;
    json_t *pair;
    json_array_foreach(json_object_get(m, "replace"), i, pair) {
        const char *from = json_string_value(json_array_get(pair, 0));
        const char *to = json_string_value(json_array_get(pair, 1));
        ck_assert_msg(from != NULL && to != NULL, "%s: bad replace entry %zu", name, i);
        char *at = strstr(text, from);
        ck_assert_msg(at != NULL, "%s: the solution no longer contains %s", name, from);
        ck_assert_msg(strstr(at + 1, from) == NULL, "%s: %s occurs more than once", name, from);
        struct sg_buf b = SG_BUF_INIT;
        sg_buf_append(&b, text, (size_t)(at - text));
        sg_buf_puts(&b, to);
        sg_buf_puts(&b, at + strlen(from));
        free(text);
        text = sg_buf_take(&b);
    }
    const char *payload = json_string_value(json_object_get(m, "payload"));
    if (payload != NULL) {
        /* Hostile payloads go first in lab 01's sb_read_line. */
        const char *open = "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n";
        char *at = strstr(text, open);
        ck_assert_msg(at != NULL, "%s: the solution has no %s", name, open);
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_append(&p, text, (size_t)(at - text) + strlen(open));
        sg_buf_printf(&p, "%s\n", payload);
        sg_buf_puts(&p, at + strlen(open));
        free(text);
        text = sg_buf_take(&p);
    }
    struct sg_buf b = SG_BUF_INIT;
    json_t *inc = json_object_get(m, "add_include");
    if (json_is_string(inc))
        sg_buf_printf(&b, "#include <%s>\n", json_string_value(inc));
    json_array_foreach(inc, i, pair)
        sg_buf_printf(&b, "#include <%s>\n", json_string_value(pair));
    const char *prepend = json_string_value(json_object_get(m, "prepend"));
    if (prepend != NULL)
        sg_buf_puts(&b, prepend);
    sg_buf_puts(&b, text);
    const char *append = json_string_value(json_object_get(m, "append"));
    if (append != NULL)
        sg_buf_printf(&b, "\n%s", append);
    free(text);
    return sg_buf_take(&b);
}

/* text with every @NAME@ of the pairs replaced; malloc'ed. */
static char *kt_substitute(const char *text, const char *const pairs[][2], size_t npairs)
{
    char *out = strdup(text);
    for (size_t k = 0; k < npairs; k++) {
        char *at;
        while ((at = strstr(out, pairs[k][0])) != NULL) {
            struct sg_buf b = SG_BUF_INIT;
            sg_buf_append(&b, out, (size_t)(at - out));
            sg_buf_puts(&b, pairs[k][1]);
            sg_buf_puts(&b, at + strlen(pairs[k][0]));
            free(out);
            out = sg_buf_take(&b);
        }
    }
    return out;
}

static bool kt_in_list(json_t *list, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
        if (strcmp(json_string_value(v), name) == 0)
            return true;
    return false;
}

START_TEST(corpus_mutant_fails_for_its_mistake)
{
    json_t *m = json_array_get(kt_mutants, (size_t)_i);
    const char *lab = json_string_value(json_object_get(m, "lab"));
    const char *name = json_string_value(json_object_get(m, "name"));
    const char *state = json_string_value(json_object_get(m, "state"));
    char *file = kt_lab_file(lab);
    char *sub = kt_tempdir();
    char *path = kt_path(sub, file);
    char *text = kt_apply_mutant(lab, m);
    kt_write(path, text);

    struct sg_grade g;
    kt_memcheck = json_is_true(json_object_get(m, "memcheck"));
    kt_grade(sub, lab, &g);
    struct sg_lab_result *r = &g.labs[0];
    const char *want_state = state ? state : "graded";
    ck_assert_msg(strcmp(sg_lab_state_name(r->state), want_state) == 0,
                  "%s/%s (%s): state is %s, expected %s; problem: %s\n%s", lab, name,
                  json_string_value(json_object_get(m, "why")), sg_lab_state_name(r->state),
                  want_state, r->problem, r->build_output ? r->build_output : "");

    json_t *says = json_object_get(m, "says");
    if (r->state == SG_LAB_GRADED) {
        json_t *fail = json_object_get(m, "fail");
        json_t *either = json_object_get(m, "either");
        for (size_t k = 0; k < r->ntests; k++) {
            struct sg_test_result *t = &r->tests[k];
            bool want_fail = kt_in_list(fail, t->name);
            char *why = kt_test_text(t);
            ck_assert_msg(t->passed != want_fail || kt_in_list(either, t->name), "%s/%s: test %s %s, expected it to %s\n%s",
                          lab, name, t->name, t->passed ? "passed" : "failed",
                          want_fail ? "fail" : "pass", why);
            const char *word = json_string_value(json_object_get(says, t->name));
            ck_assert_msg(word == NULL || strstr(why, word) != NULL,
                          "%s/%s: the failure of %s does not say \"%s\":\n%s", lab, name,
                          t->name, word, why);
            free(why);
        }
        size_t i;
        json_t *v;
        json_array_foreach(fail, i, v) {
            bool exists = false;
            for (size_t k = 0; k < r->ntests; k++)
                exists |= strcmp(r->tests[k].name, json_string_value(v)) == 0;
            ck_assert_msg(exists, "%s/%s: expects %s to fail, but there is no such test", lab,
                          name, json_string_value(v));
        }
        const char *note = json_string_value(json_object_get(m, "note"));
        ck_assert_msg(note == NULL || (r->notes != NULL && strstr(r->notes, note) != NULL),
                      "%s/%s: the report's note does not mention %s: %s", lab, name, note,
                      r->notes ? r->notes : "(no note)");
    } else {
        ck_assert_msg(g.score == 0, "%s/%s: an ungraded lab scored %g", lab, name, g.score);
        const char *word = json_string_value(json_object_get(says, "*"));
        struct sg_buf all = SG_BUF_INIT;
        sg_buf_printf(&all, "%s\n%s", r->problem ? r->problem : "",
                      r->build_output ? r->build_output : "");
        ck_assert_msg(word == NULL || strstr(all.data, word) != NULL,
                      "%s/%s: the reason does not say \"%s\":\n%s", lab, name, word, all.data);
        sg_buf_free(&all);
    }
    sg_grade_free(&g);
    free(text);
    kt_rmtree(sub);
    free(sub);
    free(path);
    free(file);
}
END_TEST

/* ---- submissions that are incomplete or reach outside themselves ---- */

START_TEST(flat_and_mirrored_layouts_and_missing_files)
{
    /* Mirrored layout for the first lab only: it is graded in full, every
     * other lab is missing with its file named, and nothing else breaks. */
    char *sub = kt_tempdir();
    const char *lab = kt_labs[0];
    char *file = kt_lab_file(lab);
    char *dir = kt_path(sub, lab);
    ck_assert(mkdir(dir, 0700) == 0);
    char *path = kt_path(dir, file);
    struct sg_buf sol = SG_BUF_INIT;
    sg_buf_printf(&sol, "%s/solutions/%s/%s", kt_root, lab, file);
    char *text = kt_read(sol.data, NULL);
    kt_write(path, text);

    struct sg_grade g;
    kt_grade(sub, NULL, &g);
    ck_assert_int_eq(g.labs[0].state, SG_LAB_GRADED);
    ck_assert_msg(g.labs[0].score == g.labs[0].max_score, "mirrored layout: %g/%g\n%s",
                  g.labs[0].score, g.labs[0].max_score, kt_first_failure(&g.labs[0]));
    for (size_t i = 1; i < g.nlabs; i++) {
        char *other = kt_lab_file(g.labs[i].id);
        ck_assert_int_eq(g.labs[i].state, SG_LAB_MISSING);
        ck_assert_msg(strstr(g.labs[i].problem, other) != NULL, "%s", g.labs[i].problem);
        ck_assert(g.labs[i].score == 0);
        free(other);
    }
    sg_grade_free(&g);

    /* The same file flat in an otherwise empty folder. */
    ck_assert(unlink(path) == 0 && rmdir(dir) == 0);
    free(path);
    path = kt_path(sub, file);
    kt_write(path, text);
    kt_grade(sub, lab, &g);
    ck_assert_msg(g.score == g.max_score, "flat layout: %g/%g\n%s", g.score, g.max_score,
                  kt_first_failure(&g.labs[0]));
    sg_grade_free(&g);

    /* Nothing at all. */
    ck_assert(unlink(path) == 0);
    kt_grade(sub, lab, &g);
    ck_assert_int_eq(g.labs[0].state, SG_LAB_MISSING);
    ck_assert_msg(strstr(g.labs[0].problem, file) != NULL, "%s", g.labs[0].problem);
    sg_grade_free(&g);

    sg_buf_free(&sol);
    free(text);
    free(path);
    free(dir);
    free(file);
    kt_rmtree(sub);
    free(sub);
}
END_TEST

START_TEST(symlink_to_the_solution_is_refused)
{
    const char *lab = kt_labs[0];
    char *file = kt_lab_file(lab);
    char *sub = kt_tempdir();
    char *path = kt_path(sub, file);
    struct sg_buf sol = SG_BUF_INIT;
    sg_buf_printf(&sol, "%s/solutions/%s/%s", kt_root, lab, file);
    ck_assert(symlink(sol.data, path) == 0);
    struct sg_grade g;
    kt_grade(sub, lab, &g);
    ck_assert_int_ne(g.labs[0].state, SG_LAB_GRADED);
    ck_assert_msg(strstr(g.labs[0].problem, "symbolic link") != NULL, "%s", g.labs[0].problem);
    ck_assert(g.score == 0);
    sg_grade_free(&g);
    sg_buf_free(&sol);
    kt_rmtree(sub);
    free(sub);
    free(path);
    free(file);
}
END_TEST

START_TEST(including_the_solution_is_refused)
{
    const char *lab = kt_labs[0];
    char *file = kt_lab_file(lab);
    char *sub = kt_tempdir();
    char *path = kt_path(sub, file);
    struct sg_buf text = SG_BUF_INIT;
    sg_buf_printf(&text, "#include \"%s/solutions/%s/%s\"\n", kt_root, lab, file);
    kt_write(path, text.data);
    struct sg_grade g;
    kt_grade(sub, lab, &g);
    ck_assert_int_eq(g.labs[0].state, SG_LAB_REFUSED);
    ck_assert_msg(strstr(g.labs[0].problem, "solutions/") != NULL, "%s", g.labs[0].problem);
    ck_assert(g.score == 0);
    sg_grade_free(&g);
    sg_buf_free(&text);
    kt_rmtree(sub);
    free(sub);
    free(path);
    free(file);
}
END_TEST

START_TEST(reports_stay_valid_whatever_the_student_prints)
{
    /* Lab 01's solution, printing a terminal escape, invalid UTF-8 and JSON
     * punctuation from every sb_read_line call, and failing none of its tests. */
    const char *lab = "01-shared-buffer";
    char *file = kt_lab_file(lab);
    char *sub = kt_tempdir();
    char *path = kt_path(sub, file);
    json_t *m = json_pack("{s:s, s:[[s, s]]}", "name", "noisy", "replace",
                          "long sb_read_line(char *buf, size_t cap, FILE *in)\n{",
                          "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n"
                          "    fputs(\"\\033[2J\\xff\\xfe\\\"}]\\n\", stderr);");
    char *text = kt_apply_mutant(lab, m);
    kt_write(path, text);

    const char *json_args[] = { "--format", "json", "--lab", lab, sub, NULL };
    char *out;
    ck_assert_int_eq(kt_shmgrade(json_args, &out), 0);
    json_error_t jerr;
    json_t *root = json_loads(out, 0, &jerr);
    ck_assert_msg(root != NULL, "results.json does not parse: %s", jerr.text);
    ck_assert_msg(strstr(out, "\\\\x1b[2J") != NULL || strstr(out, "\\\\033") != NULL ||
                      strstr(out, "\\\\x1b") != NULL,
                  "the student's output is not shown escaped:\n%s", out);
    ck_assert(json_number_value(json_object_get(root, "score")) ==
              json_number_value(json_object_get(root, "max_score")));
    json_decref(root);
    free(out);

    const char *text_args[] = { "--lab", lab, sub, NULL };
    ck_assert_int_eq(kt_shmgrade(text_args, &out), 0);
    ck_assert_msg(strchr(out, '\033') == NULL, "a raw escape reached the text report");
    ck_assert_msg(sg_utf8_valid(out, strlen(out)), "the text report is not valid UTF-8");
    free(out);

    json_decref(m);
    free(text);
    kt_rmtree(sub);
    free(sub);
    free(path);
    free(file);
}
END_TEST

/* Runs shmgrade with args, expecting status and words on stderr. */
static void kt_expect_usage(const char *const *args, int status, const char *words)
{
    char *out, *err;
    ck_assert_int_eq(kt_shmgrade_err(args, &out, &err), status);
    ck_assert_msg(strstr(err, words) != NULL, "stderr does not say \"%s\": %s", words, err);
    free(out);
    free(err);
}

START_TEST(tests_run_in_the_sandbox_where_there_is_one)
{
    /* Containment must not fall back silently: where bubblewrap is
     * installed (make deps installs it), every test runs inside it. */
    if (access("/usr/bin/bwrap", X_OK) != 0)
        return;
    struct sg_grade g;
    kt_grade_some("solutions", kt_labs[0], NULL, 0, &g);
    ck_assert_msg(g.sandbox != NULL && strncmp(g.sandbox, "bubblewrap", 10) == 0,
                  "bubblewrap is installed but the tests ran with: %s", g.sandbox);
    sg_grade_free(&g);
}
END_TEST

START_TEST(usage_errors_exit_2)
{
    const char *none[] = { NULL };
    kt_expect_usage(none, 2, "usage: shmgrade");
    const char *nodir[] = { "/nonexistent/submission", NULL };
    kt_expect_usage(nodir, 2, "is not a folder");
    const char *badfmt[] = { "--format", "xml", "solutions", NULL };
    kt_expect_usage(badfmt, 2, "unknown format 'xml'");
    const char *badlab[] = { "--lab", "99", "solutions", NULL };
    kt_expect_usage(badlab, 2, "no single lab matches '99'");
    char *out;
    const char *help[] = { "--help", NULL };
    ck_assert_int_eq(kt_shmgrade(help, &out), 0);
    ck_assert(strstr(out, "usage: shmgrade") != NULL);
    free(out);
}
END_TEST


/* ---- hostile submissions ---- */

static json_t *kt_hostile;

/* The processes of a user, "pid:name" each, from /proc. */
static void kt_processes_of(uid_t uid, struct sg_buf *out)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        char path[300], comm[64] = "?";
        struct stat st;
        snprintf(path, sizeof path, "/proc/%s", e->d_name);
        if (e->d_name[0] < '0' || e->d_name[0] > '9' || stat(path, &st) != 0 || st.st_uid != uid)
            continue;
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        FILE *f = fopen(path, "re");
        if (f != NULL && fgets(comm, sizeof comm, f) != NULL)
            comm[strcspn(comm, "\n")] = '\0';
        if (f != NULL)
            fclose(f);
        sg_buf_printf(out, " %s:%s", e->d_name, comm);
    }
    if (d != NULL)
        closedir(d);
}

/* Everything outside the scratch space that a submission could leave or change. */
static char *kt_outside_state(const char *canary)
{
    struct sg_buf b = SG_BUF_INIT;
    uid_t sandbox_uid = geteuid() == 0 ? 65534 : getuid();
    sg_buf_printf(&b, "processes of uid %lu:", (unsigned long)sandbox_uid);
    kt_processes_of(sandbox_uid, &b);
    sg_buf_puts(&b, "\n");
    const char *files[] = { "/proc/sysvipc/shm", "/proc/sysvipc/sem", "/proc/sysvipc/msg" };
    for (size_t i = 0; i < 3; i++) {
        /* The ids (second column) are enough to tell. */
        FILE *f = fopen(files[i], "re");
        char line[512];
        sg_buf_printf(&b, "%s:", files[i]);
        while (f != NULL && fgets(line, sizeof line, f) != NULL) {
            long key, id;
            if (sscanf(line, "%ld %ld", &key, &id) == 2)
                sg_buf_printf(&b, " %ld", id);
        }
        if (f != NULL)
            fclose(f);
        sg_buf_puts(&b, "\n");
    }
    sg_buf_printf(&b, "/dev/shm/shmlab-hostile: %s\n",
                  access("/dev/shm/shmlab-hostile", F_OK) == 0 ? "present" : "absent");
    sg_buf_printf(&b, "/tmp/shmlab-hostile: %s\n",
                  access("/tmp/shmlab-hostile", F_OK) == 0 ? "present" : "absent");
    char *c = access(canary, R_OK) == 0 ? kt_read(canary, NULL) : strdup("(gone)");
    sg_buf_printf(&b, "canary: %s\n", c);
    free(c);
    struct sg_buf sol = SG_BUF_INIT;
    sg_buf_printf(&sol, "%s/solutions/01-shared-buffer/shared_buffer.c", kt_root);
    size_t len = 0;
    char *text = access(sol.data, R_OK) == 0 ? kt_read(sol.data, &len) : NULL;
    sg_buf_printf(&b, "solution: %zu bytes\n", text ? len : 0);
    free(text);
    sg_buf_free(&sol);
    return sg_buf_take(&b);
}

START_TEST(hostile_submission_is_contained)
{
    json_t *m = json_array_get(json_object_get(kt_hostile, "mutants"), (size_t)_i);
    const char *name = json_string_value(json_object_get(m, "name"));
    const char *lab = "01-shared-buffer";
    char *outside = kt_tempdir();
    char *canary = kt_path(outside, "canary");
    kt_write(canary, "do not touch\n");
    char *sub = kt_tempdir();
    char *path = kt_path(sub, "shared_buffer.c");

    json_t *with_includes = json_deep_copy(m);
    json_object_set_new(with_includes, "add_include",
                        json_pack("[s,s,s,s,s,s,s,s,s]", "stdlib.h", "string.h", "signal.h",
                                  "unistd.h", "fcntl.h", "sys/shm.h", "sys/sem.h", "sys/msg.h",
                                  "sys/mman.h"));
    char *raw = kt_apply_mutant(lab, with_includes);
    const char *const pairs[][2] = { { "@KIT@", kt_root }, { "@CANARY@", canary } };
    char *text = kt_substitute(raw, pairs, 2);
    kt_write(path, text);

    char *before = kt_outside_state(canary);
    const char *tests[] = { "read_line_basic", NULL };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct sg_grade g;
    kt_grade_some(sub, lab, tests, 2, &g);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    char *after = kt_outside_state(canary);

    struct sg_lab_result *r = &g.labs[0];
    ck_assert_msg(r->state == SG_LAB_GRADED, "%s: not graded: %s\n%s", name, r->problem,
                  r->build_output ? r->build_output : "");
    ck_assert_uint_eq(r->ntests, 1);
    struct sg_test_result *t = &r->tests[0];
    bool want_fail = json_array_size(json_object_get(m, "fail")) > 0;
    char *why = kt_test_text(t);
    ck_assert_msg(t->passed != want_fail, "%s: %s %s, expected it to %s\n%s", name, t->name,
                  t->passed ? "passed" : "failed", want_fail ? "fail" : "pass", why);
    const char *word = json_string_value(json_object_get(json_object_get(m, "says"), t->name));
    ck_assert_msg(word == NULL || strstr(why, word) != NULL, "%s: the failure does not say \"%s\":\n%s",
                  name, word, why);
    json_t *flood = json_object_get(m, "output_at_least");
    ck_assert_msg(flood == NULL || t->output_total >= (size_t)json_integer_value(flood),
                  "%s: only %zu bytes of output were counted", name, t->output_total);
    ck_assert_msg(t->output == NULL || strlen(t->output) < 8192,
                  "%s: the report shows %zu bytes of output", name, strlen(t->output));
    ck_assert_msg(seconds < 20, "%s: grading took %.1f s", name, seconds);
    ck_assert_msg(strcmp(before, after) == 0, "%s: something outside the scratch space changed\n"
                  "before:\n%s\nafter:\n%s", name, before, after);

    free(why);
    sg_grade_free(&g);
    json_decref(with_includes);
    free(raw);
    free(text);
    free(before);
    free(after);
    kt_rmtree(sub);
    kt_rmtree(outside);
    free(sub);
    free(outside);
    free(path);
    free(canary);
}
END_TEST

/* The ids of the segments on the system, as one sorted string. */
static char *kt_segments(void)
{
    struct sg_shm_snapshot s;
    ck_assert(sg_shm_snapshot(&s) == 0);
    struct sg_buf b = SG_BUF_INIT;
    for (size_t i = 0; i < s.n; i++)
        sg_buf_printf(&b, "%d ", s.ids[i]);
    sg_shm_snapshot_free(&s);
    return sg_buf_take(&b);
}

START_TEST(leaked_segments_never_outlive_grading)
{
    /* A lab 04 submission that never removes its segments, graded in the
     * sandbox (_i == 0) and with the fallback clean-up that serves where
     * namespaces are not allowed (_i == 1: no bubblewrap, no IPC namespace). */
    const char *lab = "04-shmat-layout";
    if (_i == 1) {
        sg_isolate_disable();
        kt_no_sandbox = true;
    }
    json_t *m = NULL;
    size_t i;
    json_t *v;
    json_array_foreach(kt_mutants, i, v)
        if (strcmp(json_string_value(json_object_get(v, "name")), "no-ipc-rmid") == 0)
            m = v;
    ck_assert_msg(m != NULL, "the corpus has no no-ipc-rmid mutant");
    char *file = kt_lab_file(lab);
    char *sub = kt_tempdir();
    char *path = kt_path(sub, file);
    char *text = kt_apply_mutant(lab, m);
    kt_write(path, text);

    char *before = kt_segments();
    struct sg_grade g;
    kt_grade(sub, lab, &g);
    char *after = kt_segments();
    ck_assert_msg(strcmp(before, after) == 0,
                  "segments before grading: [%s], after: [%s] (%s)", before, after,
                  _i == 0 ? "namespaces" : "fallback");
    ck_assert_msg(_i == 0 || strstr(g.sandbox, "NO SANDBOX") != NULL,
                  "the fallback test ran in: %s", g.sandbox);
    ck_assert_msg(g.score < g.max_score, "the leaking submission scored full marks");
    for (size_t k = 0; k < g.labs[0].ntests; k++)
        if (strcmp(g.labs[0].tests[k].name, "release_leaves_nothing") == 0)
            ck_assert_msg(!g.labs[0].tests[k].passed, "the leak went unnoticed");
    sg_grade_free(&g);
    free(before);
    free(after);
    free(text);
    kt_rmtree(sub);
    free(sub);
    free(path);
    free(file);
}
END_TEST


/* ---- batch grading ---- */

struct kt_csv {
    char cells[32][24][128]; /* rows x columns */
    int rows, col;
};

static void kt_csv_cell(void *data, size_t len, void *arg)
{
    struct kt_csv *c = arg;
    if (c->rows < 32 && c->col < 24)
        snprintf(c->cells[c->rows][c->col], 128, "%.*s", (int)len, (const char *)data);
    c->col++;
}

static void kt_csv_row(int ch, void *arg)
{
    (void)ch;
    struct kt_csv *c = arg;
    c->rows++;
    c->col = 0;
}

/* Reads a CSV file back with libcsv's parser. */
static void kt_read_csv(const char *path, struct kt_csv *c)
{
    size_t len;
    char *text = kt_read(path, &len);
    struct csv_parser p;
    memset(c, 0, sizeof *c);
    ck_assert(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) == 0);
    ck_assert_msg(csv_parse(&p, text, len, kt_csv_cell, kt_csv_row, c) == len, "%s: %s", path,
                  csv_strerror(csv_error(&p)));
    ck_assert(csv_fini(&p, kt_csv_cell, kt_csv_row, c) == 0);
    csv_free(&p);
    free(text);
}

static int kt_csv_column(const struct kt_csv *c, const char *name)
{
    for (int k = 0; k < 24; k++)
        if (strcmp(c->cells[0][k], name) == 0)
            return k;
    ck_abort_msg("the gradebook has no column %s", name);
}

static const char *kt_csv_get(const struct kt_csv *c, const char *student, const char *column)
{
    int col = kt_csv_column(c, column);
    for (int r = 1; r < c->rows && r < 32; r++)
        if (strcmp(c->cells[r][0], student) == 0)
            return c->cells[r][col];
    ck_abort_msg("the gradebook has no row for %s", student);
}

static void kt_copy(const char *from, const char *to)
{
    char *text = kt_read(from, NULL);
    kt_write(to, text);
    free(text);
}

/* A student's folder with the reference solution of each lab in labs (mirrored or flat). */
static void kt_student(const char *class, const char *name, const char *const *labs, bool mirrored,
                       const char *tree)
{
    char *dir = kt_path(class, name);
    ck_assert(mkdir(dir, 0755) == 0);
    for (const char *const *l = labs; *l != NULL; l++) {
        char *file = kt_lab_file(*l);
        struct sg_buf from = SG_BUF_INIT, to = SG_BUF_INIT;
        sg_buf_printf(&from, "%s/%s/%s/%s", kt_root, tree, *l, file);
        if (mirrored) {
            sg_buf_printf(&to, "%s/%s", dir, *l);
            mkdir(to.data, 0755);
            sg_buf_printf(&to, "/%s", file);
        } else {
            sg_buf_printf(&to, "%s/%s", dir, file);
        }
        kt_copy(from.data, to.data);
        sg_buf_free(&from);
        sg_buf_free(&to);
        free(file);
    }
    free(dir);
}

START_TEST(batch_grades_a_mixed_class)
{
    const char *both[] = { "01-shared-buffer", "04-shmat-layout", NULL };
    const char *one[] = { "01-shared-buffer", NULL };
    char *class = kt_tempdir();
    char *out = kt_tempdir();
    char name[64];
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "correct-%d", i);
        kt_student(class, name, both, i % 2 == 0, "solutions");
    }
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "only-lab-01-%d", i);
        kt_student(class, name, one, false, "solutions");
    }
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "skeleton-%d", i);
        kt_student(class, name, both, true, "skeletons");
    }
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "compile-error-%d", i);
        kt_student(class, name, one, false, "solutions");
        char *dir = kt_path(class, name);
        char *file = kt_path(dir, "shm_layout.c");
        kt_write(file, "this is not C\n");
        free(file);
        free(dir);
    }
    for (int i = 0; i < 2; i++) {
        snprintf(name, sizeof name, "empty-%d", i);
        char *dir = kt_path(class, name);
        ck_assert(mkdir(dir, 0755) == 0);
        free(dir);
    }
    /* One that ends every test with exit(0), and one with a name to quote. */
    kt_student(class, "exit-zero", one, false, "solutions");
    char *dir = kt_path(class, "exit-zero");
    char *file = kt_path(dir, "shared_buffer.c");
    char *text = kt_read(file, NULL);
    struct sg_buf hostile = SG_BUF_INIT;
    sg_buf_printf(&hostile, "#include <stdlib.h>\n%s", text);
    char *at = strstr(hostile.data, "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n");
    ck_assert(at != NULL);
    struct sg_buf patched = SG_BUF_INIT;
    sg_buf_append(&patched, hostile.data, (size_t)(at - hostile.data) + 53);
    sg_buf_puts(&patched, "    exit(0);\n");
    sg_buf_puts(&patched, at + 53);
    kt_write(file, patched.data);
    kt_student(class, "o'brien, \"jr\"", one, false, "solutions");

    const char *args[] = { "--batch", class, "-j", "2", "-o", out, "--lab", "01", "--lab", "04",
                           "--format", "text", "--format", "json", "--format", "junit",
                           "--format", "tap", "--format", "autolab", NULL };
    char *stdout_text, *progress;
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &progress), 0);
    ck_assert_msg(strstr(progress, "[20/20]") != NULL, "progress:\n%s", progress);

    /* The gradebook: a row per student, the right totals and statuses. */
    char *csv = kt_path(out, "gradebook.csv");
    struct kt_csv *c = calloc(1, sizeof *c);
    kt_read_csv(csv, c);
    ck_assert_int_eq(c->rows, 21);
    ck_assert_str_eq(kt_csv_get(c, "correct-0", "total"), "70");
    ck_assert_str_eq(kt_csv_get(c, "correct-0", "status"), "ok");
    ck_assert_str_eq(kt_csv_get(c, "correct-5", "percent"), "100.0");
    ck_assert_str_eq(kt_csv_get(c, "only-lab-01-1", "01-shared-buffer"), "40");
    ck_assert_str_eq(kt_csv_get(c, "only-lab-01-1", "status"), "04-shmat-layout: missing file");
    ck_assert_str_eq(kt_csv_get(c, "skeleton-2", "total"), "0");
    ck_assert_str_eq(kt_csv_get(c, "compile-error-0", "status"), "04-shmat-layout: compile error");
    ck_assert_str_eq(kt_csv_get(c, "compile-error-0", "01-shared-buffer"), "40");
    ck_assert_str_eq(kt_csv_get(c, "empty-1", "status"),
                     "01-shared-buffer: missing file; 04-shmat-layout: missing file");
    ck_assert_str_eq(kt_csv_get(c, "exit-zero", "01-shared-buffer"), "19");
    ck_assert_str_eq(kt_csv_get(c, "o'brien, \"jr\"", "total"), "40");

    /* Every student's reports, in every format, agree with the gradebook. */
    for (int r = 1; r < c->rows; r++) {
        char *sdir = kt_path(out, c->cells[r][0]);
        char *json = kt_path(sdir, "results.json");
        json_error_t jerr;
        json_t *root = json_load_file(json, 0, &jerr);
        ck_assert_msg(root != NULL, "%s: %s", json, jerr.text);
        char total[32];
        snprintf(total, sizeof total, "%g", json_number_value(json_object_get(root, "score")));
        ck_assert_str_eq(total, kt_csv_get(c, c->cells[r][0], "total"));
        json_decref(root);
        char *xml = kt_path(sdir, "junit.xml");
        xmlDocPtr doc = xmlReadFile(xml, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
        if (doc == NULL) {
            char *bad = kt_read(xml, NULL);
            const xmlError *e = xmlGetLastError();
            ck_abort_msg("%s does not parse: %s\n%.600s", xml, e ? e->message : "?", bad);
        }
        xmlFreeDoc(doc);
        char *tap = kt_path(sdir, "results.tap");
        char *tap_text = kt_read(tap, NULL);
        ck_assert_msg(strncmp(tap_text, "TAP version 13\n1..", 18) == 0, "%s", tap);
        char *autolab = kt_path(sdir, "autolab.txt");
        char *autolab_text = kt_read(autolab, NULL);
        char *last = autolab_text + strlen(autolab_text) - 1;
        while (last > autolab_text && last[-1] != '\n')
            last--;
        json_t *scores = json_loads(last, 0, &jerr);
        ck_assert_msg(json_is_object(json_object_get(scores, "scores")), "%s: last line %s", autolab,
                      last);
        json_decref(scores);
        free(autolab_text);
        free(tap_text);
        free(autolab);
        free(tap);
        free(xml);
        free(json);
        free(sdir);
    }

    /* The summary counts everyone. */
    char *sumfile = kt_path(out, "summary.json");
    json_t *summary = json_load_file(sumfile, 0, NULL);
    ck_assert(summary != NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(summary, "students")), 20);
    size_t i;
    json_t *v;
    json_int_t in_bins = 0;
    json_array_foreach(json_object_get(summary, "distribution"), i, v)
        in_bins += json_integer_value(json_object_get(v, "students"));
    ck_assert_int_eq(in_bins, 20);
    json_decref(summary);
    char *sumtext_path = kt_path(out, "summary.txt");
    char *sumtext = kt_read(sumtext_path, NULL);
    ck_assert_msg(strstr(sumtext, "tests by pass rate") != NULL, "%s", sumtext);

    /* Run again: nothing changed, nothing is graded again; change one file: only that one is. */
    free(progress);
    free(stdout_text);
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &progress), 0);
    size_t unchanged = 0;
    for (char *p = progress; (p = strstr(p, "not graded again")) != NULL; p++)
        unchanged++;
    ck_assert_msg(unchanged == 20, "%zu of 20 skipped on the second run:\n%s", unchanged, progress);
    kt_write(file, text);
    free(progress);
    free(stdout_text);
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &progress), 0);
    unchanged = 0;
    for (char *p = progress; (p = strstr(p, "not graded again")) != NULL; p++)
        unchanged++;
    ck_assert_msg(unchanged == 19, "%zu of 20 skipped after one file changed:\n%s", unchanged,
                  progress);
    kt_read_csv(csv, c);
    ck_assert_str_eq(kt_csv_get(c, "exit-zero", "01-shared-buffer"), "40");

    free(sumtext);
    free(sumtext_path);
    free(sumfile);
    free(c);
    free(csv);
    free(progress);
    free(stdout_text);
    sg_buf_free(&hostile);
    sg_buf_free(&patched);
    free(text);
    free(file);
    free(dir);
    kt_rmtree(class);
    kt_rmtree(out);
    free(class);
    free(out);
}
END_TEST


/* ---- the student kit and the platforms' packages ---- */

/* The end of a long text, where failures are: Check's messages have a size limit. */
static const char *kt_tail(const char *text)
{
    size_t len = strlen(text);
    return len > 1500 ? text + len - 1500 : text;
}

/* Runs script with /bin/sh from the kit's root; returns its exit status, its whole output in *out. */
static int kt_sh(const char *script, char **out)
{
    char *tmp = kt_tempdir();
    char *log = kt_path(tmp, "log");
    fflush(NULL);
    pid_t pid = fork();
    ck_assert(pid != -1);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd == -1 || dup2(fd, STDOUT_FILENO) == -1 || dup2(fd, STDERR_FILENO) == -1 ||
            chdir(kt_root) == -1)
            _exit(126);
        execl("/bin/sh", "sh", "-c", script, (char *)NULL);
        _exit(127);
    }
    int status;
    ck_assert(waitpid(pid, &status, 0) == pid);
    *out = kt_read(log, NULL);
    kt_rmtree(tmp);
    free(tmp);
    free(log);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

START_TEST(student_kit_has_no_answers_and_grades_work)
{
    char *t = kt_tempdir();
    struct sg_buf sh = SG_BUF_INIT;
    char *out;
    sg_buf_printf(&sh, "scripts/make-dist.sh '%s/kit.tar.gz' >/dev/null && tar tzf '%s/kit.tar.gz'", t, t);
    ck_assert_int_eq(kt_sh(sh.data, &out), 0);
    const char *forbidden[] = { "shmlab-student/solutions/", "/hidden/", "shmlab-student/tests/",
                                "corpus", "shmlab-student/.ci/", "shmlab-student/skeletons/" };
    for (size_t i = 0; i < sizeof forbidden / sizeof *forbidden; i++)
        ck_assert_msg(strstr(out, forbidden[i]) == NULL, "the student kit holds %s",
                      forbidden[i]);
    ck_assert_msg(strstr(out, "shmlab-student/work/01-shared-buffer/shared_buffer.c") != NULL,
                  "no working file for lab 01");
    for (char **l = kt_labs; *l != NULL; l++) {
        struct sg_buf page = SG_BUF_INIT;
        sg_buf_printf(&page, "shmlab-student/handouts/html/%s.html", *l);
        ck_assert_msg(strstr(out, page.data) != NULL, "no rendered handout %s", page.data);
        sg_buf_free(&page);
    }
    free(out);
    sh.len = 0;
    sg_buf_printf(&sh, "cd '%s' && tar xzf kit.tar.gz && cd shmlab-student && make test", t);
    int rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0 && strstr(out, "  total ") != NULL && strstr(out, "[hidden]") == NULL,
                  "make test in the unpacked student kit (status %d):\n%s", rc, kt_tail(out));
    free(out);
    sg_buf_free(&sh);
    kt_rmtree(t);
    free(t);
}
END_TEST

/* Gradescope's results.json, checked against the fields and values its documentation gives. */
static void kt_require_gradescope_results(const char *path, bool full_marks)
{
    json_error_t jerr;
    json_t *r = json_load_file(path, 0, &jerr);
    ck_assert_msg(r != NULL, "%s: %s", path, jerr.text);
    const char *visibilities[] = { "hidden", "after_due_date", "after_published", "visible" };
    const char *keys[] = { "visibility", "stdout_visibility" };
    for (size_t k = 0; k < 2; k++) {
        json_t *v = json_object_get(r, keys[k]);
        bool ok = v == NULL;
        for (size_t i = 0; i < 4 && !ok; i++)
            ok = json_is_string(v) && strcmp(json_string_value(v), visibilities[i]) == 0;
        ck_assert_msg(ok, "%s: bad %s", path, keys[k]);
    }
    ck_assert(json_is_number(json_object_get(r, "score")));
    ck_assert(json_object_get(r, "execution_time") == NULL ||
              json_is_number(json_object_get(r, "execution_time")));
    ck_assert(json_is_string(json_object_get(r, "output")));
    json_t *tests = json_object_get(r, "tests");
    ck_assert_msg(json_is_array(tests) && json_array_size(tests) > 0, "%s: no tests", path);
    double sum = 0;
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t) {
        ck_assert(json_is_string(json_object_get(t, "name")));
        ck_assert(json_is_number(json_object_get(t, "score")));
        ck_assert(json_is_number(json_object_get(t, "max_score")));
        ck_assert(json_is_string(json_object_get(t, "output")));
        const char *status = json_string_value(json_object_get(t, "status"));
        ck_assert(status != NULL && (strcmp(status, "passed") == 0 || strcmp(status, "failed") == 0));
        const char *vis = json_string_value(json_object_get(t, "visibility"));
        bool ok = false;
        for (size_t k = 0; k < 4 && vis != NULL; k++)
            ok |= strcmp(vis, visibilities[k]) == 0;
        ck_assert_msg(ok, "test %zu has visibility %s", i, vis ? vis : "(none)");
        sum += json_number_value(json_object_get(t, "score"));
    }
    ck_assert(sum == json_number_value(json_object_get(r, "score")));
    if (full_marks)
        ck_assert_msg(json_number_value(json_object_get(r, "score")) ==
                          json_number_value(json_object_get(r, "max_score")),
                      "%s: not full marks", path);
    json_decref(r);
}

START_TEST(gradescope_package_runs_in_a_simulated_autograder)
{
    char *t = kt_tempdir();
    struct sg_buf sh = SG_BUF_INIT;
    sg_buf_printf(&sh,
                  "set -e; scripts/make-package.sh gradescope '%s/pkg' >/dev/null; "
                  "mkdir -p '%s/ag/source' '%s/ag/submission'; cd '%s/ag/source'; "
                  "unzip -q '%s/pkg/shmlab-gradescope.zip'; "
                  "test ! -e solutions; test -e labs/01-shared-buffer/hidden/rubric.json; "
                  "AUTOGRADER_ROOT='%s/ag' bash setup.sh >/dev/null; "
                  "cp -r '%s/solutions/.' '%s/ag/submission/'; "
                  "AUTOGRADER_ROOT='%s/ag' ./run_autograder",
                  t, t, t, t, t, t, kt_root, t, t);
    char *out;
    int rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0, "the simulated Gradescope run failed (%d):\n%s", rc, kt_tail(out));
    char *results = kt_path(t, "ag/results/results.json");
    kt_require_gradescope_results(results, true);
    free(results);
    free(out);
    sg_buf_free(&sh);
    kt_rmtree(t);
    free(t);
}
END_TEST

START_TEST(autolab_package_ends_with_its_scores)
{
    char *t = kt_tempdir();
    struct sg_buf sh = SG_BUF_INIT;
    sg_buf_printf(&sh,
                  "set -e; scripts/make-package.sh autolab '%s/al' >/dev/null; cd '%s/al'; "
                  "mv autograde-Makefile Makefile; tar cf handin.tar -C '%s/solutions' .; make",
                  t, t, kt_root);
    char *out;
    int rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0, "the simulated Autolab run failed (%d):\n%s", rc, kt_tail(out));
    size_t len = strlen(out);
    while (len > 0 && out[len - 1] == '\n')
        out[--len] = '\0';
    char *last = strrchr(out, '\n');
    last = last ? last + 1 : out;
    json_error_t jerr;
    json_t *r = json_loads(last, 0, &jerr);
    ck_assert_msg(r != NULL, "the last line does not parse: %s\n%s", jerr.text, last);
    json_t *scores = json_object_get(r, "scores");
    size_t nlabs = 0;
    while (kt_labs[nlabs] != NULL)
        nlabs++;
    ck_assert_msg(json_is_object(scores) && json_object_size(scores) == nlabs, "%s", last);
    ck_assert(json_number_value(json_object_get(scores, "01-shared-buffer")) == 50);
    json_decref(r);
    free(out);
    sg_buf_free(&sh);
    kt_rmtree(t);
    free(t);
}
END_TEST

/* ---- setup ---- */

static void kt_load_corpus(void)
{
    kt_mutants = json_array();
    for (char **l = kt_labs; *l != NULL; l++) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s/tests/corpus/%s.json", kt_root, *l);
        if (access(p.data, R_OK) != 0) {
            sg_buf_free(&p);
            continue;
        }
        json_error_t jerr;
        json_t *c = json_load_file(p.data, 0, &jerr);
        if (c == NULL) {
            fprintf(stderr, "%s:%d: %s\n", p.data, jerr.line, jerr.text);
            exit(2);
        }
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(c, "mutants"), i, m) {
            json_object_set_new(m, "lab", json_string(*l));
            json_array_append(kt_mutants, m);
        }
        json_decref(c);
        sg_buf_free(&p);
    }
}

int main(void)
{
    if (getcwd(kt_root, sizeof kt_root) == NULL || access("grader/shmgrade", X_OK) != 0) {
        fprintf(stderr, "kit_tests: run me from the kit's root, after `make`\n");
        return 2;
    }
    struct sg_buf err = SG_BUF_INIT;
    kt_labs = sg_rubric_list_labs("labs", &err);
    if (kt_labs == NULL || kt_labs[0] == NULL) {
        fprintf(stderr, "kit_tests: no labs: %s\n", err.data ? err.data : "");
        return 2;
    }
    int nlabs = 0;
    while (kt_labs[nlabs] != NULL)
        nlabs++;
    kt_load_corpus();
    json_error_t jerr;
    kt_hostile = json_load_file("tests/corpus/hostile.json", 0, &jerr);
    if (kt_hostile == NULL) {
        fprintf(stderr, "tests/corpus/hostile.json:%d: %s\n", jerr.line, jerr.text);
        return 2;
    }

    Suite *s = suite_create("kit");
    TCase *reference = tcase_create("reference");
    tcase_set_timeout(reference, 300);
    tcase_add_test(reference, solutions_score_full_marks_json);
    tcase_add_test(reference, solutions_score_full_marks_text);
    tcase_add_loop_test(reference, skeletons_score_at_most_ten_percent, 0, nlabs);
    tcase_add_loop_test(reference, solutions_are_clean_under_memcheck, 0, nlabs);
    suite_add_tcase(s, reference);

    TCase *corpus = tcase_create("corpus");
    tcase_set_timeout(corpus, 120);
    tcase_add_loop_test(corpus, corpus_mutant_fails_for_its_mistake, 0,
                        (int)json_array_size(kt_mutants));
    suite_add_tcase(s, corpus);

    TCase *submissions = tcase_create("submissions");
    tcase_set_timeout(submissions, 120);
    tcase_add_test(submissions, flat_and_mirrored_layouts_and_missing_files);
    tcase_add_test(submissions, symlink_to_the_solution_is_refused);
    tcase_add_test(submissions, including_the_solution_is_refused);
    tcase_add_test(submissions, reports_stay_valid_whatever_the_student_prints);
    tcase_add_test(submissions, usage_errors_exit_2);
    tcase_add_test(submissions, tests_run_in_the_sandbox_where_there_is_one);
    tcase_add_loop_test(submissions, leaked_segments_never_outlive_grading, 0, 2);
    suite_add_tcase(s, submissions);

    TCase *batch = tcase_create("batch");
    tcase_set_timeout(batch, 300);
    tcase_add_test(batch, batch_grades_a_mixed_class);
    suite_add_tcase(s, batch);

    TCase *platforms = tcase_create("platforms");
    tcase_set_timeout(platforms, 600);
    tcase_add_test(platforms, student_kit_has_no_answers_and_grades_work);
    tcase_add_test(platforms, gradescope_package_runs_in_a_simulated_autograder);
    tcase_add_test(platforms, autolab_package_ends_with_its_scores);
    suite_add_tcase(s, platforms);

    TCase *hostile = tcase_create("hostile");
    tcase_set_timeout(hostile, 60);
    tcase_add_loop_test(hostile, hostile_submission_is_contained, 0,
                        (int)json_array_size(json_object_get(kt_hostile, "mutants")));
    suite_add_tcase(s, hostile);

    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
