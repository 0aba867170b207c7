/*
 * mc_driver.h — what the labs' memcheck drivers share (shmgrade --memcheck).
 *
 * A driver calls its lab's API under valgrind, the way the tests do, so
 * that valgrind sees the student's code at work. Each lab's memcheck.c
 * defines mc_run(); main() is here. It reports on standard output, one
 * line each:
 *   "mc: descriptor N (PATH) left open by CALL"   a call left one open
 *   "mc: could not check: WHAT"                   the API does not work yet
 *   "mc: done TOKEN"                              mc_run() returned
 * TOKEN comes from the grader, as the first line of standard input, which
 * the driver reads and replaces with /dev/null before any student code runs. A driver whose calls fail
 * checks nothing, so "could not check" makes the memory check fail: it
 * awards no points for code that was never exercised. A driver that never
 * says "done" was ended by the code under test (exit, _exit, a signal)
 * before it could be checked, which fails it too.
 *
 * Memory errors and leaks are valgrind's to find; descriptors are checked
 * here, around each call that may open one.
 */
#ifndef MC_DRIVER_H
#define MC_DRIVER_H

#include <stdio.h>

/* The lab's driver: calls the API; returns normally when it is done. */
void mc_run(void);

/*
 * The name for a POSIX object of the driver's, "/shmlab-TAG-what": the
 * grader's tag (its first argument) lets it remove what a driver it had
 * to kill left in the machine's /dev/shm, where there are no namespaces,
 * and keeps two drivers graded at once apart. Static storage, 4 at a time.
 */
const char *mc_object_name(const char *what);

/* A temporary file holding text, ready to read. */
FILE *mc_input(const char *text);

/* The set of open descriptors, as a bit mask of 0..1023 (valgrind's own are above). */
struct mc_fds {
    unsigned long bits[1024 / (8 * sizeof(unsigned long))];
};
void mc_fds_now(struct mc_fds *s);
/* Reports descriptors open now that were not in before. */
void mc_fds_compare(const struct mc_fds *before, const char *call);

#define MC_FDS(call, expr)                                                      \
    do {                                                                        \
        struct mc_fds mc_before_;                                               \
        mc_fds_now(&mc_before_);                                                \
        (void)(expr);                                                           \
        mc_fds_compare(&mc_before_, (call));                                    \
    } while (0)

/* Says the API does not work yet (what failed) and ends the driver. */
void mc_cannot_check(const char *what) __attribute__((noreturn));

/* When cond is false, the driver cannot check anything further. */
#define MC_REQUIRE(cond, what)                                                  \
    do {                                                                        \
        if (!(cond))                                                            \
            mc_cannot_check(what);                                              \
    } while (0)

#endif
