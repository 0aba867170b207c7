/* sg_redact.c — a grade without its hidden tests' details; see sg_redact.h. */
#include "sg_redact.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int sg_grade_redact(const struct sg_grade *g, struct sg_grade *r)
{
    *r = *g;
    r->labs = calloc(g->nlabs ? g->nlabs : 1, sizeof *r->labs);
    if (r->labs == NULL)
        return -1;
    for (size_t i = 0; i < g->nlabs; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        struct sg_lab_result *out = &r->labs[i];
        *out = *lab;
        out->tests = calloc(lab->ntests ? lab->ntests : 1, sizeof *out->tests);
        if (out->tests == NULL) {
            int saved = errno;
            sg_grade_redact_free(r);
            errno = saved;
            return -1;
        }
        out->ntests = 0;
        out->hidden_count = out->hidden_passed = 0;
        out->hidden_points = out->hidden_max_points = 0;
        for (size_t k = 0; k < lab->ntests; k++) {
            const struct sg_test_result *t = &lab->tests[k];
            if (!t->hidden) {
                out->tests[out->ntests++] = *t;
                continue;
            }
            out->hidden_count++;
            out->hidden_passed += t->passed;
            out->hidden_points += t->points;
            out->hidden_max_points += t->max_points;
        }
    }
    return 0;
}

void sg_grade_redact_free(struct sg_grade *r)
{
    for (size_t i = 0; r->labs != NULL && i < r->nlabs; i++)
        free(r->labs[i].tests);
    free(r->labs);
    memset(r, 0, sizeof *r);
}
