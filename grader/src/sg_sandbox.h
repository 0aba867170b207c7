/*
 * sg_sandbox.h — where and how a test of untrusted code runs.
 *
 * With bubblewrap and unprivileged user namespaces (the usual case on
 * Debian and Ubuntu), every test runs in new user, PID, IPC, network, UTS
 * and mount namespaces. It sees /usr and the libraries read-only, the
 * grader's scratch folder read-only, its own run folder read-write, and a
 * private /tmp and /dev/shm; nothing else of the machine: not the kit (so
 * not solutions/ nor the hidden tests' sources), not the submissions, not
 * anyone's home. When the test's last process ends, or the grader kills
 * it, the PID namespace takes every process with it and the IPC namespace
 * every segment, semaphore and queue.
 *
 * bubblewrap rather than our own unshare(2): it is what Flatpak runs on,
 * packaged by Debian, and it gets right the details that hand-written
 * sandboxes get wrong (mounting /proc for the new PID namespace, locked
 * mount flags in a user namespace, dying with its parent).
 *
 * Without it (not installed, or namespaces forbidden, as in some
 * containers), tests run with resource limits, a process group, the
 * grader as child subreaper, an IPC namespace if one can be had, and the
 * removal of orphaned segments; the report says so.
 *
 * Either way: resource limits (CPU, address space, processes, file size,
 * descriptors, no core files), and a grader running as root runs tests as
 * nobody, since the kernel does not limit root's processes.
 */
#ifndef SG_SANDBOX_H
#define SG_SANDBOX_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#define SG_LIMIT_AS ((rlim_t)512 << 20)      /* per process */
#define SG_LIMIT_FSIZE ((rlim_t)64 << 20)    /* per file */
#define SG_LIMIT_NOFILE ((rlim_t)256)
#define SG_LIMIT_NPROC_MARGIN 64             /* processes above what the user runs already */
#define SG_LIMIT_TMPFS "67108864"            /* /tmp and /dev/shm, bytes */

struct sg_sandbox {
    char bwrap[256];        /* the bubblewrap binary, "" when not used */
    bool drop;              /* run as uid/gid below (the grader is root) */
    uid_t uid;
    gid_t gid;
    rlim_t nproc;           /* RLIMIT_NPROC for tests */
    char description[512];  /* one line for the report */
};

/*
 * Decides how tests will run on this machine, with workdir as the scratch
 * folder (made traversable for nobody when the grader is root); probes
 * bubblewrap once, unless disabled (for debugging and measurements). 0 or -1.
 */
int sg_sandbox_init(struct sg_sandbox *sb, const char *workdir, bool disabled);

/*
 * Makes dir usable by the sandbox's user (traversable, or owned when
 * writable is set); nothing to do when the grader is not root. 0 or -1.
 */
int sg_sandbox_share(const struct sg_sandbox *sb, const char *dir, bool writable);

/*
 * The command line that runs cmd in the sandbox: bwrap's arguments, then
 * cmd. readonly is the scratch folder, rundir the test's writable folder.
 * Returns the number of words written to argv (NULL-terminated), at most max.
 */
size_t sg_sandbox_argv(const struct sg_sandbox *sb, const char *readonly, const char *rundir,
                       const char *const *cmd, const char **argv, size_t max);

/* The descriptor on which bubblewrap writes its {"child-pid": N} (see sg_spawn.c). */
#define SG_SANDBOX_INFO_FD 9
#define SG_SANDBOX_INFO_FD_TEXT "9"

/*
 * In the forked child, before exec: limits, then the user switch; with
 * big_address_space, no address-space limit (for valgrind). 0 or -1.
 */
int sg_sandbox_enter(const struct sg_sandbox *sb, double timeout_seconds, bool big_address_space);

#endif
