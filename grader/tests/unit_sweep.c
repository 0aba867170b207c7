/* unit_sweep.c — what a sandbox's own user leaves is removed, and nothing else. */
#include "sg_fs.h"
#include "sg_sweep.h"
#include "unit.h"

#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/random.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Names that no other test or program on the machine uses. */
static char tag[32];

/* As uid: a segment, a semaphore set, a message queue, a POSIX queue, files and a link. */
static void leave_things(uid_t uid, const char *canary)
{
    pid_t pid = fork();
    ck_assert_int_ne(pid, -1);
    if (pid == 0) {
        if (setgid(uid) == -1 || setuid(uid) == -1)
            _exit(2);
        char path[128];
        int ok = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600) != -1 &&
                 semget(IPC_PRIVATE, 1, IPC_CREAT | 0600) != -1 &&
                 msgget(IPC_PRIVATE, IPC_CREAT | 0600) != -1;
        snprintf(path, sizeof path, "/dev/shm/%s", tag);
        ok &= open(path, O_CREAT | O_WRONLY, 0600) != -1;
        snprintf(path, sizeof path, "/tmp/%s", tag);
        ok &= mkdir(path, 0700) == 0;
        snprintf(path, sizeof path, "/tmp/%s/inside", tag);
        ok &= open(path, O_CREAT | O_WRONLY, 0600) != -1;
        snprintf(path, sizeof path, "/tmp/%s.link", tag);
        ok &= symlink(canary, path) == 0;
        /* In a folder below /tmp that everyone may write (as /tmp/.X11-unix). */
        snprintf(path, sizeof path, "/tmp/%s-ww/left", tag);
        ok &= open(path, O_CREAT | O_WRONLY, 0600) != -1;
        snprintf(path, sizeof path, "/%s", tag);
        struct mq_attr a = { .mq_maxmsg = 1, .mq_msgsize = 8 };
        mqd_t q = mq_open(path, O_CREAT | O_RDWR, 0600, &a);
        _exit(ok && q != (mqd_t)-1 ? 0 : 1);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
}

/* How many System V objects of table (/proc/sysvipc/...) uid owns. */
static int owned(const char *table, int uid_col, uid_t uid)
{
    FILE *f = fopen(table, "r");
    ck_assert_ptr_nonnull(f);
    char line[512];
    int n = 0;
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f) != NULL) {
        char *w = strtok(line, " \n");
        for (int i = 0; w != NULL && i < uid_col; i++)
            w = strtok(NULL, " \n");
        n += w != NULL && strtoul(w, NULL, 10) == uid;
    }
    fclose(f);
    return n;
}

START_TEST(what_the_uid_left_goes_and_nothing_else)
{
    if (geteuid() != 0)
        return; /* only root can be another user */
    uid_t uid = 0x7A000000u;
    ck_assert_int_eq(getrandom(&uid, 3, 0), 3);
    uid = 0x7A000000u | (uid & 0xffffffu);
    snprintf(tag, sizeof tag, "unit-sweep-%u", (unsigned)uid);
    char canary[] = "/tmp/unit-sweep-canary.XXXXXX";
    int fd = mkstemp(canary);
    ck_assert_int_ne(fd, -1);
    close(fd);
    char ww[96];
    snprintf(ww, sizeof ww, "/tmp/%s-ww", tag);
    ck_assert_int_eq(mkdir(ww, 0700), 0);
    ck_assert_int_eq(chmod(ww, 01777), 0);
    leave_things(uid, canary);
    ck_assert_int_ge(sg_sweep_uid(uid, uid), 6);
    ck_assert_int_eq(owned("/proc/sysvipc/shm", 7, uid), 0);
    ck_assert_int_eq(owned("/proc/sysvipc/sem", 4, uid), 0);
    ck_assert_int_eq(owned("/proc/sysvipc/msg", 7, uid), 0);
    char path[128];
    const char *gone[] = { "/dev/shm/%s", "/tmp/%s", "/tmp/%s.link", "/tmp/%s-ww/left" };
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, gone[i], tag);
        struct stat st;
        ck_assert_msg(lstat(path, &st) == -1, "%s is still there", path);
    }
    snprintf(path, sizeof path, "/%s", tag);
    ck_assert_msg(mq_unlink(path) == -1, "the POSIX queue %s is still there", path);
    ck_assert_msg(access(canary, F_OK) == 0, "the link's target went too");
    ck_assert_msg(access(ww, F_OK) == 0, "the folder everyone may write went too");
    rmdir(ww);
    unlink(canary);
}
END_TEST

/*
 * A chain of folders far deeper than the removal recurses, with a file at
 * its end and folders without write permission on the way, goes whole,
 * whoever removes it (an
 * attacker's review: 100 levels outlived the sweep, their file filling
 * /dev/shm for the next student).
 */
/* Builds the chain in /tmp and removes it: 0 when it went whole, else the step that failed. */
static int deep_tree_removed(void)
{
    char top[] = "/tmp/unit-rmtree.XXXXXX";
    if (mkdtemp(top) == NULL)
        return 1;
    int fd = open(top, O_RDONLY | O_DIRECTORY);
    for (int level = 0; fd != -1 && level < 1000; level++) {
        if (mkdirat(fd, "d", 0700) == -1)
            return 2;
        int sub = openat(fd, "d", O_RDONLY | O_DIRECTORY);
        /* Read-only, as its owner may leave it: moved to another parent,
         * a folder must be writable (its ".." changes), which a sweep that
         * is not root must grant first (a review of the change). */
        if (sub == -1 || fchmod(fd, level == 500 ? 0 : 0555) == -1)
            return 3;
        close(fd);
        fd = sub;
    }
    int file = fd == -1 ? -1 : openat(fd, "left-behind", O_CREAT | O_WRONLY, 0600);
    if (file == -1)
        return 4;
    close(file);
    close(fd);
    struct stat st;
    return sg_rmtree(top) == 0 && lstat(top, &st) == -1 ? 0 : 5;
}

START_TEST(a_tree_of_any_depth_is_removed)
{
    if (geteuid() != 0) {
        ck_assert_int_eq(deep_tree_removed(), 0);
        return;
    }
    /* Root may write any folder: the sweep runs as the test's own user. */
    pid_t pid = fork();
    ck_assert_int_ne(pid, -1);
    if (pid == 0)
        _exit(setgid(65534) == 0 && setuid(65534) == 0 ? deep_tree_removed() : 9);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
}
END_TEST

Suite *unit_sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("sweep");
    tcase_add_test(tc, what_the_uid_left_goes_and_nothing_else);
    tcase_add_test(tc, a_tree_of_any_depth_is_removed);
    suite_add_tcase(s, tc);
    return s;
}
