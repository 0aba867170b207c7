/*
 * sg_sandbox.h — where and how a command of untrusted code runs: the tests,
 * the compiler working on a student's file, valgrind.
 *
 * With bubblewrap and unprivileged user namespaces (the usual case on
 * Debian and Ubuntu), every command runs in new user, PID, IPC, network,
 * UTS and mount namespaces. It sees /usr and the libraries read-only, the
 * few files or folders its caller names (read-only, or one writable
 * folder), and a private /tmp and /dev/shm (tmpfs, 64 MiB each) that die
 * with it; its working folder, HOME and TMPDIR are that /tmp. Nothing
 * else of the machine: not the kit (so neither solutions/ nor the hidden
 * tests' sources), not the submissions, not anyone's home. When its last
 * process ends, or the grader kills it, the PID namespace takes every
 * process with it, the IPC namespace every segment, semaphore and queue,
 * and the mount namespace every file it wrote in /tmp: nothing a test
 * writes ever reaches a disk the grader later reads, so no planted link
 * or file can mislead the grader.
 *
 * bubblewrap rather than our own unshare(2): it is what Flatpak runs on,
 * packaged by Debian, and it gets right the details that hand-written
 * sandboxes get wrong (mounting /proc for the new PID namespace, locked
 * mount flags in a user namespace, dying with its parent).
 *
 * The first program inside is the kit's sg_enter (grader/enter/), which
 * sets what only a process inside can set, then runs the command:
 *
 * A BUDGET PER SANDBOX. Each sandbox's processes are charged to that
 * sandbox alone, so that no test can be refused a process, or its grader
 * a fork, because of what another test (of the same student or of a
 * classmate) holds. The mechanisms weighed:
 *   - RLIMIT_NPROC per user namespace (chosen). Since Linux 5.14 the
 *     kernel counts processes per user namespace and uid (ucounts): a
 *     limit set inside a new user namespace counts the processes of that
 *     namespace only, while the whole namespace is bounded in its parent
 *     by the limit in force when it was created. So the grader creates
 *     each sandbox with a generous limit and sg_enter, inside, sets the
 *     test's own (SG_NPROC_PER_SANDBOX, soft and hard). It needs nothing
 *     but user namespaces, works for ordinary users and for root, and
 *     costs nothing. sg_sandbox_init probes for it (a discriminating
 *     fork, not a kernel version number).
 *   - One uid per concurrent slot from a reserved range, as IOI's isolate
 *     does with box ids: needs root and reserved uids on every machine
 *     that grades; ucounts give the same separation without either.
 *   - cgroup v2 (pids.max, memory.max, cpu.max): the only way to bound a
 *     sandbox's total memory, but it needs a delegated subtree, which
 *     neither an ordinary user's login nor the platforms' containers
 *     provide. Not used; see the threat model in README.md for what that
 *     leaves.
 * Where ucounts are missing (older kernels, or no user namespaces), the
 * limit is the old shared one, the user's current count plus a margin,
 * and the report's sandbox line says so.
 *
 * A SHARE OF THE CPU. Each sandbox is a session of its own, and the kernel
 * shares the CPU between sessions (autogroup) rather than between
 * processes, so a test that forks 60 spinning processes takes no more of
 * the CPU from the tests beside it than a test with one. The seccomp
 * filter (sg_seccomp.h) forbids setsid inside, so a test cannot make
 * itself more sessions.
 *
 * Without bubblewrap (not installed, or namespaces forbidden, as in some
 * containers), commands run with the same limits and filter, in a process
 * group, with the grader as child subreaper, in user and IPC namespaces of
 * their own if they can be had, with orphaned segments removed afterwards;
 * they can then see the machine's files, and the report says so.
 *
 * Either way: resource limits (CPU, address space, file size, descriptors,
 * no core files), and a grader running as root runs each submission's
 * commands as a user of their own: a uid drawn at random from a range no
 * account uses (SG_SANDBOX_UID_BASE), not nobody. Without namespaces the
 * kernel counts processes per uid across the whole host: as nobody, a
 * fork bomb graded in one container (PrairieLearn runs several grading
 * jobs per host, as root) took the processes of every other container's
 * tests, and a correct file "did not compile" (a platform review).
 */
#ifndef SG_SANDBOX_H
#define SG_SANDBOX_H

#include <limits.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#define SG_LIMIT_AS ((rlim_t)512 << 20)      /* per process */
/* Under valgrind, which reserves far more address space than it uses, the
 * memory a process may write instead: valgrind's own and its client's. */
#define SG_LIMIT_DATA_VALGRIND ((rlim_t)1 << 30) /* per process */
#define SG_LIMIT_FSIZE ((rlim_t)64 << 20)    /* per file */
#define SG_LIMIT_NOFILE ((rlim_t)256)
#define SG_LIMIT_SIGPENDING 1024             /* queued signals: with ucounts, per sandbox (sg_enter) */
#define SG_NPROC_PER_SANDBOX 64              /* with ucounts: every process of one sandbox */
#define SG_LIMIT_NPROC_MARGIN 64             /* without: above what the user runs already */
#define SG_LIMIT_TMPFS "67108864"            /* /tmp and /dev/shm, bytes */
/* The uids a grader running as root gives its submissions' commands: in
 * the range that systemd leaves unused (its UIDS-GIDS.md, between the
 * containers' ranges and 2^31), 2^24 of them, one drawn per submission. */
#define SG_SANDBOX_UID_BASE ((uid_t)0x7A000000)
#define SG_SANDBOX_UID_SPAN ((uid_t)1 << 24)
/* Where that range is not mapped (a container's own user namespace). */
#define SG_SANDBOX_NOBODY ((uid_t)65534)

struct sg_sandbox {
    char bwrap[256];        /* the bubblewrap binary, "" when not used */
    char enter[PATH_MAX];   /* the kit's sg_enter */
    bool drop;              /* run as uid/gid below (the grader is root) */
    uid_t uid;
    gid_t gid;
    bool per_sandbox;       /* RLIMIT_NPROC counts one sandbox (ucounts) */
    rlim_t nproc;           /* the shared limit when !per_sandbox */
    bool seccomp;           /* sg_enter installs the filter */
    char description[768];  /* one line for the report */
    char hide[4][PATH_MAX]; /* the grader's folders under /usr, hidden (sg_sandbox_hide) */
    size_t nhide;
};

/*
 * What a command sees of the grader's files, at the same paths as outside:
 * up to four read-only files or folders and one writable folder. Its
 * working folder is the private /tmp under bubblewrap; without it, cwd
 * (which the caller creates, empty, for this one command).
 */
struct sg_mounts {
    const char *readonly[6];
    const char *writable;
    const char *cwd;        /* used only without bubblewrap */
};

/*
 * Decides how commands will run on this machine: probes bubblewrap (unless
 * disabled, for debugging and measurements) and per-sandbox process
 * budgets, with workdir as the scratch folder (made traversable for nobody
 * when the grader is root) and enter as the kit's sg_enter. 0 or -1.
 */
int sg_sandbox_init(struct sg_sandbox *sb, const char *workdir, const char *enter,
                    bool disabled);

/*
 * Hides path (the kit, a class, an output folder) from every sandbox when
 * it lies in what a sandbox sees of the machine (/usr, bound read-only for
 * the compiler and the libraries): an empty read-only folder is mounted on
 * it. A kit installed under /usr/local showed its hidden rubric to a
 * public test (an attacker's review). At most four; a path elsewhere is
 * not seen anyway.
 */
void sg_sandbox_hide(struct sg_sandbox *sb, const char *path);

/* A probe of the sandbox is asked this many times while it cannot say,
 * each within this time; then sg_sandbox_init fails with EAGAIN rather
 * than grade without the sandbox the others had. */
#define SG_PROBE_TRIES 3
#define SG_PROBE_TIMEOUT_MS 10000

/*
 * For the kit's own tests: the next n probes of the sandbox could not
 * say (as on a machine too busy to start one in SG_PROBE_TIMEOUT_MS).
 */
void sg_sandbox_inject_probe_faults(int n);

/*
 * Makes path usable by the sandbox's user (readable and traversable, or
 * owned when writable is set); nothing to do when the grader is not root.
 * 0 or -1.
 */
int sg_sandbox_share(const struct sg_sandbox *sb, const char *path, bool writable);

/*
 * Takes back what the sandbox's user wrote under dir (a build's output
 * folder): owned by the grader again, and written by no one else, so that
 * tests, which run as that user, cannot change the programs they run
 * (without bubblewrap nothing else keeps them from it). Nothing to do when
 * the grader is not root. With secret (the hidden tests' program), the
 * sandbox's user may run what is there but not read it: every test of the
 * submission runs as that user, and a public test, whose output the
 * student sees, could otherwise print the hidden tests' names and hints
 * from the file (a platform review, in a container without namespaces).
 * 0, or -1 with errno.
 */
int sg_sandbox_reclaim(const struct sg_sandbox *sb, const char *dir, bool secret);

/*
 * Opens or closes a secret folder (taken back with secret) to the
 * sandbox's user: entered only while open. Run, not read, was not enough:
 * a public test that runs the hidden tests' program (`--list`, `--run`)
 * prints their names, messages and expected values (an attacker's review,
 * without namespaces). The grader opens it for the hidden tests alone,
 * once every public test of the submission has ended. Nothing to do when
 * the grader is not root. 0, or -1 with errno.
 */
int sg_sandbox_gate(const struct sg_sandbox *sb, const char *dir, bool open);

/* The working folder, HOME and TMPDIR a command sees: "/tmp" under bubblewrap, else m->cwd. */
const char *sg_sandbox_home(const struct sg_sandbox *sb, const struct sg_mounts *m);

/*
 * The command line that runs cmd in the sandbox: bwrap's arguments (when
 * used), then sg_enter's, then cmd. nproc is the sandbox's process budget
 * (0: SG_NPROC_PER_SANDBOX); ready_fd the descriptor sg_enter reports on.
 * Returns the number of words written to argv (NULL-terminated), or 0
 * when they do not fit in max.
 */
/* What sg_enter watches inside: 0 for none. */
struct sg_watch_limits {
    double cpu;      /* CPU seconds of all the test's processes */
    double stuck;    /* seconds with nothing runnable and no CPU used */
};

size_t sg_sandbox_argv(const struct sg_sandbox *sb, const struct sg_mounts *m, int nproc,
                       const struct sg_watch_limits *watch, int ready_fd,
                       const char *const *cmd, const char **argv, size_t max);

/* The descriptor on which bubblewrap writes its {"child-pid": N} (see sg_spawn.c). */
#define SG_SANDBOX_INFO_FD 9
#define SG_SANDBOX_INFO_FD_TEXT "9"

/*
 * Whether the tests run as a uid that nothing else on the machine has (a
 * root grader's, drawn for this submission), not as the grader or nobody:
 * what that uid owns is the submission's (sg_sweep.h).
 */
bool sg_sandbox_own_uid(const struct sg_sandbox *sb);

/*
 * Whether the tests would run as the grading user itself, with no sandbox
 * around them (no bubblewrap, not root): then a submission's code can
 * write whatever that user can, the kit, its hidden tests, the grades
 * and the other submissions.
 */
bool sg_sandbox_as_grader(const struct sg_sandbox *sb);

/* Why the grader will not grade others' code as itself, and what to do (one paragraph). */
#define SG_SANDBOX_AS_GRADER_REFUSED                                                            \
    "the tests would run as you, with no sandbox: bubblewrap is missing here or cannot make "  \
    "namespaces (user namespaces disabled or restricted, e.g. by AppArmor), and the grader is " \
    "not root. A submission's code could then change the kit, its hidden tests, the grades "   \
    "and other students' files. Grade as root (each submission then runs as a user of its "    \
    "own), or where bubblewrap works; or pass --no-sandbox to run the tests as you anyway "    \
    "(your own code, debugging)"

/*
 * Whether tests can have namespaces of their own here (bubblewrap, and
 * user namespaces allowed): without, they share the machine's IPC objects,
 * /dev/shm and /tmp. disabled: --no-sandbox.
 */
bool sg_sandbox_has_namespaces(bool disabled);

/*
 * In the child, before exec: limits (the generous process limit the
 * sandbox is created with, or the shared one), then the user switch, by
 * raw system calls (the child may share the grader's memory: sg_spawn.c);
 * with big_address_space, no address-space limit but SG_LIMIT_DATA_VALGRIND
 * of data (for valgrind). The process is left undumpable after a switch.
 * 0, or -1 with errno and *failed naming the call that failed.
 */
int sg_sandbox_enter(const struct sg_sandbox *sb, double timeout_seconds, bool big_address_space,
                     const char **failed);

#endif
