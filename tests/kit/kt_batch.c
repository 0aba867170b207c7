/* kt_batch.c — grading a class. */
#include "kt.h"

START_TEST(batch_grades_a_mixed_class)
{
    const char *both[] = { "01-shared-buffer", "04-shmat-layout", NULL };
    const char *one[] = { "01-shared-buffer", NULL };
    char *class = kt_tempdir();
    char *out = kt_tempdir();
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
    kt_student(class, "o'brien, \"jr\"", one, false, "solutions");
    /* Names that once broke the batch: one that is a class file's, one
     * that is not UTF-8; and a student's folder that is a link to another's. */
    kt_student(class, "gradebook.csv", one, false, "solutions");
    kt_student(class, "caf\xe9", one, false, "solutions");
    char *linked = kt_path(class, "linked-to-correct-0");
    char *target = kt_path(class, "correct-0");
    ck_assert(symlink(target, linked) == 0);
    free(linked);
    free(target);

    const char *args[] = { "--batch", class, "-j", "2", "-o", out, "--lab", "01", "--lab", "04",
                           "--format", "text", "--format", "json", "--format", "junit",
                           "--format", "tap", "--format", "autolab", NULL };
    char *stdout_text, *progress;
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &progress), 0);
    ck_assert_msg(strstr(progress, "[23/23]") != NULL, "progress:\n%s", progress);

    /* The gradebook: a row per student, the right totals and statuses. */
    char *csv = kt_path(out, "gradebook.csv");
    struct kt_csv *c = calloc(1, sizeof *c);
    kt_read_csv(csv, c);
    ck_assert_int_eq(c->rows, 24);
    ck_assert_str_eq(kt_csv_get(c, "correct-0", "total"), "70");
    ck_assert_str_eq(kt_csv_get(c, "correct-0", "status"), "ok");
    ck_assert_str_eq(kt_csv_get(c, "correct-5", "percent"), "100.0");
    ck_assert_str_eq(kt_csv_get(c, "only-lab-01-1", "01-shared-buffer"), "40");
    ck_assert_str_eq(kt_csv_get(c, "only-lab-01-1", "status"), "04-shmat-layout: missing file");
    ck_assert_str_eq(kt_csv_get(c, "skeleton-2", "total"), "0");
    ck_assert_str_eq(kt_csv_get(c, "compile-error-0", "status"), "04-shmat-layout: compile error");
    ck_assert_str_eq(kt_csv_get(c, "compile-error-0", "01-shared-buffer"), "40");
    ck_assert_str_eq(kt_csv_get(c, "empty-1", "status"),
                     "01-shared-buffer: missing file; 04-shmat-layout: missing file");
    ck_assert_str_eq(kt_csv_get(c, "exit-zero", "01-shared-buffer"), "19");
    ck_assert_str_eq(kt_csv_get(c, "o'brien, \"jr\"", "total"), "40");
    ck_assert_str_eq(kt_csv_get(c, "gradebook.csv", "total"), "40");
    ck_assert_str_eq(kt_csv_get(c, "caf\\xe9", "total"), "40");
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
    ck_assert_str_eq(kt_csv_get(c, "exit-zero", "01-shared-buffer"), "40");

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

void kt_add_batch(Suite *s)
{
    TCase *tc = tcase_create("batch");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, batch_grades_a_mixed_class);
    suite_add_tcase(s, tc);
}
