/*
 * hidden/tests.c — lab 02 hidden tests: the instructor's, not in the student kit.
 */
#include "inc_testlib.h"
#include "increment.h"
#include "sg_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

SG_TEST(workers_many_locked_exact)
{
    struct inc_lockfile lf;
    inc_lockfile_create(&lf);
    int *c = inc_test_counter(100);
    int rc = inc_run_workers(c, lf.fd, 8, 20000);
    SG_REQUIRE_NOT_CHILD("inc_run_workers");
    SG_REQUIRE_NO_CHILDREN("inc_run_workers");
    SG_REQUIRE(rc == 0 && *c == 160100, "0, and the counter at 100 + 8 x 20000 = 160100",
               "every worker increments through the lock; the parent waits for all eight",
               "inc_run_workers returned %d; the counter is %d", rc, *c);
}

SG_TEST(workers_unlocked_run_and_are_reaped)
{
    int *c = inc_test_counter(0);
    int rc = inc_run_workers(c, -1, 2, 1000);
    SG_REQUIRE_NOT_CHILD("inc_run_workers");
    SG_REQUIRE_NO_CHILDREN("inc_run_workers");
    SG_REQUIRE(rc == 0 && *c > 0 && *c <= 2000, "0, and a counter between 1 and 2000",
               "with lockfd == -1 the workers increment without a lock, and still end with "
               "_exit(0)",
               "inc_run_workers(c, -1, 2, 1000) returned %d; the counter is %d", rc, *c);
}

SG_TEST(child_increments_flushes_first)
{
    int *c = inc_test_counter(7);
    FILE *out = sg_output_file();
    SG_SETUP(fputs("header\n", out) != EOF, "fputs");
    int seen = inc_child_increments(c, out);
    SG_REQUIRE_NOT_CHILD("inc_child_increments");
    size_t len;
    char *text = sg_file_contents(out, &len);
    const char *want = "header\nChild started, value = 7\nIn parent, value = 8\n";
    SG_REQUIRE(seen == 8 && strcmp(text, want) == 0, sg_q(want, strlen(want)),
               "fflush(out) before fork(), or the buffered header is written by both processes",
               "returned %d, out held %s", seen, sg_q(text, len));
    free(text);
}

SG_TEST(interrupted_read_is_retried)
{
    struct inc_call call;
    int *c;
    inc_require_retry_after_signal(INC_OP_READ, 9, &call, &c);
    SG_REQUIRE(call.out->rc == 0 && call.out->value == 9, "0 with *value = 9",
               "read the counter once the lock is granted", "returned %d with *value = %d",
               call.out->rc, call.out->value);
}

SG_TEST(read_does_not_change_the_counter)
{
    struct inc_lockfile lf;
    inc_lockfile_create(&lf);
    int *c = inc_test_counter(-12);
    int value = 0;
    int rc = inc_locked_read(lf.fd, c, &value);
    SG_REQUIRE(rc == 0 && value == -12 && *c == -12, "0, *value = -12, the counter unchanged",
               "a read only reads", "returned %d, *value = %d, counter %d", rc, value, *c);
}

SG_TEST(program_workers_default_iterations)
{
    const char *args[] = { "increment", "--workers", "2", NULL };
    inc_require_program(args, "final = 40000, expected = 40000\n",
                        "2 workers x 20000 locked increments by default (main.c)");
}

const struct sg_test sg_hidden_tests[] = {
    SG_TEST_ENTRY(workers_many_locked_exact),
    SG_TEST_ENTRY(workers_unlocked_run_and_are_reaped),
    SG_TEST_ENTRY(child_increments_flushes_first),
    SG_TEST_ENTRY(interrupted_read_is_retried),
    SG_TEST_ENTRY(read_does_not_change_the_counter),
    SG_TEST_ENTRY(program_workers_default_iterations),
    SG_TESTS_END,
};
