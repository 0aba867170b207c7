/*
 * hidden/tests.c — lab 01 hidden tests: the instructor's, not in the student kit.
 * Edge cases a student who only ran the public tests may have missed.
 */
#include "sg_harness.h"
#include "sb_testlib.h"
#include "shared_buffer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

SG_TEST(map_full_size)
{
    char *buf = sb_map_checked(SB_NUM_PAGES, SB_SHARED, "sb_map(SB_NUM_PAGES, SB_SHARED)");
    sb_require_mapping(buf, SB_NUM_PAGES, 's', true);
    size_t last = (size_t)SB_NUM_PAGES * (size_t)sg_page_size() - 1;
    SG_REQUIRE(buf[last] == 0, "the last byte zero", "map the whole length",
               "byte %zu is %d", last, buf[last]);
}

SG_TEST(map_bad_sharing)
{
    errno = 0;
    char *buf = sb_map(1, (enum sb_sharing)7);
    SG_REQUIRE(buf == NULL && errno == EINVAL, "NULL with errno EINVAL",
               "accept exactly SB_SHARED and SB_PRIVATE; anything else is EINVAL",
               "sb_map(1, 7) returned %p with errno %d (%s)", (void *)buf, errno,
               strerror(errno));
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
    SG_REQUIRE(r.status == 0, "0", "the child read a line", "sb_exchange returned %d", r.status);
    SG_REQUIRE(strlen(buf) == len && memcmp(buf, line, len) == 0,
               "the whole 200000-byte line in buf",
               "read until the newline, not into a fixed-size local buffer",
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
    SG_REQUIRE(r.status == 0, "0", "the child read a line", "sb_exchange returned %d", r.status);
    SG_REQUIRE(strnlen(buf, 100) == 99, "99 characters and a NUL in the first 100 bytes",
               "the child passes cap on to sb_read_line", "buf holds %zu characters",
               strnlen(buf, total));
    for (size_t i = 100; i < total; i++)
        SG_REQUIRE(buf[i] == '#', "no byte past cap written",
                   "pass cap, not the size of the mapping, to sb_read_line",
                   "byte %zu was overwritten with %s", i, sg_q(&buf[i], 1));
    free(r.out);
}

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

const struct sg_test sg_hidden_tests[] = {
    SG_TEST_ENTRY(map_full_size),
    SG_TEST_ENTRY(map_bad_sharing),
    SG_TEST_ENTRY(read_line_exact_fit),
    SG_TEST_ENTRY(read_line_cap_one),
    SG_TEST_ENTRY(exchange_long_line),
    SG_TEST_ENTRY(exchange_bounded),
    SG_TEST_ENTRY(program_long_line),
    SG_TEST_ENTRY(program_private_no_input),
    SG_TESTS_END,
};
