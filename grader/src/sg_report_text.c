/* sg_report_text.c — the report a student or an instructor reads; see sg_report.h. */
#include "sg_digest.h"
#include "sg_report.h"
#include "sg_text.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

char *sg_report_test_name(const struct sg_lab_result *lab, const struct sg_test_result *t)
{
    struct sg_buf b = SG_BUF_INIT;
    sg_buf_printf(&b, "%s: %s", lab->id, t->name);
    return sg_buf_take(&b);
}

/* Appends "label" and text, with every further line of text indented under the first. */
static void sg_field(struct sg_buf *b, const char *indent, const char *label, const char *text)
{
    if (text == NULL || *text == '\0')
        return;
    sg_buf_printf(b, "%s%-10s", indent, label);
    for (const char *p = text; *p != '\0'; p++) {
        char c = *p;
        sg_buf_append(b, &c, 1);
        if (c == '\n' && p[1] != '\0')
            sg_buf_printf(b, "%s%-10s", indent, "");
    }
    if (b->len > 0 && b->data[b->len - 1] != '\n')
        sg_buf_puts(b, "\n");
}

char *sg_report_test_details(const struct sg_test_result *t)
{
    struct sg_buf b = SG_BUF_INIT;
    if (!t->passed) {
        sg_field(&b, "", "observed:", t->observed);
        sg_field(&b, "", "expected:", t->expected);
        sg_field(&b, "", "problem:", t->message);
        sg_field(&b, "", "hint:", t->hint);
        sg_field(&b, "", "read:", t->section);
    }
    if (t->output != NULL && *t->output != '\0') {
        sg_field(&b, "", "output:", t->output);
        if (t->output_total > strlen(t->output))
            sg_buf_printf(&b, "%-10s(%zu bytes printed in all)\n", "", t->output_total);
    }
    return sg_buf_take(&b);
}

/* ANSI colours, only where asked (a terminal, and no NO_COLOR). */
static const char *sg_colour(bool on, const char *code)
{
    return on ? code : "";
}

static void sg_text_lab(struct sg_buf *b, const struct sg_lab_result *lab, bool colour)
{
    const char *green = sg_colour(colour, "\033[32m"), *red = sg_colour(colour, "\033[31m"),
               *bold = sg_colour(colour, "\033[1m"), *off = sg_colour(colour, "\033[0m");
    sg_buf_printf(b, "\n%s%s: %s%s\n", bold, lab->id, lab->title ? lab->title : "", off);
    if (lab->path != NULL)
        sg_buf_printf(b, "  file: %s\n", lab->path);
    if (lab->state != SG_LAB_GRADED) {
        sg_buf_printf(b, "  %sNOT GRADED%s (%s): %s\n", red, off, sg_lab_state_name(lab->state),
                      lab->problem ? lab->problem : "");
        sg_field(b, "  ", "compiler:", lab->build_output);
        if (lab->state == SG_LAB_GRADER_ERROR)
            sg_buf_puts(b, "  score: none: the grader failed, not the code; this lab must be "
                           "graded again\n");
        else
            sg_buf_printf(b, "  score: 0/%g\n", lab->max_score);
        return;
    }
    if (lab->build_output != NULL)
        sg_field(b, "  ", "warnings:", lab->build_output);
    sg_field(b, "  ", "note:", lab->notes);
    struct sg_digest d;
    bool digest = sg_digest_lab(lab, &d) == 0;
    for (size_t i = 0; digest && i < d.nstubs; i++) {
        if (d.stubs[i].ntests == 0 || d.stubs[i].tests == NULL)
            continue;
        struct sg_buf line = SG_BUF_INIT;
        sg_buf_printf(&line, "%s%s%s is not written yet (it fails with ENOSYS, \"Function not "
                             "implemented\"): %zu test%s need%s it, %g point%s: %s",
                      red, d.stubs[i].function, off, d.stubs[i].ntests,
                      d.stubs[i].ntests == 1 ? "" : "s", d.stubs[i].ntests == 1 ? "s" : "",
                      d.stubs[i].points, d.stubs[i].points == 1 ? "" : "s", d.stubs[i].tests);
        sg_field(b, "  ", "TODO", line.data);
        sg_buf_free(&line);
    }
    for (size_t k = 0; k < lab->ntests; k++) {
        const struct sg_test_result *t = &lab->tests[k];
        enum sg_shown shown = digest ? d.shown[k] : SG_SHOWN_FULL;
        if (shown == SG_SHOWN_IN_STUB)
            continue;
        char *note = !t->passed && shown == SG_SHOWN_LINE
                         ? sg_digest_line_note(t, sg_digest_like(&d, lab, k))
                         : NULL;
        sg_buf_printf(b, "  %s%s%s %5g/%-3g %s%s: %s%s%s%s\n", t->passed ? green : red,
                      t->passed ? "PASS" : "FAIL", off, t->points, t->max_points, t->name,
                      t->hidden ? " [hidden]" : "", t->description, note ? " (" : "",
                      note ? note : "", note ? ")" : "");
        free(note);
        if (!t->passed && shown == SG_SHOWN_FULL) {
            char *details = sg_report_test_details(t);
            for (char *line = details, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                    *next++ = '\0';
                sg_buf_printf(b, "                %s\n", line);
            }
            free(details);
        }
    }
    if (digest)
        sg_digest_free(&d);
    /* A redacted grade (sg_redact.h): the hidden tests as a count and points only. */
    if (lab->hidden_count > 0)
        sg_buf_printf(b, "  %s %5g/%-3g %zu hidden test%s, %zu passed (not named here)\n",
                      lab->hidden_passed == lab->hidden_count ? "PASS" : "FAIL",
                      lab->hidden_points, lab->hidden_max_points, lab->hidden_count,
                      lab->hidden_count == 1 ? "" : "s", lab->hidden_passed);
    sg_buf_printf(b, "  score: %g/%g\n", lab->score, lab->max_score);
}

int sg_report_text(const struct sg_grade *g, FILE *out, bool colour)
{
    struct sg_buf b = SG_BUF_INIT;
    char *sub = NULL;
    {
        struct sg_buf s = SG_BUF_INIT;
        sg_escape(&s, g->submission, strlen(g->submission), 4096, 0);
        sub = sg_buf_take(&s);
    }
    sg_buf_printf(&b, "shmgrade: %s%s\n", sub, g->hidden ? " (hidden tests included)" : "");
    if (g->sandbox != NULL)
        sg_field(&b, "", "sandbox:", g->sandbox);
    free(sub);
    for (size_t i = 0; i < g->nlabs; i++)
        sg_text_lab(&b, &g->labs[i], colour);
    sg_buf_puts(&b, "\nscores\n");
    for (size_t i = 0; i < g->nlabs; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        sg_buf_printf(&b, "  %-24s %6g/%-4g%s%s\n", lab->id, lab->score, lab->max_score,
                      lab->state == SG_LAB_GRADED ? "" : "  ",
                      lab->state == SG_LAB_GRADED ? "" : sg_lab_state_name(lab->state));
    }
    size_t not_graded = sg_grade_grader_errors(g);
    double pct = g->max_score > 0 ? 100.0 * g->score / g->max_score : 0;
    /* A lab the grader could not grade has no score, so neither has the whole. */
    if (not_graded > 0)
        sg_buf_printf(&b, "  %-24s incomplete: %zu lab%s not graded (grader error); regrade\n",
                      "total", not_graded, not_graded == 1 ? "" : "s");
    else
        sg_buf_printf(&b, "  %-24s %6g/%-4g (%.1f %%)\n", "total", g->score, g->max_score, pct);
    size_t written = b.len ? fwrite(b.data, 1, b.len, out) : 0;
    int rc = written == b.len && fflush(out) == 0 ? 0 : -1;
    sg_buf_free(&b);
    return rc;
}
