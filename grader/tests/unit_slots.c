/* unit_slots.c — the machine-wide bound on tests at once (sg_slots.h). */
#include "unit.h"
#include "sg_slots.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static struct sg_slots slots;

static void setup(void)
{
    ck_assert_int_eq(sg_slots_create(&slots, "/tmp", 2), 0);
}

static void teardown(void)
{
    sg_slots_destroy(&slots);
}

/* Closes every descriptor from 3 up but keep: a child's copies of its parent's slots. */
static void close_inherited(int keep)
{
    for (int fd = 3; fd < 1024; fd++)
        if (fd != keep)
            close(fd);
}

/* A child that takes a slot, then writes a byte on w and holds it until killed. */
static pid_t taker(int w)
{
    pid_t pid = fork();
    ck_assert_int_ne(pid, -1);
    if (pid == 0) {
        close_inherited(w);
        int fd = sg_slot_take(&slots);
        if (fd == -1 || write(w, "t", 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    return pid;
}

/*
 * Takes both slots here; by_slot[k] holds slot k. A taker starts at slot
 * getpid() % count (sg_slots.c), so the first take here is that one.
 */
static void hold_both(int by_slot[2])
{
    int first = (int)(getpid() % 2);
    by_slot[first] = sg_slot_take(&slots);
    by_slot[!first] = sg_slot_take(&slots);
    ck_assert(by_slot[0] >= 0 && by_slot[1] >= 0);
}

/*
 * Gives back the slot that waiter does not wait on first (it starts at
 * its pid's slot): it gets that one only by looking at every slot again,
 * not by being woken on its own. Closes the other.
 */
static void give_back_the_other(int by_slot[2], pid_t waiter)
{
    int its_own = (int)(waiter % 2);
    close(by_slot[!its_own]);
    by_slot[!its_own] = -1;
}

START_TEST(no_more_holders_than_slots_and_a_waiter_finds_any_given_back)
{
    int held[2], p[2];
    hold_both(held);
    ck_assert_int_eq(pipe(p), 0);
    pid_t third = taker(p[1]);
    /* Both slots are held: the third waits (however long this looks). */
    ck_assert_msg(!unit_arrives(p[0], 300), "a third holder took one of two slots");
    give_back_the_other(held, third);
    ck_assert_msg(unit_arrives(p[0], 10000), "the waiting taker did not get the slot given back");
    unit_stop(third);
    close(held[0] != -1 ? held[0] : held[1]);
}
END_TEST

START_TEST(a_holder_that_dies_gives_its_slot_back)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    pid_t first = taker(p[1]), second = taker(p[1]);
    ck_assert(unit_arrives(p[0], 10000));
    ck_assert(unit_arrives(p[0], 10000));
    pid_t third = taker(p[1]);
    ck_assert_msg(!unit_arrives(p[0], 300), "a third holder took one of two slots");
    unit_stop(first); /* killed, not closed: the kernel releases its lock */
    ck_assert_msg(unit_arrives(p[0], 10000), "the slot of a holder that died was not given back");
    unit_stop(second);
    unit_stop(third);
}
END_TEST

/*
 * A taker whose caller blocks SIGALRM and runs a timer of its own: it
 * still wakes to look at every slot, and finds its mask, timer and no
 * pending tick as it left them.
 */
START_TEST(a_waiting_taker_leaves_the_callers_signals_and_timer_alone)
{
    int held[2], p[2];
    hold_both(held);
    ck_assert_int_eq(pipe(p), 0);
    pid_t third = fork();
    ck_assert_int_ne(third, -1);
    if (third == 0) {
        close_inherited(p[1]);
        sigset_t alrm, now, pending;
        sigemptyset(&alrm);
        sigaddset(&alrm, SIGALRM);
        sigprocmask(SIG_BLOCK, &alrm, NULL);
        struct itimerval mine = { { 0, 0 }, { 100, 0 } }, left;
        setitimer(ITIMER_REAL, &mine, NULL);
        int fd = sg_slot_take(&slots); /* both held: it waits */
        sigprocmask(SIG_BLOCK, NULL, &now);
        sigpending(&pending);
        getitimer(ITIMER_REAL, &left);
        bool ok = fd != -1 && sigismember(&now, SIGALRM) && !sigismember(&pending, SIGALRM) &&
                  left.it_value.tv_sec > 50;
        _exit(ok && write(p[1], "t", 1) == 1 ? 0 : 1);
    }
    ck_assert_msg(!unit_arrives(p[0], 300), "a third holder took one of two slots");
    give_back_the_other(held, third);
    ck_assert_msg(unit_arrives(p[0], 10000),
                  "the taker did not get the slot given back, or did not leave its caller's "
                  "signal mask, pending signals and timer as they were");
    int status;
    ck_assert_int_eq(waitpid(third, &status, 0), third);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(held[0] != -1 ? held[0] : held[1]);
}
END_TEST

Suite *unit_slots_suite(void)
{
    Suite *s = suite_create("slots");
    TCase *tc = tcase_create("slots");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, no_more_holders_than_slots_and_a_waiter_finds_any_given_back);
    tcase_add_test(tc, a_holder_that_dies_gives_its_slot_back);
    tcase_add_test(tc, a_waiting_taker_leaves_the_callers_signals_and_timer_alone);
    suite_add_tcase(s, tc);
    return s;
}
