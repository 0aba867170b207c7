/* sg_watch.c — CPU time and progress of a sandbox, from /proc; see sg_watch.h. */
#include "sg_watch.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* One process as /proc/<pid>/stat shows it. */
struct sg_proc {
    pid_t pid, ppid;
    char state;
    long long ticks;  /* its CPU time and its reaped children's, in clock ticks */
    bool test;        /* it belongs to the test */
};

static double sg_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sg_watch_init(struct sg_watch *w, double cpu_limit, double stuck_limit, bool own_ns)
{
    memset(w, 0, sizeof *w);
    w->cpu_limit = cpu_limit;
    w->stuck_limit = stuck_limit;
    w->own_ns = own_ns;
    w->quiet_since = sg_now();
}

int sg_watch_period_ms(const struct sg_watch *w)
{
    return w->own_ns ? SG_WATCH_PERIOD_MS : 4 * SG_WATCH_PERIOD_MS;
}

/*
 * The command name, in parentheses, may hold spaces and parentheses
 * itself: the fields start after the last ')'. -1 when it is gone.
 */
static int sg_read_stat(const char *pid, struct sg_proc *p)
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
    int ppid;
    if (close == NULL ||
        sscanf(close + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld",
               &p->state, &ppid, &ut, &st, &cut, &cst) != 6)
        return -1;
    p->pid = (pid_t)strtol(pid, NULL, 10);
    p->ppid = (pid_t)ppid;
    p->ticks = (long long)(ut + st) + cut + cst;
    return 0;
}

/* Every process /proc shows, with those of the test marked; malloc'ed, *n set. */
static struct sg_proc *sg_scan(const struct sg_watch *w, size_t *n)
{
    *n = 0;
    DIR *d = opendir("/proc");
    if (d == NULL)
        return NULL;
    size_t cap = 64;
    struct sg_proc *all = malloc(cap * sizeof *all);
    struct dirent *e;
    pid_t self = getpid();
    while (all != NULL && (e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        if (*n == cap) {
            struct sg_proc *grown = realloc(all, 2 * cap * sizeof *all);
            if (grown == NULL)
                break;
            all = grown;
            cap *= 2;
        }
        if (sg_read_stat(e->d_name, &all[*n]) == 0 && all[*n].pid != self)
            (*n)++;
    }
    closedir(d);
    if (all == NULL)
        return NULL;
    for (size_t i = 0; i < *n; i++)
        all[i].test = w->own_ns ? all[i].pid != 1 : all[i].ppid == self;
    /* Without a namespace: the watcher's descendants, by their parents. */
    for (bool grew = !w->own_ns; grew;) {
        grew = false;
        for (size_t i = 0; i < *n; i++)
            for (size_t k = 0; !all[i].test && k < *n; k++)
                if (all[k].test && all[k].pid == all[i].ppid)
                    all[i].test = grew = true;
    }
    return all;
}

enum sg_watch_verdict sg_watch_sample(struct sg_watch *w)
{
    static long hz;
    if (hz <= 0)
        hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
    size_t n;
    struct sg_proc *all = sg_scan(w, &n);
    if (all == NULL)
        return SG_WATCH_OK;
    long long ticks = 0;
    bool runnable = false;
    for (size_t i = 0; i < n; i++)
        if (all[i].test) {
            ticks += all[i].ticks;
            runnable |= all[i].state == 'R' || all[i].state == 'D';
        }
    free(all);
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

size_t sg_watch_pids(const struct sg_watch *w, pid_t *out, size_t max)
{
    size_t n, k = 0;
    struct sg_proc *all = sg_scan(w, &n);
    for (size_t i = 0; all != NULL && i < n && k < max; i++)
        if (all[i].test)
            out[k++] = all[i].pid;
    free(all);
    return k;
}
