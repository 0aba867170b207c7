/* sg_grade.c — grade a submission lab by lab; see sg_grade.h. */
#include "sg_grade.h"
#include "sg_build.h"
#include "sg_fs.h"
#include "sg_harness_protocol.h"
#include "sg_memcheck.h"
#include "sg_rubric.h"
#include "sg_sandbox.h"
#include "sg_spawn.h"
#include "sg_submission.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What a report shows of the output printed during one test. */
#define SG_TEST_OUTPUT_SHOWN 2048
#define SG_TEST_OUTPUT_KEPT (64u << 10)
/* The harness gets the rubric's timeout; the grader adds this before it
 * kills the whole process group itself. */
#define SG_TIMEOUT_GRACE_MS 3000

static char *sg_escaped(const char *s, size_t n, size_t max)
{
    struct sg_buf b = SG_BUF_INIT;
    sg_escape(&b, s, n, max, SG_ESC_KEEP_NEWLINES);
    return sg_buf_take(&b);
}

static char *sg_strdup_or_empty(const char *s)
{
    return strdup(s != NULL ? s : "");
}

/* Fills a failed test from a message: "observed\x1fexpected\x1fhint" or plain text. */
static void sg_set_failure(struct sg_test_result *t, const char *msg, size_t len,
                           const char *rubric_hint)
{
    const char *sep1 = memchr(msg, '\x1f', len);
    const char *sep2 = sep1 ? memchr(sep1 + 1, '\x1f', len - (size_t)(sep1 + 1 - msg)) : NULL;
    if (sep2 != NULL) {
        t->observed = sg_escaped(msg, (size_t)(sep1 - msg), 4096);
        t->expected = sg_escaped(sep1 + 1, (size_t)(sep2 - sep1 - 1), 4096);
        t->hint = sg_escaped(sep2 + 1, len - (size_t)(sep2 + 1 - msg), 4096);
    } else {
        t->message = sg_escaped(msg, len, 4096);
        t->hint = sg_strdup_or_empty(rubric_hint);
    }
}

/* A test whose sandbox could not be set up is tried again this many times. */
#define SG_TEST_ATTEMPTS 3

/* Starts of tests still to fail on purpose (the kit's own tests); -1: all of them. */
static int sg_start_faults;

int sg_grade_inject_start_faults(int n)
{
    int pending = sg_start_faults;
    sg_start_faults = n;
    return pending;
}

/* How the judge's outcome reads: the verdict is its exit status, never what was written. */
static void sg_read_verdict(const struct sg_rubric_test *rt, double seconds,
                            const struct sg_spawn_result *r, struct sg_test_result *t)
{
    bool exited = !r->timed_out && WIFEXITED(r->status);
    int code = exited ? WEXITSTATUS(r->status) : -1;
    const char *rec = sg_last_mark(r->result, r->result_len);
    size_t rec_len = rec ? r->result_len - (size_t)(rec - r->result) : 0;
    bool says_pass = rec_len >= 5 && memcmp(rec, "PASS\n", 5) == 0;
    if (code == 0 && says_pass) {
        t->passed = true;
        t->points = t->max_points;
        return;
    }
    if (code == 1 && rec_len >= 5 && memcmp(rec, "FAIL\n", 5) == 0) {
        sg_set_failure(t, rec + 5, rec_len - 5, rt->hint);
        t->timed_out = t->observed != NULL && strstr(t->observed, "did not finish within") != NULL;
        return;
    }
    t->timed_out = r->timed_out;
    struct sg_buf m = SG_BUF_INIT;
    if (r->timed_out)
        sg_buf_printf(&m, "killed after %g s wall time: the test did not finish, and the "
                          "grader stopped it and every process it had started",
                      seconds + SG_TIMEOUT_GRACE_MS / 1000.0);
    else if (WIFSIGNALED(r->status) || (r->isolated && code > 128 && code < 128 + 65))
        /* In the sandbox, bubblewrap reports a death by signal as 128 + signal. */
        sg_buf_printf(&m, "the test runner itself was killed by signal %d (%s): the code "
                          "under test sent a signal to processes it had not created "
                          "(kill(-1, ...), kill(0, ...), or its parent)",
                      WIFSIGNALED(r->status) ? WTERMSIG(r->status) : code - 128,
                      strsignal(WIFSIGNALED(r->status) ? WTERMSIG(r->status) : code - 128));
    else
        sg_buf_printf(&m, "the test runner ended with status %d without a verdict", code);
    t->message = sg_buf_take(&m);
    t->hint = sg_strdup_or_empty(rt->hint);
}

/*
 * Runs one test in a sandbox of its own; -1 (with why filled) when the
 * grader could not run it at all: the sandbox could not be set up after
 * retries, or the judge reported a usage or harness error (status 2).
 * Neither is the student's doing, so neither becomes a score.
 */
static int sg_run_test(const struct sg_rubric_test *rt, double seconds, const struct sg_build *b,
                       const struct sg_sandbox *sb, struct sg_test_result *t, struct sg_buf *why)
{
    char timeout[32];
    snprintf(timeout, sizeof timeout, "%g", seconds);
    const char *program = rt->hidden ? b->hidden_program : b->test_program;
    const char *argv[] = { program, "--run", rt->name, "--timeout", timeout,
                           "--program", b->program, "--result-fd", "3", NULL };
    /* Without bubblewrap the test writes into a folder of its own on disk,
     * removed after it; with it, into its private /tmp. */
    struct sg_buf rundir = SG_BUF_INIT;
    sg_buf_printf(&rundir, "%s/run-%s", b->dir, rt->name);
    struct sg_mounts mounts = { .readonly = { b->out }, .cwd = rundir.data };
    bool on_disk = sb->bwrap[0] == '\0';
    if (on_disk && (mkdir(rundir.data, 0700) == -1 ||
                    sg_sandbox_share(sb, rundir.data, true) == -1)) {
        sg_buf_printf(why, "mkdir %s: %s", rundir.data, strerror(errno));
        sg_buf_free(&rundir);
        return -1;
    }
    struct sg_env env;
    sg_env_init(&env, sg_sandbox_home(sb, &mounts));
    struct sg_spawn_opts o = {
        .argv = argv, .envp = (const char *const *)env.vars,
        .timeout_ms = (int)(seconds * 1000) + SG_TIMEOUT_GRACE_MS,
        .output_cap = SG_TEST_OUTPUT_KEPT, .result_pipe = true, .isolate = true,
        .sandbox = sb, .mounts = &mounts,
    };
    struct sg_spawn_result r;
    int rc = -1;
    for (int attempt = 0; attempt < SG_TEST_ATTEMPTS && rc == -1; attempt++) {
        if (attempt > 0) {
            sg_spawn_result_free(&r);
            struct timespec pause = { 0, 100000000L << attempt };
            nanosleep(&pause, NULL);
        }
        if (sg_start_faults != 0) {
            /* As a sandbox that could not be set up looks to the caller. */
            if (sg_start_faults > 0)
                sg_start_faults--;
            memset(&r, 0, sizeof r);
            r.setup_failed = "the sandbox (a fault injected by the kit's tests)";
            errno = EAGAIN;
            continue;
        }
        rc = sg_spawn(&o, &r);
    }
    if (on_disk)
        sg_rmtree(rundir.data);
    sg_env_free(&env);
    sg_buf_free(&rundir);
    if (rc == -1) {
        sg_buf_printf(why, "the grader could not start test %s (%s%s%s)%s%.200s", rt->name,
                      r.setup_failed ? r.setup_failed : "", r.setup_failed ? ": " : "",
                      strerror(errno), r.output_len ? ": " : "", r.output ? r.output : "");
        sg_spawn_result_free(&r);
        return -1;
    }
    if (!r.timed_out && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2) {
        sg_buf_printf(why, "the test runner could not run test %s: %.300s", rt->name,
                      r.output ? r.output : "");
        sg_spawn_result_free(&r);
        return -1;
    }
    t->seconds = r.seconds;
    t->cpu_seconds = r.cpu_seconds;
    t->output_total = r.output_total;
    if (r.output_len > 0)
        t->output = sg_escaped(r.output, r.output_len, SG_TEST_OUTPUT_SHOWN);
    sg_read_verdict(rt, seconds, &r, t);
    sg_spawn_result_free(&r);
    return 0;
}

/* Every test of the lab fails with the same reason: the lab was not graded. */
static void sg_fail_all(struct sg_lab_result *lab, const char *why)
{
    for (size_t k = 0; k < lab->ntests; k++) {
        lab->tests[k].passed = false;
        lab->tests[k].points = 0;
        free(lab->tests[k].message);
        lab->tests[k].message = strdup(why);
    }
}

/* The lab's results, one per rubric test (and the memory check), none run yet. */
static void sg_lab_init(struct sg_lab_result *lab, const struct sg_rubric *r, bool memcheck)
{
    lab->title = strdup(r->title);
    lab->file = strdup(r->file);
    lab->tests = calloc(r->ntests + 1, sizeof *lab->tests);
    lab->ntests = r->ntests;
    for (size_t k = 0; k < r->ntests; k++) {
        lab->tests[k].name = strdup(r->tests[k].name);
        lab->tests[k].description = strdup(r->tests[k].description);
        lab->tests[k].hidden = r->tests[k].hidden;
        lab->tests[k].max_points = r->tests[k].points;
        if (r->tests[k].section != NULL) {
            struct sg_buf where = SG_BUF_INIT;
            sg_buf_printf(&where, "handouts/%s.md#%s", r->id, r->tests[k].section);
            lab->tests[k].section = sg_buf_take(&where);
        }
        size_t n = 0;
        while (r->tests[k].needs != NULL && r->tests[k].needs[n] != NULL)
            n++;
        lab->tests[k].needs = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; lab->tests[k].needs != NULL && i < n; i++)
            lab->tests[k].needs[i] = strdup(r->tests[k].needs[i]);
    }
    if (memcheck) {
        struct sg_test_result *mc = &lab->tests[lab->ntests++];
        mc->name = strdup("memcheck");
        mc->description = strdup(r->memcheck.description ?: "the memory check");
        mc->max_points = r->memcheck.points;
    }
}

/* Marks the lab not graded: the grader's failure, which never becomes a score. */
static void sg_lab_grader_error(struct sg_lab_result *lab, struct sg_buf *why)
{
    lab->state = SG_LAB_GRADER_ERROR;
    lab->problem = why->len ? sg_buf_take(why) : strdup("the grader failed");
    sg_fail_all(lab, lab->problem);
}

static void sg_run_lab_tests(const struct sg_grade_opts *o, const struct sg_rubric *r,
                             const struct sg_build *b, const struct sg_sandbox *sb,
                             bool memcheck, struct sg_lab_result *lab)
{
    struct sg_buf why = SG_BUF_INIT;
    lab->state = SG_LAB_GRADED;
    for (size_t k = 0; k < r->ntests; k++) {
        double seconds = o->timeout > 0 ? o->timeout : r->tests[k].timeout;
        if (sg_run_test(&r->tests[k], seconds, b, sb, &lab->tests[k], &why) == -1) {
            sg_lab_grader_error(lab, &why);
            return;
        }
    }
    if (memcheck && b->memcheck_driver != NULL) {
        struct sg_memcheck_run m = { .build = b, .sandbox = sb };
        if (sg_memcheck(r, &m, &lab->tests[lab->ntests - 1], &why) == -1)
            sg_lab_grader_error(lab, &why);
    }
    sg_buf_free(&why);
}

static int sg_grade_lab(const struct sg_kit *kit, const struct sg_grade_opts *o,
                        const struct sg_sandbox *sb, const char *id, struct sg_lab_result *lab,
                        struct sg_buf *err)
{
    struct sg_rubric r;
    memset(lab, 0, sizeof *lab);
    lab->id = strdup(id);
    if (sg_rubric_load(kit->labs, id, o->hidden, &r, err) == -1)
        return -1;
    if (o->tests != NULL)
        sg_rubric_keep_tests(&r, o->tests);
    bool memcheck = o->memcheck && r.memcheck.points > 0;
    sg_lab_init(lab, &r, memcheck);

    struct sg_buf why = SG_BUF_INIT;
    int fd = -1;
    char *found = NULL;
    int rc_find = sg_submission_find(o->submission, id, r.file, o->root_nofollow, &found, &fd,
                                     &why);
    /* Paths come from folder names the student chose: escaped where they
     * are collected, so that no report has to think about them. */
    lab->path = found != NULL ? sg_escape_dup(found) : NULL;
    free(found);
    if (rc_find == -1) {
        lab->state = SG_LAB_MISSING;
        lab->problem = sg_escape_dup(why.data);
        sg_buf_free(&why);
        sg_fail_all(lab, lab->problem);
        sg_rubric_free(&r);
        return 0;
    }
    struct sg_buf dir = SG_BUF_INIT;
    sg_buf_printf(&dir, "%s/%s", o->workdir, id);
    struct sg_build_opts bo = {
        .student_fd = fd, .display = lab->path, .hidden = o->hidden, .memcheck = memcheck,
        .labdir = dir.data, .sandbox = sb,
    };
    struct sg_build b;
    int rc = sg_build_lab(kit, &r, &bo, &b);
    close(fd);
    lab->build_output = b.output;
    lab->notes = b.notes;
    lab->build_seconds = b.seconds;
    lab->build_cpu_seconds = b.cpu_seconds;
    b.output = b.notes = NULL;
    if (rc == -1 || b.state != SG_LAB_GRADED) {
        lab->state = rc == -1 ? SG_LAB_GRADER_ERROR : b.state;
        lab->problem = strdup(b.problem ? b.problem : "the build failed");
        sg_fail_all(lab, lab->problem);
    } else {
        sg_run_lab_tests(o, &r, &b, sb, memcheck, lab);
    }
    sg_build_free(&b);
    sg_buf_free(&dir);
    sg_rubric_free(&r);
    return 0;
}

static double sg_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sg_grade_submission(const struct sg_kit *kit, const struct sg_grade_opts *o,
                        struct sg_grade *g, struct sg_buf *err)
{
    double start = sg_clock();
    memset(g, 0, sizeof *g);
    g->submission = sg_escape_dup(o->submission);
    g->hidden = o->hidden;
    char **all = NULL;
    const char *const *ids = o->labs;
    if (ids == NULL) {
        all = sg_rubric_list_labs(kit->labs, err);
        if (all == NULL)
            return -1;
        ids = (const char *const *)all;
    }
    size_t n = 0;
    while (ids[n] != NULL)
        n++;
    g->labs = calloc(n ? n : 1, sizeof *g->labs);
    if (g->labs == NULL) {
        sg_strv_free(all);
        sg_buf_puts(err, "out of memory");
        return -1;
    }
    struct sg_sandbox sb;
    char *enter = NULL;
    struct sg_buf enter_path = SG_BUF_INIT;
    sg_buf_printf(&enter_path, "%s/sg_enter", o->workdir);
    enter = sg_buf_take(&enter_path);
    struct sg_buf kit_enter = SG_BUF_INIT;
    sg_buf_printf(&kit_enter, "%s/sg_enter", kit->objects);
    /* A copy in the scratch folder: the sandbox's user may not be able to
     * reach the kit (a root grader's kit in /root). */
    int copied = sg_copy_file(kit_enter.data, enter, 0755);
    sg_buf_free(&kit_enter);
    if (copied == -1 || sg_sandbox_init(&sb, o->workdir, enter, o->no_sandbox) == -1) {
        free(enter);
        sg_strv_free(all);
        sg_buf_printf(err, "cannot prepare the sandbox in %s: %s", o->workdir, strerror(errno));
        return -1;
    }
    free(enter);
    g->sandbox = strdup(sb.description);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        g->nlabs++;
        rc = sg_grade_lab(kit, o, &sb, ids[i], &g->labs[i], err);
    }
    sg_strv_free(all);
    sg_grade_total(g);
    g->seconds = sg_clock() - start;
    return rc;
}
