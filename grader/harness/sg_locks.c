/*
 * sg_locks.c — the record-lock requests of the code under test, for the
 * tests that ask what it held when.
 *
 * The test program is linked with -Wl,--wrap=fcntl (sg_build.c), so the
 * student's fcntl calls come here first. Whether a counter was
 * incremented inside the lock or just after its release shows nowhere
 * in the result: both leave the counter right, and only a race between
 * many processes, which may not happen in a given run, tells them apart.
 * Seen at the request itself, it is certain. Calls that reach fcntl
 * inside the C library (lockf), or the kernel by syscall(2), are not
 * seen: a test can only conclude from a request it saw.
 */
#include "sg_harness.h"

#include <fcntl.h>
#include <stdarg.h>

int __real_fcntl(int fd, int cmd, ...);
int __wrap_fcntl(int fd, int cmd, ...);
/* What fcntl becomes in a file compiled with _FILE_OFFSET_BITS=64. */
int __real_fcntl64(int fd, int cmd, ...);
int __wrap_fcntl64(int fd, int cmd, ...);

static sg_lock_request_fn sg_lock_watcher;

void sg_watch_lock_requests(sg_lock_request_fn fn)
{
    sg_lock_watcher = fn;
}

/* Tells the watcher of a lock request, then makes the call with real. */
static int sg_seen_then(int (*real)(int, int, ...), int fd, int cmd, void *arg)
{
    bool lock_request = cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_SETLK ||
                        cmd == F_OFD_SETLKW;
    if (sg_lock_watcher != NULL && lock_request && arg != NULL)
        sg_lock_watcher(fd, cmd, (const struct flock *)arg);
    return real(fd, cmd, arg);
}

/* As the C library's own fcntl reads it: the third argument, if any, is an
 * int or a pointer, passed the same way on the ABIs we build. Each wrapper
 * reads it itself: a variadic argument cannot be handed on. */
int __wrap_fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return sg_seen_then(__real_fcntl, fd, cmd, arg);
}

int __wrap_fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return sg_seen_then(__real_fcntl64, fd, cmd, arg);
}
