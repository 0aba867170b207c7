/*
 * increment.h — lab 02: a counter in shared memory, and locks around it.
 *
 * First Kerrisk's example: a child increments an int in anonymous shared
 * memory and the parent, after waiting, sees the new value. Then many
 * workers increment the same counter at once, which loses updates unless
 * every access is locked: an exclusive fcntl lock on the first byte of an
 * empty lock file around each write, a shared one around each read.
 */
#ifndef INCREMENT_H
#define INCREMENT_H

#include <stdio.h>

/*
 * One int of MAP_SHARED | MAP_ANONYMOUS memory, set to initial. Returns its
 * address, or NULL with errno set.
 */
int *inc_map_counter(int initial);

/* Unmaps what inc_map_counter returned. 0, or -1 with errno set. */
int inc_unmap_counter(int *counter);

/*
 * Flushes out, then forks. The child prints "Child started, value = %d\n"
 * to out, increments *counter, flushes out and ends with _exit(0); it never
 * returns. The parent waits for it, prints "In parent, value = %d\n" and
 * returns the value it sees; -1 with errno set on failure.
 */
int inc_child_increments(int *counter, FILE *out);

/*
 * Creates the lock file at path, or truncates it to empty, mode 0600, open
 * for reading and writing. Returns the descriptor, or -1 with errno set.
 * The file stays empty: only its first byte's lock matters.
 */
int inc_lock_open(const char *path);

/*
 * Takes an exclusive lock (F_WRLCK, waiting with F_SETLKW) on byte 0,
 * length 1, of lockfd; increments *counter; releases the lock. The wait
 * leaves the caller's signals as they were (it blocks none): a handler the
 * caller installed runs during it, and a wait that a signal interrupts
 * (EINTR) is retried. 0, or -1 with errno set.
 */
int inc_locked_increment(int lockfd, int *counter);

/*
 * The same with a shared lock (F_RDLCK): stores *counter in *value.
 * 0, or -1 with errno set.
 */
int inc_locked_read(int lockfd, const int *counter, int *value);

/*
 * Forks nworkers children. Each does iters increments of *counter, with
 * inc_locked_increment when lockfd >= 0 and without any lock (racy, for the
 * lesson) when lockfd == -1, and ends with _exit: status 0 if all went
 * well. The parent waits for every child it forked, also when something
 * failed, and returns 0 if all exited with status 0, else -1.
 */
int inc_run_workers(int *counter, int lockfd, int nworkers, long iters);

#endif
