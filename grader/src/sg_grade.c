/* sg_grade.c — grade a submission lab by lab; see sg_grade.h. */
#include "sg_grade.h"
#include "sg_sweep.h"
#include "sg_build.h"
#include "sg_fs.h"
#include "sg_memcheck.h"
#include "sg_rubric.h"
#include "sg_schedule.h"
#include "sg_sandbox.h"
#include "sg_spawn.h"
#include "sg_submission.h"
#include "sg_testrun.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* One lab of the submission while it is graded: its rubric and its build. */
struct sg_lab_work {
    struct sg_rubric r;
    bool loaded;
    struct sg_build b;
    bool built;           /* b holds programs to test */
    bool memcheck;
};

/* Builds the lab's programs, holding a slot: the compiler is work like a test. */
static int sg_build_holding_slot(const struct sg_kit *kit, const struct sg_grade_opts *o,
                                 struct sg_lab_work *w, const struct sg_build_opts *bo)
{
    int slot = o->slots != NULL ? sg_slot_take(o->slots) : -1;
    int rc = sg_build_lab(kit, &w->r, bo, &w->b);
    if (slot != -1)
        close(slot);
    return rc;
}

/*
 * Without bubblewrap the tests see the machine's files: hidden tests that
 * every user may read, student code may print in a public test's output
 * (a platform review). Said to the instructor, on stderr; the platform
 * scripts run scripts/protect-secrets.sh.
 */
static void sg_warn_readable_secrets(const struct sg_kit *kit, const char *const *ids)
{
    for (size_t i = 0; ids[i] != NULL; i++)
        for (int k = 0; k < 3; k++) {
            struct stat st;
            struct sg_buf hidden = SG_BUF_INIT;
            if (k == 0)
                sg_buf_printf(&hidden, "%s/%s/hidden", kit->labs, ids[i]);
            else
                sg_buf_printf(&hidden, "%s/%s/%s", kit->objects, ids[i],
                              k == 1 ? "hidden.o" : "obj/hidden");
            bool open_to_all = stat(hidden.data, &st) == 0 && (st.st_mode & S_IROTH);
            if (open_to_all)
                fprintf(stderr, "shmgrade: warning: %s can be read by every user, and without "
                                "bubblewrap the tests run where they can read it: run "
                                "scripts/protect-secrets.sh in the kit (as its owner)\n",
                        hidden.data);
            sg_buf_free(&hidden);
            if (open_to_all)
                return;
        }
}

/* a, then b, each when not NULL, as one note (malloc'ed), or NULL. */
static char *sg_notes_join(const char *a, const char *b)
{
    struct sg_buf n = SG_BUF_INIT;
    if (a != NULL)
        sg_buf_puts(&n, a);
    if (b != NULL)
        sg_buf_printf(&n, "%s%s", n.len ? "; " : "", b);
    return n.len ? sg_buf_take(&n) : NULL;
}

/*
 * Loads the rubric, finds the student's file and builds it. -1 only when
 * the rubric cannot be read (the kit is broken); everything else is in lab.
 */
static int sg_prepare_lab(const struct sg_kit *kit, const struct sg_grade_opts *o,
                          const struct sg_sandbox *sb, const char *id, struct sg_lab_work *w,
                          struct sg_lab_result *lab, struct sg_buf *err)
{
    memset(lab, 0, sizeof *lab);
    lab->id = strdup(id);
    if (sg_rubric_load(kit->labs, id, o->hidden, &w->r, err) == -1)
        return -1;
    w->loaded = true;
    if (o->tests != NULL)
        sg_rubric_keep_tests(&w->r, o->tests);
    w->memcheck = o->memcheck && w->r.memcheck.points > 0;
    sg_lab_init(lab, &w->r, w->memcheck);

    struct sg_buf why = SG_BUF_INIT;
    int fd = -1;
    char *found = NULL;
    struct sg_buf where = SG_BUF_INIT;
    int rc_find = sg_submission_find_lab(kit->root, kit->labs, o->submission, o->root_nofollow, id,
                                         w->r.file, &found, &fd, &why, &where);
    /* Paths come from folder names the student chose: escaped where they
     * are collected, so that no report has to think about them. */
    lab->path = found != NULL ? sg_escape_dup(found) : NULL;
    char *siblings =
        found != NULL ? sg_submission_siblings(found, w->r.file, w->r.header, kit->root) : NULL;
    free(found);
    if (rc_find < 0) {
        sg_buf_free(&where);
        free(siblings);
        /* A link or a device is refused, as the README says: not "missing". */
        lab->state = rc_find == -2 ? SG_LAB_REFUSED : SG_LAB_MISSING;
        lab->problem = sg_escape_dup(why.data);
        sg_buf_free(&why);
        sg_fail_all(lab, lab->problem);
        return 0;
    }
    struct sg_buf dir = SG_BUF_INIT;
    sg_buf_printf(&dir, "%s/%s", o->workdir, id);
    struct sg_build_opts bo = {
        .student_fd = fd, .display = lab->path, .hidden = o->hidden, .memcheck = w->memcheck,
        .labdir = dir.data, .sandbox = sb, .cache = o->build_cache,
    };
    int rc = sg_build_holding_slot(kit, o, w, &bo);
    close(fd);
    sg_buf_free(&dir);
    lab->build_output = w->b.output;
    char *where_escaped = where.data != NULL ? sg_escape_dup(where.data) : NULL;
    lab->notes = sg_notes_join(where_escaped, w->b.notes);
    free(where_escaped);
    sg_buf_free(&where);
    free(w->b.notes);
    lab->build_seconds = w->b.seconds;
    lab->build_cpu_seconds = w->b.cpu_seconds;
    w->b.output = w->b.notes = NULL;
    if (rc == -1 || w->b.state != SG_LAB_GRADED) {
        lab->state = rc == -1 ? SG_LAB_GRADER_ERROR : w->b.state;
        struct sg_buf problem = SG_BUF_INIT;
        sg_buf_puts(&problem, w->b.problem ? w->b.problem : "the build failed");
        /* Only where the build missed a name or a header: a syntax error has
         * nothing to do with the files beside it (a fresh-eyes review). */
        const char *said = lab->build_output != NULL ? lab->build_output : "";
        bool missed = strstr(said, "undefined reference") != NULL ||
                      strstr(said, "No such file or directory") != NULL ||
                      strstr(said, "implicit declaration") != NULL;
        if (lab->state == SG_LAB_BUILD_FAILED && missed && siblings != NULL && siblings[0] != '\0')
            sg_buf_printf(&problem, " (the grader compiles %s alone: %s beside it %s not "
                                    "compiled; a helper goes into %s, as a static function)",
                          w->r.file, siblings, strchr(siblings, ',') ? "are" : "is",
                          w->r.file);
        free(siblings);
        lab->problem = sg_buf_take(&problem);
        sg_fail_all(lab, lab->problem);
        return 0;
    }
    free(siblings);
    lab->state = SG_LAB_GRADED;
    w->built = true;
    return 0;
}

/* Every test of every built lab, round-robin over the labs: each lab's first tests run early. */
static struct sg_job *sg_make_jobs(const struct sg_grade_opts *o, struct sg_lab_work *w,
                                   struct sg_lab_result *labs, size_t nlabs, size_t *njobs)
{
    size_t total = 0, longest = 0;
    for (size_t i = 0; i < nlabs; i++)
        if (w[i].built) {
            total += w[i].r.ntests;
            longest = w[i].r.ntests > longest ? w[i].r.ntests : longest;
        }
    struct sg_job *jobs = calloc(total + 1, sizeof *jobs);
    *njobs = 0;
    for (size_t k = 0; jobs != NULL && k < longest; k++)
        for (size_t i = 0; i < nlabs; i++) {
            if (!w[i].built || k >= w[i].r.ntests)
                continue;
            jobs[(*njobs)++] = (struct sg_job){
                .rt = &w[i].r.tests[k], .build = &w[i].b, .result = &labs[i].tests[k],
                .seconds = o->timeout > 0 ? o->timeout : w[i].r.tests[k].timeout, .lab = i,
            };
        }
    return jobs;
}

/*
 * A test the memory check requires (its rubric's "requires") that did not
 * pass, among the lab's results; NULL when every one passed.
 */
static const struct sg_test_result *sg_memcheck_unmet(const struct sg_rubric *r,
                                                     const struct sg_lab_result *lab)
{
    for (char **q = r->memcheck.requires; q != NULL && *q != NULL; q++)
        for (size_t k = 0; k < lab->ntests; k++)
            if (strcmp(lab->tests[k].name, *q) == 0 && !lab->tests[k].passed)
                return &lab->tests[k];
    return NULL;
}

/* Fails the memory check mc without running it: unmet did not pass. */
static void sg_memcheck_not_run(struct sg_test_result *mc, const struct sg_test_result *unmet)
{
    struct sg_buf obs = SG_BUF_INIT, exp = SG_BUF_INIT;
    sg_buf_printf(&obs, "not run: %s failed, and the memory check judges code that does the "
                        "lab's work (a function that returns a made-up value touches no memory "
                        "wrongly)",
                  unmet->name);
    sg_buf_printf(&exp, "%s to pass first", unmet->name);
    sg_result_not_run(mc, &obs, sg_buf_take(&exp),
                      "fix the tests of the lab's functions first: with them passing, the "
                      "memory check runs");
}

/* The memory check of each built lab, one after the other, each holding a slot. */
static void sg_memcheck_labs(const struct sg_grade_opts *o, const struct sg_sandbox *sb,
                             struct sg_lab_work *w, struct sg_lab_result *labs, size_t nlabs,
                             char **lab_error)
{
    for (size_t i = 0; i < nlabs; i++) {
        if (!w[i].built || !w[i].memcheck || w[i].b.memcheck_driver == NULL ||
            labs[i].state != SG_LAB_GRADED || lab_error[i] != NULL)
            continue;
        struct sg_test_result *mc = &labs[i].tests[labs[i].ntests - 1];
        const struct sg_test_result *unmet = sg_memcheck_unmet(&w[i].r, &labs[i]);
        if (unmet != NULL) {
            sg_memcheck_not_run(mc, unmet);
            continue;
        }
        struct sg_buf why = SG_BUF_INIT;
        struct sg_memcheck_run m = { .build = &w[i].b, .sandbox = sb };
        int slot = o->slots != NULL ? sg_slot_take(o->slots) : -1;
        if (sg_memcheck(&w[i].r, &m, mc, &why) == -1)
            sg_lab_grader_error(&labs[i], &why);
        if (slot != -1)
            close(slot);
        sg_buf_free(&why);
    }
}

/* Opens or closes the hidden tests' folder of every built lab (sg_sandbox_gate). */
static int sg_hidden_gates(const struct sg_sandbox *sb, const struct sg_lab_work *w, size_t nlabs,
                           bool open)
{
    int rc = 0;
    for (size_t i = 0; i < nlabs; i++)
        if (w[i].built && w[i].b.hidden_program != NULL &&
            sg_sandbox_gate(sb, w[i].b.hidden_out, open) == -1)
            rc = -1;
    return rc;
}

/* Runs every test of the built labs; a lab the grader could not test is marked so. */
static int sg_test_labs(const struct sg_grade_opts *o, const struct sg_sandbox *sb,
                        struct sg_lab_work *w, struct sg_lab_result *labs, size_t nlabs,
                        struct sg_buf *err)
{
    size_t njobs;
    struct sg_job *jobs = sg_make_jobs(o, w, labs, nlabs, &njobs);
    char **lab_error = calloc(nlabs + 1, sizeof *lab_error);
    if (jobs == NULL || lab_error == NULL) {
        free(jobs);
        free(lab_error);
        sg_buf_puts(err, "out of memory");
        return -1;
    }
    /* Where the kernel cannot count a test's processes apart (no user
     * namespaces), the submission's tests share one process budget: run
     * together, one that forks without end would starve another's sandbox,
     * which the grader must then report as its own failure, never scored
     * (a review of sg_enter's 'F': a fork bomb could make its own lab "not
     * graded"). One at a time, each has the budget to itself. */
    int parallel = o->parallel > 0 ? o->parallel : 1;
    if (!sb->per_sandbox)
        parallel = 1;
    struct sg_schedule_opts so = { .sandbox = sb, .slots = o->slots, .parallel = parallel,
                                   .phase = SG_PHASE_PUBLIC };
    /* The hidden tests start once every public test has ended. Run side
     * by side, a hidden test's code could pass its program's strings to a
     * public test's output, which the student reads: sandboxes share the
     * inodes of /usr and of the kit's programs, and with them file locks,
     * which another namespace sees taken (an attacker's review: 1.6 KiB of
     * hidden names and hints through flock). Without namespaces their
     * program's folder is closed to the tests until then, and again after
     * (sg_sandbox_gate). */
    const char *step = "chmod of the hidden tests' folder";
    int rc = sg_hidden_gates(sb, w, nlabs, false);
    if (rc == 0 && (rc = sg_schedule_run(jobs, njobs, &so, lab_error)) == -1)
        step = "the public tests' runners (fork, pipe)";
    /* The memory check, which the student reads, runs before the hidden
     * tests, not after: nothing a hidden test's code leaves (in the page
     * cache of a file of /usr, which every sandbox shares, an attacker's
     * review read back 1.8 KiB of hidden hints) reaches a later report of
     * the same grading. It needs the public tests' results (its
     * "requires"). */
    if (rc == 0)
        sg_memcheck_labs(o, sb, w, labs, nlabs, lab_error);
    so.phase = SG_PHASE_HIDDEN;
    if (rc == 0 && (rc = sg_hidden_gates(sb, w, nlabs, true)) == 0 &&
        (rc = sg_schedule_run(jobs, njobs, &so, lab_error)) == -1)
        step = "the hidden tests' runners (fork, pipe)";
    int saved = errno;
    if (sg_hidden_gates(sb, w, nlabs, false) == -1 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == -1)
        sg_buf_printf(err, "could not run the tests: %s: %s", step, strerror(saved));
    for (size_t i = 0; i < nlabs; i++) {
        if (lab_error[i] == NULL)
            continue;
        struct sg_buf why = SG_BUF_INIT;
        sg_buf_puts(&why, lab_error[i]);
        sg_lab_grader_error(&labs[i], &why);
        free(lab_error[i]);
    }
    free(lab_error);
    free(jobs);
    return rc;
}

int sg_default_jobs(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return 2 * (int)(cores > 0 ? cores : 1);
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
        if (errno == EAGAIN)
            sg_buf_printf(err, "cannot prepare the sandbox in %s: none of %d tries to "
                               "start one started and ended within %d s (is the machine "
                               "overloaded?); nothing was graded",
                          o->workdir, SG_PROBE_TRIES,
                          (SG_PROBE_TIMEOUT_MS + SG_SANDBOX_SETUP_MS) / 1000);
        else
            sg_buf_printf(err, "cannot prepare the sandbox in %s: %s", o->workdir,
                          strerror(errno));
        return -1;
    }
    free(enter);
    sg_sandbox_hide(&sb, kit->root);
    sg_sandbox_hide(&sb, o->submission);
    if (o->batch) {
        /* The class, with every classmate's files, and its reports. */
        char *class = strdup(o->submission);
        char *slash = class != NULL ? strrchr(class, '/') : NULL;
        if (slash != NULL && slash != class) {
            *slash = '\0';
            sg_sandbox_hide(&sb, class);
        }
        free(class);
        sg_sandbox_hide(&sb, o->outdir);
    }
    /* Others' code (hidden tests: an instructor's grading; a class) is not
     * run as the grader itself unless asked to. */
    if (sg_sandbox_as_grader(&sb) && !o->no_sandbox && !o->own_code && (o->hidden || o->batch)) {
        sg_strv_free(all);
        sg_buf_puts(err, "not graded: " SG_SANDBOX_AS_GRADER_REFUSED);
        return -1;
    }
    /* The batch found bubblewrap working and grades classmates side by side:
     * this one's code without namespaces would share their /tmp and /proc. */
    if (sb.bwrap[0] == '\0' && o->needs_namespaces) {
        sg_strv_free(all);
        sg_buf_puts(err, "not graded: bubblewrap worked when the class began and not for this "
                         "submission, whose tests would have run beside its classmates' without "
                         "namespaces; grade the class again");
        return -1;
    }
    if (sb.bwrap[0] == '\0' && o->hidden)
        sg_warn_readable_secrets(kit, ids);
    g->sandbox = strdup(sb.description);
    struct sg_lab_work *work = calloc(n ? n : 1, sizeof *work);
    int rc = work != NULL ? 0 : -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        g->nlabs++;
        rc = sg_prepare_lab(kit, o, &sb, ids[i], &work[i], &g->labs[i], err);
    }
    /* "Hidden tests included" only where the rubrics loaded hold some:
     * --hidden in the student kit, which has none, said so over a public
     * grading (a student-kit review). */
    bool any_hidden = false;
    for (size_t i = 0; rc == 0 && i < g->nlabs; i++)
        for (size_t k = 0; work[i].loaded && k < work[i].r.ntests; k++)
            any_hidden |= work[i].r.tests[k].hidden;
    if (rc == 0 && o->hidden && !any_hidden) {
        g->hidden = false;
        fputs("shmgrade: no hidden test among those graded (the student kit has none): "
              "the report is of public tests only\n", stderr);
    }
    if (rc == 0)
        rc = sg_test_labs(o, &sb, work, g->labs, g->nlabs, err);
    /* Without namespaces, whatever the submission's own uid left: every
     * process of it has ended (sg_sweep.h). */
    if (sb.bwrap[0] == '\0' && sg_sandbox_own_uid(&sb))
        sg_sweep_uid(sb.uid, sb.gid);
    for (size_t i = 0; work != NULL && i < n; i++) {
        if (work[i].loaded)
            sg_rubric_free(&work[i].r);
        sg_build_free(&work[i].b);
    }
    free(work);
    sg_strv_free(all);
    sg_grade_total(g);
    g->seconds = sg_clock() - start;
    return rc;
}
