/*
 * tests.c — lab 03 public tests.
 *
 * The waiting tests read /proc/<pid>/syscall to see a process asleep in
 * sigsuspend, instead of guessing from time (pp_testlib.c).
 */
#include "pingpong.h"
#include "pp_testlib.h"
#include "sg_harness.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the mappings ---- */

SG_TEST(map_devzero_shared)
{
    int fds = sg_count_open_fds();
    errno = 0;
    void *a = pp_map_devzero(100);
    SG_REQUIRE(a != NULL, "the address of the mapping",
               "open(\"/dev/zero\", O_RDWR), then mmap(NULL, size, PROT_READ | PROT_WRITE, "
               "MAP_SHARED, fd, 0), compared with MAP_FAILED",
               "pp_map_devzero(100) returned NULL (errno %s)", strerror(errno));
    pp_require_shared_zeroed(a, 100, "pp_map_devzero");
    int now = sg_count_open_fds();
    SG_REQUIRE(now == fds, "no descriptor left open",
               "close the descriptor once mmap has returned: the mapping keeps /dev/zero "
               "open by itself",
               "pp_map_devzero left %d more descriptor(s) open", now - fds);
}

SG_TEST(map_devzero_failure_closes)
{
    void *ok = pp_map_devzero(100);
    SG_REQUIRE(ok != NULL, "pp_map_devzero(100) to work first",
               "open /dev/zero, mmap it MAP_SHARED, close it", "pp_map_devzero(100) returned NULL");
    int fds = sg_count_open_fds();
    errno = 0;
    void *a = pp_map_devzero(0);
    SG_REQUIRE(a == NULL, "NULL: mmap refuses a length of 0",
               "compare mmap's result with MAP_FAILED and return NULL",
               "pp_map_devzero(0) returned %p", a);
    int now = sg_count_open_fds();
    SG_REQUIRE(now == fds, "no descriptor left open after a failure",
               "close the descriptor on the failure path too",
               "a failed pp_map_devzero left %d more descriptor(s) open", now - fds);
}

SG_TEST(map_anon_shared)
{
    size_t size = 3 * (size_t)sg_page_size() + 1;
    int fds = sg_count_open_fds();
    errno = 0;
    void *a = pp_map_anon(size);
    SG_REQUIRE(a != NULL, "the address of the mapping",
               "mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)",
               "pp_map_anon returned NULL (errno %s)", strerror(errno));
    pp_require_shared_zeroed(a, size, "pp_map_anon");
    SG_REQUIRE(sg_count_open_fds() == fds, "no descriptor opened",
               "MAP_ANONYMOUS needs no file: pass -1", "pp_map_anon left a descriptor open");
}

SG_TEST(unmap)
{
    void *a = pp_map_anon(100);
    SG_REQUIRE(a != NULL, "a mapping", "pp_map_anon must work first", "NULL");
    int rc = pp_unmap(a, 100);
    struct sg_mapping m;
    SG_REQUIRE(rc == 0 && sg_find_mapping(getpid(), a, &m) == 1, "0, and nothing mapped there",
               "munmap(area, size)", "pp_unmap returned %d (%s)", rc, strerror(errno));
}

SG_TEST(update_returns_old_value)
{
    long v = 41;
    long r = pp_update(&v);
    SG_REQUIRE(r == 41 && v == 42, "41 returned, 42 stored",
               "return the value from before the increment: return (*ptr)++;",
               "pp_update returned %ld and left %ld", r, v);
}

/* ---- TELL_WAIT and friends ---- */

SG_TEST(tell_wait_blocks_both_signals)
{
    TELL_WAIT();
    sigset_t now;
    SG_SETUP(sigprocmask(SIG_BLOCK, NULL, &now) == 0, "sigprocmask");
    SG_REQUIRE(sigismember(&now, SIGUSR1) && sigismember(&now, SIGUSR2),
               "SIGUSR1 and SIGUSR2 blocked after TELL_WAIT",
               "block both before fork with sigprocmask(SIG_BLOCK, ...): a signal sent before "
               "the other side waits then stays pending instead of being lost",
               "after TELL_WAIT, SIGUSR1 is %s and SIGUSR2 is %s",
               sigismember(&now, SIGUSR1) ? "blocked" : "not blocked",
               sigismember(&now, SIGUSR2) ? "blocked" : "not blocked");
    int usr[] = { SIGUSR1, SIGUSR2 };
    for (int i = 0; i < 2; i++) {
        struct sigaction sa;
        SG_SETUP(sigaction(usr[i], NULL, &sa) == 0, "sigaction");
        SG_REQUIRE(sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN,
                   "a handler installed for SIGUSR1 and SIGUSR2",
                   "TELL_WAIT installs the handler that sets the flag the WAIT functions test",
                   "%s is %s", strsignal(usr[i]),
                   sa.sa_handler == SIG_DFL ? "left at its default (which kills)" : "ignored");
    }
}

SG_TEST(tell_sends_the_right_signals)
{
    struct pp_waiter c;
    pp_start_catcher(&c);
    TELL_CHILD(c.pid);
    SG_SETUP(pp_wait_stage(&c, 2, 6000), "the catching process");
    SG_REQUIRE(c.sh->signo == SIGUSR1 && c.sh->sender == getpid(), "SIGUSR1 from the caller",
               "TELL_CHILD(pid) is kill(pid, SIGUSR1)",
               "after TELL_CHILD, the process got signal %d (%s) from pid %ld", c.sh->signo,
               c.sh->signo ? strsignal(c.sh->signo) : "none", (long)c.sh->sender);
    pp_finish_waiter(&c, "the catcher");

    pp_start_catcher(&c);
    TELL_PARENT(c.pid);
    SG_SETUP(pp_wait_stage(&c, 2, 6000), "the catching process");
    SG_REQUIRE(c.sh->signo == SIGUSR2 && c.sh->sender == getpid(), "SIGUSR2 from the caller",
               "TELL_PARENT(pid) is kill(pid, SIGUSR2)",
               "after TELL_PARENT, the process got signal %d (%s) from pid %ld", c.sh->signo,
               c.sh->signo ? strsignal(c.sh->signo) : "none", (long)c.sh->sender);
    pp_finish_waiter(&c, "the catcher");
}

SG_TEST(wait_sleeps_until_told)
{
    TELL_WAIT();
    struct pp_waiter w;
    pp_start_waiter(PP_WAIT_PARENT, false, 1, &w);
    pp_require_sleeping(&w, "WAIT_PARENT", 1);
    SG_REQUIRE(w.sh->stage == 1, "WAIT_PARENT still waiting", "nothing was sent yet",
               "WAIT_PARENT returned before TELL_CHILD");
    TELL_CHILD(w.pid);
    SG_REQUIRE(pp_wait_stage(&w, 2, 5000), "WAIT_PARENT to return after TELL_CHILD",
               "the handler sets the flag; the loop around sigsuspend ends when it is set",
               "WAIT_PARENT had not returned 5 s after TELL_CHILD");
    pp_finish_waiter(&w, "WAIT_PARENT");
}

SG_TEST(early_tell_is_not_lost)
{
    /* The signal is sent before the other process starts to wait: with the
     * signals blocked since TELL_WAIT, it stays pending until sigsuspend,
     * and releases exactly one wait. The second wait must sleep until a
     * second TELL. */
    TELL_WAIT();
    struct pp_waiter w;
    pp_start_waiter(PP_WAIT_PARENT, true, 2, &w);
    SG_SETUP(pp_wait_stage(&w, 1, 5000), "start of the waiting process");
    TELL_CHILD(w.pid);
    w.sh->go = 1;
    bool returned = pp_wait_stage(&w, 2, 5000);
    if (!returned)
        pp_finish_waiter(&w, "WAIT_PARENT"); /* reports a death by signal, if that was it */
    SG_REQUIRE(returned, "WAIT_PARENT to return: the signal came before it started waiting",
               "TELL_WAIT blocks the signals, so one sent early stays pending; the wait loop "
               "tests the flag before it sleeps",
               "WAIT_PARENT did not return after an early TELL_CHILD");
    pp_require_sleeping(&w, "the second WAIT_PARENT", 2);
    TELL_CHILD(w.pid);
    SG_REQUIRE(pp_wait_stage(&w, 3, 5000), "the second WAIT_PARENT to return once told",
               "clear the flag after each wait", "the second WAIT_PARENT did not return");
    pp_finish_waiter(&w, "WAIT_PARENT");
}

SG_TEST(wait_keeps_signals_blocked)
{
    TELL_WAIT();
    struct pp_waiter w;
    pp_start_waiter(PP_WAIT_PARENT, false, 1, &w);
    SG_SETUP(pp_wait_stage(&w, 1, 5000), "start of the waiting process");
    TELL_CHILD(w.pid);
    pp_finish_waiter(&w, "WAIT_PARENT");
    SG_REQUIRE(w.sh->usr1_blocked_after && w.sh->usr2_blocked_after,
               "SIGUSR1 and SIGUSR2 still blocked when WAIT_PARENT returns",
               "do not restore the old mask in WAIT_*, as APUE does: used in a loop, a signal "
               "that lands between the flag test and sigsuspend is then lost and both "
               "processes sleep forever. sigsuspend itself puts the blocked mask back",
               "after WAIT_PARENT, SIGUSR1 is %s and SIGUSR2 is %s",
               w.sh->usr1_blocked_after ? "blocked" : "not blocked",
               w.sh->usr2_blocked_after ? "blocked" : "not blocked");
}

/* ---- pp_run ---- */

SG_TEST(run_alternates)
{
    sigset_t before;
    sigemptyset(&before);
    sigaddset(&before, SIGHUP);
    SG_SETUP(sigprocmask(SIG_SETMASK, &before, NULL) == 0, "sigprocmask");
    long *area = pp_test_area(0);
    int rc = pp_run(area, PP_NLOOPS);
    SG_REQUIRE_NOT_CHILD("pp_run");
    SG_REQUIRE_NO_CHILDREN("pp_run");
    SG_REQUIRE(rc == 0 && *area == PP_NLOOPS, "0, with the counter at 1000",
               "the parent updates on even values, the child on odd ones, each waiting for "
               "the other's signal in between",
               "pp_run(area, 1000) returned %d with the counter at %ld", rc, *area);
    pp_require_mask(&before, "after pp_run");
}

SG_TEST(run_checks_values)
{
    long *zero = pp_test_area(0);
    int ok = pp_run(zero, 10);
    SG_REQUIRE(ok == 0 && *zero == 10, "pp_run(area, 10) on a zeroed area to work first",
               "see run_alternates", "it returned %d with the counter at %ld", ok, *zero);
    long *area = pp_test_area(5);
    int rc = pp_run(area, 10);
    SG_REQUIRE_NOT_CHILD("pp_run");
    SG_REQUIRE_NO_CHILDREN("pp_run");
    SG_REQUIRE(rc == -1, "-1: the counter did not start at 0",
               "each side compares what pp_update returns with the value it expects, and the "
               "parent returns -1 on any mismatch (its own or the child's exit status)",
               "pp_run returned %d on a counter that started at 5", rc);
}

/* ---- the program ---- */

SG_TEST(program_devzero)
{
    const char *args[] = { "pingpong", NULL };
    pp_require_program(args, "counter = 1000\n");
}

SG_TEST(program_anon)
{
    const char *args[] = { "pingpong", "--anon", "-n", "11", NULL };
    pp_require_program(args, "counter = 11\n");
}

const struct sg_test sg_public_tests[] = {
    SG_TEST_ENTRY(map_devzero_shared),
    SG_TEST_ENTRY(map_devzero_failure_closes),
    SG_TEST_ENTRY(map_anon_shared),
    SG_TEST_ENTRY(unmap),
    SG_TEST_ENTRY(update_returns_old_value),
    SG_TEST_ENTRY(tell_wait_blocks_both_signals),
    SG_TEST_ENTRY(tell_sends_the_right_signals),
    SG_TEST_ENTRY(wait_sleeps_until_told),
    SG_TEST_ENTRY(early_tell_is_not_lost),
    SG_TEST_ENTRY(wait_keeps_signals_blocked),
    SG_TEST_ENTRY(run_alternates),
    SG_TEST_ENTRY(run_checks_values),
    SG_TEST_ENTRY(program_devzero),
    SG_TEST_ENTRY(program_anon),
    SG_TESTS_END,
};
