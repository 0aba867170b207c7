/* unit_diskturn.c — the memory check's turns on the grader's disk (sg_diskturn.h). */
#include "unit.h"
#include "sg_diskturn.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char scratch[] = "/tmp/unit-diskturn.XXXXXX";

/* The lock files in a folder of the test's own: a grader beside it keeps its turns. */
static void setup(void)
{
    strcpy(scratch, "/tmp/unit-diskturn.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(scratch));
    ck_assert_int_eq(setenv("TMPDIR", scratch, 1), 0);
}

static void teardown(void)
{
    char path[128];
    const char *names[] = { "gate", "lock" };
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/shmlab-memcheck.%s", scratch, names[i]);
        unlink(path);
    }
    rmdir(scratch);
    unsetenv("TMPDIR");
}

/* A child that takes a turn, then writes a byte on w and holds it until killed. */
static pid_t taker(bool alone, int w)
{
    pid_t pid = fork();
    ck_assert_int_ne(pid, -1);
    if (pid == 0) {
        struct sg_diskturn t;
        if (sg_diskturn_take(&t, alone) == -1 || write(w, "t", 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    return pid;
}

START_TEST(shared_turns_run_together_and_a_sole_turn_waits_for_them)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    pid_t one = taker(false, p[1]), two = taker(false, p[1]);
    ck_assert_msg(unit_arrives(p[0], 10000) && unit_arrives(p[0], 10000),
                  "two shared turns were not held at once");
    pid_t sole = taker(true, p[1]);
    /* However long this looks: a shared turn is held. */
    ck_assert_msg(!unit_arrives(p[0], 300), "a sole turn was taken beside shared ones");
    unit_stop(one);
    ck_assert_msg(!unit_arrives(p[0], 300), "a sole turn was taken beside a shared one");
    unit_stop(two); /* killed, not given back: the kernel releases its lock */
    ck_assert_msg(unit_arrives(p[0], 10000), "the sole turn was not taken once the shared ones ended");
    unit_stop(sole);
}
END_TEST

/* A class's runs, one after another, must not starve a run that needs the disk alone. */
START_TEST(a_waiting_sole_turn_keeps_new_shared_turns_out)
{
    int p[2], q[2];
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(pipe(q), 0);
    pid_t first = taker(false, p[1]);
    ck_assert(unit_arrives(p[0], 10000));
    pid_t sole = taker(true, q[1]);
    ck_assert(!unit_arrives(q[0], 300));
    pid_t later = taker(false, p[1]);
    ck_assert_msg(!unit_arrives(p[0], 300), "a shared turn was taken while a sole turn waited");
    unit_stop(first);
    ck_assert_msg(unit_arrives(q[0], 10000), "the sole turn was not taken");
    ck_assert_msg(!unit_arrives(p[0], 300), "a shared turn was taken beside the sole turn");
    unit_stop(sole);
    ck_assert_msg(unit_arrives(p[0], 10000), "the later shared turn was not taken after the sole one");
    unit_stop(later);
}
END_TEST

START_TEST(a_turn_given_back_is_free_for_the_next)
{
    struct sg_diskturn t;
    ck_assert_int_eq(sg_diskturn_take(&t, true), 0);
    sg_diskturn_give_back(&t);
    ck_assert_int_eq(sg_diskturn_take(&t, true), 0);
    sg_diskturn_give_back(&t);
    sg_diskturn_give_back(&t); /* twice: nothing left to close */
}
END_TEST

START_TEST(without_its_lock_files_no_turn_is_held)
{
    ck_assert_int_eq(setenv("TMPDIR", "/nonexistent-folder-of-unit-diskturn", 1), 0);
    struct sg_diskturn t;
    errno = 0;
    ck_assert_int_eq(sg_diskturn_take(&t, false), -1);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_int_eq(t.gate, -1);
    ck_assert_int_eq(t.lock, -1);
    sg_diskturn_give_back(&t);
}
END_TEST

Suite *unit_diskturn_suite(void)
{
    Suite *s = suite_create("diskturn");
    TCase *tc = tcase_create("diskturn");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, shared_turns_run_together_and_a_sole_turn_waits_for_them);
    tcase_add_test(tc, a_waiting_sole_turn_keeps_new_shared_turns_out);
    tcase_add_test(tc, a_turn_given_back_is_free_for_the_next);
    tcase_add_test(tc, without_its_lock_files_no_turn_is_held);
    suite_add_tcase(s, tc);
    return s;
}
