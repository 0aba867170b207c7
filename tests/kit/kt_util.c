/* kt_util.c — the kit tests' helpers; see kt.h. */
#include "kt.h"

char kt_root[PATH_MAX];
bool kt_no_sandbox;
bool kt_memcheck;
bool kt_public_only;
char **kt_labs;
int kt_nlabs;
json_t *kt_mutants;
struct sg_slots kt_slots;
json_t *kt_hostile;

char *kt_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "re");
    ck_assert_msg(f != NULL, "open %s: %s", path, strerror(errno));
    struct sg_buf b = SG_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sg_buf_append(&b, chunk, n);
    fclose(f);
    if (len != NULL)
        *len = b.len;
    return sg_buf_take(&b);
}

void kt_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "we");
    ck_assert_msg(f != NULL, "create %s: %s", path, strerror(errno));
    ck_assert(fputs(text, f) != EOF);
    ck_assert(fclose(f) == 0);
}

char *kt_tempdir(void)
{
    char *dir = strdup("/tmp/shmlab-kit-tests.XXXXXX");
    ck_assert(dir != NULL && mkdtemp(dir) != NULL);
    return dir;
}

void kt_rmtree(const char *dir)
{
    sg_rmtree(dir);
}

char *kt_path(const char *a, const char *b)
{
    struct sg_buf p = SG_BUF_INIT;
    sg_buf_printf(&p, "%s/%s", a, b);
    return sg_buf_take(&p);
}

/* Grades one lab of a submission in-process, with hidden tests; tests and timeout as in sg_grade_opts. */
void kt_grade_some(const char *submission, const char *lab, const char *const *tests,
                   double timeout, struct sg_grade *g)
{
    struct sg_kit kit;
    struct sg_buf err = SG_BUF_INIT;
    ck_assert_msg(sg_kit_at(&kit, kt_root, &err) == 0, "%s", err.data);
    sg_spawn_init();
    char *work = kt_tempdir();
    const char *labs[] = { lab, NULL };
    struct sg_grade_opts o = {
        .submission = submission, .labs = lab ? labs : NULL, .hidden = !kt_public_only,
        .workdir = work,
        .tests = tests, .timeout = timeout, .no_sandbox = kt_no_sandbox,
        .memcheck = kt_memcheck,
        /* The kit's corpus, graded knowingly where there is no sandbox. */
        .own_code = true,
        /* As shmgrade grades one submission: its tests at once, twice the
         * cores, and no more than that in all while both lanes grade. */
        .parallel = sg_default_jobs(),
        .slots = kt_slots.path != NULL ? &kt_slots : NULL,
    };
    ck_assert_msg(sg_grade_submission(&kit, &o, g, &err) == 0, "grading failed: %s", err.data);
    ck_assert_msg(sg_rmtree(work) == 0 && access(work, F_OK) == -1,
                  "the scratch folder %s could not be removed whole", work);
    free(work);
    sg_kit_free(&kit);
    sg_buf_free(&err);
}

void kt_grade(const char *submission, const char *lab, struct sg_grade *g)
{
    kt_grade_some(submission, lab, NULL, 0, g);
}

/* The first failed test of a lab and what it said, for messages (malloc'ed). */
char *kt_first_failure(const struct sg_lab_result *lab)
{
    struct sg_buf b = SG_BUF_INIT;
    if (lab->problem != NULL)
        sg_buf_printf(&b, "%s\n", lab->problem);
    for (size_t k = 0; k < lab->ntests; k++)
        if (!lab->tests[k].passed) {
            char *why = kt_test_text(&lab->tests[k]);
            sg_buf_printf(&b, "%s: %s%s", lab->tests[k].name, why,
                          lab->tests[k].output ? lab->tests[k].output : "");
            free(why);
            break;
        }
    return sg_buf_take(&b);
}

char *kt_test_text(const struct sg_test_result *t)
{
    struct sg_buf b = SG_BUF_INIT;
    const char *parts[] = { t->observed, t->expected, t->hint, t->message };
    for (size_t i = 0; i < 4; i++)
        if (parts[i] != NULL)
            sg_buf_printf(&b, "%s\n", parts[i]);
    return sg_buf_take(&b);
}

/* The lab's file name, from its rubric. */
char *kt_lab_file(const char *lab)
{
    struct sg_rubric r;
    struct sg_buf err = SG_BUF_INIT;
    char *labs = kt_path(kt_root, "labs");
    ck_assert_msg(sg_rubric_load(labs, lab, false, &r, &err) == 0, "%s", err.data);
    char *file = strdup(r.file);
    sg_rubric_free(&r);
    free(labs);
    return file;
}

/* Runs shmgrade with args; returns its exit status, its stdout and its stderr (malloc'ed). */
int kt_shmgrade_err(const char *const *args, char **out, char **err)
{
    char *tmp = kt_tempdir();
    char *outfile = kt_path(tmp, "stdout");
    char *errfile = kt_path(tmp, "stderr");
    fflush(NULL);
    pid_t pid = fork();
    ck_assert(pid != -1);
    if (pid == 0) {
        int fd = open(outfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int efd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd == -1 || efd == -1 || dup2(fd, STDOUT_FILENO) == -1 ||
            dup2(efd, STDERR_FILENO) == -1 || chdir(kt_root) == -1)
            _exit(126);
        const char *argv[64] = { "grader/shmgrade" };
        size_t n = 1;
        for (; args[n - 1] != NULL; n++) {
            if (n == 63)
                _exit(125); /* more arguments than this helper carries */
            argv[n] = args[n - 1];
        }
        argv[n] = NULL;
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    ck_assert(waitpid(pid, &status, 0) == pid);
    *out = kt_read(outfile, NULL);
    char *errtext = kt_read(errfile, NULL);
    if (err != NULL)
        *err = errtext;
    else
        free(errtext);
    kt_rmtree(tmp);
    free(tmp);
    free(outfile);
    free(errfile);
    ck_assert_msg(WIFEXITED(status), "shmgrade was killed by signal %d", WTERMSIG(status));
    return WEXITSTATUS(status);
}

int kt_shmgrade(const char *const *args, char **out)
{
    return kt_shmgrade_err(args, out, NULL);
}

char *kt_apply_mutant(const char *lab, json_t *m)
{
    const char *name = json_string_value(json_object_get(m, "name"));
    char *file = kt_lab_file(lab);
    struct sg_buf sol = SG_BUF_INIT;
    sg_buf_printf(&sol, "%s/solutions/%s/%s", kt_root, lab, file);
    char *text = kt_read(sol.data, NULL);
    sg_buf_free(&sol);
    free(file);

    size_t i;
    json_t *pair;
    json_array_foreach(json_object_get(m, "replace"), i, pair) {
        const char *from = json_string_value(json_array_get(pair, 0));
        const char *to = json_string_value(json_array_get(pair, 1));
        ck_assert_msg(from != NULL && to != NULL, "%s: bad replace entry %zu", name, i);
        char *at = strstr(text, from);
        ck_assert_msg(at != NULL, "%s: the solution no longer contains %s", name, from);
        ck_assert_msg(strstr(at + 1, from) == NULL, "%s: %s occurs more than once", name, from);
        struct sg_buf b = SG_BUF_INIT;
        sg_buf_append(&b, text, (size_t)(at - text));
        sg_buf_puts(&b, to);
        sg_buf_puts(&b, at + strlen(from));
        free(text);
        text = sg_buf_take(&b);
    }
    const char *payload = json_string_value(json_object_get(m, "payload"));
    if (payload != NULL) {
        /* Hostile payloads go first in lab 01's sb_read_line. */
        const char *open = "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n";
        char *at = strstr(text, open);
        ck_assert_msg(at != NULL, "%s: the solution has no %s", name, open);
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_append(&p, text, (size_t)(at - text) + strlen(open));
        sg_buf_printf(&p, "%s\n", payload);
        sg_buf_puts(&p, at + strlen(open));
        free(text);
        text = sg_buf_take(&p);
    }
    struct sg_buf b = SG_BUF_INIT;
    json_t *inc = json_object_get(m, "add_include");
    if (json_is_string(inc))
        sg_buf_printf(&b, "#include <%s>\n", json_string_value(inc));
    json_array_foreach(inc, i, pair)
        sg_buf_printf(&b, "#include <%s>\n", json_string_value(pair));
    const char *prepend = json_string_value(json_object_get(m, "prepend"));
    if (prepend != NULL)
        sg_buf_puts(&b, prepend);
    sg_buf_puts(&b, text);
    const char *append = json_string_value(json_object_get(m, "append"));
    if (append != NULL)
        sg_buf_printf(&b, "\n%s", append);
    free(text);
    return sg_buf_take(&b);
}

char *kt_mutant_submission(const char *lab, json_t *m)
{
    char *text = kt_apply_mutant(lab, m);
    char *sub = kt_tempdir(), *file = kt_lab_file(lab), *path = kt_path(sub, file);
    kt_write(path, text);
    free(path);
    free(file);
    free(text);
    return sub;
}

json_t *kt_mutant_named(const char *lab, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(kt_mutants, i, v)
        if (strcmp(json_string_value(json_object_get(v, "lab")), lab) == 0 &&
            strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
            return v;
    ck_abort_msg("the corpus of %s has no mutant %s", lab, name);
    return NULL;
}

/* text with every @NAME@ of the pairs replaced; malloc'ed. */
char *kt_substitute(const char *text, const char *const pairs[][2], size_t npairs)
{
    char *out = strdup(text);
    for (size_t k = 0; k < npairs; k++) {
        char *at;
        while ((at = strstr(out, pairs[k][0])) != NULL) {
            struct sg_buf b = SG_BUF_INIT;
            sg_buf_append(&b, out, (size_t)(at - out));
            sg_buf_puts(&b, pairs[k][1]);
            sg_buf_puts(&b, at + strlen(pairs[k][0]));
            free(out);
            out = sg_buf_take(&b);
        }
    }
    return out;
}

bool kt_in_list(json_t *list, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
        if (strcmp(json_string_value(v), name) == 0)
            return true;
    return false;
}

void kt_csv_cell(void *data, size_t len, void *arg)
{
    struct kt_csv *c = arg;
    if (c->rows < 32 && c->col < 24)
        snprintf(c->cells[c->rows][c->col], 128, "%.*s", (int)len, (const char *)data);
    c->col++;
}

void kt_csv_row(int ch, void *arg)
{
    (void)ch;
    struct kt_csv *c = arg;
    c->rows++;
    c->col = 0;
}

/* Reads a CSV file back with libcsv's parser. */
void kt_read_csv(const char *path, struct kt_csv *c)
{
    size_t len;
    char *text = kt_read(path, &len);
    struct csv_parser p;
    memset(c, 0, sizeof *c);
    ck_assert(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) == 0);
    ck_assert_msg(csv_parse(&p, text, len, kt_csv_cell, kt_csv_row, c) == len, "%s: %s", path,
                  csv_strerror(csv_error(&p)));
    ck_assert(csv_fini(&p, kt_csv_cell, kt_csv_row, c) == 0);
    csv_free(&p);
    free(text);
}

int kt_csv_column(const struct kt_csv *c, const char *name)
{
    for (int k = 0; k < 24; k++)
        if (strcmp(c->cells[0][k], name) == 0)
            return k;
    ck_abort_msg("the gradebook has no column %s", name);
}

const char *kt_csv_get(const struct kt_csv *c, const char *student, const char *column)
{
    int col = kt_csv_column(c, column);
    for (int r = 1; r < c->rows && r < 32; r++)
        if (strcmp(c->cells[r][0], student) == 0)
            return c->cells[r][col];
    ck_abort_msg("the gradebook has no row for %s", student);
}

void kt_copy(const char *from, const char *to)
{
    char *text = kt_read(from, NULL);
    kt_write(to, text);
    free(text);
}

/* A student's folder with the reference solution of each lab in labs (mirrored or flat). */
void kt_student(const char *class, const char *name, const char *const *labs, bool mirrored,
                const char *tree)
{
    char *dir = kt_path(class, name);
    ck_assert(mkdir(dir, 0755) == 0);
    for (const char *const *l = labs; *l != NULL; l++) {
        char *file = kt_lab_file(*l);
        struct sg_buf from = SG_BUF_INIT, to = SG_BUF_INIT;
        sg_buf_printf(&from, "%s/%s/%s/%s", kt_root, tree, *l, file);
        if (mirrored) {
            sg_buf_printf(&to, "%s/%s", dir, *l);
            mkdir(to.data, 0755);
            sg_buf_printf(&to, "/%s", file);
        } else {
            sg_buf_printf(&to, "%s/%s", dir, file);
        }
        kt_copy(from.data, to.data);
        sg_buf_free(&from);
        sg_buf_free(&to);
        free(file);
    }
    free(dir);
}

/*
 * The batch tests' class: 6 correct (half mirrored, half flat), 3 with lab
 * 01 only, 4 skeletons, 3 with a compile error in lab 04, 2 empty folders.
 */
void kt_mixed_class(const char *class)
{
    const char *both[] = { "01-shared-buffer", "04-shmat-layout", NULL };
    const char *one[] = { "01-shared-buffer", NULL };
    char name[64];
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "correct-%d", i);
        kt_student(class, name, both, i % 2 == 0, "solutions");
    }
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "only-lab-01-%d", i);
        kt_student(class, name, one, false, "solutions");
    }
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "skeleton-%d", i);
        kt_student(class, name, both, true, "skeletons");
    }
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "compile-error-%d", i);
        kt_student(class, name, one, false, "solutions");
        char *dir = kt_path(class, name);
        char *file = kt_path(dir, "shm_layout.c");
        kt_write(file, "this is not C\n");
        free(file);
        free(dir);
    }
    for (int i = 0; i < 2; i++) {
        snprintf(name, sizeof name, "empty-%d", i);
        char *dir = kt_path(class, name);
        ck_assert(mkdir(dir, 0755) == 0);
        free(dir);
    }
}

/*
 * Names that once broke a batch, each holding lab 01's solution: a quote and
 * a comma (the CSV), a class file's name, one that is not UTF-8; and a
 * student's folder that is a link to correct-0's (refused, never followed).
 */
void kt_odd_names(const char *class)
{
    const char *one[] = { "01-shared-buffer", NULL };
    kt_student(class, "o'brien, \"jr\"", one, false, "solutions");
    kt_student(class, "gradebook.csv", one, false, "solutions");
    kt_student(class, "caf\xe9", one, false, "solutions");
    char *linked = kt_path(class, "linked-to-correct-0");
    char *target = kt_path(class, "correct-0");
    ck_assert(symlink(target, linked) == 0);
    free(linked);
    free(target);
}

/* The end of a long text, where failures are: Check's messages have a size limit. */
const char *kt_tail(const char *text)
{
    size_t len = strlen(text);
    return len > 1500 ? text + len - 1500 : text;
}

/* Runs script with /bin/sh from the kit's root; returns its exit status, its whole output in *out. */
int kt_sh(const char *script, char **out)
{
    char *tmp = kt_tempdir();
    char *log = kt_path(tmp, "log");
    fflush(NULL);
    pid_t pid = fork();
    ck_assert(pid != -1);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd == -1 || dup2(fd, STDOUT_FILENO) == -1 || dup2(fd, STDERR_FILENO) == -1 ||
            chdir(kt_root) == -1)
            _exit(126);
        execl("/bin/sh", "sh", "-c", script, (char *)NULL);
        _exit(127);
    }
    int status;
    ck_assert(waitpid(pid, &status, 0) == pid);
    *out = kt_read(log, NULL);
    kt_rmtree(tmp);
    free(tmp);
    free(log);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void kt_load_corpus(void)
{
    kt_mutants = json_array();
    for (char **l = kt_labs; *l != NULL; l++) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s/tests/corpus/%s.json", kt_root, *l);
        if (access(p.data, R_OK) != 0) {
            sg_buf_free(&p);
            continue;
        }
        json_error_t jerr;
        json_t *c = json_load_file(p.data, 0, &jerr);
        if (c == NULL) {
            fprintf(stderr, "%s:%d: %s\n", p.data, jerr.line, jerr.text);
            exit(2);
        }
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(c, "mutants"), i, m) {
            json_object_set_new(m, "lab", json_string(*l));
            json_array_append(kt_mutants, m);
        }
        json_decref(c);
        sg_buf_free(&p);
    }
}

/* Runs shmgrade with args, expecting status and words on stderr. */
void kt_expect_usage(const char *const *args, int status, const char *words)
{
    char *out, *err;
    ck_assert_int_eq(kt_shmgrade_err(args, &out, &err), status);
    ck_assert_msg(strstr(err, words) != NULL, "stderr does not say \"%s\": %s", words, err);
    free(out);
    free(err);
}

void kt_require_no_null_in_report(const struct sg_grade *g, const char *what)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert(f != NULL);
    ck_assert_int_eq(sg_report_text(g, f, false), 0);
    ck_assert(fclose(f) == 0);
    /* glibc prints a NULL string as "(null)"; elsewhere it is undefined. */
    ck_assert_msg(strstr(text, "(null)") == NULL, "%s: the text report prints (null):\n%s", what,
                  text);
    free(text);
}

/* Whether a process (named comm, when not NULL) has path in its command line. */
bool kt_process_mentions(const char *comm, const char *path)
{
    DIR *d = opendir("/proc");
    ck_assert(d != NULL);
    bool seen = false;
    struct dirent *e;
    while (!seen && (e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char file[300], name[64] = "";
        if (comm != NULL) {
            snprintf(file, sizeof file, "/proc/%s/comm", e->d_name);
            int cfd = open(file, O_RDONLY | O_CLOEXEC);
            ssize_t k = cfd == -1 ? -1 : read(cfd, name, sizeof name - 1);
            if (cfd != -1)
                close(cfd);
            name[k > 0 ? k : 0] = '\0';
            name[strcspn(name, "\n")] = '\0';
            if (strcmp(name, comm) != 0)
                continue;
        }
        snprintf(file, sizeof file, "/proc/%s/cmdline", e->d_name);
        int fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd == -1)
            continue;
        char buf[8192];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
            continue;
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] == '\0')
                buf[i] = ' ';
        buf[n] = '\0';
        seen = strstr(buf, path) != NULL;
    }
    closedir(d);
    return seen;
}

void kt_require_full_marks(const char *results, int rc, const char *what, const char *log)
{
    json_t *r = rc == 0 ? json_load_file(results, 0, NULL) : NULL;
    double score = json_number_value(json_object_get(r, "score"));
    ck_assert_msg(r != NULL && score > 0 &&
                      score == json_number_value(json_object_get(r, "max_score")),
                  "%s (status %d, score %g):\n%s", what, rc, score, kt_tail(log));
    json_decref(r);
}

void kt_sh_full_marks(const char *script, const char *results, const char *what)
{
    char *log;
    int rc = kt_sh(script, &log);
    kt_require_full_marks(results, rc, what, log);
    free(log);
}
