/* sb_testlib.c — checks that lab 01's public and hidden tests share. */
#include "sb_testlib.h"
#include "sg_harness.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

char *sb_map_checked(size_t npages, enum sb_sharing sharing, const char *call)
{
    errno = 0;
    char *buf = sb_map(npages, sharing);
    SG_REQUIRE(buf != NULL && buf != MAP_FAILED, "the address of the new mapping",
               "map with mmap(NULL, npages * page size, PROT_READ | PROT_WRITE, "
               "MAP_ANONYMOUS | MAP_SHARED (or MAP_PRIVATE), -1, 0)",
               "%s returned %p (errno %d: %s)", call, (void *)buf, errno, strerror(errno));
    SG_REQUIRE((uintptr_t)buf % (uintptr_t)sg_page_size() == 0,
               "a page-aligned address, as mmap returns",
               "return mmap's result itself, not an address inside the mapping",
               "%s returned %p", call, (void *)buf);
    return buf;
}

void sb_require_mapping(const char *buf, size_t npages, char flag, bool exact)
{
    size_t len = npages * (size_t)sg_page_size();
    struct sg_mapping m;
    int found = sg_find_mapping(getpid(), buf, &m);
    SG_SETUP(found != -1, "read of /proc/self/maps");
    SG_REQUIRE(found == 0, "the buffer's address in /proc/<pid>/maps",
               "return the address that mmap gave you",
               "no mapping of the process contains %p", (const void *)buf);
    const char *kind = flag == 's' ? "shared" : "private";
    SG_REQUIRE(m.perms[3] == flag, flag == 's' ? "a shared mapping ('s' in /proc/<pid>/maps)"
                                               : "a private mapping ('p' in /proc/<pid>/maps)",
               flag == 's' ? "SB_SHARED asks for MAP_SHARED: without it the child writes to a "
                             "private copy (copy-on-write) that the parent never sees"
                           : "SB_PRIVATE asks for MAP_PRIVATE",
               "the mapping %#lx-%#lx has flags %s, not %s", (unsigned long)m.start,
               (unsigned long)m.end, m.perms, kind);
    SG_REQUIRE(m.perms[0] == 'r' && m.perms[1] == 'w', "a readable and writable mapping (rw)",
               "pass PROT_READ | PROT_WRITE to mmap", "the mapping has permissions %s",
               m.perms);
    SG_REQUIRE(m.end - (uintptr_t)buf >= len, "the whole length mapped",
               "map npages * sysconf(_SC_PAGESIZE) bytes",
               "only %lu of the %zu bytes asked for are mapped",
               (unsigned long)(m.end - (uintptr_t)buf), len);
    if (exact)
        SG_REQUIRE(m.start == (uintptr_t)buf && m.end - m.start == len,
                   "a mapping of exactly npages pages",
                   "map npages * sysconf(_SC_PAGESIZE) bytes: not more, not a fixed 4096",
                   "the mapping at the buffer is %lu bytes for %zu pages of %ld",
                   (unsigned long)(m.end - m.start), npages, sg_page_size());
}

void sb_require_zeroes(const char *buf, size_t len, const char *after)
{
    for (size_t i = 0; i < len; i++)
        SG_REQUIRE(buf[i] == 0, "every byte zero",
                   "anonymous memory starts zero-filled; in the parent, a MAP_PRIVATE page "
                   "stays zero whatever the child writes into its own copy",
                   "byte %zu is %s after %s", i, sg_q(&buf[i], 1), after);
}

void sb_require_line(char *buf, size_t cap, FILE *in, const char *want, const char *what)
{
    long want_len = (long)strlen(want);
    long n = sb_read_line(buf, cap, in);
    SG_REQUIRE(n == want_len && strcmp(buf, want) == 0,
               "the line without its newline, and its length",
               "read up to the newline, drop the newline, NUL-terminate, return the number "
               "of bytes stored",
               "for %s, sb_read_line returned %ld with buf = %s (expected %ld and %s)", what,
               n, n < 0 && cap == 0 ? "(untouched)" : sg_q(buf, strnlen(buf, cap)),
               want_len, sg_q(want, strlen(want)));
}

void sb_require_end(char *buf, size_t cap, FILE *in, const char *what)
{
    memset(buf, 'X', cap);
    long n = sb_read_line(buf, cap, in);
    SG_REQUIRE(n == -1 && buf[0] == '\0', "-1 with buf set to \"\"",
               "at end of input getc returns EOF before any character: return -1 and "
               "leave an empty string",
               "%s, sb_read_line returned %ld with buf = %s", what, n,
               sg_q(buf, strnlen(buf, cap)));
}

void sb_run_exchange(char *buf, size_t cap, const char *input, const char *pending_out,
                     struct sb_exchange_run *r)
{
    FILE *in = sg_input_file(input, strlen(input));
    FILE *out = sg_output_file();
    if (pending_out != NULL)
        SG_SETUP(fputs(pending_out, out) != EOF, "fputs");
    r->status = sb_exchange(buf, cap, in, out);
    SG_REQUIRE_NOT_CHILD("sb_exchange");
    SG_REQUIRE_NO_CHILDREN("sb_exchange");
    r->out = sg_file_contents(out, &r->out_len);
    fclose(in);
    fclose(out);
}

void sb_require_program(const char *const args[], const char *input, int want_status,
                        const char *want_out)
{
    struct sg_program_expect e = {
        .input = input, .timeout_ms = 5000, .status = want_status, .out = want_out,
        .hang_hint = "a wait that never ends, or a read that never sees end of input",
        .status_hint = want_status == 0 ? "sb_map and sb_exchange must succeed and return 0"
                                        : "sb_exchange returns the child's status: 1 when it "
                                          "read no line",
        .out_hint = "the prompt comes from the child, the line (or the empty line) from the parent",
    };
    sg_require_program(args, &e);
}
