/*
 * rb_sleep.c — is a thread or process asleep on a semaphore of the ring?
 *
 * A task blocked in sem_wait sits in the futex system call, and
 * /proc/<pid>/task/<tid>/syscall shows the call's number and its first
 * argument: the address of the futex word, which lies inside the sem_t it
 * waits on. So the kernel tells which semaphore, without any guess from
 * time. A task that spins shows "running" there (it is never blocked);
 * one that polls shows nanosleep, or wakes up again and again.
 */
#include "rb_testlib.h"
#include "sg_harness.h"

#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *const rb_sem_names[3] = { "mutex", "free_slots", "used_slots" };

/* ---- /proc/<pid>/task/<tid> ---- */

static bool rb_is_futex(long nr)
{
#ifdef SYS_futex_time64
    if (nr == SYS_futex_time64)
        return true;
#endif
    return nr == SYS_futex;
}

/* ---- which semaphore ---- */

/* Which semaphore of the ring holds addr, in the task's address space; -1 for none. */
static int rb_sem_at(const struct rb_task *t, unsigned long addr)
{
    uintptr_t base;
    if (t->ring_name == NULL) {
        base = (uintptr_t)t->ring;
    } else {
        struct sg_mapping m;
        if (sg_find_mapping(t->pid, (const void *)addr, &m) != 0)
            return -1;
        const char *path = rb_shm_path(t->ring_name);
        size_t n = strlen(path);
        if (strncmp(m.path, path, n) != 0 || (m.path[n] != '\0' && m.path[n] != ' '))
            return -1;
        base = m.start - m.offset;
    }
    size_t at[3] = { offsetof(struct rb_ring, mutex), offsetof(struct rb_ring, free_slots),
                     offsetof(struct rb_ring, used_slots) };
    for (int i = 0; i < 3; i++)
        if (addr >= base + at[i] && addr < base + at[i] + sizeof(sem_t))
            return i;
    return -1;
}

/* ---- the task ---- */

struct rb_task rb_thread_task(struct rb_worker *w, const char *what)
{
    struct rb_task t = { .pid = getpid(), .tid = atomic_load(&w->tid), .what = what,
                         .worker = w, .ring = w->r };
    return t;
}

struct rb_task rb_process_task(pid_t pid, const struct rb_ring *ring, const char *ring_name,
                               const char *what)
{
    struct rb_task t = { .pid = pid, .tid = pid, .what = what, .ring = ring,
                         .ring_name = ring_name };
    return t;
}

/* Whether the task's call returned (a thread) or the task ended (a process). */
static bool rb_task_over(const struct rb_task *t)
{
    return t->worker != NULL ? atomic_load(&t->worker->done) : sg_process_ended(t->pid);
}

/* How it ended, for a message. */
static const char *rb_task_end(const struct rb_task *t)
{
    static char text[160];
    if (t->worker != NULL) {
        snprintf(text, sizeof text, "it returned %ld%s%s", t->worker->rc,
                 t->worker->rc == -1 ? " with errno " : "",
                 t->worker->rc == -1 ? strerrorname_np(t->worker->err) ?: "?" : "");
        return text;
    }
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, (id_t)t->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == t->pid) {
        if (info.si_code == CLD_EXITED)
            snprintf(text, sizeof text, "the process ended with exit status %d", info.si_status);
        else
            snprintf(text, sizeof text, "the process was killed by signal %d (%s)",
                     info.si_status, strsignal(info.si_status));
        return text;
    }
    return "the process ended";
}

void rb_require_asleep(const struct rb_task *t, enum rb_sem which, const char *end_hint)
{
    /* slept: the last other call it was seen asleep in, so that a task that
     * polls with a timed sleep is not called a spinning one when the last
     * look catches it between two sleeps (a loaded machine keeps such a task
     * waiting for a core, runnable, more often: a corpus run saw it so). */
    long nr = -2, slept = -2;
    unsigned long addr = 0, slept_addr = 0;
    int sem = -1;
    bool spun = false;
    long first = sg_task_cpu_ticks(t->pid, t->tid);
    long tick = sysconf(_SC_CLK_TCK);
    for (int i = 0; i < RB_WAKE_MS; i++) {
        SG_REQUIRE(!rb_task_over(t), "it to wait: nothing can let it through yet", end_hint,
                   "%s: %s", t->what, rb_task_end(t));
        nr = sg_task_syscall(t->pid, t->tid, &addr);
        sem = rb_is_futex(nr) ? rb_sem_at(t, addr) : -1;
        if (sem == (int)which)
            return;
        if (nr >= 0) {
            slept = nr;
            slept_addr = addr;
        }
        /* A task that has burnt a fifth of a second is not asleep. */
        if (first >= 0 && sg_task_cpu_ticks(t->pid, t->tid) - first > tick / 5) {
            spun = true;
            break;
        }
        sg_nap_ms(1);
    }
    if (nr == -1 && !spun && slept >= 0) {
        nr = slept;
        addr = slept_addr;
        sem = rb_is_futex(nr) ? rb_sem_at(t, addr) : -1;
    }
    char expected[96];
    snprintf(expected, sizeof expected, "asleep in the kernel (futex) on %s", rb_sem_names[which]);
    if (nr == -1)
        SG_FAIL(expected,
                "a loop that tries again and again without sleeping is busy waiting: it burns "
                "a CPU that the process you wait for may need. Which call of sem_overview(7) "
                "puts the caller to sleep until the count is above zero? Handout: sleeping, "
                "not spinning",
                "%s: the task was running, not asleep, every time the test looked (for %d ms "
                "or a fifth of a second of CPU)",
                t->what, RB_WAKE_MS);
    if (rb_is_futex(nr) && sem >= 0)
        SG_FAIL(expected,
                "the waits decide who can go on; which count tells whether this call can "
                "proceed, and is it the one you wait on first? Handout: the bounded buffer",
                "%s: the task was asleep on %s", t->what, rb_sem_names[sem]);
    if (rb_is_futex(nr))
        SG_FAIL(expected,
                "it sleeps, but on a futex outside the ring's three semaphores: wait on the "
                "semaphores inside the shared object. Handout: the bounded buffer",
                "%s: the task was asleep on a futex at %#lx, which is none of the ring's "
                "semaphores",
                t->what, addr);
    SG_FAIL(expected,
            "sleeping a while and trying again, with usleep or nanosleep, is polling: it "
            "wakes for nothing and answers late. Let the semaphore put the task to sleep "
            "(sem_wait(3)). Handout: sleeping, not spinning",
            "%s: the task was in system call %ld, not asleep on a semaphore", t->what, nr);
}

void rb_require_stays_asleep(const struct rb_task *t, enum rb_sem which)
{
    long cpu0 = sg_task_cpu_ticks(t->pid, t->tid);
    long sleeps0 = sg_task_sleeps(t->pid, t->tid);
    SG_SETUP(cpu0 >= 0 && sleeps0 >= 0, "read of /proc/<pid>/task/<tid>");
    for (int i = 0; i < 20; i++) {
        sg_nap_ms(10);
        SG_REQUIRE(!rb_task_over(t), "it to go on waiting: nothing has been posted",
                   "a wait returns only once the semaphore's count is above zero: check what "
                   "your waits return. Handout: the bounded buffer",
                   "%s: %s", t->what, rb_task_end(t));
    }
    long cpu = sg_task_cpu_ticks(t->pid, t->tid) - cpu0;
    long sleeps = sg_task_sleeps(t->pid, t->tid) - sleeps0;
    long tick = sysconf(_SC_CLK_TCK);
    /* Bounds far above what a sleeping task uses (nothing) and far below a
     * spinning one, even on a loaded machine. */
    SG_REQUIRE(cpu <= tick / 10, "almost no CPU time while it waits",
               "a waiting task must sleep, not loop. Handout: sleeping, not spinning",
               "%s: the task used %ld ms of CPU in 200 ms of waiting", t->what,
               cpu * 1000 / tick);
    SG_REQUIRE(sleeps <= 3, "one sleep until a post wakes it",
               "waking up to look again (a timed wait in a loop) is polling. Handout: "
               "sleeping, not spinning",
               "%s: the task woke up %ld times in 200 ms with nothing posted", t->what, sleeps);
    unsigned long addr;
    long nr = sg_task_syscall(t->pid, t->tid, &addr);
    SG_REQUIRE(rb_is_futex(nr) && rb_sem_at(t, addr) == (int)which,
               "it still asleep on the same semaphore",
               "let the semaphore put the task to sleep until it is posted: sem_wait(3)",
               "%s: after 200 ms the task was no longer asleep on %s", t->what,
               rb_sem_names[which]);
}

pid_t rb_fork_sem_waiter(sem_t *s)
{
    fflush(NULL);
    pid_t pid = fork();
    SG_SETUP(pid != -1, "fork");
    if (pid == 0)
        _exit(sem_wait(s) == 0 ? 0 : 1); /* no signal comes its way */
    return pid;
}

bool rb_task_stays_asleep(const struct rb_task *t, int ms)
{
    for (int i = 0; i < ms; i += 2) {
        if (rb_task_over(t) || rb_task_sem(t) < 0)
            return false;
        sg_nap_ms(2);
    }
    return true;
}

int rb_task_sem(const struct rb_task *t)
{
    unsigned long addr;
    long nr = sg_task_syscall(t->pid, t->tid, &addr);
    return rb_is_futex(nr) ? rb_sem_at(t, addr) : -1;
}

const char *rb_task_state(const struct rb_task *t)
{
    static char text[96];
    unsigned long addr;
    long nr = sg_task_syscall(t->pid, t->tid, &addr);
    int sem = rb_is_futex(nr) ? rb_sem_at(t, addr) : -1;
    if (sem >= 0)
        snprintf(text, sizeof text, "asleep on %s", rb_sem_names[sem]);
    else if (rb_is_futex(nr))
        snprintf(text, sizeof text, "asleep on a futex outside the ring");
    else if (nr == -1)
        snprintf(text, sizeof text, "running");
    else if (nr == -2)
        snprintf(text, sizeof text, "gone");
    else
        snprintf(text, sizeof text, "in system call %ld", nr);
    return text;
}
