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

/* Whether nr is a sleep for a fixed time: what a parent that "gives the child time" sleeps in. */
static bool inc_is_timed_sleep(long nr)
{
    return nr == SYS_nanosleep || nr == SYS_clock_nanosleep;
}

/*
 * Says go once the caller is seen waiting for its child: asleep in
 * waitpid (wait4, waitid); or a tenth of a second asleep in any other call
 * but a fixed sleep (sigsuspend or sigwaitinfo for SIGCHLD, say); or
 * polling (many short sleeps: WNOHANG in a loop, which the contract
 * allows); or busy for a fifth of a second; or ended. At the latest after
 * 8 s: a parent asleep in one sleep that long is slow, and is let be.
 */
static void inc_go_when_parent_waits(pid_t caller, int go)
{
    long cpu_at_start = sg_task_cpu_ticks(caller, 0), fifth = sysconf(_SC_CLK_TCK) / 5;
    long sleeps_at_start = sg_task_sleeps(caller, 0);
    int asleep_elsewhere = 0;
    for (double end = sg_deadline_in_ms(8000); sg_before(end); sg_nap_ms(INC_LOOK_MS)) {
        if (sg_process_ended(caller))
            break;
        long nr = sg_task_syscall(caller, 0, NULL);
        if (sg_task_in_wait(caller, 0))
            break;
        asleep_elsewhere = nr >= 0 && !inc_is_timed_sleep(nr) ? asleep_elsewhere + 1 : 0;
        if (asleep_elsewhere * INC_LOOK_MS > 100)
            break;
        if (sleeps_at_start >= 0 && sg_task_sleeps(caller, 0) - sleeps_at_start > 100)
            break;
        if (cpu_at_start >= 0 && sg_task_cpu_ticks(caller, 0) - cpu_at_start > fifth)
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
    int go[2];
    SG_SETUP(pipe(go) == 0, "pipe");
    fflush(NULL);
    pid_t caller = fork();
    SG_SETUP(caller != -1, "fork");
    if (caller == 0) {
        close(go[1]);
        inc_go_fd = go[0];
        sg_on_fork_child(inc_child_waits_for_go);
        pid_t me = getpid();
        errno = 0;
        int seen = inc_child_increments(counter, out);
        int err = errno;
        if (getpid() != me)
            SG_REQUIRE_NOT_CHILD("inc_child_increments"); /* a child came back: fails the test */
        pid_t zombie = 0;
        *shared = (struct inc_kerrisk_run){ .returned = true, .seen = seen, .err = err,
                                            .children = sg_children_state(&zombie),
                                            .zombie = zombie };
        _exit(fflush(out) == 0 ? 0 : 2);
    }
    close(go[0]);
    inc_go_when_parent_waits(caller, go[1]);
    close(go[1]);
    int status;
    if (sg_wait_timeout(caller, &status, 10000) != 0) {
        kill(caller, SIGKILL);
        SG_SETUP(sg_wait_timeout(caller, &status, 5000) == 0, "waitpid");
    }
    *r = *shared;
    r->status = status;
    munmap(shared, sizeof *shared);
}
