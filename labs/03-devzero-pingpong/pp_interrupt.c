/*
 * pp_interrupt.c — a signal of the caller's own, handled, arriving all
 * through pp_run: in both processes, every 200 microseconds.
 *
 * sigsuspend returns once any handler has run, not only the wait's own
 * signal's, so a WAIT that does not test its flag again (an if where the
 * loop belongs) returns before its turn whenever the caller's program
 * handles a signal of its own. No other test sends one during the turns,
 * and such a WAIT had every point (a class review). An interval timer is
 * not inherited across fork, so the child starts its own (a fork hook).
 */
#include "pp_testlib.h"
#include "sg_harness.h"

#include <signal.h>
#include <string.h>
#include <sys/time.h>

static volatile int *pp_alarms; /* handler runs, both processes: shared memory */
static volatile int *pp_alarm_blocked; /* sigsuspends that kept SIGALRM out: shared too */

/*
 * Each sigsuspend of either side: the caller left SIGALRM unblocked, so a
 * wait that sleeps with the mask of pingpong.h (the one at TELL_WAIT minus
 * the two signals) lets it in. One that blocks every other signal as it
 * sleeps never sees it, and an if for the loop passed (an attacker's
 * review: 63 of 63).
 */
static void pp_note_wait_mask(const sigset_t *mask)
{
    if (mask != NULL && sigismember(mask, SIGALRM) == 1)
        __atomic_add_fetch(pp_alarm_blocked, 1, __ATOMIC_RELAXED);
}

static void pp_count_alarm(int sig)
{
    (void)sig;
    __atomic_add_fetch(pp_alarms, 1, __ATOMIC_RELAXED);
}

static int pp_set_timer(long usec)
{
    struct itimerval t = { { 0, usec }, { 0, usec } };
    return setitimer(ITIMER_REAL, &t, NULL);
}

/* In pp_run's child, first of all: the parent's timer did not come with it. */
static void pp_interrupt_child(void)
{
    sg_on_fork_child(NULL);
    pp_set_timer(200);
}

int pp_interrupt_start(volatile int *count, volatile int *blocked_waits)
{
    pp_alarms = count;
    pp_alarm_blocked = blocked_waits;
    sg_watch_suspends(pp_note_wait_mask);
    /* Restarted where a system call can be: only the waits are to see it. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = pp_count_alarm;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) == -1 || pp_set_timer(200) == -1)
        return -1;
    sg_on_fork_child(pp_interrupt_child);
    return 0;
}

int pp_interrupt_stop(void)
{
    sg_on_fork_child(NULL);
    sg_watch_suspends(NULL);
    return pp_set_timer(0);
}
