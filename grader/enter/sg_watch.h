/*
 * sg_watch.h — a sandbox's CPU time and progress, seen from inside.
 *
 * A time limit on the wall clock depends on how busy the machine is: the
 * same student's code, slow but finishing, passes on an idle machine and
 * times out beside forty other tests. So a test that never ends is told
 * by what it does, not by the clock:
 * - it spins: the CPU time of all its processes together passes a budget
 *   (counted by the kernel: it does not grow while a process waits for a
 *   core, so load does not change it);
 * - it is stuck: for a while, no process of it was runnable and none used
 *   any CPU (every one asleep, waiting for something nobody will do).
 * A test that is merely slowed down by other work on the machine is
 * neither: its processes are runnable, or they use CPU. Nor is a test one
 * of whose processes is in the middle of one timed sleep (sleep, usleep,
 * nanosleep, a poll or select on no descriptor) of up to
 * SG_WATCH_SLEEP_GRACE beyond the stuck limit: it
 * wakes up by itself, and its waking up is progress. A loop of short
 * sleeps (a poll for what never happens) is still stuck.
 * The wall-clock limit stays, much longer, for what these miss.
 *
 * The test's processes are read from /proc. In a PID namespace of its own
 * (bubblewrap) they are every process there but the watcher, its init
 * (pid 1; or pid 2 under another init, which is then left out too);
 * without one (the sandbox's fallback, e.g. in a container that forbids
 * namespaces) they are the watcher's descendants, which they stay because
 * the watcher is their subreaper. Looked at every SG_WATCH_PERIOD_MS, or
 * four times less often when the whole machine's /proc must be read.
 */
#ifndef SG_WATCH_H
#define SG_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SG_WATCH_PERIOD_MS 50
#define SG_WATCH_SLEEPERS 8
/* How much longer than the stuck limit one sleep may keep a test from
 * being stuck: a sleep of a few seconds is slow code, sleep(1000) a hang. */
#define SG_WATCH_SLEEP_GRACE 4.0

enum sg_watch_verdict { SG_WATCH_OK, SG_WATCH_CPU, SG_WATCH_STUCK };

struct sg_watch {
    double cpu_limit;        /* seconds of CPU, all processes; 0: none */
    double stuck_limit;      /* seconds with nothing runnable and no CPU used; 0: none */
    bool own_ns;             /* a PID namespace of its own: every process but 1 is the test's */
    long long last_cpu_us;
    double quiet_since;      /* when the sandbox last made progress (CLOCK_MONOTONIC), moved
                              * on by the time the watcher was not looking */
    double last_look;        /* when it last looked */
    struct sg_sleeper {      /* its processes seen asleep in a timed sleep while quiet */
        pid_t pid;
        long long switches;  /* their voluntary context switches then */
    } sleepers[SG_WATCH_SLEEPERS];
    size_t nsleepers;
    unsigned long long people; /* which processes the test had, and which had ended (a digest) */
    double cpu_seconds;      /* the last total seen */
};

void sg_watch_init(struct sg_watch *w, double cpu_limit, double stuck_limit, bool own_ns);

/* The period between samples, in milliseconds. */
int sg_watch_period_ms(const struct sg_watch *w);

/* Looks at the test's processes once. */
enum sg_watch_verdict sg_watch_sample(struct sg_watch *w);

/*
 * What the test's processes (but skip, the judge) are doing, for a test
 * found stuck: "pid 3 asleep in rt_sigsuspend, SIGUSR1 blocked and
 * pending; pid 4 asleep in wait4". Written into out (cap bytes).
 */
void sg_watch_describe(const struct sg_watch *w, pid_t skip, char *out, size_t cap);

/* The test's processes now (the watcher left out), at most max; how many. */
size_t sg_watch_pids(const struct sg_watch *w, pid_t *out, size_t max);

#endif
