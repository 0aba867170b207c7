/*
 * hidden/tests.c — lab 03 hidden tests: the instructor's, not in the student kit.
 */
#include "pingpong.h"
#include "pp_testlib.h"
#include "sg_harness.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

SG_TEST(run_odd_count)
{
    struct pp_run_result r;
    pp_require_run(999, pp_test_area(0), &r);
}

SG_TEST(run_many)
{
    struct pp_run_result r;
    pp_require_run(20000, pp_test_area(0), &r);
}

SG_TEST(run_no_loops)
{
    struct pp_run_result r;
    pp_require_run(0, pp_test_area(0), &r);
}

SG_TEST(run_on_own_mappings)
{
    long *a = pp_map_devzero(sizeof *a);
    SG_REQUIRE(a != NULL, "a mapping", "pp_map_devzero must work: see its tests", "NULL");
    struct pp_run_result r;
    pp_require_run(1001, a, &r);
    long *b = pp_map_anon(sizeof *b);
    SG_REQUIRE(b != NULL, "a mapping", "pp_map_anon must work: see its tests", "NULL");
    pp_require_run(1000, b, &r);
}

SG_TEST(wait_child_sleeps_until_told)
{
    TELL_WAIT();
    struct pp_waiter w;
    pp_start_waiter(PP_WAIT_CHILD, false, 1, &w);
    pp_require_sleeping(&w, "WAIT_CHILD", 1);
    TELL_PARENT(w.pid);
    pp_require_woken(&w, "WAIT_CHILD", SIGUSR2, 2);
    pp_finish_waiter(&w, "WAIT_CHILD", SIGUSR2);
    SG_REQUIRE(w.sh->usr1_blocked_after && w.sh->usr2_blocked_after,
               "both signals still blocked after WAIT_CHILD",
               "sigsuspend puts back the mask it replaced. What else changes the mask when "
               "your wait ends?",
               "after WAIT_CHILD a signal was unblocked");
}

SG_TEST(map_anon_large)
{
    size_t size = (1u << 20) + 1;
    void *a = pp_map_anon(size);
    SG_REQUIRE(a != NULL, "a mapping", "mmap takes any length, and rounds it up to pages",
               "pp_map_anon(1 MiB + 1) returned NULL");
    pp_require_shared_zeroed(a, size, "pp_map_anon");
}

SG_TEST(tell_failure_exits)
{
    /* kill fails (ESRCH) for a pid that no process has: APUE's TELL
     * functions print a message and exit(1). In a child, with its stderr
     * in a file. */
    const struct { const char *name; int parent; } calls[] = { { "TELL_CHILD", 0 },
                                                               { "TELL_PARENT", 1 } };
    for (int i = 0; i < 2; i++) {
        FILE *err = tmpfile();
        SG_SETUP(err != NULL, "tmpfile");
        fflush(NULL);
        pid_t pid = fork();
        SG_SETUP(pid != -1, "fork");
        if (pid == 0) {
            if (dup2(fileno(err), STDERR_FILENO) == -1)
                _exit(99);
            if (calls[i].parent)
                TELL_PARENT(INT_MAX);
            else
                TELL_CHILD(INT_MAX);
            _exit(0);
        }
        int status;
        int rc = sg_wait_timeout(pid, &status, 5000);
        if (rc == 1)
            kill(pid, SIGKILL);
        SG_SETUP(rc == 0, "waitpid");
        size_t len;
        char *text = sg_file_contents(err, &len);
        SG_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 1 && len > 0,
                   "a message on stderr, and exit status 1",
                   "kill failed (no such process), and pingpong.h says what the TELL functions "
                   "do then, as APUE's do. Does yours look at what kill returned?",
                   "%s(a pid no process has) ended with %s and wrote %s on stderr",
                   calls[i].name, sg_status_text(status), sg_q(text, len));
        free(text);
        fclose(err);
    }
}

SG_TEST(program_anon_odd)
{
    const char *args[] = { "pingpong", "--anon", "-n", "5001", NULL };
    pp_require_program(args, "counter = 5001\n");
}

/* pp_run's -1 before the parent's first update: nothing was compared yet. */
#define PP_GAVE_UP_EARLY                                                                       \
    "pp_run returned -1 before the parent made its first update, so no value was compared "   \
    "yet. Which call failed? Its errno is above"

SG_TEST(run_child_mismatch_fails)
{
    /* Private memory that fork hands over zero-filled (MADV_WIPEONFORK):
     * with 2 loops the parent's one update returns 0, as it should, while
     * the child's returns 0 where it expects 1. Only the child sees the
     * mismatch, and only its exit status can tell the parent. */
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    long *area = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(area != MAP_FAILED, "mmap");
    SG_SETUP(madvise(area, page, MADV_WIPEONFORK) == 0, "madvise(MADV_WIPEONFORK)");
    struct pp_run_result r;
    pp_run_watched(area, 2, NULL, PP_WATCH_RUN, &r);
    /* -1 after the parent's own update (its copy counts 1): a stub's -1 sees nothing. */
    SG_REQUIRE(r.rc == -1 && r.area >= 1, "-1: the child's update returned 0 where it expected 1",
               r.rc == -1 && r.err == ENOSYS ? PP_NOT_WRITTEN("pp_run")
               : r.rc == -1 ? PP_GAVE_UP_EARLY
                   : "here only the child could see a mismatch: its pp_update returned 0, not "
                     "1, while the parent's values all matched. Does your child compare what "
                     "pp_update returns with what it expects, and does the parent learn of it "
                     "from the child's exit status? See man 2 waitpid",
               "pp_run(area, 2) returned %d (errno %s), the parent's copy of the counter at %ld, "
               "although the child's update returned 0 instead of 1",
               r.rc, strerror(r.err), r.area);
    munmap(area, page);
}

SG_TEST(run_with_its_signals_already_blocked)
{
    /* A caller that blocks SIGUSR1 and SIGUSR2 itself: the waits must
     * still unblock them while they sleep, and pp_run must hand back the
     * caller's mask as it was, those two still blocked (a review as a
     * class: restoring with SIG_UNBLOCK, or sleeping with the caller's own
     * mask, passed every other test). */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGUSR2);
    sigaddset(&mask, SIGHUP);
    long *area = pp_test_area(0);
    struct pp_run_result r;
    pp_run_watched(area, 10, &mask, PP_WATCH_RUN, &r);
    SG_REQUIRE(r.rc == 0 && r.area == 10, "0, with the counter at 10",
               r.rc == -1 && r.err == ENOSYS ? PP_NOT_WRITTEN("pp_run")
                                             : "here the caller had SIGUSR1 and SIGUSR2 blocked "
                                               "already. Which mask do your waits sleep with, "
                                               "and what is in it?",
               "pp_run(area, 10), called with SIGUSR1 and SIGUSR2 blocked, returned %d with the "
               "counter at %ld",
               r.rc, r.area);
    pp_require_mask(&r.mask, &mask, "after pp_run called with SIGUSR1, SIGUSR2 and SIGHUP blocked");
}

SG_TEST(run_parent_mismatch_still_waits)
{
    /* Private memory: each process counts on its own copy, so the
     * parent's second update returns 1 where it expects 2, while its child
     * still waits for its turn. pp_run returns -1, and (pp_run_watched
     * checks it) leaves no child behind, running or a zombie. */
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    long *area = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(area != MAP_FAILED, "mmap");
    struct pp_run_result r;
    pp_run_watched(area, 4, NULL, PP_WATCH_RUN, &r);
    SG_REQUIRE(r.rc == -1 && r.area >= 1, "-1: the parent's second update returned 1 where it expected 2",
               r.rc == -1 && r.err == ENOSYS ? PP_NOT_WRITTEN("pp_run")
               : r.rc == -1 ? PP_GAVE_UP_EARLY
                   : "each side must compare what pp_update returns with what it expects. "
                     "Does yours, on both sides?",
               "pp_run(area, 4) on memory each process counts on alone returned %d (errno %s), "
               "the parent's copy of the counter at %ld",
               r.rc, strerror(r.err), r.area);
    munmap(area, page);
}

SG_TEST(run_waits_for_its_own_child)
{
    /* The caller already has a child of its own, which has ended with
     * status 7 and not been waited for: pp_run waits for the child it
     * forked and leaves the caller's to the caller (as lab 01's
     * sb_exchange must; a review as a class found wait() passing here). */
    pid_t other = sg_fork_ended_child(7);
    long *area = pp_test_area(0);
    errno = 0;
    int rc = pp_run(area, 10);
    int err = errno;
    SG_REQUIRE_NOT_CHILD("pp_run");
    SG_REQUIRE(sg_ended_child_kept(other, 7), "the caller's other child (ended, status 7) left for the caller to wait for",
               rc == -1 && err == ENOSYS
                   ? PP_NOT_WRITTEN("pp_run")
                   : "the caller had another child, which had already ended with status 7, and it "
                     "was reaped inside pp_run. Which child does your parent wait for: the one "
                     "fork returned, or any child? See man 2 waitpid",
               "pp_run returned %d, and the caller's own child could no longer be waited for", rc);
    SG_REQUIRE(rc == 0 && *area == 10, "0, with the counter at 10",
               "the turns ended, and the child with status 0, while the caller's other child "
               "had ended with status 7. Whose status did pp_run look at?",
               "pp_run(area, 10) returned %d with the counter at %ld", rc, *area);
}

SG_TEST(run_waits_through_other_signals)
{
    /* The caller's own SIGALRM handler runs every 200 us in both
     * processes (pp_interrupt.c): a WAIT with if for while returned before
     * its turn, and had every other test (a class review: 60 of 60). */
    long *area = pp_test_area(0);
    struct pp_run_result r;
    pp_run_watched(area, PP_NLOOPS, NULL, PP_WATCH_INTERRUPTED, &r);
    SG_REQUIRE(r.alarm_blocked == 0,
               "each wait asleep with the mask in force at TELL_WAIT minus SIGUSR1 and SIGUSR2",
               "the caller did not block SIGALRM, and a wait blocked it while it slept: "
               "pingpong.h's waits sleep with the caller's mask minus the two signals, so the "
               "caller's own signals go on being handled during pp_run. Which mask does your "
               "sigsuspend get?",
               "%d of the waits slept with SIGALRM blocked, which the caller had left "
               "unblocked", r.alarm_blocked);
    SG_REQUIRE(r.rc == 0 && r.area == PP_NLOOPS, "0, with the counter at 1000",
               r.rc == -1 && r.err == ENOSYS ? PP_NOT_WRITTEN("pp_run") : PP_INTERRUPTED_HINT,
               "pp_run(area, 1000), its caller handling SIGALRM %d times during the turns, "
               "returned %d with the counter at %ld",
               r.alarms, r.rc, r.area);
    /* None handled: the run kept the caller's own signal blocked, which
     * pingpong.h's waits do not (the mask at TELL_WAIT minus the two). */
    SG_REQUIRE(r.alarms > 0, "the caller's SIGALRM handled during pp_run, as the caller left it unblocked",
               "the waits sleep with the mask in force at TELL_WAIT minus SIGUSR1 and SIGUSR2: "
               "a signal the caller did not block is not blocked during pp_run either. Which "
               "mask does your code sleep with, or set?",
               "a timer sent SIGALRM every 200 us during pp_run, and its handler never ran");
}

SG_TEST(run_twice_in_one_process)
{
    /* A parent that leaves its child's last signal pending, and a
     * TELL_WAIT that does not clear the flag: the second run's first wait
     * returns at once (a class review: 60 of 60, the second call hung). */
    long *area = pp_test_area(0);
    struct pp_run_result r;
    pp_run_watched(area, 10, NULL, PP_WATCH_TWICE, &r);
    SG_REQUIRE(r.rc == 0 && r.area == 10, "0, with the counter at 10, the second time too",
               r.rc == -1 && r.err == ENOSYS ? PP_NOT_WRITTEN("pp_run") : PP_TWICE_HINT,
               "the second pp_run(area, 10) of the process returned %d with the counter at %ld",
               r.rc, r.area);
}

const struct sg_test sg_hidden_tests[] = {
    SG_TEST_ENTRY(run_waits_through_other_signals),
    SG_TEST_ENTRY(run_twice_in_one_process),
    SG_TEST_ENTRY(run_odd_count),
    SG_TEST_ENTRY(run_many),
    SG_TEST_ENTRY(run_no_loops),
    SG_TEST_ENTRY(run_on_own_mappings),
    SG_TEST_ENTRY(run_child_mismatch_fails),
    SG_TEST_ENTRY(run_with_its_signals_already_blocked),
    SG_TEST_ENTRY(run_parent_mismatch_still_waits),
    SG_TEST_ENTRY(run_waits_for_its_own_child),
    SG_TEST_ENTRY(wait_child_sleeps_until_told),
    SG_TEST_ENTRY(map_anon_large),
    SG_TEST_ENTRY(tell_failure_exits),
    SG_TEST_ENTRY(program_anon_odd),
    SG_TESTS_END,
};
