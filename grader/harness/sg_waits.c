/*
 * sg_waits.c — the waits for a child that the code under test asks for,
 * for the tests that must know a parent waits before they let its child go.
 *
 * The test program is linked with -Wl,--wrap=waitpid and the rest of the
 * family (sg_build.c), so the student's calls come here first. A wait with
 * WNOHANG does not sleep, so /proc never shows it: a correct parent that
 * polls with a second's nap between tries was taken for one that sleeps
 * instead of waiting, and lab 02's test held its child until the time ran
 * out (a review). Seen at the call itself, it is certain. A wait made some
 * other way (a raw system call) is still seen asleep in /proc.
 */
#include "sg_harness.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/wait.h>

pid_t __real_waitpid(pid_t pid, int *status, int options);
pid_t __real_wait(int *status);
pid_t __real_wait3(int *status, int options, struct rusage *usage);
pid_t __real_wait4(pid_t pid, int *status, int options, struct rusage *usage);
int __real_waitid(idtype_t idtype, id_t id, siginfo_t *info, int options);
pid_t __wrap_waitpid(pid_t pid, int *status, int options);
pid_t __wrap_wait(int *status);
pid_t __wrap_wait3(int *status, int options, struct rusage *usage);
pid_t __wrap_wait4(pid_t pid, int *status, int options, struct rusage *usage);
int __wrap_waitid(idtype_t idtype, id_t id, siginfo_t *info, int options);

static sg_wait_fn sg_wait_watcher;

void sg_watch_waits(sg_wait_fn fn)
{
    sg_wait_watcher = fn;
}

static void sg_note_wait(int options)
{
    if (sg_wait_watcher != NULL) {
        int saved = errno;
        sg_wait_watcher(options);
        errno = saved;
    }
}

pid_t __wrap_waitpid(pid_t pid, int *status, int options)
{
    sg_note_wait(options);
    return __real_waitpid(pid, status, options);
}

pid_t __wrap_wait(int *status)
{
    sg_note_wait(0);
    return __real_wait(status);
}

pid_t __wrap_wait3(int *status, int options, struct rusage *usage)
{
    sg_note_wait(options);
    return __real_wait3(status, options, usage);
}

pid_t __wrap_wait4(pid_t pid, int *status, int options, struct rusage *usage)
{
    sg_note_wait(options);
    return __real_wait4(pid, status, options, usage);
}

int __wrap_waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
    sg_note_wait(options);
    return __real_waitid(idtype, id, info, options);
}
