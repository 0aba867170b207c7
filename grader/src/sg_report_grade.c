/*
 * sg_report_grade.c — shmgrade's own JSON: everything the results model
 * holds, so that batch mode can build the gradebook, the summary and the
 * HTML pages from each student's file (sg_html_grade_read reads it back).
 */
#include "sg_report.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>

/* Appends v to array; false (and v released) when v could not be made. */
static bool sg_append(json_t *array, json_t *v)
{
    return v != NULL && json_array_append_new(array, v) == 0;
}

int sg_report_grade(const struct sg_grade *g, FILE *out)
{
    /* Every string is escaped where it was collected (valid UTF-8); a
     * value that still cannot be written is an error reported, never a
     * lab or a test silently left out. */
    json_t *labs = json_array();
    bool ok = labs != NULL;
    for (size_t i = 0; ok && i < g->nlabs; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        json_t *tests = json_array();
        ok = tests != NULL;
        for (size_t k = 0; ok && k < lab->ntests; k++) {
            const struct sg_test_result *t = &lab->tests[k];
            json_t *needs = NULL;
            for (char **n = t->needs; ok && n != NULL && *n != NULL; n++)
                ok = (needs != NULL || (needs = json_array()) != NULL) &&
                     sg_append(needs, json_string(*n));
            if (!ok) {
                json_decref(needs);
                break;
            }
            /* The texts too, so that a page can show what the text report shows
             * (json_pack releases needs, stolen, even when it fails). */
            ok = sg_append(tests, json_pack("{s:s, s:b, s:b, s:b, s:f, s:f, s:f, s:f, s:s?, s:s?,"
                                            " s:s?, s:s?, s:s?, s:s?, s:o?, s:s?, s:I}",
                                            "name", t->name, "passed", t->passed, "hidden",
                                            t->hidden, "timed_out", t->timed_out, "points",
                                            t->points, "max_points", t->max_points, "seconds",
                                            t->seconds, "cpu", t->cpu_seconds, "description",
                                            t->description, "observed", t->observed, "expected",
                                            t->expected, "message", t->message, "hint", t->hint,
                                            "section", t->section, "needs", needs, "output",
                                            t->output, "output_total",
                                            (json_int_t)t->output_total));
        }
        if (!ok) {
            json_decref(tests);
            break;
        }
        ok = sg_append(labs, json_pack("{s:s, s:s, s:s?, s:f, s:f, s:f, s:f, s:o, s:s?, s:s?,"
                                       " s:s?, s:s?, s:s?}", "id", lab->id, "state",
                                       sg_lab_state_name(lab->state), "problem", lab->problem,
                                       "score", lab->score, "max_score", lab->max_score,
                                       "build_seconds", lab->build_seconds, "build_cpu",
                                       lab->build_cpu_seconds, "tests", tests, "title",
                                       lab->title, "file", lab->file, "path", lab->path,
                                       "build_output", lab->build_output, "notes", lab->notes));
    }
    json_t *root = ok ? json_pack("{s:s, s:f, s:f, s:f, s:b, s:o, s:s?}", "submission",
                                  g->submission, "score", g->score, "max_score", g->max_score,
                                  "seconds", g->seconds, "hidden", g->hidden, "labs", labs,
                                  "sandbox", g->sandbox)
                      : NULL;
    if (root == NULL) {
        if (!ok)
            json_decref(labs);
        errno = EINVAL;
        return -1;
    }
    int rc = json_dumpf(root, out, JSON_INDENT(1)) == 0 && fputc('\n', out) != EOF &&
                     fflush(out) == 0
                 ? 0
                 : -1;
    json_decref(root);
    return rc;
}
