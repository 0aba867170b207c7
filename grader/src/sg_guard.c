/* sg_guard.c — the grader's first process, which cleans up after the grading; see sg_guard.h. */
#include "sg_guard.h"
#include "sg_fs.h"
#include "sg_spawn.h"
#include "sg_text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static const int sg_stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define SG_NSTOP (sizeof sg_stop_signals / sizeof *sg_stop_signals)

/* The write end of the guard's pipe, in the grading's processes; -1 unguarded. */
static int sg_guard_fd = -1;
static volatile sig_atomic_t sg_guard_stop;

static void sg_guard_on_stop(int sig)
{
    sg_guard_stop = sig;
}

int sg_guard_register(const char *path)
{
    if (sg_guard_fd == -1)
        return 0;
    /* One write of at most PIPE_BUF bytes is never interleaved with
     * another's: graders of a batch register at once. NUL ends a path (a
     * TMPDIR may hold a newline). */
    size_t n = strlen(path) + 1;
    if (n > PIPE_BUF) {
        errno = ENAMETOOLONG;
        return -1;
    }
    ssize_t w;
    do
        w = write(sg_guard_fd, path, n);
    while (w == -1 && errno == EINTR);
    return w == (ssize_t)n ? 0 : -1;
}

/*
 * Collects registered paths until every grading process has closed the
 * pipe (EOF) or a stop signal comes (those are blocked but while ppoll
 * waits, so none can slip in between a check and the wait).
 */
static void sg_guard_collect(int fd, const sigset_t *waiting, struct sg_buf *paths)
{
    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int n = ppoll(&p, 1, NULL, waiting);
        if (n == -1) {
            if (errno == EINTR && !sg_guard_stop)
                continue;
            return;
        }
        char chunk[4096];
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got > 0)
            sg_buf_append(paths, chunk, (size_t)got);
        else if (!(got == -1 && errno == EINTR))
            return;
    }
}

/* Ends the guard as the grading ended: by the same signal, or with its status. */
static void sg_guard_exit(int sig, int status) __attribute__((noreturn));
static void sg_guard_exit(int sig, int status)
{
    if (sig != 0) {
        /* Re-raised, so that a shell loop or make sees the interrupt as one. */
        signal(sig, SIG_DFL);
        sigset_t only;
        sigemptyset(&only);
        sigaddset(&only, sig);
        sigprocmask(SIG_UNBLOCK, &only, NULL);
        raise(sig);
        _exit(128 + sig);
    }
    if (WIFEXITED(status))
        _exit(WEXITSTATUS(status));
    _exit(128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0));
}

static void sg_guard_run(pid_t grading, int fd, const sigset_t *before) __attribute__((noreturn));
static void sg_guard_run(pid_t grading, int fd, const sigset_t *before)
{
    /* Orphans of the grading (a runner's sandbox whose runner died) come here. */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    struct sigaction stop = { .sa_handler = sg_guard_on_stop };
    sigemptyset(&stop.sa_mask);
    for (size_t i = 0; i < SG_NSTOP; i++)
        sigaction(sg_stop_signals[i], &stop, NULL);
    sigset_t waiting = *before;
    for (size_t i = 0; i < SG_NSTOP; i++)
        sigdelset(&waiting, sg_stop_signals[i]);

    struct sg_buf paths = SG_BUF_INIT;
    sg_guard_collect(fd, &waiting, &paths);
    if (sg_guard_stop)
        kill(grading, SIGKILL);
    int status = 0;
    while (waitpid(grading, &status, 0) == -1 && errno == EINTR)
        ;
    /* Whatever the grading left (its runners, their sandboxes) was
     * re-parented here as its parents died: kill it all, level by level. */
    sg_kill_orphans();
    /* Registrations written after EOF cannot exist; ones still in the
     * pipe when a stop came are read now. */
    char chunk[4096];
    ssize_t got;
    int flags = fcntl(fd, F_GETFL);
    if (flags != -1)
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    while ((got = read(fd, chunk, sizeof chunk)) > 0)
        sg_buf_append(&paths, chunk, (size_t)got);
    close(fd);
    for (size_t at = 0; at < paths.len;) {
        const char *path = paths.data + at;
        size_t n = strnlen(path, paths.len - at);
        if (at + n < paths.len && access(path, F_OK) == 0)
            sg_rmtree(path);
        at += n + 1;
    }
    sg_buf_free(&paths);
    sg_guard_exit(sg_guard_stop, status);
}

int sg_guard_start(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) == -1)
        return -1;
    /* Blocked from before the fork: a stop that comes while the guard is
     * being set up is handled, not lost nor fatal. */
    sigset_t stops, before;
    sigemptyset(&stops);
    for (size_t i = 0; i < SG_NSTOP; i++)
        sigaddset(&stops, sg_stop_signals[i]);
    sigprocmask(SIG_BLOCK, &stops, &before);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == -1) {
        int saved = errno;
        sigprocmask(SIG_SETMASK, &before, NULL);
        close(p[0]);
        close(p[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        sg_guard_fd = p[1];
        sigprocmask(SIG_SETMASK, &before, NULL);
        return 0;
    }
    close(p[1]);
    sg_guard_run(pid, p[0], &before);
}
