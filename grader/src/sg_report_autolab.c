/*
 * sg_report_autolab.c — Autolab's autoresult (autolab/Autolab, docs/lab.md,
 * "Writing Autograders"; app/helpers/assessment_autograde_core.rb,
 * saveAutograde and parseAutoresult): the text report for the student,
 * then, as the very last line, {"scores": {"01-shared-buffer": N, ...}},
 * one score per lab graded, each key the name of a problem of the
 * assessment. A key the assessment does not define makes Autolab replace
 * the student's feedback with an error, so the line names exactly the labs
 * graded (shmgrade --lab, the autograde-Makefile's LABS).
 *
 * Autolab shows the whole output to the student: the report is written
 * from a redacted grade (sg_redact.h), where the hidden tests are a count
 * and points. A lab the grader could not grade has no key at all: Autolab
 * then leaves that problem's score unset instead of recording a 0, and the
 * report above says why and that it must be graded again.
 */
#include "sg_redact.h"
#include "sg_report.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>

int sg_report_autolab(const struct sg_grade *g, FILE *out)
{
    struct sg_grade shown;
    if (sg_grade_redact(g, &shown) == -1)
        return -1;
    int rc = sg_report_text(&shown, out, false);
    sg_grade_redact_free(&shown);
    if (rc == -1)
        return -1;
    json_t *root = json_object(), *scores = json_object();
    /* json_object_set_new takes scores whatever happens: one decref of root frees all. */
    bool ok = root != NULL && json_object_set_new(root, "scores", scores) == 0;
    for (size_t i = 0; ok && i < g->nlabs; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        if (lab->state == SG_LAB_GRADER_ERROR) {
            ok = fprintf(out, "%s: not graded (the grader failed: %s); no score is recorded "
                              "for it, and it must be graded again\n",
                         lab->id, lab->problem ? lab->problem : "") >= 0;
            continue;
        }
        ok = json_object_set_new(scores, lab->id, json_real(lab->score)) == 0;
    }
    char *line = ok ? json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(root);
    if (line == NULL) {
        errno = EINVAL;
        return -1;
    }
    rc = fprintf(out, "%s\n", line) < 0 || fflush(out) == EOF ? -1 : 0;
    free(line);
    return rc;
}
