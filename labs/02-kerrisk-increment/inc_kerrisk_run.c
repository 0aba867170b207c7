/*
 * inc_kerrisk_run.c — inc_child_increments called in a process of its own,
 * its child held until that process waits for it.
 *
 * Kerrisk's lesson is that the parent reads the counter only once the child
 * has ended. A parent that sleeps "long enough" instead and then reads
 * reads the right value whenever the child was quick, and a fixed nap in
 * the test's child only moved the line: a class review's sleep(1), and
 * usleep(400000), had every point. So the child's increment waits until
 * its parent is seen waiting for it (inc_go_when_parent_waits): a parent
 * that reads before it waits reads the value from before the increment,
 * every time, whatever the load. The parent runs in a process the test
 * forks, since a process cannot watch itself sleep.
 */
#include "inc_testlib.h"
#include "increment.h"
#include "sg_harness.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The read end of the test's "go": open in the caller, and so in its child. */
static int inc_go_fd = -1;

/*
 * The fork hook of the caller's children: wait for the test's go, for at
 * most 10 s, then go on (the test has failed by then, or been stopped).
 * Polled, not read, so that every child the call makes is let go.
 */
static void inc_child_waits_for_go(void)
{
    struct pollfd p = { .fd = inc_go_fd, .events = POLLIN };
    for (double end = sg_deadline_in_ms(10000); sg_before(end);) {
        int n = poll(&p, 1, 100);
        if (n == 1 || (n == -1 && errno != EINTR))
            return;
    }
}

/*
 * Whether nr (first argument arg0) is a sleep for a fixed time: what a
 * parent that "gives the child time" sleeps in. A select or poll on no
 * descriptor sleeps so too, and so does a sigtimedwait (an attacker's
 * review and a class review: select, poll, pselect and sigtimedwait
 * before the read had every point). A parent that waits for SIGCHLD with
 * sigtimedwait is correct, and slow here: its child is let go when it
 * calls waitpid after the wait timed out.
 */
static bool inc_is_timed_sleep(long nr, unsigned long arg0)
{
    if (nr == SYS_nanosleep || nr == SYS_clock_nanosleep || nr == SYS_rt_sigtimedwait)
        return true;
#ifdef SYS_select
    if (nr == SYS_select && arg0 == 0)
        return true;
#endif
#ifdef SYS_poll
    if (nr == SYS_poll && arg0 == 0)
        return true;
#endif
    return (nr == SYS_pselect6 && arg0 == 0) || (nr == SYS_ppoll && arg0 == 0);
}

/*
 * In shared memory, the caller's calls of a wait for a child
 * (sg_watch_waits): a wait that sleeps counts 2, a try with WNOHANG 1.
 * One try is not a wait: a parent that tried once, slept a second and read
 * the counter read it before the child had ended; one that tries again is
 * polling, which the contract allows.
 */
static volatile int *inc_waited;

static void inc_note_wait(int options)
{
    *inc_waited += (options & WNOHANG) ? 1 : 2;
}

/*
 * Says go once the caller waits for its child: it called waitpid or
 * another of the family, or tried twice with WNOHANG (a parent that polls,
 * which the contract allows), seen by the harness's wrappers; or it is seen asleep
 * in wait4 or waitid (a wait made around the wrappers); or a tenth of a
 * second asleep in any other call but a fixed sleep (sigsuspend or
 * sigwaitinfo for SIGCHLD, say; a poll on a pidfd or a signalfd); or it
 * ended. At the latest after 5 s, so that a correct parent seen in none
 * of those ways still finishes in the test's time (a parent that spins
 * on the counter instead then reads its change, after 5 s of CPU it is
 * not given). Nothing else lets go: a nap, however it is taken, or a
 * busy loop, is no wait.
 */
static void inc_go_when_parent_waits(pid_t caller, int go, volatile const int *waited)
{
    int asleep_elsewhere = 0;
    for (double end = sg_deadline_in_ms(5000); sg_before(end); sg_nap_ms(INC_LOOK_MS)) {
        if (*waited >= 2 || sg_process_ended(caller) || sg_task_in_wait(caller, 0))
            break;
        unsigned long arg0 = 0;
        long nr = sg_task_syscall(caller, 0, &arg0);
        asleep_elsewhere = nr >= 0 && !inc_is_timed_sleep(nr, arg0) ? asleep_elsewhere + 1 : 0;
        if (asleep_elsewhere * INC_LOOK_MS > 100)
            break;
    }
    SG_SETUP(write(go, "g", 1) == 1, "write to the pipe");
}

void inc_run_child_increments(int *counter, FILE *out, struct inc_kerrisk_run *r)
{
    struct inc_kerrisk_run *shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE,
                                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(shared != MAP_FAILED, "mmap");
    *shared = (struct inc_kerrisk_run){ .returned = false };
    volatile int *waited = mmap(NULL, sizeof *waited, PROT_READ | PROT_WRITE,
                                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(waited != MAP_FAILED, "mmap");
    *waited = 0;
    int go[2];
    SG_SETUP(pipe(go) == 0, "pipe");
    fflush(NULL);
    pid_t caller = fork();
    SG_SETUP(caller != -1, "fork");
    if (caller == 0) {
        close(go[1]);
        inc_go_fd = go[0];
        sg_on_fork_child(inc_child_waits_for_go);
        inc_waited = waited;
        sg_watch_waits(inc_note_wait);
        pid_t me = getpid();
        errno = 0;
        int seen = inc_child_increments(counter, out);
        int err = errno;
        sg_watch_waits(NULL);
        if (getpid() != me)
            SG_REQUIRE_NOT_CHILD("inc_child_increments"); /* a child came back: fails the test */
        pid_t zombie = 0;
        *shared = (struct inc_kerrisk_run){ .returned = true, .seen = seen, .err = err,
                                            .children = sg_children_state(&zombie),
                                            .zombie = zombie };
        _exit(fflush(out) == 0 ? 0 : 2);
    }
    close(go[0]);
    inc_go_when_parent_waits(caller, go[1], waited);
    close(go[1]);
    int status;
    if (sg_wait_timeout(caller, &status, 10000) != 0) {
        kill(caller, SIGKILL);
        SG_SETUP(sg_wait_timeout(caller, &status, 5000) == 0, "waitpid");
    }
    *r = *shared;
    r->status = status;
    munmap(shared, sizeof *shared);
    munmap((void *)waited, sizeof *waited);
}
