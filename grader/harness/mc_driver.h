/*
 * mc_driver.h — what the labs' memcheck drivers share (shmgrade --memcheck).
 *
 * A driver calls its lab's API under valgrind. Memory errors and leaks are
 * valgrind's to find; descriptors are checked here, around each call that
 * may open one: a descriptor that a call leaves open, and that the call's
 * contract does not hand back, is reported on stderr as
 *   "mc: descriptor N (PATH) left open by CALL"
 * and makes the driver exit with status 3.
 */
#ifndef MC_DRIVER_H
#define MC_DRIVER_H

#include <stdio.h>

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

/* 0, or 3 when a descriptor was left open. */
int mc_done(void);

#endif
