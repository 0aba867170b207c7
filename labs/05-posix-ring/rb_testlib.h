/*
 * rb_testlib.h — what lab 05's public and hidden tests share.
 *
 * The put and get tests run on a ring the test makes itself
 * (rb_test_ring), correct by construction, so that a mistake in rb_create
 * does not fail every other test; the test reads and fills it through the
 * fixed layout of ring.h. Whether a thread or a process sleeps is read from
 * the kernel, not guessed from time: /proc/<pid>/task/<tid>/syscall names
 * the futex it is blocked on (and so which semaphore of the ring), /stat
 * counts its CPU time and /status how often it woke up.
 */
#ifndef RB_TESTLIB_H
#define RB_TESTLIB_H

#include "ring.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* Bounds that only wrong code ever reaches; correct code takes milliseconds. */
#define RB_WAKE_MS 3000  /* a sleeper to wake once posted, a task to start waiting */
#define RB_STUCK_MS 2000 /* a set of programs whose ring does not move at all */

/* ---- names and objects ---- */

/* A fresh object name for this test, "/shmlab-TAG-ringN" (sg_object_prefix; static storage). */
const char *rb_test_name(void);
/* Unlinks every name rb_test_name handed out (for runs outside the sandbox). */
void rb_forget_names(void);
/* Where the object lives: "/dev/shm" followed by the name (static buffer, per call). */
const char *rb_shm_path(const char *name);
/* Makes an object by hand, size bytes of fill, mode exactly mode. */
void rb_make_object(const char *name, mode_t mode, off_t size, int fill);
/* Mappings of the object in pid's /proc/<pid>/maps (-1 on error). */
int rb_mappings_of(pid_t pid, const char *name);
/* rb_create(name), required to succeed. */
struct rb_ring *rb_create_checked(const char *name);

/* ---- the test's own ring, through the layout ---- */

/* A correctly initialised ring for the threads of this test alone (private memory). */
struct rb_ring *rb_test_ring(void);

struct rb_counts {
    int mutex, free_slots, used_slots;
};
struct rb_counts rb_counts_of(struct rb_ring *r);
/* Requires mutex 1, free_slots RB_SLOTS - used, used_slots used. */
void rb_require_counts(struct rb_ring *r, int used, const char *when);
/* The test's own put and get: never block (they require a slot), never fail. */
void rb_test_put(struct rb_ring *r, const void *msg, size_t len);
size_t rb_test_get(struct rb_ring *r, char buf[RB_MSG_MAX]);

/* ---- threads that call rb_put or rb_get once ---- */

struct rb_worker {
    struct rb_ring *r;
    bool put;
    char msg[RB_MSG_MAX + 1]; /* one more than a slot holds: a message rb_put must refuse */
    size_t len;           /* put: bytes of msg */
    char buf[RB_MSG_MAX];
    size_t cap;           /* get: cap passed to rb_get */
    pthread_t thread;
    atomic_int tid;       /* set by the thread */
    atomic_int done;      /* set once the call has returned */
    long rc;
    int err;
};

void rb_start_put(struct rb_worker *w, struct rb_ring *r, const char *msg);
void rb_start_get(struct rb_worker *w, struct rb_ring *r);
/* Waits up to timeout_ms for the call to return, and joins the thread; false if it did not. */
bool rb_worker_wait(struct rb_worker *w, int timeout_ms);

/* ---- sleeping ---- */

/* A thread or process that should be waiting on a semaphore of a ring. */
struct rb_task {
    pid_t pid, tid;              /* /proc/<pid>/task/<tid> */
    const char *what;            /* for messages: "rb_put on a full ring" */
    struct rb_worker *worker;    /* a thread of the test; NULL for a process */
    const struct rb_ring *ring;  /* the ring, mapped at this address in the task... */
    const char *ring_name;       /* ...or NULL there and found by name in its maps */
};

struct rb_task rb_thread_task(struct rb_worker *w, const char *what);
struct rb_task rb_process_task(pid_t pid, const struct rb_ring *ring, const char *ring_name,
                               const char *what);

/* The names of the semaphores, for which. */
extern const char *const rb_sem_names[3]; /* "mutex", "free_slots", "used_slots" */
enum rb_sem { RB_MUTEX, RB_FREE, RB_USED };

/*
 * Requires the task to fall asleep in the kernel on semaphore which within
 * RB_WAKE_MS. end_hint explains a call that returned (or a process that
 * ended) instead.
 */
void rb_require_asleep(const struct rb_task *t, enum rb_sem which, const char *end_hint);
/* And then to stay asleep there over 200 ms: almost no CPU, no wake-ups. */
void rb_require_stays_asleep(const struct rb_task *t, enum rb_sem which);
/* What the task is doing now, for messages: "asleep on free_slots", "running", ... */
const char *rb_task_state(const struct rb_task *t);
/* The semaphore of the ring the task is asleep on (enum rb_sem), or -1. */
int rb_task_sem(const struct rb_task *t);
/*
 * Whether the task sleeps on a semaphore of the ring at every look for ms
 * (returns false as soon as it does not). A sem_post wakes a sleeper before
 * it returns: a woken task is runnable, shown as running even while it
 * waits for a CPU. So a task still asleep on a semaphore that was posted,
 * or one with nobody left to post it, is stuck, however loaded the
 * machine: ms only guards against one unlucky look.
 */
#define RB_STUCK_LOOK_MS 300
bool rb_task_stays_asleep(const struct rb_task *t, int ms);
/* Maps the object name shared, the test's own view of it (never the student's mapping). */
struct rb_ring *rb_map_object(const char *name);

/* A child that sem_waits on s itself (the test's code, not the student's) and ends: 0 once through. */
pid_t rb_fork_sem_waiter(sem_t *s);

/* ---- the lab's program, running beside the test ---- */

struct rb_prog {
    pid_t pid;
    FILE *out, *err;
    char cmd[160];
    const char *ring;     /* the ring it was given (args[2]), for messages */
    bool reaped;
    int status;
};
/* Starts `args` with stdin holding input; it inherits no descriptor but 0, 1 and 2. */
void rb_prog_start(struct rb_prog *p, const char *const args[], const char *input);
/* Waits up to timeout_ms for it; false if it is still running. */
bool rb_prog_wait(struct rb_prog *p, int timeout_ms);
/*
 * Waits for every program, all of them on the ring name, to end with
 * status 0. Programs that hang are reported, once the ring has not moved
 * for RB_STUCK_MS, with what each waits on and the likeliest cause read
 * from the ring's counts.
 */
void rb_progs_finish(struct rb_prog *progs, int n, const char *name, const char *hint);
/* Requires what it printed to be exactly want. */
void rb_prog_require_out(struct rb_prog *p, const char *want, const char *hint);
void rb_prog_kill(struct rb_prog *p);
/* Runs `args` to its end (RB_WAKE_MS at most): exit status and stdout (unless NULL) as given. */
void rb_require_run(const char *const args[], const char *input, int status, const char *out,
                    const char *hint);

/*
 * Producers and consumers as unrelated processes: each `ring put NAME` and
 * `ring get NAME N` exec'd on its own, sharing only the ring's name. Every
 * message must come out exactly once, each producer's in its order, and
 * the ring must end empty. varied: lengths from 0 to RB_MSG_MAX.
 */
struct rb_traffic {
    int producers, consumers;
    long per_producer;
    bool varied;
};
void rb_require_traffic(const struct rb_traffic *t);

/* Text of a status for messages, with stderr appended when there was some. */
const char *rb_prog_ending(struct rb_prog *p);

#endif
