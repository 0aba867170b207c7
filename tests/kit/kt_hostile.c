/* kt_hostile.c — hostile submissions: contained, with the verdict they deserve, nothing left behind. */
#include "kt.h"


/* Whether pid descends from this process (orphans of what it graded come back to it). */
static bool kt_descends_from_us(const char *pid)
{
    long p = strtol(pid, NULL, 10);
    for (int depth = 0; depth < 64 && p > 1; depth++) {
        if (p == (long)getpid())
            return true;
        char path[64], line[256];
        snprintf(path, sizeof path, "/proc/%ld/status", p);
        FILE *f = fopen(path, "re");
        long parent = 0;
        while (f != NULL && fgets(line, sizeof line, f) != NULL)
            if (sscanf(line, "PPid: %ld", &parent) == 1)
                break;
        if (f != NULL)
            fclose(f);
        p = parent;
    }
    return false;
}

/*
 * The processes of the sandboxes' users that descend from this test,
 * "pid:name" each, from /proc: as root (drawn, a range of uids), any uid
 * of SG_SANDBOX_UID_BASE's range, or nobody where that is not mapped;
 * else our own. Only ours: another grader
 * may run beside this one, and whatever a graded submission leaves comes
 * back to us (the grader is a child subreaper).
 */
static void kt_processes_of(bool drawn, struct sg_buf *out)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        char path[300], comm[64] = "?";
        struct stat st;
        snprintf(path, sizeof path, "/proc/%s", e->d_name);
        if (e->d_name[0] < '0' || e->d_name[0] > '9' || stat(path, &st) != 0)
            continue;
        bool theirs = drawn ? (st.st_uid >= SG_SANDBOX_UID_BASE &&
                               st.st_uid - SG_SANDBOX_UID_BASE < SG_SANDBOX_UID_SPAN) ||
                                  st.st_uid == SG_SANDBOX_NOBODY
                            : st.st_uid == getuid();
        if (!theirs || !kt_descends_from_us(e->d_name))
            continue;
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        FILE *f = fopen(path, "re");
        if (f != NULL && fgets(comm, sizeof comm, f) != NULL)
            comm[strcspn(comm, "\n")] = '\0';
        if (f != NULL)
            fclose(f);
        sg_buf_printf(out, " %s:%s", e->d_name, comm);
    }
    if (d != NULL)
        closedir(d);
}

/* Everything outside the scratch space that a submission could leave or change. */
static char *kt_outside_state(const char *canary)
{
    struct sg_buf b = SG_BUF_INIT;
    /* As root, the sandboxes' uids are drawn from a range (sg_sandbox.h). */
    sg_buf_puts(&b, "processes of the sandboxes' users:");
    kt_processes_of(geteuid() == 0, &b);
    sg_buf_puts(&b, "\n");
    const char *files[] = { "/proc/sysvipc/shm", "/proc/sysvipc/sem", "/proc/sysvipc/msg" };
    for (size_t i = 0; i < 3; i++) {
        /* The ids (second column) are enough to tell. */
        FILE *f = fopen(files[i], "re");
        char line[512];
        sg_buf_printf(&b, "%s:", files[i]);
        while (f != NULL && fgets(line, sizeof line, f) != NULL) {
            long key, id;
            if (sscanf(line, "%ld %ld", &key, &id) == 2)
                sg_buf_printf(&b, " %ld", id);
        }
        if (f != NULL)
            fclose(f);
        sg_buf_puts(&b, "\n");
    }
    sg_buf_printf(&b, "/dev/shm/shmlab-hostile: %s\n",
                  access("/dev/shm/shmlab-hostile", F_OK) == 0 ? "present" : "absent");
    sg_buf_printf(&b, "/tmp/shmlab-hostile: %s\n",
                  access("/tmp/shmlab-hostile", F_OK) == 0 ? "present" : "absent");
    char *c = access(canary, R_OK) == 0 ? kt_read(canary, NULL) : strdup("(gone)");
    sg_buf_printf(&b, "canary: %s\n", c);
    free(c);
    struct sg_buf sol = SG_BUF_INIT;
    sg_buf_printf(&sol, "%s/solutions/01-shared-buffer/shared_buffer.c", kt_root);
    size_t len = 0;
    char *text = access(sol.data, R_OK) == 0 ? kt_read(sol.data, &len) : NULL;
    sg_buf_printf(&b, "solution: %zu bytes\n", text ? len : 0);
    free(text);
    sg_buf_free(&sol);
    return sg_buf_take(&b);
}

/* Renders g in every format and checks each is valid whatever the student put in it. */
static void kt_require_valid_reports(const char *name, const struct sg_grade *g, char **all)
{
    struct sg_buf every = SG_BUF_INIT;
    for (int f = 0; f < SG_FORMAT_COUNT; f++) {
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        ck_assert(out != NULL);
        ck_assert_msg(sg_report_write(g, (enum sg_format)f, out, false) == 0,
                      "%s: the %s report could not be written", name,
                      sg_format_name((enum sg_format)f));
        fclose(out);
        ck_assert_msg(sg_utf8_valid(text, len), "%s: the %s report is not valid UTF-8", name,
                      sg_format_name((enum sg_format)f));
        for (size_t i = 0; i < len; i++)
            ck_assert_msg(text[i] == '\n' || text[i] == '\t' || (unsigned char)text[i] >= 0x20,
                          "%s: the %s report holds control byte 0x%02x", name,
                          sg_format_name((enum sg_format)f), (unsigned char)text[i]);
        if (f == SG_FORMAT_JSON || f == SG_FORMAT_GRADE) {
            json_error_t jerr;
            json_t *root = json_loadb(text, len, 0, &jerr);
            ck_assert_msg(root != NULL, "%s: the %s report does not parse: %s", name,
                          sg_format_name((enum sg_format)f), jerr.text);
            json_decref(root);
        }
        if (f == SG_FORMAT_JUNIT) {
            xmlDocPtr doc = xmlReadMemory(text, (int)len, "junit.xml", NULL,
                                          XML_PARSE_NONET | XML_PARSE_NOERROR);
            ck_assert_msg(doc != NULL, "%s: the JUnit report is not well-formed XML", name);
            xmlFreeDoc(doc);
        }
        if (f == SG_FORMAT_AUTOLAB) {
            /* The last line is Autolab's scores. */
            char *last = len > 1 ? memrchr(text, '\n', len - 1) : NULL;
            json_t *root = json_loads(last ? last + 1 : text, 0, NULL);
            ck_assert_msg(json_is_object(json_object_get(root, "scores")),
                          "%s: the Autolab report's last line is not its scores", name);
            json_decref(root);
        }
        sg_buf_append(&every, text, len);
        free(text);
    }
    *all = sg_buf_take(&every);
}

/* No line of at least 24 characters of file appears in text (a kit file leaked into a report). */
static void kt_require_no_line_of(const char *name, const char *text, const char *file)
{
    char *secret = kt_read(file, NULL);
    char *save = NULL;
    for (char *line = strtok_r(secret, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        while (*line == ' ')
            line++;
        if (strlen(line) >= 24)
            ck_assert_msg(strstr(text, line) == NULL, "%s: a line of %s reached the report: %s",
                          name, file, line);
    }
    free(secret);
}

/* The lab state a hostile entry expects, from its "state". */
static enum sg_lab_state kt_expected_state(json_t *m)
{
    const char *want = json_string_value(json_object_get(m, "state"));
    if (want == NULL || strcmp(want, "graded") == 0)
        return SG_LAB_GRADED;
    if (strcmp(want, "refused") == 0)
        return SG_LAB_REFUSED;
    if (strcmp(want, "compile error") == 0)
        return SG_LAB_BUILD_FAILED;
    ck_assert_msg(strcmp(want, "missing file") == 0, "unknown state %s", want);
    return SG_LAB_MISSING;
}

/* Writes the entry's submission into sub: its file, or the link it asks for. */
static void kt_hostile_submission(json_t *m, const char *sub, const char *canary)
{
    const char *lab = "01-shared-buffer";
    const char *const pairs[][2] = { { "@KIT@", kt_root }, { "@CANARY@", canary } };
    json_t *link = json_object_get(m, "link");
    if (link != NULL) {
        char *at = kt_path(sub, json_string_value(json_array_get(link, 0)));
        char *to = kt_substitute(json_string_value(json_array_get(link, 1)), pairs, 2);
        char *slash = strrchr(at, '/');
        *slash = '\0';
        ck_assert(sg_mkdirs(at, 0700) == 0);
        *slash = '/';
        ck_assert_msg(symlink(to, at) == 0, "symlink %s: %s", at, strerror(errno));
        free(at);
        free(to);
        return;
    }
    json_t *with_includes = json_deep_copy(m);
    json_t *includes = json_pack("[s,s,s,s,s,s,s,s,s,s]", "stdlib.h", "string.h", "signal.h",
                                 "unistd.h", "fcntl.h", "stdio.h", "sys/shm.h", "sys/sem.h",
                                 "sys/msg.h", "sys/mman.h");
    json_array_extend(includes, json_object_get(m, "add_include"));
    json_object_set_new(with_includes, "add_include", includes);
    char *raw = kt_apply_mutant(lab, with_includes);
    char *text = kt_substitute(raw, pairs, 2);
    char *path = kt_path(sub, "shared_buffer.c");
    kt_write(path, text);
    free(path);
    free(raw);
    free(text);
    json_decref(with_includes);
}

/* Grades one hostile entry, with or without the sandbox, and checks everything it promises. */
static void kt_hostile_once(json_t *m, bool no_sandbox)
{
    const char *name = json_string_value(json_object_get(m, "name"));
    const char *lab = "01-shared-buffer";
    char *outside = kt_tempdir();
    char *canary = kt_path(outside, "canary");
    kt_write(canary, "do not touch\n");
    char *sub = kt_tempdir();
    kt_hostile_submission(m, sub, canary);

    bool memcheck = json_is_true(json_object_get(m, "memcheck"));
    char *before = kt_outside_state(canary);
    /* A hidden test as well where the attack is on the hidden tests'
     * object: the build copies it only for a grading that runs one. */
    bool hidden_too = json_is_true(json_object_get(m, "hidden_too"));
    const char *tests[] = { memcheck ? "memcheck" : "read_line_basic",
                            hidden_too ? "read_line_exact_fit" : NULL, NULL };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct sg_grade g;
    bool saved_sandbox = kt_no_sandbox, saved_memcheck = kt_memcheck;
    kt_no_sandbox = no_sandbox;
    kt_memcheck = memcheck;
    /* 5 s of wall time: the sandbox's own watch (CPU 0.5 s, idle 1 s) must
     * be what stops a bomb, and it says why ("process limit"); at 2 s, a
     * fork bomb on a slow VM with four jobs per core reached the wall
     * limit first, with a less helpful message. */
    kt_grade_some(sub, lab, tests, 5, &g);
    kt_no_sandbox = saved_sandbox;
    kt_memcheck = saved_memcheck;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    char *after = kt_outside_state(canary);

    struct sg_lab_result *r = &g.labs[0];
    enum sg_lab_state want_state = kt_expected_state(m);
    ck_assert_msg(r->state == want_state, "%s: lab state %s, expected %s: %s\n%s", name,
                  sg_lab_state_name(r->state), sg_lab_state_name(want_state),
                  r->problem ? r->problem : "", r->build_output ? r->build_output : "");
    const char *star = json_string_value(json_object_get(json_object_get(m, "says"), "*"));
    ck_assert_msg(star == NULL || (r->problem != NULL && strstr(r->problem, star) != NULL),
                  "%s: the reason does not say \"%s\": %s", name, star,
                  r->problem ? r->problem : "");
    const char *built = json_string_value(json_object_get(m, "build_says"));
    ck_assert_msg(built == NULL || (r->build_output != NULL && strstr(r->build_output, built)),
                  "%s: the compiler's messages do not say \"%s\": %s", name, built,
                  r->build_output ? r->build_output : "(none)");
    if (want_state == SG_LAB_GRADED) {
        ck_assert_uint_eq(r->ntests, hidden_too ? 2 : 1);
        struct sg_test_result *t = &r->tests[0];
        bool want_fail = json_array_size(json_object_get(m, "fail")) > 0;
        char *why = kt_test_text(t);
        ck_assert_msg(t->passed != want_fail, "%s: %s %s, expected it to %s\n%s", name, t->name,
                      t->passed ? "passed" : "failed", want_fail ? "fail" : "pass", why);
        const char *word = json_string_value(json_object_get(json_object_get(m, "says"), t->name));
        ck_assert_msg(word == NULL || strstr(why, word) != NULL,
                      "%s: the failure does not say \"%s\":\n%s", name, word, why);
        json_t *flood = json_object_get(m, "output_at_least");
        ck_assert_msg(flood == NULL || t->output_total >= (size_t)json_integer_value(flood),
                      "%s: only %zu bytes of output were counted", name, t->output_total);
        ck_assert_msg(t->output == NULL || strlen(t->output) < 8192,
                      "%s: the report shows %zu bytes of output", name, strlen(t->output));
        free(why);
    }
    char *reports;
    kt_require_valid_reports(name, &g, &reports);
    const char *secret = json_string_value(json_object_get(m, "not_says_file"));
    if (secret != NULL) {
        const char *const pairs[][2] = { { "@KIT@", kt_root } };
        char *file = kt_substitute(secret, pairs, 1);
        kt_require_no_line_of(name, reports, file);
        free(file);
    }
    /* A bound on what an attack can hold the grader for, not a measure of
     * speed: generous, since the self-test runs loaded (the memory check
     * alone takes about 12 s of valgrind here, and took 31 s for a
     * submission that maps 1.5 GiB while helpers loaded the machine). */
    double bound = memcheck ? 120 : 30;
    ck_assert_msg(seconds < bound, "%s: grading took %.1f s (bound %.0f s)", name, seconds, bound);
    ck_assert_msg(strcmp(before, after) == 0, "%s: something outside the scratch space changed\n"
                  "before:\n%s\nafter:\n%s", name, before, after);

    free(reports);
    sg_grade_free(&g);
    free(before);
    free(after);
    kt_rmtree(sub);
    kt_rmtree(outside);
    free(sub);
    free(outside);
    free(canary);
}

START_TEST(hostile_submission_is_contained)
{
    json_t *m = json_array_get(json_object_get(kt_hostile, "mutants"), (size_t)_i);
    /* What only a grader running as root can keep from the tests (their
     * user is then not the grader's): an ordinary user's tests run as that
     * user, which the report's sandbox line says. */
    if (json_is_true(json_object_get(m, "as_root_only")) && geteuid() != 0)
        return;
    kt_hostile_once(m, false);
    if (json_is_true(json_object_get(m, "also_without_sandbox")))
        kt_hostile_once(m, true);
}
END_TEST

void kt_add_hostile(Suite *s)
{
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, hostile_submission_is_contained, 0, (int)json_array_size(json_object_get(kt_hostile, "mutants")));
    suite_add_tcase(s, tc);
}
