/*
 * hidden/tests.c — lab 04 hidden tests: the instructor's, not in the student kit.
 */
#include "sg_harness.h"
#include "shm_layout.h"
#include "sl_testlib.h"

#include <errno.h>
#include <malloc.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <unistd.h>

SG_TEST(segment_is_usable_to_the_end)
{
    struct sl_layout l;
    sl_probe_checked(&l);
    /* Writing every byte up to shm_hi crashes if the segment is smaller
     * than the size sl_probe reports. */
    memset(l.shm_lo, 0x5a, (size_t)(l.shm_hi - l.shm_lo));
    SG_REQUIRE(l.shm_lo[SL_SHM_SIZE - 1] == 0x5a, "the last byte written",
               "the segment is as big as shm_hi says. Is it?",
               "the last byte of the segment reads %d", l.shm_lo[SL_SHM_SIZE - 1]);
}

SG_TEST(probe_twice)
{
    int before = sl_segments_created_by(getpid());
    struct sl_layout a, b;
    sl_probe_checked(&a);
    sl_probe_checked(&b);
    /* A shmid never filled in (-1) is segment_stat's to report, not this test's. */
    SG_REQUIRE((a.shmid == -1 || a.shmid != b.shmid) && a.shm_lo != b.shm_lo &&
                   a.malloc_lo != b.malloc_lo,
               "two probes, two segments, two blocks",
               "IPC_PRIVATE always creates a new segment, and each probe mallocs its own block. "
               "Does anything of yours keep a segment or a block from one probe to the next?",
               "the second sl_probe returned segment %d at %p (the first: %d at %p)", b.shmid,
               (void *)b.shm_lo, a.shmid, (void *)a.shm_lo);
    struct sl_layout a_probed = a, b_probed = b;
    SG_REQUIRE(sl_release(&b) == 0 && sl_release(&a) == 0, "0 from both releases",
               "each release detaches and removes its own probe's segment, and frees its own "
               "block. See release_leaves_nothing",
               "a release failed: %s", strerror(errno));
    sl_require_released(&b_probed, before);
    sl_require_released(&a_probed, before);
}

SG_TEST(malloc_failure_leaves_nothing)
{
    /* Make malloc fail while the segment works: RLIMIT_DATA bounds private
     * writable memory (brk and private mmap), not shared mappings. */
    sl_probe_once();
    int before = sl_segments_created_by(getpid());
    SG_SETUP(before != -1, "read of /proc/sysvipc/shm");
    SG_SETUP(mallopt(M_TRIM_THRESHOLD, 0) == 1, "mallopt");
    malloc_trim(0);
    long kib = sg_proc_status_kib("VmData");
    SG_SETUP(kib > 0, "read of /proc/self/status");
    /* Only the soft limit, put back after the call: the test's own checks
     * need memory too. */
    struct rlimit old, rl;
    SG_SETUP(getrlimit(RLIMIT_DATA, &old) == 0, "getrlimit(RLIMIT_DATA)");
    rl = old;
    rl.rlim_cur = (rlim_t)kib << 10;
    SG_SETUP(setrlimit(RLIMIT_DATA, &rl) == 0, "setrlimit(RLIMIT_DATA)");
    struct sl_layout l;
    memset(&l, 0, sizeof l);
    int rc = sl_probe(&l);
    SG_SETUP(setrlimit(RLIMIT_DATA, &old) == 0, "setrlimit(RLIMIT_DATA)");
    /* The failure was the test's doing: not a limit the code ran into (a
     * class review: the report named the sandbox's 512 MiB). */
    sg_limits_forget_mallocs();
    SG_REQUIRE(rc == -1, "-1: malloc failed",
               "malloc returns NULL when it cannot allocate. Does sl_probe look at what it "
               "returned?",
               "sl_probe returned %d although malloc could not allocate", rc);
    int left = sl_segments_created_by(getpid());
    int marked = sl_segments_marked_of(getpid());
    /* A segment already marked by IPC_RMID stays only while it is
     * attached: that failure path forgot the attachment, not the removal
     * (a class review: the hint said nothing would remove it). */
    SG_REQUIRE(left == before, "no segment left behind by the failed probe",
               marked > 0 ? "the segment is marked for removal but still attached, so it and "
                            "its memory stay as long as the attachment does. What must the "
                            "failure path undo besides the segment itself?"
                          : "the segment was made before malloc failed, and nothing removes it "
                            "when the process ends. What must the failure path undo?",
               "%d segment(s) are still on the system%s", left - before,
               marked > 0 ? ", marked for removal and attached" : "");
}

SG_TEST(segment_not_attached_twice)
{
    struct sl_layout l;
    sl_probe_checked(&l);
    int attached = 0;
    FILE *f = fopen("/proc/self/maps", "re");
    SG_SETUP(f != NULL, "fopen /proc/self/maps");
    char line[512];
    while (fgets(line, sizeof line, f) != NULL)
        if (strstr(line, "/SYSV") != NULL)
            attached++;
    fclose(f);
    SG_REQUIRE(attached == 1, "exactly one attached segment in the process",
               "each shmat makes one more attachment. How many times does one sl_probe attach?",
               "the process has %d segments attached after one sl_probe", attached);
}

SG_TEST(release_reports_errors)
{
    /* The test detaches the segment itself, behind sl_release's back: the
     * detach sl_release then asks for must fail (EINVAL), and sl_release
     * must say so. */
    struct sl_layout l;
    sl_probe_checked(&l);
    SG_SETUP(shmdt(l.shm_lo) == 0, "shmdt");
    errno = 0;
    int rc = sl_release(&l);
    int err = errno;
    SG_REQUIRE(rc == -1 && err != 0, "-1 with errno set: the detach failed",
               "the segment was no longer attached, so a detach in sl_release failed. "
               "shm_layout.h asks sl_release to report that. Does yours look at what "
               "shmdt and shmctl return? See man 2 shmdt: RETURN VALUE",
               "sl_release returned %d (errno %d) when its detach could not work", rc, err);
}

SG_TEST(release_removes_even_when_its_detach_fails)
{
    /* As in release_reports_errors, the test detaches the segment itself:
     * sl_release's detach fails, and the rest of its work must still be
     * done. A segment sl_probe did not mark for removal would otherwise
     * outlive the process (a review as a class: a return at the failed
     * detach skipped IPC_RMID, and scored full marks). */
    /* Whether a plain sl_release gives the heap back: if not, that is
     * release_leaves_nothing's to grade, and the heap is not looked at
     * below (a code that never frees would lose both). */
    size_t heap = sl_heap_in_use();
    struct sl_layout l;
    sl_probe_checked(&l);
    (void)sl_release(&l);
    bool frees = sl_heap_in_use() == heap;
    heap = sl_heap_in_use();
    sl_probe_checked(&l);
    int id = l.shmid;
    SG_SETUP(shmdt(l.shm_lo) == 0, "shmdt");
    errno = 0;
    (void)sl_release(&l);
    struct shmid_ds ds;
    int stat = shmctl(id, IPC_STAT, &ds);
    if (stat == 0)
        shmctl(id, IPC_RMID, NULL); /* the test's own clean-up */
    SG_REQUIRE(stat == -1, "the segment gone after sl_release, though its detach failed",
               "the detach failed, and the segment stayed: when one step of sl_release fails, "
               "do the steps after it still run? shm_layout.h: after it, no segment of ours "
               "exists",
               "segment %d still exists after sl_release, whose detach had failed", id);
    /* And the block: a return at the failed detach kept it (a class review). */
    size_t now = sl_heap_in_use();
    SG_REQUIRE(!frees || now == heap, "the block freed, though the detach failed",
               "when one step of sl_release fails, do the steps after it still run? "
               "shm_layout.h: each step, even when one before it failed",
               "%zu more bytes of heap are in use than before sl_probe, after an sl_release "
               "whose detach had failed",
               now - heap);
}

const struct sg_test sg_hidden_tests[] = {
    SG_TEST_ENTRY(segment_is_usable_to_the_end),
    SG_TEST_ENTRY(probe_twice),
    SG_TEST_ENTRY(release_reports_errors),
    SG_TEST_ENTRY(release_removes_even_when_its_detach_fails),
    SG_TEST_ENTRY(malloc_failure_leaves_nothing),
    SG_TEST_ENTRY(segment_not_attached_twice),
    SG_TESTS_END,
};
