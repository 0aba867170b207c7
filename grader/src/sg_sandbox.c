/* sg_sandbox.c — bubblewrap, limits and the user switch; see sg_sandbox.h. */
#include "sg_sandbox.h"
#include "sg_spawn.h"
#include "sg_text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SG_NOBODY 65534

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

/*
 * Whether a command run as the sandbox's user (inside bubblewrap when sb
 * has it) can reach dir. Run through sg_spawn, which also waits until the
 * sandbox is gone, so that not even a zombie of the probe is left.
 */
static bool sg_probe(const struct sg_sandbox *sb, const char *dir)
{
    const char *cmd[] = { "/usr/bin/test", "-x", dir, NULL };
    const char *env[] = { "PATH=/usr/bin:/bin", NULL };
    struct sg_spawn_opts o = {
        .argv = cmd, .envp = env, .timeout_ms = 10000, .output_cap = 1024,
        .sandbox = sb, .readonly = dir, .rundir = dir,
    };
    struct sg_spawn_result r;
    if (sg_spawn(&o, &r) == -1)
        return false;
    bool ok = !r.timed_out && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0;
    sg_spawn_result_free(&r);
    return ok;
}

int sg_sandbox_init(struct sg_sandbox *sb, const char *workdir, bool disabled)
{
    memset(sb, 0, sizeof *sb);
    sb->drop = geteuid() == 0;
    sb->uid = sb->drop ? SG_NOBODY : getuid();
    sb->gid = sb->drop ? SG_NOBODY : getgid();
    long tasks = sg_count_tasks(sb->uid);
    sb->nproc = (rlim_t)(tasks > 0 ? tasks : 0) + SG_LIMIT_NPROC_MARGIN;
    if (sb->drop && sg_sandbox_share(sb, workdir, false) == -1)
        return -1;

    if (!disabled && sg_find_bwrap(sb->bwrap, sizeof sb->bwrap) && !sg_probe(sb, workdir))
        sb->bwrap[0] = '\0';
    /* Without bwrap, nobody must still reach the scratch folder (a TMPDIR
     * inside root's home would not do); else tests run as root, unlimited
     * in processes, and the report says so. */
    bool root_unlimited = false;
    if (sb->bwrap[0] == '\0' && sb->drop && !sg_probe(sb, workdir)) {
        sb->drop = false;
        sb->uid = getuid();
        sb->gid = getgid();
        sb->nproc = RLIM_INFINITY;
        root_unlimited = true;
    }
    struct sg_buf d = SG_BUF_INIT;
    if (sb->bwrap[0] != '\0')
        sg_buf_puts(&d, "bubblewrap: new user, pid, ipc, net, uts and mount namespaces; only "
                        "/usr and the scratch folder visible, read-only");
    else if (disabled)
        sg_buf_puts(&d, "NO SANDBOX (--no-sandbox): process group, child subreaper and "
                        "orphaned-segment clean-up only; the tests can see the machine's files");
    else
        sg_buf_puts(&d, "NO NAMESPACES (bubblewrap missing or not allowed here): process "
                        "group, child subreaper and orphaned-segment clean-up only; the "
                        "tests can see the machine's files");
    if (root_unlimited)
        sg_buf_puts(&d, "; AS ROOT, because nobody cannot reach the scratch folder (set TMPDIR "
                        "to a folder everyone can traverse): the number of processes is not "
                        "limited");
    sg_buf_printf(&d, "; %s; limits: %llu MiB address space, %llu processes, %llu MiB files, "
                      "%llu descriptors, CPU time = wall time + 1 s, no core files",
                  sb->drop ? "as nobody" : "as the grader's user",
                  (unsigned long long)(SG_LIMIT_AS >> 20),
                  (unsigned long long)(sb->nproc == RLIM_INFINITY ? 0 : sb->nproc),
                  (unsigned long long)(SG_LIMIT_FSIZE >> 20),
                  (unsigned long long)SG_LIMIT_NOFILE);
    snprintf(sb->description, sizeof sb->description, "%s", d.data ? d.data : "");
    sg_buf_free(&d);
    return 0;
}

int sg_sandbox_share(const struct sg_sandbox *sb, const char *dir, bool writable)
{
    if (!sb->drop)
        return 0;
    if (writable)
        return chown(dir, sb->uid, sb->gid);
    /* Traversable and readable: the compiled programs are not secret. */
    return chmod(dir, 0755);
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

size_t sg_sandbox_argv(const struct sg_sandbox *sb, const char *readonly, const char *rundir,
                       const char *const *cmd, const char **argv, size_t max)
{
    size_t n = 0;
    if (sb->bwrap[0] == '\0') {
        for (; cmd[n] != NULL && n + 1 < max; n++)
            argv[n] = cmd[n];
        argv[n] = NULL;
        return n;
    }
    const char *words[] = {
        sb->bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
        "--info-fd", SG_SANDBOX_INFO_FD_TEXT,
        "--ro-bind", "/usr", "/usr",
    };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        argv[n++] = words[i];
    sg_add_system_dirs(argv, &n, max);
    const char *more[] = {
        "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
        "--dev", "/dev",
        "--proc", "/proc",
        "--size", SG_LIMIT_TMPFS, "--tmpfs", "/tmp",
        "--size", SG_LIMIT_TMPFS, "--tmpfs", "/dev/shm",
        "--ro-bind", readonly, readonly,
        "--bind", rundir, rundir,
        "--chdir", rundir,
        "--",
    };
    for (size_t i = 0; i < sizeof more / sizeof *more && n + 1 < max; i++)
        argv[n++] = more[i];
    for (size_t i = 0; cmd[i] != NULL && n + 1 < max; i++)
        argv[n++] = cmd[i];
    argv[n] = NULL;
    return n;
}

static int sg_limit(int resource, rlim_t soft, rlim_t hard)
{
    struct rlimit rl = { soft, hard };
    return setrlimit(resource, &rl);
}

int sg_sandbox_enter(const struct sg_sandbox *sb, double timeout_seconds, bool big_address_space)
{
    rlim_t as = big_address_space ? RLIM_INFINITY : SG_LIMIT_AS;
    rlim_t cpu = (rlim_t)timeout_seconds + 2; /* whole seconds, rounded up, plus one */
    if (sg_limit(RLIMIT_CORE, 0, 0) == -1 || sg_limit(RLIMIT_CPU, cpu, cpu + 1) == -1 ||
        sg_limit(RLIMIT_AS, as, as) == -1 ||
        sg_limit(RLIMIT_FSIZE, SG_LIMIT_FSIZE, SG_LIMIT_FSIZE) == -1 ||
        sg_limit(RLIMIT_NOFILE, SG_LIMIT_NOFILE, SG_LIMIT_NOFILE) == -1 ||
        sg_limit(RLIMIT_NPROC, sb->nproc, sb->nproc) == -1)
        return -1;
    if (sb->drop && (setgroups(0, NULL) == -1 || setgid(sb->gid) == -1 || setuid(sb->uid) == -1))
        return -1;
    /* Changing user makes the process undumpable, which gives its /proc
     * files to root: it could not write its own uid_map for a namespace. */
    if (sb->drop && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == -1)
        return -1;
    return 0;
}
