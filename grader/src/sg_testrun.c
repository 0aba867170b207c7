/* sg_testrun.c — run one test in a sandbox of its own and read its verdict; see sg_testrun.h. */
#include "sg_testrun.h"
#include "sg_isolate.h"
#include "sg_guard.h"
#include "sg_grade.h"
#include "sg_fs.h"
#include "sg_harness_protocol.h"
#include "sg_kit.h"
#include "sg_spawn.h"
#include "sg_sweep.h"

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

/* How many first starts of each test fail on purpose (the kit's own tests). */
static int sg_start_faults;

void sg_grade_inject_start_faults(int n)
{
    sg_start_faults = n;
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
        /* A call that never returned (SG_REQUIRE_RETURNED) did not finish,
         * as a test Check's own timer killed did not. */
        bool hung = rec_len > 5 && rec[5] == SG_HUNG_MARK;
        sg_set_failure(t, rec + 5 + hung, rec_len - 5 - hung, rt->hint);
        t->timed_out = hung || (t->observed != NULL &&
                                strstr(t->observed, "did not finish within") != NULL);
        return;
    }
    t->timed_out = r->timed_out;
    if (r->limit_hit != 0) {
        /* sg_enter stopped it (grader/enter/sg_watch.h): why, in the student's terms,
         * with the notes on limits the judge added when its test process died. */
        struct sg_buf obs = SG_BUF_INIT;
        const char *notes = rec != NULL && rec_len > 5 ? memchr(rec, '[', rec_len) : NULL;
        const char *sep = rec != NULL ? memchr(rec, '\x1f', rec_len) : NULL;
        if (r->limit_hit == 'c')
            sg_buf_printf(&obs, "the test did not finish: its processes used more than %.1f s of "
                                "CPU time together and were stopped",
                          rt->cpu_limit);
        else
            sg_buf_printf(&obs, "the test did not finish: for %.1f s or more none of its processes "
                                "could run and none used any CPU, so they were stopped%s%s%s",
                          rt->stuck_limit, r->stuck_detail ? " (" : "",
                          r->stuck_detail ? r->stuck_detail : "", r->stuck_detail ? ")" : "");
        if (notes != NULL && (sep == NULL || notes < sep)) {
            struct sg_buf n = SG_BUF_INIT;
            sg_escape(&n, notes, (size_t)((sep ? sep : rec + rec_len) - notes), 400, 0);
            sg_buf_printf(&obs, " %s", n.data);
            sg_buf_free(&n);
        }
        t->observed = sg_buf_take(&obs);
        t->expected = strdup(r->limit_hit == 'c'
                                 ? "the test to finish using a small part of that (the reference "
                                   "solution needs a few milliseconds)"
                                 : "every wait to end: each process the test waits for finishes, "
                                   "each signal waited for arrives");
        t->hint = strdup(r->limit_hit == 'c'
                             ? "a loop that never ends, or one that spins while waiting instead of "
                               "sleeping in the kernel"
                             : "something waits for what never happens: a child that never ends, "
                               "a signal that was sent before the wait (lost), or one blocked in "
                               "the mask the wait sleeps with, a read with no input, a lock "
                               "nobody releases");
        return;
    }
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

int sg_test_run(const struct sg_rubric_test *rt, double seconds, const struct sg_build *b,
                       const struct sg_sandbox *sb, struct sg_test_result *t, struct sg_buf *why)
{
    char timeout[32];
    snprintf(timeout, sizeof timeout, "%g", seconds);
    const char *program = rt->hidden ? b->hidden_program : b->test_program;
    struct sg_object_tag tag;
    sg_object_tag(&tag);
    const char *argv[] = { program, "--run", rt->name, "--timeout", timeout,
                           "--program", b->program, "--result-fd", "3",
                           "--object-tag", tag.tag, NULL };
    /* Without bubblewrap the test writes into a folder of its own on disk,
     * removed after it; with it, into its private /tmp. */
    struct sg_buf rundir = SG_BUF_INIT;
    sg_buf_printf(&rundir, "%s/run-%s", b->dir, rt->name);
    struct sg_mounts mounts = { .readonly = { b->out, rt->hidden ? b->hidden_out : NULL },
                                .cwd = rundir.data };
    bool on_disk = sb->bwrap[0] == '\0';
    /* Where /dev/shm may be the machine's, what the test's names leave there
     * is removed after it, or by the guard if the grading is stopped. */
    if (on_disk)
        sg_guard_register_objects(tag.mark);
    if (on_disk && (mkdir(rundir.data, 0700) == -1 ||
                    sg_sandbox_share(sb, rundir.data, true) == -1)) {
        sg_buf_printf(why, "mkdir %s: %s", rundir.data, strerror(errno));
        sg_buf_free(&rundir);
        return -1;
    }
    struct sg_env env;
    sg_env_init(&env, sg_sandbox_home(sb, &mounts));
    struct sg_watch_limits watch = { rt->cpu_limit < seconds ? rt->cpu_limit : seconds,
                                     rt->stuck_limit < seconds ? rt->stuck_limit : seconds };
    struct sg_spawn_opts o = {
        .watch = &watch,
        .argv = argv, .envp = (const char *const *)env.vars,
        .timeout_ms = (int)(seconds * 1000) + SG_TIMEOUT_GRACE_MS,
        .output_cap = SG_TEST_OUTPUT_KEPT, .result_pipe = true, .isolate = true,
        .sandbox = sb, .mounts = &mounts,
    };
    struct sg_spawn_result r;
    int rc = -1, faults = sg_start_faults;
    for (int attempt = 0; attempt < SG_TEST_ATTEMPTS && rc == -1; attempt++) {
        if (attempt > 0) {
            sg_spawn_result_free(&r);
            struct timespec pause = { 0, 100000000L << attempt };
            nanosleep(&pause, NULL);
        }
        if (faults > 0) {
            /* As a sandbox that could not be set up looks to the caller. */
            faults--;
            memset(&r, 0, sizeof r);
            r.setup_failed = "the sandbox (a fault injected by the kit's tests)";
            errno = EAGAIN;
            continue;
        }
        rc = sg_spawn(&o, &r);
    }
    if (on_disk) {
        /* Every process of the test is gone: what its names left in the
         * machine's /dev/shm is removed (with namespaces, nothing is there). */
        sg_rmtree(rundir.data);
        sg_shm_remove_tagged(tag.mark);
        /* A uid of the submission's own, and its tests one at a time: all
         * it owns is this test's (sg_sweep.h). Run side by side, the rest
         * is swept once the submission is done (sg_grade.c). */
        if (sg_sandbox_own_uid(sb) && !sb->per_sandbox)
            sg_sweep_uid(sb->uid, sb->gid);
    }
    sg_env_free(&env);
    sg_buf_free(&rundir);
    /* Code under a hidden test runs in the program that holds the hidden
     * tests' strings, and can print them (from /proc/self/exe, or its own
     * memory): what it printed is never shown, to the student or in a
     * grader error's message (an attacker's review: Gradescope's output
     * of hidden tests quoted their messages and expected values). */
    const char *printed = rt->hidden ? NULL : r.output;
    if (rc == -1) {
        sg_buf_printf(why, "the grader could not start test %s (%s%s%s)%s%.200s", rt->name,
                      r.setup_failed ? r.setup_failed : "", r.setup_failed ? ": " : "",
                      strerror(errno), printed && r.output_len ? ": " : "", printed ? printed : "");
        sg_spawn_result_free(&r);
        return -1;
    }
    if (!r.timed_out && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2) {
        sg_buf_printf(why, "the test runner could not run test %s: %.300s", rt->name,
                      printed ? printed : "(what a hidden test printed is not shown)");
        sg_spawn_result_free(&r);
        return -1;
    }
    t->seconds = r.seconds;
    t->cpu_seconds = r.cpu_seconds;
    t->output_total = printed ? r.output_total : 0;
    if (printed != NULL && r.output_len > 0)
        t->output = sg_escaped(r.output, r.output_len, SG_TEST_OUTPUT_SHOWN);
    sg_read_verdict(rt, seconds, &r, t);
    sg_spawn_result_free(&r);
    return 0;
}

