/*
 * sg_limits.c — notice when a test ran into one of the sandbox's limits.
 *
 * The test program is linked with -Wl,--wrap=fork (and _Fork) and --wrap=malloc
 * (sg_build.c), so the student's calls come here first. A fork that fails
 * with EAGAIN, or a malloc that returns NULL, is counted in a page shared
 * by every process of the test; a failing test's report then names the
 * limit, instead of leaving a student to guess why fork() or malloc()
 * failed. Being every fork's first step in the child, the wrapper also
 * makes the child dumpable (sg_fork_program) and runs a test's hook
 * there (sg_on_fork_child). It also tells a failure of the judge's own
 * calls from the test's (sg_limits_judge; the timer's in sg_timer.c).
 */
#include "sg_harness.h"
#include "sg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

struct sg_limit_counts {
    volatile long fork_failed;
    volatile long malloc_failed;
};

static struct sg_limit_counts *sg_counts;

/* What a child calls first, in itself, when fork returns there (sg_on_fork_child). */
static void (*sg_fork_child_hook)(void);

void sg_on_fork_child(void (*hook)(void))
{
    sg_fork_child_hook = hook;
}

/* Forks this process may still make before they fail (sg_fork_fails_after); -1: no limit. */
static int sg_forks_left = -1;
static int sg_forks_refused; /* by the current setting */
static int sg_forks_done;    /* children this process made (sg_forks_made) */

/* Whether this process is in a PID namespace of the sandbox's own: sg_enter is its init. */
static bool sg_own_pid_namespace(void)
{
    static int own = -1;
    if (own == -1) {
        char comm[32] = "";
        FILE *f = fopen("/proc/1/comm", "re");
        own = f != NULL && fgets(comm, sizeof comm, f) != NULL && strcmp(comm, "sg_enter\n") == 0;
        if (f != NULL)
            fclose(f);
    }
    return own == 1;
}

int sg_forks_made(void)
{
    /* Opened once, at the reading before the call: code that then uses up
     * its descriptors cannot make the one after it fall back to the other
     * count, which would compare apples with pears. */
    static int last_pid_fd = -2;
    if (last_pid_fd == -2)
        last_pid_fd = sg_own_pid_namespace()
                          ? open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC)
                          : -1;
    if (last_pid_fd < 0)
        return sg_forks_done;
    char text[24];
    ssize_t n = pread(last_pid_fd, text, sizeof text - 1, 0);
    /* The test's own reading, not the student's doing: said so, never
     * counted as a call that made no child. */
    SG_SETUP(n > 0, "read of /proc/sys/kernel/ns_last_pid");
    text[n] = '\0';
    return atoi(text);
}

int sg_fork_fails_after(int n)
{
    int refused = sg_forks_refused;
    sg_forks_left = n < 0 ? -1 : n;
    sg_forks_refused = 0;
    return refused;
}

/*
 * The judge's own calls that Check gives up on (exit 2) when they fail:
 * the fork of the test process and its timer. A fork refused by a process
 * limit, or a timer refused for another reason than queued signals (for
 * those, sg_timer.c has a way round, so that no test's processes can
 * starve it), is the machine's state: the grader's failure to report,
 * never the student's. The judge's fork comes before any process of the
 * test exists.
 */
static pid_t sg_judge;
static bool sg_judge_timer_failed; /* the judge's last timer_create, only the judge writes it */

void sg_limits_judge(pid_t judge)
{
    sg_judge = judge;
}

/*
 * Whether the judge ever had a child, from the kernel's accounts, which
 * no process of the test can change: one still there (running or a
 * zombie), or one reaped (its page faults are in RUSAGE_CHILDREN: a
 * process that ran at all has some). Not from the fork wrapper, which a
 * C library with its own Check would bypass.
 */
static bool sg_judge_had_a_child(void)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0)
        return true;
    struct rusage ru;
    return getrusage(RUSAGE_CHILDREN, &ru) == 0 && (ru.ru_minflt > 0 || ru.ru_majflt > 0);
}

bool sg_limits_in_judge(void)
{
    return sg_judge != 0 && getpid() == sg_judge;
}

void sg_limits_judge_timer(bool failed)
{
    sg_judge_timer_failed = failed;
}

const char *sg_limits_judge_failure(void)
{
    if (!sg_judge_had_a_child())
        return "fork of the test process";
    return sg_judge_timer_failed ? "timer_create" : NULL;
}

pid_t __real_fork(void);
void *__real_malloc(size_t size);
pid_t __wrap_fork(void);
pid_t __wrap__Fork(void);
void *__wrap_malloc(size_t size);
/* _Fork (glibc 2.34, POSIX 2024) is fork without the atfork handlers: a
 * correct way to fork, which the tests that act in the child (the hooks)
 * must see as fork: a student's _Fork lost them (the corpus's
 * forks-with-_Fork). Weak, so that a kit built on an older C library still
 * links: there, no student code can call it. */
pid_t __real__Fork(void) __attribute__((weak));

/* Whether a fork may go ahead: not when the test's budget of forks is spent. */
static bool sg_fork_allowed(void)
{
    /* A test's own failure, not the sandbox's limit: not counted below. */
    if (sg_forks_left == 0) {
        sg_forks_refused++;
        errno = EAGAIN;
        return false;
    }
    return true;
}

/* The bookkeeping after a fork, _Fork or fork, in the parent and in the child. */
static pid_t sg_forked(pid_t pid)
{
    if (pid > 0 && sg_forks_left > 0)
        sg_forks_left--;
    if (pid > 0)
        sg_forks_done++;
    if (pid == 0) {
        sg_forks_left = -1; /* the limit is the process's that set it */
        sg_forks_done = 0;
    }
    /* A child of a test process that started the lab's program inherits
     * its "not dumpable" (sg_fork_program); the tests read the
     * /proc of the children they fork, as before. */
    if (pid == 0) {
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        if (sg_fork_child_hook != NULL) {
            int saved = errno;
            sg_fork_child_hook();
            errno = saved;
        }
    }
    if (pid == -1 && errno == EAGAIN && sg_counts != NULL)
        __atomic_add_fetch(&sg_counts->fork_failed, 1, __ATOMIC_RELAXED);
    return pid;
}

pid_t __wrap_fork(void)
{
    if (!sg_fork_allowed())
        return -1;
    return sg_forked(__real_fork());
}

pid_t __wrap__Fork(void)
{
    if (__real__Fork == NULL) {
        errno = ENOSYS;
        return -1;
    }
    if (!sg_fork_allowed())
        return -1;
    return sg_forked(__real__Fork());
}

void *__wrap_malloc(size_t size)
{
    void *p = __real_malloc(size);
    if (p == NULL && sg_counts != NULL)
        __atomic_add_fetch(&sg_counts->malloc_failed, 1, __ATOMIC_RELAXED);
    return p;
}

/*
 * The counts live on a shared page between two pages that cannot be
 * touched: a student's mapping that the kernel put right beside it was
 * overrun into the counts, and the report then said that fork and malloc
 * had failed "many times" in a test that forked once (a class review).
 * An overrun now faults, as it would against any unmapped page.
 */
int sg_limits_watch(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *area = mmap(NULL, 3 * page, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        return -1;
    if (mprotect(area + page, page, PROT_READ | PROT_WRITE) == -1) {
        int err = errno;
        munmap(area, 3 * page);
        errno = err;
        return -1;
    }
    sg_counts = (struct sg_limit_counts *)(void *)(area + page);
    return 0;
}

void sg_limits_forget_mallocs(void)
{
    if (sg_counts != NULL)
        __atomic_store_n(&sg_counts->malloc_failed, 0, __ATOMIC_RELAXED);
}

static unsigned long long sg_limit_of(int resource)
{
    struct rlimit rl;
    if (getrlimit(resource, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
        return 0;
    return (unsigned long long)rl.rlim_cur;
}

/* "N time(s)", or "many times": the page is shared with the test's processes, which may scribble on it. */
static void sg_times(struct sg_buf *msg, long n)
{
    if (n > 0 && n < 1000000)
        sg_buf_printf(msg, "%ld time(s)", n);
    else
        sg_buf_puts(msg, "many times");
}

void sg_limits_explain(struct sg_buf *msg)
{
    if (sg_counts == NULL)
        return;
    long forks = sg_counts->fork_failed, mallocs = sg_counts->malloc_failed;
    if (forks != 0) {
        sg_buf_puts(msg, " [fork failed: process limit reached, ");
        sg_times(msg, forks);
        sg_buf_printf(msg, "; at most %llu processes]", sg_limit_of(RLIMIT_NPROC));
    }
    if (mallocs != 0) {
        /* The lower of the two limits a malloc can run into. */
        unsigned long long as = sg_limit_of(RLIMIT_AS), data = sg_limit_of(RLIMIT_DATA);
        sg_buf_puts(msg, " [malloc failed ");
        sg_times(msg, mallocs);
        if (data > 0 && (as == 0 || data < as))
            sg_buf_printf(msg, ": the data-segment limit is %llu MiB", data >> 20);
        else if (as > 0)
            sg_buf_printf(msg, ": the address-space limit is %llu MiB", as >> 20);
        sg_buf_puts(msg, "]");
    }
}
