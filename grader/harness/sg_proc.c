/*
 * sg_proc.c — what the tests learn about processes from the kernel:
 * /proc/<pid>/maps, /proc/self/fd, children and their exit statuses.
 */
#include "sg_harness.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long sg_page_size(void)
{
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? page : 4096;
}

int sg_find_mapping(pid_t pid, const void *addr, struct sg_mapping *m)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/maps", (long)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    uintptr_t a = (uintptr_t)addr;
    char line[512];
    int found = 1;
    while (fgets(line, sizeof line, f) != NULL) {
        uintptr_t start, end;
        unsigned long offset;
        char perms[5];
        int consumed = 0;
        /* start-end perms offset dev inode [path] */
        if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s %lx %*s %*s %n", &start, &end, perms,
                   &offset, &consumed) < 4)
            continue;
        if (a < start || a >= end)
            continue;
        m->start = start;
        m->end = end;
        memcpy(m->perms, perms, sizeof m->perms);
        m->offset = offset;
        m->path[0] = '\0';
        if (consumed > 0) {
            snprintf(m->path, sizeof m->path, "%s", line + consumed);
            m->path[strcspn(m->path, "\n")] = '\0';
        }
        found = 0;
        break;
    }
    fclose(f);
    return found;
}

int sg_count_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the descriptor opendir itself holds */
}

enum sg_children sg_children_state(pid_t *pid)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    /* WNOWAIT leaves a zombie in place, so that the test can report it. */
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == -1)
        return errno == ECHILD ? SG_NO_CHILDREN : SG_CHILDREN_ERROR;
    if (info.si_pid == 0)
        return SG_CHILD_RUNNING;
    if (pid != NULL)
        *pid = info.si_pid;
    return SG_CHILD_ZOMBIE;
}

bool sg_process_ended(pid_t pid)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    /* WNOWAIT: the zombie stays for the caller to reap and report. */
    return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == pid;
}

pid_t sg_fork_ended_child(int status)
{
    fflush(NULL);
    pid_t pid = fork();
    SG_SETUP(pid != -1, "fork");
    if (pid == 0)
        _exit(status);
    struct timespec ms = { 0, 1000000 };
    for (double end = sg_deadline_in_ms(5000); !sg_process_ended(pid) && sg_before(end);)
        nanosleep(&ms, NULL);
    SG_SETUP(sg_process_ended(pid), "the test's own child to end");
    return pid;
}

bool sg_ended_child_kept(pid_t pid, int status)
{
    int st = 0;
    return waitpid(pid, &st, WNOHANG) == pid && WIFEXITED(st) && WEXITSTATUS(st) == status;
}

long sg_proc_status_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (f == NULL)
        return -1;
    char line[256];
    long kib = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            kib = strtol(line + n + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kib;
}

int sg_wait_timeout(pid_t pid, int *status, int timeout_ms)
{
    /* A pidfd becomes readable when the process ends: no polling loop. */
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd == -1)
        return -1;
    struct pollfd p = { .fd = pidfd, .events = POLLIN };
    int n;
    timeout_ms = sg_budget_ms(timeout_ms);
    do
        n = poll(&p, 1, timeout_ms);
    while (n == -1 && errno == EINTR);
    close(pidfd);
    if (n == -1)
        return -1;
    if (n == 0)
        return 1;
    pid_t w;
    do
        w = waitpid(pid, status, 0);
    while (w == -1 && errno == EINTR);
    return w == pid ? 0 : -1;
}

void sg_nap_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

const char *sg_status_text(int status)
{
    static char text[96];
    if (WIFEXITED(status))
        snprintf(text, sizeof text, "exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(text, sizeof text, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(text, sizeof text, "wait status 0x%x", (unsigned)status);
    return text;
}
