/* sg_build.c — compile, inspect and link a student's lab file, in the sandbox; see sg_build.h. */
#include "sg_build.h"
#include "sg_buildcache.h"
#include "sg_elf.h"
#include "sg_fs.h"
#include "sg_spawn.h"
#include "sg_submission.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SG_CC
#define SG_CC "/usr/bin/cc"
#endif
#ifndef SG_CHECK_LIBS
#define SG_CHECK_LIBS "-lcheck"
#endif
#ifndef SG_OBJCOPY
#define SG_OBJCOPY "/usr/bin/objcopy"
#endif
/*
 * The linker of the programs the tests run: gold, where make found it
 * (-fuse-ld=gold), else the compiler's own. Measured on lab 05's links:
 * 24 ms of CPU instead of 35 for the tests' program, 17 instead of 24 for
 * the lab's, about 0.15 s of each submission's 0.7 s of builds. Not for
 * the memory check's programs: sg_memcheck.c reads their link maps in
 * ld.bfd's format.
 */
#ifndef SG_FAST_LD
#define SG_FAST_LD ""
#endif

/* A compiler that computes for ever is the source's doing (the CPU limit
 * kills it, and the lab fails to build); a build that merely takes long
 * on a busy machine is not, so the wall-clock limit is far above it and
 * ends in a grader error, never in a score. */
#define SG_BUILD_TIMEOUT_MS 180000
#define SG_BUILD_CPU_S 30
/* A build step in which nothing ran for this long waits for input that
 * never comes (a pipe under /proc/self/fd; without bubblewrap, a terminal
 * such as /dev/ptmx): the file's doing, told apart from a busy machine,
 * where the compiler runs. */
#define SG_BUILD_STUCK_S 10
#define SG_BUILD_OUTPUT_CAP (32u << 10)
#define SG_BUILD_OUTPUT_LINES 25
#define SG_BUILD_NPROC 32
/* A sandbox that could not be set up is tried again this many times. */
#define SG_BUILD_ATTEMPTS 3
/* The largest object a lab file may make. A lab's is a few tens of KiB;
 * each object is copied into every program linked from it (three to five
 * per lab, all kept until the lab's tests end), so a file that fills its
 * object with data (.fill, a huge initialised array) would fill the disk
 * the whole class is built on. */
#define SG_BUILD_OBJECT_MAX ((off_t)4 << 20)
/* A build step that fails where less than this is free may have failed for
 * want of space: the machine's failure, never the student's. */
#define SG_BUILD_SPACE_MIN ((unsigned long long)SG_LIMIT_FSIZE)

/* Headers may come from the C library and the compiler, and the lab's own. */
static const char *const sg_system_include_dirs[] = {
    "/usr/include/", "/usr/lib/gcc/", "/usr/lib/llvm-", "/usr/lib/clang/", "/usr/local/include/",
};

static char *sg_path(const char *dir, const char *name)
{
    struct sg_buf b = SG_BUF_INIT;
    sg_buf_printf(&b, "%s/%s", dir, name);
    return sg_buf_take(&b);
}

/* Every occurrence of from in text replaced by to (malloc'ed). */
static char *sg_replace_all(const char *text, const char *from, const char *to)
{
    struct sg_buf b = SG_BUF_INIT;
    size_t n = strlen(from);
    for (const char *p = text, *hit; *p != '\0'; p = hit + n) {
        hit = n ? strstr(p, from) : NULL;
        if (hit == NULL) {
            sg_buf_puts(&b, p);
            break;
        }
        sg_buf_append(&b, p, (size_t)(hit - p));
        sg_buf_puts(&b, to);
    }
    return sg_buf_take(&b);
}

/*
 * The tools, with links resolved outside the sandbox: /usr/bin/cc is
 * usually a link through /etc/alternatives, which the sandbox hides.
 */
static const char *sg_tool_path(const char *configured, char *buf)
{
    return realpath(configured, buf) != NULL ? buf : configured;
}

/* What one build command needs to know, beyond its argv. */
struct sg_step {
    const char *cc, *objcopy;
    const struct sg_build_opts *o;
    const struct sg_rubric *r;
    struct sg_build *b;
    const struct sg_mounts *mounts;
    const char *const *envp;
};

/*
 * The first lines of a command's output, escaped for a report, with the
 * scratch paths of the student's file and of the lab's header written as
 * the student knows them.
 */
static char *sg_build_messages(const struct sg_step *s, const char *text, size_t len)
{
    size_t end = 0;
    int lines = 0;
    while (end < len && lines < SG_BUILD_OUTPUT_LINES)
        if (text[end++] == '\n')
            lines++;
    struct sg_buf raw = SG_BUF_INIT;
    sg_buf_append(&raw, text, end);
    char *src_file = sg_path(s->b->src, s->r->file);
    char *src_header = sg_path(s->b->src, s->r->header);
    struct sg_buf header = SG_BUF_INIT;
    sg_buf_printf(&header, "labs/%s/%s", s->r->id, s->r->header);
    char *a = sg_replace_all(raw.data ? raw.data : "", src_file, s->o->display);
    char *c = sg_replace_all(a, src_header, header.data);
    struct sg_buf out = SG_BUF_INIT;
    sg_escape(&out, c, strlen(c), strlen(c), SG_ESC_KEEP_NEWLINES);
    if (end < len)
        sg_buf_printf(&out, "[... %zu more bytes of compiler output]\n", len - end);
    free(a);
    free(c);
    free(src_file);
    free(src_header);
    sg_buf_free(&header);
    sg_buf_free(&raw);
    return sg_buf_take(&out);
}

/*
 * Runs a build command in the sandbox. 0 when it succeeded; 1 when it
 * failed, with b->problem set to what (and b->output to its messages
 * unless quiet); -1 when the grader could not run it at all.
 */
static int sg_tool(const struct sg_step *s, const char *const *argv, const char *what,
                   bool quiet, char **output)
{
    struct sg_watch_limits watch = { 0, SG_BUILD_STUCK_S };
    struct sg_spawn_opts so = {
        .watch = &watch,
        .argv = argv, .envp = s->envp, .timeout_ms = SG_BUILD_TIMEOUT_MS,
        .output_cap = SG_BUILD_OUTPUT_CAP, .sandbox = s->o->sandbox, .mounts = s->mounts,
        .nproc = SG_BUILD_NPROC, .cpu_limit_s = SG_BUILD_CPU_S,
    };
    struct sg_spawn_result r;
    int rc = -1;
    for (int attempt = 0; attempt < SG_BUILD_ATTEMPTS && rc == -1; attempt++) {
        if (attempt > 0) {
            struct timespec pause = { 0, 100000000L << attempt };
            nanosleep(&pause, NULL);
            sg_spawn_result_free(&r);
        }
        rc = sg_spawn(&so, &r);
    }
    if (rc == -1) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "could not run %s (%s%s%s)", argv[0], r.setup_failed ?: "",
                      r.setup_failed ? ": " : "", strerror(errno));
        s->b->problem = sg_buf_take(&p);
        sg_spawn_result_free(&r);
        return -1;
    }
    if (r.timed_out && r.limit_hit == 0) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s took longer than %d s of wall time (the machine is too busy?)",
                      argv[0], SG_BUILD_TIMEOUT_MS / 1000);
        s->b->problem = sg_buf_take(&p);
        sg_spawn_result_free(&r);
        return -1;
    }
    bool ok = !r.timed_out && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0;
    unsigned long long free_bytes;
    if (!ok && sg_space_left(s->b->out, &free_bytes) == 0 &&
        free_bytes < SG_BUILD_SPACE_MIN) {
        /* A full disk (a classmate's huge build, the machine's own files)
         * makes ld and as fail as a broken file does: "No space left on
         * device" scored 0 as a compile error (an attacker's review). */
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s failed with only %llu MiB free where the grader builds (%s): "
                          "the disk is full, not graded",
                      argv[0], free_bytes >> 20, s->b->out);
        s->b->problem = sg_buf_take(&p);
        sg_spawn_result_free(&r);
        return -1;
    }
    /* The kit's own files refused to a step that links with them (a root
     * grader's umask once made them so): the grader's failure, never the
     * student's. Not the compile's: it is never given the kit, and a
     * source that names the kit's files is refused them on purpose. */
    char *kit_dir = sg_path(s->b->dir, "kit");
    bool reads_kit = false;
    for (size_t i = 0; i < sizeof s->mounts->readonly / sizeof *s->mounts->readonly; i++)
        reads_kit |= kit_dir != NULL && s->mounts->readonly[i] != NULL &&
                     strcmp(s->mounts->readonly[i], kit_dir) == 0;
    bool kit_refused = !ok && reads_kit && r.output != NULL &&
                       strstr(r.output, kit_dir) != NULL &&
                       strstr(r.output, "Permission denied") != NULL;
    free(kit_dir);
    if (kit_refused) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s could not read the kit's own files (Permission denied): not "
                          "graded",
                      argv[0]);
        s->b->problem = sg_buf_take(&p);
        sg_spawn_result_free(&r);
        return -1;
    }
    s->b->seconds += r.seconds;
    s->b->cpu_seconds += r.cpu_seconds;
    if (output != NULL && r.output_len > 0)
        *output = sg_build_messages(s, r.output, r.output_len);
    if (!ok) {
        struct sg_buf p = SG_BUF_INIT;
        if (r.limit_hit == 's')
            sg_buf_printf(&p, "%s: the compiler waited %d s for input that never came and was "
                              "stopped (does the file include, or .incbin, a device, a pipe or "
                              "something under /proc?)",
                          what, SG_BUILD_STUCK_S);
        else if (strstr(r.output, "CPU time limit exceeded") != NULL ||
            strstr(r.output, "Killed signal terminated program") != NULL ||
            (WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGXCPU))
            sg_buf_printf(&p, "%s: the compiler used more than %d s of CPU time on it and was "
                              "stopped",
                          what, SG_BUILD_CPU_S);
        else if (strstr(r.output, "File size limit exceeded") != NULL ||
                 (WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGXFSZ))
            sg_buf_printf(&p, "%s: the object would be larger than %llu MiB, the limit on "
                              "any file the build writes",
                          what, (unsigned long long)(SG_LIMIT_FSIZE >> 20));
        else
            sg_buf_puts(&p, what);
        s->b->problem = sg_buf_take(&p);
        if (!quiet && s->b->output == NULL)
            s->b->output = sg_build_messages(s, r.output, r.output_len);
    }
    sg_spawn_result_free(&r);
    return ok ? 0 : 1;
}

static bool sg_header_allowed(const char *real, const char *source, const char *lab_header)
{
    if (strcmp(real, source) == 0 || strcmp(real, lab_header) == 0)
        return true;
    for (size_t i = 0; i < sizeof sg_system_include_dirs / sizeof *sg_system_include_dirs; i++)
        if (strncmp(real, sg_system_include_dirs[i], strlen(sg_system_include_dirs[i])) == 0)
            return true;
    return false;
}

/*
 * Reads the compiler's dependency list (-MD) and names the first file it
 * read that is neither a system header nor the lab's header. The sandbox
 * already hides the kit from the compiler; this keeps the rule that a lab
 * file stands alone. Returns 0 and *bad = NULL when all is well.
 */
static int sg_check_includes(const char *deps, const char *source, const char *lab_header,
                             char **bad)
{
    *bad = NULL;
    int fd = open(deps, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    FILE *f = fd == -1 ? NULL : fdopen(fd, "r");
    if (f == NULL) {
        if (fd != -1)
            close(fd);
        return -1;
    }
    /* Make syntax: "target: dep dep \<newline> dep"; a space or '#' in a
     * name is escaped with a backslash. */
    struct sg_buf word = SG_BUF_INIT;
    bool target = true;
    for (;;) {
        int c = getc(f);
        if (c == '\\') {
            int next = getc(f);
            if (next == ' ' || next == '#') {
                char ch = (char)next;
                sg_buf_append(&word, &ch, 1);
                continue;
            }
            if (next == '\n') {
                c = ' '; /* a continuation line ends the word */
            } else {
                sg_buf_append(&word, "\\", 1);
                if (next != EOF) {
                    ungetc(next, f);
                    continue;
                }
                c = EOF;
            }
        }
        if (c != EOF && c != ' ' && c != '\t' && c != '\n') {
            char ch = (char)c;
            sg_buf_append(&word, &ch, 1);
            continue;
        }
        if (word.len > 0) {
            if (target && word.data[word.len - 1] == ':') {
                target = false;
            } else if (strcmp(word.data, ":") != 0) {
                char real[PATH_MAX];
                if (realpath(word.data, real) == NULL ||
                    !sg_header_allowed(real, source, lab_header)) {
                    struct sg_buf shown = SG_BUF_INIT;
                    sg_escape(&shown, word.data, word.len, 256, 0);
                    *bad = sg_buf_take(&shown);
                    break;
                }
            }
            word.len = 0;
        }
        if (c == EOF)
            break;
    }
    sg_buf_free(&word);
    fclose(f);
    return 0;
}

static int sg_write_api_list(const char *path, const struct sg_rubric *r)
{
    FILE *f = fopen(path, "wxe");
    if (f == NULL)
        return -1;
    for (size_t i = 0; i < r->napi; i++)
        fprintf(f, "%s\n", r->api[i]);
    return fclose(f) == EOF ? -1 : 0;
}

/* Splits SG_CHECK_LIBS into argv words appended at argv[*n]. */
static void sg_append_words(const char **argv, size_t *n, size_t max, char *words)
{
    for (char *save = NULL, *w = strtok_r(words, " ", &save); w && *n < max;
         w = strtok_r(NULL, " ", &save))
        argv[(*n)++] = w;
}

/*
 * Whether the built tests in path (the lab's libtests.a, or hidden.o) hold
 * every test of r that is hidden (or public), by name: a kit whose rubric
 * was updated and whose objects were not (a `git pull` without `make`) had
 * its tests' programs answer "no test named ...", and a truncated object
 * failed to link, a "compile error" scored 0 for the student. 0 when they
 * do; -1 with errno (ENOENT, EIO, or ENOEXEC for a test not there) and the
 * missing name in *missing.
 */
static int sg_kit_object_holds_tests(const char *path, const struct sg_rubric *r, bool hidden,
                                     const char **missing)
{
    *missing = NULL;
    FILE *f = fopen(path, "rbe");
    if (f == NULL)
        return -1;
    struct sg_buf all = SG_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (sg_buf_append(&all, chunk, n) == -1) {
            fclose(f);
            sg_buf_free(&all);
            errno = ENOMEM;
            return -1;
        }
    bool failed = ferror(f);
    fclose(f);
    if (failed || all.len < 4 || (memcmp(all.data, "\177ELF", 4) != 0 &&
                                  memcmp(all.data, "!<arch>", 4) != 0)) {
        sg_buf_free(&all);
        errno = EIO;
        return -1;
    }
    for (size_t k = 0; k < r->ntests && *missing == NULL; k++) {
        const struct sg_rubric_test *t = &r->tests[k];
        if (t->hidden == hidden && memmem(all.data, all.len, t->name, strlen(t->name) + 1) == NULL)
            *missing = t->name;
    }
    sg_buf_free(&all);
    if (*missing != NULL) {
        errno = ENOEXEC;
        return -1;
    }
    return 0;
}

/* The kit's objects this lab links with, copied into kit/: the sandbox sees nothing else of the kit. */
static int sg_copy_kit_objects(const struct sg_kit *kit, const struct sg_rubric *r,
                               const struct sg_build_opts *o, const char *kitdir,
                               struct sg_buf *why)
{
    bool has_hidden = false;
    for (size_t k = 0; k < r->ntests; k++)
        has_hidden |= r->tests[k].hidden;
    /* tests: which of the rubric's tests the object must hold (-1: none);
     * a missing object the build needs is the kit's failure. */
    const struct {
        const char *name;
        int tests;
        bool needed;
    } objects[] = {
        { "libtests.a", 0, true },
        { "main.o", -1, true },
        { has_hidden ? "hidden.o" : NULL, 1, true },
        { o->memcheck ? "memcheck.o" : NULL, -1, false },
    };
    char *labobj = sg_path(kit->objects, r->id);
    int rc = 0;
    for (size_t i = 0; i < sizeof objects / sizeof *objects && rc == 0; i++) {
        if (objects[i].name == NULL)
            continue;
        char *from = sg_path(labobj, objects[i].name), *to = sg_path(kitdir, objects[i].name);
        const char *missing = NULL;
        if (objects[i].tests >= 0 &&
            sg_kit_object_holds_tests(from, r, objects[i].tests == 1, &missing) == -1) {
            if (missing != NULL)
                sg_buf_printf(why, "the kit's %s has no test %s, which the rubric names: the "
                                   "kit was not built since its tests changed (run make)",
                              from, missing);
            else
                sg_buf_printf(why, "the kit's %s cannot be read as built tests (%s): run make",
                              from, strerror(errno));
            rc = -1;
        } else if (access(from, R_OK) == 0) {
            rc = sg_copy_file(from, to, 0644);
        } else if (objects[i].needed) {
            sg_buf_printf(why, "the kit's %s: %s (run make)", from, strerror(errno));
            rc = -1;
        }
        free(from);
        free(to);
    }
    const char *shared[] = { "libsg_harness.a", o->memcheck ? "mc_driver.o" : NULL };
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        if (shared[i] == NULL)
            continue;
        char *from = sg_path(kit->objects, shared[i]), *to = sg_path(kitdir, shared[i]);
        rc = sg_copy_file(from, to, 0644);
        free(from);
        free(to);
    }
    free(labobj);
    return rc;
}

/* The folders and inputs of the build; -1 with b->problem when they cannot be made. */
static int sg_prepare(const struct sg_kit *kit, const struct sg_rubric *r,
                      const struct sg_build_opts *o, struct sg_build *b, char **kitdir)
{
    b->dir = strdup(o->labdir);
    b->src = sg_path(o->labdir, "src");
    b->out = sg_path(o->labdir, "out");
    b->hidden_out = sg_path(o->labdir, "hidden-out");
    *kitdir = sg_path(o->labdir, "kit");
    char *source = sg_path(b->src, r->file);
    char *header_from = sg_path(r->dir, r->header);
    char *header_to = sg_path(b->src, r->header);
    char *api = sg_path(b->src, "api.txt");
    /* The student's file is copied alone into a folder of its own, so that
     * "shared_buffer.h" resolves to the kit's header and not to a copy the
     * student may have changed, and so that the file cannot change under
     * the grader while it works. */
    int rc = 0;
    struct sg_buf kit_why = SG_BUF_INIT;
    if (mkdir(b->dir, 0700) == -1 || mkdir(b->src, 0700) == -1 || mkdir(b->out, 0700) == -1 ||
        mkdir(b->hidden_out, 0700) == -1 || sg_sandbox_share(o->sandbox, b->hidden_out, true) == -1 ||
        mkdir(*kitdir, 0700) == -1 ||
        sg_copy_fd(o->student_fd, source, 0644, SG_SUBMISSION_FILE_MAX) == -1 ||
        sg_copy_file(header_from, header_to, 0644) == -1 || sg_write_api_list(api, r) == -1 ||
        sg_copy_kit_objects(kit, r, o, *kitdir, &kit_why) == -1 ||
        sg_sandbox_share(o->sandbox, b->dir, false) == -1 ||
        sg_sandbox_share(o->sandbox, b->src, false) == -1 ||
        sg_sandbox_share(o->sandbox, source, false) == -1 ||
        sg_sandbox_share(o->sandbox, header_to, false) == -1 ||
        sg_sandbox_share(o->sandbox, api, false) == -1 ||
        sg_sandbox_share(o->sandbox, b->out, true) == -1) {
        struct sg_buf p = SG_BUF_INIT;
        if (kit_why.len > 0)
            sg_buf_puts(&p, kit_why.data);
        else
            sg_buf_printf(&p, "could not prepare %s: %s", o->labdir, strerror(errno));
        b->problem = sg_buf_take(&p);
        rc = -1;
    }
    sg_buf_free(&kit_why);
    free(source);
    free(header_from);
    free(header_to);
    free(api);
    return rc;
}

/* Compiles, then checks what the object includes and contains. 0 when it may be linked. */
static int sg_compile_and_inspect(const struct sg_step *s, int *decided)
{
    struct sg_build *b = s->b;
    const struct sg_rubric *r = s->r;
    char *source = sg_path(b->src, r->file);
    char *header = sg_path(b->src, r->header);
    char *object = sg_path(b->out, "student.o");
    char *deps = sg_path(b->out, "student.d");
    int rc = -1;
    *decided = 0;
    /* _DEFAULT_SOURCE as well as gnu11's: a file that asks for
     * _XOPEN_SOURCE 700 itself (the contract allows either) keeps
     * MAP_ANONYMOUS, which glibc shows only by default (a class review: the
     * reference with that one line did not compile). Line tables only
     * (-g1): the memory check's findings name a function and a line, and
     * the rest of -g's debugging information cost a quarter of the compile
     * (lab 05: 39 ms of CPU instead of 52). */
    const char *compile[] = {
        s->cc, "-std=gnu11", "-D_DEFAULT_SOURCE", "-Wall", "-Wextra", "-Og", "-g1",
        "-fno-common", "-pipe",
        "-fdiagnostics-color=never", "-I", b->src, "-MD", "-MF", deps,
        "-c", source, "-o", object, NULL,
    };
    /* The compiler sees the student's folder alone: the kit's objects
     * (the hidden tests' among them) are for the linker, and an #include
     * or .incbin of one would quote it in the compiler's messages. */
    struct sg_mounts alone = { .readonly = { b->src }, .writable = b->out, .cwd = b->out };
    struct sg_step cs = *s;
    cs.mounts = &alone;
    struct sg_buf what = SG_BUF_INIT;
    sg_buf_printf(&what, "%s does not compile", r->file);
    int step = sg_tool(&cs, compile, what.data, false, &b->output);
    sg_buf_free(&what);
    if (step != 0) {
        b->state = SG_LAB_BUILD_FAILED;
        if (b->problem != NULL && strstr(b->problem, "larger than") != NULL)
            b->state = SG_LAB_REFUSED;
        /* The lab's header by a path of the student's kit ("../../labs/01-
         * shared-buffer/shared_buffer.h") is not where the grader compiles:
         * said, not left to "No such file" (a platform review). */
        struct sg_buf missing = SG_BUF_INIT;
        sg_buf_printf(&missing, "/%s: No such file or directory", r->header);
        if (step == 1 && b->output != NULL && strstr(b->output, missing.data) != NULL &&
            b->problem != NULL) {
            struct sg_buf p = SG_BUF_INIT;
            sg_buf_printf(&p, "%s: %s is included by a path of the kit's folders; the grader "
                              "compiles your file beside the lab's header, so its file name "
                              "alone finds it",
                          b->problem, r->header);
            free(b->problem);
            b->problem = sg_buf_take(&p);
        }
        sg_buf_free(&missing);
        *decided = step == 1;
        goto out;
    }
    struct stat made;
    if (stat(object, &made) == -1) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "stat %s: %s", object, strerror(errno));
        b->problem = sg_buf_take(&p);
        goto out;
    }
    if (made.st_size > SG_BUILD_OBJECT_MAX) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s makes an object of %lld MiB, over the %lld MiB a lab file may "
                          "make (a lab's is a few tens of KiB: a huge initialised array, or "
                          "data added in assembly?)",
                      r->file, (long long)(made.st_size >> 20),
                      (long long)(SG_BUILD_OBJECT_MAX >> 20));
        b->problem = sg_buf_take(&p);
        b->state = SG_LAB_REFUSED;
        *decided = 1;
        unlink(object);
        goto out;
    }
    char *bad = NULL;
    if (sg_check_includes(deps, source, header, &bad) == -1) {
        b->problem = strdup("could not read the compiler's list of included files");
        goto out;
    }
    if (bad != NULL) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s includes %s, which is neither a system header nor %s", r->file,
                      bad, r->header);
        b->problem = sg_buf_take(&p);
        b->state = SG_LAB_REFUSED;
        free(bad);
        *decided = 1;
        goto out;
    }
    struct sg_elf_findings f;
    struct sg_buf err = SG_BUF_INIT;
    if (sg_elf_inspect(object, (const char *const *)r->api, r->napi, &f, &err) == -1) {
        /* The assembler wrote it: an object it cannot have made is the student's doing. */
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s was refused: %s", r->file, err.data ? err.data : "not an object");
        b->problem = sg_buf_take(&p);
        b->state = SG_LAB_REFUSED;
        sg_buf_free(&err);
        *decided = 1;
        goto out;
    }
    if (f.refused.len > 0) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s was refused: %s", r->file, f.refused.data);
        if (p.len > 0 && p.data[p.len - 1] == '\n')
            p.data[--p.len] = '\0';
        b->problem = sg_buf_take(&p);
        b->state = SG_LAB_REFUSED;
        sg_elf_findings_free(&f);
        *decided = 1;
        goto out;
    }
    if (f.nshadowed > 0) {
        struct sg_buf n = SG_BUF_INIT;
        sg_buf_printf(&n,
                      "%s defines %s outside the lab's API without `static`; the grader made %s "
                      "local to your file, so %s cannot replace anything else (declare helpers "
                      "static)",
                      r->file, f.shadowed.data, f.nshadowed == 1 ? "it" : "them",
                      f.nshadowed == 1 ? "it" : "they");
        b->notes = sg_buf_take(&n);
    }
    sg_elf_findings_free(&f);
    rc = 0;
out:
    free(source);
    free(header);
    free(object);
    free(deps);
    return rc;
}

/*
 * What objcopy left global, read back: only the API may be. The first
 * inspection refuses the bindings objcopy is known to keep; this one holds
 * for whatever else a future objcopy or assembler lets through.
 * 0 only the API is global, 1 refused (state and problem set), -1 the grader's.
 */
static int sg_check_localized(const struct sg_step *s, const char *local)
{
    struct sg_elf_findings f;
    struct sg_buf err = SG_BUF_INIT, p = SG_BUF_INIT;
    if (sg_elf_inspect(local, (const char *const *)s->r->api, s->r->napi, &f, &err) == -1) {
        s->b->problem = sg_buf_take(&err);
        return -1;
    }
    int rc = 0;
    if (f.nshadowed > 0) {
        sg_buf_printf(&p, "%s was refused: the grader could not make %s local to your file "
                          "(only the lab's API may be global)", s->r->file, f.shadowed.data);
        s->b->problem = sg_buf_take(&p);
        s->b->state = SG_LAB_REFUSED;
        rc = 1;
    }
    sg_elf_findings_free(&f);
    return rc;
}

/* One link; 0 done, 1 the student's (state and problem set), -1 the grader's. */
static int sg_link(const struct sg_step *s, const char *const *argv, const char *what, bool quiet)
{
    int step = sg_tool(s, argv, what, quiet, NULL);
    if (step == 1)
        s->b->state = SG_LAB_BUILD_FAILED;
    return step;
}

/* Links a test program: the student's object, extra (the hidden tests) if any, the tests, the harness. */
static int sg_link_tests(const struct sg_step *s, const char *output, const char *local,
                         const char *extra, const char *kitdir, const char *what, bool quiet)
{
    char *libtests = sg_path(kitdir, "libtests.a"), *harness = sg_path(kitdir, "libsg_harness.a");
    char check_libs[] = SG_CHECK_LIBS;
    const char *link[40];
    size_t n = 0;
    link[n++] = s->cc;
    /* The harness counts failed forks and mallocs, and tells the judge's
     * own failed fork or timer from the student's (grader/harness/sg_limits.c),
     * gives the judge a timer when queued signals ran out and Check one
     * clock whatever they are (sg_timer.c), and
     * sees lock requests, through fcntl and through lockf, which reaches
     * fcntl inside the C library where no wrapper sees it (sg_locks.c),
     * semaphore posts (sg_sems.c), the signals sent (sg_signals.c) and the
     * waits for a child asked for (sg_waits.c). */
    link[n++] = "-Wl,--wrap=fork,--wrap=_Fork,--wrap=malloc,--wrap=timer_create,--wrap=timer_settime,"
                "--wrap=timer_delete,--wrap=check_get_clockid,--wrap=fcntl,--wrap=fcntl64,"
                "--wrap=lockf,--wrap=lockf64,--wrap=sem_post,--wrap=kill,--wrap=sigqueue,"
                "--wrap=sigsuspend,--wrap=sigprocmask,--wrap=pthread_sigmask,"
                "--wrap=waitpid,--wrap=wait,--wrap=wait3,--wrap=wait4,--wrap=waitid";
    /* Only Check, linked after the harness, calls the timer's: the
     * harness's member that has them must be taken all the same. */
    link[n++] = "-Wl,--undefined=__wrap_timer_create";
    /* No symbol table: student code that looks for the harness's functions
     * by name in /proc/self/exe finds none. */
    link[n++] = "-s";
    /* Link-time-optimisation code is refused, and never read. */
    link[n++] = "-fno-use-linker-plugin";
    if (SG_FAST_LD[0] != '\0')
        link[n++] = SG_FAST_LD;
    link[n++] = "-o";
    link[n++] = output;
    link[n++] = local;
    if (extra != NULL)
        link[n++] = extra;
    /* The harness calls the lab's test table; the tests call the harness. */
    link[n++] = "-Wl,--start-group";
    link[n++] = libtests;
    link[n++] = harness;
    link[n++] = "-Wl,--end-group";
    sg_append_words(link, &n, 38, check_libs);
    link[n] = NULL;
    int step = sg_link(s, link, what, quiet);
    free(libtests);
    free(harness);
    return step;
}

static int sg_link_all(const struct sg_step *s, const char *kitdir)
{
    struct sg_build *b = s->b;
    const struct sg_rubric *r = s->r;
    char *object = sg_path(b->out, "student.o"), *local = sg_path(b->out, "student-local.o");
    char *api = sg_path(b->src, "api.txt");
    char *harness = sg_path(kitdir, "libsg_harness.a");
    char *hidden_obj = sg_path(kitdir, "hidden.o"), *main_obj = sg_path(kitdir, "main.o");
    char *mc_obj = sg_path(kitdir, "memcheck.o"), *mc_main = sg_path(kitdir, "mc_driver.o");
    struct sg_buf keep = SG_BUF_INIT, what = SG_BUF_INIT;
    int step;

    /* Only the API stays global: a definition of fork, waitpid or anything
     * else the harness calls becomes the student file's own business. */
    sg_buf_printf(&keep, "--keep-global-symbols=%s", api);
    const char *localize[] = { s->objcopy, keep.data, object, local, NULL };
    sg_buf_printf(&what, "objcopy could not process the object made from %s", r->file);
    if ((step = sg_link(s, localize, what.data, true)) != 0)
        goto out;
    if ((step = sg_check_localized(s, local)) != 0)
        goto out;

    b->test_program = sg_path(b->out, "tests");
    sg_buf_free(&what);
    sg_buf_printf(&what, "%s does not link with the tests (is a function of the API missing or "
                         "misspelled?)", r->file);
    if ((step = sg_link_tests(s, b->test_program, local, NULL, kitdir, what.data, false)) != 0)
        goto out;

    b->program = sg_path(b->out, r->program);
    const char *link_program[8];
    size_t n = 0;
    link_program[n++] = s->cc;
    link_program[n++] = "-fno-use-linker-plugin";
    if (SG_FAST_LD[0] != '\0')
        link_program[n++] = SG_FAST_LD;
    link_program[n++] = "-o";
    link_program[n++] = b->program;
    link_program[n++] = local;
    link_program[n++] = main_obj;
    link_program[n] = NULL;
    sg_buf_free(&what);
    sg_buf_printf(&what, "%s does not link with the kit's main.c", r->file);
    if ((step = sg_link(s, link_program, what.data, false)) != 0)
        goto out;

    if (s->o->hidden && access(hidden_obj, R_OK) == 0) {
        /* In a folder of its own, which only the hidden tests' sandboxes
         * see: a public test's code cannot read the hidden tests' strings
         * from the program's file. Its messages would name the hidden
         * tests, so the student reads only that it failed. */
        b->hidden_program = sg_path(b->hidden_out, "tests-hidden");
        struct sg_mounts mounts = { .readonly = { b->src, kitdir, b->out },
                                    .writable = b->hidden_out, .cwd = b->hidden_out };
        struct sg_step hidden_step = *s;
        hidden_step.mounts = &mounts;
        sg_buf_free(&what);
        sg_buf_printf(&what, "%s does not link with the hidden tests", r->file);
        if ((step = sg_link_tests(&hidden_step, b->hidden_program, local, hidden_obj, kitdir,
                                  what.data, true)) != 0)
            goto out;
    }
    if (s->o->memcheck && access(mc_obj, R_OK) == 0) {
        /* Fixed addresses and a link map: a finding is the student's when
         * its code address lies in the student's object (sg_memcheck.c),
         * whatever file name the debug information claims. */
        b->memcheck_driver = sg_path(b->out, "memcheck");
        b->memcheck_program = sg_path(b->out, "program-mc");
        char *map1 = sg_path(b->out, "memcheck.map"), *map2 = sg_path(b->out, "program-mc.map");
        struct sg_buf m1 = SG_BUF_INIT, m2 = SG_BUF_INIT;
        sg_buf_printf(&m1, "-Wl,-Map=%s", map1);
        sg_buf_printf(&m2, "-Wl,-Map=%s", map2);
        const char *link_driver[] = { s->cc, "-no-pie", "-fno-use-linker-plugin", m1.data,
                                      "-o", b->memcheck_driver, local, mc_obj, mc_main, NULL };
        const char *link_mc_program[] = { s->cc, "-no-pie", "-fno-use-linker-plugin", m2.data,
                                          "-o", b->memcheck_program, local, main_obj, NULL };
        step = sg_link(s, link_driver, "the memory-check driver does not link", false);
        if (step == 0)
            step = sg_link(s, link_mc_program, "the program does not link for the memory check",
                           false);
        free(map1);
        free(map2);
        sg_buf_free(&m1);
        sg_buf_free(&m2);
    }
out:
    sg_buf_free(&keep);
    sg_buf_free(&what);
    free(object);
    free(local);
    free(api);
    free(harness);
    free(hidden_obj);
    free(main_obj);
    free(mc_obj);
    free(mc_main);
    return step;
}

/*
 * The output folders were the sandbox user's for the build. Without
 * bubblewrap the tests run as that user: the programs are the grader's
 * from here on (an attacker's review: a test could replace the program the
 * next tests run). 0, or -1 with the lab not graded.
 */
static int sg_take_back_programs(const struct sg_build_opts *o, struct sg_build *b,
                                 const char *kitdir)
{
    /* Linked: the hidden tests' object, which holds their names, messages
     * and hints, goes, so that no test, public ones included, can read it
     * from the kit's copy (a platform review, without namespaces). */
    char *hidden_obj = sg_path(kitdir, "hidden.o");
    int gone = unlink(hidden_obj) == 0 || errno == ENOENT ? 0 : -1;
    free(hidden_obj);
    if (gone == 0 &&
        (b->out == NULL || sg_sandbox_reclaim(o->sandbox, b->out, false) == 0) &&
        (b->hidden_out == NULL || sg_sandbox_reclaim(o->sandbox, b->hidden_out, true) == 0))
        return 0;
    struct sg_buf p = SG_BUF_INIT;
    sg_buf_printf(&p, "could not take back the built programs (chown, chmod): %s",
                  strerror(errno));
    free(b->problem);
    b->problem = sg_buf_take(&p);
    b->state = SG_LAB_GRADER_ERROR;
    return -1;
}

int sg_build_lab(const struct sg_kit *kit, const struct sg_rubric *r,
                 const struct sg_build_opts *o, struct sg_build *b)
{
    memset(b, 0, sizeof *b);
    b->state = SG_LAB_GRADER_ERROR;
    static bool names_tried;
    if (!names_tried) {
        names_tried = true;
        char *names = sg_path(kit->objects, "internal-names.txt");
        if (sg_elf_load_internal_names(names) == -1)
            fprintf(stderr, "shmgrade: warning: %s: %s (run make): only the harness's and "
                            "Check's prefixes keep a lab file from their names\n",
                    names, strerror(errno));
        free(names);
    }
    char *kitdir = NULL;
    if (sg_prepare(kit, r, o, b, &kitdir) == -1) {
        free(kitdir);
        return -1;
    }
    if (o->cache != NULL && sg_buildcache_get(o->cache, r, o, b)) {
        int rc = sg_take_back_programs(o, b, kitdir);
        free(kitdir);
        return rc;
    }
    struct sg_mounts mounts = { .readonly = { b->src, kitdir }, .writable = b->out,
                                .cwd = b->out };
    struct sg_env env;
    sg_env_init(&env, sg_sandbox_home(o->sandbox, &mounts));
    char cc[PATH_MAX], objcopy[PATH_MAX];
    struct sg_step s = { sg_tool_path(SG_CC, cc), sg_tool_path(SG_OBJCOPY, objcopy), o, r, b,
                         &mounts, (const char *const *)env.vars };
    int decided = 0;
    int rc = -1;
    if (sg_compile_and_inspect(&s, &decided) == -1) {
        rc = decided ? 0 : -1;
    } else if (sg_sandbox_share(o->sandbox, kitdir, false) == -1) {
        /* Only now: without bubblewrap the compiler runs where the files
         * of its user are, and an .incbin of ../kit/hidden.o put the
         * hidden tests' strings into the student's own object (an
         * attacker's review). The linker reads the student's object,
         * never its source. */
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "could not prepare %s: %s", kitdir, strerror(errno));
        free(b->problem);
        b->problem = sg_buf_take(&p);
    } else {
        int step = sg_link_all(&s, kitdir);
        if (step == 0)
            b->state = SG_LAB_GRADED;
        rc = step == -1 ? -1 : 0;
    }
    if (rc == 0)
        rc = sg_take_back_programs(o, b, kitdir);
    if (rc == 0 && o->cache != NULL)
        sg_buildcache_put(o->cache, r, o, b);
    sg_env_free(&env);
    free(kitdir);
    return rc;
}

void sg_build_free(struct sg_build *b)
{
    free(b->problem);
    free(b->output);
    free(b->notes);
    free(b->dir);
    free(b->out);
    free(b->hidden_out);
    free(b->src);
    free(b->test_program);
    free(b->hidden_program);
    free(b->program);
    free(b->memcheck_driver);
    free(b->memcheck_program);
    memset(b, 0, sizeof *b);
}
