/* kt_platforms.c — the student kit and the platforms' packages. */
#include "kt.h"

/* Gradescope's results.json, checked against the fields and values its documentation gives. */
static void kt_require_gradescope_results(const char *path, bool full_marks)
{
    json_error_t jerr;
    json_t *r = json_load_file(path, 0, &jerr);
    ck_assert_msg(r != NULL, "%s: %s", path, jerr.text);
    const char *visibilities[] = { "hidden", "after_due_date", "after_published", "visible" };
    const char *keys[] = { "visibility", "stdout_visibility" };
    for (size_t k = 0; k < 2; k++) {
        json_t *v = json_object_get(r, keys[k]);
        bool ok = v == NULL;
        for (size_t i = 0; i < 4 && !ok; i++)
            ok = json_is_string(v) && strcmp(json_string_value(v), visibilities[i]) == 0;
        ck_assert_msg(ok, "%s: bad %s", path, keys[k]);
    }
    ck_assert(json_is_number(json_object_get(r, "score")));
    ck_assert(json_object_get(r, "execution_time") == NULL ||
              json_is_number(json_object_get(r, "execution_time")));
    ck_assert(json_is_string(json_object_get(r, "output")));
    json_t *tests = json_object_get(r, "tests");
    ck_assert_msg(json_is_array(tests) && json_array_size(tests) > 0, "%s: no tests", path);
    double sum = 0;
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t) {
        ck_assert(json_is_string(json_object_get(t, "name")));
        ck_assert(json_is_number(json_object_get(t, "score")));
        ck_assert(json_is_number(json_object_get(t, "max_score")));
        ck_assert(json_is_string(json_object_get(t, "output")));
        const char *status = json_string_value(json_object_get(t, "status"));
        ck_assert(status != NULL && (strcmp(status, "passed") == 0 || strcmp(status, "failed") == 0));
        const char *vis = json_string_value(json_object_get(t, "visibility"));
        bool ok = false;
        for (size_t k = 0; k < 4 && vis != NULL; k++)
            ok |= strcmp(vis, visibilities[k]) == 0;
        ck_assert_msg(ok, "test %zu has visibility %s", i, vis ? vis : "(none)");
        sum += json_number_value(json_object_get(t, "score"));
    }
    ck_assert(sum == json_number_value(json_object_get(r, "score")));
    if (full_marks)
        ck_assert_msg(json_number_value(json_object_get(r, "score")) ==
                          json_number_value(json_object_get(r, "max_score")),
                      "%s: not full marks", path);
    json_decref(r);
}

START_TEST(student_kit_has_no_answers_and_grades_work)
{
    char *t = kt_tempdir();
    struct sg_buf sh = SG_BUF_INIT;
    char *out;
    sg_buf_printf(&sh, "scripts/make-dist.sh '%s/kit.tar.gz' >/dev/null && tar tzf '%s/kit.tar.gz'", t, t);
    ck_assert_int_eq(kt_sh(sh.data, &out), 0);
    const char *forbidden[] = { "shmlab-student/solutions/", "/hidden/", "shmlab-student/tests/",
                                "corpus", "shmlab-student/.ci/", "shmlab-student/skeletons/" };
    for (size_t i = 0; i < sizeof forbidden / sizeof *forbidden; i++)
        ck_assert_msg(strstr(out, forbidden[i]) == NULL, "the student kit holds %s",
                      forbidden[i]);
    ck_assert_msg(strstr(out, "shmlab-student/work/01-shared-buffer/shared_buffer.c") != NULL,
                  "no working file for lab 01");
    for (char **l = kt_labs; *l != NULL; l++) {
        struct sg_buf page = SG_BUF_INIT;
        sg_buf_printf(&page, "shmlab-student/handouts/html/%s.html", *l);
        ck_assert_msg(strstr(out, page.data) != NULL, "no rendered handout %s", page.data);
        sg_buf_free(&page);
    }
    free(out);
    sh.len = 0;
    sg_buf_printf(&sh, "cd '%s' && tar xzf kit.tar.gz && cd shmlab-student && make test", t);
    int rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0 && strstr(out, "  total ") != NULL && strstr(out, "[hidden]") == NULL,
                  "make test in the unpacked student kit (status %d):\n%s", rc, kt_tail(out));
    free(out);
    sg_buf_free(&sh);
    kt_rmtree(t);
    free(t);
}
END_TEST

START_TEST(gradescope_package_runs_in_a_simulated_autograder)
{
    char *t = kt_tempdir();
    struct sg_buf sh = SG_BUF_INIT;
    sg_buf_printf(&sh,
                  "set -e; scripts/make-package.sh gradescope '%s/pkg' >/dev/null; "
                  "mkdir -p '%s/ag/source' '%s/ag/submission'; cd '%s/ag/source'; "
                  "unzip -q '%s/pkg/shmlab-gradescope.zip'; "
                  "test ! -e solutions; test -e labs/01-shared-buffer/hidden/rubric.json; "
                  "AUTOGRADER_ROOT='%s/ag' bash setup.sh >/dev/null; "
                  "cp -r '%s/solutions/.' '%s/ag/submission/'; "
                  "AUTOGRADER_ROOT='%s/ag' ./run_autograder",
                  t, t, t, t, t, t, kt_root, t, t);
    char *out;
    int rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0, "the simulated Gradescope run failed (%d):\n%s", rc, kt_tail(out));
    char *results = kt_path(t, "ag/results/results.json");
    kt_require_gradescope_results(results, true);
    free(results);
    free(out);
    sg_buf_free(&sh);
    kt_rmtree(t);
    free(t);
}
END_TEST

START_TEST(autolab_package_ends_with_its_scores)
{
    char *t = kt_tempdir();
    struct sg_buf sh = SG_BUF_INIT;
    sg_buf_printf(&sh,
                  "set -e; scripts/make-package.sh autolab '%s/al' >/dev/null; cd '%s/al'; "
                  "mv autograde-Makefile Makefile; tar cf handin.tar -C '%s/solutions' .; make",
                  t, t, kt_root);
    char *out;
    int rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0, "the simulated Autolab run failed (%d):\n%s", rc, kt_tail(out));
    size_t len = strlen(out);
    while (len > 0 && out[len - 1] == '\n')
        out[--len] = '\0';
    char *last = strrchr(out, '\n');
    last = last ? last + 1 : out;
    json_error_t jerr;
    json_t *r = json_loads(last, 0, &jerr);
    ck_assert_msg(r != NULL, "the last line does not parse: %s\n%s", jerr.text, last);
    json_t *scores = json_object_get(r, "scores");
    ck_assert_msg(json_is_object(scores) && json_object_size(scores) == (size_t)kt_nlabs, "%s",
                  last);
    ck_assert(json_number_value(json_object_get(scores, "01-shared-buffer")) == 50);
    json_decref(r);
    free(out);
    sg_buf_free(&sh);
    kt_rmtree(t);
    free(t);
}
END_TEST

void kt_add_platforms(Suite *s)
{
    TCase *tc = tcase_create("platforms");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, student_kit_has_no_answers_and_grades_work);
    tcase_add_test(tc, gradescope_package_runs_in_a_simulated_autograder);
    tcase_add_test(tc, autolab_package_ends_with_its_scores);
    suite_add_tcase(s, tc);
}
