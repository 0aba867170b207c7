/*
 * sg_sems.c — the semaphore posts of the code under test, for the tests
 * that ask what was true when a semaphore was posted.
 *
 * The test program is linked with -Wl,--wrap=sem_post (sg_build.c), so
 * the student's sem_post calls come here first. Whether a ring's index
 * moved before the mutex was posted or just after shows nowhere in the
 * result: both leave the ring right, and only two consumers racing, which
 * a given run may not do, tell them apart. Seen at the post itself, it is
 * certain (lab 05: a class review found an rb_get that moved head after
 * its release scoring 48 to 53 over six gradings).
 */
#include "sg_harness.h"

#include <errno.h>
#include <semaphore.h>

int __real_sem_post(sem_t *sem);
int __wrap_sem_post(sem_t *sem);

static sg_sem_post_fn sg_post_watcher;

void sg_watch_sem_posts(sg_sem_post_fn fn)
{
    sg_post_watcher = fn;
}

int __wrap_sem_post(sem_t *sem)
{
    if (sg_post_watcher != NULL) {
        int saved = errno;
        sg_post_watcher((const void *)sem);
        errno = saved;
    }
    return __real_sem_post(sem);
}
