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
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <unistd.h>

/* Where the linker put the program's bss: from __bss_start to _end. */
extern char __bss_start[], _end[];

SG_TEST(array_in_bss)
{
    struct sl_layout l;
    sl_probe_checked(&l);
    SG_REQUIRE(l.array_hi - l.array_lo == SL_ARRAY_SIZE,
               "array_hi - array_lo == SL_ARRAY_SIZE (40000)",
               "array_lo = &array[0] and array_hi = &array[SL_ARRAY_SIZE]",
               "array_hi - array_lo is %td", l.array_hi - l.array_lo);
    SG_REQUIRE(l.array_lo >= __bss_start && l.array_hi <= _end,
               "the array inside the program's bss",
               "declare it `static char array[SL_ARRAY_SIZE];` at file scope, with no "
               "initialiser: an initialised array goes to .data, a local one to the stack, a "
               "malloc'ed one to the heap",
               "the array %p-%p is outside the bss, %p-%p", (void *)l.array_lo,
               (void *)l.array_hi, (void *)__bss_start, (void *)_end);
}

SG_TEST(stack_in_stack)
{
    struct sl_layout l;
    sl_probe_checked(&l);
    sl_require_in_mapping(l.stack, "[stack]", "the stack address",
                          "record the address of a local variable of sl_probe");
}

SG_TEST(malloc_in_heap)
{
    struct sl_layout l;
    sl_probe_checked(&l);
    SG_REQUIRE(l.malloc_hi - l.malloc_lo == SL_MALLOC_SIZE,
               "malloc_hi - malloc_lo == SL_MALLOC_SIZE (100000)",
               "malloc_hi is one past the end of the block", "it is %td",
               l.malloc_hi - l.malloc_lo);
    sl_require_in_mapping(l.malloc_lo, "[heap]", "the malloc'ed block",
                          "malloc(SL_MALLOC_SIZE): a block that size comes from the heap");
}

SG_TEST(segment_mapping)
{
    struct sl_layout l;
    sl_probe_checked(&l);
    SG_REQUIRE(l.shm_hi - l.shm_lo == SL_SHM_SIZE, "shm_hi - shm_lo == SL_SHM_SIZE (100000)",
               "shm_hi is the attach address plus SL_SHM_SIZE", "it is %td",
               l.shm_hi - l.shm_lo);
    struct sg_mapping m;
    int found = sg_find_mapping(getpid(), l.shm_lo, &m);
    SG_SETUP(found != -1, "read of /proc/self/maps");
    SG_REQUIRE(found == 0, "the segment attached at shm_lo", "shm_lo is what shmat returned",
               "nothing is mapped at %p", (void *)l.shm_lo);
    SG_REQUIRE(strncmp(m.path, "/SYSV", 5) == 0 && m.perms[3] == 's',
               "an XSI segment: a shared mapping named /SYSV<key> in /proc/<pid>/maps",
               "attach a segment from shmget with shmat, not memory from mmap or malloc",
               "shm_lo lies in %#lx-%#lx %s %s", (unsigned long)m.start, (unsigned long)m.end,
               m.perms, m.path);
    size_t page = (size_t)sg_page_size();
    size_t want = (SL_SHM_SIZE + page - 1) / page * page;
    SG_REQUIRE(m.start == (uintptr_t)l.shm_lo && m.end - m.start == want,
               "a mapping of SL_SHM_SIZE rounded up to pages, starting at shm_lo",
               "shmget(IPC_PRIVATE, SL_SHM_SIZE, ...) and report shmat's address",
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
               "report the id shmget returned", "shmctl(%d, IPC_STAT) failed: %s", l.shmid,
               strerror(errno));
    SG_REQUIRE(ds.shm_segsz == SL_SHM_SIZE, "a segment of SL_SHM_SIZE (100000) bytes",
               "pass SL_SHM_SIZE to shmget", "the segment is %zu bytes", (size_t)ds.shm_segsz);
    SG_REQUIRE((ds.shm_perm.mode & 0777) == SL_SHM_MODE, "mode 0600 (SL_SHM_MODE)",
               "the third argument of shmget: SL_SHM_MODE, the owner alone may read and write",
               "the segment's mode is %03o", (unsigned)(ds.shm_perm.mode & 0777));
    SG_REQUIRE(ds.shm_nattch == 1, "one attachment", "attach once, with shmat(id, 0, 0)",
               "the segment has %lu attachments", (unsigned long)ds.shm_nattch);
    SG_REQUIRE(ds.shm_cpid == getpid(), "created by the calling process",
               "shmget(IPC_PRIVATE, ...) creates a new segment in sl_probe",
               "it was created by pid %ld", (long)ds.shm_cpid);
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
    SG_REQUIRE(strcmp(text, want) == 0, sg_q(want, strlen(want)),
               "the four lines exactly, each address printed with %lx of (unsigned long) "
               "(no 0x, as %p would add)",
               "sl_print wrote %s", sg_q(text, len));
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
    int rc = sl_release(&l);
    SG_REQUIRE(rc == 0, "0", "shmdt, IPC_RMID, free", "sl_release returned %d (%s)", rc,
               strerror(errno));
    sl_require_released(&probed, before);
    size_t now = sl_heap_in_use();
    SG_REQUIRE(now == heap, "the block freed", "free(malloc_lo) in sl_release",
               "%zu more bytes of heap are in use than before sl_probe", now - heap);
}

SG_TEST(probe_failure_leaves_nothing)
{
    /* Make shmat fail while malloc works: keep freed memory in malloc's
     * arena (no trimming, no mmap'ed blocks), then cap the address space at
     * what the process uses now. malloc is served from the arena; the
     * segment's mapping needs new address space and gets ENOMEM. */
    sl_require_round_trip();
    SG_SETUP(mallopt(M_TRIM_THRESHOLD, 64 << 20) == 1 && mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1,
             "mallopt");
    free(malloc(4 << 20));
    int before = sl_segments_created_by(getpid());
    SG_SETUP(before != -1, "read of /proc/sysvipc/shm");
    size_t heap = sl_heap_in_use();
    long kib = sg_proc_status_kib("VmSize");
    SG_SETUP(kib > 0, "read of /proc/self/status");
    struct rlimit rl = { (rlim_t)kib << 10, (rlim_t)kib << 10 };
    SG_SETUP(setrlimit(RLIMIT_AS, &rl) == 0, "setrlimit(RLIMIT_AS)");

    struct sl_layout l;
    memset(&l, 0, sizeof l);
    errno = 0;
    int rc = sl_probe(&l);
    int err = errno;
    SG_REQUIRE(rc == -1, "-1: the segment could not be attached",
               "compare shmat's result with (void *) -1, not with NULL",
               "sl_probe returned %d although shmat cannot map anything", rc);
    SG_REQUIRE(err == ENOMEM, "errno ENOMEM, from shmat",
               "keep shmat's errno through the clean-up (save it, clean up, restore it)",
               "errno was %d (%s)", err, strerror(err));
    int left = sl_segments_created_by(getpid());
    SG_REQUIRE(left == before, "no segment left behind by the failed probe",
               "when shmat fails after shmget worked, remove the segment (IPC_RMID) before "
               "returning -1",
               "%d segment(s) created by the failed sl_probe are still on the system",
               left - before);
    SG_REQUIRE(sl_heap_in_use() == heap, "no block left behind by the failed probe",
               "free the block on the failure path too",
               "%zu bytes of heap are still in use", sl_heap_in_use() - heap);
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
               "sl_probe, sl_print and sl_release must work; see the other tests",
               "`shm_layout` printed %s and ended with %s; stderr: %s",
               sg_q(run.out, run.out_len), sg_status_text(run.status), sg_q(run.err, run.err_len));
    SG_REQUIRE(sl_segments_created_by(run.pid) == 0, "no segment left by the program",
               "sl_release removes the segment",
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
