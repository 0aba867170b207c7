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
 * grading registers each scratch file and folder it makes; when it was
 * stopped or died, the guard removes the ones still there and still the
 * grader user's own (a grading that ended by itself removed its own, and
 * a name seen again later may be somebody else's). Then shmgrade ends as
 * the grading did: the same exit status, or the same signal. A stop
 * signal that was ignored when shmgrade started (nohup, a background job
 * of a script) stays ignored. The grading dies with the guard.
 */
#ifndef SG_GUARD_H
#define SG_GUARD_H

#include <sys/types.h>

/*
 * Forks: returns 0 in the child, which goes on to grade, and the child's
 * pid in the parent, which is to call sg_guard_watch. -1 (errno) when the
 * guard could not be set up: the caller grades unguarded.
 */
pid_t sg_guard_start(void);

/* How the grading ended: by signal sig (0: none), else with exit status status. */
struct sg_guard_end {
    int sig;
    int status;
};

/*
 * In the guard: waits for the grading, cleans up after it, and says how
 * it ended, for the caller to end the same way.
 */
void sg_guard_watch(pid_t grading, struct sg_guard_end *end);

/*
 * Tells the guard that path (a folder or a file) is the grading's scratch
 * space, to remove if the grading is stopped. Nothing when no guard runs.
 * 0 or -1 (errno).
 */
int sg_guard_register(const char *path);

/*
 * Tells the guard that the machine's /dev/shm may hold objects whose names
 * hold mark (sg_shm_remove_tagged), to remove if the grading is stopped.
 */
int sg_guard_register_objects(const char *mark);

#endif
