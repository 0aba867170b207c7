/*
 * sg_locks.c — the record-lock requests of the code under test, for the
 * tests that ask what it held when.
 *
 * The test program is linked with -Wl,--wrap=fcntl (sg_build.c), so the
 * student's fcntl calls come here first. Whether a counter was
 * incremented inside the lock or just after its release shows nowhere
 * in the result: both leave the counter right, and only a race between
 * many processes, which may not happen in a given run, tells them apart.
 * Seen at the request itself, it is certain.
 *
 * lockf reaches fcntl inside the C library, where --wrap cannot see it
 * (a release with lockf(F_ULOCK) passed a test of what was read before
 * the release: an audit), so it is wrapped too (--wrap=lockf, lockf64)
 * and told as the fcntl request it makes. What reaches the kernel by
 * syscall(2), or lets a lock go by closing a descriptor of the file, is
 * still not seen: a test that needs the release must say so when it saw
 * none (lab 02's inc_testlib.c looks at /proc/locks after the call).
 */
#include "sg_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

int __real_fcntl(int fd, int cmd, ...);
int __wrap_fcntl(int fd, int cmd, ...);
/* What fcntl becomes in a file compiled with _FILE_OFFSET_BITS=64. */
int __real_fcntl64(int fd, int cmd, ...);
int __wrap_fcntl64(int fd, int cmd, ...);

static sg_lock_request_fn sg_lock_watcher;
static sg_lock_result_fn sg_lock_result_watcher;

void sg_watch_lock_requests(sg_lock_request_fn fn)
{
    sg_lock_watcher = fn;
}

void sg_watch_lock_results(sg_lock_result_fn fn)
{
    sg_lock_result_watcher = fn;
}

/* Tells the result watcher how a request ended, errno as the call left it. */
static int sg_told_result(int fd, int cmd, const struct flock *fl, int rc)
{
    if (sg_lock_result_watcher != NULL) {
        int saved = errno;
        sg_lock_result_watcher(fd, cmd, fl, rc);
        errno = saved;
    }
    return rc;
}

/* Tells the watchers of a lock request, before and after the call made with real. */
static int sg_seen_then(int (*real)(int, int, ...), int fd, int cmd, void *arg)
{
    bool lock_request = cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_SETLK ||
                        cmd == F_OFD_SETLKW;
    if (!lock_request || arg == NULL)
        return real(fd, cmd, arg);
    if (sg_lock_watcher != NULL)
        sg_lock_watcher(fd, cmd, (const struct flock *)arg);
    return sg_told_result(fd, cmd, (const struct flock *)arg, real(fd, cmd, arg));
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

/* lockf's length is an off_t (long here without _FILE_OFFSET_BITS=64),
 * lockf64's an off64_t (long long); the wrappers are declared with the
 * types themselves, so that either header's prototype is not needed. */
int __real_lockf(int fd, int cmd, long len);
int __wrap_lockf(int fd, int cmd, long len);
int __real_lockf64(int fd, int cmd, long long len);
int __wrap_lockf64(int fd, int cmd, long long len);

/*
 * Tells the watcher of a lockf request as the fcntl request the C library
 * makes of it (glibc's io/lockf64.c): F_LOCK and F_TLOCK a write lock,
 * waiting or not, F_ULOCK a release, all from the current offset for len
 * bytes. F_TEST sets no lock.
 */
static bool sg_lockf_as_fcntl(int cmd, long long len, int *fcntl_cmd, struct flock *fl)
{
    if (cmd != F_LOCK && cmd != F_TLOCK && cmd != F_ULOCK)
        return false;
    *fl = (struct flock){
        .l_type = cmd == F_ULOCK ? F_UNLCK : F_WRLCK,
        .l_whence = SEEK_CUR,
        .l_start = 0,
        .l_len = (off_t)len,
    };
    *fcntl_cmd = cmd == F_LOCK ? F_SETLKW : F_SETLK;
    return true;
}

int __wrap_lockf(int fd, int cmd, long len)
{
    struct flock fl;
    int as;
    if (!sg_lockf_as_fcntl(cmd, len, &as, &fl))
        return __real_lockf(fd, cmd, len);
    if (sg_lock_watcher != NULL)
        sg_lock_watcher(fd, as, &fl);
    return sg_told_result(fd, as, &fl, __real_lockf(fd, cmd, len));
}

int __wrap_lockf64(int fd, int cmd, long long len)
{
    struct flock fl;
    int as;
    if (!sg_lockf_as_fcntl(cmd, len, &as, &fl))
        return __real_lockf64(fd, cmd, len);
    if (sg_lock_watcher != NULL)
        sg_lock_watcher(fd, as, &fl);
    return sg_told_result(fd, as, &fl, __real_lockf64(fd, cmd, len));
}
