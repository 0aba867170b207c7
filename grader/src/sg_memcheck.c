/* sg_memcheck.c — valgrind's memcheck over a lab; see sg_memcheck.h. */
#include "sg_memcheck.h"
#include "sg_diskturn.h"
#include "sg_isolate.h"
#include "sg_guard.h"
#include "sg_fs.h"
#include "sg_fswatch.h"
#include "sg_sweep.h"
#include "sg_linkmap.h"
#include "sg_spawn.h"
#include "sg_vgxml.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#define SG_VALGRIND "/usr/bin/valgrind"
#define SG_MEMCHECK_TIMEOUT_MS 60000
#define SG_MEMCHECK_NPROC 16
#define SG_XML_PREFIX "mc."
/* The most valgrind's records of one run may take: those of the labs'
 * solutions take at most 24 KiB in 6 files, and a submission full of
 * errors a few hundred KiB. More was written by the code under test. */
#define SG_MC_RECORDS_MAX ((unsigned long long)32 << 20)
#define SG_MC_RECORDS_FILES 512
/* Less free space than this where the records are written, after a run,
 * and they may have been cut short for want of it: not graded. */
#define SG_MC_SPACE_MIN ((unsigned long long)64 << 20)
/* The free space of that disk may fall by this much while valgrind runs
 * (classmates' builds beside it write a few MiB); more, and the run is
 * stopped and not graded: files unlinked while open fill a disk unseen. */
#define SG_MC_DISK_DROP_MAX ((unsigned long long)512 << 20)

/* What one valgrind run found, over all its processes. */
struct sg_mc_outcome {
    struct sg_buf findings;   /* distinct lines, as many as fit */
    int count;                /* how many distinct lines there were */
    int listed;               /* how many of them findings holds */
    bool tampered;            /* the records were touched: nothing else can be believed */
    char *cannot_check;       /* the driver's "could not check" reason, or NULL */
};

static void sg_add_line(struct sg_mc_outcome *out, const char *line)
{
    struct sg_buf l = SG_BUF_INIT;
    sg_buf_printf(&l, "%s\n", line);
    if (out->findings.data == NULL || strstr(out->findings.data, l.data) == NULL) {
        if (out->findings.len < 4096) {
            sg_buf_append(&out->findings, l.data, l.len);
            out->listed++;
        }
        out->count++;
    }
    sg_buf_free(&l);
}

/* A line of the driver's report that starts with prefix, escaped, or NULL. */
static char *sg_report_line(const char *output, const char *prefix, const char **after)
{
    const char *p = output ? strstr(output, prefix) : NULL;
    if (p == NULL || (p != output && p[-1] != '\n'))
        return NULL;
    const char *end = strchr(p, '\n');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    struct sg_buf b = SG_BUF_INIT;
    sg_escape(&b, p + strlen(prefix), n - strlen(prefix), 300, 0);
    if (after != NULL)
        *after = p + n;
    return sg_buf_take(&b);
}

/* The driver's own lines: descriptors left open, "could not check", "done". */
static void sg_read_driver_report(const char *output, const char *token, bool driver,
                                  struct sg_mc_outcome *out)
{
    const char *p = output;
    char *line;
    while ((line = sg_report_line(p, "mc: descriptor ", &p)) != NULL) {
        struct sg_buf f = SG_BUF_INIT;
        sg_buf_printf(&f, "descriptor %s: still open when the call returned; close it on "
                          "every path",
                      line);
        sg_add_line(out, f.data);
        sg_buf_free(&f);
        free(line);
    }
    if (!driver)
        return;
    out->cannot_check = sg_report_line(output, "mc: could not check: ", NULL);
    struct sg_buf done = SG_BUF_INIT;
    sg_buf_printf(&done, "mc: done %s\n", token);
    bool finished = output != NULL && strstr(output, done.data) != NULL;
    sg_buf_free(&done);
    if (!finished && out->cannot_check == NULL)
        sg_add_line(out, "the driver never reached its end: a function of the API ended the "
                         "process (exit, _exit, a signal) or never returned");
}

/* Where name stands in created (one name per line, in order); -1 if it is not there. */
static long sg_created_rank(const char *created, const char *name)
{
    long rank = 0;
    size_t n = strlen(name);
    for (const char *line = created; *line != '\0'; rank++) {
        const char *end = strchr(line, '\n');
        if (end == NULL)
            break;
        if ((size_t)(end - line) == n && strncmp(line, name, n) == 0)
            return rank;
        line = end + 1;
    }
    return -1;
}

/*
 * Reads every record in xmldir. The run's first process (whose parent is
 * none of the others) is the one that called the API; its leaks count,
 * its children's do not. A record says which process it is, and the code
 * under test can write one too: a record that claimed to be the first
 * process's parent made the real first one a child, whose leaks did not
 * count (an attacker's review). A parent starts before its child, and
 * valgrind creates a process's record as it starts, before any code under
 * test runs: a record created after one that claims to be its child is a
 * forgery. -1 when there is no record at all (valgrind did not start: the
 * grader's problem).
 */
static int sg_read_records(const char *xmldir, const char *created,
                           const struct sg_code_ranges *student, const char *file,
                           struct sg_mc_outcome *out)
{
    int dirfd = open(xmldir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = dirfd == -1 ? NULL : fdopendir(dirfd);
    if (d == NULL) {
        if (dirfd != -1)
            close(dirfd);
        return -1;
    }
    struct sg_vg_process *all = NULL;
    size_t n = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL && rc == 0) {
        if (e->d_name[0] == '.')
            continue;
        int fd = openat(dirfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd == -1)
            continue;
        struct sg_vg_process *grown = realloc(all, (n + 1) * sizeof *grown);
        if (grown == NULL || sg_vgxml_read(fd, student, file, &grown[n]) == -1)
            rc = -1;
        if (grown != NULL)
            all = grown;
        if (rc == 0)
            all[n++].rank = sg_created_rank(created, e->d_name);
        close(fd);
    }
    closedir(d);
    if (rc == 0 && n == 0)
        rc = -1;
    bool incomplete = false, forged = false;
    for (size_t i = 0; i < n && rc == 0; i++) {
        bool first = true;
        for (size_t k = 0; k < n; k++)
            if (k != i && all[k].pid == all[i].ppid) {
                first = false;
                forged |= all[k].rank > all[i].rank || all[k].rank == -1;
            }
        incomplete |= !all[i].complete;
        for (size_t f = 0; f < all[i].nfindings; f++)
            if (!all[i].findings[f].leak || first)
                sg_add_line(out, all[i].findings[f].text);
    }
    if (incomplete)
        sg_add_line(out, "a process ended before valgrind finished its report (a crash, a "
                         "signal, the time limit), or its report was emptied");
    if (forged) {
        out->tampered = true;
        sg_add_line(out, "valgrind's records were changed by the code under test (a record "
                         "claims to be the parent of a process that started before it): the "
                         "memory check cannot vouch for anything");
    }
    for (size_t i = 0; i < n; i++)
        sg_vg_process_free(&all[i]);
    free(all);
    return rc;
}

static char *sg_path(const char *dir, const char *name)
{
    struct sg_buf b = SG_BUF_INIT;
    sg_buf_printf(&b, "%s/%s", dir, name);
    return sg_buf_take(&b);
}

static int sg_write_input(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd == -1)
        return -1;
    size_t n = strlen(text);
    int rc = write(fd, text, n) == (ssize_t)n ? 0 : -1;
    if (close(fd) == -1)
        rc = -1;
    return rc;
}

/* What one valgrind run is about. */
struct sg_mc_target {
    const char *label;        /* "api" or "program" */
    const char *const *cmd;
    const char *map;          /* its link map */
    const char *input;
    bool driver;
};

/* Whose a fall of the disk's free space during a run was (sg_diskturn.h). */
enum sg_mc_drop {
    SG_MC_DROP_NONE,      /* there was none */
    SG_MC_DROP_OWN,       /* the run's own: it fell again when it ran alone, and came back */
    SG_MC_DROP_UNKNOWN,   /* the machine's, or nobody can tell: not graded */
};

/* Spawns o, with up to three tries to start it. */
static int sg_spawn_tries(const struct sg_spawn_opts *o, struct sg_spawn_result *res)
{
    int spawned = -1;
    for (int attempt = 0; attempt < 3 && spawned == -1; attempt++) {
        if (attempt > 0)
            sg_spawn_result_free(res);
        spawned = sg_spawn(o, res);
    }
    return spawned;
}

/*
 * Whether the free space of dir's disk comes back, within 10 s, to half
 * of what the run saw it fall by: files unlinked while open are freed when
 * their last holder ends, and a journalled file system (ext4) may count
 * freed blocks free only once its transaction commits, which is asked for
 * first.
 */
static bool sg_space_came_back(const char *dir, const struct sg_spawn_result *res)
{
    unsigned long long fall = res->space_at_start - res->space_lowest;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd != -1) {
        syncfs(fd);
        close(fd);
    }
    for (int look = 0; look < 500; look++) {
        unsigned long long now;
        if (sg_space_left(dir, &now) == -1)
            return false;
        if (now >= res->space_lowest + fall / 2)
            return true;
        nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
    }
    return false;
}

/*
 * Whose the fall of a run made alone (holding the only turn) was. Its
 * records are of no use now (it was stopped), and whatever its folder
 * holds is its doing: removed first, so that the space it held comes
 * back too (an attacker's review linked a file into a folder made there,
 * which no count saw), and so that nobody's next run starts on a full
 * disk. Then the space must come back for the fall to be the run's own,
 * and only in a sandbox: without one the tests of other gradings write
 * to this disk too, and an attacker's review made a correct classmate's
 * run look guilty by filling and freeing it in turn. Tampering seen in
 * the folder is the run's own in any case.
 */
static enum sg_mc_drop sg_judge_drop_alone(const struct sg_sandbox *sb, const char *xmldir,
                                           const struct sg_spawn_result *res, int watched)
{
    bool sandboxed = sb->bwrap[0] != '\0';
    /* Emptied, and made again: the space is looked at there (a first
     * version looked at the folder it had just removed, never saw the
     * space come back, and called the code's own fall the machine's). */
    bool emptied = sg_rmtree(xmldir) == 0 && mkdir(xmldir, 0700) == 0;
    if (watched == 1)
        return SG_MC_DROP_OWN;
    return sandboxed && emptied && sg_space_came_back(xmldir, res) ? SG_MC_DROP_OWN
                                                                    : SG_MC_DROP_UNKNOWN;
}

/*
 * Runs o with the records' folder watched (sg_fswatch.h). A fall of the
 * disk's free space stops every run on that disk at that moment, a
 * classmate's too, so a run that saw one is made again alone, in its
 * folder emptied, and judged (sg_judge_drop_alone) before the turn is
 * given back. *watched: sg_fswatch_finish's answer of the last run. -1
 * (why) when the grader could not run it.
 */
static int sg_run_watched(const struct sg_spawn_opts *o, const struct sg_sandbox *sb,
                          const char *xmldir, struct sg_spawn_result *res, int *watched,
                          struct sg_buf *tamper, struct sg_buf *created, enum sg_mc_drop *drop,
                          struct sg_buf *why)
{
    *drop = SG_MC_DROP_NONE;
    for (bool alone = false;; alone = true) {
        struct sg_fswatch watch = { -1 };
        if (sg_fswatch_start(&watch, xmldir) == -1) {
            sg_buf_printf(why, "inotify on %s: %s", xmldir, strerror(errno));
            return -1;
        }
        struct sg_diskturn turn;
        /* Without the lock files there is no turn: a fall then stays unknown. */
        bool held = sg_diskturn_take(&turn, alone) == 0;
        int spawned = sg_spawn_tries(o, res);
        *watched = sg_fswatch_finish(&watch, SG_XML_PREFIX, tamper, created);
        if (spawned == 0 && *watched != -1 && res->disk_dropped && alone)
            *drop = held ? sg_judge_drop_alone(sb, xmldir, res, *watched) : SG_MC_DROP_UNKNOWN;
        sg_diskturn_give_back(&turn);
        if (spawned == -1 || *watched == -1) {
            sg_buf_printf(why, "could not run valgrind (%s%s%s)", res->setup_failed ?: "",
                          res->setup_failed ? ": " : "", strerror(errno));
            return -1;
        }
        if (!res->disk_dropped || alone)
            return 0;
        sg_spawn_result_free(res);
        memset(res, 0, sizeof *res);
        sg_buf_free(tamper);
        sg_buf_free(created);
        if (sg_rmtree(xmldir) == -1 || mkdir(xmldir, 0700) == -1 ||
            sg_sandbox_share(sb, xmldir, true) == -1) {
            sg_buf_printf(why, "could not prepare the memory check again in %s: %s", xmldir,
                          strerror(errno));
            return -1;
        }
    }
}

/* Runs one command under valgrind; adds to out. -1 (why) when the grader could not. */
static int sg_valgrind(const struct sg_rubric *r, const struct sg_memcheck_run *m,
                       const struct sg_mc_target *target, struct sg_mc_outcome *out,
                       struct sg_buf *why)
{
    const struct sg_build *b = m->build;
    struct sg_buf name = SG_BUF_INIT;
    sg_buf_printf(&name, "mc-%s", target->label);
    char *xmldir = sg_path(b->dir, name.data);
    sg_buf_puts(&name, "-run");
    char *rundir = sg_path(b->dir, name.data);
    sg_buf_free(&name);
    sg_buf_printf(&name, "mc-%s.input", target->label);
    char *input = sg_path(b->src, name.data);
    char *object = sg_path(b->out, "student-local.o");
    struct sg_buf xmlarg = SG_BUF_INIT;
    sg_buf_printf(&xmlarg, "--xml-file=%s/" SG_XML_PREFIX "%%p.xml", xmldir);
    unsigned char random[8];
    char token[2 * sizeof random + 2] = "";
    struct sg_code_ranges student = { NULL, 0 };
    struct sg_buf created = SG_BUF_INIT; /* the records' names, in the order they were made */
    struct sg_spawn_result res;
    memset(&res, 0, sizeof res);
    int rc = -1;
    bool on_disk = m->sandbox->bwrap[0] == '\0';
    if (getrandom(random, sizeof random, 0) == (ssize_t)sizeof random) {
        for (size_t i = 0; i < sizeof random; i++)
            snprintf(token + 2 * i, 3, "%02x", random[i]);
        token[2 * sizeof random] = '\n'; /* the driver's first line of input */
        token[2 * sizeof random + 1] = '\0';
    }
    if (token[0] == '\0' || mkdir(xmldir, 0700) == -1 ||
        sg_sandbox_share(m->sandbox, xmldir, true) == -1 ||
        (on_disk && (mkdir(rundir, 0700) == -1 ||
                     sg_sandbox_share(m->sandbox, rundir, true) == -1)) ||
        sg_write_input(input, target->driver ? token : target->input) == -1 ||
        sg_sandbox_share(m->sandbox, input, false) == -1) {
        sg_buf_printf(why, "could not prepare the memory check in %s: %s", b->dir,
                      strerror(errno));
        goto out;
    }
    if (sg_linkmap_code(target->map, object, &student) == -1) {
        sg_buf_printf(why, "could not read where the student's code lies in %s: %s",
                      target->map, strerror(errno));
        goto out;
    }
    token[2 * sizeof random] = '\0'; /* as the driver says it back */

    const char *argv[40] = {
        SG_VALGRIND, "--tool=memcheck", "-q", "--xml=yes", xmlarg.data, "--leak-check=full",
        "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite", "--track-origins=yes",
        "--child-silent-after-fork=no", "--error-limit=no", "--vgdb=no",
    };
    size_t n = 12;
    for (size_t i = 0; target->cmd[i] != NULL && n < 39; i++)
        argv[n++] = target->cmd[i];
    argv[n] = NULL;
    struct sg_mounts mounts = { .readonly = { b->out }, .writable = xmldir, .cwd = rundir };
    struct sg_env env;
    sg_env_init(&env, sg_sandbox_home(m->sandbox, &mounts));
    struct sg_spawn_opts o = {
        .argv = argv, .envp = (const char *const *)env.vars, .timeout_ms = SG_MEMCHECK_TIMEOUT_MS,
        .output_cap = 16384, .isolate = true, .sandbox = m->sandbox, .mounts = &mounts,
        .stdin_path = input, .big_address_space = true,
        /* Each process under valgrind may hold SG_LIMIT_DATA_VALGRIND: the
         * labs' drivers and programs need a few; fewer than a test may. */
        .nproc = SG_MEMCHECK_NPROC,
        .capped_dir = xmldir, .dir_cap_bytes = SG_MC_RECORDS_MAX,
        .dir_cap_entries = SG_MC_RECORDS_FILES, .disk_drop_cap = SG_MC_DISK_DROP_MAX,
        .disk_floor = SG_MC_SPACE_MIN,
    };
    struct sg_buf tamper = SG_BUF_INIT;
    int watched;
    enum sg_mc_drop drop;
    int ran = sg_run_watched(&o, m->sandbox, xmldir, &res, &watched, &tamper, &created, &drop, why);
    sg_env_free(&env);
    if (ran == -1) {
        sg_buf_free(&tamper);
        goto out;
    }
    if (res.dir_overflow) {
        /* Stopped: what the driver and the records say next is noise. */
        out->tampered = true;
        struct sg_buf f = SG_BUF_INIT;
        sg_buf_printf(&f, "valgrind's records were changed by the code under test: it wrote "
                          "into their folder what valgrind does not write there, and was "
                          "stopped%s%s%s; the memory check cannot vouch for anything",
                      tamper.len ? " (" : "", tamper.len ? tamper.data : "",
                      tamper.len ? ")" : "");
        sg_add_line(out, f.data);
        sg_buf_free(&f);
        sg_buf_free(&tamper);
        rc = 0;
        goto out;
    }
    if (drop == SG_MC_DROP_OWN) {
        out->tampered = true;
        struct sg_buf f = SG_BUF_INIT;
        sg_buf_printf(&f, "the code under test took the disk where valgrind writes its records: "
                          "its free space fell from %llu MiB to %llu MiB while the code ran, "
                          "with the disk to itself, and came back once it was stopped (or the "
                          "code changed the records' folder); the memory check cannot vouch "
                          "for anything",
                      res.space_at_start >> 20, res.space_lowest >> 20);
        sg_add_line(out, f.data);
        sg_buf_free(&f);
        sg_buf_free(&tamper);
        rc = 0;
        goto out;
    }
    if (drop == SG_MC_DROP_UNKNOWN) {
        sg_buf_printf(why, "the free space of the disk where the memory check writes its records "
                           "(%s) fell while it ran, and again when it ran alone (from %llu MiB "
                           "to %llu MiB), and whose doing it was cannot be told: it did not come "
                           "back when the run was stopped, or the tests run without a sandbox, "
                           "where other gradings' tests write to that disk too: not graded",
                      xmldir, res.space_at_start >> 20, res.space_lowest >> 20);
        sg_buf_free(&tamper);
        goto out;
    }
    /* Checked once the code's own writes are judged (an overflow above, a
     * tampering below), so that filling the disk earns no grader error. */
    unsigned long long space;
    if (watched != 1 && sg_space_left(xmldir, &space) == 0 && space < SG_MC_SPACE_MIN) {
        /* A full disk cuts valgrind's records short, which reads as the
         * student's crash: the machine's failure (or a classmate's doing),
         * never the student's score (an attacker's review). */
        sg_buf_printf(why, "only %llu MiB free where the memory check writes its records (%s): "
                           "the disk is full, not graded",
                      space >> 20, xmldir);
        sg_buf_free(&tamper);
        goto out;
    }
    if (watched == 1) {
        out->tampered = true;
        struct sg_buf f = SG_BUF_INIT;
        sg_buf_printf(&f, "valgrind's records were changed by the code under test (%s): the "
                          "memory check cannot vouch for anything",
                      tamper.data);
        sg_add_line(out, f.data);
        sg_buf_free(&f);
    }
    sg_buf_free(&tamper);
    if (res.timed_out) {
        struct sg_buf f = SG_BUF_INIT;
        sg_buf_printf(&f, "the %s did not finish within %d s under valgrind", target->label,
                      SG_MEMCHECK_TIMEOUT_MS / 1000);
        sg_add_line(out, f.data);
        sg_buf_free(&f);
    }
    sg_read_driver_report(res.output, token, target->driver, out);
    if (!target->driver && !res.timed_out &&
        !(WIFEXITED(res.status) && WEXITSTATUS(res.status) == 0) && out->cannot_check == NULL) {
        struct sg_buf f = SG_BUF_INIT;
        sg_buf_printf(&f, "the program %s under valgrind (expected: exit status 0)",
                      WIFEXITED(res.status) ? "exited with another status" : "was killed");
        out->cannot_check = sg_buf_take(&f);
    }
    if (sg_read_records(xmldir, created.data ? created.data : "", &student, r->file, out) == -1) {
        if (watched == 1) {
            rc = 0; /* the records were removed: already a finding */
            goto out;
        }
        sg_buf_printf(why, "valgrind wrote no record in %s (%.200s)", xmldir,
                      res.output ? res.output : "");
        goto out;
    }
    rc = 0;
out:
    sg_buf_free(&created);
    sg_spawn_result_free(&res);
    sg_code_ranges_free(&student);
    sg_rmtree(xmldir);
    if (on_disk)
        sg_rmtree(rundir);
    if (on_disk && sg_sandbox_own_uid(m->sandbox) && !m->sandbox->per_sandbox)
        sg_sweep_uid(m->sandbox->uid, m->sandbox->gid); /* sg_sweep.h, as sg_testrun.c */
    free(xmldir);
    free(rundir);
    free(input);
    free(object);
    sg_buf_free(&xmlarg);
    return rc;
}

int sg_memcheck(const struct sg_rubric *r, const struct sg_memcheck_run *m,
                struct sg_test_result *t, struct sg_buf *why)
{
    const struct sg_build *b = m->build;
    struct sg_mc_outcome out = { SG_BUF_INIT, 0, 0, false, NULL };
    char *driver_map = sg_path(b->out, "memcheck.map");
    char *program_map = sg_path(b->out, "program-mc.map");
    /* The driver's objects, and the program's where the rubric writes
     * {tag}, carry this process's tag (sg_isolate.h). */
    struct sg_object_tag tag;
    sg_object_tag(&tag);
    if (m->sandbox->bwrap[0] == '\0')
        sg_guard_register_objects(tag.mark);
    const char *driver[] = { b->memcheck_driver, tag.tag, NULL };
    const char *program[16];
    char *args[16] = { NULL };
    size_t n = 0;
    program[n++] = b->memcheck_program;
    for (size_t i = 1; r->memcheck.program[i] != NULL && n < 15; i++) {
        const char *arg = r->memcheck.program[i];
        const char *at = strstr(arg, "{tag}");
        if (at != NULL) {
            struct sg_buf a = SG_BUF_INIT;
            sg_buf_printf(&a, "%.*s%s%s", (int)(at - arg), arg, tag.tag, at + 5);
            arg = args[n] = sg_buf_take(&a);
        }
        program[n++] = arg;
    }
    program[n] = NULL;
    struct sg_mc_target targets[] = {
        { "api", driver, driver_map, "", true },
        { "program", program, program_map, r->memcheck.input ?: "", false },
    };
    int rc = 0;
    for (size_t i = 0; i < 2 && rc == 0 && out.cannot_check == NULL && !out.tampered; i++)
        rc = sg_valgrind(r, m, &targets[i], &out, why);
    if (m->sandbox->bwrap[0] == '\0')
        sg_shm_remove_tagged(tag.mark);
    for (size_t i = 0; i < 16; i++)
        free(args[i]);
    free(driver_map);
    free(program_map);
    if (rc == -1) {
        sg_buf_free(&out.findings);
        free(out.cannot_check);
        return -1;
    }
    t->passed = out.count == 0 && out.cannot_check == NULL;
    t->points = t->passed ? t->max_points : 0;
    if (out.cannot_check != NULL && !out.tampered) {
        struct sg_buf obs = SG_BUF_INIT;
        sg_buf_printf(&obs, "the memory check could not run your code: %s", out.cannot_check);
        t->observed = sg_buf_take(&obs);
        t->expected = strdup("the lab's functions working, so that valgrind can watch them");
        t->hint = strdup("the memory check is worth its points once the functional tests pass; "
                         "start with the first failing test above");
    } else if (!t->passed) {
        struct sg_buf obs = SG_BUF_INIT;
        sg_buf_printf(&obs, "%d finding%s in your code:\n%s", out.count, out.count == 1 ? "" : "s",
                      out.findings.data ? out.findings.data : "");
        if (out.count > out.listed)
            sg_buf_printf(&obs, "(and %d more, not shown)\n", out.count - out.listed);
        t->observed = sg_buf_take(&obs);
        t->expected = strdup("no memory error, no definite leak in the process that called the "
                             "API, no descriptor left open");
        t->hint = strdup("run `make memcheck`, or valgrind --leak-check=full on your own test "
                         "program, and start with the first finding: later ones often follow "
                         "from it");
    }
    free(out.cannot_check);
    sg_buf_free(&out.findings);
    return 0;
}
