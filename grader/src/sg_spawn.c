/* sg_spawn.c — run an untrusted command with a deadline and capped output; see sg_spawn.h. */
#include "sg_spawn.h"
#include "sg_fs.h"
#include "sg_isolate.h"
#include "sg_text.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <linux/close_range.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SG_RESULT_CAP (64u << 10)

int sg_spawn_init(void)
{
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int sg_spawn_die_with(pid_t parent)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
        return -1;
    /* The parent may have died before the call: then no signal comes. */
    if (getppid() != parent) {
        errno = ESRCH;
        return -1;
    }
    return 0;
}

static double sg_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The children of the calling process, from /proc/self/task/<tid>/children. */
static int sg_list_children(pid_t *pids, int max)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/children", (long)getpid());
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    int n = 0;
    long pid;
    while (n < max && fscanf(f, "%ld", &pid) == 1)
        pids[n++] = (pid_t)pid;
    fclose(f);
    return n;
}

int sg_kill_orphans(void)
{
    int total = 0;
    /* Killing one orphan can orphan its own children, which then come to
     * us: repeat until none is left. A bounded number of rounds keeps a
     * runaway fork loop from holding the grader forever. */
    for (int round = 0; round < 1000; round++) {
        pid_t pids[256];
        int n = sg_list_children(pids, 256);
        if (n <= 0)
            break;
        for (int i = 0; i < n; i++)
            kill(pids[i], SIGKILL);
        for (int i = 0; i < n; i++)
            while (waitpid(pids[i], NULL, 0) == -1 && errno == EINTR)
                ;
        total += n;
    }
    /* Reap anything else that ended meanwhile. */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        total++;
    return total;
}

/*
 * Waits until bubblewrap's sandbox (its PID namespace's init, named on the
 * info pipe) is gone. Killing bubblewrap kills that init a moment later;
 * it is then re-parented to the grader, which reaps it here. The kernel
 * empties a PID namespace before its init finishes exiting, so when it is
 * reaped, nothing of the sandbox is left.
 */
static void sg_wait_sandbox_gone(int info_fd)
{
    char text[512];
    ssize_t n = read(info_fd, text, sizeof text - 1);
    if (n <= 0)
        return; /* bubblewrap ended before it made a sandbox */
    text[n] = '\0';
    json_t *info = json_loads(text, JSON_DISABLE_EOF_CHECK, NULL);
    json_int_t child = json_integer_value(json_object_get(info, "child-pid"));
    json_decref(info);
    if (child <= 0)
        return;
    for (int i = 0; i < 5000; i++) {
        sg_kill_orphans();
        if (kill((pid_t)child, 0) == -1 && errno == ESRCH)
            return;
        struct timespec ms = { 0, 1000000 };
        nanosleep(&ms, NULL);
    }
}

/* Reads what is available from fd; keeps up to cap bytes in b. -1 at EOF or error. */
static int sg_drain(int fd, struct sg_buf *b, size_t cap, size_t *total)
{
    char chunk[8192];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n > 0) {
            *total += (size_t)n;
            if (b->len < cap) {
                size_t keep = (size_t)n < cap - b->len ? (size_t)n : cap - b->len;
                sg_buf_append(b, chunk, keep);
            }
            continue;
        }
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1 && errno == EAGAIN)
            return 0;
        return -1;
    }
}

/* Tells the parent which setup step failed, with errno, and ends the child. */
static void sg_child_failed(int fail_w, int step) __attribute__((noreturn));
static void sg_child_failed(int fail_w, int step)
{
    int report[2] = { step, errno };
    ssize_t n = write(fail_w, report, sizeof report);
    (void)n;
    _exit(125);
}

static const char *const sg_setup_steps[] = {
    "", "the sandbox's limits and user", "an IPC namespace", "its standard streams",
    "its result pipe", "its working folder", "exec",
    /* 7 and up: the call of sg_sandbox_enter that failed */
    "setrlimit(RLIMIT_CORE)", "setrlimit(RLIMIT_CPU)", "setrlimit(RLIMIT_AS)",
    "setrlimit(RLIMIT_DATA)", "setrlimit(RLIMIT_FSIZE)", "setrlimit(RLIMIT_NOFILE)",
    "setrlimit(RLIMIT_NPROC)",
    "setgroups, setgid or setuid", "prctl(PR_SET_DUMPABLE)", "prctl(PR_SET_PDEATHSIG)",
};
#define SG_SETUP_STEPS ((int)(sizeof sg_setup_steps / sizeof *sg_setup_steps))

/* The step number of a call that sg_sandbox_enter names. */
static int sg_enter_step(const char *failed)
{
    for (int i = 7; failed != NULL && i < SG_SETUP_STEPS; i++)
        if (strcmp(sg_setup_steps[i], failed) == 0)
            return i;
    return 1;
}

/* The descriptors a command gets besides 0, 1 and 2, as numbered in the child. */
#define SG_FD_RESULT 3
#define SG_FD_READY 4
#define SG_FD_READY_TEXT "4"

struct sg_child_fds {
    int out, res, ready, info, fail;   /* write ends, -1 when not used */
};

static void sg_child(const struct sg_spawn_opts *o, const char *const *argv, bool isolate,
                     struct sg_child_fds f) __attribute__((noreturn));
static void sg_child(const struct sg_spawn_opts *o, const char *const *argv, bool isolate,
                     struct sg_child_fds f)
{
    /* The parent blocked every signal before it started this child, which
     * may run in the parent's memory (sg_start_child): a handler of the
     * grader's must never run here. Back to the default first, unblocked
     * only below. */
    for (int sig = 1; sig < _NSIG; sig++) {
        struct sigaction sa;
        if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL &&
            sa.sa_handler != SIG_IGN) {
            sa.sa_handler = SIG_DFL;
            sa.sa_flags = 0;
            sigaction(sig, &sa, NULL);
        }
    }
    setpgid(0, 0);
    /* Standard output and error open for reading too, as a terminal is:
     * glibc's perror writes through fdopen(dup(2), "w+"), which fails on a
     * write-only descriptor and leaves errno EINVAL, so code that called
     * perror before it returned -1 lost its errno here and nowhere else. A
     * pipe opened again through /proc is the same pipe; before the user
     * switch, since the pipe belongs to the grader's user. The price: the
     * test holds a read end too, so it may read back its own output, and a
     * writer blocks instead of getting EPIPE should the grader stop reading
     * (it reads until the test is over, then kills it). */
    char rw_path[48];
    snprintf(rw_path, sizeof rw_path, "/proc/self/fd/%d", f.out);
    int rw = open(rw_path, O_RDWR | O_CLOEXEC);
    if (rw != -1) {
        close(f.out);
        f.out = rw;
    }
    /* Limits and the user switch first: the namespaces are then made by
     * (and owned by) the sandbox's user, not by the grader's. */
    const char *failed = NULL;
    if (o->sandbox != NULL &&
        sg_sandbox_enter(o->sandbox, o->cpu_limit_s > 0 ? o->cpu_limit_s - 2 : o->timeout_ms / 1000.0,
                         o->big_address_space, &failed) == -1)
        sg_child_failed(f.fail, sg_enter_step(failed));
    /* Changing user made this process undumpable, which gives its /proc
     * files to root: it could not write its own uid_map for the namespace
     * it makes next. Only here: a program it execs is dumpable again (its
     * ids are all the sandbox's), and a child that shares the grader's
     * memory until exec stays undumpable, out of reach of ptrace and
     * /proc/<pid>/mem for other processes of the sandbox's user. */
    if (isolate && o->sandbox != NULL && o->sandbox->drop &&
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == -1)
        sg_child_failed(f.fail, sg_enter_step("prctl(PR_SET_DUMPABLE)"));
    if (isolate && sg_isolate_enter() == -1)
        sg_child_failed(f.fail, 2);
    /* Dies with the grader even when the grader is killed outright (kill
     * -9 leaves no guard to sweep up). After the change of user, which
     * clears this setting; a program run by exec keeps it. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
        sg_child_failed(f.fail, sg_enter_step("prctl(PR_SET_PDEATHSIG)"));
    /* Restore what a fresh program expects: default signal handling, nothing blocked. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    /* Lift every descriptor the child keeps above the numbers it will
     * use, so that placing one cannot overwrite another still to place. */
    int *keep[] = { &f.out, &f.res, &f.ready, &f.info, &f.fail };
    for (size_t i = 0; i < sizeof keep / sizeof *keep; i++)
        if (*keep[i] != -1 && (*keep[i] = fcntl(*keep[i], F_DUPFD_CLOEXEC, 20)) == -1)
            sg_child_failed(f.fail, 3);
    int devnull = open(o->stdin_path ? o->stdin_path : "/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull == -1 || dup2(devnull, STDIN_FILENO) == -1 || dup2(f.out, STDOUT_FILENO) == -1 ||
        dup2(f.out, STDERR_FILENO) == -1)
        sg_child_failed(f.fail, 3);
    if (f.res != -1 && dup2(f.res, SG_FD_RESULT) == -1)
        sg_child_failed(f.fail, 4);
    if (f.ready != -1 && dup2(f.ready, SG_FD_READY) == -1)
        sg_child_failed(f.fail, 3);
    /* bubblewrap's report of its sandbox's pid, at the number its argv names. */
    if (f.info != -1 && dup2(f.info, SG_SANDBOX_INFO_FD) == -1)
        sg_child_failed(f.fail, 3);
    /* Nothing else of the grader's is inherited: every other descriptor
     * closes now or at exec (the failure pipe, lifted, is close-on-exec). */
    if (f.res == -1)
        close(SG_FD_RESULT);
    if (f.ready == -1)
        close(SG_FD_READY);
    syscall(SYS_close_range, SG_FD_READY + 1, SG_SANDBOX_INFO_FD - 1, 0);
    if (f.info == -1)
        close(SG_SANDBOX_INFO_FD);
    syscall(SYS_close_range, SG_SANDBOX_INFO_FD + 1, 19, 0);
    syscall(SYS_close_range, 20, ~0u, CLOSE_RANGE_CLOEXEC);
    const char *cwd = o->sandbox == NULL ? o->cwd
                      : o->sandbox->bwrap[0] == '\0' ? o->mounts->cwd : NULL;
    if (cwd != NULL && chdir(cwd) == -1)
        sg_child_failed(f.fail, 5);
    execve(argv[0], (char *const *)argv, (char *const *)o->envp);
    sg_child_failed(f.fail, 6);
}

/* What sg_child needs, on the parent's stack while the child starts. */
struct sg_child_args {
    const struct sg_spawn_opts *o;
    const char *const *argv;
    bool isolate;
    struct sg_child_fds f;
};

static int sg_child_start(void *arg)
{
    struct sg_child_args *a = arg;
    sg_child(a->o, a->argv, a->isolate, a->f);
}

/* The child's stack, when it shares the parent's memory: one child starts
 * at a time in a process, and the parent waits until it has called exec. */
static _Alignas(16) char sg_child_stack[256u << 10];

/*
 * Starts the child and returns its pid, or -1 with errno. Without an IPC
 * namespace of its own to make, the child shares the parent's memory until
 * it calls exec (CLONE_VM | CLONE_VFORK, as posix_spawn does): no copy of
 * the grader's page tables and no copy-on-write faults in either process,
 * a few milliseconds of CPU per test on a virtual machine. It then touches
 * only its own stack, the kernel's per-process state and descriptors,
 * never the heap, and changes its user with raw system calls
 * (sg_sandbox_enter). unshare(CLONE_NEWUSER), which sg_isolate_enter
 * needs, refuses a process that shares its memory: that child is forked.
 * Every signal is blocked meanwhile, so that none runs a handler of the
 * grader's in the child; the child restores the defaults and unblocks.
 */
static pid_t sg_start_child(struct sg_child_args *a)
{
    sigset_t all, old;
    sigfillset(&all);
    if (sigprocmask(SIG_SETMASK, &all, &old) == -1)
        return -1;
    pid_t pid;
    if (a->isolate) {
        pid = fork();
        if (pid == 0)
            sg_child(a->o, a->argv, a->isolate, a->f);
    } else {
        pid = clone(sg_child_start, sg_child_stack + sizeof sg_child_stack,
                    CLONE_VM | CLONE_VFORK | SIGCHLD, a);
    }
    int saved = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return pid;
}

/* Closes both ends of each pipe given (skipping -1s); keeps errno. */
static void sg_close_pipes(int *a, int *b, int *c)
{
    int saved = errno;
    int *pipes[] = { a, b, c };
    for (size_t i = 0; i < 3; i++)
        for (size_t k = 0; pipes[i] != NULL && k < 2; k++)
            if (pipes[i][k] != -1) {
                close(pipes[i][k]);
                pipes[i][k] = -1;
            }
    errno = saved;
}

/* What the parent watches while the command runs. */
struct sg_watch {
    int out, res, ready, pidfd;        /* read ends, -1 when closed or unused */
    struct sg_buf output, result;
    size_t result_total;
    char ready_seen[720];              /* "R", then "E", or why it stopped the test, from sg_enter */
    size_t nready;
    struct rusage usage;               /* of the command and the children it waited for */
    double dir_looked;                 /* when the capped folder was last looked at */
    unsigned long long space_at_start; /* free space of the capped folder's disk; 0: unknown */
};

/* Reads sg_enter's report; -1 at EOF. */
static int sg_read_ready(struct sg_watch *w)
{
    char c;
    for (;;) {
        ssize_t n = read(w->ready, &c, 1);
        if (n == 1) {
            if (w->nready < sizeof w->ready_seen - 1)
                w->ready_seen[w->nready++] = c;
            continue;
        }
        if (n == -1 && errno == EINTR)
            continue;
        return n == -1 && errno == EAGAIN ? 0 : -1;
    }
}

/* How often a capped folder is looked at (sg_dir_overflows). */
#define SG_DIR_LOOK_MS 20

/*
 * Whether the command's capped folder holds more than its caps. The
 * memory check's records are written where the grader reads them, on its
 * own disk, and the code under valgrind can write there too: an attacker's
 * review filled the disk with files of the largest size a process may
 * write, and a classmate's records, cut short, cost them the check. Looked
 * at every SG_DIR_LOOK_MS: what can be written between two looks is far
 * less than a disk.
 */
static bool sg_dir_overflows(const struct sg_spawn_opts *o, double *looked,
                             unsigned long long space_at_start, struct sg_spawn_result *r)
{
    unsigned long long bytes, space;
    size_t entries;
    double now = sg_now();
    if (o->capped_dir == NULL || now - *looked < SG_DIR_LOOK_MS / 1000.0)
        return false;
    *looked = now;
    /* Space written where no folder shows it: machine-wide, so whose it
     * was is the caller's to find out (sg_memcheck.c runs it again alone). */
    if ((o->disk_drop_cap > 0 || o->disk_floor > 0) && space_at_start > 0 &&
        sg_space_left(o->capped_dir, &space) == 0) {
        if (space < r->space_lowest)
            r->space_lowest = space;
        if ((o->disk_drop_cap > 0 && space + o->disk_drop_cap < space_at_start) ||
            (o->disk_floor > 0 && space < o->disk_floor && space_at_start >= o->disk_floor)) {
            r->disk_dropped = true;
            return true;
        }
    }
    if (sg_dir_usage(o->capped_dir, &bytes, &entries) == -1)
        return false;
    if (bytes > o->dir_cap_bytes || entries > o->dir_cap_entries) {
        r->dir_overflow = true;
        return true;
    }
    return false;
}

/*
 * Waits for the command itself to end or the deadline; true when it ended.
 * A sandbox's command has its whole time limit from when it starts ("R"
 * from sg_enter), not from when bubblewrap did: on a loaded machine
 * setting the sandbox up took 5.5 s, and a correct test that waits on
 * purpose was killed at its wall limit (a review under load). The set-up
 * itself has SG_SANDBOX_SETUP_MS on top of the limit (the deadline given).
 */
static bool sg_watch_until_exit(const struct sg_spawn_opts *o, pid_t pid, double deadline,
                                struct sg_watch *w, struct sg_spawn_result *r)
{
    bool from_start = false;
    /* Its pipes may stay open in descendants that outlive it, so their
     * EOF is not waited for. */
    for (;;) {
        struct pollfd p[4];
        int np = 0, i_out = -1, i_res = -1, i_ready = -1, i_pid = -1;
        if (w->out != -1) {
            i_out = np;
            p[np++] = (struct pollfd){ .fd = w->out, .events = POLLIN };
        }
        if (w->res != -1) {
            i_res = np;
            p[np++] = (struct pollfd){ .fd = w->res, .events = POLLIN };
        }
        if (w->ready != -1) {
            i_ready = np;
            p[np++] = (struct pollfd){ .fd = w->ready, .events = POLLIN };
        }
        if (w->pidfd != -1) {
            i_pid = np;
            p[np++] = (struct pollfd){ .fd = w->pidfd, .events = POLLIN };
        }
        double left = deadline - sg_now();
        if (left <= 0) {
            r->timed_out = true;
            return false;
        }
        if (sg_dir_overflows(o, &w->dir_looked, w->space_at_start, r))
            return false;
        /* Without a pidfd (old kernels), wake up now and then to check;
         * with a capped folder, as often as it is looked at. */
        int wait_ms = w->pidfd != -1 && o->capped_dir == NULL ? (int)(left * 1000) + 1
                                                                : SG_DIR_LOOK_MS;
        int n = poll(p, (nfds_t)np, wait_ms);
        if (n == -1 && errno != EINTR)
            return false;
        if (i_out != -1 && p[i_out].revents &&
            sg_drain(w->out, &w->output, o->output_cap, &r->output_total) == -1) {
            close(w->out);
            w->out = -1;
        }
        if (i_res != -1 && p[i_res].revents &&
            sg_drain(w->res, &w->result, SG_RESULT_CAP, &w->result_total) == -1) {
            close(w->res);
            w->res = -1;
        }
        if (i_ready != -1 && p[i_ready].revents && sg_read_ready(w) == -1) {
            close(w->ready);
            w->ready = -1;
        }
        if (!from_start && w->nready > 0 && w->ready_seen[0] == 'R') {
            from_start = true;
            deadline = sg_now() + o->timeout_ms / 1000.0;
        }
        if (i_pid == -1 || (p[i_pid].revents & POLLIN))
            if (wait4(pid, &r->status, WNOHANG, &w->usage) == pid)
                return true;
    }
}

int sg_spawn(const struct sg_spawn_opts *o, struct sg_spawn_result *r)
{
    int out[2], res[2] = { -1, -1 }, ready[2] = { -1, -1 };
    memset(r, 0, sizeof *r);
    bool sandboxed = o->sandbox != NULL;
    bool bwrap = sandboxed && o->sandbox->bwrap[0] != '\0';
    if (pipe2(out, O_CLOEXEC) == -1)
        return -1;
    if ((o->result_pipe && pipe2(res, O_CLOEXEC) == -1) ||
        (sandboxed && pipe2(ready, O_CLOEXEC) == -1)) {
        sg_close_pipes(out, res, ready);
        return -1;
    }
    const char *argv[200];
    if (sandboxed) {
        if (sg_sandbox_argv(o->sandbox, o->mounts, o->nproc, o->watch, SG_FD_READY, o->argv,
                            argv, sizeof argv / sizeof *argv) == 0) {
            sg_close_pipes(out, res, ready);
            errno = E2BIG;
            return -1;
        }
    } else {
        for (size_t i = 0; i < 160; i++)
            if ((argv[i] = o->argv[i]) == NULL)
                break;
    }
    /* bubblewrap brings its own IPC namespace; otherwise make one if we can. */
    bool isolate = o->isolate && !bwrap && sg_isolate_available();
    struct sg_shm_snapshot before = { NULL, 0 };
    if (o->isolate && !isolate && !bwrap)
        sg_shm_snapshot(&before);
    r->isolated = isolate || bwrap;
    int info[2] = { -1, -1 }, fail[2];
    if ((bwrap && pipe2(info, O_CLOEXEC) == -1) || pipe2(fail, O_CLOEXEC) == -1) {
        sg_close_pipes(out, res, ready);
        sg_close_pipes(info, NULL, NULL);
        sg_shm_snapshot_free(&before);
        return -1;
    }
    double start = sg_now();
    struct sg_child_args child = { o, argv, isolate,
                                   { out[1], res[1], ready[1], info[1], fail[1] } };
    pid_t pid = sg_start_child(&child);
    if (pid == -1) {
        sg_close_pipes(out, res, fail);
        sg_close_pipes(info, ready, NULL);
        sg_shm_snapshot_free(&before);
        return -1;
    }
    setpgid(pid, pid); /* also here, so the group exists whichever runs first */
    int *write_ends[] = { &fail[1], &info[1], &out[1], &res[1], &ready[1] };
    for (size_t i = 0; i < sizeof write_ends / sizeof *write_ends; i++)
        if (*write_ends[i] != -1) {
            close(*write_ends[i]);
            *write_ends[i] = -1;
        }
    /* EOF at exec (the pipe is close-on-exec), or the failed step and errno. */
    int report[2];
    ssize_t got;
    do
        got = read(fail[0], report, sizeof report);
    while (got == -1 && errno == EINTR);
    close(fail[0]);
    if (got == (ssize_t)sizeof report) {
        while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
            ;
        sg_close_pipes(out, res, info);
        sg_close_pipes(ready, NULL, NULL);
        sg_shm_snapshot_free(&before);
        r->setup_failed =
            report[0] > 0 && report[0] < SG_SETUP_STEPS ? sg_setup_steps[report[0]] : "setup";
        errno = report[1];
        return -1;
    }
    struct sg_watch w = { .out = out[0], .res = res[0], .ready = ready[0],
                          .pidfd = (int)syscall(SYS_pidfd_open, pid, 0),
                          .output = SG_BUF_INIT, .result = SG_BUF_INIT };
    if (o->capped_dir != NULL && sg_space_left(o->capped_dir, &w.space_at_start) == -1)
        w.space_at_start = 0;
    r->space_at_start = r->space_lowest = w.space_at_start;
    int *read_ends[] = { &w.out, &w.res, &w.ready };
    for (size_t i = 0; i < sizeof read_ends / sizeof *read_ends; i++)
        if (*read_ends[i] != -1)
            fcntl(*read_ends[i], F_SETFL, O_NONBLOCK);

    /* Until the sandbox says its command starts, its set-up may take up to
     * SG_SANDBOX_SETUP_MS more (sg_watch_until_exit moves the deadline). */
    double deadline = start + (o->timeout_ms + (w.ready != -1 ? SG_SANDBOX_SETUP_MS : 0)) / 1000.0;
    if (!sg_watch_until_exit(o, pid, deadline, &w, r)) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        while (wait4(pid, &r->status, 0, &w.usage) == -1 && errno == EINTR)
            ;
    }
    /* What was written since the last look counts too. */
    double never = 0;
    if (!r->dir_overflow && !r->disk_dropped)
        sg_dir_overflows(o, &never, w.space_at_start, r);
    /* Whatever the command left behind dies with it. */
    kill(-pid, SIGKILL);
    sg_kill_orphans();
    if (info[0] != -1) {
        sg_wait_sandbox_gone(info[0]);
        close(info[0]);
    }
    if (o->isolate && !isolate && !bwrap) {
        /* Every process of the command is dead now: any new segment whose
         * creator is gone was the command's. */
        r->ipc_removed = sg_shm_remove_orphans(&before);
        sg_shm_snapshot_free(&before);
    }
    if (w.out != -1)
        sg_drain(w.out, &w.output, o->output_cap, &r->output_total);
    if (w.res != -1)
        sg_drain(w.res, &w.result, SG_RESULT_CAP, &w.result_total);
    if (w.ready != -1)
        sg_read_ready(&w);
    int *fds[] = { &w.out, &w.res, &w.ready, &w.pidfd };
    for (size_t i = 0; i < sizeof fds / sizeof *fds; i++)
        if (*fds[i] != -1)
            close(*fds[i]);
    r->seconds = sg_now() - start;
    r->cpu_seconds = (double)w.usage.ru_utime.tv_sec + (double)w.usage.ru_utime.tv_usec / 1e6 +
                     (double)w.usage.ru_stime.tv_sec + (double)w.usage.ru_stime.tv_usec / 1e6;
    /* Every process of the sandbox that ended: sg_enter reaps them all and
     * is the sandbox's init (bubblewrap's --as-pid-1), reaped by bubblewrap,
     * or, without bubblewrap, the child waited for here. Not counted:
     * processes still running when sg_enter ends (the kernel kills them),
     * and a sandbox killed at the wall limit. The figure is shown, and
     * make timings measures with it; no grade depends on it (the CPU limit
     * is sg_enter's own count, sg_watch.h). */
    w.ready_seen[w.nready < sizeof w.ready_seen ? w.nready : sizeof w.ready_seen - 1] = '\0';
    const char *said = w.nready > 1 ? w.ready_seen + 1 : "";
    if (said[0] == 'T' && (said[1] == 'c' || said[1] == 's')) {
        r->limit_hit = said[1];
        r->timed_out = true;
        said += 2;
    }
    const char *described = strstr(said, "\nD");
    if (described != NULL) {
        const char *end = strchr(described + 2, '\n');
        struct sg_buf d = SG_BUF_INIT;
        sg_escape(&d, described + 2, end ? (size_t)(end - described - 2) : strlen(described + 2),
                  600, 0);
        r->stuck_detail = sg_buf_take(&d);
    }
    r->output_len = w.output.len;
    r->output = sg_buf_take(&w.output);
    if (o->result_pipe) {
        r->result_len = w.result.len;
        r->result = sg_buf_take(&w.result);
    } else {
        sg_buf_free(&w.result);
    }
    /* In a sandbox, the command started only if sg_enter said so, and did
     * not then fail to exec it. */
    bool forked = w.nready > 1 && w.ready_seen[1] == 'F';
    if (sandboxed && (w.nready == 0 || w.ready_seen[0] != 'R' || forked ||
                      (w.nready > 1 && w.ready_seen[1] == 'E'))) {
        r->setup_failed = w.nready == 0 ? "the sandbox (it could not be set up)"
                          : forked      ? "the sandbox's first process (it could not fork)"
                                        : "exec of the command inside the sandbox";
        errno = w.nready == 0 || forked ? EAGAIN : ENOENT;
        return -1;
    }
    return 0;
}

void sg_spawn_result_free(struct sg_spawn_result *r)
{
    free(r->stuck_detail);
    r->stuck_detail = NULL;
    free(r->output);
    free(r->result);
    r->output = r->result = NULL;
}
