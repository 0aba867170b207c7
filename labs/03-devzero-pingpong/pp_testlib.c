/* pp_testlib.c — watching a process wait; see pp_testlib.h. */
#include "pp_testlib.h"
#include "pingpong.h"
#include "sg_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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
    SG_REQUIRE(found == 0, "the area in /proc/<pid>/maps",
               "no mapping contains this address, so it is not what mmap returned. What does "
               "your function return?",
               "%s returned %p, which no mapping contains", call, area);
    SG_REQUIRE(m.perms[3] == 's', "a shared mapping ('s' in /proc/<pid>/maps)",
               "with private pages, parent and child each count on a copy of their own "
               "(copy-on-write). Which mmap flag shares the pages with the child? See man 2 mmap",
               "%s gave a mapping with flags %s", call, m.perms);
    SG_REQUIRE(m.perms[0] == 'r' && m.perms[1] == 'w', "a readable and writable mapping",
               "the counter is read and written. Which protections does mmap need for that, and "
               "which access mode does the descriptor of /dev/zero need to allow them?",
               "%s gave a mapping with permissions %s", call, m.perms);
    SG_REQUIRE(m.start == (uintptr_t)area && m.end - m.start == len,
               "a mapping of the size asked for, rounded up to whole pages",
               "the kernel rounds the length up to whole pages by itself. Which length did your "
               "mmap get?",
               "%s(%zu) gave a mapping of %lu bytes at %#lx", call,
               size, (unsigned long)(m.end - m.start), (unsigned long)m.start);
    const unsigned char *p = area;
    for (size_t i = 0; i < len; i++)
        SG_REQUIRE(p[i] == 0, "zero-filled memory",
                   "memory mapped from /dev/zero, or anonymous memory, starts zero-filled. What "
                   "did yours map?",
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

/* ---- signal masks and process states, from /proc ---- */

#define PP_BIT(sig) (1ULL << ((sig) - 1))

struct pp_pstate {
    char state;                  /* 'S', 'R', 'Z', ...; 0 when the process is gone */
    long nr;                     /* the system call it is blocked in; -1 running; -2 unknown */
    unsigned long long blk, pnd, cgt, ign;
};

/* One "Sig...:" line of /proc/<pid>/status, as a bit set (bit n - 1 for signal n). */
static void pp_read_state(pid_t pid, struct pp_pstate *st)
{
    memset(st, 0, sizeof *st);
    st->nr = -2;
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return;
    unsigned long long shd = 0, own = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char *v = strchr(line, ':');
        if (v == NULL)
            continue;
        *v++ = '\0';
        if (strcmp(line, "State") == 0)
            st->state = v[strspn(v, " \t")];
        else if (strcmp(line, "SigBlk") == 0)
            st->blk = strtoull(v, NULL, 16);
        else if (strcmp(line, "SigPnd") == 0)
            own = strtoull(v, NULL, 16);
        else if (strcmp(line, "ShdPnd") == 0)
            shd = strtoull(v, NULL, 16);
        else if (strcmp(line, "SigCgt") == 0)
            st->cgt = strtoull(v, NULL, 16);
        else if (strcmp(line, "SigIgn") == 0)
            st->ign = strtoull(v, NULL, 16);
    }
    fclose(f);
    st->pnd = own | shd;
    if (st->state != 'Z' && st->state != 'X')
        st->nr = sg_task_syscall(pid, 0, NULL);
}

/* A process asleep in sigsuspend with no signal it could receive on its way. */
static bool pp_asleep_for_good(const struct pp_pstate *st)
{
    /* pause too: a wait built on it, which loses a signal that comes
     * between the flag's test and the call, sleeps there for ever (a class
     * review: "neither side slept for good", said of two pauses). */
#ifdef SYS_pause
    if (st->nr == SYS_pause)
        return (st->pnd & ~st->blk) == 0;
#endif
    return st->nr == SYS_rt_sigsuspend && (st->pnd & ~st->blk) == 0;
}

static const char *pp_signame(int signo)
{
    return signo == SIGUSR1 ? "SIGUSR1" : signo == SIGUSR2 ? "SIGUSR2" : strsignal(signo);
}

/*
 * Why pid has not come back from a wait for signo, from its /proc state: a
 * hint, and in seen what was found.
 */
static const char *pp_why_not_woken(pid_t pid, int signo, char *seen, size_t cap)
{
    struct pp_pstate st;
    pp_read_state(pid, &st);
    unsigned long long bit = PP_BIT(signo);
    const char *name = pp_signame(signo);
    if (st.state == 0 || st.state == 'Z' || st.state == 'X') {
        snprintf(seen, cap, "it has ended");
        return "the waiting process ended inside the wait. A signal with no handler kills: "
               "does TELL_WAIT install one for both signals?";
    }
    if (st.nr == SYS_rt_sigsuspend && (st.blk & bit) != 0) {
        snprintf(seen, cap, "it sleeps in sigsuspend with %s blocked (SigBlk %llx in "
                            "/proc/<pid>/status)%s",
                 name, st.blk, (st.pnd & bit) ? ", and the signal waits there, pending" : "");
        return "sigsuspend sleeps with exactly the mask it is given, and a signal blocked in "
               "that mask cannot wake it. Which signals must the mask you pass to sigsuspend "
               "leave out? See man 2 sigsuspend";
    }
    if ((st.ign & bit) != 0) {
        snprintf(seen, cap, "%s is ignored (SigIgn)", name);
        return "an ignored signal runs no handler and wakes nobody. What does TELL_WAIT "
               "install for it? See man 2 sigaction";
    }
    if ((st.cgt & bit) == 0) {
        snprintf(seen, cap, "no handler is installed for %s (SigCgt)", name);
        return "without a handler, the signal cannot set the flag the wait tests. Which "
               "function installs the handlers, and was it called before fork?";
    }
    if ((st.pnd & bit) != 0 && (st.blk & bit) != 0) {
        snprintf(seen, cap, "%s is pending and blocked, and the process is in system call %ld "
                            "(%s)",
                 name, st.nr, pp_syscall_name(st.nr));
        return "a blocked signal waits until something unblocks it. Which call unblocks the "
               "signals and sleeps in one step? See man 2 sigsuspend";
    }
    if (st.nr == -1) {
        snprintf(seen, cap, "it is running, not sleeping, and %s has been delivered", name);
        return "the signal came and its handler ran, but the wait goes on. Does the loop test "
               "the very flag the handler sets, and is that flag volatile sig_atomic_t, so that "
               "every test reads it again?";
    }
    if (st.nr == SYS_rt_sigsuspend) {
        snprintf(seen, cap, "it sleeps in sigsuspend again, though %s was delivered and its "
                            "handler ran",
                 name);
        return "the handler ran, but the wait did not end. Does the handler set the flag that "
               "this wait tests, and does the wait test it again after each wake-up?";
    }
    snprintf(seen, cap, "it is in system call %ld (%s)", st.nr, pp_syscall_name(st.nr));
    return "the wait sleeps somewhere else than in sigsuspend. Which call unblocks the signals "
           "and sleeps in one step? See man 2 sigsuspend";
}

/* The waiter's wait at stage has not returned, nor has its process ended, yet. */
static void pp_require_in_wait(const struct pp_waiter *w, const char *wait_name, int stage)
{
    SG_REQUIRE(w->sh->stage == stage, "the wait to last until the other side's TELL",
               stage == 1 ? "the wait returned although no signal was sent. Does it sleep "
                            "at all, and loop until the handler has set the flag?"
                          : "a second wait returned with no second TELL. Does a wait sleep "
                            "at all (see wait_sleeps_until_told), and is the flag cleared "
                            "once a wait has seen it?",
               "%s returned although nobody had sent a signal", wait_name);
    SG_REQUIRE(!sg_process_ended(w->pid), "the process to wait for the other side's TELL",
               "the waiting process ended inside the wait. Only main decides to exit, and "
               "a signal with no handler kills",
               "the process ended inside %s", wait_name);
}

/* Whether pid used more than a fifth of a second of CPU time since first
 * (its ticks then; -1 unknown): a waiter that spins, whatever the load. */
static bool pp_spun_since(pid_t pid, long first)
{
    return first >= 0 && sg_task_cpu_ticks(pid, 0) - first > sysconf(_SC_CLK_TCK) / 5;
}

void pp_require_still_waiting(const struct pp_waiter *w, const char *wait_name, int stage)
{
    SG_SETUP(pp_wait_stage(w, stage, 5000), "start of the waiting process");
    for (double end = sg_deadline_in_ms(300); sg_before(end);) {
        pp_require_in_wait(w, wait_name, stage);
        if (sg_task_syscall(w->pid, 0, NULL) == SYS_rt_sigsuspend)
            return;
        pp_nap();
    }
}

void pp_require_sleeping(const struct pp_waiter *w, const char *wait_name, int stage)
{
    SG_SETUP(pp_wait_stage(w, stage, 5000), "start of the waiting process");
    /* slept: the last other call it was seen asleep in, so that a wait
     * that polls with a timed sleep is not called a spinning one when the
     * last look happens to catch it between two sleeps. */
    long nr = -2, slept = -2;
    bool spun = false;
    long first = sg_task_cpu_ticks(w->pid, 0);
    for (double end = sg_deadline_in_ms(5000); sg_before(end);) {
        pp_require_in_wait(w, wait_name, stage);
        nr = sg_task_syscall(w->pid, 0, NULL);
        if (nr == SYS_rt_sigsuspend)
            break;
        if (nr >= 0)
            slept = nr;
        /* A process that has burnt a fifth of a second is not sleeping. */
        if (pp_spun_since(w->pid, first)) {
            spun = true;
            break;
        }
        pp_nap();
    }
    if (nr == -1 && !spun && slept >= 0)
        nr = slept;
    SG_REQUIRE(nr == SYS_rt_sigsuspend, "the waiting process asleep in sigsuspend",
               nr == -1 ? "the waiting process was running: it loops, testing the flag, and "
                          "burns a CPU (busy waiting). Which call unblocks the signals and "
                          "sleeps until a handler has run, in one step? See man 2 sigsuspend"
                        : "the waiting process slept in another call. pause() can miss a signal "
                          "that lands just before it, a timed sleep wakes for nothing, and "
                          "sigwait takes the signal without running the handler that the "
                          "protocol counts on. Which call unblocks the signals, sleeps until a "
                          "handler has run, and blocks them again, in one step? See man 2 "
                          "sigsuspend",
               "while in %s, the process was in system call %ld (%s)", wait_name, nr,
               pp_syscall_name(nr));

    /* Backed by the check above; the bound is generous on purpose. */
    long before = sg_task_cpu_ticks(w->pid, 0);
    struct timespec wait = { 0, 200000000 };
    nanosleep(&wait, NULL);
    long after = sg_task_cpu_ticks(w->pid, 0);
    SG_SETUP(before >= 0 && after >= 0, "read of /proc/<pid>/stat");
    long limit = sysconf(_SC_CLK_TCK) / 10;
    SG_REQUIRE(after - before <= limit, "almost no CPU time while waiting",
               "a waiting process sleeps. Which part of your wait runs while nothing happens?",
               "the process used %ld ms of CPU in 200 ms of %s",
               (after - before) * 1000 / sysconf(_SC_CLK_TCK), wait_name);
    SG_REQUIRE(w->sh->stage == stage, "the wait to last until the other side's TELL",
               "the wait returned although no signal was sent. Does it loop until the handler "
               "has set the flag?",
               "%s returned with nothing sent", wait_name);
}

void pp_require_kept_blocked(const struct pp_waiter *w, const char *wait_name, int signo,
                             int stage)
{
    SG_SETUP(pp_wait_stage(w, stage, 5000), "start of the waiting process");
    struct pp_pstate st;
    long first = sg_task_cpu_ticks(w->pid, 0);
    /* A wait that sleeps in another call (a poll with nanosleep) never gets
     * to sigsuspend either: a second of its sleeps shows its mask, and
     * looking on for the full ten seconds would spend the test's CPU floor
     * on this loop's own reads of /proc (a review of the floor at 0.5 s). */
    double elsewhere_end = 0;
    for (double end = sg_deadline_in_ms(10000); sg_before(end);) {
        /* No wait, no mask to see: a wait that ends untold fails here too. */
        pp_require_in_wait(w, wait_name, stage);
        pp_read_state(w->pid, &st);
        /* A wait that spins never gets to sigsuspend: its mask was seen
         * for a while (pp_spun_since), and the sleeping tests grade the
         * spinning. */
        if (pp_spun_since(w->pid, first))
            return;
        SG_REQUIRE((st.blk & PP_BIT(signo)) != 0,
                   "the caller's blocked signals still blocked while the wait sleeps",
                   "sigsuspend sleeps with exactly the mask it is given: an empty one (APUE's "
                   "zeromask) lets through every signal the caller had blocked, and they run "
                   "their handlers in the middle of pp_run. Which mask leaves out SIGUSR1 and "
                   "SIGUSR2 alone? Build it from the mask in force at TELL_WAIT",
                   "the caller blocked SIG%s before TELL_WAIT; while %s %s, it was not "
                   "blocked (SigBlk %llx in /proc/<pid>/status)",
                   sigabbrev_np(signo) ?: "?", wait_name,
                   st.nr == SYS_rt_sigsuspend ? "slept in sigsuspend" : "ran", st.blk);
        if (st.nr == SYS_rt_sigsuspend)
            return;
        if (st.state == 'S' && st.nr >= 0 && elsewhere_end == 0)
            elsewhere_end = sg_deadline_in_ms(1000);
        if (elsewhere_end != 0 && !sg_before(elsewhere_end))
            return;
        pp_nap();
    }
}

/*
 * Whether pid sleeps in sigsuspend with signo blocked and pending: that
 * wait can never end by signo, and is seen at once, not after a time
 * limit. Waiting the 5 s out, the sandbox's watch sometimes stopped the
 * test first as stuck, and the student read one of two messages, by the
 * machine's load (a helper's corpus run at load 9).
 */
static bool pp_asleep_with_it_blocked(pid_t pid, int signo)
{
    struct pp_pstate st;
    pp_read_state(pid, &st);
    unsigned long long bit = PP_BIT(signo);
    return st.state == 'S' && st.nr == SYS_rt_sigsuspend && (st.blk & bit) != 0 &&
           (st.pnd & bit) != 0;
}

void pp_require_woken(const struct pp_waiter *w, const char *wait_name, int signo, int stage)
{
    /* Looked at every 20 ms, and believed when seen twice in a row; 5 s by
     * the clock, not by naps, which last longer under load. */
    int blocked = 0;
    double end = sg_deadline_in_ms(5000);
    for (int i = 0; sg_before(end) && w->sh->stage < stage && blocked < 2; i++) {
        if (i % 20 == 19)
            blocked = pp_asleep_with_it_blocked(w->pid, signo) ? blocked + 1 : 0;
        pp_nap();
    }
    if (w->sh->stage >= stage)
        return;
    char seen[256];
    const char *hint = pp_why_not_woken(w->pid, signo, seen, sizeof seen);
    SG_HUNG("the wait to return once the other side's signal came", hint,
            "%s had not returned %s after %s was sent: %s", wait_name,
            blocked >= 2 ? "(and never can)" : "5 s", pp_signame(signo), seen);
}

void pp_end_waiter(struct pp_waiter *w)
{
    int status;
    SG_SETUP(kill(w->pid, SIGKILL) == 0 && sg_wait_timeout(w->pid, &status, 5000) == 0,
             "the end of the waiting process");
}

void pp_finish_waiter(struct pp_waiter *w, const char *wait_name, int signo)
{
    int status;
    char seen[256] = "";
    const char *hint = "";
    int rc = sg_wait_timeout(w->pid, &status, 5000);
    if (rc == 1) {
        hint = pp_why_not_woken(w->pid, signo, seen, sizeof seen);
        kill(w->pid, SIGKILL);
        sg_wait_timeout(w->pid, &status, 5000);
    }
    SG_REQUIRE_RETURNED(rc == 0, "the wait to return once told", hint,
               "%s had not returned 5 s after %s was sent: %s", wait_name, pp_signame(signo),
               seen);
    SG_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "the waiting process to survive the signal",
               WIFSIGNALED(status) && (WTERMSIG(status) == SIGUSR1 || WTERMSIG(status) == SIGUSR2)
                   ? "the signal's default action killed the process: no handler was installed, "
                     "or the signal was not blocked before it came. What does TELL_WAIT do, "
                     "and is it called before fork?"
               : WIFSIGNALED(status) ? "a signal killed the waiting process. Which one, and who "
                                       "sent it?"
                                     : "the waiting process ended inside the wait: only main "
                                       "decides to exit",
               "the process in %s ended (%s)", wait_name, sg_status_text(status));
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

void pp_require_mask(const sigset_t *now, const sigset_t *want, const char *when)
{
    for (int sig = 1; sig <= SIGRTMAX; sig++) {
        int is = sigismember(now, sig), should = sigismember(want, sig);
        SG_REQUIRE(is == should, "the caller's signal mask, as it was",
                   "pp_run changed its caller's signal mask and left it so. The caller's mask "
                   "is the caller's: which call reads it before TELL_WAIT changes it, and sets "
                   "it back before pp_run returns, on every way out, -1 included? See man 2 "
                   "sigprocmask",
                   "%s, signal %d (%s) is %s", when, sig, strsignal(sig),
                   is ? "blocked" : "not blocked");
    }
}

void pp_require_program(const char *const args[], const char *want)
{
    struct sg_program_run run;
    sg_run_program(args, "", 0, 10000, &run);
    struct sg_buf cmd = SG_BUF_INIT;
    for (const char *const *a = args; *a != NULL; a++)
        sg_buf_printf(&cmd, "%s%s", a == args ? "" : " ", *a);
    SG_REQUIRE(!run.timed_out, "the program to finish",
               "the program never finished: a process waits for ever for a signal that nobody "
               "will send (a side that waits once more after the last update, or a signal "
               "lost). The run_ tests say which side, and why; handout: taking turns",
               "`%s` was still running after %.1f s", cmd.data, run.waited);
    const char *hint;
    if (strstr(run.err, "Function not implemented") != NULL)
        hint = "ENOSYS is what the skeleton sets: main.c's message on stderr names the function "
               "that is not written yet";
    else if (strstr(run.err, "pp_map_devzero:") != NULL || strstr(run.err, "pp_map_anon:") != NULL)
        hint = "the mapping failed (main.c says so on stderr): see the map_ tests";
    else if (strstr(run.err, "pp_run:") != NULL)
        hint = "pp_run returned -1 (main.c says so on stderr): the values did not alternate, or "
               "the child's status said so. See the run_ tests";
    else if (WIFSIGNALED(run.status))
        hint = "a signal killed the program. A signal with no handler kills: is it blocked, with "
               "its handler installed, before it can arrive?";
    else
        hint = "main.c exits 0 when pp_run returns 0 and the counter could be printed";
    SG_REQUIRE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0, "exit status 0", hint,
               "`%s` ended with %s; stderr: %s", cmd.data, sg_status_text(run.status),
               sg_q(run.err, run.err_len));
    const char *twice = strstr(run.out, want);
    SG_REQUIRE(strcmp(run.out, want) == 0, sg_q(want, strlen(want)),
               twice != NULL && strstr(twice + 1, want) != NULL
                   ? "the line was printed twice, by two processes: a child came back from "
                     "pp_run into main. How must the child end so that it never returns?"
                   : sg_extra_output_hint(run.out, want,
                                          "nloops updates in all, parent and child taking "
                                          "turns: count them for this nloops"),
               "`%s` printed %s", cmd.data, sg_q(run.out, run.out_len));
    sg_program_run_free(&run);
    sg_buf_free(&cmd);
}

/* ---- pp_run, watched from outside ---- */

/* The wait status of pid, a zombie (field 52 of /proc/<pid>/stat); -1 when unknown. */
static int pp_zombie_status(pid_t pid)
{
    char text[1024];
    if (sg_task_read(pid, 0, "stat", text, sizeof text) == -1)
        return -1;
    char *p = strrchr(text, ')');
    if (p == NULL)
        return -1;
    int field = 2, status = -1;
    for (char *save, *tok = strtok_r(p + 1, " \n", &save); tok != NULL;
         tok = strtok_r(NULL, " \n", &save))
        if (++field == 52)
            status = atoi(tok);
    return status;
}

/* Describes one side for a message: "sleeps in sigsuspend with SIGUSR2 blocked". */
static void pp_describe(const struct pp_pstate *st, char *text, size_t cap)
{
    if (st->state == 0 || st->state == 'Z' || st->state == 'X')
        snprintf(text, cap, "has ended");
    else if (st->nr == SYS_rt_sigsuspend)
        snprintf(text, cap, "sleeps in sigsuspend%s%s%s, no signal on its way",
                 (st->blk & (PP_BIT(SIGUSR1) | PP_BIT(SIGUSR2))) ? " with " : "",
                 (st->blk & PP_BIT(SIGUSR1)) ? "SIGUSR1 blocked" : "",
                 (st->blk & PP_BIT(SIGUSR2)) ? ((st->blk & PP_BIT(SIGUSR1)) ? " and SIGUSR2 blocked"
                                                                          : "SIGUSR2 blocked")
                                             : "");
#ifdef SYS_wait4
    else if (st->nr == SYS_wait4 || st->nr == SYS_waitid)
#else
    else if (st->nr == SYS_waitid)
#endif
        snprintf(text, cap, "waits for the child to end (waitpid)");
    else
        snprintf(text, cap, "is in system call %ld (%s)", st->nr, pp_syscall_name(st->nr));
}

/*
 * Whether the parent of pp_run (parent) and its child can never wake
 * again: each asleep with no signal on its way, or ended. Fills seen and
 * *hint. The state of one process is read at a time, so the caller asks
 * twice before it believes it.
 */
static bool pp_deadlocked(pid_t parent, long nloops, const long *area, char *seen, size_t cap,
                          const char **hint)
{
    struct pp_pstate p, c;
    pp_read_state(parent, &p);
    pid_t child = sg_child_of(parent);
    if (child > 0)
        pp_read_state(child, &c);
    else
        memset(&c, 0, sizeof c);
    bool child_ended = c.state == 0 || c.state == 'Z' || c.state == 'X';
    bool parent_waits = false;
#ifdef SYS_wait4
    parent_waits = p.nr == SYS_wait4;
#endif
    parent_waits |= p.nr == SYS_waitid;
    bool stuck = (pp_asleep_for_good(&p) && (child_ended || pp_asleep_for_good(&c))) ||
                 (parent_waits && pp_asleep_for_good(&c));
    if (!stuck)
        return false;
    char ps[160], cs[160];
    pp_describe(&p, ps, sizeof ps);
    pp_describe(&c, cs, sizeof cs);
    int cstatus = child > 0 && child_ended ? pp_zombie_status(child) : -1;
    if (cstatus != -1)
        snprintf(cs, sizeof cs, "has ended (%s)", sg_status_text(cstatus));
    snprintf(seen, cap, "the parent %s, and the child %s", ps, cs);
    unsigned long long both = PP_BIT(SIGUSR1) | PP_BIT(SIGUSR2);
    if (cstatus != -1 && WIFSIGNALED(cstatus)) {
        int sig = WTERMSIG(cstatus);
        *hint = sig == SIGUSR1 || sig == SIGUSR2
                    ? "the signal's default action killed the child: it came with no handler "
                      "installed, or unblocked before the child was ready. Does TELL_WAIT, "
                      "called before fork, install both handlers and block both signals?"
                    : "a signal killed the child in the middle of its turns. Which one, and what "
                      "was the child doing?";
        return true;
    }
    if (cstatus != -1 && WIFEXITED(cstatus) && WEXITSTATUS(cstatus) != 0) {
        *hint = "the child ended with a status other than 0 before its turns were done: a "
                "value mismatch, or a failed call. The parent still waits for it";
        return true;
    }
#ifdef SYS_pause
    if (p.nr == SYS_pause || c.nr == SYS_pause)
        *hint = "pause sleeps until a signal comes: one that came between the test of the flag "
                "and pause has already run its handler, and pause waits for the next, which "
                "nobody sends. Which call unblocks the signals and sleeps in one step? Handout: "
                "the lost wake-up";
    else
#endif
    if ((pp_asleep_for_good(&p) && (p.blk & both)) || (pp_asleep_for_good(&c) && (c.blk & both)))
        *hint = "sigsuspend sleeps with exactly the mask it is given, and a signal blocked in "
                "that mask cannot wake it. Which signals must the mask you pass to sigsuspend "
                "leave out? See man 2 sigsuspend";
    else if (child_ended && *area >= nloops)
        *hint = "the child has no turn left and has ended, but the parent still waits for its "
                "signal. Count the turns: with an odd nloops, whose is the last update, and "
                "what is left to wait for after it?";
    else if (child_ended)
        *hint = "the child ended while turns were left, and the parent waits for it. Count the "
                "updates each side makes for this nloops";
    else if (parent_waits && *area == 0)
        /* No update made at all: not a miscount at the end (a review as a class). */
        *hint = "the parent waits for the child to end before a single update was made, while "
                "the child waits for its first turn. Where does the parent wait for its child: "
                "after the turns, or before them?";
    else if (parent_waits && *area < nloops - 2)
        *hint = "the parent left its loop long before the last turn and waits for the child to "
                "end, while the child waits for its turn. Does the parent wait for the child's "
                "signal after each of its updates? A sleep is no such wait: the child may not "
                "have had its turn when it ends";
    else if (parent_waits)
        *hint = "the parent left its loop and waits for the child to end, while the child still "
                "waits for its turn. Count the updates each side makes for this nloops: is the "
                "last TELL sent?";
    else
        *hint = "both sides sleep and no signal is on its way to either: a signal came and "
                "went without waking the side that waited for it. Was it the signal that wait "
                "waits for (does tell_sends_the_right_signals pass)? If so, a wake-up was lost: "
                "is the flag tested while both signals are blocked, every time, so that no "
                "signal can land between the test and sigsuspend? See the handout's section on "
                "the lost wake-up";
    return true;
}

struct pp_run_shared {
    volatile int done, stray;
    int rc, err;
    long area;
    sigset_t mask;
    int children;
    pid_t leftover;
    int tells;              /* SIGUSR1 and SIGUSR2 sent (PP_WATCH_TELLS) */
    int forked_unblocked;   /* pp_run forked with the two not both blocked */
    int alarms;             /* the caller's SIGALRM handler's runs (PP_WATCH_INTERRUPTED) */
    int alarm_blocked;      /* sigsuspends that blocked SIGALRM (PP_WATCH_INTERRUPTED) */
    int unblocked;          /* ...with the two not both blocked; the first one's: */
    int unblocked_sig;      /* 0: a sigsuspend entered so; -1: a change of the mask */
    bool unblocked_by_child;
    long unblocked_at;      /* *area then */
};

/* In the process calling pp_run and in its child (PP_WATCH_TELLS). */
static struct pp_run_shared *pp_tells;
static long *pp_tells_area;
static long pp_tells_nloops;
static pid_t pp_tells_caller;

/*
 * Counts a moment of a wrong mask in this process, and keeps the first's
 * circumstances: how (the signal sent, 0 for a sigsuspend entered, -1 for a
 * change of the mask), which side, and the counter then.
 */
static void pp_tells_wrong_mask(int how)
{
    if (__atomic_fetch_add(&pp_tells->unblocked, 1, __ATOMIC_RELAXED) == 0) {
        pp_tells->unblocked_sig = how;
        pp_tells->unblocked_by_child = getpid() != pp_tells_caller;
        pp_tells->unblocked_at = *pp_tells_area;
    }
}

/*
 * Each signal a side sends (sg_watch_signals_sent), in the side's own
 * process: outside sigsuspend, from TELL_WAIT to the last turn, both
 * signals stay blocked, so one arriving early stays pending until the
 * wait (the lost wake-up). Once the last update is made no wait follows:
 * a parent that gives the caller its mask back and then tells its child
 * to end loses nothing (a review: 58 of 60 for that).
 */
static void pp_note_tell(pid_t pid, int sig)
{
    sigset_t now;
    if (sig != SIGUSR1 && sig != SIGUSR2)
        return;
    /* The signal goes once its target sleeps (for at most a second): every
     * wait then goes to sleep, and its mask is seen as it does
     * (pp_note_suspend); a wait that finds its signal already come does
     * not sleep, and a wrong mask there would pass or fail by luck. */
    for (double end = sg_deadline_in_ms(1000); sg_before(end);) {
        char state = sg_task_state(pid, 0);
        if (state == 'S' || state == 'Z' || state == 0)
            break;
        sched_yield();
    }
    if (*pp_tells_area >= pp_tells_nloops || sigprocmask(SIG_BLOCK, NULL, &now) == -1)
        return;
    __atomic_add_fetch(&pp_tells->tells, 1, __ATOMIC_RELAXED);
    if (sigismember(&now, SIGUSR1) && sigismember(&now, SIGUSR2))
        return;
    pp_tells_wrong_mask(sig);
}

/*
 * Each sigsuspend of either side, as it is entered: the flag was tested
 * just before, and with a signal unblocked then, it may have come between
 * the test and the sleep (a parent that gave its mask back before its last
 * WAIT_CHILD sent nothing after, and passed: a review).
 */
static void pp_note_suspend(const sigset_t *mask)
{
    (void)mask;
    sigset_t now;
    if (sigprocmask(SIG_BLOCK, NULL, &now) == -1 ||
        (sigismember(&now, SIGUSR1) && sigismember(&now, SIGUSR2)))
        return;
    pp_tells_wrong_mask(0);
}

/*
 * In pp_run's child, first of all: its mask is the one its parent forked
 * with. TELL_WAIT comes before fork, so both signals are blocked there;
 * called after it, in each process, a signal the other side sends before
 * then kills or is lost, as the scheduler decides (a class review: 38 to
 * 47 of 60 from run to run).
 */
static void pp_note_fork(void)
{
    sg_on_fork_child(NULL);
    sigset_t now;
    if (sigprocmask(SIG_BLOCK, NULL, &now) == 0 &&
        !(sigismember(&now, SIGUSR1) && sigismember(&now, SIGUSR2)))
        pp_tells->forked_unblocked = 1;
}

/* Whether this process has blocked both signals since pp_run began (TELL_WAIT did). */
static bool pp_tells_armed;

/*
 * Each change of the mask either side asks for: once both signals were
 * blocked, none may be unblocked while turns are left, outside the
 * WAITs' sigsuspend. A wait that unblocks, tests the flag and blocks again
 * before it sleeps loses a signal that lands in between, yet sleeps and
 * sends with both blocked (a review: 60 of 60, hangs in a stress run).
 */
static void pp_note_mask(int how, const sigset_t *set)
{
    bool both = sigismember(set, SIGUSR1) && sigismember(set, SIGUSR2);
    if ((how == SIG_BLOCK || how == SIG_SETMASK) && both) {
        pp_tells_armed = true;
        return;
    }
    bool unblocks = how == SIG_UNBLOCK
                        ? sigismember(set, SIGUSR1) || sigismember(set, SIGUSR2)
                        : how == SIG_SETMASK && !both;
    if (!unblocks || !pp_tells_armed || *pp_tells_area >= pp_tells_nloops)
        return;
    pp_tells_wrong_mask(-1);
}

/* Fails the test when a side sent a signal with the two not both blocked. */
static void pp_require_tells_blocked(const struct pp_run_shared *sh)
{
    SG_REQUIRE(!sh->forked_unblocked,
               "SIGUSR1 and SIGUSR2 blocked when pp_run forks: TELL_WAIT first",
               "TELL_WAIT comes before fork: the child is born with both signals blocked and "
               "their handlers in place. Called after fork, in each process, a signal the "
               "other side sends before that process's TELL_WAIT has run finds no handler "
               "(SIGUSR1's and SIGUSR2's default action ends the process) or comes before the "
               "wait that was to catch it, as the scheduler decides. Handout: TELL_WAIT: "
               "waking a process with a signal",
               "pp_run's child was forked with the two signals not both blocked");
    SG_REQUIRE(sh->unblocked == 0,
               "SIGUSR1 and SIGUSR2 blocked in both processes whenever either side sends one, "
               "and as each wait goes to sleep",
               "a signal that comes while it is unblocked runs its handler at once, before the "
               "wait that was to catch it: that wake-up is lost, and in a few runs of many both "
               "sides sleep for ever. From TELL_WAIT to the last turn, only sigsuspend may let "
               "the two signals through. Which call in pp_run or in the WAITs unblocks them? "
               "Handout: the lost wake-up",
               "the %s %s%s with the two signals not both blocked (the counter at %ld; "
               "%d such moments in %d signals sent)",
               sh->unblocked_by_child ? "child" : "parent",
               sh->unblocked_sig > 0    ? "sent SIG"
               : sh->unblocked_sig == 0 ? "entered sigsuspend"
                                        : "changed its mask (sigprocmask) and was left",
               sh->unblocked_sig > 0 ? sigabbrev_np(sh->unblocked_sig) ?: "?" : "",
               sh->unblocked_at, sh->unblocked, sh->tells);
}

/* How long a pp_run that makes progress may take, at most, under any load. */
#define PP_RUN_LIMIT_MS 15000

static int pp_hold_fd = -1;     /* in the process calling pp_run: what its child waits on */

/* In pp_run's child, first of all (sg_on_fork_child): wait to be let go. */
static void pp_hold_child(void)
{
    sg_on_fork_child(NULL);
    char c;
    while (read(pp_hold_fd, &c, 1) == -1 && errno == EINTR)
        ;
    close(pp_hold_fd);
}

static char pp_state_of(pid_t pid)
{
    struct pp_pstate st;
    pp_read_state(pid, &st);
    return st.state;
}

void pp_require_not_spinning(const struct pp_waiter *w, const char *wait_name, int stage)
{
    SG_SETUP(pp_wait_stage(w, stage, 5000), "start of the waiting process");
    /* Asleep at one look is enough: a wait that sleeps (in sigsuspend,
     * or elsewhere: other tests grade where) is seen in state S as soon as
     * it gets a CPU; one that spins is runnable at every look, never S,
     * and is told by its CPU time (pp_spun_since), far below the test's
     * CPU limit, which it otherwise reached first on a quiet machine. The
     * wall-clock bound is for a loaded machine only: a sleeper needs no
     * CPU time to be seen asleep, just a moment of it to get there. */
    long first = sg_task_cpu_ticks(w->pid, 0);
    for (double end = sg_deadline_in_ms(10000); sg_before(end);) {
        pp_require_in_wait(w, wait_name, stage);
        if (pp_state_of(w->pid) == 'S')
            return;
        if (pp_spun_since(w->pid, first))
            break;
        pp_nap();
    }
    pp_require_in_wait(w, wait_name, stage);
    SG_REQUIRE(false, "the waiting process asleep while nothing has been sent",
               "the wait loops, testing the flag, and keeps a CPU busy the whole time: how "
               "much it burns, and whether the runs of pp_run then end in their time, depends "
               "on how busy the machine is. Which call unblocks the signals and sleeps until a "
               "handler has run, in one step? See man 2 sigsuspend",
               "in %s, with nothing sent, the process was runnable at every look, never "
               "asleep", wait_name);
}

/* Waits up to ms for pid to be in state want (or gone); whether it is. */
static bool pp_wait_state(pid_t pid, char want, int ms)
{
    for (int i = 0; i < ms; i++) {
        char st = pp_state_of(pid);
        if (st == want)
            return true;
        if (st == 0)
            return false;
        sg_nap_ms(1);
    }
    return false;
}

/*
 * Who makes the update that returns 0. The child of pp_run waits at its
 * fork (pp_hold_child) until the parent sleeps. If the counter is still 0
 * then, the parent is stopped (SIGSTOP: nothing blocks it) and the child
 * let go: an update made while the parent is stopped is the child's, for
 * certain. A parent that waits for a "ready" from the child before its
 * first update shows as a child that sleeps with the counter at 0: no
 * verdict. Both go on as before afterwards (SIGCONT does not end a
 * sigsuspend). release: the pipe's write end, closed here.
 */
static bool pp_child_went_first(pid_t caller, volatile long *area, int release)
{
    bool went_first = false;
    pid_t child = -1;
    for (double end = sg_deadline_in_ms(2000); !sg_process_ended(caller) && sg_before(end);) {
        child = sg_child_of(caller);
        if (child > 0 && pp_state_of(caller) == 'S')
            break;
        sg_nap_ms(1);
    }
    if (child > 0 && *area == 0 && kill(caller, SIGSTOP) == 0) {
        if (pp_wait_state(caller, 'T', 1000) && *area == 0) {
            (void)!write(release, "x", 1);
            int asleep_ms = 0;
            for (int ms = 0; ms < 1000 && *area == 0 && asleep_ms < 100; ms++) {
                char st = pp_state_of(child);
                if (st == 0 || st == 'Z')
                    break;
                asleep_ms = st == 'S' ? asleep_ms + 1 : 0;
                sg_nap_ms(1);
            }
            went_first = *area != 0 && pp_state_of(caller) == 'T';
        }
        kill(caller, SIGCONT);
    }
    close(release);
    return went_first;
}

void pp_run_watched(long *area, long nloops, const sigset_t *mask, enum pp_watch watch,
                    struct pp_run_result *r)
{
    struct pp_run_shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
                                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(sh != MAP_FAILED, "mmap");
    memset((void *)sh, 0, sizeof *sh);
    int hold[2] = { -1, -1 };
    SG_SETUP(watch != PP_WATCH_FIRST_TURN || pipe2(hold, O_CLOEXEC) == 0, "pipe2");
    fflush(NULL);
    pid_t caller = fork();
    SG_SETUP(caller != -1, "fork");
    if (caller == 0) {
        if (mask != NULL && sigprocmask(SIG_SETMASK, mask, NULL) == -1)
            _exit(2);
        if (hold[0] != -1) {
            close(hold[1]);
            pp_hold_fd = hold[0];
            sg_on_fork_child(pp_hold_child);
        }
        pid_t me = getpid();
        if (watch == PP_WATCH_TELLS) {
            pp_tells = sh;
            pp_tells_area = area;
            pp_tells_nloops = nloops;
            pp_tells_caller = me;
            pp_tells_armed = false;
            sg_watch_signals_sent(pp_note_tell);
            sg_watch_suspends(pp_note_suspend);
            sg_watch_mask_changes(pp_note_mask);
            sg_on_fork_child(pp_note_fork);
        }
        if (watch == PP_WATCH_INTERRUPTED && pp_interrupt_start(&sh->alarms, &sh->alarm_blocked) == -1)
            _exit(2);
        errno = 0;
        int rc = pp_run(area, nloops);
        /* The first run's outcome is the other tests' to grade; the second's is this one's. */
        if (watch == PP_WATCH_TWICE && getpid() == me && !(rc == -1 && errno == ENOSYS)) {
            *area = 0;
            errno = 0;
            rc = pp_run(area, nloops);
        }
        if (watch == PP_WATCH_INTERRUPTED)
            pp_interrupt_stop();
        sg_watch_signals_sent(NULL);
        sg_watch_suspends(NULL);
        sg_watch_mask_changes(NULL);
        sg_on_fork_child(NULL);
        int err = errno;
        if (getpid() != me) {
            sh->stray = 1;
            _exit(1);
        }
        sh->rc = rc;
        sh->err = err;
        sh->area = *area;
        sigprocmask(SIG_BLOCK, NULL, &sh->mask);
        pid_t left = 0;
        sh->children = (int)sg_children_state(&left);
        sh->leftover = left;
        sh->done = 1;
        _exit(0);
    }

    r->child_went_first = false;
    if (hold[0] != -1) {
        close(hold[0]);
        r->child_went_first = pp_child_went_first(caller, (volatile long *)area, hold[1]);
    }
    char seen[400] = "", again[400];
    const char *hint = NULL, *hint2 = NULL;
    bool stuck = false;
    for (int ms = 0; ms < PP_RUN_LIMIT_MS && !sh->done && !sg_process_ended(caller); ms += 5) {
        struct timespec nap = { 0, 5000000 };
        nanosleep(&nap, NULL);
        if (ms % 50 != 0 || !pp_deadlocked(caller, nloops, area, seen, sizeof seen, &hint))
            continue;
        /* Believe it only if it holds a little later, with no update made. */
        long before = *area;
        struct timespec confirm = { 0, 20000000 };
        nanosleep(&confirm, NULL);
        if (pp_deadlocked(caller, nloops, area, again, sizeof again, &hint2) && *area == before &&
            strcmp(seen, again) == 0) {
            stuck = true;
            break;
        }
    }
    bool finished = sh->done || sg_process_ended(caller);
    if (!finished) {
        pid_t child = sg_child_of(caller);
        if (!stuck) {
            struct pp_pstate p, c;
            pp_read_state(caller, &p);
            memset(&c, 0, sizeof c);
            if (child > 0)
                pp_read_state(child, &c);
            char ps[160], cs[160];
            pp_describe(&p, ps, sizeof ps);
            pp_describe(&c, cs, sizeof cs);
            snprintf(seen, sizeof seen, "the parent %s, and the child %s", ps, cs);
        }
        if (child > 0)
            kill(child, SIGKILL);
        kill(caller, SIGKILL);
    }
    int status;
    SG_SETUP(sg_wait_timeout(caller, &status, 5000) == 0, "waitpid for the process calling pp_run");
    /* First: the mask explains a run that stopped for good. */
    if (watch == PP_WATCH_TELLS)
        pp_require_tells_blocked(sh);
    const char *mode_hint = watch == PP_WATCH_INTERRUPTED ? PP_INTERRUPTED_HINT
                            : watch == PP_WATCH_TWICE     ? PP_TWICE_HINT
                                                          : NULL;
    /* A child killed by a signal says more than the test's own story
     * (TELL_WAIT after fork, in a review, got the if-or-while hint). */
    SG_REQUIRE(!stuck, "pp_run to finish: parent and child taking turns to the end",
               mode_hint != NULL && (hint == NULL || strstr(hint, "killed") == NULL) ? mode_hint
                                                                                   : hint,
               "pp_run(area, %ld) stopped for good with the counter at %ld: %s", nloops, *area,
               seen);
    SG_REQUIRE(finished, "pp_run to finish",
               mode_hint ?: "the turns went on too slowly or not at all, though neither side "
                            "slept for good. Does a side wait without sleeping, or wait for "
                            "something that comes late?",
               "pp_run(area, %ld) had not returned after %d s, with the counter at %ld: %s",
               nloops, PP_RUN_LIMIT_MS / 1000, *area, seen);
    SG_REQUIRE(!sh->stray, "only the caller to return from pp_run",
               "a child came back from pp_run into its caller, and ran the caller's code a "
               "second time. How must the child's branch end so that it never returns? See man "
               "2 _exit",
               "the child process returned from pp_run");
    SG_SETUP(!(WIFEXITED(status) && WEXITSTATUS(status) == 2),
             watch == PP_WATCH_INTERRUPTED ? "sigaction or setitimer" : "sigprocmask");
    SG_REQUIRE(sh->done, "pp_run to return to its caller",
               WIFSIGNALED(status) ? "a signal killed the parent inside pp_run. A signal with no "
                                     "handler kills: is it blocked, with its handler installed, "
                                     "before it can arrive?"
                                   : "pp_run ended the process instead of returning: only main "
                                     "decides to exit",
               "the process calling pp_run ended inside it (%s)", sg_status_text(status));
    SG_REQUIRE(sh->children != SG_CHILD_RUNNING, "no child process left once pp_run has returned",
               "pp_run returned while its child was still running. Which call makes the parent "
               "wait for it? See man 2 waitpid",
               "a child process was still running after pp_run returned");
    SG_REQUIRE(sh->children != SG_CHILD_ZOMBIE, "no child process left once pp_run has returned",
               "a child that has ended stays a zombie until its parent waits for it. Does the "
               "parent wait for the child before it returns?",
               "a child (pid %ld) had ended but was never waited for: a zombie, after pp_run",
               (long)sh->leftover);
    r->rc = sh->rc;
    r->err = sh->err;
    r->area = sh->area;
    r->mask = sh->mask;
    r->tells = sh->tells;
    r->alarms = sh->alarms;
    r->alarm_blocked = sh->alarm_blocked;
    munmap((void *)sh, sizeof *sh);
}

void pp_require_run(long nloops, long *area, struct pp_run_result *r)
{
    pp_run_watched(area, nloops, NULL, PP_WATCH_RUN, r);
    SG_REQUIRE(r->rc == 0 && r->area == nloops, "0, with the counter at nloops",
               r->rc == -1 && r->err == ENOSYS ? PP_NOT_WRITTEN("pp_run")
               : r->area != nloops ? "nloops updates in all, the parent making the even ones and "
                                     "the child the odd ones. Count them for this nloops: who "
                                     "stops when?"
                                   : "every update returned what it should, yet pp_run returned "
                                     "-1. Where does your -1 come from: the child's exit status, "
                                     "or a check of the values?",
               "pp_run(area, %ld) returned %d with the counter at %ld", nloops, r->rc, r->area);
}

/* ---- children that end with exit() ---- */

static volatile int *pp_exit_count;

static void pp_count_exit_handlers(void)
{
    if (getpid() != sg_test_pid() && pp_exit_count != NULL)
        __atomic_add_fetch(pp_exit_count, 1, __ATOMIC_RELAXED);
}

void pp_watch_exit_handlers(void)
{
    if (pp_exit_count == NULL) {
        void *p = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                       -1, 0);
        SG_SETUP(p != MAP_FAILED, "mmap");
        pp_exit_count = p;
        SG_SETUP(atexit(pp_count_exit_handlers) == 0, "atexit");
    }
    *pp_exit_count = 0;
}

int pp_exit_handlers_run(void)
{
    return pp_exit_count != NULL ? *pp_exit_count : 0;
}
