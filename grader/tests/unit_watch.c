/* unit_watch.c — when a sandbox is stuck, and when it only looks it (sg_watch.h). */
#include "unit.h"
#include "sg_watch.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1)
        ;
}

static void *spin(void *unused)
{
    (void)unused;
    for (;;)
        __asm__ volatile("" ::: "memory");
    return NULL;
}

/* A test process (a child of this one, as without a namespace) whose main thread
 * waits in pthread_join while its other thread stays runnable. */
static pid_t joiner(void)
{
    pid_t pid = fork();
    ck_assert_int_ne(pid, -1);
    if (pid == 0) {
        pthread_t t;
        if (pthread_create(&t, NULL, spin, NULL) != 0)
            _exit(1);
        pthread_join(t, NULL);
        _exit(0);
    }
    return pid;
}

static void end(pid_t pid)
{
    kill(pid, SIGKILL);
    ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
}

/*
 * The main thread asleep is not the process asleep: lab 05's judge waits
 * while a worker thread waits for a core, and the reference lost tests as
 * stuck under load. The CPU the worker uses is hidden from the watch here
 * (its last total set past any), so that only the threads' states count.
 */
START_TEST(a_runnable_thread_keeps_its_process_from_being_stuck)
{
    pid_t pid = joiner();
    struct sg_watch w;
    sg_watch_init(&w, 0, 0.3, false);
    for (double start = now_s(); now_s() - start < 1.2;) {
        w.last_cpu_us = LLONG_MAX;
        ck_assert_msg(sg_watch_sample(&w) == SG_WATCH_OK,
                      "a process with a runnable thread was found stuck");
        nap_ms(sg_watch_period_ms(&w));
    }
    end(pid);
}
END_TEST

static pid_t sleeper(void)
{
    pid_t pid = fork();
    ck_assert_int_ne(pid, -1);
    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

/*
 * A watcher that itself waited for a core looked again long after its
 * last look: the test's progress in between was unseen, and that time is
 * not the test's quiet. A test that stays asleep while watched is stuck.
 */
START_TEST(the_time_the_watcher_did_not_look_is_not_quiet)
{
    pid_t pid = sleeper();
    struct sg_watch w;
    sg_watch_init(&w, 0, 1.0, false);
    ck_assert(sg_watch_sample(&w) == SG_WATCH_OK);
    nap_ms(1500);
    ck_assert_msg(sg_watch_sample(&w) == SG_WATCH_OK,
                  "1.5 s without a look were counted as 1.5 s of quiet");
    double start = now_s();
    enum sg_watch_verdict v;
    while ((v = sg_watch_sample(&w)) == SG_WATCH_OK && now_s() - start < 20)
        nap_ms(SG_WATCH_PERIOD_MS);
    ck_assert_msg(v == SG_WATCH_STUCK, "a process asleep in pause while watched was not stuck");
    ck_assert_msg(now_s() - start >= 0.5, "stuck after %.2f s of looking", now_s() - start);
    end(pid);
}
END_TEST

Suite *unit_watch_suite(void)
{
    Suite *s = suite_create("watch");
    TCase *tc = tcase_create("watch");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, a_runnable_thread_keeps_its_process_from_being_stuck);
    tcase_add_test(tc, the_time_the_watcher_did_not_look_is_not_quiet);
    suite_add_tcase(s, tc);
    return s;
}
