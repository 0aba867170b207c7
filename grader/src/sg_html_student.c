/* sg_html_student.c — a student's report as a page; see sg_html_student.h. */
#include "sg_html_student.h"
#include "sg_digest.h"
#include "sg_html_page.h"

#include <stdlib.h>
#include <string.h>

/* A term and its text, as the text report's "label: text" (nothing when text is empty). */
static void sg_field(struct sg_html *h, xmlNodePtr dl, const char *term, const char *text)
{
    if (text == NULL || *text == '\0')
        return;
    sg_html_el(h, dl, "dt", term);
    sg_html_el(h, sg_html_el(h, dl, "dd", NULL), "pre", text);
}

/* What sg_report_test_details says of a failure, as a list of terms. */
static void sg_test_details(struct sg_html *h, xmlNodePtr parent, const struct sg_test_result *t)
{
    xmlNodePtr dl = sg_html_elc(h, parent, "dl", "texts", NULL);
    sg_field(h, dl, "observed", t->observed);
    sg_field(h, dl, "expected", t->expected);
    sg_field(h, dl, "problem", t->message);
    sg_field(h, dl, "hint", t->hint);
    sg_field(h, dl, "read", t->section);
    if (t->output != NULL && *t->output != '\0') {
        sg_field(h, dl, "output", t->output);
        if (t->output_total > strlen(t->output))
            sg_html_elf(h, sg_html_el(h, dl, "dd", NULL), "span",
                        "(%zu bytes printed in all)", t->output_total);
    }
    /* An empty list is no list: a test failed with no words at all. */
    if (dl != NULL && dl->children == NULL) {
        xmlUnlinkNode(dl);
        xmlFreeNode(dl);
    }
}

static void sg_test(struct sg_html *h, xmlNodePtr parent, const struct sg_test_result *t,
                    enum sg_shown shown, const char *like)
{
    xmlNodePtr div = sg_html_elc(h, parent, "div", t->passed ? "test passed" : "test failed", NULL);
    xmlNodePtr line = sg_html_el(h, div, "p", NULL);
    sg_html_elc(h, line, "span", t->passed ? "pass" : "fail", t->passed ? "PASS" : "FAIL");
    sg_html_text(h, line, " ");
    sg_html_attr(h, sg_html_elf(h, line, "span", "%g/%g", t->points, t->max_points), "class",
                 "points");
    sg_html_text(h, line, " ");
    sg_html_el(h, line, "code", t->name);
    char *note = !t->passed && shown == SG_SHOWN_LINE ? sg_digest_line_note(t, like) : NULL;
    sg_html_textf(h, line, "%s: %s%s%s%s", t->hidden ? " [hidden]" : "", t->description,
                  note ? " (" : "", note ? note : "", note ? ")" : "");
    free(note);
    if (!t->passed && shown == SG_SHOWN_FULL)
        sg_test_details(h, div, t);
}

static void sg_lab(struct sg_html *h, xmlNodePtr parent, const struct sg_lab_result *lab)
{
    xmlNodePtr sec = sg_html_el(h, parent, "section", NULL);
    char *id = sg_html_id(lab->id, NULL);
    if (id == NULL)
        sg_html_fail(h, "an id for %s: out of memory", lab->id);
    sg_html_attr(h, sec, "id", id);
    free(id);
    sg_html_elf(h, sec, "h2", "%s: %s", lab->id, lab->title ? lab->title : "");
    if (lab->path != NULL) {
        xmlNodePtr p = sg_html_el(h, sec, "p", "file: ");
        sg_html_el(h, p, "code", lab->path);
    }
    if (lab->state != SG_LAB_GRADED) {
        xmlNodePtr p = sg_html_el(h, sec, "p", NULL);
        sg_html_elc(h, p, "span", "fail", "NOT GRADED");
        sg_html_textf(h, p, " (%s): %s", sg_lab_state_name(lab->state),
                      lab->problem ? lab->problem : "");
        xmlNodePtr dl = sg_html_elc(h, sec, "dl", "texts", NULL);
        sg_field(h, dl, "compiler", lab->build_output);
        sg_html_elf(h, sec, "p", "score: 0/%g", lab->max_score);
        return;
    }
    xmlNodePtr dl = sg_html_elc(h, sec, "dl", "texts", NULL);
    sg_field(h, dl, "warnings", lab->build_output);
    sg_field(h, dl, "note", lab->notes);
    struct sg_digest d;
    bool digest = sg_digest_lab(lab, &d) == 0;
    if (!digest)
        sg_html_fail(h, "%s: which failures to show in full: out of memory", lab->id);
    for (size_t i = 0; digest && i < d.nstubs; i++) {
        xmlNodePtr p = sg_html_elc(h, sec, "p", "todo", "TODO ");
        sg_html_el(h, p, "code", d.stubs[i].function);
        sg_html_textf(h, p, " is not written yet (it fails with ENOSYS, \"Function not "
                            "implemented\"): %zu test%s need%s it, %g point%s: %s",
                      d.stubs[i].ntests, d.stubs[i].ntests == 1 ? "" : "s",
                      d.stubs[i].ntests == 1 ? "s" : "", d.stubs[i].points,
                      d.stubs[i].points == 1 ? "" : "s", d.stubs[i].tests);
    }
    for (size_t k = 0; digest && k < lab->ntests; k++)
        if (d.shown[k] != SG_SHOWN_IN_STUB)
            sg_test(h, sec, &lab->tests[k], d.shown[k], sg_digest_like(&d, lab, k));
    if (digest)
        sg_digest_free(&d);
    sg_html_elf(h, sec, "p", "score: %g/%g", lab->score, lab->max_score);
}

/* The scores first, then each lab: a student sees where they stand before the details. */
static void sg_scores(struct sg_html *h, xmlNodePtr parent, const struct sg_grade *g)
{
    xmlNodePtr table = sg_html_el(h, sg_html_elc(h, parent, "div", "scroll", NULL), "table", NULL);
    xmlNodePtr head = sg_html_el(h, sg_html_el(h, table, "thead", NULL), "tr", NULL);
    sg_html_el(h, head, "th", "lab");
    sg_html_elc(h, head, "th", "num", "score");
    sg_html_el(h, head, "th", "");
    xmlNodePtr body = sg_html_el(h, table, "tbody", NULL);
    for (size_t i = 0; i < g->nlabs; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        xmlNodePtr tr = sg_html_el(h, body, "tr", NULL);
        const char *segments[] = { NULL };
        char *id = sg_html_id(lab->id, NULL);
        if (id == NULL)
            sg_html_fail(h, "an id for %s: out of memory", lab->id);
        else
            sg_html_link(h, sg_html_el(h, tr, "td", NULL), segments, id, lab->id);
        free(id);
        sg_html_attr(h, sg_html_elf(h, tr, "td", "%g/%g", lab->score, lab->max_score), "class",
                     "num");
        if (lab->state == SG_LAB_GRADED)
            sg_html_el(h, tr, "td", "");
        else
            sg_html_elc(h, tr, "td", "flag", sg_lab_state_name(lab->state));
    }
    xmlNodePtr tr = sg_html_el(h, body, "tr", NULL);
    sg_html_el(h, sg_html_el(h, tr, "th", NULL), "strong", "total");
    double pct = g->max_score > 0 ? 100.0 * g->score / g->max_score : 0;
    sg_html_attr(h, sg_html_elf(h, tr, "td", "%g/%g", g->score, g->max_score), "class", "num");
    sg_html_elf(h, tr, "td", "%.1f %%", pct);
}

int sg_html_student_write(const struct sg_grade *g, const char *name, const char *path,
                          struct sg_buf *err)
{
    struct sg_buf title = SG_BUF_INIT;
    if (sg_buf_printf(&title, "shmlab report: %s", name) == -1) {
        sg_buf_puts(err, "a student's page: out of memory");
        return -1;
    }
    struct sg_html h;
    int rc = sg_html_open(&h, title.data, err);
    if (rc == 0) {
        sg_html_el(&h, h.body, "h1", title.data);
        double pct = g->max_score > 0 ? 100.0 * g->score / g->max_score : 0;
        xmlNodePtr p = sg_html_elf(&h, h.body, "p", "total %g/%g (%.1f %%)", g->score,
                                   g->max_score, pct);
        if (g->hidden)
            sg_html_text(&h, p, "; hidden tests included");
        sg_scores(&h, h.body, g);
        for (size_t i = 0; i < g->nlabs; i++)
            sg_lab(&h, h.body, &g->labs[i]);
        if (g->sandbox != NULL) {
            xmlNodePtr sandbox = sg_html_elc(&h, h.body, "p", "muted", "how the tests ran: ");
            sg_html_text(&h, sandbox, g->sandbox);
        }
        rc = sg_html_save(&h, path, err);
        sg_html_close(&h);
    }
    sg_buf_free(&title);
    return rc;
}
