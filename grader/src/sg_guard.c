/* sg_guard.c — the grader's first process, which cleans up after the grading; see sg_guard.h. */
#include "sg_guard.h"
#include "sg_fs.h"
#include "sg_isolate.h"
#include "sg_spawn.h"
#include "sg_text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const int sg_stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define SG_NSTOP (sizeof sg_stop_signals / sizeof *sg_stop_signals)

/* The write end of the guard's pipe in the grading's processes; the read end in the guard. */
static int sg_guard_fd = -1;
static sigset_t sg_guard_before;          /* the mask before sg_guard_start */
static volatile sig_atomic_t sg_guard_stop;

static void sg_guard_on_stop(int sig)
{
    sg_guard_stop = sig;
}

/* Sends one registration: a path, or ':' and a mark of POSIX objects. */
static int sg_guard_send(const char *kind, const char *what)
{
    if (sg_guard_fd == -1)
        return 0;
    char entry[PIPE_BUF];
    int len = snprintf(entry, sizeof entry, "%s%s", kind, what);
    if (len < 0 || (size_t)len >= sizeof entry) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* One write of at most PIPE_BUF bytes is never interleaved with
     * another's: graders of a batch register at once. NUL ends a path (a
     * TMPDIR may hold a newline). */
    size_t n = (size_t)len + 1;
    ssize_t w;
    do
        w = write(sg_guard_fd, entry, n);
    while (w == -1 && errno == EINTR);
    return w == (ssize_t)n ? 0 : -1;
}

int sg_guard_register(const char *path)
{
    return sg_guard_send("", path);
}

int sg_guard_register_objects(const char *mark)
{
    return sg_guard_send(":", mark);
}

pid_t sg_guard_start(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) == -1)
        return -1;
    /* Blocked from before the fork: a stop that comes while the guard is
     * being set up is handled, not lost nor fatal. */
    sigset_t stops;
    sigemptyset(&stops);
    for (size_t i = 0; i < SG_NSTOP; i++)
        sigaddset(&stops, sg_stop_signals[i]);
    if (sigprocmask(SIG_BLOCK, &stops, &sg_guard_before) == -1) {
        int saved = errno;
        close(p[0]);
        close(p[1]);
        errno = saved;
        return -1;
    }
    pid_t guard = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == -1) {
        int saved = errno;
        sigprocmask(SIG_SETMASK, &sg_guard_before, NULL);
        close(p[0]);
        close(p[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        sg_guard_fd = p[1];
        /* Without its guard the grading would run on unwatched. */
        if (sg_spawn_die_with(guard) == -1)
            raise(SIGKILL);
        sigprocmask(SIG_SETMASK, &sg_guard_before, NULL);
        return 0;
    }
    close(p[1]);
    sg_guard_fd = p[0];
    return pid;
}

/* Handlers for the stop signals that were not ignored; the mask ppoll waits with. */
static void sg_guard_catch(sigset_t *waiting)
{
    *waiting = sg_guard_before;
    for (size_t i = 0; i < SG_NSTOP; i++) {
        struct sigaction old;
        if (sigaction(sg_stop_signals[i], NULL, &old) == -1 || old.sa_handler == SIG_IGN)
            continue; /* nohup's SIGHUP, a script's background SIGINT: left as they were */
        struct sigaction stop = { .sa_handler = sg_guard_on_stop };
        sigemptyset(&stop.sa_mask);
        if (sigaction(sg_stop_signals[i], &stop, NULL) == 0)
            sigdelset(waiting, sg_stop_signals[i]);
    }
}

/*
 * Collects registered paths until the grading has ended (its pidfd) and
 * every process of it has closed the pipe (EOF), or a stop signal comes
 * (blocked but while ppoll waits, so none can slip in between a check and
 * the wait). Without a pidfd, EOF alone ends the wait.
 */
static void sg_guard_collect(pid_t grading, const sigset_t *waiting, struct sg_buf *paths)
{
    int pidfd = (int)syscall(SYS_pidfd_open, grading, 0);
    bool ended = false;
    for (;;) {
        struct pollfd p[2] = { { .fd = sg_guard_fd, .events = POLLIN },
                               { .fd = ended ? -1 : pidfd, .events = POLLIN } };
        int n = ppoll(p, 2, NULL, waiting);
        if (n == -1) {
            if (errno == EINTR && !sg_guard_stop)
                continue;
            break;
        }
        /* The grading gone, its runners (which hold the pipe) are killed below. */
        if (p[1].revents != 0)
            break;
        char chunk[4096];
        ssize_t got = read(sg_guard_fd, chunk, sizeof chunk);
        if (got > 0)
            sg_buf_append(paths, chunk, (size_t)got);
        else if (!(got == -1 && errno == EINTR))
            break;
    }
    if (pidfd != -1)
        close(pidfd);
}

/*
 * Removes a registered path that is still the grader user's own folder or
 * file. lstat, not stat: a link in its place is not ours to follow. In a
 * sticky TMPDIR (as /tmp is) nobody else can put another file in the
 * place of one of ours between this check and the removal.
 */
static void sg_guard_remove(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == -1 || st.st_uid != geteuid())
        return;
    if (S_ISDIR(st.st_mode))
        sg_rmtree(path);
    else if (S_ISREG(st.st_mode))
        unlink(path);
}

void sg_guard_watch(pid_t grading, struct sg_guard_end *end)
{
    /* Orphans of the grading (a runner's sandbox whose runner died) come here. */
    if (sg_spawn_init() == -1)
        fprintf(stderr, "shmgrade: warning: prctl(PR_SET_CHILD_SUBREAPER): %s: what a "
                        "stopped grading leaves may outlive it\n", strerror(errno));
    sigset_t waiting;
    sg_guard_catch(&waiting);
    struct sg_buf paths = SG_BUF_INIT;
    sg_guard_collect(grading, &waiting, &paths);
    if (sg_guard_stop)
        kill(grading, SIGKILL);
    int status = 0;
    while (waitpid(grading, &status, 0) == -1 && errno == EINTR)
        ;
    /* Whatever the grading left (its runners, their sandboxes) was
     * re-parented here as its parents died: kill it all, level by level. */
    sg_kill_orphans();
    bool stopped = sg_guard_stop != 0 || WIFSIGNALED(status);
    if (stopped) {
        /* Registrations still in the pipe when the stop came. */
        int flags = fcntl(sg_guard_fd, F_GETFL);
        if (flags != -1 && fcntl(sg_guard_fd, F_SETFL, flags | O_NONBLOCK) == 0) {
            char chunk[4096];
            ssize_t got;
            while ((got = read(sg_guard_fd, chunk, sizeof chunk)) > 0)
                sg_buf_append(&paths, chunk, (size_t)got);
        }
        for (size_t at = 0; at < paths.len;) {
            size_t n = strnlen(paths.data + at, paths.len - at);
            const char *entry = paths.data + at;
            if (at + n < paths.len && entry[0] == ':')
                sg_shm_remove_tagged(entry + 1);
            else if (at + n < paths.len)
                sg_guard_remove(entry);
            at += n + 1;
        }
    }
    close(sg_guard_fd);
    sg_guard_fd = -1;
    sg_buf_free(&paths);
    end->sig = sg_guard_stop ? sg_guard_stop : WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    end->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + end->sig;
}
