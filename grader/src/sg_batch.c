/* sg_batch.c — grade a whole class; see sg_batch.h. */
#include "sg_batch.h"
#include "sg_guard.h"
#include "sg_fs.h"
#include "sg_hash.h"
#include "sg_html_class.h"
#include "sg_report.h"
#include "sg_rubric.h"
#include "sg_spawn.h"
#include "sg_submission.h"
#include "sg_sandbox.h"
#include "sg_slots.h"
#include "sg_summary.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct sg_student {
    char *name;     /* the folder's name, as it is on disk */
    char *display;  /* the same, escaped: printable, valid UTF-8 */
    char *path;     /* DIR/name */
    char *out;      /* OUTDIR/students/name: no name can collide with the class files */
    uint64_t key;   /* what its grade depends on */
    bool cached;    /* graded before with the same key */
    bool failed;    /* the grader could not grade it */
    pid_t pid;
};

static int sg_cmp_student(const void *a, const void *b)
{
    return strcmp(((const struct sg_student *)a)->name, ((const struct sg_student *)b)->name);
}

static char *sg_join(const char *a, const char *b)
{
    struct sg_buf p = SG_BUF_INIT;
    sg_buf_printf(&p, "%s/%s", a, b);
    return sg_buf_take(&p);
}

/*
 * The students: every subfolder of dir, but hidden ones and the output
 * folder itself (-o inside the class's folder made a student "grades",
 * all missing, who pulled down the class's mean), sorted; a link among
 * them is a student too, whose grading says it was not followed.
 */
static struct sg_student *sg_list_students(const char *dir, const char *outdir, size_t *n,
                                           struct sg_buf *err)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        sg_buf_printf(err, "%s: %s", dir, strerror(errno));
        return NULL;
    }
    struct stat out_st;
    bool out_known = stat(outdir, &out_st) == 0;
    struct sg_student *all = NULL;
    *n = 0;
    size_t skipped = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (e->d_name[0] == '.') {
            /* A .git or .DS_Store beside the students, most often; said all
             * the same (a platform review: a student's ".bob" was dropped in
             * silence). */
            if (skipped++ < 10) {
                char *shown = sg_escape_dup(e->d_name);
                fprintf(stderr, "shmgrade: %s/%s is hidden (its name starts with a dot): not "
                                "graded (rename it to grade it)\n",
                        dir, shown);
                free(shown);
            }
            continue;
        }
        char *path = sg_join(dir, e->d_name);
        struct stat st;
        bool is_out = false;
        if (lstat(path, &st) == -1 || !(S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) ||
            (is_out = out_known && st.st_dev == out_st.st_dev && st.st_ino == out_st.st_ino)) {
            /* Said, not dropped in silence: a student's archive, or a flat
             * download of every student's files, graded nobody and the
             * gradebook did not say why (a platform review). */
            if (!is_out && skipped++ < 10) {
                char *shown = sg_escape_dup(e->d_name);
                fprintf(stderr, "shmgrade: %s/%s is not a folder: not graded (a class is a "
                                "folder per student; unpack an archive into one)\n",
                        dir, shown);
                free(shown);
            }
            free(path);
            continue;
        }
        struct sg_student *grown = realloc(all, (*n + 1) * sizeof *all);
        if (grown == NULL) {
            free(path);
            break;
        }
        all = grown;
        char *students = sg_join(outdir, "students");
        all[*n] = (struct sg_student){ .name = strdup(e->d_name), .path = path,
                                       .display = sg_escape_name_dup(e->d_name),
                                       .out = sg_join(students, e->d_name) };
        free(students);
        (*n)++;
    }
    closedir(d);
    if (skipped > 10)
        fprintf(stderr, "shmgrade: %s: %zu more entries that are not folders, not graded\n", dir,
                skipped - 10);
    if (*n > 0)
        qsort(all, *n, sizeof *all, sg_cmp_student);
    return all;
}

/* What every grade of this run depends on, besides the student's files. */
static uint64_t sg_run_fingerprint(const struct sg_kit *kit, const struct sg_batch_opts *o,
                                   char **labs)
{
    uint64_t h = sg_hash_file(SG_HASH_INIT, "/proc/self/exe");
    const char *shared[] = { "libsg_harness.a", "mc_driver.o", "sg_enter" };
    for (size_t i = 0; i < sizeof shared / sizeof *shared; i++) {
        char *path = sg_join(kit->objects, shared[i]);
        h = sg_hash_file(h, path);
        free(path);
    }
    for (char **l = labs; *l != NULL; l++) {
        /* The timings set each test's limits (sg_rubric.c). */
        const char *files[] = { "rubric.json", "hidden/rubric.json", "timings.json",
                                "hidden/timings.json" };
        for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
            struct sg_buf p = SG_BUF_INIT;
            sg_buf_printf(&p, "%s/%s/%s", kit->labs, *l, files[i]);
            h = sg_hash_file(h, p.data);
            sg_buf_free(&p);
        }
        const char *objects[] = { "libtests.a", "hidden.o", "main.o", "memcheck.o" };
        for (size_t i = 0; i < sizeof objects / sizeof *objects; i++) {
            struct sg_buf p = SG_BUF_INIT;
            sg_buf_printf(&p, "%s/%s/%s", kit->objects, *l, objects[i]);
            h = sg_hash_file(h, p.data);
            sg_buf_free(&p);
        }
    }
    char options[128];
    snprintf(options, sizeof options, "hidden=%d timeout=%g sandbox=%d memcheck=%d formats=%u",
             o->grade.hidden, o->grade.timeout, !o->grade.no_sandbox, o->grade.memcheck,
             o->formats);
    h = sg_hash_str(h, options);
    for (const char *const *t = o->grade.tests; t != NULL && *t != NULL; t++)
        h = sg_hash_str(h, *t);
    return h;
}

/* The run's fingerprint, then the student's file for each lab. */
static uint64_t sg_student_key(uint64_t run, const struct sg_kit *kit, char **labs,
                               const struct sg_student *s)
{
    uint64_t h = run;
    for (char **l = labs; *l != NULL; l++) {
        struct sg_rubric r;
        struct sg_buf err = SG_BUF_INIT, why = SG_BUF_INIT;
        if (sg_rubric_load(kit->labs, *l, false, &r, &err) == 0) {
            char *found = NULL;
            int fd = -1;
            int rc_find = sg_submission_find_lab(kit->root, kit->labs, s->path, true, *l, r.file,
                                                 &found, &fd, &why, NULL);
            if (rc_find == 0) {
                h = sg_hash_str(h, found + strlen(s->path));
                h = sg_hash_fd(h, fd);
                close(fd);
                free(found);
            } else {
                h = sg_hash_str(h, why.data ? why.data : "missing");
            }
            sg_rubric_free(&r);
        }
        sg_buf_free(&err);
        sg_buf_free(&why);
    }
    return h;
}

static bool sg_has_key(const struct sg_student *s)
{
    char *keyfile = sg_join(s->out, ".key");
    char *grade = sg_join(s->out, sg_format_file(SG_FORMAT_GRADE));
    FILE *f = fopen(keyfile, "re");
    uint64_t old = 0;
    bool same = f != NULL && fscanf(f, "%" SCNx64, &old) == 1 && old == s->key &&
                access(grade, R_OK) == 0;
    if (f != NULL)
        fclose(f);
    free(keyfile);
    free(grade);
    return same;
}

struct sg_report_arg {
    const struct sg_grade *grade;
    enum sg_format format;
};

static int sg_write_report(FILE *out, const void *arg)
{
    const struct sg_report_arg *a = arg;
    return sg_report_write(a->grade, a->format, out, false);
}

static int sg_write_key(FILE *out, const void *arg)
{
    return fprintf(out, "%016" PRIx64 "\n", *(const uint64_t *)arg) < 0 ? -1 : 0;
}

/*
 * Removes the last run's key and reports of s, the key first. Graded again
 * means graded again: a worker that then failed (a full disk, the OOM
 * killer) left the last run's grade in place, "ok" in the gradebook for
 * files that had changed since (an instructor's review). Without it, the
 * class summary says the grader failed on this submission. 0 or -1.
 */
static int sg_forget_grade(const struct sg_student *s)
{
    int rc = 0;
    char *key = sg_join(s->out, ".key");
    if (unlink(key) == -1 && errno != ENOENT)
        rc = -1;
    free(key);
    for (int f = 0; f < SG_FORMAT_COUNT; f++) {
        char *path = sg_join(s->out, sg_format_file((enum sg_format)f));
        if (unlink(path) == -1 && errno != ENOENT)
            rc = -1;
        free(path);
    }
    char *html = sg_join(s->out, "report.html");
    if (unlink(html) == -1 && errno != ENOENT)
        rc = -1;
    free(html);
    return rc;
}

/*
 * Whether a sandbox made here has bubblewrap, tried as every student's is
 * (sg_sandbox_init): bubblewrap installed and user namespaces allowed are
 * not enough (in a container that hides parts of /proc, bubblewrap cannot
 * mount its own), and a class was then graded several students at once
 * without namespaces, each able to read the others' files (an attacker's
 * review). Tried in a child, which is a subreaper of its own as every
 * grading is (sg_spawn_init). 1: it runs; 0: it does not; -1: it could
 * not be tried (a busy machine), which counts as a no too.
 */
static int sg_batch_sandbox_works(const struct sg_kit *kit, const char *tmp, bool disabled)
{
    if (!sg_sandbox_has_namespaces(disabled))
        return 0;
    fflush(NULL);
    pid_t child = fork();
    if (child == -1)
        return -1;
    if (child == 0) {
        struct sg_buf dir = SG_BUF_INIT, enter = SG_BUF_INIT;
        sg_buf_printf(&dir, "%s/shmgrade-probe.XXXXXX", tmp);
        if (sg_spawn_init() == -1 || mkdtemp(dir.data) == NULL)
            _exit(2);
        if (sg_guard_register(dir.data) == -1)
            fprintf(stderr, "shmgrade: warning: %s is not known to the guard: %s\n", dir.data,
                    strerror(errno));
        sg_buf_printf(&enter, "%s/sg_enter", dir.data);
        char *kit_enter = sg_join(kit->objects, "sg_enter");
        struct sg_sandbox sb;
        int answer = kit_enter == NULL || sg_copy_file(kit_enter, enter.data, 0755) == -1 ? 2
                     : sg_sandbox_init(&sb, dir.data, enter.data, disabled) == -1 ? 2
                     : sb.bwrap[0] != '\0'                                        ? 0
                                                                                  : 1;
        if (sg_rmtree(dir.data) == -1)
            fprintf(stderr, "shmgrade: warning: %s could not be removed: %s\n", dir.data,
                    strerror(errno));
        _exit(answer);
    }
    int status;
    while (waitpid(child, &status, 0) == -1)
        if (errno != EINTR)
            return -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
        return -1;
    return WEXITSTATUS(status) == 0 ? 1 : 0;
}

/* The worker: grades one student and writes the reports. Never returns. */
static void sg_grade_student(const struct sg_kit *kit, const struct sg_batch_opts *o,
                             const struct sg_student *s, pid_t batch) __attribute__((noreturn));
static void sg_grade_student(const struct sg_kit *kit, const struct sg_batch_opts *o,
                             const struct sg_student *s, pid_t batch)
{
    /* Dies with the batch, even when the batch is killed outright (kill
     * -9 leaves no guard): its tests then die with it (sg_spawn). */
    if (sg_spawn_die_with(batch) == -1) {
        fprintf(stderr, "shmgrade: %s: prctl(PR_SET_PDEATHSIG): %s\n", s->display,
                strerror(errno));
        _exit(1);
    }
    /* A subreaper of its own: the orphans of this student's tests come back
     * here, not to a sibling worker that might kill them as its own. */
    sg_spawn_init();
    const char *tmp = getenv("TMPDIR");
    struct sg_buf work = SG_BUF_INIT, err = SG_BUF_INIT;
    sg_buf_printf(&work, "%s/shmgrade.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (sg_mkdirs(s->out, 0750) == -1 || sg_forget_grade(s) == -1 || mkdtemp(work.data) == NULL) {
        fprintf(stderr, "shmgrade: %s: %s\n", s->display, strerror(errno));
        _exit(1);
    }
    if (sg_guard_register(work.data) == -1)
        fprintf(stderr, "shmgrade: warning: %s is not known to the guard: %s\n", work.data,
                strerror(errno));
    struct sg_grade_opts go = o->grade;
    go.submission = s->path;
    go.workdir = work.data;
    go.root_nofollow = true;
    go.batch = true;
    go.outdir = o->outdir;
    struct sg_grade g;
    int status = 0;
    if (sg_grade_submission(kit, &go, &g, &err) == -1) {
        fprintf(stderr, "shmgrade: %s: %s\n", s->display, err.data ? err.data : "grading failed");
        sg_rmtree(work.data);
        _exit(1);
    }
    bool grader_error = false;
    for (size_t i = 0; i < g.nlabs; i++)
        grader_error |= g.labs[i].state == SG_LAB_GRADER_ERROR;
    for (int f = 0; f < SG_FORMAT_COUNT; f++) {
        if (!(o->formats & (1u << f)) && f != SG_FORMAT_GRADE)
            continue;
        /* A platform's file holds a score, and a lab the grader failed on
         * has none: the text report and grade.json say what happened, and
         * the student stays incomplete (a platform review: results.json
         * kept 180 of 212 beside an incomplete row). */
        if (grader_error && f != SG_FORMAT_TEXT && f != SG_FORMAT_GRADE)
            continue;
        char *path = sg_join(s->out, sg_format_file((enum sg_format)f));
        struct sg_report_arg a = { &g, (enum sg_format)f };
        if (sg_write_atomic(path, sg_write_report, &a) == -1) {
            fprintf(stderr, "shmgrade: %s: %s\n", path, strerror(errno));
            status = 1;
        }
        free(path);
    }
    if (grader_error)
        status = 1;
    /* The key last: a student whose reports are incomplete is graded again. */
    char *keyfile = sg_join(s->out, ".key");
    if (status == 0 && sg_write_atomic(keyfile, sg_write_key, &s->key) == -1)
        status = 1;
    free(keyfile);
    sg_grade_free(&g);
    sg_rmtree(work.data);
    _exit(status);
}

static void sg_progress(const struct sg_batch_opts *o, size_t done, size_t n,
                        const struct sg_student *s)
{
    if (!o->progress)
        return;
    struct sg_buf name = SG_BUF_INIT;
    sg_buf_puts(&name, s->display);
    char *grade = sg_join(s->out, sg_format_file(SG_FORMAT_GRADE));
    json_t *root = s->failed ? NULL : json_load_file(grade, 0, NULL);
    if (root != NULL)
        fprintf(stderr, "[%zu/%zu] %s %g/%g%s\n", done, n, name.data,
                json_number_value(json_object_get(root, "score")),
                json_number_value(json_object_get(root, "max_score")),
                s->cached ? " (unchanged, not graded again)" : "");
    else
        fprintf(stderr, "[%zu/%zu] %s: the grader failed on this submission\n", done, n,
                name.data);
    json_decref(root);
    free(grade);
    sg_buf_free(&name);
}

static int sg_batch_grade(const struct sg_kit *kit, const struct sg_batch_opts *o,
                          struct sg_buf *err)
{
    struct timespec start; /* how long grading took, on the class page */
    bool timed = clock_gettime(CLOCK_MONOTONIC, &start) == 0;
    char **labs = NULL;
    if (o->grade.labs == NULL) {
        labs = sg_rubric_list_labs(kit->labs, err);
        if (labs == NULL)
            return -1;
    } else {
        size_t n = 0;
        while (o->grade.labs[n] != NULL)
            n++;
        labs = calloc(n + 1, sizeof *labs);
        for (size_t i = 0; labs != NULL && i < n; i++)
            labs[i] = strdup(o->grade.labs[i]);
    }
    size_t n = 0;
    struct sg_student *students = sg_list_students(o->dir, o->outdir, &n, err);
    if (n == 0 && err->len == 0)
        sg_buf_printf(err, "%s holds no student's folder: a class is a folder with one folder "
                           "per student in it",
                      o->dir);
    if (n == 0) {
        free(students);
        sg_strv_free(labs);
        return -1;
    }
    uint64_t run = sg_run_fingerprint(kit, o, labs);
    for (size_t i = 0; i < n; i++) {
        students[i].key = sg_student_key(run, kit, labs, &students[i]);
        students[i].cached = sg_has_key(&students[i]);
    }

    int jobs = o->jobs > 0 ? o->jobs : sg_default_jobs();
    /* One bound on tests at once for the whole class (sg_slots.h): a
     * student's tests use the slots others leave free. */
    const char *tmp = getenv("TMPDIR");
    struct sg_slots slots = { NULL, 0 };
    if (sg_slots_create(&slots, tmp && *tmp ? tmp : "/tmp", jobs) == -1) {
        sg_buf_printf(err, "the slots file: %s", strerror(errno));
        sg_strv_free(labs);
        return -1;
    }
    if (sg_guard_register(slots.path) == -1)
        fprintf(stderr, "shmgrade: warning: %s is not known to the guard: %s\n", slots.path,
                strerror(errno));
    /* Whether classmates may be graded side by side (sg_batch_sandbox_works). */
    const char *scratch = tmp && *tmp ? tmp : "/tmp";
    int works = sg_batch_sandbox_works(kit, scratch, o->grade.no_sandbox);
    bool side_by_side = works == 1;
    if (works == 0 && sg_sandbox_has_namespaces(o->grade.no_sandbox))
        fprintf(stderr, "shmgrade: note: bubblewrap is installed but a sandbox made here does not "
                        "run it: the students are graded one at a time, without namespaces\n");
    else if (works == -1)
        fprintf(stderr, "shmgrade: note: a sandbox could not be tried for the class (is the "
                        "machine busy?): the students are graded one at a time\n");
    /* Said once for the class, not once per student (sg_grade.c refuses each). */
    if (geteuid() != 0 && !o->grade.no_sandbox && works == 0) {
        sg_buf_puts(err, "nobody was graded: " SG_SANDBOX_AS_GRADER_REFUSED);
        sg_slots_destroy(&slots);
        sg_strv_free(labs);
        return -1;
    }
    /* Identical files are built once (sg_buildcache.h). */
    struct sg_buf cache = SG_BUF_INIT;
    sg_buf_printf(&cache, "%s/shmgrade-builds.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(cache.data) == NULL) {
        sg_buf_printf(err, "mkdtemp %s: %s", cache.data, strerror(errno));
        sg_buf_free(&cache);
        sg_slots_destroy(&slots);
        sg_strv_free(labs);
        return -1;
    }
    if (sg_guard_register(cache.data) == -1)
        fprintf(stderr, "shmgrade: warning: %s is not known to the guard: %s\n", cache.data,
                strerror(errno));
    /* Without namespaces, classmates' tests would share the machine's IPC
     * objects, /dev/shm and /tmp at the same time: one could fill what
     * another's correct code needs, or read its files (an attacker's
     * review). One student at a time then, each swept after (sg_sweep.h). */
    int students_at_once = side_by_side ? jobs : 1;
    struct sg_batch_opts run_opts = *o;
    run_opts.grade.needs_namespaces = students_at_once > 1;
    run_opts.grade.slots = &slots;
    run_opts.grade.parallel = jobs;
    run_opts.grade.build_cache = cache.data;
    o = &run_opts;
    size_t next = 0, done = 0;
    int running = 0;
    const pid_t batch = getpid();
    fflush(NULL);
    while (done < n) {
        while (running < students_at_once && next < n) {
            struct sg_student *s = &students[next++];
            if (s->cached) {
                sg_progress(o, ++done, n, s);
                continue;
            }
            s->pid = fork();
            if (s->pid == 0)
                sg_grade_student(kit, o, s, batch);
            if (s->pid == -1) {
                s->failed = true;
                sg_progress(o, ++done, n, s);
                continue;
            }
            running++;
        }
        if (running == 0)
            continue;
        int status;
        pid_t w = waitpid(-1, &status, 0);
        if (w == -1) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (size_t i = 0; i < n; i++)
            if (students[i].pid == w && w > 0) {
                students[i].failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
                students[i].pid = 0;
                running--;
                sg_progress(o, ++done, n, &students[i]);
            }
    }

    struct sg_class_member *members = calloc(n + 1, sizeof *members);
    for (size_t i = 0; members != NULL && i < n; i++)
        members[i] = (struct sg_class_member){ students[i].display, students[i].out };
    int rc = members ? sg_summary_write(o->outdir, (const char *const *)labs, members, n, err)
                     : -1;
    /* The page is written from summary.json: only when that is this run's. */
    if (rc == 0 && sg_html_class_write(o, (const char *const *)labs, members, n,
                                       timed ? &start : NULL, err) == -1)
        rc = -1;
    free(members);
    int failed = 0;
    for (size_t i = 0; i < n; i++)
        failed += students[i].failed;
    if (rc == 0)
        rc = failed;
    for (size_t i = 0; i < n; i++) {
        free(students[i].name);
        free(students[i].display);
        free(students[i].path);
        free(students[i].out);
    }
    free(students);
    sg_strv_free(labs);
    sg_slots_destroy(&slots);
    sg_rmtree(cache.data);
    sg_buf_free(&cache);
    return rc;
}

int sg_batch_run(const struct sg_kit *kit, const struct sg_batch_opts *o, struct sg_buf *err)
{
    /* Grades are the students' private business, and without namespaces
     * a test's own uid could read what earlier students' reports say,
     * hidden tests included, and print it (an attacker's review): the
     * reports are kept from other users; the group may read them (TAs). */
    char *students = sg_join(o->outdir, "students");
    const char *call = sg_mkdirs(students, 0750) == -1 ? "mkdir"
                       : chmod(students, 0750) == -1  ? "chmod"
                                                      : NULL;
    if (call != NULL) {
        sg_buf_printf(err, "%s %s: %s", call, students, strerror(errno));
        free(students);
        return -1;
    }
    free(students);
    /* Two batches writing one folder (a second terminal, a cron job that
     * overlapped) would mix their grades, each student's files from
     * either run: the folder itself is locked, leaving nothing in it. */
    int lock = open(o->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lock == -1 || flock(lock, LOCK_EX | LOCK_NB) == -1) {
        int saved = errno;
        if (saved == EWOULDBLOCK)
            sg_buf_printf(err, "another shmgrade is writing grades into %s: let it finish, or "
                               "give this one another -o", o->outdir);
        else
            sg_buf_printf(err, "%s: %s: %s", o->outdir, lock == -1 ? "open" : "flock",
                          strerror(saved));
        if (lock != -1)
            close(lock);
        return -1;
    }
    int rc = sg_batch_grade(kit, o, err);
    close(lock);
    return rc;
}
