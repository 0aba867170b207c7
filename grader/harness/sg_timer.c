/*
 * sg_timer.c — the judge's timer, whatever the queued signals left.
 *
 * Check times each test in the judge with a POSIX timer (timer_create with
 * no sigevent: SIGALRM when it expires). Every such timer holds a queued
 * signal from its creation, and queued signals are counted per user in
 * every user namespace up to the first, where all sandboxes of a grader
 * share one count. A test that took them all (timers, and the signals
 * kill() queues past any limit) left the judges of other tests (a
 * classmate's, graded at the same time) no timer: Check gave up, and
 * those tests were "not graded".
 *
 * So when the judge's timer_create is refused for want of queued signals
 * (EAGAIN), it gets an ITIMER_REAL instead: the same SIGALRM, from a timer
 * the kernel keeps per process and whose signal it never refuses. The
 * test program is linked with --wrap=timer_create, timer_settime and
 * timer_delete (sg_build.c); any other caller, and any other timer, goes
 * straight to the C library.
 *
 * Check also picks its clock by creating a timer and deleting it
 * (check_get_clockid: CLOCK_MONOTONIC when that works, else
 * CLOCK_REALTIME), anew at every call, in the test process too, before
 * and after the test body, which it times. With queued signals gone at
 * one call and back at the other (a classmate's test taking and freeing
 * them), the two readings came from different clocks, the duration
 * overflowed, Check refused to pack it and the test process exited 2,
 * a failure blamed on the student (an attacker's review). On Linux
 * CLOCK_MONOTONIC timers always work: it is the answer, every time.
 */
#include "sg_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Not an id the C library hands out: it marks the judge's ITIMER_REAL. */
#define SG_ITIMER_ID ((timer_t)(intptr_t)-2)

int __real_timer_create(clockid_t clock, struct sigevent *sev, timer_t *timer);
int __real_timer_settime(timer_t timer, int flags, const struct itimerspec *value,
                         struct itimerspec *old);
int __real_timer_delete(timer_t timer);
int __wrap_timer_create(clockid_t clock, struct sigevent *sev, timer_t *timer);
int __wrap_timer_settime(timer_t timer, int flags, const struct itimerspec *value,
                         struct itimerspec *old);
int __wrap_timer_delete(timer_t timer);
clockid_t __wrap_check_get_clockid(void);

clockid_t __wrap_check_get_clockid(void)
{
    return CLOCK_MONOTONIC;
}

int __wrap_timer_create(clockid_t clock, struct sigevent *sev, timer_t *timer)
{
    int rc = __real_timer_create(clock, sev, timer);
    if (!sg_limits_in_judge())
        return rc;
    /* Only Check's kind of timer (SIGALRM, no sigevent) has a stand-in. */
    if (rc == -1 && errno == EAGAIN && sev == NULL && timer != NULL) {
        *timer = SG_ITIMER_ID;
        rc = 0;
    }
    /* The last one counts: Check may try another clock after a failure. */
    sg_limits_judge_timer(rc == -1);
    return rc;
}

/* A one-shot ITIMER_REAL for value (relative; Check sets no interval). */
static int sg_itimer_set(const struct itimerspec *value, struct itimerspec *old)
{
    struct itimerval it = { { 0, 0 }, { 0, 0 } };
    if (value != NULL) {
        it.it_value.tv_sec = value->it_value.tv_sec;
        it.it_value.tv_usec = (suseconds_t)((value->it_value.tv_nsec + 999) / 1000);
        if (it.it_value.tv_usec >= 1000000) {
            it.it_value.tv_sec++;
            it.it_value.tv_usec -= 1000000;
        }
    }
    struct itimerval before;
    if (setitimer(ITIMER_REAL, &it, &before) == -1)
        return -1;
    if (old != NULL) {
        old->it_interval = (struct timespec){ 0, 0 };
        old->it_value = (struct timespec){ before.it_value.tv_sec,
                                           (long)before.it_value.tv_usec * 1000 };
    }
    return 0;
}

int __wrap_timer_settime(timer_t timer, int flags, const struct itimerspec *value,
                         struct itimerspec *old)
{
    if (timer == SG_ITIMER_ID && sg_limits_in_judge()) {
        if (flags != 0 || value == NULL || value->it_interval.tv_sec != 0 ||
            value->it_interval.tv_nsec != 0) {
            errno = EINVAL; /* not what Check asks for: no stand-in */
            return -1;
        }
        return sg_itimer_set(value, old);
    }
    return __real_timer_settime(timer, flags, value, old);
}

int __wrap_timer_delete(timer_t timer)
{
    if (timer == SG_ITIMER_ID && sg_limits_in_judge())
        return sg_itimer_set(NULL, NULL);
    return __real_timer_delete(timer);
}
