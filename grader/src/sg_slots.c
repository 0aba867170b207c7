/* sg_slots.c — a machine-wide bound on tests at once; see sg_slots.h. */
#include "sg_slots.h"
#include "sg_text.h"

#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int sg_slots_create(struct sg_slots *s, const char *dir, int count)
{
    struct sg_buf p = SG_BUF_INIT;
    sg_buf_printf(&p, "%s/slots.XXXXXX", dir);
    int fd = mkstemp(p.data);
    if (fd == -1) {
        sg_buf_free(&p);
        return -1;
    }
    close(fd);
    s->path = sg_buf_take(&p);
    s->count = count > 0 ? count : 1;
    return 0;
}

void sg_slots_destroy(struct sg_slots *s)
{
    if (s->path != NULL)
        unlink(s->path);
    free(s->path);
    s->path = NULL;
}

static void sg_slot_tick(int sig)
{
    (void)sig; /* only to interrupt the wait (no SA_RESTART) */
}

/*
 * Waits in the kernel for slot k, for at most about period_us: a timer
 * that repeats interrupts the wait, so a tick that comes before it
 * starts only delays that to the next one. SIGALRM is unblocked for the
 * wait (a grader started with it blocked would otherwise sleep on one
 * slot while another is free), and the caller's handler, mask and timer
 * are as they were afterwards: a tick is only ever taken by the handler
 * here, never left pending. 0 holding it, -1 with errno (EINTR when the
 * time ran out).
 */
static int sg_slot_wait(int fd, int k, long period_us)
{
    struct sigaction tick = { .sa_handler = sg_slot_tick }, old;
    sigemptyset(&tick.sa_mask);
    sigset_t alrm, mask;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    if (sigaction(SIGALRM, &tick, &old) == -1)
        return -1;
    if (sigprocmask(SIG_UNBLOCK, &alrm, &mask) == -1) {
        int saved = errno;
        sigaction(SIGALRM, &old, NULL);
        errno = saved;
        return -1;
    }
    struct itimerval every = { { 0, period_us }, { 0, period_us } }, theirs,
                     off = { { 0, 0 }, { 0, 0 } };
    int rc = -1;
    if (setitimer(ITIMER_REAL, &every, &theirs) == 0) {
        struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = k, .l_len = 1 };
        rc = fcntl(fd, F_OFD_SETLKW, &lock);
    } else {
        theirs = off;
    }
    int saved = errno;
    /* Ours is off, theirs back (its time spent waiting here not counted). */
    setitimer(ITIMER_REAL, &off, NULL);
    sigprocmask(SIG_SETMASK, &mask, NULL);
    sigaction(SIGALRM, &old, NULL);
    setitimer(ITIMER_REAL, &theirs, NULL);
    errno = saved;
    return rc;
}

int sg_slot_take(const struct sg_slots *s)
{
    /* Its own open file description: the lock is this holder's alone. */
    int fd = open(s->path, O_RDWR | O_CLOEXEC);
    if (fd == -1)
        return -1;
    /*
     * Try every slot, starting at a different one in each process; when
     * all are held, sleep in the kernel on one until it is released, and
     * every 20 ms look at them all again, waiting on the next one. A batch
     * keeps three times as many tests waiting as running: polling instead
     * woke each of them 500 times a second for nothing.
     */
    int next = (int)(getpid() % s->count);
    for (;;) {
        for (int k = 0; k < s->count; k++) {
            struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
                                  .l_start = (next + k) % s->count, .l_len = 1 };
            if (fcntl(fd, F_OFD_SETLK, &lock) == 0)
                return fd;
            if (errno != EAGAIN && errno != EACCES && errno != EINTR)
                goto fail;
        }
        if (sg_slot_wait(fd, next, 20000) == 0)
            return fd;
        if (errno != EINTR)
            goto fail;
        next = (next + 1) % s->count;
    }
fail:;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}
