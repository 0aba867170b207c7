/* sg_spawn.c — run an untrusted command with a deadline and capped output; see sg_spawn.h. */
#include "sg_spawn.h"
#include "sg_isolate.h"
#include "sg_text.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <linux/close_range.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SG_RESULT_CAP (64u << 10)

int sg_spawn_init(void)
{
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
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
};

static void sg_child(const struct sg_spawn_opts *o, const char *const *argv, bool isolate,
                     int out_w, int res_w, int fail_w, int info_w) __attribute__((noreturn));
static void sg_child(const struct sg_spawn_opts *o, const char *const *argv, bool isolate,
                     int out_w, int res_w, int fail_w, int info_w)
{
    setpgid(0, 0);
    /* Limits and the user switch first: the namespaces are then made by
     * (and owned by) the sandbox's user, not by the grader's. */
    if (o->sandbox != NULL &&
        sg_sandbox_enter(o->sandbox, o->timeout_ms / 1000.0, o->big_address_space) == -1)
        sg_child_failed(fail_w, 1);
    if (isolate && sg_isolate_enter() == -1)
        sg_child_failed(fail_w, 2);
    /* Restore what a fresh program expects: default signal handling, nothing blocked. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    /* Lift every descriptor the child keeps above the numbers it will
     * use, so that placing one cannot overwrite another still to place. */
    int out = fcntl(out_w, F_DUPFD_CLOEXEC, 20);
    int res = res_w != -1 ? fcntl(res_w, F_DUPFD_CLOEXEC, 20) : -1;
    int info = info_w != -1 ? fcntl(info_w, F_DUPFD_CLOEXEC, 20) : -1;
    int fail = fcntl(fail_w, F_DUPFD_CLOEXEC, 20);
    if (out == -1 || fail == -1 || (res_w != -1 && res == -1) || (info_w != -1 && info == -1))
        sg_child_failed(fail_w, 3);
    int devnull = open(o->stdin_path ? o->stdin_path : "/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull == -1 || dup2(devnull, STDIN_FILENO) == -1 || dup2(out, STDOUT_FILENO) == -1 ||
        dup2(out, STDERR_FILENO) == -1)
        sg_child_failed(fail, 3);
    if (res != -1 && dup2(res, 3) == -1)
        sg_child_failed(fail, 4);
    /* bubblewrap's report of its sandbox's pid, at the number its argv names. */
    if (info != -1 && dup2(info, SG_SANDBOX_INFO_FD) == -1)
        sg_child_failed(fail, 3);
    /* Nothing else of the grader's is inherited: every other descriptor
     * closes now or at exec (the failure pipe, lifted, is close-on-exec). */
    if (res == -1)
        close(3);
    syscall(SYS_close_range, 4, SG_SANDBOX_INFO_FD - 1, 0);
    if (info == -1)
        close(SG_SANDBOX_INFO_FD);
    syscall(SYS_close_range, SG_SANDBOX_INFO_FD + 1, 19, 0);
    syscall(SYS_close_range, 20, ~0u, CLOSE_RANGE_CLOEXEC);
    fail_w = fail;
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
    if (o->cwd != NULL && chdir(o->cwd) == -1)
        sg_child_failed(fail_w, 5);
    execve(argv[0], (char *const *)argv, (char *const *)o->envp);
    sg_child_failed(fail_w, 6);
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

int sg_spawn(const struct sg_spawn_opts *o, struct sg_spawn_result *r)
{
    int out[2], res[2] = { -1, -1 };
    memset(r, 0, sizeof *r);
    if (pipe2(out, O_CLOEXEC) == -1)
        return -1;
    if (o->result_pipe && pipe2(res, O_CLOEXEC) == -1) {
        sg_close_pipes(out, NULL, NULL);
        return -1;
    }
    /* bubblewrap brings its own IPC namespace; otherwise make one if we can. */
    bool bwrap = o->sandbox != NULL && o->sandbox->bwrap[0] != '\0';
    const char *argv[128];
    if (bwrap)
        sg_sandbox_argv(o->sandbox, o->readonly, o->rundir, o->argv, argv, 128);
    else
        for (size_t i = 0; i < 128; i++)
            if ((argv[i] = o->argv[i]) == NULL)
                break;
    bool isolate = o->isolate && !bwrap && sg_isolate_available();
    struct sg_shm_snapshot before = { NULL, 0 };
    if (o->isolate && !isolate && !bwrap)
        sg_shm_snapshot(&before);
    r->isolated = isolate || bwrap;
    int info[2] = { -1, -1 };
    if (bwrap && pipe2(info, O_CLOEXEC) == -1)
        info[0] = info[1] = -1;
    int fail[2];
    if (pipe2(fail, O_CLOEXEC) == -1) {
        sg_close_pipes(out, res, info);
        sg_shm_snapshot_free(&before);
        return -1;
    }
    double start = sg_now();
    pid_t pid = fork();
    if (pid == -1) {
        sg_close_pipes(out, res, fail);
        sg_close_pipes(info, NULL, NULL);
        sg_shm_snapshot_free(&before);
        return -1;
    }
    if (pid == 0)
        sg_child(o, argv, isolate, out[1], res[1], fail[1], info[1]);
    setpgid(pid, pid); /* also here, so the group exists whichever runs first */
    close(fail[1]);
    if (info[1] != -1)
        close(info[1]);
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
        sg_shm_snapshot_free(&before);
        r->setup_failed = report[0] > 0 && report[0] < 7 ? sg_setup_steps[report[0]] : "setup";
        errno = report[1];
        return -1;
    }
    close(out[1]);
    if (res[1] != -1)
        close(res[1]);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    if (res[0] != -1)
        fcntl(res[0], F_SETFL, O_NONBLOCK);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

    struct sg_buf output = SG_BUF_INIT, result = SG_BUF_INIT;
    size_t result_total = 0;
    bool out_open = true, res_open = res[0] != -1, exited = false;
    double deadline = start + o->timeout_ms / 1000.0;
    /* Wait for the command itself to end; its pipes may stay open in
     * descendants that outlive it, so their EOF is not waited for. */
    while (!exited) {
        struct pollfd p[3];
        int np = 0, i_out = -1, i_res = -1, i_pid = -1;
        if (out_open) {
            i_out = np;
            p[np++] = (struct pollfd){ .fd = out[0], .events = POLLIN };
        }
        if (res_open) {
            i_res = np;
            p[np++] = (struct pollfd){ .fd = res[0], .events = POLLIN };
        }
        if (pidfd != -1) {
            i_pid = np;
            p[np++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
        }
        double left = deadline - sg_now();
        if (left <= 0) {
            r->timed_out = true;
            break;
        }
        /* Without a pidfd (old kernels), wake up now and then to check. */
        int wait_ms = pidfd != -1 ? (int)(left * 1000) + 1 : 20;
        int n = poll(p, (nfds_t)np, wait_ms);
        if (n == -1 && errno != EINTR)
            break;
        if (i_out != -1 && p[i_out].revents && sg_drain(out[0], &output, o->output_cap,
                                                        &r->output_total) == -1)
            out_open = false;
        if (i_res != -1 && p[i_res].revents &&
            sg_drain(res[0], &result, SG_RESULT_CAP, &result_total) == -1)
            res_open = false;
        if (i_pid == -1 || (p[i_pid].revents & POLLIN)) {
            pid_t w = waitpid(pid, &r->status, WNOHANG);
            if (w == pid)
                exited = true;
        }
    }
    if (!exited) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        while (waitpid(pid, &r->status, 0) == -1 && errno == EINTR)
            ;
    }
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
    if (out_open)
        sg_drain(out[0], &output, o->output_cap, &r->output_total);
    if (res_open)
        sg_drain(res[0], &result, SG_RESULT_CAP, &result_total);
    close(out[0]);
    if (res[0] != -1)
        close(res[0]);
    if (pidfd != -1)
        close(pidfd);
    r->seconds = sg_now() - start;
    r->output_len = output.len;
    r->output = sg_buf_take(&output);
    if (o->result_pipe) {
        r->result_len = result.len;
        r->result = sg_buf_take(&result);
    }
    return 0;
}

void sg_spawn_result_free(struct sg_spawn_result *r)
{
    free(r->output);
    free(r->result);
    r->output = r->result = NULL;
}
