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

/* A child that takes a slot, then writes a byte on w and holds it until killed. */
static pid_t taker(int w)
{
    pid_t pid = fork();
    ck_assert_int_ne(pid, -1);
    if (pid == 0) {
        /* Not the slots this process inherited: closing them in the parent must give them back. */
        for (int fd = 3; fd < 1024; fd++)
            if (fd != w)
                close(fd);
        int fd = sg_slot_take(&slots);
        if (fd == -1 || write(w, "t", 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    return pid;
}

/* Whether a byte arrives on r within ms milliseconds. */
static bool arrives(int r, int ms)
{
    struct pollfd p = { .fd = r, .events = POLLIN };
    int n;
    while ((n = poll(&p, 1, ms)) == -1 && errno == EINTR)
        ;
    char c;
    return n == 1 && read(r, &c, 1) == 1;
}

static void stop(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

START_TEST(no_more_holders_than_slots)
{
    int a = sg_slot_take(&slots), b = sg_slot_take(&slots);
    ck_assert_int_ge(a, 0);
    ck_assert_int_ge(b, 0);
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    pid_t third = taker(p[1]);
    /* Both slots are held: the third waits (however long this looks). */
    ck_assert_msg(!arrives(p[0], 300), "a third holder took one of two slots");
    close(a); /* giving a slot back wakes it */
    ck_assert_msg(arrives(p[0], 10000), "the waiting taker did not get the slot given back");
    stop(third);
    close(b);
}
END_TEST

START_TEST(a_holder_that_dies_gives_its_slot_back)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    pid_t first = taker(p[1]), second = taker(p[1]);
    ck_assert(arrives(p[0], 10000));
    ck_assert(arrives(p[0], 10000));
    pid_t third = taker(p[1]);
    ck_assert_msg(!arrives(p[0], 300), "a third holder took one of two slots");
    stop(first); /* killed, not closed: the kernel releases its lock */
    ck_assert_msg(arrives(p[0], 10000), "the slot of a holder that died was not given back");
    stop(second);
    stop(third);
}
END_TEST

/*
 * A taker whose caller blocks SIGALRM and runs a timer of its own: it
 * still wakes to look at every slot (else it could sleep on a held one
 * while the other is free), and finds its mask, timer and no pending
 * tick as it left them.
 */
START_TEST(a_waiting_taker_leaves_the_callers_signals_and_timer_alone)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    pid_t first = taker(p[1]), second = taker(p[1]);
    ck_assert(arrives(p[0], 10000));
    ck_assert(arrives(p[0], 10000));
    pid_t third = fork();
    ck_assert_int_ne(third, -1);
    if (third == 0) {
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
    ck_assert_msg(!arrives(p[0], 300), "a third holder took one of two slots");
    stop(second);
    ck_assert_msg(arrives(p[0], 10000),
                  "the taker did not get the slot given back, or did not leave its caller's "
                  "signal mask, pending signals and timer as they were");
    int status;
    ck_assert_int_eq(waitpid(third, &status, 0), third);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    stop(first);
}
END_TEST

Suite *unit_slots_suite(void)
{
    Suite *s = suite_create("slots");
    TCase *tc = tcase_create("slots");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, no_more_holders_than_slots);
    tcase_add_test(tc, a_holder_that_dies_gives_its_slot_back);
    tcase_add_test(tc, a_waiting_taker_leaves_the_callers_signals_and_timer_alone);
    suite_add_tcase(s, tc);
    return s;
}
