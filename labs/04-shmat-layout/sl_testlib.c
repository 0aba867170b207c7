/* sl_testlib.c — checks that lab 04's public and hidden tests share. */
#include "sl_testlib.h"
#include "sg_harness.h"
#include "sg_sysvipc.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>

void sl_probe_checked(struct sl_layout *l)
{
    memset(l, 0, sizeof *l);
    /* Not 0: in the sandbox's own IPC namespace the first segment's id is
     * 0, so a probe that never filled shmid passed segment_stat. */
    l->shmid = -1;
    errno = 0;
    int rc = sl_probe(l);
    int err = errno;
    SG_REQUIRE(rc == 0, "0: everything probed",
               err == ENOSYS ? SL_NOT_WRITTEN("sl_probe")
               : err == EINVAL ? "EINVAL: shmget refused the size or the flags, or shmat the id "
                                 "or the address it was asked for (an id is no longer valid once "
                                 "IPC_RMID has removed a segment nobody had attached). Which call "
                                 "failed, and with what? See man 2 shmget and man 2 shmat: "
                                 "ERRORS"
               : err == EACCES ? "EACCES: the segment's mode does not let its owner attach it "
                                 "for reading and writing. Which mode did shmget get?"
                               : "sl_probe mallocs, creates a segment and attaches it. Which step "
                                 "failed, and what does its errno say?",
               "sl_probe returned %d (errno %s)", rc, strerror(err));
}

struct sl_count {
    pid_t pid;
    int n;
};

static void sl_count_if_created_by(int id, pid_t cpid, void *arg)
{
    (void)id;
    struct sl_count *c = arg;
    c->n += cpid == c->pid;
}

int sl_segments_created_by(pid_t pid)
{
    struct sl_count c = { pid, 0 };
    return sg_shm_each(sl_count_if_created_by, &c) == -1 ? -1 : c.n;
}

static void sl_count_if_marked(int id, pid_t cpid, void *arg)
{
    struct sl_count *c = arg;
    struct shmid_ds ds;
    if (cpid == c->pid && shmctl(id, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & SHM_DEST))
        c->n++;
}

int sl_segments_marked_of(pid_t pid)
{
    struct sl_count c = { pid, 0 };
    return sg_shm_each(sl_count_if_marked, &c) == -1 ? -1 : c.n;
}

size_t sl_heap_in_use(void)
{
    return mallinfo2().uordblks;
}

void sl_require_in_mapping(const char *addr, const char *name, const char *what,
                           const char *hint)
{
    struct sg_mapping m;
    int found = sg_find_mapping(getpid(), addr, &m);
    SG_SETUP(found != -1, "read of /proc/self/maps");
    char where[400];
    if (found == 0)
        snprintf(where, sizeof where, "%#lx-%#lx %s", (unsigned long)m.start,
                 (unsigned long)m.end, m.path[0] ? m.path : "(anonymous memory)");
    else
        snprintf(where, sizeof where, "no mapping at all");
    SG_REQUIRE(found == 0 && strcmp(m.path, name) == 0, name, hint, "%s %p lies in %s", what,
               (const void *)addr, where);
}

/* A probe and a release that work, before a test makes them fail. */
void sl_probe_once(void)
{
    /* The test's own clean-up, not sl_release: a failure test is about
     * sl_probe's failure path alone, and a broken release is
     * release_leaves_nothing's to report (a review as a class: an
     * IPC_RMID made twice cost these tests too). The segment may already
     * be marked for removal by sl_probe: IPC_RMID's answer does not matter. */
    struct sl_layout l;
    sl_probe_checked(&l);
    SG_SETUP(shmdt(l.shm_lo) == 0, "shmdt of the probed segment");
    shmctl(l.shmid, IPC_RMID, NULL);
    free(l.malloc_lo);
}

void sl_require_released(const struct sl_layout *l, int segments_before)
{
    /* The attachment first: a segment still attached outlives IPC_RMID. */
    struct sg_mapping m;
    int found = sg_find_mapping(getpid(), l->shm_lo, &m);
    SG_REQUIRE(found == 1, "nothing mapped where the segment was",
               "the segment is still attached. IPC_RMID only marks a segment for removal, and "
               "leaves every attachment in place: which call detaches it? See man 2 shmdt",
               "after sl_release, %#lx-%#lx %s is still mapped", (unsigned long)m.start,
               (unsigned long)m.end, m.path);
    struct shmid_ds ds;
    errno = 0;
    int stat = shmctl(l->shmid, IPC_STAT, &ds);
    SG_REQUIRE(stat == -1, "the segment gone: shmctl(IPC_STAT) fails",
               "a segment is a kernel object: it outlives the process that made it until "
               "someone removes it. Which shmctl command removes it? See man 2 shmctl",
               "after sl_release, the segment (shmid %d) still exists, %lu process(es) attached",
               l->shmid, (unsigned long)ds.shm_nattch);
    int left = sl_segments_created_by(getpid());
    SG_SETUP(left != -1, "read of /proc/sysvipc/shm");
    SG_REQUIRE(left == segments_before, "no segment of this process left on the system",
               "every segment sl_probe creates is removed in the end. Which of yours is not?",
               "%d segment(s) created by this process are still on the system",
               left - segments_before);
}
