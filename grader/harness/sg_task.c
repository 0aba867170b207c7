/*
 * sg_task.c — what a task (a process, or one thread of it) is doing now,
 * as the kernel shows it under /proc/<pid>/task/<tid>.
 *
 * The tests ask the kernel whether a process sleeps and in which call,
 * instead of guessing from time: /proc/.../syscall holds "running" while
 * the task is on a CPU (or blocked outside a system call), otherwise the
 * number of the call it is blocked in and its arguments.
 */
#include "sg_harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int sg_task_read(pid_t pid, pid_t tid, const char *file, char *text, size_t size)
{
    char path[96];
    if (tid == 0)
        snprintf(path, sizeof path, "/proc/%ld/%s", (long)pid, file);
    else
        snprintf(path, sizeof path, "/proc/%ld/task/%ld/%s", (long)pid, (long)tid, file);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    size_t n = fread(text, 1, size - 1, f);
    fclose(f);
    text[n] = '\0';
    return n > 0 ? 0 : -1;
}

long sg_task_syscall(pid_t pid, pid_t tid, unsigned long *arg0)
{
    char text[256];
    unsigned long first = 0;
    if (arg0 != NULL)
        *arg0 = 0;
    if (sg_task_read(pid, tid, "syscall", text, sizeof text) == -1)
        return -2;
    if (strncmp(text, "running", 7) == 0)
        return -1;
    long nr;
    if (sscanf(text, "%ld %lx", &nr, &first) < 1)
        return -2;
    if (arg0 != NULL)
        *arg0 = first;
    return nr;
}

/* The fields of the task's stat after its command name, which may hold spaces; NULL if unread. */
static const char *sg_task_stat_fields(pid_t pid, pid_t tid, char *text, size_t size)
{
    if (sg_task_read(pid, tid, "stat", text, size) == -1)
        return NULL;
    const char *p = strrchr(text, ')');
    return p != NULL && p[1] == ' ' && p[2] != '\0' ? p + 2 : NULL;
}

char sg_task_state(pid_t pid, pid_t tid)
{
    char text[1024];
    const char *f = sg_task_stat_fields(pid, tid, text, sizeof text);
    return f != NULL ? f[0] : 0;
}

long sg_task_cpu_ticks(pid_t pid, pid_t tid)
{
    char text[1024];
    const char *p = sg_task_stat_fields(pid, tid, text, sizeof text);
    unsigned long utime, stime;
    if (p == NULL || sscanf(p, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                            &utime, &stime) != 2)
        return -1;
    return (long)(utime + stime);
}

/* Whether system call nr is a wait for a child. */
static bool sg_is_wait(long nr)
{
#ifdef SYS_wait4
    if (nr == SYS_wait4)
        return true;
#endif
    return nr == SYS_waitid;
}

bool sg_task_in_wait(pid_t pid, pid_t tid)
{
    return sg_is_wait(sg_task_syscall(pid, tid, NULL));
}

/* The voluntary context switches of process pid (each time it went to sleep); -1 if unknown. */
long sg_task_sleeps(pid_t pid, pid_t tid)
{
    char text[4096];
    if (sg_task_read(pid, tid, "status", text, sizeof text) == -1)
        return -1;
    const char *at = strstr(text, "\nvoluntary_ctxt_switches:");
    return at == NULL ? -1 : strtol(at + strlen("\nvoluntary_ctxt_switches:"), NULL, 10);
}

enum sg_wait_look sg_look_for_wait(pid_t pid, int ms, bool (*ready)(void *), void *arg)
{
    long first = sg_task_cpu_ticks(pid, 0), fifth = sysconf(_SC_CLK_TCK) / 5;
    long slept = sg_task_sleeps(pid, 0);
    int elsewhere = 0;
    for (double end = sg_deadline_in_ms(ms); sg_before(end);) {
        if (sg_process_ended(pid))
            return SG_WAIT_ENDED;
        long nr = sg_task_syscall(pid, 0, NULL);
        bool waiting = sg_is_wait(nr);
        if (waiting && (ready == NULL || ready(arg)))
            return SG_WAIT_SEEN;
        /* Asleep elsewhere a third of a second, having gone to sleep a
         * hundred times: naps between tries. One long sleep ("to give the
         * child time") is slow, not polling, and is waited out. */
        if (!waiting && nr >= 0 && ++elsewhere > 333 && slept >= 0 &&
            sg_task_sleeps(pid, 0) - slept > 100)
            return SG_WAIT_POLLS;
        if (first >= 0 && sg_task_cpu_ticks(pid, 0) - first > fifth)
            return SG_WAIT_SPINS;
        sg_nap_ms(1);
    }
    return SG_WAIT_TIMEOUT;
}

pid_t sg_child_of(pid_t parent)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return 0;
    pid_t found = 0;
    struct dirent *e;
    while (found == 0 && (e = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0)
            continue;
        char text[512];
        if (sg_task_read((pid_t)pid, 0, "stat", text, sizeof text) == -1)
            continue;
        char *p = strrchr(text, ')');
        long ppid;
        if (p != NULL && sscanf(p + 2, "%*c %ld", &ppid) == 1 && ppid == (long)parent)
            found = (pid_t)pid;
    }
    closedir(d);
    return found;
}
