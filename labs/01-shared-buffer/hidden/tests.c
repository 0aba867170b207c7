/*
 * hidden/tests.c — lab 01 hidden tests: the instructor's, not in the student kit.
 * Edge cases a student who only ran the public tests may have missed.
 */
#include "sg_stub.h"
#include "sg_harness.h"
#include "sb_testlib.h"
#include "shared_buffer.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

SG_TEST(map_full_size)
{
    char *buf = sb_map_checked(SB_NUM_PAGES, SB_SHARED, "sb_map(SB_NUM_PAGES, SB_SHARED)");
    sb_require_mapping(buf, SB_NUM_PAGES, 's', true);
    size_t last = (size_t)SB_NUM_PAGES * (size_t)sg_page_size() - 1;
    SG_REQUIRE(buf[last] == 0, "the last byte zero",
               "anonymous memory is zero-filled to its last byte. Is the whole length mapped?",
               "byte %zu is %d", last, buf[last]);
}

SG_TEST(map_bad_sharing)
{
    errno = 0;
    char *buf = sb_map(1, (enum sb_sharing)7);
    int err = errno;
    SG_REQUIRE(buf == NULL && err == EINVAL, "NULL with errno EINVAL",
               err == ENOSYS ? SG_NOT_WRITTEN("sb_map")
                             : "shared_buffer.h lists two sharing modes, and says what an "
                               "unknown one gives. Does your code treat every value that is "
                               "not SB_SHARED as SB_PRIVATE?",
               "sb_map(1, 7) returned %p with errno %d (%s)", (void *)buf, err, strerror(err));
}

SG_TEST(read_line_exact_fit)
{
    char buf[6];
    FILE *in = sg_input_file("hello\nx\n", 8);
    sb_require_line(buf, sizeof buf, in, "hello", "a line of exactly cap - 1 characters");
    sb_require_line(buf, sizeof buf, in, "x",
                    "the next line (a line that just fits must not leave its newline behind "
                    "as an empty line)");
    fclose(in);
}

SG_TEST(read_line_cap_one)
{
    char buf[8];
    FILE *in = sg_input_file("abc\nxy\n", 7);
    sb_require_line(buf, 1, in, "", "cap 1: room for the NUL only");
    sb_require_line(buf, sizeof buf, in, "xy", "the line after it");
    fclose(in);
}

SG_TEST(read_line_cap_zero)
{
    char buf[4] = "###";
    FILE *in = sg_input_file("abc\nxy\n", 7);
    long n = sb_read_line(buf, 0, in);
    SG_REQUIRE(buf[0] == '#', "nothing written into buf: cap 0 leaves no room, not even for the NUL",
               "with cap 0 the buffer has no byte at all. Which of your writes into buf happen "
               "even then?",
               "sb_read_line(buf, 0, in) wrote %s at buf[0]", sg_q(buf, 1));
    SG_REQUIRE(n == 0, "0: a line was read, and no byte stored",
               "a line was there, so this is not end of input, and nothing fit in it",
               "sb_read_line(buf, 0, in) returned %ld", n);
    sb_require_line(buf, sizeof buf, in, "xy", "the line after it");
    fclose(in);
}

/* A stream that gives "abc" and then fails with EIO, as a disk or a terminal can. */
static ssize_t sb_failing_read(void *cookie, char *out, size_t size)
{
    int *calls = cookie;
    if ((*calls)++ > 0 || size < 3) {
        errno = EIO;
        return -1;
    }
    memcpy(out, "abc", 3);
    return 3;
}

SG_TEST(read_line_read_error)
{
    int calls = 0;
    cookie_io_functions_t io = { .read = sb_failing_read };
    FILE *in = fopencookie(&calls, "r", io);
    SG_SETUP(in != NULL, "fopencookie");
    char buf[16];
    memset(buf, 'X', sizeof buf);
    long n = sb_read_line(buf, sizeof buf, in);
    SG_REQUIRE(n == -1 && buf[0] == '\0', "-1 with buf set to \"\"",
               "getc returns EOF both at end of input and on a read error. Which function tells "
               "the two apart, and does your code ask it? See man 3 ferror",
               "after \"abc\" the stream failed with EIO, and sb_read_line returned %ld with buf "
               "= %s",
               n, sg_q(buf, strnlen(buf, sizeof buf)));
    fclose(in);
}

SG_TEST(exchange_long_line)
{
    const size_t npages = 100;
    size_t cap = npages * (size_t)sg_page_size();
    size_t len = 200000;
    char *line = malloc(len + 2);
    SG_SETUP(line != NULL, "malloc");
    for (size_t i = 0; i < len; i++)
        line[i] = (char)('a' + i % 26);
    line[len] = '\n';
    line[len + 1] = '\0';
    char *buf = sb_map_checked(npages, SB_SHARED, "sb_map(100, SB_SHARED)");
    struct sb_exchange_run r;
    sb_run_exchange(buf, cap, line, NULL, &r);
    sb_require_status(&r, 0, "the child read a line");
    SG_REQUIRE(strlen(buf) == len && memcmp(buf, line, len) == 0,
               "the whole 200000-byte line in buf",
               "the line fits in cap, so all of it must reach the parent. Does the child read "
               "into buf with the cap it was given, or into something smaller?",
               "the parent saw %zu bytes", strnlen(buf, cap));
    free(r.out);
    free(line);
}

SG_TEST(exchange_bounded)
{
    /* The child may store at most cap bytes: the rest of the shared pages,
     * which the parent can see, must stay untouched. */
    char *buf = sb_map_checked(2, SB_SHARED, "sb_map(2, SB_SHARED)");
    size_t total = 2 * (size_t)sg_page_size();
    memset(buf, '#', total);
    char line[5002];
    memset(line, 'q', 5000);
    line[5000] = '\n';
    line[5001] = '\0';
    struct sb_exchange_run r;
    sb_run_exchange(buf, 100, line, NULL, &r);
    sb_require_status(&r, 0, "the child read a line");
    for (size_t i = 100; i < total; i++)
        SG_REQUIRE(buf[i] == '#', "no byte past cap written",
                   "sb_exchange got cap 100, a bound smaller than the mapping. Which bound does "
                   "the child pass on to sb_read_line?",
                   "byte %zu was overwritten with %s", i, sg_q(&buf[i], 1));
    SG_REQUIRE(strnlen(buf, 100) == 99, "99 characters and a NUL in the first 100 bytes",
               "with cap 100, the first 99 characters of the line fit beside the NUL",
               "buf holds %zu characters", strnlen(buf, total));
    free(r.out);
}

SG_TEST(exchange_wait_fails)
{
    /* With SIGCHLD ignored, the kernel reaps children itself: waitpid
     * sleeps until the child has ended, then fails with ECHILD. */
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    SG_SETUP(sigaction(SIGCHLD, &ign, NULL) == 0, "sigaction");
    char *buf = sb_map_checked(1, SB_SHARED, "sb_map(1, SB_SHARED)");
    struct sb_exchange_run r;
    sb_run_exchange(buf, (size_t)sg_page_size(), "x\n", NULL, &r);
    SG_REQUIRE(r.status == -1 && r.err == ECHILD, "-1 with errno ECHILD, as waitpid failed",
               "when waitpid fails there is no status to return, and the status variable holds "
               "whatever it held before. What does shared_buffer.h ask for when wait fails? "
               "Does your code look at what waitpid returned?",
               "the caller ignores SIGCHLD, so waitpid failed with ECHILD, and sb_exchange "
               "returned %d (errno %s)",
               r.status, strerror(r.err));
    free(r.out);
}

/* ---- a signal while the parent waits ---- */

struct sb_caller {                 /* shared between the test and the calling process */
    volatile int handled;          /* SIGUSR1 deliveries the caller's handler saw */
    volatile int done;             /* sb_exchange returned in the caller */
    volatile int stray;            /* sb_exchange returned in a process that is not the caller */
    int status, err;
    char buf[64];
};

static struct sb_caller *sb_caller_state;

static void sb_on_sigusr1(int sig)
{
    (void)sig;
    sb_caller_state->handled++;
}

static bool sb_in_wait(long nr)
{
#ifdef SYS_wait4
    if (nr == SYS_wait4)
        return true;
#endif
    return nr == SYS_waitid;
}

SG_TEST(exchange_wait_interrupted)
{
    /* A process of the test's calls sb_exchange with a SIGUSR1 handler
     * installed without SA_RESTART. Its child blocks reading a pipe; once
     * /proc says the caller sleeps in waitpid, the test sends SIGUSR1, which
     * makes waitpid fail with EINTR, and only then writes the line. */
    struct sb_caller *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
                                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(sh != MAP_FAILED, "mmap");
    memset(sh, 0, sizeof *sh);
    char *buf = sb_map_checked(1, SB_SHARED, "sb_map(1, SB_SHARED)");
    int p[2];
    SG_SETUP(pipe(p) == 0, "pipe");
    fflush(NULL);
    pid_t caller = fork();
    SG_SETUP(caller != -1, "fork");
    if (caller == 0) {
        close(p[1]);
        sb_caller_state = sh;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = sb_on_sigusr1;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGUSR1, &sa, NULL) == -1)
            _exit(2);
        FILE *in = fdopen(p[0], "r");
        FILE *out = tmpfile();
        if (in == NULL || out == NULL)
            _exit(2);
        pid_t me = getpid();
        errno = 0;
        int status = sb_exchange(buf, (size_t)sg_page_size(), in, out);
        int err = errno;
        if (getpid() != me) {
            sh->stray = 1;
            _exit(1);
        }
        sh->status = status;
        sh->err = err;
        memcpy(sh->buf, buf, sizeof sh->buf - 1);
        sh->done = 1;
        _exit(0);
    }
    close(p[0]);
    bool waiting = false;
    struct timespec ms = { 0, 1000000 };
    double end = sg_deadline_in_ms(5000);
    while (!waiting && !sh->done && !sg_process_ended(caller) && sg_before(end)) {
        waiting = sb_in_wait(sg_task_syscall(caller, 0, NULL));
        if (!waiting)
            nanosleep(&ms, NULL);
    }
    if (waiting) {
        SG_SETUP(kill(caller, SIGUSR1) == 0, "kill");
        end = sg_deadline_in_ms(5000);
        while (sh->handled == 0 && !sg_process_ended(caller) && sg_before(end))
            nanosleep(&ms, NULL);
    }
    SG_SETUP(write(p[1], "line\n", 5) == 5, "write to the pipe");
    close(p[1]);
    int wstatus;
    int rc = sg_wait_timeout(caller, &wstatus, 5000);
    if (rc == 1)
        kill(caller, SIGKILL);
    SG_REQUIRE(rc == 0, "sb_exchange to return once the child has read its line",
               "after the signal, the child read its line and ended, yet the parent never "
               "returned. Does the parent still wait for that child?",
               "sb_exchange had not returned 5 s after the line was written");
    SG_REQUIRE(!sh->stray, "only the caller to return from sb_exchange",
               "a child came back from sb_exchange. How does the child's branch end?",
               "a child process returned from sb_exchange");
    SG_REQUIRE(sh->done, "sb_exchange to return",
               "the process calling sb_exchange ended inside it. Only main decides to exit",
               "the process calling sb_exchange ended with %s", sg_status_text(wstatus));
    SG_REQUIRE(!waiting || sh->status != -1 || sh->err != EINTR,
               "0: the parent waits again when a signal interrupts waitpid",
               "a signal handler ran while the parent slept in waitpid, so waitpid failed with "
               "EINTR. The child was still running. What should the parent do then? See man 7 "
               "signal: Interruption of system calls",
               "sb_exchange returned -1 with errno EINTR after a signal handler ran");
    /* The line as the reading tests want it is theirs to grade: "line"
     * with its newline kept still shows the child's line reached the
     * parent (a class review: that mistake failed this test, whose report
     * then blamed the wait). */
    SG_REQUIRE(sh->status == 0 && strncmp(sh->buf, "line", 4) == 0,
               "0, with the parent seeing \"line\"",
               "the child read \"line\" and ended with status 0. What did the parent return, "
               "and why?",
               "sb_exchange returned %d%s%s with buf = %s", sh->status,
               sh->status == -1 ? ", errno " : "", sh->status == -1 ? strerror(sh->err) : "",
               sg_q(sh->buf, strnlen(sh->buf, sizeof sh->buf)));
}

SG_TEST(exchange_waits_for_its_own_child)
{
    /* The caller already has a child of its own, which has ended with
     * status 7 and not been waited for. sb_exchange must wait for the child
     * it forked, and leave the caller's child to the caller. */
    char *buf = sb_map_checked(1, SB_SHARED, "sb_map(1, SB_SHARED)");
    pid_t other = sg_fork_ended_child(7);
    FILE *in = sg_input_file("line\n", 5);
    FILE *out = sg_output_file();
    errno = 0;
    int status = sb_exchange(buf, (size_t)sg_page_size(), in, out);
    int err = errno;
    SG_REQUIRE_NOT_CHILD("sb_exchange");
    SG_REQUIRE(sg_ended_child_kept(other, 7), "0, and the caller's other child (ended, status 7) left for the caller "
               "to wait for",
               "the caller had another child, which had already ended with status 7, and it "
               "was reaped inside sb_exchange. Which child does your parent wait for: the one "
               "fork returned, or any child? See man 2 waitpid",
               "sb_exchange returned %d, and the caller's own child could no longer be waited "
               "for", status);
    /* The line's exact form is the reading tests' to grade (see exchange_wait_interrupted). */
    SG_REQUIRE(status == 0 && strncmp(buf, "line", 4) == 0, "0, with the parent seeing \"line\"",
               "the child read \"line\" and ended with status 0, while the caller's other "
               "child had ended with status 7. Whose status did sb_exchange return?",
               "sb_exchange returned %d%s%s with buf = %s", status, status == -1 ? ", errno " : "",
               status == -1 ? strerror(err) : "", sg_q(buf, strnlen(buf, 16)));
    /* The caller's own child is reaped now: any child left is sb_exchange's
     * (a parent that never waits may still see "line", by a race). */
    sb_require_no_children("sb_exchange");
    fclose(in);
    fclose(out);
}

/* ---- the program ---- */

SG_TEST(program_long_line)
{
    size_t len = 30000;
    char *line = malloc(len + 2);
    SG_SETUP(line != NULL, "malloc");
    memset(line, 'z', len);
    line[len] = '\n';
    line[len + 1] = '\0';
    char *want = malloc(strlen(SB_PROMPT) + len + 2);
    SG_SETUP(want != NULL, "malloc");
    strcpy(want, SB_PROMPT);
    strcat(want, line);
    const char *args[] = { "shared_buffer", NULL };
    sb_require_program(args, line, 0, want);
    free(line);
    free(want);
}

SG_TEST(program_private_no_input)
{
    const char *args[] = { "shared_buffer", "--private", NULL };
    sb_require_program(args, "", 1, SB_PROMPT);
}

SG_TEST(program_empty_line)
{
    const char *args[] = { "shared_buffer", NULL };
    sb_require_program(args, "\n", 0, SB_PROMPT "\n");
}

const struct sg_test sg_hidden_tests[] = {
    SG_TEST_ENTRY(map_full_size),
    SG_TEST_ENTRY(map_bad_sharing),
    SG_TEST_ENTRY(read_line_exact_fit),
    SG_TEST_ENTRY(read_line_cap_one),
    SG_TEST_ENTRY(read_line_cap_zero),
    SG_TEST_ENTRY(read_line_read_error),
    SG_TEST_ENTRY(exchange_long_line),
    SG_TEST_ENTRY(exchange_bounded),
    SG_TEST_ENTRY(exchange_wait_fails),
    SG_TEST_ENTRY(exchange_wait_interrupted),
    SG_TEST_ENTRY(exchange_waits_for_its_own_child),
    SG_TEST_ENTRY(program_long_line),
    SG_TEST_ENTRY(program_private_no_input),
    SG_TEST_ENTRY(program_empty_line),
    SG_TESTS_END,
};
