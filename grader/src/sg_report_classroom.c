/*
 * sg_report_classroom.c — GitHub Classroom's runner result, the JSON that
 * the classroom-resources/autograding-command-grader and -io-grader actions
 * produce and classroom-resources/autograding-grading-reporter reads
 * (base64-encoded, from an environment variable named after the step:
 * STEPID_RESULTS):
 *
 *   {"version": 1, "status": "pass"|"fail"|"error", "max_score": N,
 *    "tests": [{"name", "status", "score", "message", "test_code",
 *               "filename", "line_no", "duration"}]}
 *
 * The reporter (src/notify-classroom.js) sends Classroom the sum of the
 * tests' "score" out of "max_score", so each test's score is its points;
 * it fails the job when "status" is "fail" or "error" (src/main.js), so
 * the status is "fail" below full marks and "error" when the grader could
 * not grade a lab: that is no score (no points, out of 0), and the job
 * says so. It prints
 * "- line N" after a test's name unless line_no is 0, and a test's message
 * only for "error" (src/console-results.js).
 *
 * Students read the Actions log whole: the hidden tests of a grade that
 * has them are a count and points (sg_redact.h), one entry per lab.
 *
 * The workflow hands the result to the reporter base64-encoded in one
 * environment variable, which Linux caps at 128 KiB (MAX_ARG_STRLEN): a
 * submission whose failures printed a lot made a result too large to
 * pass, and no score was recorded. As the reporter shows no message but
 * an error's, and the step's log has the whole text report, each message
 * is cut to SG_CLASSROOM_MESSAGE bytes and, past SG_CLASSROOM_MESSAGES in
 * all, a failure's is left out.
 */
#include "sg_redact.h"
#include "sg_report.h"
#include "sg_text.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SG_CLASSROOM_MESSAGE 200
#define SG_CLASSROOM_MESSAGES 16384

static json_t *sg_classroom_test(const char *name, const char *status, double score,
                                 const char *message, double seconds)
{
    return json_pack("{s:s, s:s, s:f, s:s, s:s, s:s, s:i, s:I}", "name", name, "status", status,
                     "score", score, "message", message ? message : "", "test_code", "",
                     "filename", "", "line_no", 0, "duration", (json_int_t)(seconds * 1000));
}

int sg_report_classroom(const struct sg_grade *g, FILE *out)
{
    struct sg_grade shown;
    if (sg_grade_redact(g, &shown) == -1)
        return -1;
    json_t *tests = json_array();
    bool ok = tests != NULL;
    size_t used = 0; /* message bytes so far */
    for (size_t i = 0; ok && i < shown.nlabs; i++) {
        const struct sg_lab_result *lab = &shown.labs[i];
        bool error = lab->state == SG_LAB_GRADER_ERROR;
        for (size_t k = 0; ok && k < lab->ntests; k++) {
            const struct sg_test_result *t = &lab->tests[k];
            char *name = sg_report_test_name(lab, t);
            struct sg_buf message = SG_BUF_INIT;
            if (error)
                sg_buf_printf(&message, "not graded: the grader failed (%s); this is no "
                                        "score: grade again",
                              lab->problem ? lab->problem : "");
            else if (lab->state != SG_LAB_GRADED)
                sg_buf_printf(&message, "%s: %s", sg_lab_state_name(lab->state),
                              lab->problem ? lab->problem : "");
            else if (!t->passed && used < SG_CLASSROOM_MESSAGES) {
                char *details = sg_report_test_details(t);
                sg_buf_puts(&message, details);
                free(details);
            }
            struct sg_buf cut = SG_BUF_INIT;
            if (message.len > 0)
                sg_escape(&cut, message.data, message.len, SG_CLASSROOM_MESSAGE,
                          SG_ESC_KEEP_NEWLINES);
            used += cut.len;
            json_t *j = sg_classroom_test(name, error ? "error" : t->passed ? "pass" : "fail",
                                          t->points, cut.data, t->seconds);
            sg_buf_free(&cut);
            ok = j != NULL && json_array_append_new(tests, j) == 0;
            free(name);
            sg_buf_free(&message);
        }
        if (ok && lab->hidden_count > 0) {
            struct sg_buf name = SG_BUF_INIT;
            sg_buf_printf(&name, "%s: %zu hidden tests (%zu passed)", lab->id,
                          lab->hidden_count, lab->hidden_passed);
            bool all = lab->hidden_passed == lab->hidden_count;
            json_t *j = sg_classroom_test(name.data, error ? "error" : all ? "pass" : "fail",
                                          lab->hidden_points, "", 0);
            ok = j != NULL && json_array_append_new(tests, j) == 0;
            sg_buf_free(&name);
        }
    }
    bool grader_failed = sg_grade_grader_errors(g) > 0;
    const char *status = grader_failed           ? "error"
                         : g->score < g->max_score ? "fail"
                                                   : "pass";
    /* The reporter posts the tests' points before it looks at the status: a
     * lab the grader could not grade still gave Classroom "Points 163/203"
     * (a platform review). A failure of the grader is no score: no points,
     * out of none, as scripts/classroom-grade.sh's own error result. */
    if (grader_failed && ok) {
        size_t i;
        json_t *test;
        json_array_foreach(tests, i, test)
            ok = ok && json_object_set_new(test, "score", json_integer(0)) == 0;
    }
    json_t *root = ok ? json_pack("{s:i, s:s, s:f, s:o}", "version", 1, "status", status,
                                  "max_score", grader_failed ? 0.0 : g->max_score, "tests", tests)
                      : NULL;
    if (!ok)
        json_decref(tests);
    sg_grade_redact_free(&shown);
    if (root == NULL) {
        errno = EINVAL;
        return -1;
    }
    int rc = json_dumpf(root, out, JSON_COMPACT | JSON_ENSURE_ASCII) == 0 &&
                     fputc('\n', out) != EOF && fflush(out) == 0
                 ? 0
                 : -1;
    json_decref(root);
    return rc;
}
