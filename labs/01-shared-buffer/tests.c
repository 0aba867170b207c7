/*
 * tests.c — lab 01 public tests: what `make test` checks in the student kit.
 *
 * Each test runs in a process of its own (Check's fork mode), so a test may
 * set resource limits or leave mappings behind without disturbing another.
 */
#include "sg_harness.h"
#include "sb_testlib.h"
#include "shared_buffer.h"

#include <errno.h>
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
    SG_REQUIRE(buf == NULL, "NULL with errno EINVAL",
               "check npages == 0 before calling mmap (mmap itself rejects a length of 0 "
               "with EINVAL, so returning NULL when mmap fails also works)",
               "sb_map(0, SB_SHARED) returned %p", (void *)buf);
    SG_REQUIRE(errno == EINVAL, "errno EINVAL", "set errno = EINVAL for npages == 0",
               "sb_map(0, SB_SHARED) returned NULL with errno %d (%s)", errno, strerror(errno));
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
    SG_REQUIRE(buf != MAP_FAILED, "NULL, with errno from mmap (ENOMEM)",
               "mmap reports failure with MAP_FAILED ((void *) -1), not NULL: compare its "
               "result with MAP_FAILED and return NULL yourself",
               "sb_map returned MAP_FAILED (%p) when mmap could not map 512 MiB",
               (void *)buf);
    SG_REQUIRE(buf == NULL, "NULL, with errno from mmap (ENOMEM)",
               "when mmap fails, sb_map must return NULL",
               "sb_map returned %p although the address space limit forbids 512 MiB",
               (void *)buf);
    SG_REQUIRE(errno == ENOMEM, "errno ENOMEM, as mmap set it",
               "leave mmap's errno as it is when you return NULL",
               "errno %d (%s)", errno, strerror(errno));
}

SG_TEST(unmap)
{
    char *buf = sb_map_checked(3, SB_SHARED, "sb_map(3, SB_SHARED)");
    int rc = sb_unmap(buf, 3);
    SG_REQUIRE(rc == 0, "0", "munmap(buf, npages * page size) returns 0 for a mapping of yours",
               "sb_unmap(buf, 3) returned %d (errno %s)", rc, strerror(errno));
    struct sg_mapping m;
    int found = sg_find_mapping(getpid(), buf, &m);
    SG_SETUP(found != -1, "read of /proc/self/maps");
    SG_REQUIRE(found == 1, "no mapping left at the buffer's address",
               "pass munmap the same address and length that mmap got",
               "after sb_unmap, %#lx-%#lx %s is still mapped", (unsigned long)m.start,
               (unsigned long)m.end, m.perms);

    errno = 0;
    rc = sb_unmap((char *)sg_page_size() + 1, 1);
    SG_REQUIRE(rc == -1 && errno == EINVAL, "-1 with errno EINVAL (munmap's answer)",
               "return munmap's result; do not hide its errors",
               "sb_unmap(an unaligned address, 1) returned %d with errno %d (%s)", rc, errno,
               strerror(errno));
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
    long n = sb_read_line(buf, 8, in);
    for (size_t i = 8; i < sizeof buf; i++)
        SG_REQUIRE(buf[i] == '#', "nothing written past buf[cap - 1]",
                   "store at most cap - 1 characters and the NUL; gets() and an unbounded "
                   "loop write as much as the line holds",
                   "sb_read_line(buf, 8, in) wrote %s at buf[%zu], past the 8 bytes it may use",
                   sg_q(&buf[i], 1), i);
    SG_REQUIRE(n == 7 && memcmp(buf, "abcdefg", 8) == 0,
               "7, with buf holding \"abcdefg\" and its NUL",
               "a line longer than the buffer keeps its first cap - 1 characters",
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

/* ---- sb_exchange ---- */

SG_TEST(exchange_shared)
{
    const size_t npages = 4;
    char *buf = sb_map_checked(npages, SB_SHARED, "sb_map(4, SB_SHARED)");
    struct sb_exchange_run r;
    sb_run_exchange(buf, npages * (size_t)sg_page_size(), "hello shared\n", NULL, &r);
    SG_REQUIRE(r.status == 0, "0: the child read a line", "the parent returns the child's exit "
               "status, from WEXITSTATUS", "sb_exchange returned %d", r.status);
    SG_REQUIRE(strcmp(buf, "hello shared") == 0, "the parent to see \"hello shared\" in buf",
               "the child writes into buf; the parent sees it only if the pages are "
               "MAP_SHARED and it reads after waitpid",
               "the parent saw buf = %s", sg_q(buf, strnlen(buf, 200)));
    SG_REQUIRE(strcmp(r.out, SB_PROMPT) == 0, "out to hold the prompt once: \"give me a string:\\n\"",
               "the child writes SB_PROMPT to out and flushes it before _exit",
               "out held %s", sg_q(r.out, r.out_len));
    free(r.out);
}

SG_TEST(exchange_private)
{
    const size_t npages = 4;
    char *buf = sb_map_checked(npages, SB_PRIVATE, "sb_map(4, SB_PRIVATE)");
    struct sb_exchange_run r;
    sb_run_exchange(buf, npages * (size_t)sg_page_size(), "hello private\n", NULL, &r);
    SG_REQUIRE(r.status == 0, "0: the child read a line",
               "the child's status is 0 when it read a line, whatever the sharing",
               "sb_exchange returned %d", r.status);
    sb_require_zeroes(buf, 64, "the exchange, in the parent's private copy");
    free(r.out);
}

SG_TEST(exchange_no_line)
{
    char *buf = sb_map_checked(1, SB_SHARED, "sb_map(1, SB_SHARED)");
    struct sb_exchange_run r;
    sb_run_exchange(buf, (size_t)sg_page_size(), "", NULL, &r);
    SG_REQUIRE(r.status == 1, "1: the child read no line and ended with _exit(1)",
               "the child ends with status 1 when sb_read_line returns -1, and the parent "
               "returns that status",
               "sb_exchange returned %d on empty input", r.status);
    free(r.out);
}

SG_TEST(exchange_flushes_first)
{
    /* out holds buffered, unwritten text when the exchange starts. Unless
     * sb_exchange flushes before fork, the child gets a copy of that buffer
     * and both processes write it. */
    char *buf = sb_map_checked(1, SB_SHARED, "sb_map(1, SB_SHARED)");
    struct sb_exchange_run r;
    sb_run_exchange(buf, (size_t)sg_page_size(), "x\n", "before\n", &r);
    SG_REQUIRE(strcmp(r.out, "before\n" SB_PROMPT) == 0,
               "\"before\\n\" once, then the prompt",
               "fflush(out) before fork(): a stdio buffer is process memory, and fork copies "
               "it into the child, so unflushed text is written once by each process",
               "out held %s", sg_q(r.out, r.out_len));
    free(r.out);
}

SG_TEST(exchange_child_uses__exit)
{
    /* A stream unrelated to the exchange holds buffered text. The child
     * must end with _exit: exit() would flush that copied buffer too. */
    FILE *other = sg_output_file();
    SG_SETUP(fputs("pending\n", other) != EOF, "fputs");
    char *buf = sb_map_checked(1, SB_SHARED, "sb_map(1, SB_SHARED)");
    struct sb_exchange_run r;
    sb_run_exchange(buf, (size_t)sg_page_size(), "x\n", NULL, &r);
    size_t len;
    char *text = sg_file_contents(other, &len);
    SG_REQUIRE(strcmp(text, "pending\n") == 0, "\"pending\\n\" once",
               "end the child with _exit(status), not exit() or return: exit() flushes every "
               "stdio buffer the child inherited from the parent, so the parent's pending "
               "output is written twice",
               "another stream of the parent's held %s after the exchange", sg_q(text, len));
    free(text);
    free(r.out);
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
    SG_TEST_ENTRY(exchange_shared),
    SG_TEST_ENTRY(exchange_private),
    SG_TEST_ENTRY(exchange_no_line),
    SG_TEST_ENTRY(exchange_flushes_first),
    SG_TEST_ENTRY(exchange_child_uses__exit),
    SG_TEST_ENTRY(program_shared),
    SG_TEST_ENTRY(program_private),
    SG_TEST_ENTRY(program_no_input),
    SG_TESTS_END,
};
