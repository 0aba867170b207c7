/*
 * sg_report_json.c — Gradescope's results.json, written with jansson.
 *
 * Format: https://gradescope-autograders.readthedocs.io/en/latest/specs/
 * Every string passed in is valid UTF-8 already (sg_escape), which jansson
 * requires; jansson does the JSON escaping.
 */
#include "sg_report.h"
#include "sg_text.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *sg_json_str(const char *s)
{
    /* Defensive: a string that is somehow not UTF-8 is escaped once more. */
    if (s == NULL)
        s = "";
    if (sg_utf8_valid(s, strlen(s)))
        return json_string(s);
    struct sg_buf b = SG_BUF_INIT;
    sg_escape(&b, s, strlen(s), strlen(s), SG_ESC_KEEP_NEWLINES);
    json_t *j = json_string(b.data ? b.data : "");
    sg_buf_free(&b);
    return j;
}

static json_t *sg_json_test(const struct sg_lab_result *lab, const struct sg_test_result *t)
{
    char *name = sg_report_test_name(lab, t);
    struct sg_buf out = SG_BUF_INIT;
    sg_buf_printf(&out, "%s\n", t->description ? t->description : "");
    if (lab->state == SG_LAB_GRADED && lab->notes != NULL)
        sg_buf_printf(&out, "note: %s\n", lab->notes);
    char *details = sg_report_test_details(t);
    sg_buf_puts(&out, details);
    free(details);
    if (lab->state != SG_LAB_GRADED && lab->build_output != NULL)
        sg_buf_printf(&out, "compiler:\n%s", lab->build_output);
    json_t *j = json_pack("{s:o, s:f, s:f, s:s, s:o, s:s}",
                          "name", sg_json_str(name),
                          "score", t->points,
                          "max_score", t->max_points,
                          "status", t->passed ? "passed" : "failed",
                          "output", sg_json_str(out.data),
                          "visibility", t->hidden ? "after_published" : "visible");
    free(name);
    sg_buf_free(&out);
    return j;
}

int sg_report_json(const struct sg_grade *g, FILE *out)
{
    json_t *tests = json_array();
    struct sg_buf summary = SG_BUF_INIT;
    if (g->sandbox != NULL)
        sg_buf_printf(&summary, "sandbox: %s\n", g->sandbox);
    for (size_t i = 0; i < g->nlabs; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        sg_buf_printf(&summary, "%s: %g/%g", lab->id, lab->score, lab->max_score);
        if (lab->state != SG_LAB_GRADED)
            sg_buf_printf(&summary, " (%s: %s)", sg_lab_state_name(lab->state),
                          lab->problem ? lab->problem : "");
        sg_buf_puts(&summary, "\n");
        if (lab->state == SG_LAB_GRADED && lab->build_output != NULL)
            sg_buf_printf(&summary, "compiler warnings for %s (not graded):\n%s", lab->file,
                          lab->build_output);
        for (size_t k = 0; k < lab->ntests; k++) {
            /* A test that cannot be written is an error, never a test left out. */
            json_t *t = sg_json_test(lab, &lab->tests[k]);
            if (t == NULL || json_array_append_new(tests, t) == -1) {
                json_decref(tests);
                sg_buf_free(&summary);
                errno = EINVAL;
                return -1;
            }
        }
    }
    json_t *root = json_pack("{s:f, s:f, s:f, s:o, s:s, s:s, s:o}",
                             "score", g->score,
                             "max_score", g->max_score,
                             "execution_time", g->seconds,
                             "output", sg_json_str(summary.data),
                             "visibility", "visible",
                             "stdout_visibility", "hidden",
                             "tests", tests);
    sg_buf_free(&summary);
    if (root == NULL) {
        errno = ENOMEM;
        return -1;
    }
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_ENSURE_ASCII) == 0 ? 0 : -1;
    json_decref(root);
    if (rc == 0 && (fputc('\n', out) == EOF || fflush(out) == EOF))
        rc = -1;
    return rc;
}
