/* sg_sweep.c — remove what a sandbox's own user left on the machine; see sg_sweep.h. */
#include "sg_sweep.h"
#include "sg_fs.h"
#include "sg_sysvipc.h"
#include "sg_text.h"

#include <dirent.h>
#include <sched.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* One kind of System V object: its table in /proc/sysvipc, and where its columns are. */
struct sg_sysv_kind {
    const char *table;
    int id_col, uid_col, cuid_col;
    int kind;                  /* 0 segment, 1 semaphore set, 2 message queue */
};

static int sg_sysv_remove(int kind, int id)
{
    switch (kind) {
    case 0:
        return shmctl(id, IPC_RMID, NULL);
    case 1:
        return semctl(id, 0, IPC_RMID);
    default:
        return msgctl(id, IPC_RMID, NULL);
    }
}

struct sg_sysv_visit {
    const struct sg_sysv_kind *k;
    uid_t uid;
    int removed;
};

static void sg_sysv_row(const long *col, int ncol, void *arg)
{
    struct sg_sysv_visit *v = arg;
    const struct sg_sysv_kind *k = v->k;
    if (ncol > k->cuid_col &&
        (col[k->uid_col] == (long)v->uid || col[k->cuid_col] == (long)v->uid) &&
        sg_sysv_remove(k->kind, (int)col[k->id_col]) == 0)
        v->removed++;
}

/* Removes every object of kind k that uid owns or created; how many, or -1. */
static int sg_sweep_sysv(const struct sg_sysv_kind *k, uid_t uid)
{
    struct sg_sysv_visit v = { k, uid, 0 };
    if (sg_sysv_each(k->table, sg_sysv_row, &v) == -1)
        return errno == ENOENT ? 0 : -1;
    return v.removed;
}

/*
 * Removes every entry of dir that uid owns (a folder with all it holds),
 * and does the same in the folders below that everyone may write, where
 * uid could have made entries too (/tmp/.X11-unix; an attacker's review
 * left files there, and in /run/lock); how many, or -1.
 */
static int sg_sweep_folder(const char *dir, uid_t uid, int depth)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT || errno == EACCES ? 0 : -1;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
            continue;
        if (st.st_uid != uid) {
            if (S_ISDIR(st.st_mode) && (st.st_mode & S_IWOTH) && depth < 4) {
                struct sg_buf below = SG_BUF_INIT;
                sg_buf_printf(&below, "%s/%s", dir, e->d_name);
                int n = sg_sweep_folder(below.data, uid, depth + 1);
                removed += n > 0 ? n : 0;
                sg_buf_free(&below);
            }
            continue;
        }
        /* Not followed: a link goes, never what it points at. */
        if (!S_ISDIR(st.st_mode)) {
            removed += unlinkat(dirfd(d), e->d_name, 0) == 0;
            continue;
        }
        struct sg_buf path = SG_BUF_INIT;
        sg_buf_printf(&path, "%s/%s", dir, e->d_name);
        removed += sg_rmtree(path.data) == 0;
        sg_buf_free(&path);
    }
    closedir(d);
    return removed;
}

static int sg_sweep_as(uid_t uid)
{
    static const struct sg_sysv_kind kinds[] = {
        { "/proc/sysvipc/shm", 1, 7, 9, 0 },
        { "/proc/sysvipc/sem", 1, 4, 6, 1 },
        { "/proc/sysvipc/msg", 1, 7, 9, 2 },
    };
    static const char *const folders[] = { "/dev/shm", "/dev/mqueue", "/tmp", "/var/tmp",
                                           "/run/lock" };
    int total = 0, rc = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        int n = sg_sweep_sysv(&kinds[i], uid);
        rc |= n == -1 ? -1 : 0;
        total += n > 0 ? n : 0;
    }
    for (size_t i = 0; i < sizeof folders / sizeof *folders; i++) {
        int n = sg_sweep_folder(folders[i], uid, 0);
        rc |= n == -1 ? -1 : 0;
        total += n > 0 ? n : 0;
    }
    return rc == -1 ? -1 : total;
}

int sg_sweep_uid(uid_t uid, gid_t gid)
{
    /*
     * As that user: an object's owner may always remove it, where root
     * may not (root of a user namespace, over the machine's IPC objects:
     * a semaphore set and a message queue stayed). A file in /tmp or
     * /dev/shm (sticky) its owner may remove too. Nothing, if the switch
     * fails. POSIX message queues have no folder where /dev/mqueue is not
     * mounted: the child mounts them on one of its own, in a mount
     * namespace of its own (gone with it), where root may.
     */
    char queues[] = "/tmp/shmgrade-mq.XXXXXX";
    bool own_queues = access("/dev/mqueue/.", F_OK) == -1 && mkdtemp(queues) != NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        bool mounted = own_queues && unshare(CLONE_NEWNS) == 0 &&
                       mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
                       mount("mqueue", queues, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                             NULL) == 0;
        if (syscall(SYS_setgroups, 0, NULL) == -1 || syscall(SYS_setgid, gid) == -1 ||
            syscall(SYS_setuid, uid) == -1)
            _exit(255);
        int n = sg_sweep_as(uid);
        if (mounted && n != -1) {
            int q = sg_sweep_folder(queues, uid, 0);
            n = q == -1 ? -1 : n + q;
        }
        _exit(n == -1 ? 255 : n > 254 ? 254 : n);
    }
    int status = 0;
    while (pid != -1 && waitpid(pid, &status, 0) == -1 && errno == EINTR)
        ;
    if (own_queues)
        rmdir(queues);
    if (pid == -1)
        return -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 255)
        return -1;
    return WEXITSTATUS(status);
}
