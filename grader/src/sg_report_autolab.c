/*
 * sg_report_autolab.c — Autolab's autoresult: the text report for the
 * student, then, as the very last line, {"scores": {"01-shared-buffer": N,
 * ...}}, one score per lab (the problem names of the Autolab assessment).
 */
#include "sg_report.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

int sg_report_autolab(const struct sg_grade *g, FILE *out)
{
    if (sg_report_text(g, out, false) == -1)
        return -1;
    json_t *scores = json_object();
    for (size_t i = 0; i < g->nlabs; i++)
        json_object_set_new(scores, g->labs[i].id, json_real(g->labs[i].score));
    json_t *root = json_pack("{s:o}", "scores", scores);
    char *line = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (line == NULL) {
        errno = ENOMEM;
        return -1;
    }
    int rc = fprintf(out, "%s\n", line) < 0 || fflush(out) == EOF ? -1 : 0;
    free(line);
    return rc;
}
