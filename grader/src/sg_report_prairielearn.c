/*
 * sg_report_prairielearn.c — PrairieLearn's external grader results.json
 * (PrairieLearn/PrairieLearn, docs/externalGrading.md, "Grading results";
 * rendered by <pl-external-grader-results>):
 *
 *   {"gradable": true, "score": 0..1, "message", "output",
 *    "tests": [{"name", "description", "points", "max_points", "message",
 *               "output"}]}
 *
 * - score is the fraction of the points, from 0 to 1;
 * - a graded lab that the student's submission left ungradable (its file
 *   missing, not compiling, or refused) makes the submission "invalid, not
 *   gradable": "gradable": false and the reasons in "format_errors", so
 *   that PrairieLearn awards nothing and asks for a valid submission
 *   instead of recording a 0;
 * - a lab the grader itself could not grade is no result at all: this
 *   writer refuses (EAGAIN), shmgrade exits 1, and the question's run
 *   script exits non-zero without results, so that PrairieLearn records a
 *   failed grading job, which course staff see with its log (the
 *   grader-host counts a job as succeeded only when the container exits 0);
 * - every test has both points and max_points, which the element needs to
 *   show points per test; students see the whole of the results, so the
 *   hidden tests are a count and points per lab (sg_redact.h).
 */
#include "sg_redact.h"
#include "sg_report.h"
#include "sg_text.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static json_t *sg_pl_tests(const struct sg_grade *shown)
{
    json_t *tests = json_array();
    bool ok = tests != NULL;
    for (size_t i = 0; ok && i < shown->nlabs; i++) {
        const struct sg_lab_result *lab = &shown->labs[i];
        for (size_t k = 0; ok && k < lab->ntests; k++) {
            const struct sg_test_result *t = &lab->tests[k];
            char *name = sg_report_test_name(lab, t);
            char *details = t->passed ? NULL : sg_report_test_details(t);
            const char *message = t->passed ? "passed"
                                  : lab->state != SG_LAB_GRADED ? sg_lab_state_name(lab->state)
                                  : t->message ? t->message
                                  : t->observed ? t->observed
                                                : "failed";
            json_t *j = json_pack("{s:s, s:s, s:f, s:f, s:s, s:s}", "name", name, "description",
                                  t->description ? t->description : "", "points", t->points,
                                  "max_points", t->max_points, "message", message, "output",
                                  details ? details : t->output ? t->output : "");
            ok = j != NULL && json_array_append_new(tests, j) == 0;
            free(name);
            free(details);
        }
        if (ok && lab->hidden_count > 0) {
            char name[160], message[96];
            snprintf(name, sizeof name, "%s: hidden tests", lab->id);
            snprintf(message, sizeof message, "%zu of %zu passed", lab->hidden_passed,
                     lab->hidden_count);
            json_t *j = json_pack("{s:s, s:s, s:f, s:f, s:s, s:s}", "name", name, "description",
                                  "the instructor's hidden tests, not named here", "points",
                                  lab->hidden_points, "max_points", lab->hidden_max_points,
                                  "message", message, "output", "");
            ok = j != NULL && json_array_append_new(tests, j) == 0;
        }
    }
    if (!ok) {
        json_decref(tests);
        return NULL;
    }
    return tests;
}

int sg_report_prairielearn(const struct sg_grade *g, FILE *out)
{
    if (sg_grade_grader_errors(g) > 0) {
        errno = EAGAIN;
        return -1;
    }
    struct sg_grade shown;
    if (sg_grade_redact(g, &shown) == -1)
        return -1;
    /* The whole report, as a student reads it, is the output. */
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    int rc = mem != NULL && sg_report_text(&shown, mem, false) == 0 ? 0 : -1;
    if (mem != NULL && fclose(mem) == EOF)
        rc = -1;
    json_t *format_errors = json_array();
    struct sg_buf message = SG_BUF_INIT;
    for (size_t i = 0; rc == 0 && i < g->nlabs; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        sg_buf_printf(&message, "%s: %g/%g%s%s\n", lab->id, lab->score, lab->max_score,
                      lab->state == SG_LAB_GRADED ? "" : ", ",
                      lab->state == SG_LAB_GRADED ? "" : sg_lab_state_name(lab->state));
        if (!sg_lab_student_problem(lab))
            continue;
        struct sg_buf why = SG_BUF_INIT;
        sg_buf_printf(&why, "%s: %s: %s", lab->id, sg_lab_state_name(lab->state),
                      lab->problem ? lab->problem : "");
        if (lab->build_output != NULL)
            sg_buf_printf(&why, "\n%s", lab->build_output);
        json_t *s = json_string(why.data);
        if (s == NULL || json_array_append_new(format_errors, s) == -1)
            rc = -1;
        sg_buf_free(&why);
    }
    json_t *tests = rc == 0 ? sg_pl_tests(&shown) : NULL;
    json_t *root = NULL;
    if (tests != NULL && format_errors != NULL) {
        bool gradable = json_array_size(format_errors) == 0;
        root = json_pack("{s:b, s:f, s:s, s:s, s:o}", "gradable", gradable, "score",
                         g->max_score > 0 ? g->score / g->max_score : 0.0, "message",
                         message.data ? message.data : "", "output", text ? text : "", "tests",
                         tests);
        if (root != NULL && !gradable) {
            /* Not gradable: no score at all, and the reasons. */
            json_object_del(root, "score");
            if (json_object_set(root, "format_errors", format_errors) == -1) {
                json_decref(root);
                root = NULL;
            }
        }
    } else {
        json_decref(tests);
    }
    json_decref(format_errors);
    sg_buf_free(&message);
    free(text);
    sg_grade_redact_free(&shown);
    if (root == NULL) {
        errno = EINVAL;
        return -1;
    }
    rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_ENSURE_ASCII) == 0 &&
                 fputc('\n', out) != EOF && fflush(out) == 0
             ? 0
             : -1;
    json_decref(root);
    return rc;
}
