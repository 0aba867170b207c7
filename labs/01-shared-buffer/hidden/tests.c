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
#include <stddef.h>
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

SG_TEST(read_line_byte_ff)
{
    /* A byte 255 is data ('\xff' in Latin-1 text, or in any binary input),
     * and EOF is another value: getc returns an int so that both fit. Kept
     * in a char, 255 becomes -1 and equals EOF: the line ended there, or the
     * input did (a class review: `char c = getc(in)` had every point). */
    char buf[32];
    const char *text = "caf\xff au lait\n\xff line 2\n";
    FILE *in = sg_input_file(text, strlen(text));
    const char *lines[] = { "caf\xff au lait", "\xff line 2" };
    for (size_t i = 0; i < 2; i++) {
        errno = 0;
        long n = sb_read_line(buf, sizeof buf, in);
        long want = (long)strlen(lines[i]);
        SG_REQUIRE(n == want && strcmp(buf, lines[i]) == 0, "the whole line, its byte 255 included",
                   "a byte 255 is data, and getc's EOF is another value: getc returns an int "
                   "so that the two differ. Where does your code keep what getc returned? A "
                   "char turns 255 into -1, which equals EOF. See man 3 getc: RETURN VALUE",
                   "for the %s line %s, sb_read_line returned %ld with buf = %s",
                   i == 0 ? "first" : "second", sg_q(lines[i], strlen(lines[i])), n,
                   n < 0 ? "\"\"" : sg_q(buf, strnlen(buf, sizeof buf)));
    }
    fclose(in);
}

SG_TEST(read_line_cap_one)
{
    char buf[8];
    FILE *in = sg_input_file("abc\nxy\n", 7);
    sb_require_line(buf, 1, in, "", "cap 1: room for the NUL only");
    sb_require_line(buf, sizeof buf, in, "xy", "the line after it");
    /* End of input is -1 whatever cap is: a reader built on fgets, which
     * reads nothing with a size of 1, gave 0 here, and a caller's loop
     * until -1 never ended (a class review). */
    sb_require_end(buf, 1, in, "cap 1, at end of input");
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

/* A stream that gives "ok\nabc" and then fails with EIO, as a disk or a terminal can. */
static ssize_t sb_failing_read(void *cookie, char *out, size_t size)
{
    int *calls = cookie;
    if ((*calls)++ > 0 || size < 6) {
        errno = EIO;
        return -1;
    }
    memcpy(out, "ok\nabc", 6);
    return 6;
}

SG_TEST(read_line_read_error)
{
    int calls = 0;
    cookie_io_functions_t io = { .read = sb_failing_read };
    FILE *in = fopencookie(&calls, "r", io);
    SG_SETUP(in != NULL, "fopencookie");
    char buf[16];
    /* A line first: a stub's -1 and "" would otherwise pass for the answer.
     * Only that it is read: what is stored is other tests' to grade. */
    errno = 0;
    long first = sb_read_line(buf, sizeof buf, in);
    int err = errno;
    SG_REQUIRE(first >= 0, "a line read before the error: \"ok\"",
               first == -1 && err == ENOSYS
                   ? SG_NOT_WRITTEN("sb_read_line")
                   : "the stream gave \"ok\\n\" before its error: is the line read through the "
                     "FILE * given, with getc or fgets, rather than its descriptor? See "
                     "read_line_basic and read_line_after_stdio",
               "sb_read_line of the line \"ok\" returned %ld", first);
    memset(buf, 'X', sizeof buf);
    long n = sb_read_line(buf, sizeof buf, in);
    SG_REQUIRE(n == -1 && buf[0] == '\0', "-1 with buf set to \"\"",
               "getc returns EOF both at end of input and on a read error. Which function tells "
               "the two apart, and does your code ask it? See man 3 ferror",
               "after \"ok\\nabc\" the stream failed with EIO, and sb_read_line returned %ld with buf "
               "= %s",
               n, sg_q(buf, strnlen(buf, sizeof buf)));
    fclose(in);
}

/* One call after the caller used the stream itself: want must be the line read. */
static void sb_require_stream_line(FILE *in, const char *want, const char *before)
{
    char buf[16];
    errno = 0;
    long n = sb_read_line(buf, sizeof buf, in);
    int err = errno;
    /* Only that the line is the stream's next: what is stored of it,
     * and what is returned, are read_line_basic's to grade. */
    SG_REQUIRE(n >= 0 && strncmp(buf, want, strlen(want)) == 0, "the next line of the stream",
               n == -1 && err == ENOSYS
                   ? SG_NOT_WRITTEN("sb_read_line")
                   : "stdio reads ahead: what the caller's call did not use waits in the "
                     "stream's buffer, in your process, and only the stream's own functions, "
                     "such as getc, look there. Does your code read the stream, or the descriptor "
                     "under it? Handout: reading a line safely",
               "%s, sb_read_line returned %ld with buf = %s (expected %zu and %s)", before, n,
               n < 0 ? sg_q("", 0) : sg_q(buf, strnlen(buf, sizeof buf)), strlen(want),
               sg_q(want, strlen(want)));
}

SG_TEST(read_line_after_stdio)
{
    /* A caller may read from in before: what it read ahead is in the
     * FILE's buffer, not at the descriptor (a class review: reading with
     * read(fileno(in)) passed every test, whose streams were new). */
    FILE *in = sg_input_file("first\nsecond\nthird\n", 19);
    char first[16];
    SG_SETUP(fgets(first, sizeof first, in) != NULL, "fgets");
    sb_require_stream_line(in, "second", "after the caller read \"first\\n\" with fgets");
    SG_SETUP(ungetc('>', in) == '>', "ungetc");
    sb_require_stream_line(in, ">third", "after the caller pushed '>' back with ungetc");
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
    char *buf = sb_test_pages(npages);
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
    char *buf = sb_test_pages(2);
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
                   i == 100 ? "sb_exchange got cap 100, and one byte past it was written: is it "
                              "the child's bound, or sb_read_line's count? Its NUL goes within "
                              "cap too (see read_line_bounded)"
                            : "sb_exchange got cap 100, a bound smaller than the mapping. Which "
                              "bound does the child pass on to sb_read_line?",
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
    char *buf = sb_test_pages(1);
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

SG_TEST(exchange_wait_interrupted)
{
    /* A process of the test's calls sb_exchange with a SIGUSR1 handler
     * installed without SA_RESTART. Its child blocks reading a pipe; once
     * /proc says the caller sleeps in waitpid, the test sends SIGUSR1, which
     * makes waitpid fail with EINTR, and only then writes the line. */
    struct sb_caller *sh = (struct sb_caller *)(void *)sb_test_pages(1); /* zero-filled */
    char *buf = sb_test_pages(1);
    int p[2];
    pid_t caller;
    FILE *in = sb_fork_with_input(p, &caller);
    if (in != NULL) {
        sb_caller_state = sh;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = sb_on_sigusr1;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGUSR1, &sa, NULL) == -1)
            _exit(2);
        FILE *out = tmpfile();
        if (out == NULL)
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
    /* 3 s to see it, as lab 02's workers_wait_interrupted: a parent that
     * polls (WNOHANG and a nap) never sleeps in a wait, and is told early
     * (its polling is exchange_parent_sleeps_in_waitpid's to grade, not
     * this test's); 5 s of it on a loaded machine passed the test's wall
     * limit (a review under load: 4 runs in 69). */
    bool waiting = sg_look_for_wait(caller, 3000, sb_child_reads, &caller) == SG_WAIT_SEEN;
    if (waiting) {
        SG_SETUP(kill(caller, SIGUSR1) == 0, "kill");
        for (double end = sg_deadline_in_ms(5000);
             sh->handled == 0 && !sg_process_ended(caller) && sg_before(end);)
            sg_nap_ms(1);
    }
    /* A caller that has ended (and its child) reads nothing: EPIPE, not
     * SIGPIPE, which killed the test instead of saying what happened. */
    SG_SETUP(signal(SIGPIPE, SIG_IGN) != SIG_ERR, "signal");
    if (write(p[1], "line\n", 5) != 5)
        SG_SETUP(errno == EPIPE, "write to the pipe");
    close(p[1]);
    int wstatus;
    int rc = sg_wait_timeout(caller, &wstatus, 5000);
    if (rc == 1)
        kill(caller, SIGKILL);
    SG_REQUIRE_RETURNED(rc == 0, "sb_exchange to return once the child has read its line",
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
    char *buf = sb_test_pages(1);
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

/* ---- the prompt comes before the read ---- */

struct sb_prompted {               /* shared between the test and the calling process */
    volatile pid_t child;          /* the child sb_exchange forked (it says so itself) */
    volatile int forked;           /* sb_exchange left the caller with a child */
    volatile int done;             /* sb_exchange returned in the caller */
    volatile int release;          /* the test has looked: the caller may end */
    int status, err;
};

static struct sb_prompted *sb_prompted_state;

/* In every child the caller's code forks, first of all (sg_on_fork_child). */
static void sb_note_child(void)
{
    sb_prompted_state->child = getpid();
}

/* Whether pid, not a child of this process, has ended: gone from /proc, or a zombie. */
static bool sb_task_ended(pid_t pid)
{
    char state = sg_task_state(pid, 0);
    return state == 0 || state == 'Z' || state == 'X';
}

/* What the file behind f holds now (up to 255 bytes), read without moving its offset. */
static size_t sb_peek(FILE *f, char *text, size_t size)
{
    ssize_t n = pread(fileno(f), text, size - 1, 0);
    size_t len = n > 0 ? (size_t)n : 0;
    text[len] = '\0';
    return len;
}

SG_TEST(exchange_prompt_before_read)
{
    /* A process of the test's calls sb_exchange with in reading a pipe
     * that holds nothing yet. Once /proc says the child sleeps reading that
     * pipe, out must hold the prompt: whoever types the line does so after
     * seeing it. Only then does the test write the line. (An audit: a child
     * that read first and prompted after, or flushed only after reading,
     * wrote the very same output in the end, and scored full marks.) */
    struct sb_prompted *sh = (struct sb_prompted *)(void *)sb_test_pages(1); /* zero-filled */
    size_t page = (size_t)sg_page_size();
    char *buf = sb_test_pages(1);
    FILE *out = sg_output_file();
    pid_t test = getpid();
    pid_t caller;
    int p[2];
    FILE *in = sb_fork_with_input(p, &caller);
    if (in != NULL) {
        sb_prompted_state = sh;
        sg_on_fork_child(sb_note_child);
        pid_t me = getpid();
        errno = 0;
        int status = sb_exchange(buf, page, in, out);
        int err = errno;
        if (getpid() != me)
            _exit(1); /* a child that came back: the other exchange tests say so */
        pid_t other;
        sh->forked = sg_children_state(&other) != SG_NO_CHILDREN;
        sh->status = status;
        sh->err = err;
        sh->done = 1;
        /* A child left running (no wait: another test's to judge) stays a
         * descendant of the test's, whose /proc it may read, until then. */
        while (!sh->release && getppid() == test)
            sg_nap_ms(1);
        _exit(0);
    }
    /* A write to a pipe whose reader has gone must fail, not kill the test. */
    signal(SIGPIPE, SIG_IGN);

    /* Until the child sleeps reading the pipe, or has ended; or until the
     * caller is back from sb_exchange (or gone) with no child made at all.
     * A caller back without waiting (another test's to judge) still has
     * its child, which still reads. */
    bool reading = false, forked = false;
    pid_t child = 0;
    for (;;) {
        child = sh->child;
        if (child == 0) {
            bool returned = sh->done || sg_process_ended(caller);
            if (returned && !sh->forked)
                break;
        } else {
            forked = true;
            unsigned long fd;
            long nr = sg_task_syscall(child, 0, &fd);
            if (nr == SYS_read && fd == (unsigned long)p[0]) {
                reading = true;
                break;
            }
            if (sb_task_ended(child))
                break;
        }
        sg_nap_ms(1);
    }
    char seen[256], after[256];
    size_t seen_len = sb_peek(out, seen, sizeof seen);
    sh->release = 1;

    /* The line, and the end of the exchange. */
    ssize_t written = write(p[1], "line\n", 5);
    (void)written;
    close(p[1]);
    int wstatus = 0;
    int rc = sg_wait_timeout(caller, &wstatus, 5000);
    if (rc == 1)
        kill(caller, SIGKILL);
    size_t after_len = sb_peek(out, after, sizeof after);

    if (!forked && sh->done && sh->status == -1 && sh->err == ENOSYS)
        SG_FAIL("a child that waits for input on in", SG_NOT_WRITTEN("sb_exchange"),
                "sb_exchange returned -1 (errno ENOSYS)");
    SG_REQUIRE(forked || sh->done, "a child that waits for input on in",
               "the process calling sb_exchange ended inside it, before any child was made. "
               "Only main decides to exit",
               "the process calling sb_exchange ended with %s",
               rc == 0 ? sg_status_text(wstatus) : "no status (it was still running)");
    SG_REQUIRE(forked, "a child that waits for input on in",
               "sb_exchange forks a child, and the child reads the line. Which of your calls "
               "failed? See man 2 fork",
               "sb_exchange returned %d%s%s, and no child was ever made", sh->status,
               sh->status == -1 ? ", errno " : "", sh->status == -1 ? strerror(sh->err) : "");
    SG_REQUIRE(reading, "the child to wait for input on in",
               "the child ended without ever waiting for the line on in, the stream it was "
               "given. Where does your child read its line from?",
               "the child ended before the test wrote its line; out held %s",
               sg_q(seen, seen_len));
    bool prompt_later = strstr(after, SB_PROMPT) != NULL;
    SG_REQUIRE(strcmp(seen, SB_PROMPT) == 0,
               "out to hold the prompt while the child waits for input",
               seen_len == 0 && prompt_later
                   ? "the prompt reached out only after the child had read its line. A user "
                     "types only after seeing the prompt: when must it reach out, and where "
                     "does it wait until then? Handout: stdio buffers are process memory"
               : seen_len == 0
                   ? "the prompt never reached out, neither while the child waited for its line "
                     "nor after. The child writes it to the stream it is given, where it sits "
                     "in the child's stdio buffer until something flushes it, and a user types "
                     "only after seeing it. Handout: stdio buffers are process memory"
                   : "while the child waits for its line, out holds the prompt, once, and "
                     "nothing else",
               "while the child waited for input, out held %s (and %s once it had read its "
               "line)",
               sg_q(seen, seen_len), sg_q(after, after_len));
}

/* ---- fork fails ---- */

struct sb_refused {                /* shared between the test and the calling process */
    volatile int forked;           /* a child of sb_exchange ran: the limit did not hold */
    volatile int done;             /* sb_exchange returned in the caller */
    int status, err;
    int setup_err;                 /* errno of the caller's seccomp filter, when it failed */
};

static struct sb_refused *sb_refused_state;

/* In every child the caller's code forks, first of all (sg_on_fork_child). */
static void sb_note_fork(void)
{
    sb_refused_state->forked = 1;
}

/*
 * From now on, every fork of this process fails with EAGAIN, as at the
 * process limit, whoever the grader runs the test as (a process limit does
 * not hold for root's): fork itself through the harness's wrapper, which
 * does not report it as the sandbox's limit (sg_fork_fails_after); vfork,
 * clone and their kin through a seccomp filter of the test's own.
 * 0, or -1 with errno set.
 */
static int sb_refuse_fork(void)
{
    sg_fork_fails_after(0);
    static const int forks[] = {
        __NR_clone,
#ifdef __NR_clone3
        __NR_clone3,
#endif
#ifdef __NR_fork
        __NR_fork,
#endif
#ifdef __NR_vfork
        __NR_vfork,
#endif
    };
    return sg_refuse_syscalls(forks, sizeof forks / sizeof *forks, EAGAIN);
}

SG_TEST(exchange_fork_fails)
{
    /* A process of the test's calls sb_exchange with every fork refused
     * (sb_refuse_fork): its fork fails with EAGAIN, as on a machine out of
     * processes. fork's
     * -1 leaves no child: the caller must get -1, not run the child's code
     * (an audit: a child's branch taken for any pid up to 0 read the line
     * in the caller and ended it, and no test made fork fail). */
    struct sb_refused *sh = (struct sb_refused *)(void *)sb_test_pages(1); /* zero-filled */
    size_t page = (size_t)sg_page_size();
    char *buf = sb_test_pages(1);
    FILE *in = sg_input_file("line\n", 5);
    FILE *out = sg_output_file();
    fflush(NULL);
    pid_t caller = fork();
    SG_SETUP(caller != -1, "fork");
    if (caller == 0) {
        sb_refused_state = sh;
        sg_on_fork_child(sb_note_fork);
        if (sb_refuse_fork() == -1) {
            sh->setup_err = errno;
            _exit(3);
        }
        pid_t me = getpid();
        errno = 0;
        int status = sb_exchange(buf, page, in, out);
        int err = errno;
        if (getpid() != me)
            _exit(1);
        sh->status = status;
        sh->err = err;
        sh->done = 1;
        fflush(out); /* what the parent wrote and kept in out's buffer shows too */
        _exit(0);
    }
    int wstatus = 0;
    int rc = sg_wait_timeout(caller, &wstatus, 5000);
    if (rc == 1) {
        kill(caller, SIGKILL);
        waitpid(caller, NULL, 0);
    }
    SG_SETUP(rc != -1, "waitpid");
    errno = sh->setup_err;
    SG_SETUP(sh->setup_err == 0, "seccomp filter (prctl)");
    /* Neither the wrapper nor the filter held: nothing here can be judged. */
    errno = ENOTSUP;
    SG_SETUP(!sh->forked, "refusal of fork (the fork wrapper and a seccomp filter)");
    size_t len;
    char *text = sg_file_contents(out, &len);
    SG_REQUIRE_RETURNED(rc == 0, "sb_exchange to return -1 when fork fails",
               "fork failed, and sb_exchange never returned. fork's -1 means that no child "
               "was made: what is there to wait for, or to try again? See man 2 fork: "
               "RETURN VALUE",
               "fork failed with EAGAIN (the test made every fork of the caller "
               "fail), and sb_exchange had not returned 5 s later");
    SG_REQUIRE(sh->done, "sb_exchange to return -1 to its caller when fork fails",
               "fork returned -1: no child was made, and the process is still the caller. Of "
               "fork's three outcomes, which ones does your code take for the child? The "
               "child's code ran in the caller, and ended it. See man 2 fork: RETURN VALUE, "
               "and the handout's section on the exchange",
               "fork failed with EAGAIN (the test made every fork of the caller "
               "fail), and the process calling sb_exchange ended inside it with "
               "%s; out held %s",
               sg_status_text(wstatus), sg_q(text, len));
    SG_REQUIRE(sh->status == -1 && sh->err == EAGAIN, "-1 with errno EAGAIN, as fork failed",
               sh->status == -1 && sh->err == ENOSYS ? SG_NOT_WRITTEN("sb_exchange")
               : sh->status == -1 && sh->err == ECHILD
                   ? "ECHILD is waitpid's: after the failed fork, your code waited for a child "
                     "that was never made. What does fork's -1 say? See man 2 fork: RETURN "
                     "VALUE"
               : sh->status == -1
                   ? "fork set errno to EAGAIN. Does anything that runs after it, before "
                     "sb_exchange returns, change errno?"
                   : "with no child there is no status to return. What does shared_buffer.h "
                     "ask sb_exchange to return when fork fails?",
               "fork failed with EAGAIN (the test made every fork of the caller "
               "fail), and sb_exchange returned %d%s%s",
               sh->status, sh->status == -1 ? " with errno " : "",
               sh->status == -1 ? strerror(sh->err) : "");
    /* The prompt is the child's: written before fork by the parent, it
     * shows even when no child reads (a class review: every point). */
    SG_REQUIRE(len == 0, "nothing in out: the prompt is the child's to write, and there was no child",
               "shared_buffer.h gives the prompt to the child, just before it reads: the prompt "
               "says that the reader is there. Which process writes yours, and when?",
               "fork failed, and out held %s", sg_q(text, len));
    free(text);
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
    SG_TEST_ENTRY(read_line_byte_ff),
    SG_TEST_ENTRY(read_line_cap_one),
    SG_TEST_ENTRY(read_line_cap_zero),
    SG_TEST_ENTRY(read_line_read_error),
    SG_TEST_ENTRY(read_line_after_stdio),
    SG_TEST_ENTRY(exchange_long_line),
    SG_TEST_ENTRY(exchange_bounded),
    SG_TEST_ENTRY(exchange_wait_fails),
    SG_TEST_ENTRY(exchange_wait_interrupted),
    SG_TEST_ENTRY(exchange_waits_for_its_own_child),
    SG_TEST_ENTRY(exchange_prompt_before_read),
    SG_TEST_ENTRY(exchange_fork_fails),
    SG_TEST_ENTRY(program_long_line),
    SG_TEST_ENTRY(program_private_no_input),
    SG_TEST_ENTRY(program_empty_line),
    SG_TESTS_END,
};
