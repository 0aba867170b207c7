/*
 * sg_harness.h — what a lab's Check tests see of the grading harness.
 *
 * A lab's tests.c (public) and hidden/tests.c (instructor-only) are ordinary
 * Check tests, written with SG_TEST(name) { ... }. Each file ends with a table,
 * sg_public_tests[] or sg_hidden_tests[], that names its tests; the rubric
 * (labs/NN-name/rubric.json) gives each name its points.
 *
 * The harness runs one test per process, in Check's fork mode, and decides
 * the verdict itself instead of trusting Check's alone: a test passes only
 * if Check says so, the test body ran to its end in the test process, and
 * no other process (a child of the student's that returned instead of
 * calling _exit) reached the end of the test. See sg_main.c.
 *
 * Failure messages carry three parts, which the grader shows as separate
 * lines: what was observed, what was expected, and a hint at the usual
 * cause. Write them for a student who has just run `make test`.
 */
#ifndef SG_HARNESS_H
#define SG_HARNESS_H

#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "sg_harness_protocol.h"
#include "sg_text.h"

struct sg_test {
    const char *name;
    const TTest *test;
};

/*
 * SG_TEST(name) { body } defines a Check test, as START_TEST does, but only
 * as the constant name##_ttest that the lab's table points at. The body is
 * wrapped: only a body that returned lets the teardown record the test as
 * done, so student code that finds the teardown and calls it from inside
 * the body, then exits 0, does not pass (the test programs are stripped
 * too, so that neither is found by name).
 */
#define SG_TEST(name)                                                           \
    static void name##_body(int _i);                                            \
    static void name##_fn(int _i)                                               \
    {                                                                           \
        name##_body(_i);                                                        \
        sg_body_returned();                                                     \
    }                                                                           \
    static const TTest name##_ttest = { #name, name##_fn, __FILE__, __LINE__ }; \
    static void name##_body(int _i CK_ATTRIBUTE_UNUSED)

void sg_body_returned(void);

#define SG_TEST_ENTRY(name) { #name, &name##_ttest }
#define SG_TESTS_END { NULL, NULL }

extern const struct sg_test sg_public_tests[];
/* Defined only when the hidden tests are linked in (shmgrade --hidden). */
extern const struct sg_test sg_hidden_tests[] __attribute__((weak));

/* The separator between the parts of a structured failure message. */
#define SG_MSG_SEP '\x1f'

/*
 * Fails the running test. observed_fmt describes what the test saw; expected
 * says what a correct solution gives; hint names the usual mistake.
 */
void sg_fail_at(const char *file, int line, const char *expected, const char *hint,
                const char *observed_fmt, ...)
    __attribute__((noreturn, format(printf, 5, 6)));

#define SG_FAIL(expected, hint, ...) sg_fail_at(__FILE__, __LINE__, (expected), (hint), __VA_ARGS__)

/*
 * Fails the running test because a call of the student's had not returned
 * when the test stopped waiting for it (in another thread or process, so
 * the watch saw the test's own polling, not a hang). The grader then counts
 * the test as one that did not finish: when it is the plain call of its
 * functions (a "basic" test), the lab's other tests of those functions are
 * not run, instead of each waiting its seconds too. Only for a call that
 * never came back: a wrong result, however late, is SG_FAIL's.
 */
void sg_hung_at(const char *file, int line, const char *expected, const char *hint,
                const char *observed_fmt, ...)
    __attribute__((noreturn, format(printf, 5, 6)));

#define SG_REQUIRE_RETURNED(returned, expected, hint, ...)                      \
    do {                                                                        \
        if (!(returned))                                                        \
            sg_hung_at(__FILE__, __LINE__, (expected), (hint), __VA_ARGS__);    \
    } while (0)
#define SG_HUNG(expected, hint, ...) sg_hung_at(__FILE__, __LINE__, (expected), (hint), __VA_ARGS__)

#define SG_REQUIRE(cond, expected, hint, ...)                                   \
    do {                                                                        \
        if (!(cond))                                                            \
            SG_FAIL((expected), (hint), __VA_ARGS__);                           \
    } while (0)

/*
 * For the test's own scaffolding (tmpfile, pipe, fork in the test): when a
 * call that is not the student's fails, the test cannot judge anything, so
 * it fails naming the call and errno. Evaluates to nothing on success.
 */
void sg_setup_failed_at(const char *file, int line, const char *call)
    __attribute__((noreturn));
#define SG_SETUP(cond, call)                                                    \
    do {                                                                        \
        if (!(cond))                                                            \
            sg_setup_failed_at(__FILE__, __LINE__, (call));                     \
    } while (0)

/*
 * Call right after a student function that forks. In the test process it
 * does nothing. In a child that returned from that function into the test,
 * it records the mistake (which fails the test, whatever else happens) and
 * ends the child at once, so that it cannot run the rest of the test.
 */
void sg_require_not_child_at(const char *file, int line, const char *call);
#define SG_REQUIRE_NOT_CHILD(call) sg_require_not_child_at(__FILE__, __LINE__, (call))

/*
 * wanted_ms, or less: what is left of the test's own time limit, minus a
 * margin. No wait inside a test may outlive the test, or a wrong answer
 * would be reported as a timeout instead of with its own message; the
 * harness's waits (sg_wait_timeout, sg_run_program) apply it themselves.
 */
int sg_budget_ms(int wanted_ms);

/*
 * For a polling loop: a deadline wanted_ms from now, cut by sg_budget_ms,
 * and whether it is still ahead. A loop bounded by a count of 1 ms naps
 * (5000 of them, "5 s") took longer than the whole test on a loaded
 * machine, and a wrong answer was reported as a timeout.
 */
double sg_deadline_in_ms(int wanted_ms);
bool sg_before(double deadline);

/* The process that runs the test body (set before the body starts). */
pid_t sg_test_pid(void);

/* The lab's program, built from the kit's main.c and the student's file. */
const char *sg_program_path(void);

/*
 * What the names of the test's POSIX objects (shm_open, sem_open) carry,
 * "shmlab-TAG-", so that where /dev/shm is the machine's (no namespaces:
 * some containers) the grader can remove what a test left, even one it
 * killed, without touching a test that runs beside it. The grader gives
 * each test its own tag; without one it is the judge's pid.
 */
const char *sg_object_prefix(void);

/* ---- processes (sg_proc.c) ---- */

long sg_page_size(void);

struct sg_mapping {
    uintptr_t start, end;
    char perms[5];        /* "rw-s" */
    unsigned long offset;
    char path[256];       /* "" for anonymous memory */
};

/* 0 and *m filled when addr lies in a mapping of pid; 1 if in none; -1 on error. */
int sg_find_mapping(pid_t pid, const void *addr, struct sg_mapping *m);

/* Open descriptors of this process, counted in /proc/self/fd; -1 on error. */
int sg_count_open_fds(void);

enum sg_children { SG_NO_CHILDREN, SG_CHILD_RUNNING, SG_CHILD_ZOMBIE, SG_CHILDREN_ERROR };
/* Whether this process has children, without reaping any; *pid names a zombie. */
enum sg_children sg_children_state(pid_t *pid);

/* Whether pid, a child of this process, has ended (left unreaped, for whoever reports it). */
bool sg_process_ended(pid_t pid);

/*
 * A child of the test's own that has ended with status and is left
 * unreaped: a call that waits for any child instead of its own reaps it.
 * Its pid.
 */
pid_t sg_fork_ended_child(int status);

/*
 * Whether that child (sg_fork_ended_child's) was still there to be waited
 * for, with its status: reaped now if so. False when the call under test
 * reaped it (wait() for any child, where it should wait for its own).
 */
bool sg_ended_child_kept(pid_t pid, int status);

/* Sleeps ms milliseconds: one step of a test's polling loop. */
void sg_nap_ms(long ms);

/* A "Vm..." field of /proc/self/status ("VmSize", "VmData"), in KiB; -1 on error. */
long sg_proc_status_kib(const char *field);

/* Waits up to timeout_ms for pid: 0 when it ended (*status set), 1 on timeout, -1 on error. */
int sg_wait_timeout(pid_t pid, int *status, int timeout_ms);

/* "exit status 3", "killed by signal 11 (Segmentation fault)"; a static buffer. */
const char *sg_status_text(int status);

/* ---- what a task is doing (sg_task.c); tid 0 means the process pid itself ---- */

/* Reads a small /proc file of the task into text (NUL-terminated); -1 if it cannot. */
int sg_task_read(pid_t pid, pid_t tid, const char *file, char *text, size_t size);

/*
 * The number of the system call the task is blocked in, and in *arg0 (if
 * not NULL) its first argument; -1 while it runs, -2 if unknown.
 */
long sg_task_syscall(pid_t pid, pid_t tid, unsigned long *arg0);

/* Whether the task sleeps in a wait for a child (waitpid, wait: wait4; waitid). */
bool sg_task_in_wait(pid_t pid, pid_t tid);

/* A child of parent (the first /proc shows), or 0: a child the code under test forked. */
pid_t sg_child_of(pid_t parent);

/* What sg_look_for_wait saw of a process. */
enum sg_wait_look {
    SG_WAIT_SEEN,     /* asleep in a wait for a child, and ready (below) */
    SG_WAIT_ENDED,    /* it ended first */
    SG_WAIT_SPINS,    /* it used a fifth of a second of CPU time without being seen so */
    SG_WAIT_POLLS,    /* it was seen asleep in other calls for a third of a second,
                       * going to sleep a hundred times and more: naps between tries */
    SG_WAIT_TIMEOUT,  /* none of those within the time given */
};

/*
 * Looks at process pid every millisecond, for up to ms, until it sleeps in
 * a wait for a child (sg_task_in_wait) and ready(arg) holds (ready may be
 * NULL). A process that will never be seen so is told early: spinning, or
 * polling with naps (WNOHANG in a loop). Looking on for the whole window
 * would spend the test's CPU budget on the looks and on the poller, and a
 * correct parent that polls (lab 02's contract allows it) lost a test to
 * the 0.5 s CPU floor (a review).
 */
enum sg_wait_look sg_look_for_wait(pid_t pid, int ms, bool (*ready)(void *), void *arg);

/* The task's state ('R', 'S', 'D', 'T', 'Z', ...) from its stat; 0 when it is gone. */
char sg_task_state(pid_t pid, pid_t tid);

/* How many times the task has gone to sleep of its own accord (voluntary
 * context switches); -1 on error. */
long sg_task_sleeps(pid_t pid, pid_t tid);

/* User plus system CPU time of the task, in clock ticks; -1 on error. */
long sg_task_cpu_ticks(pid_t pid, pid_t tid);

/* ---- files (sg_files.c) ---- */

/* A temporary file (already unlinked) holding text, positioned at its start. */
FILE *sg_input_file(const char *text, size_t len);
/* An empty temporary file to write to. */
FILE *sg_output_file(void);
/* All of f's contents, after flushing it; malloc'ed, NUL-terminated, *len set. */
char *sg_file_contents(FILE *f, size_t *len);

/* ---- the lab program (sg_program.c) ---- */

struct sg_program_run {
    pid_t pid;           /* the program's process, ended and reaped */
    int status;          /* as from waitpid */
    bool timed_out;      /* killed after the timeout */
    double waited;       /* seconds it was given: the timeout, or less when the test's own
                          * time ran short (sg_budget_ms) */
    char *out, *err;     /* what it wrote, NUL-terminated (malloc'ed) */
    size_t out_len, err_len;
};

/*
 * From now on, the child of every fork this process makes (through fork,
 * as the code under test calls it) calls hook first, before fork returns
 * 0 there; NULL stops. For a test that must hold the code's child back.
 */
void sg_on_fork_child(void (*hook)(void));

/*
 * From now on, in this process (not in its children), fork succeeds n
 * more times through the code under test's calls, then fails with EAGAIN
 * every time, as when the process limit is reached; a negative n stops.
 * For a test of what a call does when one of its forks fails: unlike a
 * real RLIMIT_NPROC, whose count depends on the sandbox (per user
 * namespace, per user, or none as root), it fails the same fork in every
 * run. Not counted as a limit reached in the report (sg_limits.c).
 * Returns how many forks the setting it replaces refused.
 */
int sg_fork_fails_after(int n);

/*
 * A count that grows by at least one with each child made from now on:
 * compare two readings around a call. For a test whose subject is what a
 * child does: code that makes no child at all does nothing wrong there,
 * and must not score for it (an attacker's review: stubs that never forked
 * passed the "_exit" tests of labs 01 and 02). In the sandbox's own PID
 * namespace it is the namespace's last pid, which every fork moves,
 * however made (syscall(SYS_fork) too, which no wrapper sees); without one,
 * the children this process made through fork.
 */
int sg_forks_made(void);

/*
 * For a test that made malloc fail on purpose (a limit it set itself):
 * the failures counted so far are not reported as a limit the code ran
 * into (sg_limits.c), which would say the sandbox's limit instead.
 */
void sg_limits_forget_mallocs(void);

/*
 * Calls fn with every record-lock request (F_SETLK, F_SETLKW and their
 * F_OFD_ forms) that this process's code makes through fcntl from now on,
 * just before it is made; NULL stops (sg_locks.c). A lockf call is told
 * as the fcntl request it makes (F_ULOCK: F_SETLK with F_UNLCK, from the
 * current offset). A request made by syscall(2), or a lock let go by
 * closing a descriptor of the file, is not seen.
 */
struct flock;
typedef void (*sg_lock_request_fn)(int fd, int cmd, const struct flock *fl);
void sg_watch_lock_requests(sg_lock_request_fn fn);

/*
 * Calls fn with the semaphore of every sem_post that this process's code
 * makes from now on, just before it is made (sg_sems.c); NULL stops.
 */
typedef void (*sg_sem_post_fn)(const void *sem);
void sg_watch_sem_posts(sg_sem_post_fn fn);

/*
 * Calls fn with the target and the signal of every kill and sigqueue that
 * this process's code makes from now on (and its children's, which inherit
 * the setting at fork), just before it is made (sg_signals.c); NULL stops.
 */
typedef void (*sg_signal_sent_fn)(pid_t pid, int sig);
void sg_watch_signals_sent(sg_signal_sent_fn fn);

/* The same for every wait for a child asked for (waitpid, wait, wait3, wait4,
 * waitid), with its options (WNOHANG: a try that does not sleep; wait's 0). */
typedef void (*sg_wait_fn)(int options);
void sg_watch_waits(sg_wait_fn fn);

/* The same for every sigsuspend, with the mask it is given, just before it sleeps. */
typedef void (*sg_suspend_fn)(const sigset_t *mask);
void sg_watch_suspends(sg_suspend_fn fn);

/* The same for every change of the mask asked of sigprocmask or pthread_sigmask (set not NULL). */
typedef void (*sg_mask_change_fn)(int how, const sigset_t *set);
void sg_watch_mask_changes(sg_mask_change_fn fn);

/* Calls fn after each such request with what the call returned (errno as
 * it left it), lockf's told as fcntl's too; NULL stops. */
typedef void (*sg_lock_result_fn)(int fd, int cmd, const struct flock *fl, int rc);
void sg_watch_lock_results(sg_lock_result_fn fn);

/*
 * fork, for a child that will exec the lab's program (the student's): the
 * test process becomes not dumpable first, and the child stays so until
 * its exec, so that no student code can reach their memory or
 * descriptors through /proc (sg_program.c). Flushes stdio first.
 */
pid_t sg_fork_program(void);

/*
 * Runs the lab program with args (args[0] is its name, NULL-terminated),
 * stdin holding input[0..input_len), and collects its output. Kills it
 * after timeout_ms.
 */
void sg_run_program(const char *const args[], const char *input, size_t input_len,
                    int timeout_ms, struct sg_program_run *r);
void sg_program_run_free(struct sg_program_run *r);

/*
 * When out holds want and more (lines of the student's own printf around
 * it), the hint to give instead of the test's own, which would send them
 * after a mistake they did not make (a student-kit review: debugging lines
 * on stdout got "count the updates"); else hint.
 */
const char *sg_extra_output_hint(const char *out, const char *want, const char *hint);

/* What a program test expects, and what to tell a student when it differs. */
struct sg_program_expect {
    const char *input;       /* standard input ("" when NULL) */
    int timeout_ms;
    int status;              /* the exit status */
    const char *out;         /* exactly what stdout holds; NULL: not compared */
    const char *hang_hint;   /* when the program does not finish */
    const char *status_hint; /* when it ends otherwise */
    const char *out_hint;    /* when it prints something else */
};

/* Runs the lab program with args and fails the test unless it behaves as e says. */
void sg_require_program(const char *const args[], const struct sg_program_expect *e);

/* A quoted, escaped rendering of bytes for failure messages (malloc'ed). */
char *sg_q(const char *s, size_t len);
#define SG_Q(s) sg_q((s), strlen(s))

/*
 * From now on, each of the n (at most 8) system calls nrs of this process
 * fails with err, and nothing else changes: a seccomp filter of the test's
 * own, stacked on the sandbox's, which cannot be taken back; children
 * inherit it. For a failure the test needs where the machine would not
 * give one (fork at the process limit, which root does not have; shmget
 * with a full segment table, which is the machine's without namespaces).
 * 0, or -1 with errno set (prctl's).
 */
int sg_refuse_syscalls(const int *nrs, size_t n, int err);

#endif
