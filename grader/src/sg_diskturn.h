/*
 * sg_diskturn.h — the memory check's runs take turns on the grader's disk.
 *
 * Under valgrind the code under test can write to the grader's disk (the
 * records' folder must be writable from the sandbox), and a file it
 * unlinks while holding it open is in no folder's count: only the disk's
 * free space shows it, and that space is the same for every run on the
 * machine. An attacker's review took 2.8 GiB so for a few milliseconds:
 * every run in progress saw the space fall, and a correct classmate's
 * memory check was not graded, again at each regrade.
 *
 * So every run holds a shared turn while it runs, and a run that saw the
 * space fall is run again holding the only turn: then a fall that comes
 * back once its processes are gone was its own doing. A waiting sole turn
 * keeps new shared turns out (a gate), so it is not starved by a class.
 * The turns are flock(2) locks on two files of the scratch folder ($TMPDIR
 * or /tmp), shared by every user's graders there: another user's attack,
 * run beside a grading, must not come back just as that grading's sole run
 * is stopped and be taken for its doing. A turn is waited for 150 s at
 * most; past that, or without the files, the run goes on without one, and
 * a fall of the space is then nobody's to blame (sg_memcheck.c).
 */
#ifndef SG_DISKTURN_H
#define SG_DISKTURN_H

#include <stdbool.h>

struct sg_diskturn {
    int gate;   /* held only while a turn is being taken */
    int lock;   /* shared or exclusive for the whole run */
};

/*
 * Waits for a turn: shared, or the only one when alone is set. 0, or -1
 * with errno when the lock files cannot be used or the wait was too long
 * (ETIMEDOUT); then no turn is held, and the caller may run without one
 * (t is still safe to give back).
 */
int sg_diskturn_take(struct sg_diskturn *t, bool alone);

/* Gives the turn back (closes its files). */
void sg_diskturn_give_back(struct sg_diskturn *t);

#endif
