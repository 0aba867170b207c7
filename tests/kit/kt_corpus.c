/* kt_corpus.c — the corpus of known-wrong submissions. */
#include "kt.h"

#include <stdatomic.h>
#include <sys/mman.h>

/*
 * make test's lanes share the corpus (kt_main.c): each lane, once its own
 * cases are done, takes the next mutant nobody has taken yet, so that the
 * lanes end together whatever their other cases cost (a fixed half each
 * left one lane idle for a minute). The counter is shared memory, made
 * before the lanes fork; each of a lane's n iterations takes one mutant,
 * or none once all are taken (then it has nothing to check). NULL: every
 * mutant, in order.
 */
static atomic_size_t *kt_corpus_next;

int kt_corpus_share(void)
{
    void *p = mmap(NULL, sizeof *kt_corpus_next, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    kt_corpus_next = p;
    atomic_init(kt_corpus_next, 0);
    return 0;
}

void kt_corpus_unshare(void)
{
    if (kt_corpus_next != NULL)
        munmap(kt_corpus_next, sizeof *kt_corpus_next);
    kt_corpus_next = NULL;
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
    /* Skipped after a hang (sg_may_skip), or for a failed test it requires. */
    const char *end = strstr(hung, " did not finish");
    if (end == NULL)
        end = strstr(hung, " failed, and until it passes");
    if (end == NULL)
        return false;
    char *name = strndup(hung, (size_t)(end - hung));
    bool listed = name != NULL && (kt_in_list(fail, name) || kt_in_list(either, name));
    bool allowed = listed;
    for (size_t k = 0; name != NULL && k < r->ntests; k++)
        if (strcmp(r->tests[k].name, name) == 0) {
            /* Or itself not run for such a failure: a test that requires
             * one skipped after a hang (sg_schedule.h; the skip comes from
             * an earlier test, so this ends). */
            allowed = (listed || kt_skipped_after_an_allowed_failure(r, &r->tests[k], fail,
                                                                     either)) &&
                      (t->hidden || !r->tests[k].hidden);
            break;
        }
    free(name);
    return allowed;
}

START_TEST(corpus_mutant_fails_for_its_mistake)
{
    size_t pick = kt_corpus_next != NULL ? atomic_fetch_add(kt_corpus_next, 1) : (size_t)_i;
    if (pick >= json_array_size(kt_mutants))
        return; /* every mutant is another lane's, or done */
    json_t *m = json_array_get(kt_mutants, pick);
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
    tcase_add_loop_test(tc, corpus_mutant_fails_for_its_mistake, 0,
                        (int)json_array_size(kt_mutants));
    suite_add_tcase(s, tc);
}
