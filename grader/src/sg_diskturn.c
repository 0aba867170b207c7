/* sg_diskturn.c — turns on the grader's disk for the memory check; see sg_diskturn.h. */
#include "sg_diskturn.h"

#include "sg_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The longest a turn is waited for: a run under valgrind lasts at most a
 * minute, and a sole turn waits for those under way. Past it the run goes
 * on without a turn (a lock file held by someone for ever must not hang
 * the grader), and a fall of the space is then nobody's to blame. */
#define SG_TURN_WAIT_S 150

/*
 * Opens the lock file NAME in the scratch folder, shared by every user's
 * graders (flock needs only a descriptor open for reading). Opened first
 * without O_CREAT: in a sticky folder such as /tmp, the kernel may refuse
 * O_CREAT on another user's file (fs.protected_regular). -1 with errno.
 */
static int sg_turn_file(const char *name)
{
    const char *tmp = getenv("TMPDIR");
    struct sg_buf path = SG_BUF_INIT;
    sg_buf_printf(&path, "%s/shmlab-memcheck.%s", tmp && *tmp ? tmp : "/tmp", name);
    int fd = -1;
    /* Never followed: the scratch folder is often /tmp, which anyone may write. */
    for (int tries = 0; fd == -1 && tries < 3; tries++) {
        fd = open(path.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd == -1 && errno == ENOENT) {
            fd = open(path.data, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
            if (fd != -1)
                fchmod(fd, 0644); /* whatever the umask: the other users open it too */
        }
        if (fd == -1 && errno != EEXIST)
            break;
    }
    int saved = errno;
    sg_buf_free(&path);
    errno = saved;
    return fd;
}

static double sg_turn_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* flock, tried every 10 ms until deadline: 0, or -1 with errno (ETIMEDOUT then). */
static int sg_flock_until(int fd, int how, double deadline)
{
    for (;;) {
        if (flock(fd, how | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return -1;
        if (sg_turn_now() > deadline) {
            errno = ETIMEDOUT;
            return -1;
        }
        nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
    }
}

int sg_diskturn_take(struct sg_diskturn *t, bool alone)
{
    double deadline = sg_turn_now() + SG_TURN_WAIT_S;
    t->gate = sg_turn_file("gate");
    t->lock = t->gate == -1 ? -1 : sg_turn_file("lock");
    /* Through the gate: a sole turn holds it while it waits for the
     * shared ones to end, so that no new one starts meanwhile. */
    if (t->lock == -1 || sg_flock_until(t->gate, LOCK_EX, deadline) == -1 ||
        sg_flock_until(t->lock, alone ? LOCK_EX : LOCK_SH, deadline) == -1) {
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
