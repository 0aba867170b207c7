/*
 * tests.c — lab 01 public tests: what `make test` checks in the student kit.
 *
 * Each test runs in a process of its own (Check's fork mode), so a test may
 * set resource limits or leave mappings behind without disturbing another.
 * Hints are computed from what the test saw (sb_testlib.c), and point at
 * the idea and the manual page, never at the line to write.
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
#include <sys/resource.h>
#include <unistd.h>

/* ---- sb_map / sb_unmap ---- */

SG_TEST(map_shared)
{
    const size_t npages = 4;
    char *buf = sb_map_checked(npages, SB_SHARED, "sb_map(4, SB_SHARED)");
    sb_require_mapping(buf, npages, 's', true);
    sb_require_zeroes(buf, npages * (size_t)sg_page_size(), "sb_map(4, SB_SHARED)");
}

SG_TEST(map_private)
{
    const size_t npages = 4;
    char *buf = sb_map_checked(npages, SB_PRIVATE, "sb_map(4, SB_PRIVATE)");
    /* Private anonymous mappings may merge with a neighbour in the maps
     * file, so only the flag and the coverage are checked here. */
    sb_require_mapping(buf, npages, 'p', false);
    sb_require_zeroes(buf, npages * (size_t)sg_page_size(), "sb_map(4, SB_PRIVATE)");
}

SG_TEST(map_zero_pages)
{
    errno = 0;
    char *buf = sb_map(0, SB_SHARED);
    int err = errno;
    SG_REQUIRE(buf == NULL, "NULL with errno EINVAL",
               buf == MAP_FAILED
                   ? "mmap refused the length 0 and said so with MAP_FAILED, which is not NULL. "
                     "What must sb_map return when it cannot map?"
                   : "zero pages is not a mapping. What does shared_buffer.h say sb_map returns "
                     "for npages 0?",
               "sb_map(0, SB_SHARED) returned %p", (void *)buf);
    SG_REQUIRE(err == EINVAL, "errno EINVAL",
               err == ENOSYS ? SG_NOT_WRITTEN("sb_map")
               : err == 0    ? "NULL alone does not say why: a function that fails sets errno. "
                               "Which value does shared_buffer.h name for npages 0?"
                             : "shared_buffer.h names the errno for npages 0. Which call set "
                               "the one you got?",
               "sb_map(0, SB_SHARED) returned NULL with errno %d (%s)", err, strerror(err));
}

SG_TEST(map_failure_is_null)
{
    /* Make mmap fail for certain: cap the address space a little above what
     * the process uses now, and ask for more than the margin. */
    long vm_kib = sg_proc_status_kib("VmSize");
    SG_SETUP(vm_kib > 0, "read of /proc/self/status");
    rlim_t limit = ((rlim_t)vm_kib << 10) + (256u << 20);
    struct rlimit rl = { limit, limit };
    SG_SETUP(setrlimit(RLIMIT_AS, &rl) == 0, "setrlimit(RLIMIT_AS)");
    size_t npages = (size_t)(512u << 20) / (size_t)sg_page_size();

    errno = 0;
    char *buf = sb_map(npages, SB_SHARED);
    int err = errno;
    SG_REQUIRE(buf != MAP_FAILED, "NULL, with errno from mmap (ENOMEM)",
               "mmap reports failure with MAP_FAILED, which is (void *) -1 and not NULL. Which "
               "value does your check of mmap's result compare with? See man 2 mmap: RETURN "
               "VALUE, and the handout's section on MAP_FAILED",
               "sb_map returned MAP_FAILED (%p) when mmap could not map 512 MiB",
               (void *)buf);
    if (buf != NULL) {
        struct sg_mapping m;
        int found = sg_find_mapping(getpid(), buf, &m);
        SG_SETUP(found != -1, "read of /proc/self/maps");
        SG_REQUIRE(found != 0, "NULL: 512 MiB cannot be mapped under this limit",
                   "mmap did not fail: it mapped far less than 512 MiB, so the length it got "
                   "was wrong. How many bytes are npages pages? See man 3 sysconf: "
                   "_SC_PAGESIZE",
                   "sb_map(%zu pages) returned a mapping of %lu bytes, although the address "
                   "space limit leaves no room for 512 MiB",
                   npages, (unsigned long)(m.end - m.start));
        SG_FAIL("NULL, with errno from mmap (ENOMEM)",
                "this address is in no mapping: sb_map must return NULL when mmap fails. "
                "Where does the value you return come from?",
                "sb_map returned %p although the address space limit forbids 512 MiB",
                (void *)buf);
    }
    SG_REQUIRE(err == ENOMEM, "errno ENOMEM, as mmap set it",
               err == ENOSYS ? SG_NOT_WRITTEN("sb_map")
                             : "mmap set errno to ENOMEM. Does anything that runs after it, "
                               "before sb_map returns, change errno?",
               "sb_map returned NULL with errno %d (%s)", err, strerror(err));
}

SG_TEST(unmap)
{
    const size_t npages = 3;
    size_t page = (size_t)sg_page_size();
    char *buf = sb_map_checked(npages, SB_SHARED, "sb_map(3, SB_SHARED)");
    /* Only the pages of this mapping are checked afterwards: what lies past
     * it belongs to someone else, whatever sb_map mapped. */
    struct sg_mapping before;
    SG_SETUP(sg_find_mapping(getpid(), buf, &before) == 0, "read of /proc/self/maps");
    size_t ours = (before.end - (uintptr_t)buf) / page;
    errno = 0;
    int rc = sb_unmap(buf, npages);
    int err = errno;
    SG_REQUIRE(rc == 0, "0",
               err == ENOSYS ? "ENOSYS is what the skeleton's sb_unmap sets: it is not written "
                               "yet"
                             : "munmap of a mapping of yours, with its address and its length, "
                               "succeeds. Which argument did it refuse? See man 2 munmap",
               "sb_unmap(buf, 3) returned %d (errno %s)", rc, strerror(err));
    for (size_t i = 0; i < npages && i < ours; i++) {
        struct sg_mapping m;
        int found = sg_find_mapping(getpid(), buf + i * page, &m);
        SG_SETUP(found != -1, "read of /proc/self/maps");
        SG_REQUIRE(found == 1, "none of the 3 pages mapped any more",
                   i == 0 ? "munmap takes the address that mmap returned. Which address did "
                            "sb_unmap pass it?"
                          : "the first pages are gone, but not all of them. munmap's length is "
                            "in bytes, as mmap's is. How many bytes did sb_map map?",
                   "after sb_unmap, page %zu of 3 (%#lx-%#lx %s) is still mapped", i + 1,
                   (unsigned long)m.start, (unsigned long)m.end, m.perms);
    }

    errno = 0;
    rc = sb_unmap((char *)sg_page_size() + 1, 1);
    err = errno;
    SG_REQUIRE(rc == -1 && err == EINVAL, "-1 with errno EINVAL (munmap's answer)",
               rc == 0 ? "munmap refused this unaligned address, but sb_unmap returned 0. Does "
                         "it pass munmap's result on to its caller?"
                       : "munmap sets errno when it fails. Does anything change errno after it?",
               "sb_unmap(an unaligned address, 1) returned %d with errno %d (%s)", rc, err,
               strerror(err));
}

/* ---- sb_read_line ---- */

SG_TEST(read_line_basic)
{
    char buf[32];
    FILE *in = sg_input_file("hello\nworld\n", 12);
    sb_require_line(buf, sizeof buf, in, "hello", "the first of two lines");
    sb_require_line(buf, sizeof buf, in, "world", "the second line");
    sb_require_end(buf, sizeof buf, in, "after the last line");
    fclose(in);
}

SG_TEST(read_line_bounded)
{
    /* Bytes past cap are a canary: a correct read never touches them. */
    char buf[24];
    memset(buf, '#', sizeof buf);
    const char *text = "abcdefghijklmnopqrstuvwxyz\nnext\n";
    FILE *in = sg_input_file(text, strlen(text));
    errno = 0;
    long n = sb_read_line(buf, 8, in);
    int err = errno;
    for (size_t i = 8; i < sizeof buf; i++)
        SG_REQUIRE(buf[i] == '#', "nothing written past buf[cap - 1]",
                   i == 8 ? "one byte past the end was written: with room for cap bytes, how "
                            "many characters fit beside the NUL?"
                          : "the whole line was stored, whatever cap says, as gets() does. "
                            "Where does your loop check that there is room left?",
                   "sb_read_line(buf, 8, in) wrote %s at buf[%zu], past the 8 bytes it may use",
                   sg_q(&buf[i], 1), i);
    SG_REQUIRE(n == 7 && memcmp(buf, "abcdefg", 8) == 0,
               "7, with buf holding \"abcdefg\" and its NUL",
               n == -1 && err == ENOSYS
                   ? SG_NOT_WRITTEN("sb_read_line")
               : n == 7 && memcmp(buf, "abcdefg", 7) == 0
                   ? "the characters and the count are right, but no NUL follows them: a C "
                     "string ends where its '\\0' is, and a reader of buf has nothing else "
                     "to go by. Handout: reading a line safely"
                   : "a line longer than the buffer keeps as many of its first characters as "
                     "fit beside the NUL, and the return value counts them",
               "returned %ld with buf = %s", n, sg_q(buf, strnlen(buf, 8)));
    sb_require_line(buf, 8, in, "next",
                    "the line after an over-long one (the rest of the long line must be "
                    "read and discarded)");
    fclose(in);
}

SG_TEST(read_line_end_of_input)
{
    char buf[16];
    FILE *in = sg_input_file("", 0);
    sb_require_end(buf, sizeof buf, in, "on empty input");
    fclose(in);

    in = sg_input_file("tail", 4);
    sb_require_line(buf, sizeof buf, in, "tail", "a last line with no newline");
    sb_require_end(buf, sizeof buf, in, "after a last line with no newline");
    fclose(in);
}

SG_TEST(read_line_empty_line)
{
    char buf[16];
    FILE *in = sg_input_file("\nab\n\n", 5);
    sb_require_line(buf, sizeof buf, in, "", "an empty first line");
    sb_require_line(buf, sizeof buf, in, "ab", "the line after it");
    sb_require_line(buf, sizeof buf, in, "", "an empty last line");
    sb_require_end(buf, sizeof buf, in, "after the empty last line");
    fclose(in);
}

/* ---- sb_exchange ---- */

SG_TEST(exchange_shared)
{
    const size_t npages = 4;
    char *buf = sb_map_checked(npages, SB_SHARED, "sb_map(4, SB_SHARED)");
    struct sb_exchange_run r;
    sb_run_exchange(buf, npages * (size_t)sg_page_size(), "hello shared\n", NULL, &r);
    sb_require_status(&r, 0, "the child read a line");
    struct sg_mapping m;
    bool private_pages = sg_find_mapping(getpid(), buf, &m) == 0 && m.perms[3] == 'p';
    SG_REQUIRE(strcmp(buf, "hello shared") == 0, "the parent to see \"hello shared\" in buf",
               private_pages ? "the pages are private ('p' in /proc/<pid>/maps): the child "
                               "wrote to its own copy. Which flag did sb_map give mmap for "
                               "SB_SHARED?"
               : buf[0] == '\0' ? "the parent sees nothing. Did the child read into buf itself, "
                                  "and does the parent look only after waitpid?"
                                : "the parent sees something else than the line. Compare it "
                                  "with what sb_read_line stores for this input",
               "the parent saw buf = %s", sg_q(buf, strnlen(buf, 200)));
    SG_REQUIRE(strcmp(r.out, SB_PROMPT) == 0, "out to hold the prompt once: \"give me a string:\\n\"",
               sb_prompt_hint(&r),
               "out held %s", sg_q(r.out, r.out_len));
    free(r.out);
}

SG_TEST(exchange_private)
{
    const size_t npages = 4;
    char *buf = sb_map_checked(npages, SB_PRIVATE, "sb_map(4, SB_PRIVATE)");
    struct sb_exchange_run r;
    sb_run_exchange(buf, npages * (size_t)sg_page_size(), "hello private\n", NULL, &r);
    sb_require_status(&r, 0, "the child read a line");
    sb_require_zeroes(buf, 64, "the exchange, in the parent's private copy");
    free(r.out);
}

SG_TEST(exchange_no_line)
{
    char *buf = sb_test_pages(1);
    struct sb_exchange_run r;
    sb_run_exchange(buf, (size_t)sg_page_size(), "", NULL, &r);
    sb_require_status(&r, 1, "the child read no line and ended with status 1");
    free(r.out);
}

SG_TEST(exchange_child_killed)
{
    /* The child's sb_read_line writes into a read-only page: the kernel
     * kills it with SIGSEGV. No core file, so the wait status is plain. */
    struct rlimit nocore = { 0, 0 };
    SG_SETUP(setrlimit(RLIMIT_CORE, &nocore) == 0, "setrlimit(RLIMIT_CORE)");
    size_t page = (size_t)sg_page_size();
    char *buf = mmap(NULL, page, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(buf != MAP_FAILED, "mmap");
    struct sb_exchange_run r;
    sb_run_exchange(buf, page, "x\n", NULL, &r);
    int want = 128 + SIGSEGV;
    if (r.status == -1 && r.err == ENOSYS)
        sb_require_status(&r, want, "128 + 11: the child was killed by SIGSEGV");
    char expected[96];
    snprintf(expected, sizeof expected, "%d = 128 + %d: the child was killed by signal %d (%s)",
             want, SIGSEGV, SIGSEGV, strsignal(SIGSEGV));
    SG_REQUIRE(r.status == want, expected,
               r.status == SIGSEGV
                   ? "11 is the signal's number. What does shared_buffer.h ask sb_exchange to "
                     "return for a child that a signal killed?"
               : r.status == -1
                   ? "fork and waitpid worked here: the child was killed by a signal. How does "
                     "shared_buffer.h ask sb_exchange to report that?"
                   : "this child never exited: a signal killed it, so it has no exit status. "
                     "Which macros of <sys/wait.h> tell that a signal ended the child, and "
                     "which signal? See man 2 waitpid",
               "the child wrote into a read-only page and was killed by SIGSEGV, and "
               "sb_exchange returned %d",
               r.status);
    free(r.out);
}

SG_TEST(exchange_flushes_first)
{
    /* out holds buffered, unwritten text when the exchange starts. Unless
     * sb_exchange flushes before fork, the child gets a copy of that buffer
     * and both processes write it. */
    char *buf = sb_test_pages(1);
    struct sb_exchange_run r;
    sb_run_exchange(buf, (size_t)sg_page_size(), "x\n", "before\n", &r);
    bool twice = strstr(r.out, "before\n") != NULL &&
                 strstr(strstr(r.out, "before\n") + 1, "before\n") != NULL;
    SG_REQUIRE(strcmp(r.out, "before\n" SB_PROMPT) == 0,
               "\"before\\n\" once, then the prompt",
               twice ? "\"before\" was still in out's stdio buffer at fork, and a stdio buffer "
                       "is process memory: fork copied it, so each process wrote it. What must "
                       "happen to out before fork? See man 3 fflush"
                     : sb_prompt_hint(&r),
               "out held %s", sg_q(r.out, r.out_len));
    free(r.out);
}

SG_TEST(exchange_child_uses__exit)
{
    /* A stream unrelated to the exchange holds buffered text. The child
     * must end with _exit: exit() would flush that copied buffer too. */
    FILE *other = sg_output_file();
    SG_SETUP(fputs("pending\n", other) != EOF, "fputs");
    char *buf = sb_test_pages(1);
    struct sb_exchange_run r;
    int forks = sg_forks_made();
    sb_run_exchange(buf, (size_t)sg_page_size(), "x\n", NULL, &r);
    sb_require_status(&r, 0, "the child read a line");
    /* An exchange that never forked flushes nothing, and would pass. */
    SG_REQUIRE(sg_forks_made() > forks, "a child that reads the line",
               "sb_exchange forks a child, which reads the line and ends: how a child ends is "
               "what this test looks at, and there was none. See exchange_shared",
               "sb_exchange returned %d without making a child process", r.status);
    size_t len;
    char *text = sg_file_contents(other, &len);
    SG_REQUIRE(strcmp(text, "pending\n") == 0, "\"pending\\n\" once",
               "the child inherited a copy of every stdio buffer of the parent, and something "
               "in the child flushed them all: exit() does when it ends the process, and so "
               "does fflush(NULL) at any time. Which way of ending a process skips the stdio "
               "buffers, and which stream is the child's to flush? See man 2 _exit and man 3 "
               "exit",
               "another stream of the parent's held %s after the exchange", sg_q(text, len));
    free(text);
    free(r.out);
}

SG_TEST(exchange_parent_sleeps_in_waitpid)
{
    /* The child waits for its line; meanwhile the parent must sleep in the
     * kernel. A parent that polls (WNOHANG in a loop, with or without a
     * nap) gets the same status and passed every other test; one that spins
     * burns a CPU for as long as the child waits (a class review: 53 of 53
     * under load). Seen in /proc/<pid>/syscall, whatever the load. */
    char *buf = sb_test_pages(1);
    pid_t caller;
    int p[2];
    FILE *in = sb_fork_with_input(p, &caller);
    if (in != NULL) {
        FILE *out = tmpfile();
        if (out == NULL)
            _exit(2);
        pid_t me = getpid();
        int status = sb_exchange(buf, (size_t)sg_page_size(), in, out);
        _exit(getpid() != me ? 3 : status == 0 ? 0 : 1);
    }
    enum sg_wait_look seen = sg_look_for_wait(caller, 3000, sb_child_reads, &caller);
    bool ended_early = seen == SG_WAIT_ENDED;
    /* Whoever still reads gets its line; with no reader left, no SIGPIPE. */
    SG_SETUP(signal(SIGPIPE, SIG_IGN) != SIG_ERR, "signal");
    if (write(p[1], "x\n", 2) != 2)
        SG_SETUP(errno == EPIPE, "write to the pipe");
    close(p[1]);
    int status;
    if (sg_wait_timeout(caller, &status, 5000) != 0) {
        kill(caller, SIGKILL);
        sg_wait_timeout(caller, &status, 5000);
    }
    sb_require_no_children("sb_exchange");
    SG_REQUIRE(seen == SG_WAIT_SEEN, "the parent asleep in waitpid while its child waits for its line",
               ended_early ? "sb_exchange returned before its child had read anything: the "
                             "parent waits for the child to end. See exchange_shared"
               : "the parent gets the child's status from waitpid, which sleeps in the kernel "
                 "until the child ends. A loop that asks again and again (WNOHANG), with a nap "
                 "or without, gets the same status, but keeps the parent busy for as long as the "
                 "child waits. Handout: from wait status to exit status",
               ended_early ? "the process calling sb_exchange ended (%s) before its child had "
                             "its line"
               : seen == SG_WAIT_SPINS
                   ? "the parent used a fifth of a second of CPU time while its child waited "
                     "for input, and was never seen asleep in a wait%s"
               : seen == SG_WAIT_POLLS
                   ? "while its child waited for input, the parent slept in other calls (a nap "
                     "between two tries?), never in waitpid (or wait, waitid)%s"
                   : "in 3 s, the parent was never seen asleep in waitpid (or wait, waitid) "
                     "while its child waited for input%s",
               ended_early ? sg_status_text(status) : "");
}

/* ---- the program ---- */

SG_TEST(program_shared)
{
    const char *args[] = { "shared_buffer", NULL };
    sb_require_program(args, "hello world\n", 0, SB_PROMPT "hello world\n");
}

SG_TEST(program_private)
{
    const char *args[] = { "shared_buffer", "--private", NULL };
    sb_require_program(args, "hello world\n", 0, SB_PROMPT "\n");
}

SG_TEST(program_no_input)
{
    const char *args[] = { "shared_buffer", NULL };
    sb_require_program(args, "", 1, SB_PROMPT);
}

const struct sg_test sg_public_tests[] = {
    SG_TEST_ENTRY(map_shared),
    SG_TEST_ENTRY(map_private),
    SG_TEST_ENTRY(map_zero_pages),
    SG_TEST_ENTRY(map_failure_is_null),
    SG_TEST_ENTRY(unmap),
    SG_TEST_ENTRY(read_line_basic),
    SG_TEST_ENTRY(read_line_bounded),
    SG_TEST_ENTRY(read_line_end_of_input),
    SG_TEST_ENTRY(read_line_empty_line),
    SG_TEST_ENTRY(exchange_shared),
    SG_TEST_ENTRY(exchange_private),
    SG_TEST_ENTRY(exchange_no_line),
    SG_TEST_ENTRY(exchange_child_killed),
    SG_TEST_ENTRY(exchange_flushes_first),
    SG_TEST_ENTRY(exchange_child_uses__exit),
    SG_TEST_ENTRY(exchange_parent_sleeps_in_waitpid),
    SG_TEST_ENTRY(program_shared),
    SG_TEST_ENTRY(program_private),
    SG_TEST_ENTRY(program_no_input),
    SG_TESTS_END,
};
