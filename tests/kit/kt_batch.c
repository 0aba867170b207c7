/* kt_batch.c — grading a class. */
#include "kt.h"

#include "sg_sandbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

START_TEST(batch_grades_a_mixed_class)
{
    const char *one[] = { "01-shared-buffer", NULL };
    char *class = kt_tempdir();
    char *out = kt_tempdir();
    kt_mixed_class(class);
    /* One that ends every test with exit(0), and one with a name to quote. */
    kt_student(class, "exit-zero", one, false, "solutions");
    char *dir = kt_path(class, "exit-zero");
    char *file = kt_path(dir, "shared_buffer.c");
    char *text = kt_read(file, NULL);
    struct sg_buf hostile = SG_BUF_INIT;
    sg_buf_printf(&hostile, "#include <stdlib.h>\n%s", text);
    char *at = strstr(hostile.data, "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n");
    ck_assert(at != NULL);
    struct sg_buf patched = SG_BUF_INIT;
    sg_buf_append(&patched, hostile.data, (size_t)(at - hostile.data) + 53);
    sg_buf_puts(&patched, "    exit(0);\n");
    sg_buf_puts(&patched, at + 53);
    kt_write(file, patched.data);
    kt_odd_names(class);

    const char *args[] = { "--batch", class, "-j", "2", "-o", out, "--lab", "01", "--lab", "04",
                           "--format", "text", "--format", "json", "--format", "junit",
                           "--format", "tap", "--format", "autolab", NULL };
    char *stdout_text, *progress;
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &progress), 0);
    ck_assert_msg(strstr(progress, "[23/23]") != NULL, "progress:\n%s", progress);

    /* The students' reports are kept from other users. */
    char *reports = kt_path(out, "students");
    struct stat rst;
    ck_assert_msg(stat(reports, &rst) == 0 && (rst.st_mode & 07) == 0,
                  "%s has mode %o", reports, (unsigned)rst.st_mode & 0777);
    free(reports);

    /* The gradebook: a row per student, the right totals and statuses. */
    char *csv = kt_path(out, "gradebook.csv");
    struct kt_csv *c = calloc(1, sizeof *c);
    kt_read_csv(csv, c);
    ck_assert_int_eq(c->rows, 24);
    ck_assert_str_eq(kt_csv_get(c, "correct-0", "total"), "71");
    ck_assert_str_eq(kt_csv_get(c, "correct-0", "status"), "ok");
    ck_assert_str_eq(kt_csv_get(c, "correct-5", "percent"), "100.0");
    ck_assert_str_eq(kt_csv_get(c, "only-lab-01-1", "01-shared-buffer"), "41");
    ck_assert_str_eq(kt_csv_get(c, "only-lab-01-1", "status"), "04-shmat-layout: missing file");
    ck_assert_str_eq(kt_csv_get(c, "skeleton-2", "total"), "0");
    ck_assert_str_eq(kt_csv_get(c, "compile-error-0", "status"), "04-shmat-layout: compile error");
    ck_assert_str_eq(kt_csv_get(c, "compile-error-0", "01-shared-buffer"), "41");
    ck_assert_str_eq(kt_csv_get(c, "empty-1", "status"),
                     "01-shared-buffer: missing file; 04-shmat-layout: missing file");
    ck_assert_str_eq(kt_csv_get(c, "exit-zero", "01-shared-buffer"), "19");
    ck_assert_str_eq(kt_csv_get(c, "o'brien, \"jr\"", "total"), "41");
    ck_assert_str_eq(kt_csv_get(c, "gradebook.csv", "total"), "41");
    ck_assert_str_eq(kt_csv_get(c, "caf\\xe9", "total"), "41");
    ck_assert_str_eq(kt_csv_get(c, "caf\\xe9", "status"), "04-shmat-layout: missing file");
    ck_assert_str_eq(kt_csv_get(c, "linked-to-correct-0", "total"), "0");
    ck_assert_msg(strstr(kt_csv_get(c, "linked-to-correct-0", "status"), "missing file") != NULL,
                  "%s", kt_csv_get(c, "linked-to-correct-0", "status"));

    /* Every student's reports, in every format, agree with the gradebook. */
    char *students = kt_path(out, "students");
    for (int r = 1; r < c->rows; r++) {
        /* The folder keeps the name's bytes; the gradebook shows them escaped. */
        const char *folder = strcmp(c->cells[r][0], "caf\\xe9") == 0 ? "caf\xe9" : c->cells[r][0];
        char *sdir = kt_path(students, folder);
        char *json = kt_path(sdir, "results.json");
        json_error_t jerr;
        json_t *root = json_load_file(json, 0, &jerr);
        ck_assert_msg(root != NULL, "%s: %s", json, jerr.text);
        char total[32];
        snprintf(total, sizeof total, "%g", json_number_value(json_object_get(root, "score")));
        ck_assert_str_eq(total, kt_csv_get(c, c->cells[r][0], "total"));
        json_decref(root);
        char *xml = kt_path(sdir, "junit.xml");
        xmlDocPtr doc = xmlReadFile(xml, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
        if (doc == NULL) {
            char *bad = kt_read(xml, NULL);
            const xmlError *e = xmlGetLastError();
            ck_abort_msg("%s does not parse: %s\n%.600s", xml, e ? e->message : "?", bad);
        }
        xmlFreeDoc(doc);
        char *tap = kt_path(sdir, "results.tap");
        char *tap_text = kt_read(tap, NULL);
        ck_assert_msg(strncmp(tap_text, "TAP version 13\n1..", 18) == 0, "%s", tap);
        char *autolab = kt_path(sdir, "autolab.txt");
        char *autolab_text = kt_read(autolab, NULL);
        char *last = autolab_text + strlen(autolab_text) - 1;
        while (last > autolab_text && last[-1] != '\n')
            last--;
        json_t *scores = json_loads(last, 0, &jerr);
        ck_assert_msg(json_is_object(json_object_get(scores, "scores")), "%s: last line %s", autolab,
                      last);
        json_decref(scores);
        free(autolab_text);
        free(tap_text);
        free(autolab);
        free(tap);
        free(xml);
        free(json);
        free(sdir);
    }

    free(students);

    /* The summary counts everyone. */
    char *sumfile = kt_path(out, "summary.json");
    json_t *summary = json_load_file(sumfile, 0, NULL);
    ck_assert(summary != NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(summary, "students")), 23);
    ck_assert_int_eq(json_integer_value(json_object_get(summary, "incomplete")), 0);
    size_t i;
    json_t *v;
    json_int_t in_bins = 0;
    json_array_foreach(json_object_get(summary, "distribution"), i, v)
        in_bins += json_integer_value(json_object_get(v, "students"));
    ck_assert_int_eq(in_bins, 23);
    json_decref(summary);
    char *sumtext_path = kt_path(out, "summary.txt");
    char *sumtext = kt_read(sumtext_path, NULL);
    ck_assert_msg(strstr(sumtext, "tests by pass rate") != NULL, "%s", sumtext);

    /* Run again: nothing changed, nothing is graded again; change one file: only that one is. */
    free(progress);
    free(stdout_text);
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &progress), 0);
    size_t unchanged = 0;
    for (char *p = progress; (p = strstr(p, "not graded again")) != NULL; p++)
        unchanged++;
    ck_assert_msg(unchanged == 23, "%zu of 23 skipped on the second run:\n%s", unchanged, progress);
    kt_write(file, text);
    free(progress);
    free(stdout_text);
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &progress), 0);
    unchanged = 0;
    for (char *p = progress; (p = strstr(p, "not graded again")) != NULL; p++)
        unchanged++;
    ck_assert_msg(unchanged == 22, "%zu of 23 skipped after one file changed:\n%s", unchanged,
                  progress);
    kt_read_csv(csv, c);
    ck_assert_str_eq(kt_csv_get(c, "exit-zero", "01-shared-buffer"), "41");

    free(sumtext);
    free(sumtext_path);
    free(sumfile);
    free(c);
    free(csv);
    free(progress);
    free(stdout_text);
    sg_buf_free(&hostile);
    sg_buf_free(&patched);
    free(text);
    free(file);
    free(dir);
    kt_rmtree(class);
    kt_rmtree(out);
    free(class);
    free(out);
}
END_TEST

/*
 * Grades a class in this process (its workers inherit the kit test's fault
 * injection); how many students the grader failed on.
 */
static int kt_batch_in_process(const char *class, const char *out, const char *const *labs,
                               const char *const *tests)
{
    struct sg_kit kit;
    struct sg_buf err = SG_BUF_INIT;
    ck_assert_msg(sg_kit_at(&kit, kt_root, &err) == 0, "%s", err.data);
    struct sg_batch_opts o = {
        .dir = class, .outdir = out, .jobs = 2,
        .formats = 1u << SG_FORMAT_TEXT | 1u << SG_FORMAT_JSON,
        .grade = { .labs = labs, .hidden = true, .tests = tests },
    };
    int failed = sg_batch_run(&kit, &o, &err);
    ck_assert_msg(failed >= 0, "the batch failed: %s", err.data);
    sg_kit_free(&kit);
    sg_buf_free(&err);
    return failed;
}

/* Grades class into out with n faults injected by inject (0 after), and reads its gradebook. */
static struct kt_csv *kt_batch_with_faults(const char *class, const char *out,
                                           const char *const *labs, const char *const *tests,
                                           void (*inject)(int), int n, int *failed)
{
    inject(n);
    *failed = kt_batch_in_process(class, out, labs, tests);
    inject(0);
    char *csv = kt_path(out, "gradebook.csv");
    struct kt_csv *c = calloc(1, sizeof *c);
    ck_assert(c != NULL);
    kt_read_csv(csv, c);
    free(csv);
    return c;
}

/* Grades class again, without faults: each of students (NULL-ended) is "ok" now. */
static void kt_regrade_is_ok(const char *class, const char *out, const char *const *labs,
                             const char *const *tests, struct kt_csv *c,
                             const char *const *students)
{
    ck_assert_int_eq(kt_batch_in_process(class, out, labs, tests), 0);
    char *csv = kt_path(out, "gradebook.csv");
    kt_read_csv(csv, c);
    free(csv);
    for (const char *const *s = students; *s != NULL; s++)
        ck_assert_msg(strcmp(kt_csv_get(c, *s, "status"), "ok") == 0, "%s: %s", *s,
                      kt_csv_get(c, *s, "status"));
}

START_TEST(the_output_folder_inside_the_class_is_no_student)
{
    /* -o inside the class's folder: it became a student, "grades", every
     * lab missing, graded on every run (an instructor's review). */
    const char *one[] = { "01-shared-buffer", NULL };
    char *class = kt_tempdir();
    kt_student(class, "ann", one, false, "solutions");
    char *out = kt_path(class, "grades");
    const char *args[] = { "--batch", class, "-o", out, "--lab", "01", "--test",
                           "read_line_basic", NULL };
    char *stdout_text, *progress;
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &progress), 0);
    ck_assert_msg(strstr(progress, "[1/1] ann") != NULL && strstr(progress, "grades") == NULL,
                  "%s", progress);
    free(stdout_text);
    free(progress);
    kt_rmtree(class);
    free(class);
    free(out);
}
END_TEST

START_TEST(a_grades_folder_in_use_is_not_written_twice_at_once)
{
    /* Two batches into one folder would mix each student's files from
     * either run: the second stops, before grading, and says why. Here the
     * test holds the lock a running batch would. */
    const char *one[] = { "01-shared-buffer", NULL };
    char *class = kt_tempdir();
    char *out = kt_tempdir();
    kt_student(class, "ann", one, false, "solutions");
    int held = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ck_assert_int_ne(held, -1);
    ck_assert_int_eq(flock(held, LOCK_EX), 0);
    const char *args[] = { "--batch", class, "-o", out, "--lab", "01", "--test",
                           "read_line_basic", NULL };
    char *stdout_text, *progress;
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &progress), 1);
    ck_assert_msg(strstr(progress, "another shmgrade is writing grades") != NULL &&
                      strstr(progress, "ann") == NULL,
                  "%s", progress);
    free(stdout_text);
    free(progress);
    close(held);
    /* Once the other is done, the batch runs. */
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &progress), 0);
    ck_assert_msg(strstr(progress, "[1/1] ann") != NULL, "%s", progress);
    free(stdout_text);
    free(progress);
    kt_rmtree(class);
    kt_rmtree(out);
    free(class);
    free(out);
}
END_TEST

START_TEST(a_missing_class_folder_or_roster_is_a_usage_error)
{
    /* Said before anything is graded or written (a roster that could not
     * be read was said after the class was graded, and exited 0). */
    char *out = kt_tempdir();
    char *grades = kt_path(out, "grades");
    const char *args[] = { "--batch", "/nonexistent-shmlab-class", "-o", grades, NULL };
    char *stdout_text, *log;
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &log), 2);
    ck_assert_msg(strstr(log, "/nonexistent-shmlab-class") != NULL, "%s", log);
    ck_assert_msg(access(grades, F_OK) == -1, "the grades folder was made");
    free(stdout_text);
    free(log);
    const char *roster_args[] = { "--batch", out, "-o", grades, "--roster", "/nonexistent.csv",
                                  NULL };
    ck_assert_int_eq(kt_shmgrade_err(roster_args, &stdout_text, &log), 2);
    ck_assert_msg(access(grades, F_OK) == -1, "the grades folder was made");
    free(stdout_text);
    free(log);
    kt_rmtree(out);
    free(out);
    free(grades);
}
END_TEST

START_TEST(a_batch_killed_outright_takes_its_processes_with_it)
{
    /* kill -9 leaves no guard to clean up: every process the batch started
     * (workers, runners, sandboxes, tests) dies with its parent. A student
     * whose sb_read_line spins keeps a test running. */
    const char *lab = "01-shared-buffer";
    char *class = kt_tempdir(), *out = kt_tempdir(), *scratch = kt_tempdir();
    /* As TMPDIR, entered by the sandbox's own user too when the grader is root. */
    ck_assert_int_eq(chmod(scratch, 0711), 0);
    char *student = kt_path(class, "spinner");
    ck_assert_int_eq(mkdir(student, 0755), 0);
    json_t *m = json_pack("{s:[[s,s]]}", "replace",
                          "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n",
                          "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n"
                          "    for (volatile int spin = 1; spin;)\n        ;\n");
    char *text = kt_apply_mutant(lab, m);
    char *file = kt_lab_file(lab), *path = kt_path(student, file);
    kt_write(path, text);
    char *grades = kt_path(out, "grades");
    fflush(NULL);
    pid_t pid = fork();
    ck_assert(pid != -1);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null == -1 || dup2(null, 1) == -1 || dup2(null, 2) == -1 || chdir(kt_root) == -1 ||
            setenv("TMPDIR", scratch, 1) == -1)
            _exit(126);
        execl("grader/shmgrade", "grader/shmgrade", "--batch", class, "-o", grades, "--lab", lab,
              "--test", "read_line_basic", "--timeout", "60", (char *)NULL);
        _exit(127);
    }
    /* Until the test program itself runs (its command line names the
     * scratch folder, and its name is the tests' program's): killed while
     * bubblewrap still sets up its sandbox, bubblewrap's inner process may
     * wait for ever for the outer one, a gap of bubblewrap's that README
     * owns to. */
    bool seen = false;
    for (int i = 0; i < 3000 && !seen; i++) {
        seen = kt_process_mentions("tests", scratch);
        if (!seen)
            usleep(10000);
    }
    ck_assert_msg(seen, "the test never started");
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
    bool left = true;
    /* Generous: the chain of deaths takes milliseconds, a loaded machine longer. */
    for (int i = 0; i < 2000 && left; i++) {
        left = kt_process_mentions(NULL, scratch);
        if (left)
            usleep(10000);
    }
    ck_assert_msg(!left, "processes of the batch outlived it by 20 s");
    kt_rmtree(class);
    kt_rmtree(out);
    kt_rmtree(scratch); /* left by the killed batch, as README says */
    free(class);
    free(out);
    free(scratch);
    free(student);
    free(text);
    free(file);
    free(path);
    free(grades);
    json_decref(m);
}
END_TEST

START_TEST(a_class_graded_again_with_the_memory_check_is_graded_again)
{
    /* Every option that changes a grade is in the run's fingerprint: a
     * batch graded without --memcheck, then with it into the same folder,
     * kept the first grades, without the memory check's points or its
     * findings (an attacker's review: a leaking file kept 40/40). */
    const char *one[] = { "01-shared-buffer", NULL };
    char *class = kt_tempdir();
    char *out = kt_tempdir();
    kt_student(class, "ann", one, false, "solutions");
    const char *plain[] = { "--batch", class, "-o", out, "--lab", "01", "--test",
                            "read_line_basic", "--format", "json", NULL };
    const char *checked[] = { "--batch", class, "-o", out, "--lab", "01", "--test",
                              "read_line_basic", "--format", "json", "--memcheck", NULL };
    char *stdout_text, *progress;
    ck_assert_int_eq(kt_shmgrade_err(plain, &stdout_text, &progress), 0);
    free(stdout_text);
    free(progress);
    ck_assert_int_eq(kt_shmgrade_err(checked, &stdout_text, &progress), 0);
    ck_assert_msg(strstr(progress, "not graded again") == NULL, "%s", progress);
    char *grade = kt_path(out, "students/ann/grade.json");
    char *text = kt_read(grade, NULL);
    ck_assert_msg(strstr(text, "\"memcheck\"") != NULL, "no memory check in %s", text);
    free(text);
    free(grade);
    free(stdout_text);
    free(progress);
    kt_rmtree(class);
    kt_rmtree(out);
    free(class);
    free(out);
}
END_TEST

START_TEST(a_changed_file_graded_beside_an_earlier_starting_file_is_graded_again)
{
    /* The regrade key looks the file up as grading does: it took an
     * earlier release's starting file, which grading passes over, for the
     * student's, hashed it, and kept a stale grade after the file graded
     * (flat, beside it) changed (an attacker's review: 44 of 44 kept for a
     * skeleton). Lab 03: its first release's starting file differs from
     * this one in code, not only in comments. */
    char *class = kt_tempdir();
    char *out = kt_tempdir();
    char *ann = kt_path(class, "ann");
    char *lab = kt_path(ann, "03-devzero-pingpong");
    ck_assert_int_eq(mkdir(ann, 0755), 0);
    ck_assert_int_eq(mkdir(lab, 0755), 0);
    char *old = kt_path(kt_root, "labs/03-devzero-pingpong/earlier-skeletons/pingpong.c.v1");
    char *mirrored = kt_path(lab, "pingpong.c");
    kt_copy(old, mirrored);
    char *solution = kt_path(kt_root, "solutions/03-devzero-pingpong/pingpong.c");
    char *skeleton = kt_path(kt_root, "skeletons/03-devzero-pingpong/pingpong.c");
    char *flat = kt_path(ann, "pingpong.c");
    kt_copy(solution, flat);
    const char *args[] = { "--batch", class, "-o", out, "--lab", "03", "--test",
                           "map_devzero_shared", "--format", "json", NULL };
    char *stdout_text, *progress;
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &progress), 0);
    free(stdout_text);
    free(progress);
    char *csv = kt_path(out, "gradebook.csv");
    struct kt_csv *c = calloc(1, sizeof *c);
    kt_read_csv(csv, c);
    ck_assert_str_eq(kt_csv_get(c, "ann", "03-devzero-pingpong"), "3");
    unlink(flat);
    kt_copy(skeleton, flat);
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &progress), 0);
    ck_assert_msg(strstr(progress, "not graded again") == NULL, "%s", progress);
    kt_read_csv(csv, c);
    ck_assert_str_eq(kt_csv_get(c, "ann", "03-devzero-pingpong"), "0");
    free(c);
    free(stdout_text);
    free(progress);
    free(csv);
    free(flat);
    free(skeleton);
    free(solution);
    free(mirrored);
    free(old);
    free(lab);
    free(ann);
    kt_rmtree(class);
    kt_rmtree(out);
    free(class);
    free(out);
}
END_TEST

START_TEST(a_test_that_cannot_start_is_retried_then_not_graded)
{
    /* Once: the retry runs the test, and the student's grade is untouched. */
    const char *lab = "01-shared-buffer";
    char *solutions = kt_path(kt_root, "solutions");
    const char *tests[] = { "read_line_basic", "map_shared", NULL };
    struct sg_grade g;
    sg_grade_inject_start_faults(1);
    kt_grade_some(solutions, lab, tests, 0, &g);
    sg_grade_inject_start_faults(0);
    ck_assert_int_eq(g.labs[0].state, SG_LAB_GRADED);
    ck_assert(g.score == g.max_score && g.max_score > 0);
    sg_grade_free(&g);

    /* Always: the lab is not graded, which is not a score of 0. */
    sg_grade_inject_start_faults(1000);
    kt_grade_some(solutions, lab, tests, 0, &g);
    sg_grade_inject_start_faults(0);
    ck_assert_int_eq(g.labs[0].state, SG_LAB_GRADER_ERROR);
    ck_assert_msg(strstr(g.labs[0].problem, "could not start") != NULL, "%s", g.labs[0].problem);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert(sg_report_write(&g, SG_FORMAT_TEXT, f, false) == 0);
    fclose(f);
    ck_assert_msg(strstr(text, "NOT GRADED") != NULL, "%s", text);
    free(text);
    sg_grade_free(&g);

    /* In a class: the gradebook says incomplete and to regrade, the summary
     * leaves them out, and the next run grades exactly them again. */
    char *class = kt_tempdir(), *out = kt_tempdir();
    const char *labs[] = { lab, NULL };
    kt_student(class, "ann", labs, true, "solutions");
    kt_student(class, "bob", labs, false, "solutions");
    int failed;
    struct kt_csv *c = kt_batch_with_faults(class, out, labs, tests, sg_grade_inject_start_faults,
                                            1000, &failed);
    ck_assert_int_eq(failed, 2); /* both incomplete: the batch says so (exit status 1) */
    const char *status = kt_csv_get(c, "ann", "status");
    ck_assert_msg(strncmp(status, "incomplete: 01-shared-buffer not graded", 39) == 0 &&
                      strstr(status, "regrade") != NULL,
                  "%s", status);
    ck_assert_str_eq(kt_csv_get(c, "bob", "total"), "");
    ck_assert_str_eq(kt_csv_get(c, "bob", "01-shared-buffer"), "");
    /* Their folder says what happened, and holds no platform's file: each
     * of those holds a score (a platform review: results.json kept one). */
    char *report = kt_path(out, "students/ann/report.txt");
    char *platform = kt_path(out, "students/ann/results.json");
    ck_assert_msg(access(report, F_OK) == 0, "%s is missing", report);
    ck_assert_msg(access(platform, F_OK) == -1, "%s holds a score for an incomplete student",
                  platform);
    free(report);
    free(platform);
    char *sumfile = kt_path(out, "summary.json");
    json_t *summary = json_load_file(sumfile, 0, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(summary, "incomplete")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(summary, "graded")), 0);
    json_decref(summary);
    const char *students[] = { "ann", "bob", NULL };
    kt_regrade_is_ok(class, out, labs, tests, c, students);
    summary = json_load_file(sumfile, 0, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(summary, "incomplete")), 0);
    json_decref(summary);

    free(sumfile);
    free(c);
    kt_rmtree(class);
    kt_rmtree(out);
    free(class);
    free(out);
    free(solutions);
}
END_TEST

START_TEST(a_sandbox_that_cannot_be_tried_grades_nobody)
{
    /* A machine so busy (a classmate's fork bomb) that the sandbox's probe
     * could not start or end three times: the old grader then graded
     * without bubblewrap. Now the student is not graded, never scored,
     * and the next run grades them. */
    const char *lab = "01-shared-buffer";
    const char *tests[] = { "read_line_basic", NULL };
    const char *labs[] = { lab, NULL };
    char *class = kt_tempdir(), *out = kt_tempdir();
    /* Graded once as the skeleton; then her work comes in, and the grader
     * fails on her: the gradebook showed the skeleton's grade, "ok", and
     * the batch exited 0 (an instructor's review). */
    kt_student(class, "ann", labs, true, "skeletons");
    ck_assert_int_eq(kt_batch_in_process(class, out, labs, tests), 0);
    char *ann = kt_path(class, "ann");
    kt_rmtree(ann);
    free(ann);
    kt_student(class, "ann", labs, true, "solutions");
    int failed;
    struct kt_csv *c = kt_batch_with_faults(class, out, labs, tests,
                                            sg_sandbox_inject_probe_faults, SG_PROBE_TRIES,
                                            &failed);
    ck_assert_int_eq(failed, 1);
    const char *status = kt_csv_get(c, "ann", "status");
    ck_assert_msg(strncmp(status, "incomplete: not graded", 22) == 0 &&
                      strstr(status, "regrade") != NULL &&
                      strcmp(kt_csv_get(c, "ann", "total"), "") == 0,
                  "ann: status %s, total %s", status, kt_csv_get(c, "ann", "total"));
    const char *students[] = { "ann", NULL };
    kt_regrade_is_ok(class, out, labs, tests, c, students);
    free(c);
    kt_rmtree(class);
    kt_rmtree(out);
    free(class);
    free(out);
}
END_TEST

/* The FAIL lines of a student's text report in a batch's output, and what follows each. */
static char *kt_report_failures(const char *out, const char *student)
{
    struct sg_buf path = SG_BUF_INIT, fails = SG_BUF_INIT;
    sg_buf_printf(&path, "%s/students/%s/report.txt", out, student);
    char *text = access(path.data, R_OK) == 0 ? kt_read(path.data, NULL) : strdup("(no report)");
    for (char *p = text; (p = strstr(p, "FAIL")) != NULL; p++) {
        char *end = p;
        for (int lines = 0; lines < 5 && (end = strchr(end, '\n')) != NULL; lines++)
            end++;
        sg_buf_append(&fails, p, end ? (size_t)(end - p) : strlen(p));
    }
    free(text);
    sg_buf_free(&path);
    return fails.len ? sg_buf_take(&fails) : strdup("(no FAIL line)");
}

/* A student: the reference solution, with one exact edit to one lab's file. */
static void kt_edited_student(const char *class, const char *name, const char *const *labs,
                              const char *lab, const char *from, const char *to)
{
    kt_student(class, name, labs, true, "solutions");
    if (lab == NULL)
        return;
    char *file = kt_lab_file(lab);
    struct sg_buf path = SG_BUF_INIT;
    sg_buf_printf(&path, "%s/%s/%s/%s", class, name, lab, file);
    char *text = kt_read(path.data, NULL);
    char *at = strstr(text, from);
    ck_assert_msg(at != NULL, "%s: the solution no longer contains %s", name, from);
    struct sg_buf edited = SG_BUF_INIT;
    sg_buf_puts(&edited, "#include <stdlib.h>\n#include <string.h>\n#include <unistd.h>\n");
    sg_buf_append(&edited, text, (size_t)(at - text));
    sg_buf_puts(&edited, to);
    sg_buf_puts(&edited, at + strlen(from));
    kt_write(path.data, edited.data);
    sg_buf_free(&edited);
    sg_buf_free(&path);
    free(text);
    free(file);
}

/* The total shmgrade gives one student's folder alone, with args before it. */
static char *kt_total_alone(const char *const *args, const char *student)
{
    const char *argv[16];
    size_t n = 0;
    for (; args[n] != NULL; n++)
        argv[n] = args[n];
    argv[n++] = "--format";
    argv[n++] = "json";
    argv[n++] = student;
    argv[n] = NULL;
    char *out;
    ck_assert_int_eq(kt_shmgrade(argv, &out), 0);
    json_t *root = json_loads(out, 0, NULL);
    ck_assert_msg(root != NULL, "%s", out);
    struct sg_buf total = SG_BUF_INIT;
    sg_buf_printf(&total, "%g", json_number_value(json_object_get(root, "score")));
    json_decref(root);
    free(out);
    return sg_buf_take(&total);
}

START_TEST(a_class_is_graded_as_each_student_alone)
{
    /* Correct copies beside a fork bomb, a process hog, a memory bomb and a
     * hang, at twice as many jobs as cores: every correct copy gets full
     * marks, every hostile one the score it gets alone. Then 8 correct
     * copies at -j four times the cores (on two cores, all at once). */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    char twice[24], four_times[24];
    snprintf(twice, sizeof twice, "%ld", 2 * (cores > 0 ? cores : 1));
    snprintf(four_times, sizeof four_times, "%ld", 4 * (cores > 0 ? cores : 1));
    const char *labs[] = { "01-shared-buffer", "02-kerrisk-increment", NULL };
    const char *sb = "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n";
    struct sg_buf hog = SG_BUF_INIT, bomb = SG_BUF_INIT, hang = SG_BUF_INIT;
    sg_buf_printf(&hog, "%s    for (int i = 0; i < 65; i++)\n        if (fork() == 0) {\n"
                        "            sleep(3);\n            _exit(0);\n        }\n", sb);
    /* The bomb touches a byte of each MiB, not every page: faulting 512 MiB
     * in costs more CPU than the CPU limit's floor on a slow VM, and under
     * the class's load the CPU limit, not the address space, would stop it
     * in some tests and not in others (a submission at the edge of two
     * limits has no one right score; this test is about classmates). */
    sg_buf_printf(&bomb, "%s    static int once;\n    while (!once) {\n"
                         "        char *p = malloc(1 << 20);\n        if (p == NULL)\n"
                         "            break;\n        p[0] = 1;\n    }\n"
                         "    once = 1;\n", sb);
    sg_buf_printf(&hang, "int sb_unmap(char *buf, size_t npages)\n{\n"
                         "    for (volatile int spin = 1; spin;) {\n    }\n");
    struct {
        const char *name, *lab, *from, *to;
    } hostile[] = {
        { "fork-bomb", "02-kerrisk-increment",
          "_exit(inc_worker(counter, lockfd, iters, start[0]));",
          "for (int i = 0; i < 100000; i++)\n                fork();\n            _exit(0);" },
        { "process-hog", "01-shared-buffer", sb, hog.data },
        { "memory-bomb", "01-shared-buffer", sb, bomb.data },
        { "hang", "01-shared-buffer", "int sb_unmap(char *buf, size_t npages)\n{\n", hang.data },
    };
    char *class = kt_tempdir(), *out = kt_tempdir();
    char name[32];
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "correct-%d", i);
        kt_edited_student(class, name, labs, NULL, NULL, NULL);
    }
    const char *common[] = { "--lab", "01", "--lab", "02", "--hidden", NULL };
    char *alone[4];
    for (size_t i = 0; i < 4; i++) {
        kt_edited_student(class, hostile[i].name, labs, hostile[i].lab, hostile[i].from,
                          hostile[i].to);
        char *dir = kt_path(class, hostile[i].name);
        alone[i] = kt_total_alone(common, dir);
        free(dir);
    }
    const char *args[] = { "--batch", class, "-o", out, "-j", twice, "--lab", "01", "--lab", "02",
                           "--hidden", NULL };
    char *stdout_text, *progress;
    int rc = kt_shmgrade_err(args, &stdout_text, &progress);
    ck_assert_msg(rc == 0, "the batch exited %d:\n%s", rc, kt_tail(progress));
    char *csv = kt_path(out, "gradebook.csv");
    struct kt_csv *c = calloc(1, sizeof *c);
    kt_read_csv(csv, c);
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "correct-%d", i);
        if (strcmp(kt_csv_get(c, name, "percent"), "100.0") != 0 ||
            strcmp(kt_csv_get(c, name, "status"), "ok") != 0) {
            char *failures = kt_report_failures(out, name);
            ck_abort_msg("%s beside the hostile ones: %s%%, %s\n%s", name,
                         kt_csv_get(c, name, "percent"), kt_csv_get(c, name, "status"), failures);
        }
    }
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(strcmp(kt_csv_get(c, hostile[i].name, "total"), alone[i]) == 0,
                      "%s: %s in the class, %s alone", hostile[i].name,
                      kt_csv_get(c, hostile[i].name, "total"), alone[i]);
    free(stdout_text);
    free(progress);
    kt_rmtree(class);
    kt_rmtree(out);

    ck_assert(mkdir(class, 0700) == 0);
    /* Eight: on two cores, as many students as jobs, all graded at once
     * (sixteen only made a second such wave). */
    for (int i = 0; i < 8; i++) {
        snprintf(name, sizeof name, "correct-%02d", i);
        kt_edited_student(class, name, labs, NULL, NULL, NULL);
    }
    const char *args16[] = { "--batch", class, "-o", out, "-j", four_times, "--lab", "01", "--lab",
                             "02", "--hidden", NULL };
    ck_assert_int_eq(kt_shmgrade_err(args16, &stdout_text, &progress), 0);
    kt_read_csv(csv, c);
    ck_assert_int_eq(c->rows, 9);
    for (int r = 1; r < c->rows; r++)
        if (strcmp(kt_csv_get(c, c->cells[r][0], "percent"), "100.0") != 0 ||
            strcmp(kt_csv_get(c, c->cells[r][0], "status"), "ok") != 0) {
            char *failures = kt_report_failures(out, c->cells[r][0]);
            ck_abort_msg("%s at -j %s: %s%%, %s\n%s", c->cells[r][0], four_times,
                         kt_csv_get(c, c->cells[r][0], "percent"),
                         kt_csv_get(c, c->cells[r][0], "status"), failures);
        }
    free(stdout_text);
    free(progress);
    for (size_t i = 0; i < 4; i++)
        free(alone[i]);
    free(csv);
    free(c);
    sg_buf_free(&hog);
    sg_buf_free(&bomb);
    sg_buf_free(&hang);
    kt_rmtree(class);
    kt_rmtree(out);
    free(class);
    free(out);
}
END_TEST

START_TEST(a_judge_without_queued_signals_still_times_its_test)
{
    /* Queued signals are counted per user (a classmate's test could take
     * them all, and kill() queues past any limit): with none left, Check's
     * timer in the judge was refused and Check gave up, and every test was
     * "not graded" (before that, a failure blamed on the student). The
     * judge now times the test with ITIMER_REAL then (sg_timer.c), and the
     * test is graded as if nothing were amiss (Check gives up as well when
     * arming or deleting its timer fails, so a pass here needs all three
     * stand-ins). This process is Check's fork of the kit's tests: the
     * limit dies with it. */
    struct rlimit none = { 0, 0 };
    ck_assert(setrlimit(RLIMIT_SIGPENDING, &none) == 0);
    char *solutions = kt_path(kt_root, "solutions");
    const char *tests[] = { "map_shared", NULL };
    struct sg_grade g;
    kt_grade_some(solutions, "01-shared-buffer", tests, 0, &g);
    ck_assert_msg(g.labs[0].state == SG_LAB_GRADED && g.score == g.max_score, "%g of %g: %s",
                  g.score, g.max_score, kt_first_failure(&g.labs[0]));
    sg_grade_free(&g);
    /* A test that sleeps past its limit: nothing but the judge's timer
     * (a sleeping test is neither stuck nor spending CPU) can end it. */
    char *class = kt_tempdir();
    const char *labs[] = { "01-shared-buffer", NULL };
    const char *open = "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n";
    struct sg_buf sleeper = SG_BUF_INIT;
    sg_buf_printf(&sleeper, "%s    sleep(4);\n", open);
    kt_edited_student(class, "sleeper", labs, labs[0], open, sleeper.data);
    char *sub = kt_path(class, "sleeper");
    const char *basic[] = { "read_line_basic", NULL };
    kt_grade_some(sub, labs[0], basic, 1.0, &g);
    /* Check's own verdict, "did not finish within 1 s", comes from the
     * judge's timer; the grader's wall limit, later, says "killed after". */
    ck_assert_msg(g.labs[0].state == SG_LAB_GRADED && g.labs[0].ntests == 1 &&
                      g.labs[0].tests[0].timed_out && g.labs[0].tests[0].observed != NULL &&
                      strstr(g.labs[0].tests[0].observed, "did not finish within 1 s") != NULL,
                  "a test sleeping past its 1 s: %s (%.2f s)", kt_first_failure(&g.labs[0]),
                  g.labs[0].ntests == 1 ? g.labs[0].tests[0].seconds : -1.0);
    sg_grade_free(&g);
    sg_buf_free(&sleeper);
    kt_rmtree(class);
    free(class);
    free(sub);
    free(solutions);
}
END_TEST

/* A program that takes every queued signal it may (timers), says how many
 * in a file named held-N in the folder it is given, and holds them. */
static const char kt_signal_hog[] =
    "#include <stdio.h>\n#include <time.h>\n#include <unistd.h>\n"
    "int main(int argc, char *argv[])\n{\n"
    "    timer_t t;\n    long n = 0;\n"
    "    while (argc > 1 && n < 1000000 && timer_create(CLOCK_MONOTONIC, NULL, &t) == 0)\n"
    "        n++;\n"
    "    char path[512];\n"
    "    snprintf(path, sizeof path, \"%s/held-%ld\", argv[1], n);\n"
    "    FILE *f = fopen(path, \"w\");\n    if (f != NULL)\n        fclose(f);\n"
    "    sleep(120);\n    return 0;\n}\n";

/* How many signals the hog holds (it named a file held-N in dir); -1 until it says. */
static long kt_signals_held(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert(d != NULL);
    long n = -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "held-", 5) == 0)
            n = strtol(e->d_name + 5, NULL, 10);
    closedir(d);
    return n;
}

START_TEST(a_classmates_queued_signals_leave_every_judge_its_timer)
{
    /* One sandbox holds every queued signal it may while a correct lab is
     * graded beside it: each judge still gets its timer. The limit that
     * bounds a sandbox was once set before bubblewrap made its user
     * namespace, where the kernel applies it to the user's count in the
     * parent, which all sandboxes share: one test holding 1024 timers then
     * left every other test's judge none ("not graded", for the whole class). */
    char *work = kt_tempdir(), *dir = kt_tempdir();
    char *src = kt_path(dir, "hog.c"), *hog = kt_path(dir, "hog");
    kt_write(src, kt_signal_hog);
    struct sg_buf cmd = SG_BUF_INIT;
    sg_buf_printf(&cmd, "cc -o '%s' '%s'", hog, src);
    ck_assert_msg(system(cmd.data) == 0, "%s failed", cmd.data);
    struct sg_buf enter = SG_BUF_INIT, kit_enter = SG_BUF_INIT;
    sg_buf_printf(&enter, "%s/sg_enter", work);
    sg_buf_printf(&kit_enter, "%s/build/kit/sg_enter", kt_root);
    ck_assert(sg_copy_file(kit_enter.data, enter.data, 0755) == 0);
    struct sg_sandbox sb;
    ck_assert(sg_sandbox_init(&sb, work, enter.data, false) == 0);
    if (sb.bwrap[0] == '\0' || !sb.per_sandbox) {
        /* Without namespaces queued signals are one pool per user: no
         * grader can give each test its own (the report's sandbox line says
         * which holds here). */
        fprintf(stderr, "note: no per-sandbox budgets here (%s): queued signals not tried\n",
                sb.description);
    } else {
        ck_assert(sg_sandbox_share(&sb, dir, true) == 0);
        sg_spawn_init();
        pid_t holder = fork();
        ck_assert(holder != -1);
        if (holder == 0) {
            const char *argv[] = { hog, dir, NULL };
            const char *envp[] = { "PATH=/usr/bin:/bin", NULL };
            struct sg_mounts m = { .writable = dir, .cwd = dir };
            struct sg_spawn_opts o = { .argv = argv, .envp = envp, .timeout_ms = 120000,
                                       .output_cap = 4096, .sandbox = &sb, .mounts = &m };
            struct sg_spawn_result r;
            _exit(sg_spawn(&o, &r) == 0 ? 0 : 1);
        }
        long held = -1;
        for (int i = 0; i < 2000 && (held = kt_signals_held(dir)) < 0; i++)
            usleep(10000);
        char *solutions = kt_path(kt_root, "solutions");
        struct sg_grade g;
        memset(&g, 0, sizeof g);
        if (held > 1000)
            kt_grade(solutions, "01-shared-buffer", &g);
        kill(holder, SIGKILL);
        while (waitpid(holder, NULL, 0) == -1 && errno == EINTR)
            ;
        ck_assert_msg(held > 1000 && held <= SG_LIMIT_SIGPENDING,
                      "the hog holds %ld queued signals (expected: about %d, its sandbox's cap)",
                      held, (int)SG_LIMIT_SIGPENDING);
        ck_assert_msg(g.labs[0].state == SG_LAB_GRADED && g.score == g.max_score,
                      "the reference beside a test holding %ld queued signals: %g of %g: %s", held,
                      g.score, g.max_score, kt_first_failure(&g.labs[0]));
        sg_grade_free(&g);
        free(solutions);
    }
    kt_rmtree(dir);
    kt_rmtree(work);
    sg_buf_free(&cmd);
    sg_buf_free(&enter);
    sg_buf_free(&kit_enter);
    free(src);
    free(hog);
    free(dir);
    free(work);
}
END_TEST

/*
 * Called first by sl_probe, which nearly every test of lab 04 calls: leaves
 * a mark in MEET for a moment and, when a mark of OTHER's is there at the
 * same time, says so in MEET/overlap.
 */
static const char kt_meet_code[] =
    "#include <dirent.h>\n#include <fcntl.h>\n#include <stdio.h>\n#include <string.h>\n"
    "#include <time.h>\n#include <unistd.h>\n"
    "static void kt_meet(void)\n{\n"
    "    char mine[512];\n"
    "    snprintf(mine, sizeof mine, \"%s/%s-%ld\", MEET, WHO, (long)getpid());\n"
    "    int fd = open(mine, O_CREAT | O_WRONLY, 0666);\n"
    "    if (fd == -1)\n        return;\n    close(fd);\n"
    "    struct timespec ts = { 0, 150000000L };\n    nanosleep(&ts, NULL);\n"
    "    DIR *d = opendir(MEET);\n    struct dirent *e;\n"
    "    while (d != NULL && (e = readdir(d)) != NULL)\n"
    "        if (strncmp(e->d_name, OTHER \"-\", strlen(OTHER) + 1) == 0)\n"
    "            close(open(MEET \"/overlap\", O_CREAT | O_WRONLY, 0666));\n"
    "    if (d != NULL)\n        closedir(d);\n    unlink(mine);\n}\n";

/* Lab 04's solution for name, which meets other in meet (kt_meet_code). */
static void kt_meeting_student(const char *class, const char *name, const char *other,
                               const char *meet)
{
    const char *labs[] = { "04-shmat-layout", NULL };
    const char *entry = "int sl_probe(struct sl_layout *l)\n{\n";
    struct sg_buf to = SG_BUF_INIT;
    sg_buf_printf(&to, "#define MEET \"%s\"\n#define WHO \"%s\"\n#define OTHER \"%s\"\n%s%s"
                       "    kt_meet();\n",
                  meet, name, other, kt_meet_code, entry);
    kt_edited_student(class, name, labs, labs[0], entry, to.data);
    sg_buf_free(&to);
}

/*
 * Bubblewrap installed and user namespaces allowed, yet bubblewrap cannot
 * run (a container that hides parts of /proc: it cannot mount its own).
 * Every student's tests then run without namespaces, and the batch graded
 * four at once: a student's code read a classmate's sources from /tmp and
 * ran the hidden tests' program it saw there (an attacker's review). A
 * bubblewrap that fails as it does there stands in for it here.
 */
START_TEST(a_class_where_bubblewrap_cannot_run_is_graded_one_student_at_a_time)
{
    if (geteuid() != 0) {
        fprintf(stderr, "note: not root: a bubblewrap that cannot run not tried\n");
        return;
    }
    char *t = kt_tempdir(), *class = kt_tempdir(), *out = kt_tempdir();
    char meet[] = "/tmp/kt-meet.XXXXXX";
    ck_assert(mkdtemp(meet) != NULL && chmod(meet, 01777) == 0);
    char *fake = kt_path(t, "bwrap");
    kt_write(fake, "#!/bin/sh\necho 'bwrap: Can'\"'\"'t mount proc on /newroot/proc: "
                   "Operation not permitted' >&2\nexit 1\n");
    ck_assert(chmod(fake, 0755) == 0);
    const char *names[] = { "ann", "bob", "cy", "dee" };
    for (int i = 0; i < 4; i++)
        kt_meeting_student(class, names[i], names[(i + 1) % 4], meet);
    struct sg_buf sh = SG_BUF_INIT;
    sg_buf_printf(&sh, "unshare --mount sh -c 'mount --bind %s /usr/bin/bwrap && "
                       "grader/shmgrade --batch %s -o %s --lab 04 -j 4 --format text'",
                  fake, class, out);
    char *log;
    int rc = kt_sh(sh.data, &log);
    ck_assert_msg(rc == 0, "the batch (%d):\n%s", rc, kt_tail(log));
    ck_assert_msg(strstr(log, "graded one at a time, without namespaces") != NULL,
                  "the batch does not say why it grades one student at a time:\n%s", kt_tail(log));
    free(log);
    char *csv = kt_path(out, "gradebook.csv");
    struct kt_csv *c = calloc(1, sizeof *c);
    kt_read_csv(csv, c);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(strcmp(kt_csv_get(c, names[i], "status"), "ok") == 0 &&
                          strcmp(kt_csv_get(c, names[i], "percent"), "100.0") == 0,
                      "%s: %s, %s %%", names[i], kt_csv_get(c, names[i], "status"),
                      kt_csv_get(c, names[i], "percent"));
    struct sg_buf report = SG_BUF_INIT;
    sg_buf_printf(&report, "%s/students/ann/report.txt", out);
    char *text = kt_read(report.data, NULL);
    ck_assert_msg(strstr(text, "NO NAMESPACES") != NULL, "the fake bubblewrap ran:\n%s", text);
    char *overlap = kt_path(meet, "overlap");
    ck_assert_msg(access(overlap, F_OK) == -1,
                  "two students' tests ran at once without namespaces");
    free(overlap);
    free(text);
    sg_buf_free(&report);
    free(csv);
    free(c);
    sg_buf_free(&sh);
    kt_rmtree(meet);
    kt_rmtree(t);
    kt_rmtree(class);
    kt_rmtree(out);
    free(fake);
    free(t);
    free(class);
    free(out);
}
END_TEST

/*
 * What a root grader shares with a submission's user (its sources, the
 * built tests, the hidden tests' program) is closed to every other
 * account: readable by all, it was open to whoever shares the grading
 * machine (an attacker's review). Another uid looks while a lab is graded.
 */
START_TEST(a_root_gradings_scratch_is_closed_to_other_users)
{
    if (geteuid() != 0) {
        fprintf(stderr, "note: not root: the scratch folder is the grader's own\n");
        return;
    }
    char tmp[] = "/tmp/kt-scratch.XXXXXX";
    ck_assert(mkdtemp(tmp) != NULL && chmod(tmp, 0755) == 0);
    char *found = kt_path(tmp, "found");
    int w = open(found, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ck_assert(w != -1);
    fflush(NULL);
    pid_t looker = fork();
    ck_assert(looker != -1);
    if (looker == 0) {
        /* Any uid but root's and the sandbox's: the kit draws those from far above. */
        if (setgroups(0, NULL) == -1 || setgid(60123) == -1 || setuid(60123) == -1)
            _exit(2);
        for (;;) {
            char *paths[] = { "shmgrade.*/*/src/*.c", "shmgrade.*/*/hidden-out/*",
                              "shmgrade.*/*/out/*" };
            for (size_t i = 0; i < 3; i++) {
                struct sg_buf pattern = SG_BUF_INIT;
                sg_buf_printf(&pattern, "%s/%s", tmp, paths[i]);
                glob_t g;
                if (glob(pattern.data, 0, NULL, &g) == 0) {
                    for (size_t k = 0; k < g.gl_pathc; k++) {
                        int fd = open(g.gl_pathv[k], O_RDONLY);
                        if (fd != -1 && write(w, g.gl_pathv[k], strlen(g.gl_pathv[k])) > 0)
                            (void)!write(w, "\n", 1);
                        if (fd != -1)
                            close(fd);
                    }
                    globfree(&g);
                }
                sg_buf_free(&pattern);
            }
            struct timespec ts = { 0, 2000000L };
            nanosleep(&ts, NULL);
        }
    }
    close(w);
    struct sg_buf sh = SG_BUF_INIT;
    char *results = kt_path(tmp, "results.json");
    sg_buf_printf(&sh, "TMPDIR=%s grader/shmgrade --hidden --lab 04 --format json -o %s solutions",
                  tmp, results);
    char *log;
    int rc = kt_sh(sh.data, &log);
    kill(looker, SIGKILL);
    waitpid(looker, NULL, 0);
    kt_require_full_marks(results, rc, "the grading", log);
    free(results);
    char *seen = kt_read(found, NULL);
    ck_assert_msg(seen[0] == '\0', "another user could read:\n%.600s", seen);
    free(seen);
    free(log);
    sg_buf_free(&sh);
    kt_rmtree(tmp);
    free(found);
}
END_TEST

void kt_add_batch(Suite *s)
{
    TCase *tc = tcase_create("batch");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, batch_grades_a_mixed_class);
    tcase_add_test(tc, a_class_graded_again_with_the_memory_check_is_graded_again);
    tcase_add_test(tc, a_changed_file_graded_beside_an_earlier_starting_file_is_graded_again);
    tcase_add_test(tc, the_output_folder_inside_the_class_is_no_student);
    tcase_add_test(tc, a_grades_folder_in_use_is_not_written_twice_at_once);
    tcase_add_test(tc, a_missing_class_folder_or_roster_is_a_usage_error);
    tcase_add_test(tc, a_batch_killed_outright_takes_its_processes_with_it);
    tcase_add_test(tc, a_test_that_cannot_start_is_retried_then_not_graded);
    tcase_add_test(tc, a_judge_without_queued_signals_still_times_its_test);
    tcase_add_test(tc, a_classmates_queued_signals_leave_every_judge_its_timer);
    tcase_add_test(tc, a_sandbox_that_cannot_be_tried_grades_nobody);
    tcase_add_test(tc, a_class_is_graded_as_each_student_alone);
    tcase_add_test(tc, a_class_where_bubblewrap_cannot_run_is_graded_one_student_at_a_time);
    tcase_add_test(tc, a_root_gradings_scratch_is_closed_to_other_users);
    suite_add_tcase(s, tc);
}
