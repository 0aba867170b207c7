/*
 * sg_report_grade.c — shmgrade's own JSON: everything the results model
 * holds, so that batch mode can build the gradebook and the summary from
 * each student's file (sg_grade_read reads it back).
 */
#include "sg_report.h"

#include <errno.h>
#include <jansson.h>

int sg_report_grade(const struct sg_grade *g, FILE *out)
{
    json_t *labs = json_array();
    for (size_t i = 0; i < g->nlabs; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        json_t *tests = json_array();
        for (size_t k = 0; k < lab->ntests; k++) {
            const struct sg_test_result *t = &lab->tests[k];
            json_array_append_new(tests, json_pack("{s:s, s:b, s:b, s:b, s:f, s:f}",
                                                   "name", t->name, "passed", t->passed,
                                                   "hidden", t->hidden, "timed_out", t->timed_out,
                                                   "points", t->points, "max_points", t->max_points));
        }
        json_array_append_new(labs, json_pack("{s:s, s:s, s:s?, s:f, s:f, s:o}", "id", lab->id,
                                              "state", sg_lab_state_name(lab->state), "problem",
                                              lab->problem, "score", lab->score, "max_score",
                                              lab->max_score, "tests", tests));
    }
    json_t *root = json_pack("{s:s, s:f, s:f, s:f, s:b, s:o}", "submission", g->submission,
                             "score", g->score, "max_score", g->max_score, "seconds", g->seconds,
                             "hidden", g->hidden, "labs", labs);
    if (root == NULL) {
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
