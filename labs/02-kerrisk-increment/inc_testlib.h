/*
 * inc_testlib.h — what lab 02's tests use to watch locks from outside.
 *
 * fcntl locks belong to processes, so a test cannot contend with itself:
 * another process holds the lock (inc_hold), and the student's call runs
 * in a third one (inc_start_call) that records its outcome in shared
 * memory. Whether that call is waiting for the lock is read from
 * /proc/locks, where the kernel lists every blocked request ("->") with
 * its pid, type and byte range. So the tests know, without guessing from
 * time, that a call is blocked, and on what.
 */
#ifndef INC_TESTLIB_H
#define INC_TESTLIB_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "sg_harness.h"
#include "sg_stub.h"

/*
 * Between two looks at /proc (locks, a process's state) while a test waits
 * for something to happen: each look costs CPU that counts against the
 * test's budget, and /proc/locks lists every lock of the machine. Looked
 * at every millisecond for 5 s, a wait for what never came used up the
 * 0.5 s CPU floor under load, and the test said "used more CPU" instead of
 * what was missing (the kit's own tests, loaded).
 */
#define INC_LOOK_MS 5

/* A lock file in a fresh private folder, opened by the test itself. */
struct inc_lockfile {
    char path[4096];
    int fd;
};
void inc_lockfile_create(struct inc_lockfile *lf);

/* One int of shared memory the test maps itself, set to value. */
int *inc_test_counter(int value);

/* Another process that holds a lock on [start, start + len) of path until released. */
struct inc_holder {
    pid_t pid;
    int release_fd;
};
void inc_hold(const char *path, short type, off_t start, off_t len, struct inc_holder *h);
void inc_release(struct inc_holder *h);

/*
 * 0 if another process could take a lock of this type on byte 0 at once
 * (F_SETLK), else the errno it got (EAGAIN or EACCES while someone holds it).
 */
int inc_probe_lock(const char *path, short type);

enum inc_op { INC_OP_INCREMENT, INC_OP_READ };

struct inc_outcome {        /* in shared memory, written by the calling process */
    volatile int done;
    volatile int signals;   /* SIGUSR1 deliveries seen by the handler */
    int rc, err, value;
    int unlocks;            /* F_UNLCK requests seen through fcntl or lockf (sg_locks.c) */
    int counter_at_unlock;  /* the counter when the last of them was made */
    volatile int last_cmd;  /* the fcntl command of the last lock request seen, 0 if none */
    bool last_elsewhere;    /* that request, unless a release, named bytes without byte 0 */
    long last_start, last_len; /* its l_start and l_len then (from SEEK_SET) */
    int held_after;         /* the process still held a lock on the file once the call returned */
};

/* A file as /proc/locks names it: its file system's device, and its inode. */
struct inc_file_id {
    bool known;             /* false: the descriptor was not open */
    unsigned major, minor;
    unsigned long ino;
};
void inc_file_id_of(int fd, struct inc_file_id *id);

struct inc_call {
    enum inc_op op;
    pid_t pid;
    struct inc_outcome *out;
    struct inc_file_id lockfile; /* the lock file the call was given: its waits are looked for there */
};

/*
 * Runs inc_locked_increment(lockfd, counter) or inc_locked_read in a new
 * process. With sigusr1_handler, that process first installs a SIGUSR1
 * handler without SA_RESTART, so a signal interrupts a blocked F_SETLKW.
 */
void inc_start_call(enum inc_op op, int lockfd, int *counter, bool sigusr1_handler,
                    struct inc_call *c);

/* Set before inc_start_call: the counter becomes this as the call asks for a release (0: not changed). */
extern int inc_change_counter_at_unlock;
#define INC_CHANGED_AT_UNLOCK 4242

struct inc_waiter {
    char type[8];           /* "READ" or "WRITE" */
    char range[48];         /* "0 0" is byte 0 alone; "0 EOF" is the whole file */
};

enum inc_state { INC_DONE, INC_BLOCKED, INC_STUCK };

/* What a call did, in words for a message: "waited for a WRITE lock on bytes 0 EOF". */
void inc_describe(enum inc_state st, const struct inc_waiter *w, char *text, size_t cap);
/*
 * Waits until the call has returned (DONE) or is listed in /proc/locks as
 * waiting for a lock (BLOCKED, *w filled), for at most timeout_ms (STUCK).
 */
enum inc_state inc_wait_done_or_blocked(const struct inc_call *c, int timeout_ms,
                                        struct inc_waiter *w);

/* Waits for the calling process to end; fails the test if it did not return normally. */
void inc_finish_call(struct inc_call *c);

/* The call's name, for messages: "inc_locked_increment" or "inc_locked_read". */
const char *inc_op_name(enum inc_op op);

/*
 * With another process holding a write lock, starts op in a process with a
 * SIGUSR1 handler, waits until it is blocked, interrupts the wait with
 * SIGUSR1, and requires the call to wait again (not to fail with EINTR nor
 * to go on without the lock); then lets go and returns the finished call.
 */
void inc_require_retry_after_signal(enum inc_op op, int initial, struct inc_call *call,
                                    int **counter);

/* The increment program, with args, exits 0 and prints exactly want; out_hint if it does not. */
void inc_require_program(const char *const args[], const char *want, const char *out_hint);

/* A descriptor number that is not open, above those a call is likely to open itself. */
int inc_closed_fd(void);

/*
 * The lock file, open for reading only: an open descriptor, on which every
 * write lock fails (EBADF). Workers given it are forked and fail each for
 * itself, whether or not the call checks the descriptor first (a closed
 * one failed a call that, reasonably, said EBADF before forking).
 */
int inc_read_only_lock_fd(void);

/* Fails the test if the calling process has a child left, running or a zombie. */
void inc_require_no_children(const char *call);

/*
 * Waits (within the test's time) for every child the call left, running or
 * ended: for the tests of how processes end, whose concern is not whether
 * the call waited (others grade that), so that one missing wait is not
 * charged to them too (a class review).
 */
void inc_reap_left_children(void);

/*
 * Requires the call (fn, which returned rc) to have made at least want
 * children since sg_forks_made() was before: for the tests of how children
 * end, which code that forks none would pass without doing anything.
 */
void inc_require_forked(int before, int want, const char *fn, int rc);

/*
 * Counts the processes other than the test's own that run the test's
 * atexit handlers: a child that ended with exit() instead of _exit().
 * Call inc_watch_exit_handlers before the call, then read the count.
 */
void inc_watch_exit_handlers(void);
int inc_exit_handlers_run(void);

/*
 * A fork hook (sg_on_fork_child) for the tests of inc_child_increments: a
 * nap first thing in the child, so that its increment comes well after
 * fork returned in the parent. A parent that reads the counter before it
 * waits then reads it unchanged every time, not only when the scheduler
 * runs it first (a student reviewer's such answer scored 51 to 55 of 60,
 * run after run).
 */
void inc_child_naps(void);

/* What inc_child_increments did in a process of its own (inc_run_child_increments). */
struct inc_kerrisk_run {
    bool returned;              /* it returned, in the process that called it */
    int seen, err;              /* what it returned, and errno then */
    enum sg_children children;  /* that process's children once it had returned */
    pid_t zombie;               /* for SG_CHILD_ZOMBIE: which */
    int status;                 /* how that process ended (waitpid's status) */
};

/*
 * Calls inc_child_increments(counter, out) in a process of its own, whose
 * children hold their first step until it is seen waiting for them (or
 * polling, busy, or at the latest 8 s): a parent that reads the counter
 * before it waits reads it unchanged, every time (inc_kerrisk_run.c).
 */
void inc_run_child_increments(int *counter, FILE *out, struct inc_kerrisk_run *r);

/* Fails the test if a call left children (st, as sg_children_state said; zombie: which). */
void inc_require_children_gone(enum sg_children st, pid_t zombie, const char *call);

/*
 * Waiting requests for a lock of type ("WRITE", "READ") on the file id
 * names (inc_file_id_of), by processes this test can see.
 */
int inc_count_waiters(const struct inc_file_id *id, const char *type);

/* The hint for a call that still sets the skeleton's ENOSYS. */
#define INC_NOT_WRITTEN(fn) SG_NOT_WRITTEN(fn)


/*
 * For a finished call that returned 0: requires that the grader saw its
 * release (through fcntl or lockf), or that its lock is still held (not
 * this test's concern: locks_are_released's). A lock let go some other way
 * (a descriptor of the file closed, a raw system call) cannot be placed
 * before or after the access, so the test that needs it says why it
 * cannot grade the call.
 */
void inc_require_release_seen(const struct inc_call *c);

/* Requires the call to be blocked on a request for byte 0 alone, of type want ("WRITE"/"READ"). */
void inc_require_blocked(const struct inc_call *c, const char *holder);

/* Why an open file description lock fails here, and what to think about instead. */
#define INC_OFD_HINT                                                                        \
    "open file description locks belong to the open file, not to a process: every worker " \
    "forked with the same descriptor shares one, and they never exclude each other (the "   \
    "grader's sandbox refuses them). Which fcntl lock belongs to the process that takes "   \
    "it? See man 2 fcntl: Open file description locks"

/*
 * For a call made with nobody else near the lock file (finished): the hint
 * for its failure (ENOSYS, an open file description lock, another error),
 * NULL when it returned 0.
 */
const char *inc_failed_call_hint(const struct inc_call *c);

#endif
