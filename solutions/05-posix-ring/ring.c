/*
 * ring.c — lab 05, reference solution.
 */
#include "ring.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Maps the object open on fd, shared, and closes fd whatever happens: the
 * mapping holds its own reference to the object, so the descriptor is not
 * needed once mmap has returned.
 */
static struct rb_ring *rb_map(int fd)
{
    void *p = mmap(NULL, sizeof(struct rb_ring), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int saved = errno;
    close(fd);
    if (p == MAP_FAILED) {
        errno = saved;
        return NULL;
    }
    return p;
}

/*
 * pshared = 1: these semaphores live in memory that other processes map.
 * With 0, glibc sleeps and wakes on process-private futexes, and a post in
 * one process never wakes a process sleeping in another.
 */
static int rb_init(struct rb_ring *r)
{
    if (sem_init(&r->mutex, 1, 1) == -1 || sem_init(&r->free_slots, 1, RB_SLOTS) == -1 ||
        sem_init(&r->used_slots, 1, 0) == -1)
        return -1;
    r->head = r->tail = 0;
    return 0;
}

struct rb_ring *rb_create(const char *name)
{
    /* O_EXCL: the name must be new. Without it an existing ring would be
     * opened, and re-initialised under the processes using it. */
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, RB_MODE);
    if (fd == -1)
        return NULL; /* nothing of ours exists: an object that was there stays as it was */

    /* A new object is empty: touching a mapping beyond its end is SIGBUS. */
    struct rb_ring *r = NULL;
    if (ftruncate(fd, sizeof *r) == -1) {
        int saved = errno;
        close(fd);
        errno = saved;
    } else {
        r = rb_map(fd);
    }
    if (r != NULL && rb_init(r) == 0)
        return r;

    /* The object is ours and half made: remove it, so that the name is free
     * again and no process can open a ring that was never initialised. */
    int saved = errno;
    if (r != NULL)
        munmap(r, sizeof *r);
    shm_unlink(name);
    errno = saved;
    return NULL;
}

struct rb_ring *rb_open(const char *name)
{
    int fd = shm_open(name, O_RDWR, 0);
    if (fd == -1)
        return NULL;
    /* Any process may make an object of that name. One of another size is
     * not a ring: a smaller one raises SIGBUS when a slot past its end is
     * touched. */
    struct stat st;
    int bad = fstat(fd, &st) == -1 ? errno : 0;
    if (bad == 0 && st.st_size != (off_t)sizeof(struct rb_ring))
        bad = EINVAL;
    if (bad != 0) {
        close(fd);
        errno = bad;
        return NULL;
    }
    return rb_map(fd);
}

/* sem_wait, retried when a signal handler interrupted it (EINTR). */
static int rb_wait(sem_t *s)
{
    while (sem_wait(s) == -1)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* sem_post, keeping the errno of the failure that made the caller undo. */
static void rb_undo(sem_t *s)
{
    int saved = errno;
    sem_post(s);
    errno = saved;
}

int rb_put(struct rb_ring *r, const void *msg, size_t len)
{
    if (len > RB_MSG_MAX) {
        errno = EMSGSIZE;
        return -1;
    }
    /* A free slot first, then the mutex. The other order deadlocks: a
     * producer that sleeps for a slot while it holds the mutex shuts out
     * the consumer who would have freed one. */
    if (rb_wait(&r->free_slots) == -1)
        return -1;
    if (rb_wait(&r->mutex) == -1) {
        rb_undo(&r->free_slots);
        return -1;
    }
    /* tail is shared memory that any process can scribble on: index
     * modulo RB_SLOTS rather than trust it. */
    struct rb_msg *m = &r->slot[r->tail % RB_SLOTS];
    m->len = len;
    if (len > 0)
        memcpy(m->data, msg, len);
    r->tail = (r->tail + 1) % RB_SLOTS;
    if (sem_post(&r->mutex) == -1 || sem_post(&r->used_slots) == -1)
        return -1;
    return 0;
}

long rb_get(struct rb_ring *r, void *buf, size_t cap)
{
    if (rb_wait(&r->used_slots) == -1)
        return -1;
    if (rb_wait(&r->mutex) == -1) {
        rb_undo(&r->used_slots);
        return -1;
    }
    const struct rb_msg *m = &r->slot[r->head % RB_SLOTS];
    size_t len = m->len;
    /* What fits in buf, and never more than a slot holds: the length, too,
     * comes from shared memory. */
    size_t n = len < cap ? len : cap;
    if (n > RB_MSG_MAX)
        n = RB_MSG_MAX;
    if (n > 0)
        memcpy(buf, m->data, n);
    r->head = (r->head + 1) % RB_SLOTS;
    if (sem_post(&r->mutex) == -1 || sem_post(&r->free_slots) == -1)
        return -1;
    return (long)len;
}

int rb_close(struct rb_ring *r)
{
    return munmap(r, sizeof *r);
}

int rb_unlink(const char *name)
{
    return shm_unlink(name);
}
