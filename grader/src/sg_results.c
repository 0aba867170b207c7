/* sg_results.c — the results model; see sg_results.h. */
#include "sg_results.h"

#include <stdlib.h>

const char *sg_lab_state_name(enum sg_lab_state s)
{
    switch (s) {
    case SG_LAB_GRADED:
        return "graded";
    case SG_LAB_MISSING:
        return "missing file";
    case SG_LAB_BUILD_FAILED:
        return "compile error";
    case SG_LAB_REFUSED:
        return "refused";
    case SG_LAB_GRADER_ERROR:
        return "grader error";
    }
    return "unknown";
}

size_t sg_grade_grader_errors(const struct sg_grade *g)
{
    size_t n = 0;
    for (size_t i = 0; i < g->nlabs; i++)
        n += g->labs[i].state == SG_LAB_GRADER_ERROR;
    return n;
}

bool sg_lab_student_problem(const struct sg_lab_result *lab)
{
    return lab->state == SG_LAB_MISSING || lab->state == SG_LAB_BUILD_FAILED ||
           lab->state == SG_LAB_REFUSED;
}

void sg_grade_total(struct sg_grade *g)
{
    g->score = g->max_score = 0;
    for (size_t i = 0; i < g->nlabs; i++) {
        struct sg_lab_result *lab = &g->labs[i];
        lab->score = lab->max_score = 0;
        for (size_t k = 0; k < lab->ntests; k++) {
            lab->score += lab->tests[k].points;
            lab->max_score += lab->tests[k].max_points;
        }
        g->score += lab->score;
        g->max_score += lab->max_score;
    }
}

static void sg_test_result_free(struct sg_test_result *t)
{
    free(t->name);
    free(t->description);
    free(t->observed);
    free(t->expected);
    free(t->hint);
    free(t->message);
    free(t->section);
    if (t->needs != NULL)
        for (char **n = t->needs; *n != NULL; n++)
            free(*n);
    free(t->needs);
    free(t->output);
}

void sg_grade_free(struct sg_grade *g)
{
    for (size_t i = 0; i < g->nlabs; i++) {
        struct sg_lab_result *lab = &g->labs[i];
        for (size_t k = 0; k < lab->ntests; k++)
            sg_test_result_free(&lab->tests[k]);
        free(lab->tests);
        free(lab->id);
        free(lab->title);
        free(lab->file);
        free(lab->path);
        free(lab->problem);
        free(lab->build_output);
        free(lab->notes);
    }
    free(g->labs);
    free(g->submission);
    free(g->sandbox);
    g->sandbox = NULL;
    g->labs = NULL;
    g->nlabs = 0;
}
