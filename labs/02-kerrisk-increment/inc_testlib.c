/* inc_testlib.c — watching fcntl locks from outside; see inc_testlib.h. */
#include "inc_testlib.h"
#include "increment.h"
#include "sg_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

void inc_lockfile_create(struct inc_lockfile *lf)
{
    /* TMPDIR is the test's own folder where there is no sandbox: as deep
     * as the grader's scratch folder and the test's name make it (a 96-byte
     * buffer cut a long one, and mkdtemp failed: a correct student's test). */
    const char *tmp = getenv("TMPDIR");
    char dir[sizeof lf->path - sizeof "/lock"];
    int n = snprintf(dir, sizeof dir, "%s/inc-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    SG_SETUP(n > 0 && (size_t)n < sizeof dir, "a lock file path short enough");
    SG_SETUP(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(lf->path, sizeof lf->path, "%s/lock", dir);
    lf->fd = open(lf->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    SG_SETUP(lf->fd != -1, "open of the lock file");
}

int *inc_test_counter(int value)
{
    int *c = mmap(NULL, sizeof *c, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(c != MAP_FAILED, "mmap");
    *c = value;
    return c;
}

static int inc_setlk(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    int rc;
    do
        rc = fcntl(fd, cmd, &fl);
    while (rc == -1 && errno == EINTR);
    return rc;
}

void inc_hold(const char *path, short type, off_t start, off_t len, struct inc_holder *h)
{
    int ready[2], release[2];
    SG_SETUP(pipe(ready) == 0 && pipe(release) == 0, "pipe");
    fflush(NULL);
    h->pid = fork();
    SG_SETUP(h->pid != -1, "fork");
    if (h->pid == 0) {
        close(ready[0]);
        close(release[1]);
        int fd = open(path, O_RDWR);
        char ok = fd != -1 && inc_setlk(fd, F_SETLKW, type, start, len) == 0 ? 'y' : 'n';
        if (write(ready[1], &ok, 1) != 1)
            _exit(1);
        /* Hold the lock until the test writes a byte. (Not until EOF:
         * processes forked later inherit the pipe's write end, and EOF
         * would wait for all of them.) */
        char c;
        while (read(release[0], &c, 1) == -1 && errno == EINTR)
            ;
        _exit(0);
    }
    close(ready[1]);
    close(release[0]);
    char ok = 'n';
    SG_SETUP(read(ready[0], &ok, 1) == 1 && ok == 'y', "lock taken by the holder process");
    close(ready[0]);
    h->release_fd = release[1];
}

void inc_release(struct inc_holder *h)
{
    SG_SETUP(write(h->release_fd, "x", 1) == 1, "write to the lock holder");
    close(h->release_fd);
    int status;
    SG_SETUP(sg_wait_timeout(h->pid, &status, 5000) == 0, "waitpid for the lock holder");
}

int inc_probe_lock(const char *path, short type)
{
    fflush(NULL);
    pid_t pid = fork();
    SG_SETUP(pid != -1, "fork");
    if (pid == 0) {
        int fd = open(path, O_RDWR);
        if (fd == -1)
            _exit(255);
        _exit(inc_setlk(fd, F_SETLK, type, 0, 1) == 0 ? 0 : errno);
    }
    int status;
    SG_SETUP(sg_wait_timeout(pid, &status, 5000) == 0 && WIFEXITED(status) &&
                 WEXITSTATUS(status) != 255,
             "lock probe process");
    return WEXITSTATUS(status);
}

static struct inc_outcome *inc_handler_outcome;

static void inc_on_sigusr1(int sig)
{
    (void)sig;
    inc_handler_outcome->signals++;
}

const char *inc_op_name(enum inc_op op)
{
    return op == INC_OP_INCREMENT ? "inc_locked_increment" : "inc_locked_read";
}

static int inc_holds_a_lock(pid_t pid, const struct inc_file_id *id);

/* The calling process's counter and outcome, for inc_note_request. */
static int *inc_watched_counter;
static struct inc_outcome *inc_watched_outcome;
int inc_change_counter_at_unlock;

/* Notes each lock request the call makes, and the counter at each release, before it is made. */
static void inc_note_request(int fd, int cmd, const struct flock *fl)
{
    (void)fd;
    inc_watched_outcome->last_cmd = cmd;
    if (fl->l_type != F_UNLCK) {
        /* Only what SEEK_SET says for certain: elsewhere, the offset decides. */
        bool byte0 = fl->l_start <= 0 && (fl->l_len <= 0 || fl->l_start + fl->l_len > 0);
        inc_watched_outcome->last_elsewhere = fl->l_whence == SEEK_SET && !byte0;
        inc_watched_outcome->last_start = (long)fl->l_start;
        inc_watched_outcome->last_len = (long)fl->l_len;
    }
    if (fl->l_type == F_UNLCK) {
        inc_watched_outcome->unlocks++;
        inc_watched_outcome->counter_at_unlock = *inc_watched_counter;
        /* As a writer would, the moment the lock is let go. */
        if (inc_change_counter_at_unlock != 0)
            *inc_watched_counter = inc_change_counter_at_unlock;
    }
}

void inc_start_call(enum inc_op op, int lockfd, int *counter, bool sigusr1_handler,
                    struct inc_call *c)
{
    c->op = op;
    inc_file_id_of(lockfd, &c->lockfile);
    c->out = mmap(NULL, sizeof *c->out, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(c->out != MAP_FAILED, "mmap");
    memset(c->out, 0, sizeof *c->out);
    fflush(NULL);
    c->pid = fork();
    SG_SETUP(c->pid != -1, "fork");
    if (c->pid == 0) {
        if (sigusr1_handler) {
            inc_handler_outcome = c->out;
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = inc_on_sigusr1;
            sa.sa_flags = 0; /* no SA_RESTART: a blocked F_SETLKW fails with EINTR */
            sigemptyset(&sa.sa_mask);
            if (sigaction(SIGUSR1, &sa, NULL) == -1)
                _exit(2);
        }
        int value = -1;
        inc_watched_counter = counter;
        inc_watched_outcome = c->out;
        sg_watch_lock_requests(inc_note_request);
        errno = 0;
        int rc = op == INC_OP_INCREMENT ? inc_locked_increment(lockfd, counter)
                                        : inc_locked_read(lockfd, counter, &value);
        c->out->rc = rc;
        c->out->err = errno;
        c->out->value = value;
        sg_watch_lock_requests(NULL);
        /* Whether a lock is still this process's: a release the hook did
         * not see is then told from no release at all. */
        c->out->held_after = inc_holds_a_lock(getpid(), &c->lockfile);
        c->out->done = 1;
        _exit(0);
    }
}

/* One blocked request ("->") of /proc/locks. */
struct inc_lock_line {
    char type[8];           /* "READ" or "WRITE" */
    long pid;               /* -1 for an open file description lock */
    unsigned major, minor;  /* the file's device */
    unsigned long ino;      /* and inode */
    char range[48];         /* "0 0", "0 EOF" */
};

/* Parses a waiting request: "1: -> POSIX  ADVISORY  WRITE 1234 00:2a:9 0 0". 1 parsed, 0 not. */
static int inc_parse_waiter(const char *line, struct inc_lock_line *l)
{
    const char *arrow = strstr(line, "->");
    char kind[16], mode[16], start[20], end[20];
    if (arrow == NULL || sscanf(arrow + 2, "%15s %15s %7s %ld %x:%x:%lu %19s %19s", kind, mode,
                                l->type, &l->pid, &l->major, &l->minor, &l->ino, start,
                                end) != 9)
        return 0;
    snprintf(l->range, sizeof l->range, "%s %s", start, end);
    return 1;
}

void inc_file_id_of(int fd, struct inc_file_id *id)
{
    memset(id, 0, sizeof *id);
    struct stat st;
    if (fstat(fd, &st) == -1)
        return; /* a descriptor that is not open (a test of the call's errors) names no file */
    id->major = major(st.st_dev);
    id->minor = minor(st.st_dev);
    id->ino = (unsigned long)st.st_ino;
    id->known = true;
    /* /proc/locks names the file system's own device, which stat does not
     * give on btrfs (a subvolume's): the mount's, from mountinfo, does. */
    char file[32], text[16384];
    snprintf(file, sizeof file, "fdinfo/%d", fd);
    const char *at;
    int mnt;
    if (sg_task_read(getpid(), 0, file, text, sizeof text) == -1 ||
        (at = strstr(text, "mnt_id:")) == NULL || sscanf(at, "mnt_id: %d", &mnt) != 1 ||
        sg_task_read(getpid(), 0, "mountinfo", text, sizeof text) == -1)
        return;
    /* "36 25 0:32 / /tmp rw,... ": mount id, parent id, major:minor */
    for (const char *line = text; line != NULL && *line != '\0';
         line = (at = strchr(line, '\n')) != NULL ? at + 1 : NULL) {
        int here, parent;
        unsigned maj, min;
        if (sscanf(line, "%d %d %u:%u", &here, &parent, &maj, &min) == 4 && here == mnt) {
            id->major = maj;
            id->minor = min;
            return;
        }
    }
}

/*
 * Whether a request waits on the file id names, by a process of this
 * test. The device counts as much as the inode: /proc/locks lists open
 * file description locks (pid -1) of every sandbox on the machine, and
 * another sandbox's fresh tmpfs has the same small inode numbers as ours.
 * A process of another sandbox never shows here with a pid of its own.
 */
static bool inc_waits_on(const struct inc_lock_line *l, const struct inc_file_id *id)
{
    return id->known && l->pid > 0 && l->major == id->major && l->minor == id->minor &&
           l->ino == id->ino;
}

/* Parses a lock held: "1: POSIX  ADVISORY  READ 1234 00:2a:9 0 0". 1 parsed, 0 not (a waiter's too). */
static int inc_parse_held(const char *line, struct inc_lock_line *l)
{
    const char *colon = strchr(line, ':');
    char kind[16], mode[16], start[20], end[20];
    if (colon == NULL || strstr(line, "->") != NULL ||
        sscanf(colon + 1, "%15s %15s %7s %ld %x:%x:%lu %19s %19s", kind, mode, l->type, &l->pid,
               &l->major, &l->minor, &l->ino, start, end) != 9)
        return 0;
    snprintf(l->range, sizeof l->range, "%s %s", start, end);
    return 1;
}

/* Whether pid holds a lock (any type, any bytes) on the file id names: 1 yes, 0 no or unknown. */
static int inc_holds_a_lock(pid_t pid, const struct inc_file_id *id)
{
    FILE *f = fopen("/proc/locks", "re");
    if (f == NULL)
        return 0;
    char line[256];
    int found = 0;
    struct inc_lock_line l;
    while (!found && fgets(line, sizeof line, f) != NULL)
        found = inc_parse_held(line, &l) && l.pid == (long)pid && inc_waits_on(&l, id);
    fclose(f);
    return found;
}

/* Finds pid's blocked request on the file id names: 1 found, 0 not, -1 error. */
static int inc_find_waiter(pid_t pid, const struct inc_file_id *id, struct inc_waiter *w)
{
    FILE *f = fopen("/proc/locks", "re");
    if (f == NULL)
        return -1;
    char line[256];
    int found = 0;
    struct inc_lock_line l;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        if (!inc_parse_waiter(line, &l) || l.pid != (long)pid || !inc_waits_on(&l, id))
            continue;
        snprintf(w->type, sizeof w->type, "%s", l.type);
        snprintf(w->range, sizeof w->range, "%s", l.range);
        found = 1;
    }
    fclose(f);
    return found;
}

enum inc_state inc_wait_done_or_blocked(const struct inc_call *c, int timeout_ms,
                                        struct inc_waiter *w)
{
    for (double end = sg_deadline_in_ms(timeout_ms);; sg_nap_ms(INC_LOOK_MS)) {
        bool last = !sg_before(end);
        if (c->out->done)
            return INC_DONE;
        int found = inc_find_waiter(c->pid, &c->lockfile, w);
        SG_SETUP(found != -1, "read of /proc/locks");
        if (found)
            return INC_BLOCKED;
        /* The process may also have ended without returning from the call;
         * WNOWAIT leaves it for inc_finish_call to reap and report. */
        if (sg_process_ended(c->pid))
            return INC_DONE;
        if (last)
            return c->out->done ? INC_DONE : INC_STUCK;
    }
}

void inc_describe(enum inc_state st, const struct inc_waiter *w, char *text, size_t cap)
{
    char start[20] = "", end[20] = "";
    /* /proc/locks's "0 EOF" said as words (a student-kit review). */
    bool parsed = sscanf(w->range, "%19s %19s", start, end) == 2;
    if (st == INC_BLOCKED && parsed && strcmp(end, "EOF") == 0)
        snprintf(text, cap, "waited for a %s lock from byte %s to the end of the file",
                 w->type, start);
    else if (st == INC_BLOCKED && parsed && strcmp(start, end) == 0)
        snprintf(text, cap, "waited for a %s lock on byte %s", w->type, start);
    else if (st == INC_BLOCKED && parsed)
        snprintf(text, cap, "waited for a %s lock on bytes %s to %s", w->type, start, end);
    else if (st == INC_BLOCKED)
        snprintf(text, cap, "waited for a %s lock on bytes %s", w->type, w->range);
    else if (st == INC_STUCK)
        snprintf(text, cap, "neither returned nor waited for a lock within 5 s");
    else
        snprintf(text, cap, "returned");
}

void inc_finish_call(struct inc_call *c)
{
    int status;
    int rc = sg_wait_timeout(c->pid, &status, 5000);
    if (rc == 1) {
        kill(c->pid, SIGKILL);
        sg_wait_timeout(c->pid, &status, 5000);
    }
    SG_REQUIRE_RETURNED(rc == 0, "the call to return once the lock is free",
               "the lock was free again, yet the call did not return. What does your code "
               "wait for once fcntl has granted the lock?",
               "%s had not returned 5 s after the lock was released", inc_op_name(c->op));
    SG_REQUIRE(c->out->done && WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "the call to return",
               WIFSIGNALED(status) ? "a signal killed the process inside the call: a crash "
                                     "(SIGSEGV) is a pointer used wrongly. Which pointer does "
                                     "the call use?"
                                   : "a lab function ended the process: only main decides to "
                                     "exit. Which call in yours ends the process?",
               "the process calling %s ended with %s before the call returned",
               inc_op_name(c->op), sg_status_text(status));
}

void inc_require_release_seen(const struct inc_call *c)
{
    const char *name = inc_op_name(c->op);
    SG_REQUIRE(c->out->unlocks > 0 || c->out->held_after,
               "the lock released with F_UNLCK, a release the grader can place before or after "
               "the counter's access",
               c->out->last_cmd == 0
                   ? "the grader saw no lock asked for, through fcntl or lockf, and none was held "
                     "once the call returned. Where does the call take its lock, and how does it "
                     "let go of it? flock's locks are another kind, not the record locks of the "
                     "recipe. See man 2 fcntl: Advisory record locking"
                   : "the lock was free once the call returned, yet no release was asked for "
                     "through fcntl (F_UNLCK) or lockf. A lock let go another way, by closing a "
                     "descriptor of the lock file or by a raw system call, cannot be placed "
                     "before or after the access to the counter, so the grader cannot tell that "
                     "the access was made under the lock. How does the recipe release it? See "
                     "man 2 fcntl",
               "%s returned %d and held no lock afterwards, but the grader saw no release of "
               "its lock",
               name, c->out->rc);
}

void inc_require_blocked(const struct inc_call *c, const char *holder)
{
    struct inc_waiter w = { "", "" };
    const char *name = inc_op_name(c->op);
    const char *want = c->op == INC_OP_INCREMENT ? "WRITE" : "READ";
    enum inc_state st = inc_wait_done_or_blocked(c, 5000, &w);
    /* An open file description lock: seccomp refuses it (EPERM); where
     * there is no filter, it waits with no pid in /proc/locks, and is
     * stuck here after 5 s. Either way, the lesson is the kind of lock. */
    int cmd = c->out->last_cmd;
    SG_REQUIRE(cmd != F_OFD_SETLKW && cmd != F_OFD_SETLK,
               "the call to wait for a lock of its process (F_SETLKW)",
               INC_OFD_HINT, "%s asked for an open file description lock (%s) while %s: %s", name,
               cmd == F_OFD_SETLKW ? "F_OFD_SETLKW" : "F_OFD_SETLK", holder,
               st == INC_STUCK ? "it waited" : c->out->rc == -1 ? strerror(c->out->err)
                                                               : "it returned");
    SG_REQUIRE(st != INC_STUCK, "the call to wait for the lock",
               "the call neither waited for the lock in the kernel nor returned. Does it loop, "
               "asking again and again until the lock is free, with or without a nap between "
               "tries? Without one it burns a CPU, with one it is late, and either way the "
               "kernel never hands it the lock in turn: which fcntl command sleeps until the "
               "lock is free? See man 2 fcntl",
               "%s neither returned nor waited for a lock within 5 s while %s", name, holder);
    if (st == INC_DONE && !c->out->done)
        inc_finish_call((struct inc_call *)c); /* it ended without returning: says how */
    if (st == INC_DONE) {
        int err = c->out->err;
        bool nowait = c->out->rc == -1 && (err == EAGAIN || err == EACCES);
        SG_FAIL("the call to wait (F_SETLKW) until the lock on byte 0 is free",
                nowait ? "F_SETLK gives up at once (EAGAIN or EACCES) when another process "
                         "holds the lock. Which fcntl command waits for it instead? See man 2 "
                         "fcntl"
                : c->out->rc == -1 && err == ENOSYS ? "ENOSYS is what the skeleton sets: the "
                                                      "function is not written yet"
                : c->out->rc == -1 ? "fcntl refused the request. Which field of the struct "
                                     "flock, or which argument, does its errno point at? See man "
                                     "2 fcntl: ERRORS"
                : c->out->last_cmd == F_SETLKW && c->out->last_elsewhere
                    ? "the call asked with F_SETLKW, and was granted at once: the bytes it "
                      "asked for leave out byte 0, where the other process held its lock. "
                      "increment.h's lock is on byte 0 alone: which bytes does your struct "
                      "flock name? See man 2 fcntl: Advisory record locking"
                                   : "the call returned while another process held a write lock "
                                     "on byte 0: it never asked for a lock that conflicts. Which "
                                     "lock does the recipe take before touching the counter? "
                                     "(flock's locks are another kind, which an fcntl record "
                                     "lock neither sees nor waits for)",
                "%s returned %d (errno %s) while %s%s", name, c->out->rc,
                err ? strerror(err) : "0", holder,
                c->out->last_cmd == F_SETLKW && c->out->last_elsewhere ? ", its lock asked for "
                                                                         "other bytes" : "");
    }
    SG_REQUIRE(strcmp(w.type, want) == 0,
               c->op == INC_OP_INCREMENT ? "a request for a write lock (F_WRLCK)"
                                         : "a request for a read lock (F_RDLCK)",
               c->op == INC_OP_INCREMENT
                   ? "an increment writes the counter, so it needs the lock that excludes every "
                     "other process. Which lock type is that? See man 2 fcntl: Advisory record "
                     "locking"
                   : "a read takes the lock that many readers may hold at once. Which lock type "
                     "is that? See man 2 fcntl: Advisory record locking",
               "%s waits for a %s lock", name, w.type);
    /* Which bytes it asks for is other_bytes_do_not_block's to grade: a lock on the
     * whole file waits as it should here, and cost six tests for one rule. */
}

void inc_require_retry_after_signal(enum inc_op op, int initial, struct inc_call *call,
                                    int **counter)
{
    struct inc_lockfile lf;
    inc_lockfile_create(&lf);
    int *c = inc_test_counter(initial);
    struct inc_holder h;
    inc_hold(lf.path, F_WRLCK, 0, 1, &h);
    inc_start_call(op, lf.fd, c, true, call);
    inc_require_blocked(call, "another process held a write lock on byte 0");

    /* The signal's handler runs, and F_SETLKW fails with EINTR: the lock
     * was not granted, so a correct call asks again and waits again. */
    SG_SETUP(kill(call->pid, SIGUSR1) == 0, "kill");
    for (double end = sg_deadline_in_ms(5000); call->out->signals == 0 && sg_before(end);)
        usleep(1000);
    /* Never delivered: the call blocked the caller's signals while it
     * waited (a student's review: "tell your instructor", and 0 points). */
    SG_REQUIRE(call->out->signals == 1, "the test's SIGUSR1 handled while the call waits",
               "the signal stayed pending: it was blocked during the wait. The call must let "
               "the caller's signals in, and ask for the lock again after one interrupts "
               "F_SETLKW (EINTR), not shut them out. See man 2 sigprocmask and man 7 signal",
               "%s: SIGUSR1 was sent and its handler had not run 5 s later", inc_op_name(op));
    struct inc_waiter w = { "", "" };
    enum inc_state st = inc_wait_done_or_blocked(call, 5000, &w);
    SG_REQUIRE(st == INC_BLOCKED, "the call to wait for the lock again",
               call->out->done && call->out->rc == 0
                   ? "the call returned 0 after the signal, without the lock: fcntl had failed "
                     "with EINTR. Does your code look at what fcntl returned?"
                   : "a signal handler ran while F_SETLKW slept, and fcntl failed with EINTR: "
                     "the lock was not granted. What should the call do then? See man 7 signal: "
                     "Interruption of system calls",
               "after a signal, while the lock was still taken, %s %s (rc %d, errno %s)",
               inc_op_name(op), call->out->done ? "returned" : "neither waited nor returned",
               call->out->rc, strerror(call->out->err));
    SG_REQUIRE(*c == initial, "the counter untouched while the lock is held elsewhere",
               "the counter changed while another process held the lock: the access ran "
               "although fcntl had failed. Does your code check fcntl's result first?",
               "the counter is %d", *c);
    inc_release(&h);
    inc_finish_call(call);
    *counter = c;
}

void inc_require_program(const char *const args[], const char *want, const char *out_hint)
{
    struct sg_program_expect e = {
        .timeout_ms = 20000, .status = 0, .out = want,
        .hang_hint = "a worker that never ends, or a wait for a child that is not there. Run "
                     "the program by hand and see which process is left",
        .status_hint = "exit status 3 is main.c's own: the workers ran, and the final count "
                       "(on stdout) came out short, so updates were lost; see the workers "
                       "tests. Any other status is a lab function that failed: main.c names it "
                       "on stderr, and that function's tests say why",
        .out_hint = out_hint,
    };
    sg_require_program(args, &e);
}

void inc_require_no_children(const char *call)
{
    pid_t pid = 0;
    enum sg_children st = sg_children_state(&pid);
    inc_require_children_gone(st, pid, call);
}

void inc_require_children_gone(enum sg_children st, pid_t pid, const char *call)
{
    SG_SETUP(st != SG_CHILDREN_ERROR, "waitid");
    SG_REQUIRE(st != SG_CHILD_RUNNING, "no child process left once the call has returned",
               "the parent returned while a child was still running. Which call makes it wait "
               "for each child it forked? See man 2 waitpid",
               "a child process was still running after %s returned", call);
    SG_REQUIRE(st != SG_CHILD_ZOMBIE, "no child process left once the call has returned",
               "a child that has ended stays a zombie until its parent waits for it. Does the "
               "parent wait for every child it forked, also when one of them failed?",
               "a child (pid %ld) had ended but was never waited for: a zombie, after %s",
               (long)pid, call);
}

void inc_reap_left_children(void)
{
    for (double end = sg_deadline_in_ms(3000); sg_before(end);) {
        pid_t w = waitpid(-1, NULL, WNOHANG);
        if (w == -1 && errno != EINTR)
            return; /* ECHILD: none left */
        if (w == 0)
            sg_nap_ms(1);
    }
}

void inc_require_forked(int before, int want, const char *fn, int rc)
{
    int made = sg_forks_made() - before;
    SG_REQUIRE(made >= want, want > 1 ? "a process of its own for each worker" : "a child process",
               "how the children end is what this test looks at, and the call made too few to "
               "look at: the increments belong in processes that fork made. See the first tests "
               "of the function",
               "%s returned %d, having made %d process%s", fn, rc, made < 0 ? 0 : made,
               made == 1 ? "" : "es");
}

static volatile int *inc_exit_count;

static void inc_count_exit_handlers(void)
{
    if (getpid() != sg_test_pid() && inc_exit_count != NULL)
        __atomic_add_fetch(inc_exit_count, 1, __ATOMIC_RELAXED);
}

void inc_watch_exit_handlers(void)
{
    if (inc_exit_count == NULL) {
        void *p = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                       -1, 0);
        SG_SETUP(p != MAP_FAILED, "mmap");
        inc_exit_count = p;
        SG_SETUP(atexit(inc_count_exit_handlers) == 0, "atexit");
    }
    *inc_exit_count = 0;
}

int inc_exit_handlers_run(void)
{
    return inc_exit_count != NULL ? *inc_exit_count : 0;
}

int inc_count_waiters(const struct inc_file_id *id, const char *type)
{
    FILE *f = fopen("/proc/locks", "re");
    SG_SETUP(f != NULL, "read of /proc/locks");
    char line[256];
    int n = 0;
    struct inc_lock_line l;
    while (fgets(line, sizeof line, f) != NULL)
        if (inc_parse_waiter(line, &l) && inc_waits_on(&l, id) && strcmp(l.type, type) == 0)
            n++;
    fclose(f);
    return n;
}

int inc_closed_fd(void)
{
    for (int fd = 100; fd < 200; fd++)
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF)
            return fd;
    SG_SETUP(false, "search for a closed descriptor");
    return -1;
}

int inc_read_only_lock_fd(void)
{
    struct inc_lockfile lf;
    inc_lockfile_create(&lf);
    int fd = open(lf.path, O_RDONLY | O_CLOEXEC);
    SG_SETUP(fd != -1, "open");
    return fd;
}

void inc_child_naps(void)
{
    sg_nap_ms(250);
}

const char *inc_failed_call_hint(const struct inc_call *c)
{
    int cmd = c->out->last_cmd;
    if (c->out->rc == -1 && c->out->err == ENOSYS)
        return c->op == INC_OP_INCREMENT ? INC_NOT_WRITTEN("inc_locked_increment")
                                         : INC_NOT_WRITTEN("inc_locked_read");
    if (cmd == F_OFD_SETLKW || cmd == F_OFD_SETLK)
        return INC_OFD_HINT;
    if (c->out->rc != 0)
        return "with nobody else near the lock file the lock is granted at once. Which step "
               "failed (lock, access, unlock), and what does its errno say? See man 2 fcntl";
    return NULL;
}
