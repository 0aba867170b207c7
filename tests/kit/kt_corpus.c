/* kt_corpus.c — the corpus of known-wrong submissions. */
#include "kt.h"

/*
 * make test's two lanes share the corpus (kt_main.c): the first lane, which
 * also runs the platforms, takes one mutant in two, the second lane the
 * others with the reference, html and submissions cases (each lane about
 * 330 s on a 2-core VM, since the platforms' images no longer compile the
 * kit anew). -1: every mutant.
 */
int kt_corpus_lane = -1;
static size_t *kt_corpus_picked; /* the indexes of this lane's mutants */

static bool kt_corpus_mine(size_t i)
{
    bool first = i % 2 == 0;
    return kt_corpus_lane < 0 || (kt_corpus_lane == 0) == first;
}

/*
 * Whether t was not run because a test that this mutant may fail (its
 * "fail" or "either") did not finish. Whether a racy mistake (a signal
 * lost, a spinning wait under load) ends a test by an assertion or by
 * its time limit is the race's to decide; when it is the limit, the
 * grader skips the later tests that call the same functions (sg_schedule.h),
 * a consequence of the declared mistake, not a new one. Never a public
 * test skipped for a hidden one: its report would name the hidden test.
 */
static bool kt_skipped_after_an_allowed_failure(const struct sg_lab_result *r,
                                                const struct sg_test_result *t, json_t *fail,
                                                json_t *either)
{
    const char *prefix = "not run: ";
    if (t->passed || t->observed == NULL || strncmp(t->observed, prefix, strlen(prefix)) != 0)
        return false;
    const char *hung = t->observed + strlen(prefix);
    const char *end = strstr(hung, " did not finish");
    if (end == NULL)
        return false;
    char *name = strndup(hung, (size_t)(end - hung));
    bool allowed = name != NULL && (kt_in_list(fail, name) || kt_in_list(either, name));
    for (size_t k = 0; allowed && k < r->ntests; k++)
        if (strcmp(r->tests[k].name, name) == 0)
            allowed = t->hidden || !r->tests[k].hidden;
    free(name);
    return allowed;
}

START_TEST(corpus_mutant_fails_for_its_mistake)
{
    json_t *m = json_array_get(kt_mutants, kt_corpus_picked[_i]);
    const char *lab = json_string_value(json_object_get(m, "lab"));
    const char *name = json_string_value(json_object_get(m, "name"));
    const char *state = json_string_value(json_object_get(m, "state"));
    char *file = kt_lab_file(lab);
    char *sub = kt_tempdir();
    char *path = kt_path(sub, file);
    char *text = kt_apply_mutant(lab, m);
    kt_write(path, text);

    struct sg_grade g;
    kt_memcheck = json_is_true(json_object_get(m, "memcheck"));
    kt_grade(sub, lab, &g);
    struct sg_lab_result *r = &g.labs[0];
    kt_require_no_null_in_report(&g, name);
    const char *want_state = state ? state : "graded";
    ck_assert_msg(strcmp(sg_lab_state_name(r->state), want_state) == 0,
                  "%s/%s (%s): state is %s, expected %s; problem: %s\n%s", lab, name,
                  json_string_value(json_object_get(m, "why")), sg_lab_state_name(r->state),
                  want_state, r->problem, r->build_output ? r->build_output : "");

    json_t *says = json_object_get(m, "says");
    if (r->state == SG_LAB_GRADED) {
        json_t *fail = json_object_get(m, "fail");
        json_t *either = json_object_get(m, "either");
        for (size_t k = 0; k < r->ntests; k++) {
            struct sg_test_result *t = &r->tests[k];
            bool want_fail = kt_in_list(fail, t->name);
            char *why = kt_test_text(t);
            ck_assert_msg(t->passed != want_fail || kt_in_list(either, t->name) ||
                              kt_skipped_after_an_allowed_failure(r, t, fail, either),
                          "%s/%s: test %s %s, expected it to %s\n%s",
                          lab, name, t->name, t->passed ? "passed" : "failed",
                          want_fail ? "fail" : "pass", why);
            const char *word = json_string_value(json_object_get(says, t->name));
            ck_assert_msg(word == NULL || strstr(why, word) != NULL,
                          "%s/%s: the failure of %s does not say \"%s\":\n%s", lab, name,
                          t->name, word, why);
            /* A limit the harness says was reached was reached: a mutant that overran
             * its mapping into the harness's counts made the report say that fork
             * failed "many times" in a test that forked once (a class review). */
            bool limits = strstr(why, "[fork failed") != NULL || strstr(why, "[malloc failed");
            ck_assert_msg(!limits || json_is_true(json_object_get(m, "limits")),
                          "%s/%s: %s says a limit was reached, and the mutant does not:\n%s", lab,
                          name, t->name, why);
            /* The hint a student reads guides to the concept; it never hands out the fix. */
            const char *dictates = t->passed || t->hint == NULL ? NULL : kt_hint_dictates(t->hint);
            ck_assert_msg(dictates == NULL, "%s/%s: the hint of %s dictates the fix (%s): %s", lab,
                          name, t->name, dictates, t->hint);
            free(why);
        }
        size_t i;
        json_t *v;
        json_array_foreach(fail, i, v) {
            bool exists = false;
            for (size_t k = 0; k < r->ntests; k++)
                exists |= strcmp(r->tests[k].name, json_string_value(v)) == 0;
            ck_assert_msg(exists, "%s/%s: expects %s to fail, but there is no such test", lab,
                          name, json_string_value(v));
        }
        const char *note = json_string_value(json_object_get(m, "note"));
        ck_assert_msg(note == NULL || (r->notes != NULL && strstr(r->notes, note) != NULL),
                      "%s/%s: the report's note does not mention %s: %s", lab, name, note,
                      r->notes ? r->notes : "(no note)");
    } else {
        ck_assert_msg(g.score == 0, "%s/%s: an ungraded lab scored %g", lab, name, g.score);
        const char *word = json_string_value(json_object_get(says, "*"));
        struct sg_buf all = SG_BUF_INIT;
        sg_buf_printf(&all, "%s\n%s", r->problem ? r->problem : "",
                      r->build_output ? r->build_output : "");
        ck_assert_msg(word == NULL || strstr(all.data, word) != NULL,
                      "%s/%s: the reason does not say \"%s\":\n%s", lab, name, word, all.data);
        sg_buf_free(&all);
    }
    sg_grade_free(&g);
    free(text);
    kt_rmtree(sub);
    free(sub);
    free(path);
    free(file);
}
END_TEST

void kt_add_corpus(Suite *s)
{
    TCase *tc = tcase_create("corpus");
    tcase_set_timeout(tc, 120);
    size_t n = json_array_size(kt_mutants);
    kt_corpus_picked = calloc(n + 1, sizeof *kt_corpus_picked);
    if (kt_corpus_picked == NULL) {
        perror("kit_tests: calloc");
        exit(2);
    }
    int mine = 0;
    for (size_t i = 0; i < n; i++)
        if (kt_corpus_mine(i))
            kt_corpus_picked[mine++] = i;
    tcase_add_loop_test(tc, corpus_mutant_fails_for_its_mistake, 0, mine);
    suite_add_tcase(s, tc);
}
