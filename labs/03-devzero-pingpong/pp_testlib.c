/* pp_testlib.c — watching a process wait; see pp_testlib.h. */
#include "pp_testlib.h"
#include "pingpong.h"
#include "sg_harness.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void pp_require_shared_zeroed(const void *area, size_t size, const char *call)
{
    size_t page = (size_t)sg_page_size();
    size_t len = (size + page - 1) / page * page;
    struct sg_mapping m;
    int found = sg_find_mapping(getpid(), area, &m);
    SG_SETUP(found != -1, "read of /proc/self/maps");
    SG_REQUIRE(found == 0, "the area in /proc/<pid>/maps", "return mmap's result",
               "%s returned %p, which no mapping contains", call, area);
    SG_REQUIRE(m.perms[3] == 's', "a shared mapping ('s' in /proc/<pid>/maps)",
               "MAP_SHARED: with MAP_PRIVATE parent and child each count on their own copy",
               "%s gave a mapping with flags %s", call, m.perms);
    SG_REQUIRE(m.perms[0] == 'r' && m.perms[1] == 'w', "a readable and writable mapping",
               "PROT_READ | PROT_WRITE, and /dev/zero opened O_RDWR",
               "%s gave a mapping with permissions %s", call, m.perms);
    SG_REQUIRE(m.start == (uintptr_t)area && m.end - m.start == len,
               "a mapping of the size asked for, rounded up to whole pages",
               "pass size itself to mmap", "%s(%zu) gave a mapping of %lu bytes at %#lx", call,
               size, (unsigned long)(m.end - m.start), (unsigned long)m.start);
    const unsigned char *p = area;
    for (size_t i = 0; i < len; i++)
        SG_REQUIRE(p[i] == 0, "zero-filled memory", "map /dev/zero or anonymous memory",
                   "byte %zu of the area is %u", i, p[i]);
}

long *pp_test_area(long value)
{
    long *a = mmap(NULL, sizeof *a, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(a != MAP_FAILED, "mmap");
    *a = value;
    return a;
}

static struct pp_shared *pp_shared_new(void)
{
    struct pp_shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
                                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(sh != MAP_FAILED, "mmap");
    memset((void *)sh, 0, sizeof *sh);
    return sh;
}

static void pp_nap(void)
{
    struct timespec ms = { 0, 1000000 };
    nanosleep(&ms, NULL);
}

void pp_start_waiter(enum pp_side side, bool hold, int rounds, struct pp_waiter *w)
{
    w->sh = pp_shared_new();
    fflush(NULL);
    w->pid = fork();
    SG_SETUP(w->pid != -1, "fork");
    if (w->pid == 0) {
        w->sh->stage = 1;
        while (hold && !w->sh->go)
            pp_nap();
        for (int k = 0; k < rounds; k++) {
            if (side == PP_WAIT_PARENT)
                WAIT_PARENT();
            else
                WAIT_CHILD();
            sigset_t now;
            sigprocmask(SIG_BLOCK, NULL, &now);
            w->sh->usr1_blocked_after = sigismember(&now, SIGUSR1);
            w->sh->usr2_blocked_after = sigismember(&now, SIGUSR2);
            w->sh->stage = 2 + k;
        }
        _exit(0);
    }
}

bool pp_wait_stage(const struct pp_waiter *w, int stage, int timeout_ms)
{
    for (int i = 0; i < timeout_ms; i++) {
        if (w->sh->stage >= stage)
            return true;
        pp_nap();
    }
    return w->sh->stage >= stage;
}

/* The system call pid is blocked in (-1 while it runs, -2 if unknown). */
static long pp_syscall_of(pid_t pid)
{
    char path[64], text[64] = "";
    snprintf(path, sizeof path, "/proc/%ld/syscall", (long)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -2;
    if (fgets(text, sizeof text, f) == NULL)
        text[0] = '\0';
    fclose(f);
    if (strncmp(text, "running", 7) == 0)
        return -1;
    char *end;
    long nr = strtol(text, &end, 10);
    return end == text ? -2 : nr;
}

/* User plus system CPU time of pid, in clock ticks; -1 on error. */
static long pp_cpu_ticks(pid_t pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    /* The command name may hold spaces: fields are counted after its ')'. */
    char *p = strrchr(text, ')');
    unsigned long utime, stime;
    if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                            &utime, &stime) != 2)
        return -1;
    return (long)(utime + stime);
}

static const char *pp_syscall_name(long nr)
{
    switch (nr) {
    case -1:
        return "none: it was running, not sleeping";
#ifdef SYS_pause
    case SYS_pause:
        return "pause";
#endif
    case SYS_nanosleep:
        return "nanosleep";
    case SYS_clock_nanosleep:
        return "clock_nanosleep";
    case SYS_rt_sigtimedwait:
        return "sigwait/sigtimedwait";
    case SYS_rt_sigprocmask:
        return "sigprocmask";
    default:
        return "another system call";
    }
}

void pp_require_sleeping(const struct pp_waiter *w, const char *wait_name, int stage)
{
    SG_SETUP(pp_wait_stage(w, stage, 5000), "start of the waiting process");
    long nr = -2;
    long first = pp_cpu_ticks(w->pid);
    for (int i = 0; i < 5000; i++) {
        SG_REQUIRE(w->sh->stage == stage, "the wait to last until the other side's TELL",
                   "wait in a loop until the handler has set the flag: while (flag == 0) "
                   "sigsuspend(&mask); TELL_WAIT must have installed the handlers",
                   "%s returned although nobody had sent a signal", wait_name);
        SG_REQUIRE(!sg_process_ended(w->pid), "the process to wait for the other side's TELL",
                   "TELL_WAIT installs handlers and blocks the signals; WAIT_* must not exit",
                   "the process ended inside %s", wait_name);
        nr = pp_syscall_of(w->pid);
        if (nr == SYS_rt_sigsuspend)
            break;
        /* A process that has burnt a fifth of a second is not sleeping. */
        if (first >= 0 && pp_cpu_ticks(w->pid) - first > sysconf(_SC_CLK_TCK) / 5)
            break;
        pp_nap();
    }
    SG_REQUIRE(nr == SYS_rt_sigsuspend, "the waiting process asleep in sigsuspend",
               "sleep in sigsuspend(&mask) with the signals unblocked in mask; a loop that "
               "tests a flag without sleeping burns a CPU (busy waiting), and pause() can "
               "miss a signal that came just before it",
               "while in %s, the process was in system call %ld (%s)", wait_name, nr,
               pp_syscall_name(nr));

    /* Backed by the check above; the bound is generous on purpose. */
    long before = pp_cpu_ticks(w->pid);
    struct timespec wait = { 0, 200000000 };
    nanosleep(&wait, NULL);
    long after = pp_cpu_ticks(w->pid);
    SG_SETUP(before >= 0 && after >= 0, "read of /proc/<pid>/stat");
    long limit = sysconf(_SC_CLK_TCK) / 10;
    SG_REQUIRE(after - before <= limit, "almost no CPU time while waiting",
               "a waiting process must sleep, not loop",
               "the process used %ld ms of CPU in 200 ms of %s",
               (after - before) * 1000 / sysconf(_SC_CLK_TCK), wait_name);
    SG_REQUIRE(w->sh->stage == stage, "the wait to last until the other side's TELL",
               "loop until the handler has set the flag", "%s returned with nothing sent",
               wait_name);
}

void pp_finish_waiter(struct pp_waiter *w, const char *wait_name)
{
    int status;
    int rc = sg_wait_timeout(w->pid, &status, 5000);
    if (rc == 1) {
        kill(w->pid, SIGKILL);
        sg_wait_timeout(w->pid, &status, 5000);
    }
    SG_REQUIRE(rc == 0, "the wait to return once told", "the handler sets the flag that the "
               "wait loop tests", "%s had not returned 5 s after the signal was sent", wait_name);
    SG_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "the waiting process to survive the signal",
               WIFSIGNALED(status) ? "a signal with no handler kills: TELL_WAIT installs the "
                                     "handlers and blocks the signals before fork"
                                   : "WAIT_* must not exit",
               "the process in %s ended with %s", wait_name, sg_status_text(status));
}

void pp_start_catcher(struct pp_waiter *w)
{
    w->sh = pp_shared_new();
    fflush(NULL);
    w->pid = fork();
    SG_SETUP(w->pid != -1, "fork");
    if (w->pid == 0) {
        sigset_t both;
        sigemptyset(&both);
        sigaddset(&both, SIGUSR1);
        sigaddset(&both, SIGUSR2);
        sigprocmask(SIG_BLOCK, &both, NULL);
        w->sh->stage = 1;
        siginfo_t info;
        /* A TELL arrives in microseconds: two seconds is generous. */
        struct timespec limit = { 2, 0 };
        if (sigtimedwait(&both, &info, &limit) > 0) {
            w->sh->signo = info.si_signo;
            w->sh->sender = info.si_pid;
        }
        w->sh->stage = 2;
        _exit(0);
    }
    SG_SETUP(pp_wait_stage(w, 1, 5000), "start of the catching process");
}

void pp_require_mask(const sigset_t *want, const char *when)
{
    sigset_t now;
    SG_SETUP(sigprocmask(SIG_BLOCK, NULL, &now) == 0, "sigprocmask");
    for (int sig = 1; sig <= SIGRTMAX; sig++) {
        int is = sigismember(&now, sig), should = sigismember(want, sig);
        SG_REQUIRE(is == should, "the caller's signal mask, as it was",
                   "save the mask before TELL_WAIT (sigprocmask(SIG_BLOCK, NULL, &saved)) and "
                   "restore it (SIG_SETMASK) before returning",
                   "%s, signal %d (%s) is %s", when, sig, strsignal(sig),
                   is ? "blocked" : "not blocked");
    }
}

void pp_require_program(const char *const args[], const char *want)
{
    struct sg_program_expect e = {
        .timeout_ms = 10000, .status = 0, .out = want,
        .hang_hint = "a lost wake-up leaves both processes asleep for ever",
        .status_hint = "pp_run returns -1 when the values did not alternate; see the other tests",
        .out_hint = "nloops updates in all, parent and child taking turns",
    };
    sg_require_program(args, &e);
}
