/*
 * inc_audit.h — whether every increment of the workers was made inside a
 * write lock, seen at each lock request rather than guessed from the count.
 *
 * A count of exactly nworkers x iters proves nothing about the lock: code
 * that never locks, or increments just after letting go, loses updates
 * only when two workers happen to run at the same moment, which one run
 * may show and the next not (a platform review: one such file scored 44
 * to 53 of 69 over fourteen gradings). The harness tells this module of
 * every lock request of the code under test (sg_watch_lock_requests) and
 * of its result (sg_watch_lock_results), in every process forked after
 * the audit starts. At each release of a write lock on the lock file the
 * counter is read while the lock is still held: with every increment
 * inside its own lock, the k-th release to happen sees the counter at its
 * start value plus k, whatever the scheduling. Any other code gives
 * another set of values, or another kind of request, every time.
 */
#ifndef INC_AUDIT_H
#define INC_AUDIT_H

/*
 * Starts the audit of the lock requests on the file lockfd is open on, in
 * this process and those it forks from now on, for increments increments
 * of *counter (whose value now is the start).
 */
void inc_audit_start(const int *counter, int lockfd, long increments);

/* Stops watching, in this process. */
void inc_audit_stop(void);

/*
 * Requires what the audit saw to be increments increments, each inside a
 * write lock waited for with F_SETLKW and released once: fails the test
 * otherwise, with what was seen, "in what" naming the run. Stops the audit.
 */
void inc_require_audited(const char *what);

/*
 * Runs inc_run_workers(counter, lockfd, 2, 50) under the audit in a
 * process of its own and requires it (inc_require_audited): what a test
 * of the program knows of its workers' locks, which it cannot see.
 */
void inc_require_workers_lock(const char *what);

#endif
