/* sg_watch.c — CPU time and progress of a sandbox, from its /proc; see sg_watch.h. */
#include "sg_watch.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double sg_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sg_watch_init(struct sg_watch *w, double cpu_limit, double stuck_limit)
{
    memset(w, 0, sizeof *w);
    w->cpu_limit = cpu_limit;
    w->stuck_limit = stuck_limit;
    w->quiet_since = sg_now();
}

/*
 * One process's state letter and CPU ticks (its own and its reaped
 * children's: a process that reaps its children carries their time).
 * -1 when it is gone. The command name, in parentheses, may hold spaces
 * and parentheses itself: the fields start after the last ')'.
 */
static int sg_read_stat(const char *pid, char *state, long long *ticks)
{
    char path[300], line[1024];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    char *ok = fgets(line, sizeof line, f);
    fclose(f);
    char *close = ok ? strrchr(line, ')') : NULL;
    unsigned long long ut, st;
    long long cut, cst;
    if (close == NULL ||
        sscanf(close + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld",
               state, &ut, &st, &cut, &cst) != 5)
        return -1;
    *ticks = (long long)(ut + st) + cut + cst;
    return 0;
}

enum sg_watch_verdict sg_watch_sample(struct sg_watch *w, pid_t self)
{
    static long hz;
    if (hz <= 0)
        hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
    DIR *d = opendir("/proc");
    if (d == NULL)
        return SG_WATCH_OK;
    long long ticks = 0;
    bool runnable = false;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        long pid = strtol(e->d_name, NULL, 10);
        if (pid == 1 || pid == (long)self)
            continue;
        char state;
        long long t;
        if (sg_read_stat(e->d_name, &state, &t) == -1)
            continue;
        ticks += t;
        runnable |= state == 'R' || state == 'D';
    }
    closedir(d);
    /* What has ended and been reaped here is in this process's children's time. */
    struct rusage ru;
    long long reaped_us = 0;
    if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
        reaped_us = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
                    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    long long cpu_us = ticks * (1000000 / hz) + reaped_us;
    double now = sg_now();
    if (runnable || cpu_us > w->last_cpu_us)
        w->quiet_since = now;
    w->last_cpu_us = cpu_us;
    w->cpu_seconds = (double)cpu_us / 1e6;
    if (w->cpu_limit > 0 && w->cpu_seconds > w->cpu_limit)
        return SG_WATCH_CPU;
    if (w->stuck_limit > 0 && now - w->quiet_since > w->stuck_limit)
        return SG_WATCH_STUCK;
    return SG_WATCH_OK;
}
