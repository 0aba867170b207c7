/*
 * increment.c — lab 02, reference solution.
 */
#include "increment.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int *inc_map_counter(int initial)
{
    int *counter = mmap(NULL, sizeof *counter, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (counter == MAP_FAILED)
        return NULL;
    *counter = initial;
    return counter;
}

int inc_unmap_counter(int *counter)
{
    return munmap(counter, sizeof *counter);
}

/* waitpid that a signal cannot interrupt. */
static pid_t inc_wait(pid_t pid, int *status)
{
    pid_t w;
    do
        w = waitpid(pid, status, 0);
    while (w == -1 && errno == EINTR);
    return w;
}

int inc_child_increments(int *counter, FILE *out)
{
    /* Unflushed text in out would be copied into the child and written twice. */
    if (fflush(out) == EOF)
        return -1;
    pid_t pid = fork();
    if (pid == -1)
        return -1;
    if (pid == 0) {
        fprintf(out, "Child started, value = %d\n", *counter);
        (*counter)++;
        _exit(fflush(out) == EOF ? 1 : 0);
    }
    int status;
    if (inc_wait(pid, &status) == -1)
        return -1;
    /* After waitpid the child's increment is visible: the page is shared,
     * and the child has ended. */
    int value = *counter;
    if (fprintf(out, "In parent, value = %d\n", value) < 0 || fflush(out) == EOF)
        return -1;
    return value;
}

int inc_lock_open(const char *path)
{
    return open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

/* Sets a lock of the given type (F_WRLCK, F_RDLCK, F_UNLCK) on byte 0. */
static int inc_lock_byte0(int lockfd, short type)
{
    struct flock fl = {
        .l_type = type,
        .l_whence = SEEK_SET,
        .l_start = 0,
        .l_len = 1, /* the first byte only: 0 would mean "to the end of the file" */
    };
    /* F_SETLKW sleeps until the lock is free. A signal handler that runs
     * meanwhile makes it fail with EINTR: the lock is not held, so ask again. */
    while (fcntl(lockfd, F_SETLKW, &fl) == -1)
        if (errno != EINTR)
            return -1;
    return 0;
}

int inc_locked_increment(int lockfd, int *counter)
{
    if (inc_lock_byte0(lockfd, F_WRLCK) == -1)
        return -1;
    (*counter)++;
    return inc_lock_byte0(lockfd, F_UNLCK);
}

int inc_locked_read(int lockfd, const int *counter, int *value)
{
    if (inc_lock_byte0(lockfd, F_RDLCK) == -1)
        return -1;
    *value = *counter;
    return inc_lock_byte0(lockfd, F_UNLCK);
}

/* One worker's whole life; the status it ends with. */
static int inc_worker(int *counter, int lockfd, long iters, int start_fd)
{
    /* Wait at the starting line: read returns 0 once the parent has forked
     * every worker and closed its end, so all workers start together. */
    char c;
    while (read(start_fd, &c, 1) == -1 && errno == EINTR)
        ;
    if (lockfd < 0) {
        /* volatile: every increment is a real load and store, as in a loop
         * that does other work. Without it the compiler may add iters in
         * one go, and the race this run is meant to show would vanish. */
        volatile int *v = counter;
        for (long i = 0; i < iters; i++)
            (*v)++;
        return 0;
    }
    for (long i = 0; i < iters; i++)
        if (inc_locked_increment(lockfd, counter) == -1)
            return 1;
    return 0;
}

int inc_run_workers(int *counter, int lockfd, int nworkers, long iters)
{
    int start[2];
    if (nworkers < 0 || iters < 0) {
        errno = EINVAL;
        return -1;
    }
    if (pipe(start) == -1)
        return -1;
    if (fflush(NULL) == EOF) {
        close(start[0]);
        close(start[1]);
        return -1;
    }
    int forked = 0;
    bool failed = false;
    pid_t pids[nworkers > 0 ? nworkers : 1];
    for (; forked < nworkers; forked++) {
        pid_t pid = fork();
        if (pid == -1) {
            failed = true;
            break;
        }
        if (pid == 0) {
            close(start[1]);
            _exit(inc_worker(counter, lockfd, iters, start[0]));
        }
        pids[forked] = pid;
    }
    /* Start them all (or, after a failed fork, let those that exist finish). */
    close(start[0]);
    close(start[1]);
    /* Every child is waited for, whatever happened: no zombie is left. */
    for (int i = 0; i < forked; i++) {
        int status;
        if (inc_wait(pids[i], &status) == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed = true;
    }
    return failed ? -1 : 0;
}
