/* sg_schedule.c — tests of a submission several at a time; see sg_schedule.h. */
#include "sg_schedule.h"
#include "sg_spawn.h"
#include "sg_testrun.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum sg_job_state { SG_JOB_QUEUED, SG_JOB_RUNNING, SG_JOB_DONE };

struct sg_runner {
    pid_t pid;
    int fd;               /* the runner's report */
    struct sg_buf report;
    size_t job;
};

static json_t *sg_str(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

/* In the runner: runs one job and writes its result as JSON to out. Never returns. */
static void sg_runner(const struct sg_job *j, const struct sg_schedule_opts *o, int out,
                      pid_t scheduler) __attribute__((noreturn));
static void sg_runner(const struct sg_job *j, const struct sg_schedule_opts *o, int out,
                      pid_t scheduler)
{
    /* Its test dies with it (sg_spawn), and it with the scheduler. */
    if (sg_spawn_die_with(scheduler) == -1)
        _exit(1);
    /* A subreaper of its own: orphans of this test's sandbox come here,
     * not to the scheduler, whose other children are other runners. */
    sg_spawn_init();
    struct sg_buf why = SG_BUF_INIT;
    struct sg_test_result t;
    memset(&t, 0, sizeof t);
    t.max_points = j->result->max_points;
    json_t *report;
    int slot = o->slots != NULL ? sg_slot_take(o->slots) : -1;
    if (o->slots != NULL && slot == -1) {
        sg_buf_printf(&why, "could not take a slot to run %s: %s", j->rt->name, strerror(errno));
        report = json_pack("{s:s}", "error", why.data);
    } else if (sg_test_run(j->rt, j->seconds, j->build, o->sandbox, &t, &why) == -1) {
        report = json_pack("{s:s}", "error", why.data ? why.data : "the test could not be run");
    } else {
        report = json_pack("{s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:I, s:f, s:f}", "passed",
                           t.passed, "timed_out", t.timed_out, "observed", sg_str(t.observed),
                           "expected", sg_str(t.expected), "hint", sg_str(t.hint), "message",
                           sg_str(t.message), "output", sg_str(t.output), "output_total",
                           (json_int_t)t.output_total, "seconds", t.seconds, "cpu",
                           t.cpu_seconds);
    }
    char *text = report != NULL ? json_dumps(report, JSON_COMPACT) : NULL;
    int rc = 1;
    if (text != NULL) {
        size_t len = strlen(text), off = 0;
        while (off < len) {
            ssize_t w = write(out, text + off, len - off);
            if (w == -1 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        rc = off == len ? 0 : 1;
    }
    _exit(rc);
}

static char *sg_take_str(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s != NULL ? strdup(s) : NULL;
}

/* Applies a runner's report to its job's result; the error (malloc'ed) when there is one. */
static char *sg_apply(const struct sg_job *j, const char *text, size_t len)
{
    json_t *root = json_loadb(text, len, 0, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        struct sg_buf why = SG_BUF_INIT;
        sg_buf_printf(&why, "the runner of test %s ended without a report", j->rt->name);
        return sg_buf_take(&why);
    }
    char *error = sg_take_str(root, "error");
    if (error == NULL) {
        struct sg_test_result *t = j->result;
        t->passed = json_is_true(json_object_get(root, "passed"));
        t->points = t->passed ? t->max_points : 0;
        t->timed_out = json_is_true(json_object_get(root, "timed_out"));
        t->observed = sg_take_str(root, "observed");
        t->expected = sg_take_str(root, "expected");
        t->hint = sg_take_str(root, "hint");
        t->message = sg_take_str(root, "message");
        t->output = sg_take_str(root, "output");
        t->output_total = (size_t)json_integer_value(json_object_get(root, "output_total"));
        t->seconds = json_number_value(json_object_get(root, "seconds"));
        t->cpu_seconds = json_number_value(json_object_get(root, "cpu"));
    }
    json_decref(root);
    return error;
}

/* Whether every function of small is in big (both NULL-terminated; an empty small is in none). */
static bool sg_needs_all(char *const *big, char *const *small)
{
    if (small == NULL || small[0] == NULL)
        return false;
    for (char *const *s = small; *s != NULL; s++) {
        bool found = false;
        for (char *const *b = big; b != NULL && *b != NULL && !found; b++)
            found = strcmp(*b, *s) == 0;
        if (!found)
            return false;
    }
    return true;
}

/*
 * Whether earlier job i can make job k be skipped: a basic test (the
 * plain call of its functions, marked in the rubric) of k's lab whose
 * functions k calls too. Only a hang there says the functions hang
 * everywhere: a function that hangs only on an error path or an odd
 * input (waitpid retried on every error, a loop that misses end of file)
 * passes the other tests, which must run. Never a hidden test for a
 * public one (sg_rubric.c makes no hidden test basic): the report would
 * name it, and code that can tell which test runs it could hang there
 * on purpose to change what the student reads of the public tests.
 */
static bool sg_may_skip(const struct sg_job *jobs, size_t i, size_t k)
{
    return jobs[i].lab == jobs[k].lab && jobs[i].rt->basic &&
           (jobs[k].rt->hidden || !jobs[i].rt->hidden) &&
           sg_needs_all(jobs[k].rt->needs, jobs[i].rt->needs);
}

/* Whether job k's test requires earlier job i's to pass first (its rubric's "requires"). */
static bool sg_requires(const struct sg_job *jobs, size_t i, size_t k)
{
    if (jobs[i].lab != jobs[k].lab)
        return false;
    for (char **q = jobs[k].rt->requires; q != NULL && *q != NULL; q++)
        if (strcmp(*q, jobs[i].rt->name) == 0)
            return true;
    return false;
}

/*
 * Whether job k may start: every earlier test that could make it be
 * skipped has ended, and every test it requires. Only then is the
 * decision to skip it the same whatever the machine's load, so a
 * student's grade never depends on which test happened to finish first.
 */
static bool sg_ready(const struct sg_job *jobs, const enum sg_job_state *st, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (st[i] != SG_JOB_DONE && (sg_may_skip(jobs, i, k) || sg_requires(jobs, i, k)))
            return false;
    return true;
}

/* An earlier test that job k requires and that did not pass; or NULL. */
static const struct sg_job *sg_required_failed(const struct sg_job *jobs,
                                               const enum sg_job_state *st, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (st[i] == SG_JOB_DONE && sg_requires(jobs, i, k) && !jobs[i].result->passed)
            return &jobs[i];
    return NULL;
}

/* An earlier test that hung and makes job k be skipped (sg_may_skip); or NULL. */
static const struct sg_job *sg_hung_before(const struct sg_job *jobs, const enum sg_job_state *st,
                                           size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (st[i] == SG_JOB_DONE && jobs[i].result->timed_out && sg_may_skip(jobs, i, k))
            return &jobs[i];
    return NULL;
}

void sg_result_not_run(struct sg_test_result *t, struct sg_buf *obs, char *expected,
                       const char *hint)
{
    t->passed = false;
    t->points = 0;
    t->observed = sg_buf_take(obs);
    t->expected = expected;
    t->hint = strdup(hint);
}

/* Fails j without running it, because hung (of the same lab) did not finish. */
static void sg_skip(const struct sg_job *j, const struct sg_job *hung)
{
    struct sg_buf calls = SG_BUF_INIT, obs = SG_BUF_INIT;
    for (char *const *f = hung->rt->needs; *f != NULL; f++)
        sg_buf_printf(&calls, "%s%s", calls.len ? ", " : "", *f);
    sg_buf_printf(&obs, "not run: %s did not finish, and this test calls the same functions "
                        "(%s), so it would not either",
                  hung->rt->name, calls.data);
    sg_result_not_run(j->result, &obs, strdup("every function of the lab to return"),
               "a loop or a wait that never ends in one of these functions: fix the first "
               "test that did not finish, and this one runs again");
    sg_buf_free(&calls);
}

/*
 * Fails j without running it: the test it requires failed, and until that
 * one passes this one cannot tell right from wrong: its outcome would be
 * the scheduler's luck (a stress test of a ring without its mutex), or a
 * pass for code that does nothing (a lock that is never taken is never
 * left held).
 */
static void sg_skip_required(const struct sg_job *j, const struct sg_job *failed)
{
    struct sg_buf obs = SG_BUF_INIT, exp = SG_BUF_INIT;
    sg_buf_printf(&obs, "not run: %s failed, and until it passes this test cannot tell right "
                        "from wrong (it would pass or fail by how the processes happen to be "
                        "scheduled, or pass code that does not do the work)",
                  failed->rt->name);
    sg_buf_printf(&exp, "%s to pass first", failed->rt->name);
    sg_result_not_run(j->result, &obs, sg_buf_take(&exp),
               "fix the first test that failed: with it passing, this one runs again, and its "
               "result is the same every time");
}

/* Starts job k in a runner; -1 when no runner could be started. */
static int sg_start(struct sg_job *jobs, size_t k, const struct sg_schedule_opts *o,
                    struct sg_runner *r)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) == -1)
        return -1;
    fflush(NULL);
    pid_t scheduler = getpid();
    pid_t pid = fork();
    if (pid == -1) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        sg_runner(&jobs[k], o, p[1], scheduler);
    }
    close(p[1]);
    *r = (struct sg_runner){ .pid = pid, .fd = p[0], .report = SG_BUF_INIT, .job = k };
    return 0;
}

/* Reads what runner r has written; true when it is done (EOF). */
static bool sg_read_runner(struct sg_runner *r)
{
    char chunk[8192];
    ssize_t n = read(r->fd, chunk, sizeof chunk);
    if (n > 0) {
        sg_buf_append(&r->report, chunk, (size_t)n);
        return false;
    }
    return !(n == -1 && errno == EINTR);
}

int sg_schedule_run(struct sg_job *jobs, size_t n, const struct sg_schedule_opts *o,
                    char **lab_error)
{
    size_t parallel = o->parallel > 0 ? (size_t)o->parallel : 1;
    enum sg_job_state *st = calloc(n + 1, sizeof *st);
    struct sg_runner *run = calloc(parallel, sizeof *run);
    struct pollfd *p = calloc(parallel, sizeof *p);
    if (st == NULL || run == NULL || p == NULL) {
        free(st);
        free(run);
        free(p);
        return -1;
    }
    size_t done = 0, running = 0;
    int rc = 0;
    /* The other phase's jobs count as ended: the public ones with their results. */
    for (size_t k = 0; k < n; k++)
        if ((o->phase == SG_PHASE_PUBLIC && jobs[k].rt->hidden) ||
            (o->phase == SG_PHASE_HIDDEN && !jobs[k].rt->hidden)) {
            st[k] = SG_JOB_DONE;
            done++;
        }
    while (done < n) {
        /* Fill the free runners with the first queued jobs that may start. */
        for (size_t k = 0; k < n && running < parallel && rc == 0; k++) {
            if (st[k] != SG_JOB_QUEUED || !sg_ready(jobs, st, k))
                continue;
            const struct sg_job *hung;
            if (lab_error[jobs[k].lab] != NULL) {
                st[k] = SG_JOB_DONE; /* its lab is not graded: nothing to run */
                done++;
            } else if ((hung = sg_hung_before(jobs, st, k)) != NULL) {
                sg_skip(&jobs[k], hung);
                st[k] = SG_JOB_DONE;
                done++;
            } else if ((hung = sg_required_failed(jobs, st, k)) != NULL) {
                sg_skip_required(&jobs[k], hung);
                st[k] = SG_JOB_DONE;
                done++;
            } else if (sg_start(jobs, k, o, &run[running]) == 0) {
                st[k] = SG_JOB_RUNNING;
                running++;
            } else {
                rc = -1;
            }
        }
        if (running == 0) {
            /* Nothing runs: either all is done, a skip made more ready, or the grader failed. */
            if (rc == -1 || done == n)
                break;
            continue;
        }
        for (size_t i = 0; i < running; i++)
            p[i] = (struct pollfd){ .fd = run[i].fd, .events = POLLIN };
        if (poll(p, (nfds_t)running, -1) == -1 && errno != EINTR)
            break;
        for (size_t i = running; i-- > 0;) {
            if (p[i].revents == 0 || !sg_read_runner(&run[i]))
                continue;
            close(run[i].fd);
            while (waitpid(run[i].pid, NULL, 0) == -1 && errno == EINTR)
                ;
            struct sg_job *j = &jobs[run[i].job];
            char *error = sg_apply(j, run[i].report.data ? run[i].report.data : "",
                                   run[i].report.len);
            if (error != NULL && lab_error[j->lab] == NULL)
                lab_error[j->lab] = error;
            else
                free(error);
            sg_buf_free(&run[i].report);
            st[run[i].job] = SG_JOB_DONE;
            done++;
            run[i] = run[--running];
        }
    }
    /* After a failure of the grader's own: what still runs is reaped. */
    for (size_t i = 0; i < running; i++) {
        close(run[i].fd);
        kill(run[i].pid, SIGKILL);
        while (waitpid(run[i].pid, NULL, 0) == -1 && errno == EINTR)
            ;
        sg_buf_free(&run[i].report);
    }
    free(st);
    free(run);
    free(p);
    return done == n ? 0 : -1;
}
