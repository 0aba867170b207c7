/*
 * pingpong.c — lab 03, reference solution.
 */
#include "pingpong.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

void *pp_map_devzero(size_t size)
{
    int fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
    if (fd == -1)
        return NULL;
    void *area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    /* The mapping keeps its own reference to /dev/zero: the descriptor is
     * not needed any more, whether mmap worked or not. */
    int saved = errno;
    close(fd);
    if (area == MAP_FAILED) {
        errno = saved;
        return NULL;
    }
    return area;
}

void *pp_map_anon(size_t size)
{
    void *area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return area == MAP_FAILED ? NULL : area;
}

int pp_unmap(void *area, size_t size)
{
    return munmap(area, size);
}

/* ---- TELL_WAIT and friends (APUE 8.9) ---- */

/* Set by the handler, read and cleared between signals: sig_atomic_t. */
static volatile sig_atomic_t pp_sigflag;
/* The mask to sleep with: the one in force when TELL_WAIT ran, minus our two signals. */
static sigset_t pp_waitmask;

static void pp_on_signal(int signo)
{
    (void)signo;
    pp_sigflag = 1;
}

static void pp_die(const char *call)
{
    fprintf(stderr, "pingpong: %s: %s\n", call, strerror(errno));
    exit(1);
}

void TELL_WAIT(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = pp_on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) == -1 || sigaction(SIGUSR2, &sa, NULL) == -1)
        pp_die("sigaction");
    sigset_t both, old;
    sigemptyset(&both);
    sigaddset(&both, SIGUSR1);
    sigaddset(&both, SIGUSR2);
    /* Blocked from now on, and in the child forked next: a signal sent
     * before the other side waits stays pending instead of being lost or
     * killing a process that has no handler yet. */
    if (sigprocmask(SIG_BLOCK, &both, &old) == -1)
        pp_die("sigprocmask");
    pp_waitmask = old;
    sigdelset(&pp_waitmask, SIGUSR1);
    sigdelset(&pp_waitmask, SIGUSR2);
}

static void pp_wait(void)
{
    /* The flag is tested while both signals are blocked, so none can
     * arrive between the test and sigsuspend: sigsuspend unblocks them and
     * sleeps in one atomic step. If the signals were unblocked here (as
     * APUE's version leaves them after its first wait, by restoring the
     * old mask), one landing after the test and before sigsuspend would
     * set the flag unseen, and both processes would sleep forever. */
    while (pp_sigflag == 0)
        sigsuspend(&pp_waitmask);
    pp_sigflag = 0;
    /* sigsuspend has restored the blocked mask: both signals stay blocked. */
}

void WAIT_PARENT(void)
{
    pp_wait();
}

void WAIT_CHILD(void)
{
    pp_wait();
}

void TELL_PARENT(pid_t pid)
{
    if (kill(pid, SIGUSR2) == -1)
        pp_die("kill (TELL_PARENT)");
}

void TELL_CHILD(pid_t pid)
{
    if (kill(pid, SIGUSR1) == -1)
        pp_die("kill (TELL_CHILD)");
}

/* ---- the ping-pong ---- */

long pp_update(long *ptr)
{
    return (*ptr)++;
}

int pp_run(long *area, long nloops)
{
    if (*area != 0 || nloops < 0) {
        errno = EINVAL;
        return -1;
    }
    sigset_t caller;
    if (sigprocmask(SIG_BLOCK, NULL, &caller) == -1)
        return -1;
    TELL_WAIT();
    pid_t pid = fork();
    if (pid == -1) {
        int saved = errno;
        sigprocmask(SIG_SETMASK, &caller, NULL);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        bool ok = true;
        for (long i = 1; i < nloops; i += 2) {
            WAIT_PARENT();
            if (pp_update(area) != i)
                ok = false;
            TELL_PARENT(getppid());
        }
        _exit(ok ? 0 : 1);
    }
    bool ok = true;
    for (long i = 0; i < nloops; i += 2) {
        if (pp_update(area) != i)
            ok = false;
        /* Hand over only if the child has a turn left: it may have ended. */
        if (i + 1 < nloops) {
            TELL_CHILD(pid);
            WAIT_CHILD();
        }
    }
    int status;
    pid_t w;
    do
        w = waitpid(pid, &status, 0);
    while (w == -1 && errno == EINTR);
    if (sigprocmask(SIG_SETMASK, &caller, NULL) == -1 || w == -1)
        return -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        ok = false;
    return ok ? 0 : -1;
}
