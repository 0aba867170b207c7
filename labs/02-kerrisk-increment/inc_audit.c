/* inc_audit.c — every increment inside its own write lock, seen at each request; see inc_audit.h. */
#include "inc_audit.h"
#include "inc_testlib.h"
#include "increment.h"
#include "sg_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* What every audited process saw, in memory they all share. */
struct inc_audit_log {
    int start;               /* the counter when the audit began */
    long expected;           /* the increments asked for: room for as many values */
    long releases;           /* ends of a granted write lock on the lock file */
    long read_releases;      /* releases of a read lock */
    long write_grants;       /* write locks granted on it */
    long empty;              /* write locks in which the counter did not move */
    long crowded;            /* write locks in which it moved by more than one */
    long elsewhere;          /* write locks granted on the lock file that leave byte 0 out */
    long elsewhere_start;    /* the first one's l_start, l_len and l_whence */
    long elsewhere_len;
    int elsewhere_whence;
    int values[];            /* the counter at each write lock's end, while still held */
};

/* Per process: forked workers get their own copy of each. */
static struct inc_audit_log *inc_log;
static size_t inc_log_size;
static const int *inc_audited_counter;
static pid_t inc_auditor;     /* the test's process: its (and the caller's) locks are not a worker's */
static int inc_lockfd = -1;   /* the descriptor the test gave */
static dev_t inc_lock_dev;
static ino_t inc_lock_ino;
static char inc_held;         /* 'W' or 'R' after a granted lock on byte 0, until its end */
static pid_t inc_held_by;     /* the process it was granted to: not a child forked meanwhile */
static int inc_granted_at;    /* the counter when this process's write lock was granted */
static bool inc_ending;       /* a request that would end the held lock is under way */
static int inc_end_value;     /* the counter then, the lock still held */

/* Whether fd is open on the lock file (the descriptor the test gave is, as
 * long as the run lasts: no fstat at each of a worker's 20000 requests). */
static bool inc_is_lock_file(int fd)
{
    if (fd == inc_lockfd)
        return true;
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == inc_lock_dev && st.st_ino == inc_lock_ino;
}

static bool inc_audited(int fd)
{
    return inc_log != NULL && getpid() != inc_auditor && inc_is_lock_file(fd);
}

/* Whether the request's range holds byte 0, the one the contract locks
 * (a release of byte 1 is not the release of the lock; a review). */
static bool inc_covers_byte0(int fd, const struct flock *fl)
{
    off_t base = 0;
    if (fl->l_whence == SEEK_CUR) {
        base = lseek(fd, 0, SEEK_CUR);
    } else if (fl->l_whence == SEEK_END) {
        struct stat st;
        base = fstat(fd, &st) == 0 ? st.st_size : -1;
    } else if (fl->l_whence != SEEK_SET) {
        return false;
    }
    if (base == -1)
        return false;
    off_t start = base + fl->l_start, len = fl->l_len;
    if (len == 0)
        return start <= 0;
    if (len > 0)
        return start <= 0 && start + len > 0;
    return start + len <= 0 && start > 0;
}

static bool inc_holds(char type)
{
    return inc_held == type && inc_held_by == getpid();
}

/*
 * Before each request: the counter is read while the lock is still held,
 * in case this request ends it (a release, or a change to a read lock);
 * whether it did is known after (inc_audit_result). With every increment
 * inside its own lock, the counter is then exactly one above its value at
 * the grant, whatever the other workers do.
 */
static void inc_audit_request(int fd, int cmd, const struct flock *fl)
{
    (void)cmd;
    inc_ending = false;
    if (!inc_audited(fd) || (fl->l_type != F_UNLCK && fl->l_type != F_RDLCK) ||
        !inc_covers_byte0(fd, fl))
        return;
    if (inc_holds('W') || (inc_holds('R') && fl->l_type == F_UNLCK)) {
        inc_ending = true;
        inc_end_value = *inc_audited_counter;
    }
}

/* A write lock ended, with the counter at now. */
static void inc_note_end(int now)
{
    long k = __atomic_fetch_add(&inc_log->releases, 1, __ATOMIC_SEQ_CST);
    if (k < inc_log->expected)
        inc_log->values[k] = now;
    if (now == inc_granted_at)
        __atomic_fetch_add(&inc_log->empty, 1, __ATOMIC_SEQ_CST);
    else if (now != inc_granted_at + 1)
        __atomic_fetch_add(&inc_log->crowded, 1, __ATOMIC_SEQ_CST);
}

/* After each request: which lock this process now holds, and since when. */
static void inc_audit_result(int fd, int cmd, const struct flock *fl, int rc)
{
    (void)cmd;
    bool ending = inc_ending;
    inc_ending = false;
    if (rc == 0 && fl->l_type == F_WRLCK && inc_audited(fd) && !inc_covers_byte0(fd, fl) &&
        __atomic_fetch_add(&inc_log->elsewhere, 1, __ATOMIC_SEQ_CST) == 0) {
        inc_log->elsewhere_start = (long)fl->l_start;
        inc_log->elsewhere_len = (long)fl->l_len;
        inc_log->elsewhere_whence = fl->l_whence;
    }
    if (rc != 0 || !inc_audited(fd) || !inc_covers_byte0(fd, fl))
        return; /* a failed release releases nothing */
    if (ending && inc_holds('W')) {
        inc_note_end(inc_end_value);
        inc_held = fl->l_type == F_RDLCK ? 'R' : 0;
    } else if (ending && inc_holds('R')) {
        __atomic_fetch_add(&inc_log->read_releases, 1, __ATOMIC_SEQ_CST);
        inc_held = 0;
    } else if (fl->l_type == F_WRLCK) {
        __atomic_fetch_add(&inc_log->write_grants, 1, __ATOMIC_SEQ_CST);
        if (!inc_holds('W'))
            inc_granted_at = *inc_audited_counter; /* a lock taken again while held goes on */
        inc_held = 'W';
        inc_held_by = getpid();
    } else if (fl->l_type == F_RDLCK) {
        inc_held = 'R';
        inc_held_by = getpid();
    }
}

void inc_audit_start(const int *counter, int lockfd, long increments)
{
    struct stat st;
    SG_SETUP(fstat(lockfd, &st) == 0, "fstat of the lock file");
    inc_lock_dev = st.st_dev;
    inc_lock_ino = st.st_ino;
    inc_log_size = sizeof *inc_log + (size_t)increments * sizeof inc_log->values[0];
    inc_log = mmap(NULL, inc_log_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(inc_log != MAP_FAILED, "mmap");
    inc_log->start = *counter;
    inc_log->expected = increments;
    inc_audited_counter = counter;
    inc_auditor = getpid();
    inc_lockfd = lockfd;
    inc_held = 0;
    inc_ending = false;
    sg_watch_lock_requests(inc_audit_request);
    sg_watch_lock_results(inc_audit_result);
}

void inc_audit_stop(void)
{
    sg_watch_lock_requests(NULL);
    sg_watch_lock_results(NULL);
}

static int inc_compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

#define INC_AUDIT_SEE " (see locked_increment_waits_for_writer)"

void inc_require_audited(const char *what)
{
    inc_audit_stop();
    struct inc_audit_log *log = inc_log;
    SG_SETUP(log != NULL, "the lock audit");
    long n = log->expected, released = log->releases;
    SG_REQUIRE(released > 0 || log->read_releases == 0, "a write lock around each increment",
               "readers share a lock, so two increments could run at once: which lock type "
               "excludes every other process?" INC_AUDIT_SEE,
               "in %s the workers held only read locks (F_RDLCK) on the lock file, %ld times",
               what, log->read_releases);
    SG_REQUIRE(released > 0 || log->write_grants == 0, "each write lock released after its increment",
               "the grader sees a release made with fcntl's F_UNLCK or lockf's F_ULOCK on byte 0: "
               "an unlock of other bytes (another l_start or l_len) leaves byte 0 locked, and a lock let "
               "go by closing a descriptor, or never, shows no moment at which the increment "
               "was inside it" INC_AUDIT_SEE,
               "in %s the workers were granted the write lock %ld times and never released it",
               what, log->write_grants);
    SG_REQUIRE(released > 0 || log->elsewhere == 0, "a write lock on byte 0 around each increment",
               "the workers locked other bytes of the lock file: increment.h's lock is on byte "
               "0, and a lock elsewhere neither waits for a lock on byte 0 nor keeps a process "
               "that locks byte 0 out. Which bytes does your struct flock name? See man 2 "
               "fcntl: Advisory record locking" INC_AUDIT_SEE,
               "in %s the workers took %ld write locks on the lock file, none of them on byte 0 "
               "(the first with l_whence %s, l_start %ld, l_len %ld)",
               what, log->elsewhere,
               log->elsewhere_whence == SEEK_SET   ? "SEEK_SET"
               : log->elsewhere_whence == SEEK_CUR ? "SEEK_CUR"
                                                   : "SEEK_END",
               log->elsewhere_start, log->elsewhere_len);
    SG_REQUIRE(released > 0, "a write lock taken and released around each increment",
               "with lockfd >= 0 every increment of every worker goes through "
               "inc_locked_increment, which takes the lock first. Does each of your workers?"
               INC_AUDIT_SEE,
               "in %s no worker took a write lock on the lock file: %ld increments ran without "
               "one",
               what, n);
    SG_REQUIRE(log->empty == 0, "the counter one higher when each write lock ends",
               "an increment ran outside the lock: before taking it, or after letting it go. "
               "Another worker may then increment at the same moment, and one update is lost"
               INC_AUDIT_SEE,
               "in %s, %ld of the %ld write locks ended with the counter where it was when "
               "the lock was granted",
               what, log->empty, released);
    SG_REQUIRE(log->crowded == 0, "no other increment while a worker holds the write lock",
               "while one worker held the lock, the counter moved by more than its own "
               "increment: the lock did not keep the others out" INC_AUDIT_SEE,
               "in %s the counter moved by more than one during %ld of the %ld write locks",
               what, log->crowded, released);
    SG_REQUIRE(released == n, "one write lock per increment",
               "each increment takes the lock, increments, and releases it: once each"
               INC_AUDIT_SEE,
               "in %s, %ld increments and %ld write locks released", what, n, released);
    qsort(log->values, (size_t)n, sizeof log->values[0], inc_compare_ints);
    long bad = -1;
    for (long k = 0; k < n && bad == -1; k++)
        if (log->values[k] != log->start + (int)(k + 1))
            bad = k;
    SG_REQUIRE(bad == -1, "the counter one higher at each release, the increment inside the lock",
               "an increment ran outside the lock: before taking it, or after letting it go. "
               "Another worker may then increment at the same moment, and one update is lost"
               INC_AUDIT_SEE,
               "in %s a worker released the lock with the counter at %d, where with every "
               "increment inside its lock release number %ld sees %d",
               what, bad == -1 ? 0 : log->values[bad], bad + 1,
               log->start + (int)(bad + 1));
    munmap(log, inc_log_size);
    inc_log = NULL;
}

void inc_require_workers_lock(const char *what)
{
    struct inc_lockfile lf;
    inc_lockfile_create(&lf);
    struct inc_file_id lock;
    inc_file_id_of(lf.fd, &lock);
    int *c = inc_test_counter(0);
    int *out_rc = inc_test_counter(0), *out_err = inc_test_counter(0); /* what the caller saw */
    /* Another process holds the lock as the workers start, and lets go
     * once one of them waits for it (or the call is over): a worker that
     * asks without waiting (F_SETLK) then fails every time, not only when
     * two workers collide (a fresh clone's run as another user passed
     * such a file). */
    struct inc_holder h;
    inc_hold(lf.path, F_WRLCK, 0, 1, &h);
    inc_audit_start(c, lf.fd, 100);
    fflush(NULL);
    pid_t caller = fork();
    SG_SETUP(caller != -1, "fork");
    if (caller == 0) {
        inc_auditor = getpid(); /* the caller's own locks (a starting gate) are not a worker's */
        pid_t me = getpid();
        errno = 0;
        int rc = inc_run_workers(c, lf.fd, 2, 50);
        if (getpid() == me) {
            *out_rc = rc;
            *out_err = errno;
        }
        _exit(0);
    }
    inc_audit_stop();
    for (double end = sg_deadline_in_ms(5000);
         inc_count_waiters(&lock, "WRITE") + inc_count_waiters(&lock, "READ") == 0 &&
         !sg_process_ended(caller) && sg_before(end);)
        sg_nap_ms(INC_LOOK_MS);
    inc_release(&h);
    int status;
    SG_REQUIRE(sg_wait_timeout(caller, &status, 10000) == 0,
               "inc_run_workers to return once the lock was free",
               "see the workers tests", "the student's inc_run_workers (2 workers x 50) had not "
               "returned 10 s after the lock was let go");
    int rc = *out_rc, err = *out_err;
    /* A stub, or workers that fail for another reason: the program's run shows it. */
    if (rc == -1 && err == ENOSYS) {
        munmap(inc_log, inc_log_size);
        inc_log = NULL;
        return;
    }
    SG_REQUIRE(rc == 0, "0 from the workers, which wait while another process holds the lock",
               "a worker that asks for the lock without waiting fails while someone else holds "
               "it: increment.h says how to wait" INC_AUDIT_SEE,
               "in %s, started while another process held the lock, inc_run_workers returned "
               "%d (errno %s)",
               what, rc, strerror(err));
    inc_require_audited(what);
}
