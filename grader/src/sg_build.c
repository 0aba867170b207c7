/* sg_build.c — compile, inspect and link a student's lab file; see sg_build.h. */
#include "sg_build.h"
#include "sg_elf.h"
#include "sg_spawn.h"
#include "sg_submission.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

#define SG_BUILD_TIMEOUT_MS 60000
#define SG_BUILD_OUTPUT_CAP (32u << 10)
#define SG_BUILD_OUTPUT_LINES 25

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

static int sg_copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (in == -1)
        return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out == -1) {
        close(in);
        return -1;
    }
    char chunk[65536];
    ssize_t n;
    size_t total = 0;
    int rc = 0;
    while ((n = read(in, chunk, sizeof chunk)) > 0) {
        total += (size_t)n;
        if (total > SG_SUBMISSION_FILE_MAX || write(out, chunk, (size_t)n) != n) {
            errno = total > SG_SUBMISSION_FILE_MAX ? EFBIG : errno;
            rc = -1;
            break;
        }
    }
    if (n == -1)
        rc = -1;
    if (close(out) == -1)
        rc = -1;
    close(in);
    return rc;
}

/* The first lines of a command's output, escaped for a report. */
static char *sg_first_lines(const char *text, size_t len, int max_lines)
{
    size_t end = 0;
    int lines = 0;
    while (end < len && lines < max_lines)
        if (text[end++] == '\n')
            lines++;
    struct sg_buf b = SG_BUF_INIT;
    sg_escape(&b, text, end, end, SG_ESC_KEEP_NEWLINES);
    if (end < len)
        sg_buf_printf(&b, "[... %zu more bytes of compiler output]\n", len - end);
    return sg_buf_take(&b);
}

/* Runs a build command; on failure fills b->problem and b->output. 0 ok, 1 failed, -1 error. */
static int sg_run_tool(const char *const *argv, const char *const *envp, const char *workdir,
                       const char *what, struct sg_build *b, char **output)
{
    struct sg_spawn_opts o = {
        .argv = argv, .envp = envp, .cwd = workdir,
        .timeout_ms = SG_BUILD_TIMEOUT_MS, .output_cap = SG_BUILD_OUTPUT_CAP,
    };
    struct sg_spawn_result r;
    if (sg_spawn(&o, &r) == -1) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "could not run %s: %s", argv[0], strerror(errno));
        b->problem = sg_buf_take(&p);
        return -1;
    }
    int ok = !r.timed_out && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0;
    if (output != NULL && r.output_len > 0)
        *output = sg_first_lines(r.output, r.output_len, SG_BUILD_OUTPUT_LINES);
    if (!ok) {
        struct sg_buf p = SG_BUF_INIT;
        if (r.timed_out)
            sg_buf_printf(&p, "%s took longer than %d s and was stopped", what,
                          SG_BUILD_TIMEOUT_MS / 1000);
        else
            sg_buf_puts(&p, what);
        b->problem = sg_buf_take(&p);
        if (b->output == NULL)
            b->output = sg_first_lines(r.output, r.output_len, SG_BUILD_OUTPUT_LINES);
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
 * read that is neither a system header nor the lab's header: a student file
 * could otherwise #include the reference solution or any file on the
 * grading machine. Returns 0 and *bad = NULL when all is well.
 */
static int sg_check_includes(const char *deps, const char *source, const char *lab_header,
                             char **bad)
{
    *bad = NULL;
    FILE *f = fopen(deps, "re");
    if (f == NULL)
        return -1;
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
                    *bad = strdup(word.data);
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
    FILE *f = fopen(path, "we");
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

int sg_build_lab(const struct sg_kit *kit, const struct sg_rubric *r, const char *student_file,
                 bool hidden, bool memcheck, const char *workdir, const char *const *envp,
                 struct sg_build *b)
{
    memset(b, 0, sizeof *b);
    b->state = SG_LAB_GRADER_ERROR;
    char *srcdir = sg_path(workdir, "src");
    char *source = sg_path(srcdir, r->file);
    char *object = sg_path(workdir, "student.o");
    char *local = sg_path(workdir, "student-local.o");
    char *deps = sg_path(workdir, "student.d");
    char *api = sg_path(workdir, "api.txt");
    char *labobj = sg_path(kit->objects, r->id);
    char *libtests = sg_path(labobj, "libtests.a");
    char *hidden_obj = sg_path(labobj, "hidden.o");
    char *main_obj = sg_path(labobj, "main.o");
    char *mc_obj = sg_path(labobj, "memcheck.o");
    char *harness = sg_path(kit->objects, "libsg_harness.a");
    char *header = sg_path(r->dir, r->header);
    char real_header[PATH_MAX], real_source[PATH_MAX];
    char check_libs[] = SG_CHECK_LIBS;
    int rc = -1, step;
    b->test_program = sg_path(workdir, "tests");
    b->program = sg_path(workdir, r->program);

    /* The student's file is copied alone into a folder of its own, so that
     * "shared_buffer.h" resolves to the kit's header and not to a copy the
     * student may have changed, and so that the file cannot change under
     * the grader while it works. */
    if ((mkdir(workdir, 0700) == -1 && errno != EEXIST) ||
        (mkdir(srcdir, 0700) == -1 && errno != EEXIST) || sg_copy_file(student_file, source) == -1 ||
        realpath(header, real_header) == NULL || realpath(source, real_source) == NULL ||
        sg_write_api_list(api, r) == -1) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "could not prepare %s: %s", workdir, strerror(errno));
        b->problem = sg_buf_take(&p);
        goto out;
    }

    const char *compile[] = {
        SG_CC, "-std=gnu11", "-Wall", "-Wextra", "-Og", "-g", "-fno-common",
        "-fdiagnostics-color=never", "-I", r->dir, "-MD", "-MF", deps,
        "-c", source, "-o", object, NULL,
    };
    struct sg_buf what = SG_BUF_INIT;
    sg_buf_printf(&what, "%s does not compile", r->file);
    step = sg_run_tool(compile, envp, workdir, what.data, b, &b->output);
    sg_buf_free(&what);
    if (step != 0) {
        b->state = SG_LAB_BUILD_FAILED;
        rc = step == 1 ? 0 : -1;
        goto out;
    }

    char *bad = NULL;
    if (sg_check_includes(deps, real_source, real_header, &bad) == -1) {
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
        rc = 0;
        goto out;
    }

    struct sg_elf_findings f;
    struct sg_buf err = SG_BUF_INIT;
    if (sg_elf_inspect(object, (const char *const *)r->api, r->napi, &f, &err) == -1) {
        b->problem = sg_buf_take(&err);
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
        rc = 0;
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

    /* Only the API stays global: a definition of fork, waitpid or anything
     * else the harness calls becomes the student file's own business. */
    struct sg_buf keep = SG_BUF_INIT;
    sg_buf_printf(&keep, "--keep-global-symbols=%s", api);
    const char *localize[] = { SG_OBJCOPY, keep.data, object, local, NULL };
    step = sg_run_tool(localize, envp, workdir, "objcopy failed", b, NULL);
    sg_buf_free(&keep);
    if (step != 0)
        goto out;

    const char *link[32];
    size_t n = 0;
    link[n++] = SG_CC;
    /* The harness counts failed forks and mallocs (grader/harness/sg_limits.c). */
    link[n++] = "-Wl,--wrap=fork,--wrap=malloc";
    link[n++] = "-o";
    link[n++] = b->test_program;
    link[n++] = local;
    if (hidden && access(hidden_obj, R_OK) == 0)
        link[n++] = hidden_obj;
    /* The harness calls the lab's test table; the tests call the harness. */
    link[n++] = "-Wl,--start-group";
    link[n++] = libtests;
    link[n++] = harness;
    link[n++] = "-Wl,--end-group";
    sg_append_words(link, &n, 30, check_libs);
    link[n] = NULL;
    sg_buf_printf(&what, "%s does not link with the tests (is a function of the API missing or "
                         "misspelled?)", r->file);
    step = sg_run_tool(link, envp, workdir, what.data, b, NULL);
    sg_buf_free(&what);
    if (step != 0) {
        b->state = step == 1 ? SG_LAB_BUILD_FAILED : SG_LAB_GRADER_ERROR;
        rc = step == 1 ? 0 : -1;
        goto out;
    }
    const char *link_program[] = { SG_CC, "-o", b->program, local, main_obj, NULL };
    sg_buf_printf(&what, "%s does not link with the kit's main.c", r->file);
    step = sg_run_tool(link_program, envp, workdir, what.data, b, NULL);
    sg_buf_free(&what);
    if (step != 0) {
        b->state = step == 1 ? SG_LAB_BUILD_FAILED : SG_LAB_GRADER_ERROR;
        rc = step == 1 ? 0 : -1;
        goto out;
    }
    if (memcheck && access(mc_obj, R_OK) == 0) {
        char *driver = sg_path(workdir, "memcheck");
        const char *link_driver[] = { SG_CC, "-o", driver, local, mc_obj, harness, NULL };
        step = sg_run_tool(link_driver, envp, workdir, "the memory-check driver does not link",
                           b, NULL);
        if (step != 0) {
            free(driver);
            b->state = step == 1 ? SG_LAB_BUILD_FAILED : SG_LAB_GRADER_ERROR;
            rc = step == 1 ? 0 : -1;
            goto out;
        }
        b->memcheck_driver = driver;
    }
    b->state = SG_LAB_GRADED;
    rc = 0;
out:
    free(mc_obj);
    free(srcdir);
    free(source);
    free(object);
    free(local);
    free(deps);
    free(api);
    free(labobj);
    free(libtests);
    free(hidden_obj);
    free(main_obj);
    free(harness);
    free(header);
    return rc;
}

void sg_build_free(struct sg_build *b)
{
    free(b->problem);
    free(b->output);
    free(b->notes);
    free(b->test_program);
    free(b->program);
    free(b->memcheck_driver);
    memset(b, 0, sizeof *b);
}
