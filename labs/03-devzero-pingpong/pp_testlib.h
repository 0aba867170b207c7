/*
 * pp_testlib.h — what lab 03's tests use to watch a process wait.
 *
 * Whether WAIT_PARENT sleeps is read from the kernel, not guessed from
 * time: /proc/<pid>/syscall names the system call a process is blocked in
 * (rt_sigsuspend for a correct wait), /proc/<pid>/stat counts the CPU
 * time it used while waiting, and /proc/<pid>/status shows its signal
 * masks (SigBlk: blocked, SigPnd and ShdPnd: pending, SigCgt: caught), so
 * that a wait that never ends can be explained: a signal blocked in the
 * mask it sleeps with, a handler that never ran, a wake-up that was lost.
 *
 * pp_run itself runs in a process of the test's, watched from outside:
 * when both sides sleep with no signal on its way to either, nobody will
 * ever wake them, and the test says who waits for what instead of waiting
 * for its timeout.
 */
#ifndef PP_TESTLIB_H
#define PP_TESTLIB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sg_stub.h"

/* area..area+size, rounded up to pages, is one shared, zero-filled, rw mapping. */
void pp_require_shared_zeroed(const void *area, size_t size, const char *call);

/* One long of shared memory the test maps itself. */
long *pp_test_area(long value);

struct pp_shared {              /* shared between the test and its waiting child */
    volatile int stage;         /* 1: about to wait; 1 + k: k waits have returned */
    volatile int go;            /* set by the test to let the child start waiting */
    volatile int usr1_blocked_after, usr2_blocked_after;
    volatile int signo;         /* for the catcher: the signal received */
    volatile pid_t sender;      /* and who sent it */
};

enum pp_side { PP_WAIT_PARENT, PP_WAIT_CHILD };

struct pp_waiter {
    pid_t pid;
    struct pp_shared *sh;
};

/*
 * Forks a process that calls WAIT_PARENT or WAIT_CHILD (after the test's
 * TELL_WAIT) rounds times, records its signal mask and ends. With hold, it
 * first waits until the test sets go, so that a TELL can be sent before it
 * waits.
 */
void pp_start_waiter(enum pp_side side, bool hold, int rounds, struct pp_waiter *w);

/* Waits until the waiter's stage reaches stage; false after timeout_ms. */
bool pp_wait_stage(const struct pp_waiter *w, int stage, int timeout_ms);

/*
 * Requires the waiter, at stage (1 + the waits it has finished), to be
 * asleep in sigsuspend within 5 s and to use almost no CPU over the next
 * 200 ms; its wait may not return meanwhile.
 */
void pp_require_sleeping(const struct pp_waiter *w, const char *wait_name, int stage);

/*
 * Requires the waiter's wait at stage not to return, nor the process to
 * end, for 300 ms, or until it is seen asleep in sigsuspend: for tests
 * whose rule is that a wait lasts until its TELL, not where it sleeps
 * (wait_sleeps_until_told's; a wait in sigwait lost both before).
 */
void pp_require_still_waiting(const struct pp_waiter *w, const char *wait_name, int stage);

/*
 * Requires signo, which the test blocked before TELL_WAIT, to stay blocked
 * in the waiter's wait at stage: sampled from /proc/<pid>/status until the
 * waiter is seen asleep in sigsuspend (whose mask SigBlk then shows), for
 * at most 10 s, or a fifth of a second of its CPU time (a wait that spins).
 * Where it sleeps is other tests' rule, not this one's.
 */
void pp_require_kept_blocked(const struct pp_waiter *w, const char *wait_name, int signo,
                             int stage);

/*
 * Requires the waiter, at stage, to be seen asleep (state S) while nothing
 * is sent, before it has used a fifth of a second of CPU time (or 10 s
 * have passed): a wait that spins never is. Where it sleeps is
 * other tests' rule.
 */
void pp_require_not_spinning(const struct pp_waiter *w, const char *wait_name, int stage);

/*
 * Requires the waiter to reach stage within 5 s of being told with signo;
 * if it does not, the message says why, from its /proc state.
 */
void pp_require_woken(const struct pp_waiter *w, const char *wait_name, int signo, int stage);

/* Kills and reaps the waiter, for a test whose rule is not how the wait ends. */
void pp_end_waiter(struct pp_waiter *w);

/* Reaps the waiter; fails the test unless it ended with status 0. */
void pp_finish_waiter(struct pp_waiter *w, const char *wait_name, int signo);

/* A process that waits for SIGUSR1 or SIGUSR2 and records which came, and from whom. */
void pp_start_catcher(struct pp_waiter *w);

/* The pingpong program, with args, exits 0 and prints exactly want. */
void pp_require_program(const char *const args[], const char *want);

/* Requires the mask to hold exactly the signals of want (and nothing else up to SIGRTMAX). */
void pp_require_mask(const sigset_t *now, const sigset_t *want, const char *when);

/* What pp_run did in the process of the test's that called it. */
struct pp_run_result {
    int rc;                 /* what pp_run returned */
    int err;                /* errno after it */
    long area;              /* *area after it */
    sigset_t mask;          /* the caller's mask after it */
    bool child_went_first;  /* the child made the update that returned 0 (PP_WATCH_FIRST_TURN) */
    int tells;              /* signals seen sent before the last turn (PP_WATCH_TELLS) */
    int alarms;             /* the caller's own handler's runs (PP_WATCH_INTERRUPTED) */
    int alarm_blocked;      /* waits whose sigsuspend mask blocked SIGALRM (same) */
};

enum pp_watch {
    PP_WATCH_RUN,           /* the run alone */
    PP_WATCH_FIRST_TURN,    /* also who makes the first update: the child is held at fork
                             * until the parent sleeps; then, if nothing is updated yet,
                             * the parent is stopped and the child let go */
    PP_WATCH_TELLS,         /* also the mask of the side that sends each SIGUSR1 or SIGUSR2:
                             * fails the test, before any other diagnosis, when one was sent
                             * with the two not both blocked, or when pp_run forked
                             * with them not both blocked (TELL_WAIT comes first) */
    PP_WATCH_INTERRUPTED,   /* the caller handles SIGALRM, and a timer in each process
                             * sends it every 200 us during the turns (pp_interrupt.c) */
    PP_WATCH_TWICE,         /* pp_run twice in one process; the second run's outcome */
};

/* What a run of those two kinds that went wrong most likely says. */
#define PP_INTERRUPTED_HINT                                                                     \
    "here the caller's program handles a signal of its own (SIGALRM), which came often during " \
    "the turns: sigsuspend returns after any handler has run, not only after the wait's own "   \
    "signal. Does your WAIT test its flag again when it wakes, and sleep again while it is "    \
    "not set? Handout: how to wait"
#define PP_TWICE_HINT                                                                           \
    "here pp_run ran twice in one process: the first run returned 0, and the second did not "  \
    "work. What does the first run leave behind for the second: a flag still set, a signal "   \
    "still pending? Does each run start from a clean state?"

/*
 * A SIGALRM handler of the caller's (SA_RESTART) that counts into *count,
 * run every 200 us by an interval timer here and, once pp_run forks, in
 * the child; each sigsuspend whose mask blocks SIGALRM counts into
 * *blocked_waits. 0, or -1 with errno.
 */
int pp_interrupt_start(volatile int *count, volatile int *blocked_waits);
/* Stops this process's timer (the handler stays). 0, or -1 with errno. */
int pp_interrupt_stop(void);

/*
 * Runs pp_run(area, nloops) in a process of the test's, with mask as its
 * signal mask when mask is not NULL, and watches it: fails the test, with
 * a diagnosis, when both sides sleep for ever, when the call does not
 * finish, when a child comes back from pp_run or is left behind, or when
 * the calling process ends inside it.
 */
void pp_run_watched(long *area, long nloops, const sigset_t *mask, enum pp_watch watch,
                    struct pp_run_result *r);

/* pp_run_watched, then pp_run must return 0 with the counter at nloops. */
void pp_require_run(long nloops, long *area, struct pp_run_result *r);

/*
 * Counts the processes other than the test's own that run the test's
 * atexit handlers: a child that ended with exit() instead of _exit().
 */
void pp_watch_exit_handlers(void);
int pp_exit_handlers_run(void);

/* The hint for a call that still has the skeleton's body. */
#define PP_NOT_WRITTEN(fn) SG_NOT_WRITTEN(fn)

#endif
