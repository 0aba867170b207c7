/*
 * sg_enter.c — the first program inside a sandbox: the per-sandbox limits
 * and filter that only a process inside can set, then the graded command.
 *
 *   sg_enter [--nproc N] [--sigpending N] [--seccomp] [--ready-fd FD]
 *            [--cpu-limit S] [--stuck-limit S] -- COMMAND [ARG]...
 *
 * Why a program of its own: since Linux 5.14 the kernel counts
 * RLIMIT_NPROC per user namespace (ucounts). A process limit set inside a
 * sandbox's new user namespace counts only the processes of that sandbox,
 * while the limit in force when the namespace was created bounds the
 * whole namespace in its parent. So the grader creates the sandbox with a
 * generous limit, and this program, already inside, lowers it to the
 * test's own budget (soft and hard: the command cannot raise it again).
 * Queued signals (RLIMIT_SIGPENDING, --sigpending) are counted the same
 * way, and the same way round: set outside, the limit a namespace is made
 * with caps the user's count in the parent, which every sandbox shares,
 * so one test that queued that many (timers) left no classmate's judge a
 * timer; set here, it caps this sandbox's own count alone.
 * The same holds for the seccomp filter, which must be installed by a
 * process that is already in the sandbox so that bubblewrap's own setup
 * is not subject to it.
 *
 * --ready-fd: "R" is written there just before COMMAND is executed, and
 * the descriptor is close-on-exec; if exec fails, "E" follows. A grader
 * that never reads the "R" knows the sandbox could not be set up (the
 * student's code never ran), so a failure to start is the grader's to
 * retry, never the student's; "RE" is a kit that lacks its own program,
 * "RF" a sandbox whose first process could not fork the command.
 * The CPU time of the sandbox is not reported: this process reaps every
 * process of it, and is reaped by bubblewrap (as the sandbox's init,
 * --as-pid-1) or by the grader, so the rusage the grader waits for holds
 * it.
 *
 * --cpu-limit, --stuck-limit: the test is stopped, every process of it
 * killed, when all its processes together used more CPU time than that,
 * or when for that long none was runnable and none used CPU (sg_watch.h);
 * "Tc" or "Ts" is reported, and for a stuck test "\nD<what each process
 * waits for>\n".
 *
 * Exit status 125 when a step fails before COMMAND runs (with a message
 * on stderr naming it); otherwise COMMAND's own, 128 + N when signal N
 * ended it.
 */
#include "sg_seccomp.h"
#include "sg_watch.h"

#include <dirent.h>
#include <errno.h>
#include <time.h>
#include <signal.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int sg_usage(void)
{
    fputs("usage: sg_enter [--nproc N] [--sigpending N] [--seccomp] [--ready-fd FD]\n"
          "                [--cpu-limit S] [--stuck-limit S] -- COMMAND [ARG]...\n",
          stderr);
    return 125;
}

static int sg_write_byte(int fd, char c)
{
    ssize_t n;
    do
        n = write(fd, &c, 1);
    while (n == -1 && errno == EINTR);
    return n == 1 ? 0 : -1;
}

static int sg_number(const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < 0 || v > 1000000)
        return -1;
    *out = v;
    return 0;
}

static int sg_seconds(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || *end != '\0' || !(v >= 0 && v < 100000))
        return -1;
    *out = v;
    return 0;
}

/*
 * Waits for child, the command, reaping every other process that ends;
 * with a watch, stops waiting when the sandbox spins or is stuck
 * (sg_watch.h). SIGCHLD is waited for with a timeout, so the end of the
 * command is seen at once, not at the next sample.
 */
static enum sg_watch_verdict sg_wait_command(pid_t child, struct sg_watch *watch, int *status)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    for (;;) {
        int st;
        pid_t w;
        while ((w = waitpid(-1, &st, WNOHANG)) > 0)
            if (w == child) {
                *status = st;
                return SG_WATCH_OK;
            }
        if (w == -1 && errno != EINTR)
            return SG_WATCH_OK; /* no child at all any more */
        if (watch != NULL) {
            enum sg_watch_verdict v = sg_watch_sample(watch);
            if (v != SG_WATCH_OK)
                return v;
        }
        long ms = watch != NULL ? sg_watch_period_ms(watch) : 0;
        struct timespec period = { ms / 1000, (ms % 1000) * 1000000L };
        sigtimedwait(&chld, NULL, watch != NULL ? &period : NULL);
    }
}

/*
 * Stops a test that spins or is stuck: every process of the sandbox but
 * this one (its init) and child (the judge) is killed, so that the judge
 * sees its test process die and reports, with the limits it ran into (a
 * fork bomb's "process limit reached"); then the judge is given a moment
 * to do so, and killed too if it does not. Returns the judge's status.
 */
static int sg_stop_test(pid_t child, const struct sg_watch *watch)
{
    pid_t pids[1024];
    for (int round = 0; round < 50; round++) {
        size_t n = sg_watch_pids(watch, pids, 1024), killed = 0;
        for (size_t i = 0; i < n; i++)
            if (pids[i] != child && kill(pids[i], SIGKILL) == 0)
                killed++;
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (killed == 0)
            break;
    }
    int status = SIGKILL; /* as a status: killed by SIGKILL */
    for (int waited = 0; waited < 1000; waited += 10) {
        if (waitpid(child, &status, WNOHANG) == child)
            return status;
        struct timespec tick = { 0, 10000000L };
        nanosleep(&tick, NULL);
    }
    /* The judge did not report in time: it goes too, with what is left. */
    for (int round = 0; round < 50; round++) {
        size_t n = sg_watch_pids(watch, pids, 1024);
        for (size_t i = 0; i < n; i++)
            kill(pids[i], SIGKILL);
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (n == 0)
            break;
        struct timespec tick = { 0, 1000000L };
        nanosleep(&tick, NULL);
    }
    return SIGKILL;
}

/*
 * Closes every descriptor but keep (-1: none). close_range does it in one
 * or two calls; closing each possible descriptor in turn was a thousand
 * system calls through the seccomp filter, a tenth of this process's cost
 * per test. The loop stays for a kernel older than 5.9 (ENOSYS).
 */
static void sg_close_all_but(int keep)
{
    int rc = 0;
    if (keep > 0)
        rc = (int)syscall(SYS_close_range, 0u, (unsigned)keep - 1, 0u);
    if (rc == 0)
        rc = (int)syscall(SYS_close_range, (unsigned)(keep + 1), ~0u, 0u);
    if (rc == 0)
        return;
    for (int fd = 0; fd < 1024; fd++)
        if (fd != keep)
            close(fd);
}

/*
 * Blanks this process's arguments, which /proc/1/cmdline shows to every
 * process of the sandbox: the test's name and options were there after the
 * judge had blanked its own (a review: a file that worked only when
 * /proc/1/cmdline said --run had 54/54). The child has its own copy.
 */
static void sg_blank_arguments(int argc, char *argv[])
{
    for (int i = 1; i < argc; i++)
        memset(argv[i], 0, strlen(argv[i]));
}

/*
 * Runs command as a child and stays as its parent, a subreaper, so that
 * every process of the sandbox is reaped here and its CPU time counted
 * in this process's rusage, which its own reaper (bubblewrap, or the
 * grader) passes on. Exits as the command did (128 + signal when a
 * signal ended it), after reporting on ready why it stopped the test, if
 * it did. Not dumpable, and holding no descriptor but ready: nothing of
 * the command's can reach into it.
 */
static int sg_run(char **command, int ready, struct sg_watch *watch, int argc, char *argv[])
{
    /* A failure here is the machine's (processes of the sandbox's user
     * used up elsewhere: without namespaces, in another container of the
     * host), never the command's: 'F' on ready says so, so that the
     * grader does not take it for a compiler's or a test's failure (a
     * platform review: a correct file "did not compile"). */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
        perror("sg_enter: prctl");
        if (ready >= 0)
            (void)sg_write_byte(ready, 'F');
        return 125;
    }
    fflush(NULL);
    pid_t child = fork();
    if (child == -1) {
        perror("sg_enter: fork");
        if (ready >= 0)
            (void)sg_write_byte(ready, 'F');
        return 125;
    }
    if (child == 0) {
        execv(command[0], command);
        int saved = errno;
        if (ready >= 0)
            (void)sg_write_byte(ready, 'E');
        fprintf(stderr, "sg_enter: exec %s: %s\n", command[0], strerror(saved));
        _exit(125);
    }
    /* The command's descriptors are the command's: this process keeps only ready. */
    sg_close_all_but(ready);
    sg_blank_arguments(argc, argv);
    int status = 0;
    enum sg_watch_verdict verdict = sg_wait_command(child, watch, &status);
    char stuck[512] = "";
    if (verdict == SG_WATCH_STUCK)
        sg_watch_describe(watch, child, stuck, sizeof stuck);
    if (verdict != SG_WATCH_OK)
        status = sg_stop_test(child, watch);
    /* Whatever has already ended is counted too; what still runs dies
     * with the sandbox when this process ends, uncounted. */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    if (ready >= 0) {
        char report[640];
        int n = snprintf(report, sizeof report, "%s%s%s%s",
                         verdict == SG_WATCH_CPU ? "Tc" : verdict == SG_WATCH_STUCK ? "Ts" : "",
                         stuck[0] ? "\nD" : "", stuck, stuck[0] ? "\n" : "");
        if (n > (int)sizeof report - 1)
            n = (int)sizeof report - 1;
        for (int k = 0; k < n; k++)
            if (sg_write_byte(ready, report[k]) == -1)
                break;
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 125;
}

/* Lowers a limit to at most n, soft and hard; never raises it. */
static int sg_lower_limit(int resource, rlim_t n)
{
    struct rlimit rl;
    if (getrlimit(resource, &rl) == -1)
        return -1;
    if (rl.rlim_cur > n)
        rl.rlim_cur = n;
    if (rl.rlim_max > n)
        rl.rlim_max = n;
    return setrlimit(resource, &rl);
}

int main(int argc, char *argv[])
{
    long nproc = 0, sigpending = 0, ready = -1;
    double cpu_limit = 0, stuck_limit = 0;
    bool seccomp = false;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--seccomp") == 0) {
            seccomp = true;
        } else if (strcmp(argv[i], "--nproc") == 0 && i + 1 < argc) {
            if (sg_number(argv[++i], &nproc) == -1)
                return sg_usage();
        } else if (strcmp(argv[i], "--sigpending") == 0 && i + 1 < argc) {
            if (sg_number(argv[++i], &sigpending) == -1)
                return sg_usage();
        } else if (strcmp(argv[i], "--ready-fd") == 0 && i + 1 < argc) {
            if (sg_number(argv[++i], &ready) == -1)
                return sg_usage();
        } else if (strcmp(argv[i], "--cpu-limit") == 0 && i + 1 < argc) {
            if (sg_seconds(argv[++i], &cpu_limit) == -1)
                return sg_usage();
        } else if (strcmp(argv[i], "--stuck-limit") == 0 && i + 1 < argc) {
            if (sg_seconds(argv[++i], &stuck_limit) == -1)
                return sg_usage();
        } else {
            return sg_usage();
        }
    }
    if (i + 1 >= argc)
        return sg_usage();
    char **command = argv + i + 1;

    if (nproc > 0) {
        struct rlimit rl = { (rlim_t)nproc, (rlim_t)nproc };
        if (setrlimit(RLIMIT_NPROC, &rl) == -1) {
            perror("sg_enter: setrlimit(RLIMIT_NPROC)");
            return 125;
        }
    }
    if (sigpending > 0 && sg_lower_limit(RLIMIT_SIGPENDING, (rlim_t)sigpending) == -1) {
        perror("sg_enter: setrlimit(RLIMIT_SIGPENDING)");
        return 125;
    }
    if (seccomp && sg_seccomp_install() == -1) {
        perror("sg_enter: seccomp filter");
        return 125;
    }
    if (ready >= 0 && (fcntl((int)ready, F_SETFD, FD_CLOEXEC) == -1 ||
                       sg_write_byte((int)ready, 'R') == -1)) {
        perror("sg_enter: the ready descriptor");
        return 125;
    }
    /* In bubblewrap's PID namespace this is its init, pid 1 (--as-pid-1,
     * which spares a process per sandbox; pid 2 after bubblewrap's own
     * init otherwise): every other process there is the test's. As init
     * it also survives a kill(-1, SIGKILL) of the code under test, and
     * when it ends the kernel kills whatever of the sandbox is left.
     * Elsewhere, its descendants are the test's. */
    struct sg_watch watch;
    sg_watch_init(&watch, cpu_limit, stuck_limit, getpid() <= 2);
    return sg_run(command, (int)ready, cpu_limit > 0 || stuck_limit > 0 ? &watch : NULL, argc,
                  argv);
}
