/* sg_diskturn.c — turns on the grader's disk for the memory check; see sg_diskturn.h. */
#include "sg_diskturn.h"

#include "sg_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

/* Opens (creating) the lock file NAME of this user in the scratch folder; -1 with errno. */
static int sg_turn_file(const char *name)
{
    const char *tmp = getenv("TMPDIR");
    struct sg_buf path = SG_BUF_INIT;
    sg_buf_printf(&path, "%s/shmlab-memcheck-%lu.%s", tmp && *tmp ? tmp : "/tmp",
                  (unsigned long)geteuid(), name);
    /* Never followed: the scratch folder is often /tmp, which anyone may write. */
    int fd = open(path.data, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    int saved = errno;
    sg_buf_free(&path);
    errno = saved;
    return fd;
}

/* flock, again when a signal interrupted it. */
static int sg_flock(int fd, int how)
{
    int rc;
    while ((rc = flock(fd, how)) == -1 && errno == EINTR)
        ;
    return rc;
}

int sg_diskturn_take(struct sg_diskturn *t, bool alone)
{
    t->gate = sg_turn_file("gate");
    t->lock = t->gate == -1 ? -1 : sg_turn_file("lock");
    /* Through the gate: a sole turn holds it while it waits for the
     * shared ones to end, so that no new one starts meanwhile. */
    if (t->lock == -1 || sg_flock(t->gate, LOCK_EX) == -1 ||
        sg_flock(t->lock, alone ? LOCK_EX : LOCK_SH) == -1) {
        int saved = errno;
        sg_diskturn_give_back(t);
        errno = saved;
        return -1;
    }
    close(t->gate);
    t->gate = -1;
    return 0;
}

void sg_diskturn_give_back(struct sg_diskturn *t)
{
    /* Closing the last descriptor of an open file description releases its lock. */
    if (t->gate != -1)
        close(t->gate);
    if (t->lock != -1)
        close(t->lock);
    t->gate = t->lock = -1;
}
