/* sg_sandbox.c — bubblewrap, budgets, limits and the user switch; see sg_sandbox.h. */
#include "sg_sandbox.h"
#include "sg_isolate.h"
#include "sg_rubric.h"
#include "sg_spawn.h"
#include "sg_text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


/* Tasks (threads count: RLIMIT_NPROC counts them) whose real uid is uid. */
static long sg_count_tasks(uid_t uid)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return -1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300], line[256];
        snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
        FILE *f = fopen(path, "re");
        if (f == NULL)
            continue;
        long ruid = -1, threads = 0;
        while (fgets(line, sizeof line, f) != NULL) {
            if (strncmp(line, "Uid:", 4) == 0)
                ruid = strtol(line + 4, NULL, 10);
            else if (strncmp(line, "Threads:", 8) == 0)
                threads = strtol(line + 8, NULL, 10);
        }
        fclose(f);
        if (ruid == (long)uid)
            n += threads;
    }
    closedir(d);
    return n;
}

static bool sg_find_bwrap(char *out, size_t cap)
{
    const char *candidates[] = { "/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap" };
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++)
        if (access(candidates[i], X_OK) == 0) {
            snprintf(out, cap, "%s", candidates[i]);
            return true;
        }
    return false;
}

enum sg_probe_answer { SG_PROBE_YES, SG_PROBE_NO, SG_PROBE_UNSURE };

/*
 * Whether user namespaces are switched off on this machine
 * (user.max_user_namespaces = 0, as some hosts set it): bubblewrap before
 * 0.8 then says only "No space left on device", as it does when a busy
 * machine has run out of them for the moment.
 */
static bool sg_userns_switched_off(void)
{
    FILE *f = fopen("/proc/sys/user/max_user_namespaces", "re");
    if (f == NULL)
        return false;
    long max = -1;
    if (fscanf(f, "%ld", &max) != 1)
        max = -1;
    fclose(f);
    return max == 0;
}

/*
 * What a probe that could not run tells: most such failures are the
 * machine's answer and happen every time (bubblewrap refused, with its
 * reason on its output: no user namespaces, a folder the sandbox's user
 * may not bind; that user unable to enter the scratch folder), so they are
 * a no. Only a lack of resources of the moment (a process, memory, a time
 * limit) says nothing about the sandbox.
 */

static enum sg_probe_answer sg_probe_failure(const struct sg_spawn_result *r, int err)
{
    if (r->timed_out)
        return SG_PROBE_UNSURE;
    if (r->output != NULL && strstr(r->output, "No space left on device") != NULL &&
        sg_userns_switched_off())
        return SG_PROBE_NO;
    if (r->setup_failed == NULL) /* a pipe or the fork, before any child ran */
        return err == E2BIG ? SG_PROBE_NO : SG_PROBE_UNSURE;
    const char *transient[] = { "Resource temporarily unavailable", "Cannot allocate memory",
                                "No space left on device" };
    for (size_t i = 0; r->output != NULL && i < sizeof transient / sizeof *transient; i++)
        if (strstr(r->output, transient[i]) != NULL)
            return SG_PROBE_UNSURE;
    /* Silent: a step of the child that failed for lack of resources, or
     * bubblewrap killed before it could say anything. */
    if (r->output_len == 0 && (err == EAGAIN || err == ENOMEM))
        return SG_PROBE_UNSURE;
    return SG_PROBE_NO;
}

static int sg_probe_faults; /* probes still to fail as a busy machine's do (kit tests) */

void sg_sandbox_inject_probe_faults(int n)
{
    sg_probe_faults = n;
}

/*
 * Whether a command run as the sandbox's user (inside bubblewrap when sb
 * has it) can reach dir. Run through sg_spawn, which also waits until the
 * sandbox is gone, so that not even a zombie of the probe is left. A
 * probe that ran and failed is a no; one that did not end in its time (a
 * machine busy with a classmate's fork bomb) says nothing.
 */
static enum sg_probe_answer sg_probe_once(const struct sg_sandbox *sb, const char *dir)
{
    if (sg_probe_faults > 0) {
        sg_probe_faults--;
        return SG_PROBE_UNSURE;
    }
    const char *cmd[] = { "/usr/bin/test", "-x", dir, NULL };
    const char *env[] = { "PATH=/usr/bin:/bin", NULL };
    struct sg_mounts m = { .readonly = { dir }, .cwd = dir };
    struct sg_spawn_opts o = {
        .argv = cmd, .envp = env, .timeout_ms = SG_PROBE_TIMEOUT_MS, .output_cap = 1024,
        .sandbox = sb, .mounts = &m,
    };
    struct sg_spawn_result r;
    if (sg_spawn(&o, &r) == -1) {
        enum sg_probe_answer a = sg_probe_failure(&r, errno);
        sg_spawn_result_free(&r);
        return a;
    }
    enum sg_probe_answer a = r.timed_out ? SG_PROBE_UNSURE
                             : WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 ? SG_PROBE_YES
                                                                                : SG_PROBE_NO;
    sg_spawn_result_free(&r);
    return a;
}

/* sg_probe_once, asked up to SG_PROBE_TRIES times while it is unsure. */
static enum sg_probe_answer sg_probe(const struct sg_sandbox *sb, const char *dir)
{
    enum sg_probe_answer a = sg_probe_once(sb, dir);
    for (int attempt = 1; attempt < SG_PROBE_TRIES && a == SG_PROBE_UNSURE; attempt++) {
        struct timespec pause = { 0, 200000000L * attempt };
        nanosleep(&pause, NULL);
        a = sg_probe_once(sb, dir);
    }
    return a;
}

/*
 * Whether RLIMIT_NPROC set inside a new user namespace counts only that
 * namespace (Linux 5.14's ucounts). The probe makes sure the sandbox's
 * user runs other processes outside, then, in a new user namespace with a
 * limit of 2, forks once: with ucounts the namespace holds 2 processes and
 * the fork succeeds; with the old per-user count it holds 2 + the others
 * and fails. Run in a child, as the sandbox's user.
 */
static bool sg_probe_per_sandbox_budget(const struct sg_sandbox *sb)
{
    pid_t probe = fork();
    if (probe == -1)
        return false;
    if (probe == 0) {
        /* Undumpable after the change of user, the probe could not
         * write its own uid_map: dumpable again, as sg_spawn's child. */
        const char *failed;
        if (sg_sandbox_enter(sb, 5, false, &failed) == -1 ||
            (sb->drop && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == -1))
            _exit(2);
        pid_t others[3];
        for (int i = 0; i < 3; i++) {
            others[i] = fork();
            if (others[i] == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                pause();
                _exit(0);
            }
        }
        int ok = 1;
        struct rlimit two = { 2, 2 };
        if (sg_isolate_enter() == 0 && setrlimit(RLIMIT_NPROC, &two) == 0) {
            pid_t pid = fork();
            if (pid == 0)
                _exit(0);
            if (pid > 0) {
                ok = 0;
                waitpid(pid, NULL, 0);
            }
        }
        for (int i = 0; i < 3; i++)
            if (others[i] > 0)
                kill(others[i], SIGKILL);
        _exit(ok);
    }
    int status;
    while (waitpid(probe, &status, 0) == -1)
        if (errno != EINTR)
            return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void sg_describe(struct sg_sandbox *sb, bool disabled, bool root_unlimited)
{
    struct sg_buf d = SG_BUF_INIT;
    if (sb->bwrap[0] != '\0')
        sg_buf_puts(&d, "bubblewrap: new user, pid, ipc, net, uts and mount namespaces; only "
                        "/usr and the grader's files for this lab visible, read-only; a private "
                        "/tmp");
    else if (disabled)
        sg_buf_puts(&d, "NO SANDBOX (--no-sandbox): process group, child subreaper and "
                        "orphaned-segment clean-up only; the tests can see the machine's files");
    else
        sg_buf_puts(&d, "NO NAMESPACES (bubblewrap missing or not allowed here): process "
                        "group, child subreaper and orphaned-segment clean-up only; the "
                        "tests can see the machine's files");
    if (root_unlimited)
        sg_buf_puts(&d, "; AS ROOT, because the sandbox's user cannot reach the scratch "
                        "folder (set TMPDIR to a folder everyone can traverse): the number of "
                        "processes is not limited");
    if (sb->drop && sb->uid == SG_SANDBOX_NOBODY)
        sg_buf_puts(&d, "; as nobody (this user namespace maps none of the uids the kit "
                        "draws from: another grading as nobody shares its process count)");
    else if (sb->drop)
        sg_buf_printf(&d, "; as a user of its own (uid %lu)", (unsigned long)sb->uid);
    else
        sg_buf_puts(&d, "; as the grader's user");
    if (sb->per_sandbox)
        sg_buf_printf(&d, "; a budget per test: %d processes (counted per user namespace), "
                          "its own CPU share (a session)",
                      SG_NPROC_PER_SANDBOX);
    else if (!root_unlimited && sb->drop)
        sg_buf_printf(&d, "; %llu processes SHARED by this submission's tests (without user "
                          "namespaces they cannot be counted per test)",
                      (unsigned long long)sb->nproc);
    else if (!root_unlimited)
        sg_buf_printf(&d, "; %llu processes SHARED by all tests of this user (without user "
                          "namespaces they cannot be counted per test: every process of this "
                          "user counts)",
                      (unsigned long long)sb->nproc);
    sg_buf_printf(&d, "; a test is stopped when its processes used %gx the solution's CPU "
                      "time (at least %g s, at most %g s), or none could run for %gx its time "
                      "(at least %g s)",
                  SG_CPU_FACTOR, SG_CPU_FLOOR, SG_CPU_CEILING, SG_STUCK_FACTOR, SG_STUCK_FLOOR);
    sg_buf_printf(&d, "; limits per process: %llu MiB address space, %llu MiB files, %llu "
                      "descriptors, CPU time = wall time + 2 s, no core files%s",
                  (unsigned long long)(SG_LIMIT_AS >> 20),
                  (unsigned long long)(SG_LIMIT_FSIZE >> 20),
                  (unsigned long long)SG_LIMIT_NOFILE,
                  sb->seccomp ? "; seccomp filter" : "");
    snprintf(sb->description, sizeof sb->description, "%s", d.data ? d.data : "");
    sg_buf_free(&d);
}

/* Whether id is mapped in this process's user namespace (map: /proc/self/uid_map or gid_map). */
static bool sg_id_mapped(const char *map, unsigned long id)
{
    FILE *f = fopen(map, "re");
    if (f == NULL)
        return false;
    unsigned long inside, outside, count;
    bool mapped = false;
    while (!mapped && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
        mapped = id >= inside && id - inside < count;
    fclose(f);
    return mapped;
}

/* Whether uid can be the sandbox's: mapped here (uid and gid), no account's, no process's. */
static bool sg_uid_usable(uid_t uid)
{
    return sg_id_mapped("/proc/self/uid_map", uid) && sg_id_mapped("/proc/self/gid_map", uid) &&
           getpwuid(uid) == NULL && getgrgid((gid_t)uid) == NULL && sg_count_tasks(uid) == 0;
}

/*
 * The uid a grader running as root gives a submission's commands: one of
 * SG_SANDBOX_UID_BASE's range, drawn at random, that no other grading on
 * the host (in this container or another) is likely to hold. In a
 * container with a user namespace of its own (rootless Podman, Docker's
 * userns-remap) only the uids it maps exist, often 0 to 65535: setuid to
 * any other fails, and the tests would then have run as root. There, and
 * when no draw is usable, nobody, as before.
 */
static uid_t sg_sandbox_uid(void)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        uint32_t r;
        if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            r = (uint32_t)getpid() * 2654435761u ^ (uint32_t)now.tv_nsec;
        }
        uid_t uid = SG_SANDBOX_UID_BASE + (uid_t)(r % SG_SANDBOX_UID_SPAN);
        if (sg_uid_usable(uid))
            return uid;
    }
    return SG_SANDBOX_NOBODY;
}

int sg_sandbox_init(struct sg_sandbox *sb, const char *workdir, const char *enter,
                    bool disabled)
{
    memset(sb, 0, sizeof *sb);
    if (access(enter, X_OK) == -1)
        return -1;
    snprintf(sb->enter, sizeof sb->enter, "%s", enter);
    sb->drop = geteuid() == 0;
    sb->uid = sb->drop ? sg_sandbox_uid() : getuid();
    sb->gid = sb->drop ? (gid_t)sb->uid : getgid();
#if defined(__x86_64__) || defined(__aarch64__)
    sb->seccomp = true;
#endif
    long tasks = sg_count_tasks(sb->uid);
    sb->nproc = (rlim_t)(tasks > 0 ? tasks : 0) + SG_LIMIT_NPROC_MARGIN;
    if (sb->drop && (sg_sandbox_share(sb, workdir, false) == -1 ||
                     sg_sandbox_share(sb, enter, false) == -1))
        return -1;
    sb->per_sandbox = sg_isolate_available() && sg_probe_per_sandbox_budget(sb);

    /* Bubblewrap that refuses to run here (no user namespaces) is left
     * out, and the report says so. One that could not say, SG_PROBE_TRIES times,
     * is not: grading without it would give this submission another
     * sandbox than its classmates had, so the grader fails instead (the
     * submission is not graded, never scored). */
    enum sg_probe_answer a = SG_PROBE_YES;
    if (!disabled && sg_find_bwrap(sb->bwrap, sizeof sb->bwrap) &&
        (a = sg_probe(sb, workdir)) != SG_PROBE_YES)
        sb->bwrap[0] = '\0';
    /* Without bwrap, the sandbox's user must still reach the scratch folder
     * (a TMPDIR inside root's home would not do); else tests run as root, unlimited
     * in processes, and the report says so. */
    bool root_unlimited = false;
    if (a != SG_PROBE_UNSURE && sb->bwrap[0] == '\0' && sb->drop)
        a = sg_probe(sb, workdir);
    if (a == SG_PROBE_UNSURE) {
        errno = EAGAIN;
        return -1;
    }
    if (sb->bwrap[0] == '\0' && sb->drop && a == SG_PROBE_NO) {
        sb->drop = false;
        sb->uid = getuid();
        sb->gid = getgid();
        sb->nproc = RLIM_INFINITY;
        sb->per_sandbox = false;
        root_unlimited = true;
    }
    sg_describe(sb, disabled, root_unlimited);
    return 0;
}

bool sg_sandbox_own_uid(const struct sg_sandbox *sb)
{
    return sb->drop && sb->uid != SG_SANDBOX_NOBODY;
}

bool sg_sandbox_as_grader(const struct sg_sandbox *sb)
{
    return sb->bwrap[0] == '\0' && !sb->drop;
}

bool sg_sandbox_has_namespaces(bool disabled)
{
    char bwrap[sizeof ((struct sg_sandbox *)0)->bwrap];
    return !disabled && sg_find_bwrap(bwrap, sizeof bwrap) && sg_isolate_available();
}

/*
 * What the grader shares with a sandbox's user is the grader's and that
 * user's group's alone: readable by "others", a student's sources and the
 * hidden tests' program were open to every account on a shared grading
 * machine, and, where a class is graded without namespaces, to the code
 * of a classmate graded at the same time (an attacker's review). The
 * sandbox's user runs with a group of its own (sb->gid), but for nobody
 * (where no drawn uid is mapped), whose group, nogroup, others share.
 */
int sg_sandbox_share(const struct sg_sandbox *sb, const char *path, bool writable)
{
    if (!sb->drop)
        return 0;
    if (writable)
        return chown(path, sb->uid, sb->gid);
    /* Readable and traversable by the sandbox's group: the compiled programs are not secret. */
    struct stat st;
    if (lstat(path, &st) == -1 || chown(path, geteuid(), sb->gid) == -1)
        return -1;
    return chmod(path, S_ISDIR(st.st_mode) || (st.st_mode & S_IXUSR) ? 0750 : 0640);
}

static gid_t sg_reclaim_gid; /* the group of the sandbox whose folder nftw walks */

/* Owned by the grader again: read, run and entered by the sandbox's group too; written by none. */
static int sg_reclaim_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (lchown(path, geteuid(), sg_reclaim_gid) == -1)
        return -1;
    if (type == FTW_SL || type == FTW_SLN)
        return 0;
    return chmod(path, S_ISDIR(st->st_mode) ? 0750 : (st->st_mode & 0750) | 0440);
}

/* As sg_reclaim_one, but run and entered, not read, by the group: execute-only. */
static int sg_reclaim_secret(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    if (sg_reclaim_one(path, st, type, ftw) == -1)
        return -1;
    if (type == FTW_SL || type == FTW_SLN)
        return 0;
    bool runs = S_ISDIR(st->st_mode) || (st->st_mode & S_IXUSR);
    return chmod(path, runs ? 0710 : 0600);
}

int sg_sandbox_reclaim(const struct sg_sandbox *sb, const char *dir, bool secret)
{
    if (!sb->drop)
        return 0;
    sg_reclaim_gid = sb->gid;
    return nftw(dir, secret ? sg_reclaim_secret : sg_reclaim_one, 16, FTW_PHYS) == 0 ? 0 : -1;
}

int sg_sandbox_gate(const struct sg_sandbox *sb, const char *dir, bool open)
{
    if (!sb->drop)
        return 0;
    return chmod(dir, open ? 0710 : 0700);
}

const char *sg_sandbox_home(const struct sg_sandbox *sb, const struct sg_mounts *m)
{
    return sb->bwrap[0] != '\0' ? "/tmp" : m->cwd;
}

/* Adds the root folders that hold programs and libraries: symlinks (merged /usr) as such. */
static void sg_add_system_dirs(const char **argv, size_t *n, size_t max)
{
    static const char *const dirs[] = { "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32" };
    static char targets[6][256];
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs && *n + 3 < max; i++) {
        struct stat st;
        if (lstat(dirs[i], &st) == -1)
            continue;
        if (S_ISLNK(st.st_mode)) {
            ssize_t len = readlink(dirs[i], targets[i], sizeof targets[i] - 1);
            if (len <= 0)
                continue;
            targets[i][len] = '\0';
            argv[(*n)++] = "--symlink";
            argv[(*n)++] = targets[i];
        } else {
            argv[(*n)++] = "--ro-bind";
            argv[(*n)++] = dirs[i];
        }
        argv[(*n)++] = dirs[i];
    }
}

/* Whether path is dir or lies below it. */
static bool sg_path_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

void sg_sandbox_hide(struct sg_sandbox *sb, const char *path)
{
    char real[PATH_MAX];
    if (path == NULL || realpath(path, real) == NULL || strncmp(real, "/usr/", 5) != 0)
        return;
    /* Only the outermost of nested folders: bubblewrap cannot make a mount
     * point inside a hidden folder, read-only, and a kit under /usr that
     * graded its own solutions/ (or wrote -o grades) failed every lab (a
     * review of this change). */
    size_t kept = 0;
    for (size_t i = 0; i < sb->nhide; i++) {
        if (sg_path_within(real, sb->hide[i]))
            return;
        if (!sg_path_within(sb->hide[i], real))
            memmove(sb->hide[kept++], sb->hide[i], sizeof *sb->hide);
    }
    sb->nhide = kept;
    if (sb->nhide < sizeof sb->hide / sizeof *sb->hide)
        snprintf(sb->hide[sb->nhide++], sizeof *sb->hide, "%s", real);
}

static bool sg_add(const char **argv, size_t *n, size_t max, const char *const *words,
                   size_t count)
{
    if (*n + count + 1 > max)
        return false;
    for (size_t i = 0; i < count; i++)
        argv[(*n)++] = words[i];
    return true;
}

size_t sg_sandbox_argv(const struct sg_sandbox *sb, const struct sg_mounts *m, int nproc,
                       const struct sg_watch_limits *watch, int ready_fd,
                       const char *const *cmd, const char **argv, size_t max)
{
    /* Static: the words must outlive this call, until exec. One command is
     * prepared at a time in a process. */
    static char nproc_text[16], sigpending_text[16], ready_text[16], cpu_text[32], stuck_text[32];
    size_t n = 0;
    if (sb->bwrap[0] != '\0') {
        const char *words[] = {
            /* --as-pid-1: sg_enter is the sandbox's init (sg_enter.c). */
            sb->bwrap, "--unshare-all", "--as-pid-1", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--info-fd", SG_SANDBOX_INFO_FD_TEXT,
            "--ro-bind", "/usr", "/usr",
        };
        if (!sg_add(argv, &n, max, words, sizeof words / sizeof *words))
            return 0;
        sg_add_system_dirs(argv, &n, max);
        for (size_t i = 0; i < sb->nhide; i++) {
            const char *hide[] = { "--tmpfs", sb->hide[i], "--remount-ro", sb->hide[i] };
            if (!sg_add(argv, &n, max, hide, 4))
                return 0;
        }
        /* The devices a program may use, one by one, in the sandbox's root
         * (read-only below): bubblewrap's --dev made /dev a tmpfs of its own,
         * without a size, where a test could fill the machine's memory. */
        const char *more[] = {
            "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--dev-bind", "/dev/null", "/dev/null",
            "--dev-bind", "/dev/zero", "/dev/zero",
            "--dev-bind", "/dev/full", "/dev/full",
            "--dev-bind", "/dev/random", "/dev/random",
            "--dev-bind", "/dev/urandom", "/dev/urandom",
            "--symlink", "/proc/self/fd", "/dev/fd",
            "--symlink", "/proc/self/fd/0", "/dev/stdin",
            "--symlink", "/proc/self/fd/1", "/dev/stdout",
            "--symlink", "/proc/self/fd/2", "/dev/stderr",
            "--proc", "/proc",
            "--size", SG_LIMIT_TMPFS, "--tmpfs", "/tmp",
            "--size", SG_LIMIT_TMPFS, "--tmpfs", "/dev/shm",
            "--ro-bind", sb->enter, sb->enter,
        };
        if (!sg_add(argv, &n, max, more, sizeof more / sizeof *more))
            return 0;
        for (size_t i = 0; i < sizeof m->readonly / sizeof *m->readonly; i++) {
            const char *bind[] = { "--ro-bind", m->readonly[i], m->readonly[i] };
            if (m->readonly[i] != NULL && !sg_add(argv, &n, max, bind, 3))
                return 0;
        }
        const char *rw[] = { "--bind", m->writable, m->writable };
        if (m->writable != NULL && !sg_add(argv, &n, max, rw, 3))
            return 0;
        /* The sandbox's root is a tmpfs without a size, writable by its
         * user: read-only once built. /tmp and /dev/shm, mounts of their
         * own with a size, stay writable. */
        const char *end[] = { "--remount-ro", "/", "--chdir", "/tmp", "--" };
        if (!sg_add(argv, &n, max, end, sizeof end / sizeof *end))
            return 0;
    }
    snprintf(nproc_text, sizeof nproc_text, "%d", nproc > 0 ? nproc : SG_NPROC_PER_SANDBOX);
    snprintf(sigpending_text, sizeof sigpending_text, "%d", SG_LIMIT_SIGPENDING);
    snprintf(ready_text, sizeof ready_text, "%d", ready_fd);
    const char *enter[] = { sb->enter, "--ready-fd", ready_text };
    if (!sg_add(argv, &n, max, enter, 3))
        return 0;
    const char *budget[] = { "--nproc", nproc_text, "--sigpending", sigpending_text };
    if (sb->per_sandbox && !sg_add(argv, &n, max, budget, 4))
        return 0;
    if (watch != NULL) {
        snprintf(cpu_text, sizeof cpu_text, "%.3f", watch->cpu);
        snprintf(stuck_text, sizeof stuck_text, "%.3f", watch->stuck);
        const char *limits[] = { "--cpu-limit", cpu_text, "--stuck-limit", stuck_text };
        if (!sg_add(argv, &n, max, limits, 4))
            return 0;
    }
    const char *filter[] = { "--seccomp" };
    if (sb->seccomp && !sg_add(argv, &n, max, filter, 1))
        return 0;
    const char *dashes[] = { "--" };
    if (!sg_add(argv, &n, max, dashes, 1))
        return 0;
    for (size_t i = 0; cmd[i] != NULL; i++)
        if (!sg_add(argv, &n, max, &cmd[i], 1))
            return 0;
    argv[n] = NULL;
    return n;
}

/*
 * Sets a limit. RLIM_INFINITY asks for as much as this process may have:
 * its own hard limit, since raising a hard limit needs CAP_SYS_RESOURCE,
 * which root in a container may lack (then every spawn failed with
 * EPERM). A finite request above that still fails: a tighter limit than
 * the rubric's could cost a correct student points; an error is never a
 * score.
 */
static int sg_limit(int resource, rlim_t soft, rlim_t hard)
{
    struct rlimit now;
    if ((soft == RLIM_INFINITY || hard == RLIM_INFINITY) && getrlimit(resource, &now) == -1)
        return -1;
    if (hard == RLIM_INFINITY)
        hard = now.rlim_max;
    if (soft == RLIM_INFINITY)
        soft = hard;
    struct rlimit rl = { soft, hard };
    return setrlimit(resource, &rl);
}

/*
 * The process limit a sandbox is created with. With ucounts it bounds the
 * whole sandbox in the grader's namespace, so it is generous: as much as
 * we may (sg_limit). sg_enter sets the test's own inside.
 */
static int sg_limit_nproc(const struct sg_sandbox *sb)
{
    rlim_t n = sb->per_sandbox ? RLIM_INFINITY : sb->nproc;
    return sg_limit(RLIMIT_NPROC, n, n);
}

int sg_sandbox_enter(const struct sg_sandbox *sb, double timeout_seconds, bool big_address_space,
                     const char **failed)
{
    rlim_t as = big_address_space ? RLIM_INFINITY : SG_LIMIT_AS;
    rlim_t cpu = (rlim_t)timeout_seconds + 2; /* whole seconds, rounded up, plus one */
    /* Not the grader's caller's umask (077 in a hardened root shell): the
     * programs a build makes are taken back by the grader and run by the
     * sandbox's group (sg_sandbox_reclaim), which needs them readable and
     * runnable. Nothing for other accounts: without namespaces what a test
     * makes in the machine's /dev/shm or /tmp would be theirs to read. */
    umask(027);
    *failed = "setrlimit(RLIMIT_CORE)";
    if (sg_limit(RLIMIT_CORE, 0, 0) == -1)
        return -1;
    *failed = "setrlimit(RLIMIT_CPU)";
    if (sg_limit(RLIMIT_CPU, cpu, cpu + 1) == -1)
        return -1;
    *failed = "setrlimit(RLIMIT_AS)";
    if (sg_limit(RLIMIT_AS, as, as) == -1)
        return -1;
    /* Without it, code under the memory check could fill the machine's
     * memory (an attacker's review: 2.3 GB and counting, in one test). */
    *failed = "setrlimit(RLIMIT_DATA)";
    if (big_address_space &&
        sg_limit(RLIMIT_DATA, SG_LIMIT_DATA_VALGRIND, SG_LIMIT_DATA_VALGRIND) == -1)
        return -1;
    *failed = "setrlimit(RLIMIT_FSIZE)";
    if (sg_limit(RLIMIT_FSIZE, SG_LIMIT_FSIZE, SG_LIMIT_FSIZE) == -1)
        return -1;
    *failed = "setrlimit(RLIMIT_NOFILE)";
    if (sg_limit(RLIMIT_NOFILE, SG_LIMIT_NOFILE, SG_LIMIT_NOFILE) == -1)
        return -1;
    *failed = "setrlimit(RLIMIT_NPROC)";
    if (sg_limit_nproc(sb) == -1)
        return -1;
    /* Raw system calls: the caller may share the grader's memory
     * (sg_spawn.c), where glibc's wrappers would look for threads of the
     * grader's to change too; this process is single-threaded. */
    *failed = "setgroups, setgid or setuid";
    if (sb->drop && (syscall(SYS_setgroups, 0, NULL) == -1 || syscall(SYS_setgid, sb->gid) == -1 ||
                     syscall(SYS_setuid, sb->uid) == -1))
        return -1;
    *failed = NULL;
    return 0;
}
