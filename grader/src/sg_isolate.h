/*
 * sg_isolate.h — keep what a test creates from outliving it.
 *
 * System V IPC objects (shared memory segments above all, in these labs)
 * survive the process that created them until someone removes them. A
 * submission that forgets IPC_RMID, or is killed at its deadline, would
 * leave them on the instructor's machine. So each test runs in an IPC
 * namespace of its own, created with a user namespace so that no privilege
 * is needed: when its last process ends, the kernel destroys every object
 * in it.
 *
 * Where namespaces are not allowed (some containers), the fallback is a
 * snapshot of the segments before the test, and the removal afterwards of
 * every new segment whose creator no longer exists (the grader has killed
 * every process of the test by then). Segments of other live processes are
 * never touched.
 */
#ifndef SG_ISOLATE_H
#define SG_ISOLATE_H

#include <stdbool.h>
#include <stddef.h>

/* Whether a child can enter new user and IPC namespaces (probed once, in a child). */
bool sg_isolate_available(void);
/* Use the fallback even where namespaces work (the kit's own tests of the fallback). */
void sg_isolate_disable(void);

/*
 * In the child, before exec: new user and IPC namespaces, same uid and
 * gid, and where it can be had, a mount namespace with a private
 * /dev/shm. 0 or -1.
 */
int sg_isolate_enter(void);

struct sg_shm_snapshot {
    int *ids;
    size_t n;
};

/* The ids of the segments that exist now. 0 or -1. */
int sg_shm_snapshot(struct sg_shm_snapshot *s);
/* Removes every segment not in before whose creator has ended; returns how many. */
int sg_shm_remove_orphans(const struct sg_shm_snapshot *before);
void sg_shm_snapshot_free(struct sg_shm_snapshot *s);

/*
 * The kit's tests give their POSIX objects names that carry a tag of the
 * grader's, "shmlab-TAG-" (sg_object_prefix in the harness). Where
 * /dev/shm is the machine's, this removes every entry whose name holds
 * that mark (sem_open's "sem." ones too), after the test is over, killed
 * or not; tests beside it have tags of their own. Returns how many, or -1.
 */
int sg_shm_remove_tagged(const char *mark);
/* A tag for the commands this process runs (its pid and a random part), and the mark its names hold. */
struct sg_object_tag {
    char tag[24];   /* "g<pid>r<random>", given to the command */
    char mark[40];  /* "shmlab-<tag>-", for sg_shm_remove_tagged */
};
void sg_object_tag(struct sg_object_tag *t);

#endif
