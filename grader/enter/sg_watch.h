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
 * neither: its processes are runnable, or they use CPU. The wall-clock
 * limit stays, much longer, for what the two miss.
 *
 * It reads the sandbox's own /proc (a PID namespace of its own: every
 * process there but pid 1 and the watcher belongs to the test) every
 * SG_WATCH_PERIOD_MS.
 */
#ifndef SG_WATCH_H
#define SG_WATCH_H

#include <stdbool.h>
#include <sys/types.h>

#define SG_WATCH_PERIOD_MS 50

enum sg_watch_verdict { SG_WATCH_OK, SG_WATCH_CPU, SG_WATCH_STUCK };

struct sg_watch {
    double cpu_limit;        /* seconds of CPU, all processes; 0: none */
    double stuck_limit;      /* seconds with nothing runnable and no CPU used; 0: none */
    long long last_cpu_us;
    double quiet_since;      /* when the sandbox last made progress (CLOCK_MONOTONIC) */
    double cpu_seconds;      /* the last total seen */
};

void sg_watch_init(struct sg_watch *w, double cpu_limit, double stuck_limit);

/* Looks at the sandbox once; self (the watcher) is left out. */
enum sg_watch_verdict sg_watch_sample(struct sg_watch *w, pid_t self);

#endif
