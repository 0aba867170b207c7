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
 * the audit starts (not of the test's own process: a parent that takes
 * the lock as a starting gate is not a worker). When a worker is granted
 * a write lock on the lock file, and when that lock ends (released, or
 * turned into a read lock), the counter is read, the lock still held:
 * with every increment inside its own lock it is exactly one higher at
 * the end, whatever the other workers do, and the k-th lock to end sees
 * the start value plus k. An increment before the lock or after it, a
 * lock that does not exclude, a lock never seen released: each shows in
 * every run, not only in those where two workers collide.
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
 * write lock of its own, released where the harness sees it (fcntl or
 * lockf): fails the test otherwise, with what was seen, "in what" naming
 * the run. Stops the audit.
 */
void inc_require_audited(const char *what);

/*
 * Runs inc_run_workers on a lock file and counter of its own, 2 workers of
 * 50 increments, under the audit, in the test's process, and requires it
 * (inc_require_audited) when the call returned 0: what a test of the
 * program knows of its workers' locks, which it cannot see.
 */
void inc_require_workers_lock(const char *what);

#endif
