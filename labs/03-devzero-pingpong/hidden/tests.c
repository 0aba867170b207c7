/*
 * hidden/tests.c — lab 03 hidden tests: the instructor's, not in the student kit.
 */
#include "pingpong.h"
#include "pp_testlib.h"
#include "sg_harness.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static void pp_require_run(long nloops, long *area)
{
    int rc = pp_run(area, nloops);
    SG_REQUIRE_NOT_CHILD("pp_run");
    SG_REQUIRE_NO_CHILDREN("pp_run");
    SG_REQUIRE(rc == 0 && *area == nloops, "0, with the counter at nloops",
               "nloops updates in all: the child does the odd values; with an odd count "
               "the parent makes the last update and must not signal a child that is done",
               "pp_run(area, %ld) returned %d with the counter at %ld", nloops, rc, *area);
}

SG_TEST(run_odd_count)
{
    pp_require_run(999, pp_test_area(0));
}

SG_TEST(run_many)
{
    pp_require_run(20000, pp_test_area(0));
}

SG_TEST(run_no_loops)
{
    pp_require_run(0, pp_test_area(0));
}

SG_TEST(run_on_own_mappings)
{
    long *a = pp_map_devzero(sizeof *a);
    SG_REQUIRE(a != NULL, "a mapping", "pp_map_devzero must work", "NULL");
    pp_require_run(1001, a);
    long *b = pp_map_anon(sizeof *b);
    SG_REQUIRE(b != NULL, "a mapping", "pp_map_anon must work", "NULL");
    pp_require_run(1000, b);
}

SG_TEST(wait_child_sleeps_until_told)
{
    TELL_WAIT();
    struct pp_waiter w;
    pp_start_waiter(PP_WAIT_CHILD, false, 1, &w);
    pp_require_sleeping(&w, "WAIT_CHILD", 1);
    TELL_PARENT(w.pid);
    SG_REQUIRE(pp_wait_stage(&w, 2, 5000), "WAIT_CHILD to return after TELL_PARENT",
               "WAIT_CHILD waits for SIGUSR2, which TELL_PARENT sends",
               "WAIT_CHILD had not returned 5 s after TELL_PARENT");
    pp_finish_waiter(&w, "WAIT_CHILD");
    SG_REQUIRE(w.sh->usr1_blocked_after && w.sh->usr2_blocked_after,
               "both signals still blocked after WAIT_CHILD", "do not restore the old mask",
               "after WAIT_CHILD a signal was unblocked");
}

SG_TEST(map_anon_large)
{
    size_t size = (1u << 20) + 1;
    void *a = pp_map_anon(size);
    SG_REQUIRE(a != NULL, "a mapping", "mmap the size asked for", "NULL");
    pp_require_shared_zeroed(a, size, "pp_map_anon");
}

SG_TEST(program_anon_odd)
{
    const char *args[] = { "pingpong", "--anon", "-n", "5001", NULL };
    pp_require_program(args, "counter = 5001\n");
}

const struct sg_test sg_hidden_tests[] = {
    SG_TEST_ENTRY(run_odd_count),
    SG_TEST_ENTRY(run_many),
    SG_TEST_ENTRY(run_no_loops),
    SG_TEST_ENTRY(run_on_own_mappings),
    SG_TEST_ENTRY(wait_child_sleeps_until_told),
    SG_TEST_ENTRY(map_anon_large),
    SG_TEST_ENTRY(program_anon_odd),
    SG_TESTS_END,
};
