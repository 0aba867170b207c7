/*
 * tests.c — lab 02 public tests.
 *
 * The locking tests never guess from time whether a call is blocked: they
 * read /proc/locks, where the kernel lists each waiting request with its
 * type and byte range (inc_testlib.c).
 */
#include "inc_testlib.h"
#include "increment.h"
#include "sg_harness.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KERRISK(v0, v1) "Child started, value = " #v0 "\nIn parent, value = " #v1 "\n"

/* ---- the counter ---- */

SG_TEST(map_counter_shared)
{
    errno = 0;
    int *c = inc_map_counter(41);
    SG_REQUIRE(c != NULL, "the address of a shared int", "mmap(NULL, sizeof(int), PROT_READ | "
               "PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0), then compare with MAP_FAILED",
               "inc_map_counter(41) returned NULL (errno %s)", strerror(errno));
    SG_REQUIRE(*c == 41, "41", "store initial in the new memory", "the counter holds %d", *c);
    struct sg_mapping m;
    SG_SETUP(sg_find_mapping(getpid(), c, &m) == 0, "lookup in /proc/self/maps");
    SG_REQUIRE(m.perms[3] == 's' && m.perms[0] == 'r' && m.perms[1] == 'w',
               "a shared, readable and writable mapping (rw-s)",
               "MAP_SHARED, or the child's increment lands on a private copy",
               "the counter's mapping has flags %s", m.perms);

    /* A child of the test's increments it: the parent must see that. */
    fflush(NULL);
    pid_t pid = fork();
    SG_SETUP(pid != -1, "fork");
    if (pid == 0) {
        (*c)++;
        _exit(0);
    }
    int status;
    SG_SETUP(sg_wait_timeout(pid, &status, 5000) == 0, "waitpid");
    SG_REQUIRE(*c == 42, "42 after a child's increment", "the page must be MAP_SHARED",
               "the parent sees %d", *c);
}

SG_TEST(unmap_counter)
{
    int *c = inc_map_counter(0);
    SG_REQUIRE(c != NULL, "a counter", "inc_map_counter must work first", "NULL");
    int rc = inc_unmap_counter(c);
    SG_REQUIRE(rc == 0, "0", "munmap(counter, sizeof *counter)", "inc_unmap_counter returned %d (%s)",
               rc, strerror(errno));
    struct sg_mapping m;
    SG_REQUIRE(sg_find_mapping(getpid(), c, &m) == 1, "nothing mapped at the counter any more",
               "unmap the counter's page", "%#lx-%#lx %s is still mapped", (unsigned long)m.start,
               (unsigned long)m.end, m.perms);
}

SG_TEST(child_increments_kerrisk)
{
    int *c = inc_test_counter(1);
    FILE *out = sg_output_file();
    int seen = inc_child_increments(c, out);
    SG_REQUIRE_NOT_CHILD("inc_child_increments");
    SG_REQUIRE_NO_CHILDREN("inc_child_increments");
    size_t len;
    char *text = sg_file_contents(out, &len);
    SG_REQUIRE(seen == 2, "2: the value the parent sees after the child's increment",
               "the parent must wait for the child before it reads the counter",
               "inc_child_increments returned %d", seen);
    SG_REQUIRE(strcmp(text, KERRISK(1, 2)) == 0, sg_q(KERRISK(1, 2), strlen(KERRISK(1, 2))),
               "the child prints its line and flushes it before _exit; the parent prints "
               "after waitpid",
               "out held %s", sg_q(text, len));
    SG_REQUIRE(*c == 2, "the counter at 2", "increment it once, in the child",
               "the counter is %d", *c);
    free(text);
}

/* ---- the lock file ---- */

SG_TEST(lock_open_empty_0600)
{
    struct inc_lockfile lf;
    inc_lockfile_create(&lf);
    SG_SETUP(write(lf.fd, "stale contents", 14) == 14, "write");
    close(lf.fd);
    SG_SETUP(unlink(lf.path) == 0, "unlink");

    umask(022);
    int fd = inc_lock_open(lf.path);
    SG_REQUIRE(fd >= 0, "a descriptor", "open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)",
               "inc_lock_open returned %d (%s)", fd, strerror(errno));
    struct stat st;
    SG_SETUP(fstat(fd, &st) == 0, "fstat");
    SG_REQUIRE((st.st_mode & 07777) == 0600, "mode 0600", "pass 0600 as open's third argument",
               "the new lock file has mode %04o", (unsigned)(st.st_mode & 07777));
    int flags = fcntl(fd, F_GETFL);
    SG_REQUIRE((flags & O_ACCMODE) == O_RDWR, "a descriptor open for reading and writing",
               "F_WRLCK needs a descriptor open for writing and F_RDLCK one open for reading: "
               "use O_RDWR",
               "the descriptor's access mode is %s",
               (flags & O_ACCMODE) == O_RDONLY ? "O_RDONLY" : "O_WRONLY");
    close(fd);

    /* An existing file with contents is truncated. */
    fd = open(lf.path, O_WRONLY);
    SG_SETUP(fd != -1 && write(fd, "leftover", 8) == 8, "write");
    close(fd);
    fd = inc_lock_open(lf.path);
    SG_REQUIRE(fd >= 0, "a descriptor", "an existing lock file is opened again, not refused",
               "inc_lock_open on an existing file returned %d (%s)", fd, strerror(errno));
    SG_SETUP(fstat(fd, &st) == 0, "fstat");
    SG_REQUIRE(st.st_size == 0, "an empty file", "O_TRUNC empties an existing file",
               "the lock file holds %lld bytes", (long long)st.st_size);
}

/* ---- the locks ---- */

SG_TEST(locked_increment_waits_for_writer)
{
    struct inc_lockfile lf;
    inc_lockfile_create(&lf);
    int *c = inc_test_counter(0);
    struct inc_holder h;
    inc_hold(lf.path, F_WRLCK, 0, 1, &h);
    struct inc_call call;
    inc_start_call(INC_OP_INCREMENT, lf.fd, c, false, &call);
    inc_require_blocked(&call, "another process held a write lock on byte 0");
    SG_REQUIRE(*c == 0, "the counter untouched while the lock is held elsewhere",
               "increment only after fcntl has granted the lock", "the counter is %d", *c);
    inc_release(&h);
    inc_finish_call(&call);
    SG_REQUIRE(call.out->rc == 0 && *c == 1, "0, and the counter at 1",
               "once the lock is granted: increment, unlock, return 0",
               "inc_locked_increment returned %d; the counter is %d", call.out->rc, *c);
}

SG_TEST(locked_read_waits_for_writer)
{
    struct inc_lockfile lf;
    inc_lockfile_create(&lf);
    int *c = inc_test_counter(17);
    struct inc_holder h;
    inc_hold(lf.path, F_WRLCK, 0, 1, &h);
    struct inc_call call;
    inc_start_call(INC_OP_READ, lf.fd, c, false, &call);
    inc_require_blocked(&call, "another process held a write lock on byte 0");
    inc_release(&h);
    inc_finish_call(&call);
    SG_REQUIRE(call.out->rc == 0 && call.out->value == 17, "0, with *value = 17",
               "store *counter in *value while holding the read lock",
               "inc_locked_read returned %d with *value = %d", call.out->rc, call.out->value);
}

SG_TEST(readers_share_writers_wait)
{
    struct inc_lockfile lf;
    inc_lockfile_create(&lf);
    int *c = inc_test_counter(5);
    struct inc_holder h;
    inc_hold(lf.path, F_RDLCK, 0, 1, &h);

    struct inc_call reader;
    inc_start_call(INC_OP_READ, lf.fd, c, false, &reader);
    struct inc_waiter w = { "", "" };
    enum inc_state st = inc_wait_done_or_blocked(&reader, 5000, &w);
    char did[96];
    inc_describe(st, &w, did, sizeof did);
    SG_REQUIRE(st == INC_DONE, "the read to proceed: read locks are shared",
               "inc_locked_read must ask for F_RDLCK; a write lock (F_WRLCK) waits for every "
               "reader",
               "while another process held only a read lock, inc_locked_read %s", did);
    inc_finish_call(&reader);
    SG_REQUIRE(reader.out->rc == 0 && reader.out->value == 5, "0, with *value = 5",
               "store *counter in *value", "inc_locked_read returned %d with *value = %d",
               reader.out->rc, reader.out->value);

    struct inc_call writer;
    inc_start_call(INC_OP_INCREMENT, lf.fd, c, false, &writer);
    inc_require_blocked(&writer, "another process held a read lock on byte 0");
    inc_release(&h);
    inc_finish_call(&writer);
    SG_REQUIRE(*c == 6, "6", "increment once the lock is granted", "the counter is %d", *c);
}

SG_TEST(other_bytes_do_not_block)
{
    struct inc_lockfile lf;
    inc_lockfile_create(&lf);
    int *c = inc_test_counter(0);
    struct inc_holder h;
    inc_hold(lf.path, F_WRLCK, 1, 1, &h);
    struct inc_call call;
    inc_start_call(INC_OP_INCREMENT, lf.fd, c, false, &call);
    struct inc_waiter w = { "", "" };
    enum inc_state st = inc_wait_done_or_blocked(&call, 5000, &w);
    char did[96];
    inc_describe(st, &w, did, sizeof did);
    SG_REQUIRE(st == INC_DONE, "the increment to proceed: the lock on byte 1 is not in its way",
               strstr(w.range, "EOF") ? "l_len = 0 locks the whole file; lock byte 0 alone "
                                        "(l_start = 0, l_len = 1)"
                                      : "lock byte 0 alone: l_start = 0, l_len = 1",
               "while another process held byte 1 only, inc_locked_increment %s", did);
    inc_finish_call(&call);
    inc_release(&h);
    SG_REQUIRE(call.out->rc == 0 && *c == 1, "0 and the counter at 1", "increment under the lock",
               "returned %d; the counter is %d", call.out->rc, *c);
}

SG_TEST(locks_are_released)
{
    struct inc_lockfile lf;
    inc_lockfile_create(&lf);
    int *c = inc_test_counter(0);
    for (int i = 0; i < 3; i++)
        SG_REQUIRE(inc_locked_increment(lf.fd, c) == 0, "0", "lock, increment, unlock",
                   "inc_locked_increment failed: %s", strerror(errno));
    SG_REQUIRE(*c == 3, "3 after three increments", "one increment per call", "%d", *c);
    int err = inc_probe_lock(lf.path, F_WRLCK);
    SG_REQUIRE(err == 0, "another process can take the write lock at once",
               "release the lock before returning: F_UNLCK on the same byte",
               "after inc_locked_increment returned, another process's F_SETLK failed with %s",
               strerror(err));
    int value = -1;
    SG_REQUIRE(inc_locked_read(lf.fd, c, &value) == 0 && value == 3, "0 with *value = 3",
               "lock, read, unlock", "inc_locked_read gave %d (%s)", value, strerror(errno));
    err = inc_probe_lock(lf.path, F_WRLCK);
    SG_REQUIRE(err == 0, "another process can take the write lock at once",
               "release the read lock too before returning",
               "after inc_locked_read returned, another process's F_SETLK failed with %s",
               strerror(err));
    struct stat st;
    SG_SETUP(fstat(lf.fd, &st) == 0, "fstat");
    SG_REQUIRE(st.st_size == 0, "the lock file still empty",
               "the counter lives in shared memory; the file only carries the lock",
               "the lock file holds %lld bytes", (long long)st.st_size);
}

SG_TEST(interrupted_wait_is_retried)
{
    struct inc_call call;
    int *c;
    inc_require_retry_after_signal(INC_OP_INCREMENT, 0, &call, &c);
    SG_REQUIRE(call.out->rc == 0 && *c == 1, "0 and the counter at 1",
               "the retried lock is granted once the holder lets go",
               "returned %d; the counter is %d", call.out->rc, *c);
}

/* ---- the workers ---- */

SG_TEST(workers_locked_exact)
{
    struct inc_lockfile lf;
    inc_lockfile_create(&lf);
    int *c = inc_test_counter(0);
    int rc = inc_run_workers(c, lf.fd, 4, 10000);
    SG_REQUIRE_NOT_CHILD("inc_run_workers");
    SG_REQUIRE_NO_CHILDREN("inc_run_workers");
    SG_REQUIRE(rc == 0, "0", "every worker ends with _exit(0) after its increments",
               "inc_run_workers returned %d", rc);
    SG_REQUIRE(*c == 40000, "40000: 4 workers x 10000 locked increments, none lost",
               "every increment goes through inc_locked_increment when lockfd >= 0, and the "
               "parent waits for every worker before returning",
               "the counter is %d", *c);
}

static volatile sig_atomic_t inc_children_ended;

static void inc_on_sigchld(int sig)
{
    (void)sig;
    inc_children_ended = 1;
}

SG_TEST(workers_reaped_on_failure)
{
    /* A descriptor number that is not open: every locked increment fails. */
    int bad = dup(0);
    SG_SETUP(bad != -1 && close(bad) == 0, "dup/close");
    int *c = inc_test_counter(0);
    /* SIGCHLD tells that workers were really forked (and ended). */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = inc_on_sigchld;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    SG_SETUP(sigaction(SIGCHLD, &sa, NULL) == 0, "sigaction");
    int rc = inc_run_workers(c, bad, 3, 10);
    SG_REQUIRE_NOT_CHILD("inc_run_workers");
    SG_REQUIRE_NO_CHILDREN("inc_run_workers");
    SG_REQUIRE(inc_children_ended, "workers forked, failing, and reaped",
               "fork the workers even if they will fail: each finds out for itself",
               "inc_run_workers returned %d without forking a single worker", rc);
    SG_REQUIRE(rc == -1, "-1: the workers could not lock",
               "a worker whose inc_locked_increment fails ends with a non-zero status, and "
               "inc_run_workers returns -1 when any worker did",
               "inc_run_workers returned %d with a closed lock descriptor", rc);
}

/* ---- the program ---- */

SG_TEST(program_kerrisk)
{
    const char *args[] = { "increment", NULL };
    inc_require_program(args, KERRISK(1, 2),
                        "the child prints its line and flushes it before _exit; the parent "
                        "prints its own after waitpid");
}

SG_TEST(program_workers_locked)
{
    const char *args[] = { "increment", "--workers", "3", "--iters", "5000", NULL };
    inc_require_program(args, "final = 15000, expected = 15000\n",
                        "with a lock file, every increment goes through inc_locked_increment "
                        "and the parent waits for every worker");
}

SG_TEST(program_no_lock_loses_updates)
{
    /* Unlocked workers lose updates when the scheduler interleaves them,
     * which the default sizes make all but certain (see main.c). On a
     * machine loaded with other work, one run may still happen to run the
     * workers one after the other, so the test allows a few runs: every run
     * must report honestly (exit 3 exactly when updates were lost), and at
     * least one must lose updates. A worker loop that synchronises never
     * does. */
    const char *args[] = { "increment", "--no-lock", NULL };
    enum { RUNS = 5 };
    long final = -1, expected = -1;
    for (int attempt = 0; attempt < RUNS; attempt++) {
        struct sg_program_run run;
        sg_run_program(args, "", 0, 20000, &run);
        int n = sscanf(run.out, "final = %ld, expected = %ld\n", &final, &expected);
        bool lost = n == 2 && final < expected;
        SG_REQUIRE(n == 2 && WIFEXITED(run.status) && WEXITSTATUS(run.status) == (lost ? 3 : 0),
                   "\"final = X, expected = 40000000\", with exit status 3 when X < 40000000",
                   "with lockfd == -1 the workers touch no lock at all: each increment is a "
                   "load and a store through a volatile pointer; and the program exits 3 "
                   "exactly when updates were lost",
                   "`increment --no-lock` printed %s and ended with %s",
                   sg_q(run.out, run.out_len), sg_status_text(run.status));
        sg_program_run_free(&run);
        if (lost)
            return;
    }
    SG_FAIL("\"final = X, expected = 40000000\" with X < 40000000 in at least one of the runs",
            "with lockfd == -1 each worker must read and write the counter with no lock at all "
            "(through a volatile pointer, so that every increment is a load and a store); a "
            "lock or an atomic operation there hides the lesson",
            "in %d runs of `increment --no-lock`, no update was lost (the last printed "
            "\"final = %ld, expected = %ld\")",
            RUNS, final, expected);
}

const struct sg_test sg_public_tests[] = {
    SG_TEST_ENTRY(map_counter_shared),
    SG_TEST_ENTRY(unmap_counter),
    SG_TEST_ENTRY(child_increments_kerrisk),
    SG_TEST_ENTRY(lock_open_empty_0600),
    SG_TEST_ENTRY(locked_increment_waits_for_writer),
    SG_TEST_ENTRY(locked_read_waits_for_writer),
    SG_TEST_ENTRY(readers_share_writers_wait),
    SG_TEST_ENTRY(other_bytes_do_not_block),
    SG_TEST_ENTRY(locks_are_released),
    SG_TEST_ENTRY(interrupted_wait_is_retried),
    SG_TEST_ENTRY(workers_locked_exact),
    SG_TEST_ENTRY(workers_reaped_on_failure),
    SG_TEST_ENTRY(program_kerrisk),
    SG_TEST_ENTRY(program_workers_locked),
    SG_TEST_ENTRY(program_no_lock_loses_updates),
    SG_TESTS_END,
};
