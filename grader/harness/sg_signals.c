/*
 * sg_signals.c — the signals the code under test sends, for the tests that
 * ask what was true when one was sent.
 *
 * The test program is linked with -Wl,--wrap=kill,--wrap=sigqueue,
 * --wrap=sigsuspend, --wrap=sigprocmask, --wrap=pthread_sigmask
 * (sg_build.c), so the student's calls come here first.
 * Lab 03: a pp_run that unblocks SIGUSR1 and SIGUSR2 once it has forked
 * takes its turns right in almost every run and loses a wake-up in a few
 * (a class review: 58 of 58 in five gradings, yet two hangs in ten long
 * runs of the program). The mask at each signal a side sends shows it in
 * every run.
 */
#include "sg_harness.h"

#include <errno.h>
#include <signal.h>

int __real_sigprocmask(int how, const sigset_t *set, sigset_t *old);
int __wrap_sigprocmask(int how, const sigset_t *set, sigset_t *old);
int __real_pthread_sigmask(int how, const sigset_t *set, sigset_t *old);
int __wrap_pthread_sigmask(int how, const sigset_t *set, sigset_t *old);
int __real_sigsuspend(const sigset_t *mask);
int __wrap_sigsuspend(const sigset_t *mask);
int __real_kill(pid_t pid, int sig);
int __wrap_kill(pid_t pid, int sig);
int __real_sigqueue(pid_t pid, int sig, const union sigval value);
int __wrap_sigqueue(pid_t pid, int sig, const union sigval value);

static sg_signal_sent_fn sg_signal_watcher;
static sg_suspend_fn sg_suspend_watcher;
static sg_mask_change_fn sg_mask_watcher;

void sg_watch_mask_changes(sg_mask_change_fn fn)
{
    sg_mask_watcher = fn;
}

static void sg_note_mask(int how, const sigset_t *set)
{
    if (sg_mask_watcher != NULL && set != NULL) {
        int saved = errno;
        sg_mask_watcher(how, set);
        errno = saved;
    }
}

int __wrap_sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    sg_note_mask(how, set);
    return __real_sigprocmask(how, set, old);
}

int __wrap_pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    sg_note_mask(how, set);
    return __real_pthread_sigmask(how, set, old);
}

void sg_watch_signals_sent(sg_signal_sent_fn fn)
{
    sg_signal_watcher = fn;
}

void sg_watch_suspends(sg_suspend_fn fn)
{
    sg_suspend_watcher = fn;
}

int __wrap_sigsuspend(const sigset_t *mask)
{
    if (sg_suspend_watcher != NULL) {
        int saved = errno;
        sg_suspend_watcher(mask);
        errno = saved;
    }
    return __real_sigsuspend(mask);
}

static void sg_note_signal(pid_t pid, int sig)
{
    if (sg_signal_watcher != NULL && sig != 0) {
        int saved = errno;
        sg_signal_watcher(pid, sig);
        errno = saved;
    }
}

int __wrap_kill(pid_t pid, int sig)
{
    sg_note_signal(pid, sig);
    return __real_kill(pid, sig);
}

int __wrap_sigqueue(pid_t pid, int sig, const union sigval value)
{
    sg_note_signal(pid, sig);
    return __real_sigqueue(pid, sig, value);
}
