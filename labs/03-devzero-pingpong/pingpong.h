/*
 * pingpong.h — lab 03: parent and child take turns on a shared counter.
 *
 * APUE's figure 15.33: a long in a MAP_SHARED mapping of /dev/zero, which
 * parent and child increment in turn, each waking the other with a signal
 * (APUE 8.9's TELL_WAIT family). Then the same with MAP_ANONYMOUS.
 */
#ifndef PINGPONG_H
#define PINGPONG_H

#include <stddef.h>
#include <sys/types.h>

#define PP_NLOOPS 1000

/*
 * size bytes (rounded up to whole pages by the kernel) of zero-filled
 * memory shared with future children: open("/dev/zero"), mmap MAP_SHARED,
 * and close the descriptor before returning, also on failure. NULL with
 * errno set on failure.
 */
void *pp_map_devzero(size_t size);

/* The same with MAP_ANONYMOUS | MAP_SHARED: no file, fd -1. */
void *pp_map_anon(size_t size);

/* Unmaps what either returned. 0, or -1 with errno set. */
int pp_unmap(void *area, size_t size);

/*
 * APUE 8.9's synchronisation through signals. TELL_WAIT, called before
 * fork, installs the handlers for SIGUSR1 and SIGUSR2 and blocks both
 * (adding them to the caller's mask). TELL_CHILD sends SIGUSR1 to pid,
 * TELL_PARENT sends SIGUSR2, with kill(2). The WAIT functions sleep in sigsuspend, with
 * the mask in force at TELL_WAIT minus the two signals (a signal the
 * caller blocked stays blocked), until the other side's signal has come,
 * and return with both signals still blocked. On a failing system call
 * they print a message on stderr and exit(1), as APUE's do.
 */
void TELL_WAIT(void);
void TELL_PARENT(pid_t pid);
void WAIT_PARENT(void);
void TELL_CHILD(pid_t pid);
void WAIT_CHILD(void);

/* Returns *ptr, then increments it. */
long pp_update(long *ptr);

/*
 * *area must start at 0. Forks; the parent makes the updates that return
 * 0, 2, 4, ... and the child those that return 1, 3, 5, ..., nloops
 * updates in all, taking turns, each side checking the value pp_update
 * returns. The child ends with _exit: status 0 if all its values matched,
 * 1 otherwise. The parent waits for it, restores the caller's signal mask,
 * and returns 0 if both sides matched everywhere, -1 otherwise (also when
 * *area did not start at 0). From TELL_WAIT to the last turn, neither side
 * unblocks SIGUSR1 or SIGUSR2 outside the WAITs' sigsuspend: a signal that
 * came while they were unblocked would be lost (handout: the lost wake-up).
 * A child that sees a wrong value goes on taking its turns to the end.
 */
int pp_run(long *area, long nloops);

#endif
