/* sg_watch.c — CPU time and progress of a sandbox, from /proc; see sg_watch.h. */
#include "sg_watch.h"

#include <ctype.h>
#include <signal.h>
#include <sys/syscall.h>
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
    long threads;
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
    w->quiet_since = w->last_look = sg_now();
}

int sg_watch_period_ms(const struct sg_watch *w)
{
    return w->own_ns ? SG_WATCH_PERIOD_MS : 4 * SG_WATCH_PERIOD_MS;
}

/* Whether a state letter of /proc's is running, waiting for a core, or in I/O. */
static bool sg_state_runnable(char state)
{
    return state == 'R' || state == 'D';
}

/*
 * The fields of a /proc stat file after the command name, which may hold
 * spaces and parentheses itself (they start after the last ')'); NULL when
 * the file is gone. line (cap bytes) holds the text.
 */
static const char *sg_stat_fields(const char *path, char *line, size_t cap)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return NULL;
    char *ok = fgets(line, (int)cap, f);
    fclose(f);
    const char *close = ok ? strrchr(line, ')') : NULL;
    return close != NULL ? close + 1 : NULL;
}

/*
 * Whether another thread of a process is runnable. /proc/<pid>/stat shows
 * the state of the main thread alone: a test whose main thread waits in
 * pthread_join or polls while its worker thread waits for a core (lab 05's)
 * looked asleep, and a correct answer was stopped as stuck under load.
 */
static bool sg_threads_runnable(pid_t pid)
{
    char path[300], line[1024];
    snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
    DIR *d = opendir(path);
    if (d == NULL)
        return false;
    bool runnable = false;
    struct dirent *e;
    while (!runnable && (e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        snprintf(path, sizeof path, "/proc/%ld/task/%s/stat", (long)pid, e->d_name);
        const char *fields = sg_stat_fields(path, line, sizeof line);
        char state;
        runnable = fields != NULL && sscanf(fields, " %c", &state) == 1 &&
                   sg_state_runnable(state);
    }
    closedir(d);
    return runnable;
}

/* One process's stat; -1 when it is gone. */
static int sg_read_stat(const char *pid, struct sg_proc *p)
{
    char path[300], line[1024];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    const char *fields = sg_stat_fields(path, line, sizeof line);
    unsigned long long ut, st;
    long long cut, cst;
    int ppid;
    if (fields == NULL ||
        sscanf(fields,
               " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld %*d %*d %ld",
               &p->state, &ppid, &ut, &st, &cut, &cst, &p->threads) != 7)
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

/* /proc/<pid>/<name>, as text, into buf (cap bytes, terminated; "" if unreadable). */
static void sg_proc_text(pid_t pid, const char *name, char *buf, size_t cap)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/%s", (long)pid, name);
    buf[0] = '\0';
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return;
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* The number of the system call in a /proc/<pid>/syscall text; -1 when running or unknown. */
static long sg_syscall_nr(const char *call)
{
    return isdigit((unsigned char)call[0]) ? strtol(call, NULL, 10) : -1;
}

/* Argument i of the call in a /proc/<pid>/syscall text ("nr 0x1 0x2 ..."); ~0 if absent. */
static unsigned long long sg_syscall_arg(const char *call, int i)
{
    const char *p = call;
    for (int k = 0; k <= i; k++) {
        p = strchr(p, ' ');
        if (p == NULL)
            return ~0ULL;
        p++;
    }
    return strtoull(p, NULL, 16);
}

/*
 * Whether the call is a sleep that ends by itself: nanosleep, sigtimedwait,
 * and a poll or select on no descriptor at all, which only a timeout ends (a correct
 * parent that paused a second with select or poll before waitpid was
 * stopped as stuck, and the lab's later tests skipped: a review), with a
 * timeout: one without never ends, and is stuck at once.
 */
static bool sg_timed_sleep(const char *call, long nr)
{
    if (nr == __NR_nanosleep || nr == __NR_clock_nanosleep)
        return true;
#ifdef __NR_poll
    if (nr == __NR_poll) /* poll(fds, nfds, ms): ms < 0 waits for ever */
        return sg_syscall_arg(call, 1) == 0 && (sg_syscall_arg(call, 2) & 0x80000000u) == 0;
#endif
#ifdef __NR_select
    if (nr == __NR_select) /* select(nfds, r, w, e, timeout): NULL waits for ever */
        return sg_syscall_arg(call, 0) == 0 && sg_syscall_arg(call, 4) != 0;
#endif
    if (nr == __NR_ppoll) /* ppoll(fds, nfds, timeout, mask, size) */
        return sg_syscall_arg(call, 1) == 0 && sg_syscall_arg(call, 2) != 0;
    if (nr == __NR_pselect6) /* pselect6(nfds, r, w, e, timeout, mask) */
        return sg_syscall_arg(call, 0) == 0 && sg_syscall_arg(call, 4) != 0;
    /* rt_sigtimedwait(set, info, timeout, size): sigtimedwait, a parent
     * that waits a while for SIGCHLD before waitpid (a review: stopped as
     * stuck, 45 of 69); sigwaitinfo's NULL waits for ever. */
    if (nr == __NR_rt_sigtimedwait)
        return sg_syscall_arg(call, 2) != 0;
    return false;
}

/* Where the value of field begins in a /proc/<pid>/status text, or NULL; a field
 * whose name ends another's starts with its newline ("\nvoluntary_ctxt_switches:"). */
static const char *sg_status_value(const char *status, const char *field)
{
    const char *at = strstr(status, field);
    return at != NULL ? at + strlen(field) : NULL;
}

enum sg_sleep_news { SG_NO_SLEEP, SG_SLEEP_GOING, SG_SLEEP_ENDED };

/*
 * The timed sleeps of a quiet test, from one look to the next. A correct
 * answer that sleeps a second before waitpid (slow, not wrong) lost every
 * test to a 1 s stuck limit: a process in sleep, usleep or nanosleep
 * wakes up by itself. The voluntary context switches tell one sleep from
 * a loop of short ones (a poll for what never happens, which must still
 * be stopped): a process is in the same sleep while it is asleep there
 * with the count it had; one that left its sleep for anything but another
 * sleep made progress. Any process may be one of the test's, since any
 * may run the code under test. Only looked at while nothing else moves.
 */
static enum sg_sleep_news sg_sleep_news(struct sg_watch *w, const struct sg_proc *all, size_t n)
{
    enum sg_sleep_news news = SG_NO_SLEEP;
    struct sg_sleeper next[SG_WATCH_SLEEPERS];
    size_t k = 0;
    bool seen[SG_WATCH_SLEEPERS] = { false };
    for (size_t i = 0; i < n; i++) {
        if (!all[i].test)
            continue;
        char call[256], status[4096];
        sg_proc_text(all[i].pid, "syscall", call, sizeof call);
        long nr = sg_syscall_nr(call);
        bool asleep = sg_timed_sleep(call, nr);
        size_t noted = 0;
        while (noted < w->nsleepers && w->sleepers[noted].pid != all[i].pid)
            noted++;
        long long switches = -1;
        if (asleep || noted < w->nsleepers) {
            sg_proc_text(all[i].pid, "status", status, sizeof status);
            const char *v = sg_status_value(status, "\nvoluntary_ctxt_switches:");
            switches = v != NULL ? strtoll(v, NULL, 10) : -1;
        }
        if (noted < w->nsleepers) {
            seen[noted] = true;
            if (!asleep)
                news = SG_SLEEP_ENDED;
            else if (switches == w->sleepers[noted].switches && news == SG_NO_SLEEP)
                news = SG_SLEEP_GOING;
        }
        if (asleep && switches != -1 && k < SG_WATCH_SLEEPERS)
            next[k++] = (struct sg_sleeper){ all[i].pid, switches };
    }
    for (size_t i = 0; i < w->nsleepers; i++)
        if (!seen[i])
            news = SG_SLEEP_ENDED; /* it ended, which is progress too */
    /* The notes of this look replace the last's, once all were compared. */
    memcpy(w->sleepers, next, k * sizeof *next);
    w->nsleepers = k;
    return news;
}

/* One process's part of the digest of who is there: its pid, and whether it has ended. */
static unsigned long long sg_person(const struct sg_proc *p)
{
    unsigned long long x = (unsigned long long)p->pid * 2 + (p->state == 'Z');
    /* A mix (splitmix64's), so that a sum of parts seldom repeats by chance. */
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
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
    unsigned long long people = 0;
    for (size_t i = 0; i < n; i++)
        if (all[i].test) {
            ticks += all[i].ticks;
            people += sg_person(&all[i]);
            runnable = runnable || sg_state_runnable(all[i].state) ||
                       (all[i].threads > 1 && sg_threads_runnable(all[i].pid));
        }
    /* What has ended and been reaped here is in this process's children's time. */
    struct rusage ru;
    long long reaped_us = 0;
    if (getrusage(RUSAGE_CHILDREN, &ru) == 0)
        reaped_us = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
                    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    long long cpu_us = ticks * (1000000 / hz) + reaped_us;
    double now = sg_now();
    /*
     * Quiet is what was seen, not what was missed: a watcher that waited
     * for a core itself (a loaded machine) looked again long after its
     * last look, and the test's progress in between (a few milliseconds of
     * CPU, not one clock tick) was invisible: a correct test was stopped
     * as stuck. The time it did not watch does not count.
     */
    double unwatched = now - w->last_look - 2.0 * sg_watch_period_ms(w) / 1000.0;
    if (unwatched > 0)
        w->quiet_since += unwatched;
    w->last_look = now;
    enum sg_sleep_news sleep = SG_NO_SLEEP;
    if (runnable || cpu_us > w->last_cpu_us)
        w->nsleepers = 0;
    else if (w->stuck_limit > 0)
        sleep = sg_sleep_news(w, all, n);
    free(all);
    /* A process that ended, was reaped or was born is progress too, even
     * when it took less than a clock tick: a parent that sleeps a second
     * before each waitpid reaps a child between its sleeps, and was
     * stopped as stuck at its second sleep (a review). */
    bool moved = people != w->people;
    w->people = people;
    if (runnable || cpu_us > w->last_cpu_us || sleep == SG_SLEEP_ENDED || moved)
        w->quiet_since = now;
    w->last_cpu_us = cpu_us;
    w->cpu_seconds = (double)cpu_us / 1e6;
    if (w->cpu_limit > 0 && w->cpu_seconds > w->cpu_limit)
        return SG_WATCH_CPU;
    double quiet = now - w->quiet_since;
    if (w->stuck_limit > 0 && quiet > w->stuck_limit &&
        (sleep != SG_SLEEP_GOING || quiet > w->stuck_limit + SG_WATCH_SLEEP_GRACE))
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

/* The name of a system call a process may sleep in, or NULL. */
static const char *sg_syscall_name(long nr)
{
    static const struct {
        long nr;
        const char *name;
    } calls[] = {
        { __NR_read, "read" }, { __NR_write, "write" }, { __NR_wait4, "wait4 (waitpid)" },
        { __NR_waitid, "waitid" }, { __NR_rt_sigsuspend, "rt_sigsuspend (sigsuspend)" },
        { __NR_rt_sigtimedwait, "rt_sigtimedwait" }, { __NR_futex, "futex (a semaphore or a lock)" },
        { __NR_nanosleep, "nanosleep" }, { __NR_clock_nanosleep, "clock_nanosleep (sleep)" },
        { __NR_ppoll, "ppoll" }, { __NR_pselect6, "pselect6" }, { __NR_fcntl, "fcntl (a lock)" },
        { __NR_flock, "flock" }, { __NR_semtimedop, "semtimedop" }, { __NR_msgrcv, "msgrcv" },
        { __NR_epoll_pwait, "epoll_pwait" },
#ifdef __NR_pause
        { __NR_pause, "pause" },
#endif
#ifdef __NR_poll
        { __NR_poll, "poll" },
#endif
#ifdef __NR_select
        { __NR_select, "select" },
#endif
#ifdef __NR_semop
        { __NR_semop, "semop" },
#endif
    };
    for (size_t i = 0; i < sizeof calls / sizeof *calls; i++)
        if (calls[i].nr == nr)
            return calls[i].name;
    return NULL;
}

/* A signal mask line of /proc/<pid>/status ("SigBlk:\t0000000000000200"). */
static unsigned long long sg_mask(const char *status, const char *field)
{
    const char *v = sg_status_value(status, field);
    return v != NULL ? strtoull(v, NULL, 16) : 0;
}

/* Appends one process's state to out, with who it is (role). */
static void sg_describe_one(pid_t pid, const char *role, char *out, size_t cap)
{
    char text[4096], call[256];
    sg_proc_text(pid, "status", text, sizeof text);
    sg_proc_text(pid, "syscall", call, sizeof call);
    size_t len = strlen(out);
    char *end = out + len;
    size_t room = cap - len;
    long nr = sg_syscall_nr(call);
    const char *name = nr != -1 ? sg_syscall_name(nr) : NULL;
    int w = snprintf(end, room, "%spid %ld (%s) %s%s", len ? "; " : "", (long)pid, role,
                     name ? "asleep in " : strncmp(call, "running", 7) == 0 ? "running" : "asleep",
                     name ? name : "");
    if (w < 0 || (size_t)w >= room)
        return;
    /* A signal blocked and pending at once is the classic lost wake-up. */
    unsigned long long blocked = sg_mask(text, "SigBlk:"), pending = sg_mask(text, "SigPnd:") |
                                                                        sg_mask(text, "ShdPnd:");
    const int signals[] = { SIGUSR1, SIGUSR2, SIGCHLD, SIGALRM };
    const char *names[] = { "SIGUSR1", "SIGUSR2", "SIGCHLD", "SIGALRM" };
    for (size_t i = 0; i < 4; i++) {
        unsigned long long bit = 1ULL << (signals[i] - 1);
        if (!(blocked & bit))
            continue;
        len = strlen(out);
        snprintf(out + len, cap - len, ", %s blocked%s", names[i],
                 pending & bit ? " and pending" : "");
    }
}

/*
 * Who a process is, by its distance from the judge (skip): the test's own
 * process, which calls the lab's functions, then what they forked. The
 * report named them by pid alone, and a student took the test's own
 * process, asleep in poll, for one of theirs (a student-kit review).
 */
static const char *sg_role(const struct sg_proc *all, size_t n, pid_t pid, pid_t skip)
{
    static const char *const roles[] = { "the test's process", "a process it forked",
                                         "one forked by that one" };
    pid_t p = pid;
    for (size_t depth = 0; depth < 8; depth++) {
        size_t i = 0;
        while (i < n && all[i].pid != p)
            i++;
        if (i == n)
            break;
        if (all[i].ppid == skip)
            return depth < 3 ? roles[depth] : "a descendant of the test's process";
        p = all[i].ppid;
    }
    return "a process of the test";
}

void sg_watch_describe(const struct sg_watch *w, pid_t skip, char *out, size_t cap)
{
    out[0] = '\0';
    size_t n;
    struct sg_proc *all = sg_scan(w, &n);
    if (all == NULL)
        return;
    size_t described = 0;
    for (size_t i = 0; i < n && described < 16; i++)
        if (all[i].test && all[i].pid != skip) {
            sg_describe_one(all[i].pid, sg_role(all, n, all[i].pid, skip), out, cap);
            described++;
        }
    free(all);
}
