/*
 * ring.h — lab 05: a bounded buffer between unrelated processes.
 *
 * Two programs that share no ancestor but init pass messages through a
 * ring of RB_SLOTS slots in one POSIX shared memory object. They find it by
 * its name ("/something", which Linux keeps as a file in /dev/shm), not by
 * inheriting a mapping across fork. Three POSIX semaphores, initialised
 * process-shared and living inside the object itself, make it the classic
 * bounded buffer: a mutex, a count of free slots, a count of used slots.
 */
#ifndef RING_H
#define RING_H

#include <semaphore.h>
#include <stddef.h>

#define RB_SLOTS 8
#define RB_MSG_MAX 128
#define RB_MODE 0600

struct rb_msg {
    size_t len;               /* bytes of data in use */
    char data[RB_MSG_MAX];
};

struct rb_ring {              /* the whole shared object, this exact layout */
    sem_t mutex;              /* 1 when free: guards head, tail and the slots */
    sem_t free_slots;         /* RB_SLOTS at creation */
    sem_t used_slots;         /* 0 at creation */
    unsigned head;            /* next slot to read */
    unsigned tail;            /* next slot to write */
    struct rb_msg slot[RB_SLOTS];
};

/*
 * Creates the object `name` (O_RDWR | O_CREAT | O_EXCL, mode RB_MODE),
 * sizes it to sizeof(struct rb_ring) with ftruncate, maps it MAP_SHARED
 * and closes the descriptor. Initialises the three semaphores
 * process-shared (mutex 1, free_slots RB_SLOTS, used_slots 0) and
 * head = tail = 0. Returns the ring, or NULL with errno set: EEXIST when
 * the name exists (that object is left exactly as it was). After a
 * failure nothing of ours is left: no object, no mapping, no descriptor.
 * Others may rb_open the ring once rb_create has returned.
 */
struct rb_ring *rb_create(const char *name);

/*
 * Opens an existing ring, from any process: shm_open(name, O_RDWR, 0),
 * fstat, mmap MAP_SHARED, and the descriptor closed, on success or
 * failure. NULL with errno set; EINVAL when the object's size is not
 * sizeof(struct rb_ring).
 */
struct rb_ring *rb_open(const char *name);

/*
 * Sends len bytes of msg: -1 with EMSGSIZE when len > RB_MSG_MAX, the ring
 * unchanged. Otherwise waits for a free slot, then takes the mutex, copies
 * the message into slot[tail], advances tail modulo RB_SLOTS, releases the
 * mutex and posts a used slot. While the ring is full it sleeps (no busy
 * waiting), with the caller's signals as they were (it blocks none); a
 * wait interrupted by a signal handler (EINTR) is retried.
 * 0, or -1 with errno set.
 */
int rb_put(struct rb_ring *r, const void *msg, size_t len);

/*
 * The mirror image: waits for a used slot, takes the mutex, copies the
 * message at head into buf (at most cap bytes: never more), advances head,
 * releases the mutex and posts a free slot. Sleeps while the ring is
 * empty; EINTR is retried. Returns the message's full length, which is
 * greater than cap when it was cut, or -1 with errno set. Messages come
 * out in the order they went in, each exactly once, whatever the number
 * of producers and consumers.
 */
long rb_get(struct rb_ring *r, void *buf, size_t cap);

/* Unmaps the ring (the object stays). 0, or -1 with errno set. */
int rb_close(struct rb_ring *r);

/*
 * Removes the name (shm_unlink). Processes that have the ring mapped keep
 * using it; the memory goes when the last of them unmaps it. 0, or -1
 * with errno set.
 */
int rb_unlink(const char *name);

#endif
