/*
 * sg_seccomp.h — the system calls no graded process may make.
 *
 * Installed by sg_enter (inside the sandbox, before the graded command
 * starts) and inherited by every process the command creates. It is not
 * the sandbox: bubblewrap's namespaces are. It closes the few doors that
 * stay open inside them:
 *
 * - reaching into another process (ptrace, process_vm_readv/writev,
 *   pidfd_getfd, kcmp): the judge that decides a verdict is not dumpable,
 *   which already forbids this; the filter is a second lock;
 * - namespaces of one's own (unshare, setns, clone with CLONE_NEW*; clone3
 *   answers ENOSYS so that the C library falls back to clone): a nested
 *   user namespace would give mount rights, and with them a tmpfs whose
 *   memory no limit counts;
 * - memfd_create: an anonymous file filled with write() holds memory that
 *   the address-space limit does not see;
 * - setsid: each sandbox is a session, and the scheduler shares the CPU
 *   between sessions (autogroup); a test that made sessions of its own
 *   would take more than its share from the tests beside it;
 * - bpf, perf_event_open, userfaultfd, io_uring, keyrings: kernel attack
 *   surface that no lab needs.
 *
 * Each refused call fails with EPERM (clone3: ENOSYS); nothing is killed,
 * so a student who tries one sees an ordinary error.
 */
#ifndef SG_SECCOMP_H
#define SG_SECCOMP_H

/* Sets no_new_privs and installs the filter. 0, or -1 with errno (EINVAL: unknown architecture). */
int sg_seccomp_install(void);

#endif
