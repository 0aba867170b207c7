/*
 * tests.c — lab 04 public tests.
 *
 * Every address sl_probe reports is checked against the program's own
 * symbols (the linker's __bss_start and _end) and /proc/<pid>/maps; the
 * segment against shmctl(IPC_STAT) and /proc/sysvipc/shm.
 */
#include "sg_harness.h"
#include "shm_layout.h"
#include "sl_testlib.h"

#include <errno.h>
#include <malloc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Where the linker put the program's data, from __data_start to _edata, and
 * its bss, from __bss_start to _end. */
extern char __data_start[], _edata[], __bss_start[], _end[];

/* Where an address lies, in words for a message: ".data", "[heap]", ... */
static const char *sl_where(const char *addr)
{
    if (addr >= __data_start && addr < _edata)
        return ".data";
    static char name[300];
    struct sg_mapping m;
    if (sg_find_mapping(getpid(), addr, &m) != 0)
        return "no mapping";
    snprintf(name, sizeof name, "%s", m.path[0] ? m.path : "anonymous memory");
    return name;
}

SG_TEST(array_in_bss)
{
    struct sl_layout l;
    sl_probe_checked(&l);
    SG_REQUIRE(l.array_hi - l.array_lo == SL_ARRAY_SIZE,
               "array_hi - array_lo == SL_ARRAY_SIZE (40000)",
               "array_lo is the array's first byte, and array_hi the address just past its "
               "last one, as for the malloc'ed block. What did yours record?",
               "array_hi - array_lo is %td", l.array_hi - l.array_lo);
    const char *where = sl_where(l.array_lo);
    SG_REQUIRE(l.array_lo >= __bss_start && l.array_hi <= _end,
               "the array inside the program's bss",
               strcmp(where, ".data") == 0
                   ? "the array is in .data, where variables with an initialiser go, and takes "
                     "room in the program file. Which variables does the bss hold?"
               : strcmp(where, "[heap]") == 0 || strcmp(where, "anonymous memory") == 0
                   ? "the array is in the heap or anonymous memory: it came from malloc, or it is "
                     "one copy per thread (__thread). The bss holds variables that exist once "
                     "for the whole run and start at zero: which declaration makes one?"
               : strcmp(where, "[stack]") == 0
                   ? "the array is on the stack: a local variable lives only while its function "
                     "runs. Which declaration gives an array that exists for the whole run?"
                   : "the bss holds the variables that exist for the whole run and start at "
                     "zero, with no initialiser. See the handout's steps",
               "the array %p-%p lies in %s, outside the bss, %p-%p", (void *)l.array_lo,
               (void *)l.array_hi, where, (void *)__bss_start, (void *)_end);
}

SG_TEST(stack_in_stack)
{
    struct sl_layout l;
    sl_probe_checked(&l);
    sl_require_in_mapping(l.stack, "[stack]", "the stack address",
                          "a local variable of sl_probe lives on the stack while sl_probe runs, "
                          "unless it is static. Which variable's address did you record?");
}

SG_TEST(malloc_in_heap)
{
    struct sl_layout l;
    sl_probe_checked(&l);
    SG_REQUIRE(l.malloc_hi - l.malloc_lo == SL_MALLOC_SIZE,
               "malloc_hi - malloc_lo == SL_MALLOC_SIZE (100000)",
               "malloc_hi is the address just past the block's last byte. What did yours "
               "record?",
               "malloc_hi - malloc_lo is %td",
               l.malloc_hi - l.malloc_lo);
    sl_require_in_mapping(l.malloc_lo, "[heap]", "the malloc'ed block",
                          "a block of SL_MALLOC_SIZE bytes from malloc comes from the heap. "
                          "Where did yours come from?");
    /* A block of 4096 bytes with malloc_hi set 100000 past it had full
     * marks (a class review): the size malloc gave is the block's own. */
    size_t usable = malloc_usable_size(l.malloc_lo);
    SG_REQUIRE(usable >= SL_MALLOC_SIZE, "a block of at least SL_MALLOC_SIZE (100000) bytes",
               "malloc_lo and malloc_hi describe the block malloc gave you: how many bytes did "
               "you ask it for?",
               "the block at malloc_lo holds %zu bytes", usable);
}

SG_TEST(segment_mapping)
{
    struct sl_layout l;
    sl_probe_checked(&l);
    size_t page = (size_t)sg_page_size();
    size_t want = (SL_SHM_SIZE + page - 1) / page * page;
    SG_REQUIRE(l.shm_hi - l.shm_lo == SL_SHM_SIZE, "shm_hi - shm_lo == SL_SHM_SIZE (100000)",
               l.shm_hi - l.shm_lo == (ptrdiff_t)want
                   ? "the kernel maps whole pages, but the segment is the size shmget was asked "
                     "for, and shm_hi is just past its last byte. What size is that?"
                   : "shm_hi is the address just past the segment's last byte. How big is the "
                     "segment?",
               "shm_hi - shm_lo is %td", l.shm_hi - l.shm_lo);
    struct sg_mapping m;
    int found = sg_find_mapping(getpid(), l.shm_lo, &m);
    SG_SETUP(found != -1, "read of /proc/self/maps");
    SG_REQUIRE(found == 0, "the segment attached at shm_lo",
               "no mapping contains shm_lo. What does shmat return, and is that what you "
               "recorded?",
               "nothing is mapped at %p", (void *)l.shm_lo);
    SG_REQUIRE(m.perms[0] == 'r' && m.perms[1] == 'w',
               "the segment attached for reading and writing (rw in /proc/<pid>/maps)",
               "the segment is attached read-only. Which of shmat's flags asks for that? See man "
               "2 shmat",
               "shm_lo lies in %#lx-%#lx with permissions %s", (unsigned long)m.start,
               (unsigned long)m.end, m.perms);
    SG_REQUIRE(strncmp(m.path, "/SYSV", 5) == 0 && m.perms[3] == 's',
               "an XSI segment: a shared mapping named /SYSV<key> in /proc/<pid>/maps",
               "shm_lo lies in memory that is not an XSI segment. Which calls create a segment "
               "and attach it? See the handout's section on the API",
               "shm_lo lies in %#lx-%#lx %s %s", (unsigned long)m.start, (unsigned long)m.end,
               m.perms, m.path);
    SG_REQUIRE(m.start == (uintptr_t)l.shm_lo && m.end - m.start == want,
               "the segment's mapping: SL_SHM_SIZE bytes, which the kernel rounds up to whole "
               "pages, starting at shm_lo",
               m.start != (uintptr_t)l.shm_lo ? "shm_lo is inside the mapping, not at its start. "
                                                "Is it the address shmat returned?"
                                              : "the segment is not SL_SHM_SIZE bytes. Which size "
                                                "did shmget get?",
               "the segment's mapping is %lu bytes at %#lx", (unsigned long)(m.end - m.start),
               (unsigned long)m.start);
}

SG_TEST(segment_stat)
{
    struct sl_layout l;
    sl_probe_checked(&l);
    struct shmid_ds ds;
    errno = 0;
    SG_REQUIRE(shmctl(l.shmid, IPC_STAT, &ds) == 0, "shmctl(IPC_STAT) to find the segment",
               "shmid is not the id of a segment. Is it what shmget returned?",
               "shmctl(%d, IPC_STAT) failed: %s", l.shmid,
               strerror(errno));
    SG_REQUIRE(ds.shm_segsz == SL_SHM_SIZE, "a segment of SL_SHM_SIZE (100000) bytes",
               "shmget's second argument is the segment's size. What did yours get?",
               "the segment is %zu bytes", (size_t)ds.shm_segsz);
    SG_REQUIRE((ds.shm_perm.mode & 0777) == SL_SHM_MODE, "mode 0600 (SL_SHM_MODE)",
               "the permission bits come with shmget's flags, as open's mode does, and the "
               "owner alone may read and write. Which mode did yours give?",
               "the segment's mode is %03o", (unsigned)(ds.shm_perm.mode & 0777));
    SG_REQUIRE(ds.shm_nattch == 1, "one attachment",
               ds.shm_nattch == 0 ? "nothing is attached. Is the segment reported the one you "
                                    "attached?"
                                  : "each shmat makes one more attachment. How many times does "
                                    "sl_probe attach?",
               "the segment has %lu attachments", (unsigned long)ds.shm_nattch);
    SG_REQUIRE(ds.shm_cpid == getpid(), "created by the calling process",
               "IPC_PRIVATE always creates a new segment, in the process that asks. Which key "
               "did yours use, and where was the segment made?",
               "it was created by pid %ld", (long)ds.shm_cpid);
    /* The key shows in the mapping's name (/SYSV<key in hex>), where
     * IPC_STAT, after IPC_RMID, reports 0 whatever it was. A fixed key
     * passed every other test, each in an IPC namespace of its own, and on
     * a shared machine attaches whoever's segment has that key (a class
     * review: ftok and 0x1234 had full marks). */
    struct sg_mapping m;
    int found = sg_find_mapping(getpid(), l.shm_lo, &m);
    SG_SETUP(found != -1, "read of /proc/self/maps");
    const char *private_name = "/SYSV00000000";
    size_t n = strlen(private_name);
    SG_REQUIRE(found == 1 || (strncmp(m.path, private_name, n) == 0 &&
                              (m.path[n] == '\0' || m.path[n] == ' ')),
               "a segment of the key IPC_PRIVATE (/SYSV00000000 in /proc/<pid>/maps)",
               "a key other than IPC_PRIVATE names a segment every process of the machine can "
               "find: another program with that key gets yours, or you get theirs. Which key "
               "makes a segment nobody else can look up? See man 2 shmget",
               "the segment's mapping is named %s", m.path);
}

SG_TEST(print_four_lines)
{
    struct sl_layout l;
    sl_probe_checked(&l);
    FILE *out = sg_output_file();
    sl_print(&l, out);
    size_t len;
    char *text = sg_file_contents(out, &len);
    char want[512];
    snprintf(want, sizeof want,
             "array[] from %lx to %lx\nstack around %lx\nmalloced from %lx to %lx\n"
             "shared memory attached from %lx to %lx\n",
             (unsigned long)l.array_lo, (unsigned long)l.array_hi, (unsigned long)l.stack,
             (unsigned long)l.malloc_lo, (unsigned long)l.malloc_hi, (unsigned long)l.shm_lo,
             (unsigned long)l.shm_hi);
    /* Where the two first differ, line and column, so that a missing
     * newline or one character shows without comparing by eye (a class
     * review: the last newline left out). */
    size_t at = 0, want_len = strlen(want);
    while (at < len && at < want_len && text[at] == want[at])
        at++;
    int line = 1, column = 1;
    for (size_t i = 0; i < at; i++, column++)
        if (want[i] == '\n')
            line++, column = 0;
    size_t wn = want_len - at < 12 ? want_len - at : 12, tn = len - at < 12 ? len - at : 12;
    char where[160] = "";
    if (at < len || at < want_len)
        snprintf(where, sizeof where, "; the first difference is at line %d, column %d: %s "
                                      "where the expected text has %s",
                 line, column, tn ? sg_q(text + at, tn) : "the end", wn ? sg_q(want + at, wn) : "its end");
    SG_REQUIRE(strcmp(text, want) == 0, sg_q(want, strlen(want)),
               len == 0 ? "nothing was written to out. Does sl_print write to the stream it is "
                          "given?"
               : strstr(text, "0x") != NULL
                   ? "the addresses carry 0x, as %p and the # flag print them, and the book's "
                     "format prints plain hex. Which conversion prints an unsigned long in "
                     "hex, bare? See man 3 printf"
                   : "the four lines exactly as the book prints them, in this order, one "
                     "address format for all, each ending in a newline",
               "sl_print wrote %s%s", sg_q(text, len), where);
    free(text);
}

SG_TEST(release_leaves_nothing)
{
    int before = sl_segments_created_by(getpid());
    SG_SETUP(before != -1, "read of /proc/sysvipc/shm");
    size_t heap = sl_heap_in_use();
    struct sl_layout l;
    sl_probe_checked(&l);
    struct sl_layout probed = l;
    /* Nothing made, nothing left: a probe that made no segment would pass
     * what follows without anything released (an attacker's review). */
    int made = sl_segments_created_by(getpid());
    SG_REQUIRE(made > before, "a segment made by sl_probe, for sl_release to remove",
               "sl_probe creates and attaches a segment, and this test looks at what is left of "
               "it after sl_release: there was none. See segment_mapping",
               "after sl_probe, this process had created %d segment(s), as many as before", made);
    /* Whether sl_probe already asked for removal (IPC_RMID right after
     * attaching): then the segment goes with its last detach. */
    struct shmid_ds ds;
    bool marked = shmctl(l.shmid, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & SHM_DEST) != 0;
    errno = 0;
    int rc = sl_release(&l);
    int err = errno;
    bool gone = shmctl(probed.shmid, IPC_STAT, &ds) == -1;
    const char *hint;
    if (err == ENOSYS)
        hint = SL_NOT_WRITTEN("sl_release");
    else if (err == EINVAL && marked && gone)
        hint = "sl_probe had already marked the segment for removal, so the last detach "
               "destroyed it, and a second IPC_RMID then found no segment (EINVAL). Removing a "
               "segment once is enough: which of your calls removes it, and when does the "
               "removal take effect? See man 2 shmctl: IPC_RMID";
    else if (err == EINVAL)
        hint = "EINVAL: shmdt got an address that is not an attachment, or shmctl an id that "
               "is not a segment. Are they shm_lo and shmid as sl_probe recorded them?";
    else
        hint = "sl_release detaches, makes sure the segment is removed, and frees the block. "
               "Which step failed, and what does its errno say?";
    SG_REQUIRE(rc == 0, "0", hint, "sl_release returned %d (%s)%s", rc, strerror(err),
               err == EINVAL && marked && gone
                   ? ", and the segment, which sl_probe had marked for removal, is gone"
                   : "");
    sl_require_released(&probed, before);
    size_t now = sl_heap_in_use();
    SG_REQUIRE(now == heap, "the block freed",
               "the block from malloc stays in use until it is given back. Which call gives it "
               "back, and does sl_release make it?",
               "%zu more bytes of heap are in use than before sl_probe", now - heap);
}

/*
 * From now on, every shmget of this process fails with err, and nothing
 * else changes: a seccomp filter of the test's own (filters stack on the
 * sandbox's, and cannot be taken back). Only this process is concerned:
 * filling the segment table (SHMMNI) instead would also refuse the
 * segments of every other process in the same IPC namespace, which,
 * where the grader can have none of its own, is the machine's.
 * 0, or -1 with errno set.
 */
static int sl_refuse_shmget(int err)
{
    static const int shmget_nr[] = { __NR_shmget };
    return sg_refuse_syscalls(shmget_nr, 1, err);
}

SG_TEST(probe_failure_leaves_nothing)
{
    /* First make shmat fail while malloc works: keep freed memory in
     * malloc's arena (no trimming, no mmap'ed blocks), then cap the address
     * space at what the process uses now. malloc is served from the arena;
     * the segment's mapping needs new address space and gets ENOMEM. Then
     * make shmget fail, malloc still working: see the second part. */
    sl_probe_once();
    SG_SETUP(mallopt(M_TRIM_THRESHOLD, 64 << 20) == 1 && mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1,
             "mallopt");
    free(malloc(4 << 20));
    int before = sl_segments_created_by(getpid());
    SG_SETUP(before != -1, "read of /proc/sysvipc/shm");
    size_t heap = sl_heap_in_use();
    long kib = sg_proc_status_kib("VmSize");
    SG_SETUP(kib > 0, "read of /proc/self/status");
    /* Only the soft limit, put back after the call: the test's own checks
     * need memory too. */
    struct rlimit old, rl;
    SG_SETUP(getrlimit(RLIMIT_AS, &old) == 0, "getrlimit(RLIMIT_AS)");
    rl = old;
    rl.rlim_cur = (rlim_t)kib << 10;
    SG_SETUP(setrlimit(RLIMIT_AS, &rl) == 0, "setrlimit(RLIMIT_AS)");

    struct sl_layout l;
    memset(&l, 0, sizeof l);
    errno = 0;
    int rc = sl_probe(&l);
    int err = errno;
    SG_SETUP(setrlimit(RLIMIT_AS, &old) == 0, "setrlimit(RLIMIT_AS)");
    SG_REQUIRE(rc == -1, "-1: the segment could not be attached",
               "shmat reports failure with (void *) -1, not NULL, as mmap does with MAP_FAILED. "
               "What does your check of shmat's result compare with? See man 2 shmat: RETURN "
               "VALUE",
               "sl_probe returned %d although shmat cannot map anything", rc);
    SG_REQUIRE(err == ENOMEM, "errno ENOMEM, from shmat",
               err == ENOSYS ? SL_NOT_WRITTEN("sl_probe")
                             : "shmat set errno to ENOMEM, and the calls that clean up after it "
                               "may change errno. Does the caller still see shmat's?",
               "errno was %d (%s)", err, strerror(err));
    int left = sl_segments_created_by(getpid());
    SG_REQUIRE(left == before, "no segment left behind by the failed probe",
               "shmget had worked before shmat failed, so a segment exists, and nothing removes "
               "it when the process ends. What must the failure path undo?",
               "%d segment(s) created by the failed sl_probe are still on the system",
               left - before);
    SG_REQUIRE(sl_heap_in_use() == heap, "no block left behind by the failed probe",
               "malloc had worked before shmat failed. What must the failure path give back?",
               "%zu bytes of heap are still in use", sl_heap_in_use() - heap);

    /* Second, shmget fails: with ENOSPC, as when the system's table of
     * segments is full (SHMMNI). A block malloc'ed before it must not be
     * left behind either (an audit: a probe that returned at once kept its
     * block and scored full marks). */
    heap = sl_heap_in_use();
    SG_SETUP(sl_refuse_shmget(ENOSPC) == 0, "seccomp filter (prctl)");
    memset(&l, 0, sizeof l);
    errno = 0;
    rc = sl_probe(&l);
    err = errno;
    SG_REQUIRE(rc == -1, "-1: no segment could be created",
               "shmget reports failure with -1 and errno. Does sl_probe look at what shmget "
               "returned? See man 2 shmget: RETURN VALUE",
               "sl_probe returned %d although shmget failed (ENOSPC)", rc);
    SG_REQUIRE(err == ENOSPC, "errno ENOSPC, from shmget",
               err == EINVAL ? "EINVAL: a call after shmget got its -1 as a segment id. Does "
                               "sl_probe stop at shmget's failure?"
                             : "shmget set errno to ENOSPC, and the calls that clean up after it "
                               "may change errno. Does the caller still see shmget's?",
               "when shmget failed with ENOSPC, sl_probe returned -1 with errno %d (%s)", err,
               strerror(err));
    SG_REQUIRE(sl_heap_in_use() == heap, "no block left behind by the failed probe",
               "malloc had worked before shmget failed. What must the failure path give back?",
               "after shmget failed, %zu bytes of heap are still in use", sl_heap_in_use() - heap);
}

SG_TEST(program_output)
{
    const char *args[] = { "shm_layout", NULL };
    struct sg_program_run run;
    sg_run_program(args, "", 0, 5000, &run);
    unsigned long a0, a1, s, m0, m1, h0, h1;
    int n = sscanf(run.out,
                   "array[] from %lx to %lx\nstack around %lx\nmalloced from %lx to %lx\n"
                   "shared memory attached from %lx to %lx\n",
                   &a0, &a1, &s, &m0, &m1, &h0, &h1);
    SG_REQUIRE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0 && n == 7 &&
                   a1 - a0 == SL_ARRAY_SIZE && m1 - m0 == SL_MALLOC_SIZE &&
                   h1 - h0 == SL_SHM_SIZE,
               "the four lines, with sizes 40000, 100000 and 100000, and exit status 0",
               strstr(run.err, "sl_probe:") != NULL
                   ? "sl_probe failed (main.c says so on stderr): see its tests"
               : strstr(run.err, "sl_release:") != NULL
                   ? "sl_release failed (main.c says so on stderr): see release_leaves_nothing"
               : n < 7 ? "main.c prints sl_print's four lines and exits 0 when every "
                         "function works: the lines did not read as the book's, in its order "
                         "(see print_four_lines)"
                       : "main.c prints sl_print's four lines and exits 0 when every "
                         "function works: compare the sizes",
               "`shm_layout` printed %s and ended with %s; stderr: %s",
               sg_q(run.out, run.out_len), sg_status_text(run.status), sg_q(run.err, run.err_len));
    SG_REQUIRE(sl_segments_created_by(run.pid) == 0, "no segment left by the program",
               "a segment outlives the process that made it until it is removed. Which call of "
               "yours removes it?",
               "the program left a segment on the system");
    sg_program_run_free(&run);
}

const struct sg_test sg_public_tests[] = {
    SG_TEST_ENTRY(array_in_bss),
    SG_TEST_ENTRY(stack_in_stack),
    SG_TEST_ENTRY(malloc_in_heap),
    SG_TEST_ENTRY(segment_mapping),
    SG_TEST_ENTRY(segment_stat),
    SG_TEST_ENTRY(print_four_lines),
    SG_TEST_ENTRY(release_leaves_nothing),
    SG_TEST_ENTRY(probe_failure_leaves_nothing),
    SG_TEST_ENTRY(program_output),
    SG_TESTS_END,
};
