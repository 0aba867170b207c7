/*
 * sg_guard.h — leave nothing behind when the grader itself is stopped.
 *
 * An instructor presses Ctrl-C, a platform's time limit sends SIGTERM, a
 * terminal closes (SIGHUP): the grader's processes die at once, and what
 * they would have removed at the end stays, scratch folders in /tmp (a
 * copy of every submission graded, with its builds) and, when the stop
 * fell between bubblewrap's fork and its child's setup, a sandbox process
 * waiting for ever for a parent that is gone.
 *
 * So shmgrade's first process stays behind as a guard and runs the grading
 * in a child. The guard is a child subreaper: whatever the grading leaves
 * running, whichever way it ends, comes back to it and is killed. The
 * grading registers each scratch folder it makes; the guard removes the
 * ones still there. Then it ends as the grading did: the same exit
 * status, or the same signal.
 */
#ifndef SG_GUARD_H
#define SG_GUARD_H

/*
 * Forks: returns 0 in the child, which goes on to grade. The guard never
 * returns from here; it exits when the grading is over. -1 (errno) when
 * the guard could not be set up: the caller grades unguarded.
 */
int sg_guard_start(void);

/*
 * Tells the guard that path is a scratch folder to remove if it is still
 * there at the end. Nothing when no guard runs. 0 or -1 (errno).
 */
int sg_guard_register(const char *path);

#endif
