/* kt_reference.c — the reference solutions and the skeletons. */
#include "kt.h"

#include <elf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The points of a lab's tests, public and hidden (the memory check apart). */
static double kt_lab_points(const char *lab)
{
    double sum = 0;
    const char *files[] = { "rubric.json", "hidden/rubric.json" };
    for (size_t f = 0; f < 2; f++) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s/labs/%s/%s", kt_root, lab, files[f]);
        json_t *r = json_load_file(p.data, 0, NULL);
        ck_assert_msg(r != NULL || f == 1, "%s does not load", p.data);
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(r, "tests"), i, t)
            sum += json_number_value(json_object_get(t, "points"));
        json_decref(r);
        sg_buf_free(&p);
    }
    return sum;
}

START_TEST(the_readme_gives_the_points_the_rubrics_give)
{
    /* An instructor sets the platform's maximum from the README: stale
     * totals (268.5 where the labs gave 273) showed a full-marks student
     * above 100 % (a platform review). */
    struct sg_buf each = SG_BUF_INIT, total = SG_BUF_INIT;
    double all = 0;
    for (int i = 0; i < kt_nlabs; i++) {
        double p = kt_lab_points(kt_labs[i]);
        all += p;
        sg_buf_printf(&each, "%s%g", i == 0 ? "" : i + 1 < kt_nlabs ? ", " : " and ", p);
    }
    sg_buf_printf(&total, "(%g for every lab;", all);
    char *path = kt_path(kt_root, "README.md");
    char *readme = kt_read(path, NULL);
    ck_assert_msg(strstr(readme, total.data) != NULL, "README.md does not say %s", total.data);
    sg_buf_puts(&each, " today");
    ck_assert_msg(strstr(readme, each.data) != NULL, "README.md does not list %s", each.data);
    free(readme);
    free(path);
    sg_buf_free(&each);
    sg_buf_free(&total);
}
END_TEST

START_TEST(solutions_score_full_marks_json_and_text)
{
    /* One grading, both reports (--also): each is checked on its own. */
    char *dir = kt_tempdir();
    char *textfile = kt_path(dir, "report.txt");
    struct sg_buf also = SG_BUF_INIT;
    sg_buf_printf(&also, "text=%s", textfile);
    const char *args[] = { "--hidden", "--format", "json", "--also", also.data, "solutions", NULL };
    char *out;
    ck_assert_int_eq(kt_shmgrade(args, &out), 0);
    char *text = kt_read(textfile, NULL);
    ck_assert_msg(strstr(text, "(100.0 %)") != NULL, "text report:\n%s", text);
    ck_assert_msg(strstr(text, "\n  FAIL ") == NULL, "text report:\n%s", text);
    free(text);
    kt_rmtree(dir);
    free(dir);
    free(textfile);
    sg_buf_free(&also);
    json_error_t jerr;
    json_t *root = json_loads(out, 0, &jerr);
    ck_assert_msg(root != NULL, "results.json does not parse: %s (line %d)", jerr.text, jerr.line);
    double score = json_number_value(json_object_get(root, "score"));
    double max = json_number_value(json_object_get(root, "max_score"));
    json_t *tests = json_object_get(root, "tests");
    ck_assert_msg(json_is_array(tests) && json_array_size(tests) > 0, "no tests[] in results.json");
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        const char *status = json_string_value(json_object_get(t, "status"));
        ck_assert_msg(name != NULL && status != NULL, "test %zu lacks a name or status", i);
        ck_assert_msg(strcmp(status, "passed") == 0, "%s: %s\n%s", name, status,
                      json_string_value(json_object_get(t, "output")));
        const char *colon = strstr(name, ": ");
        ck_assert_msg(colon != NULL, "test name %s does not start with its lab's folder", name);
        bool known = false;
        for (char **l = kt_labs; *l != NULL; l++)
            known |= strncmp(name, *l, (size_t)(colon - name)) == 0 && strlen(*l) == (size_t)(colon - name);
        ck_assert_msg(known, "test name %s does not start with a lab's folder name", name);
        ck_assert(json_is_number(json_object_get(t, "score")));
        ck_assert(json_is_number(json_object_get(t, "max_score")));
        ck_assert(json_is_string(json_object_get(t, "visibility")));
    }
    ck_assert_msg(max > 0 && score == max, "the solutions scored %g of %g", score, max);
    json_decref(root);
    free(out);
}
END_TEST

START_TEST(solutions_are_clean_under_memcheck)
{
    const char *tests[] = { "memcheck", NULL };
    kt_memcheck = true;
    struct sg_grade g;
    kt_grade_some("solutions", kt_labs[_i], tests, 0, &g);
    ck_assert_msg(g.labs[0].ntests == 1, "%s has no memory check", kt_labs[_i]);
    ck_assert_msg(g.labs[0].tests[0].passed, "%s: %s", kt_labs[_i], kt_first_failure(&g.labs[0]));
    sg_grade_free(&g);
}
END_TEST

/*
 * A skeleton earns nothing: every stub fails with ENOSYS, and a test that
 * takes a stub's -1 for correct error handling hands out points for no
 * work (an attacker's review: 4.5 points, one test public). Each such test
 * first requires the call to have done its ordinary work.
 */
START_TEST(skeletons_score_nothing)
{
    const char *lab = kt_labs[_i];
    struct sg_grade g;
    kt_grade("skeletons", lab, &g);
    ck_assert_msg(g.labs[0].state == SG_LAB_GRADED, "%s: the skeleton was not graded: %s", lab,
                  g.labs[0].problem);
    struct sg_buf passed = SG_BUF_INIT;
    for (size_t k = 0; k < g.labs[0].ntests; k++)
        if (g.labs[0].tests[k].passed)
            sg_buf_printf(&passed, " %s", g.labs[0].tests[k].name);
    ck_assert_msg(g.max_score > 0 && g.score == 0, "%s: the skeleton scored %g of %g:%s", lab,
                  g.score, g.max_score, passed.data ? passed.data : "");
    sg_buf_free(&passed);
    kt_require_no_null_in_report(&g, lab);
    sg_grade_free(&g);
}
END_TEST

/* Whether the object at path has a section named name (an ELF64 object). */
static bool kt_has_section(const char *path, const char *name)
{
    size_t size;
    char *data = kt_read(path, &size);
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
    ck_assert_msg(size >= sizeof *eh && memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 &&
                      eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) <= size &&
                      eh->e_shstrndx < eh->e_shnum,
                  "%s: not an ELF object", path);
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(data + eh->e_shoff);
    bool found = false;
    for (size_t i = 0; i < eh->e_shnum && !found; i++) {
        size_t at = sh[eh->e_shstrndx].sh_offset + sh[i].sh_name;
        found = at < size && strncmp(data + at, name, size - at) == 0;
    }
    free(data);
    return found;
}

/*
 * The test programs' own code has no unwind tables: with them, student
 * code walked the stack to the test's frame and Check's, and left the test
 * body as if it had returned, skipping its checks (a pass for a skeleton).
 */
START_TEST(test_code_has_no_unwind_tables)
{
    const char *lab = kt_labs[_i];
    const char *objects[] = { "tests.o", "hidden/tests.o" };
    for (size_t i = 0; i < 2; i++) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s/build/kit/%s/obj/%s", kt_root, lab, objects[i]);
        if (access(p.data, R_OK) == 0)
            ck_assert_msg(!kt_has_section(p.data, ".eh_frame"), "%s has unwind tables", p.data);
        sg_buf_free(&p);
    }
    struct sg_buf h = SG_BUF_INIT;
    sg_buf_printf(&h, "%s/build/kit/obj/grader/harness/sg_main.o", kt_root);
    ck_assert_msg(!kt_has_section(h.data, ".eh_frame"), "%s has unwind tables", h.data);
    sg_buf_free(&h);
}
END_TEST

/* A student's first report: at most one screen (25 lines) per lab. */
START_TEST(fresh_skeleton_report_fits_a_screen)
{
    const char *lab = kt_labs[_i];
    struct sg_grade g;
    kt_public_only = true;
    kt_grade("skeletons", lab, &g);
    kt_public_only = false;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert(f != NULL && sg_report_text(&g, f, false) == 0 && fclose(f) == 0);
    /* The lab's section: from its title line to its score line. */
    const char *from = strstr(text, lab), *to = from ? strstr(from, "  score:") : NULL;
    ck_assert_msg(from != NULL && to != NULL, "%s: no lab section in:\n%s", lab, text);
    int lines = 1;
    for (const char *p = from; p < to; p++)
        lines += *p == '\n';
    ck_assert_msg(lines <= 25, "%s: the skeleton's report is %d lines long:\n%.*s", lab, lines,
                  (int)(to - from), from);
    free(text);
    sg_grade_free(&g);
}
END_TEST

START_TEST(every_test_has_a_measured_time)
{
    /* A test's time limit comes from its time on the solution (make timings). */
    const char *lab = kt_labs[_i];
    const char *where[] = { "", "hidden/" };
    for (size_t h = 0; h < 2; h++) {
        struct sg_buf rp = SG_BUF_INIT, tp = SG_BUF_INIT;
        sg_buf_printf(&rp, "%s/labs/%s/%srubric.json", kt_root, lab, where[h]);
        sg_buf_printf(&tp, "%s/labs/%s/%stimings.json", kt_root, lab, where[h]);
        json_t *rubric = access(rp.data, R_OK) == 0 ? json_load_file(rp.data, 0, NULL) : NULL;
        json_t *timings = json_load_file(tp.data, 0, NULL);
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(rubric, "tests"), i, t) {
            const char *name = json_string_value(json_object_get(t, "name"));
            ck_assert_msg(json_is_object(json_object_get(timings, name)) ||
                              json_object_get(t, "timeout") != NULL,
                          "%s: test %s has no time in %s: run `make timings`", lab, name,
                          tp.data);
        }
        json_decref(rubric);
        json_decref(timings);
        sg_buf_free(&rp);
        sg_buf_free(&tp);
    }
}
END_TEST

void kt_add_reference(Suite *s)
{
    TCase *tc = tcase_create("reference");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, solutions_score_full_marks_json_and_text);
    tcase_add_test(tc, the_readme_gives_the_points_the_rubrics_give);
    tcase_add_loop_test(tc, skeletons_score_nothing, 0, kt_nlabs);
    tcase_add_loop_test(tc, solutions_are_clean_under_memcheck, 0, kt_nlabs);
    tcase_add_loop_test(tc, every_test_has_a_measured_time, 0, kt_nlabs);
    tcase_add_loop_test(tc, fresh_skeleton_report_fits_a_screen, 0, kt_nlabs);
    tcase_add_loop_test(tc, test_code_has_no_unwind_tables, 0, kt_nlabs);
    suite_add_tcase(s, tc);
}
