/* sg_html_class.c — the class page and the students' pages; see sg_html_class.h. */
#include "sg_html_class.h"
#include "sg_html_chart.h"
#include "sg_html_glance.h"
#include "sg_html_grade.h"
#include "sg_html_mistakes.h"
#include "sg_html_stats.h"
#include "sg_html_student.h"
#include "sg_report.h"
#include "sg_version.h" /* SG_KIT_VERSION, written by make */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

json_t *sg_html_find_lab(json_t *grade, const char *id)
{
    size_t i;
    json_t *lab;
    json_array_foreach(json_object_get(grade, "labs"), i, lab) {
        const char *lid = json_string_value(json_object_get(lab, "id"));
        if (lid != NULL && strcmp(lid, id) == 0)
            return lab;
    }
    return NULL;
}

json_t *sg_html_find_test(json_t *lab, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(lab, "tests"), i, t) {
        const char *tname = json_string_value(json_object_get(t, "name"));
        if (tname != NULL && strcmp(tname, name) == 0)
            return t;
    }
    return NULL;
}

json_t *sg_html_some_lab(const struct sg_html_class *c, const char *id)
{
    json_t *any = NULL;
    for (size_t i = 0; i < c->n; i++) {
        json_t *lab = sg_html_find_lab(c->students[i].grade, id);
        const char *state = json_string_value(json_object_get(lab, "state"));
        if (state != NULL && strcmp(state, "graded") == 0)
            return lab;
        if (any == NULL)
            any = lab;
    }
    return any;
}

int sg_html_cmp_rate(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    double rx = json_number_value(json_object_get(x, "rate"));
    double ry = json_number_value(json_object_get(y, "rate"));
    if (rx != ry)
        return rx < ry ? -1 : 1;
    const char *nx = json_string_value(json_object_get(x, "test"));
    const char *ny = json_string_value(json_object_get(y, "test"));
    return strcmp(nx ? nx : "", ny ? ny : "");
}

json_t **sg_html_tests_of(const struct sg_html_class *c, const char *lab, size_t *n)
{
    json_t *tests = json_object_get(c->summary, "tests");
    json_t **out = calloc(json_array_size(tests) + 1, sizeof *out);
    *n = 0;
    if (out == NULL)
        return NULL;
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t) {
        const char *l = json_string_value(json_object_get(t, "lab"));
        if (l != NULL && strcmp(l, lab) == 0)
            out[(*n)++] = t;
    }
    qsort(out, *n, sizeof *out, sg_html_cmp_rate);
    return out;
}

void sg_html_student_link(struct sg_html *h, xmlNodePtr parent, const struct sg_html_student *s,
                          const char *lab)
{
    if (!s->page) {
        sg_html_text(h, parent, s->name);
        return;
    }
    const char *segments[] = { "students", s->folder, "report.html", NULL };
    char *id = lab ? sg_html_id(lab, NULL) : NULL;
    if (lab != NULL && id == NULL)
        sg_html_fail(h, "an id for %s: out of memory", lab);
    sg_html_link(h, parent, segments, id, s->name);
    free(id);
}

static double sg_num(json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

/* ---- the students ---- */

static void sg_roster(struct sg_html *h, xmlNodePtr parent, const struct sg_html_class *c)
{
    xmlNodePtr sec = sg_html_el(h, parent, "section", NULL);
    sg_html_attr(h, sec, "id", "students");
    sg_html_el(h, sec, "h2", "Students");
    sg_html_el(h, sec, "p", "As in gradebook.csv: each lab's score, the total, the maximum, the "
                            "percentage and the status. A student who is incomplete (to regrade) or has a "
                            "file refused is marked. A name links to the student's own report.");
    xmlNodePtr table = sg_html_elc(h, sg_html_elc(h, sec, "div", "scroll", NULL), "table",
                                   "roster", NULL);
    xmlNodePtr head = sg_html_el(h, sg_html_el(h, table, "thead", NULL), "tr", NULL);
    sg_html_el(h, head, "th", "student");
    for (const char *const *l = c->labs; *l != NULL; l++) {
        xmlNodePtr th = sg_html_elc(h, head, "th", "num", *l);
        json_t *lab = NULL;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(c->summary, "labs"), i, v) {
            const char *id = json_string_value(json_object_get(v, "lab"));
            if (id != NULL && strcmp(id, *l) == 0)
                lab = v;
        }
        if (lab != NULL && sg_num(lab, "max") > 0)
            sg_html_attrf(h, th, "title", "out of %g", sg_num(lab, "max"));
    }
    sg_html_elc(h, head, "th", "num", "total");
    sg_html_elc(h, head, "th", "num", "max");
    sg_html_elc(h, head, "th", "num", "%");
    sg_html_el(h, head, "th", "status");
    xmlNodePtr body = sg_html_el(h, table, "tbody", NULL);
    for (size_t i = 0; i < c->n; i++) {
        const struct sg_html_student *s = &c->students[i];
        json_t *g = s->grade;
        bool refused = false;
        xmlNodePtr tr = sg_html_el(h, body, "tr", NULL);
        xmlNodePtr name = sg_html_el(h, tr, "th", NULL);
        sg_html_attr(h, name, "scope", "row");
        sg_html_student_link(h, name, s, NULL);
        for (const char *const *l = c->labs; *l != NULL; l++) {
            json_t *lab = sg_html_find_lab(g, *l);
            const char *state = json_string_value(json_object_get(lab, "state"));
            refused = refused || (state != NULL && strcmp(state, "refused") == 0);
            /* The gradebook's cell: no score for a lab the grader could not grade. */
            xmlNodePtr td = lab && state && strcmp(state, "grader error") != 0
                                ? sg_html_elf(h, tr, "td", "%g", sg_num(lab, "score"))
                                : sg_html_el(h, tr, "td", "");
            sg_html_attr(h, td, "class", "num");
            if (state != NULL && strcmp(state, "graded") != 0)
                sg_html_attr(h, td, "title", state);
        }
        double score = sg_num(g, "score"), max = sg_num(g, "max_score");
        /* An incomplete grade has no total, as in the gradebook. */
        if (s->complete) {
            sg_html_attr(h, sg_html_elf(h, tr, "td", "%g", score), "class", "num");
            sg_html_attr(h, sg_html_elf(h, tr, "td", "%g", max), "class", "num");
            sg_html_attr(h, sg_html_elf(h, tr, "td", "%.1f", max > 0 ? 100 * score / max : 0),
                         "class", "num");
        } else {
            for (int k = 0; k < 3; k++)
                sg_html_elc(h, tr, "td", "num", "");
        }
        char *status = sg_summary_status(g);
        if (status == NULL)
            sg_html_fail(h, "a student's status: out of memory");
        bool flagged = !s->complete || refused;
        sg_html_elc(h, tr, "td", flagged ? "status flag" : "status", status);
        free(status);
        if (flagged)
            sg_html_attr(h, tr, "class", "flagged");
    }
}

/* ---- the run ---- */

static void sg_duration(struct sg_buf *b, double s)
{
    if (s < 60)
        sg_buf_printf(b, "%.1f s", s);
    else if (s < 3600)
        sg_buf_printf(b, "%d min %02d s", (int)s / 60, (int)s % 60);
    else
        sg_buf_printf(b, "%d h %02d min", (int)s / 3600, (int)s % 3600 / 60);
}

static void sg_term(struct sg_html *h, xmlNodePtr dl, const char *term, const char *text)
{
    sg_html_el(h, dl, "dt", term);
    sg_html_el(h, dl, "dd", text);
}

static void sg_run(struct sg_html *h, xmlNodePtr parent, const struct sg_batch_opts *o,
                   const char *date, const char *took)
{
    xmlNodePtr sec = sg_html_el(h, parent, "section", NULL);
    sg_html_attr(h, sec, "id", "run");
    sg_html_el(h, sec, "h2", "This run");
    xmlNodePtr dl = sg_html_elc(h, sec, "dl", "run", NULL);
    sg_term(h, dl, "kit", SG_KIT_VERSION);
    sg_term(h, dl, "graded", date);
    sg_term(h, dl, "grading took", took);
    char *dir = sg_escape_dup(o->dir);
    if (dir == NULL)
        sg_html_fail(h, "the submissions' folder: out of memory");
    sg_html_el(h, dl, "dt", "submissions");
    sg_html_el(h, sg_html_el(h, dl, "dd", NULL), "code", dir);
    free(dir);
    struct sg_buf b = SG_BUF_INIT;
    for (const char *const *l = o->grade.labs; l != NULL && *l != NULL; l++)
        sg_buf_printf(&b, "%s%s", b.len ? ", " : "", *l);
    sg_term(h, dl, "labs", b.len ? b.data : "all");
    sg_buf_free(&b);
    sg_buf_printf(&b, "hidden tests %s; memory check %s; tests: ",
                  o->grade.hidden ? "included" : "not run", o->grade.memcheck ? "run" : "not run");
    if (o->grade.tests == NULL || o->grade.tests[0] == NULL)
        sg_buf_puts(&b, "all");
    for (const char *const *t = o->grade.tests; t != NULL && *t != NULL; t++)
        sg_buf_printf(&b, "%s%s", t == o->grade.tests ? "" : ", ", *t);
    if (o->grade.timeout > 0)
        sg_buf_printf(&b, "; time limit per test: %g s", o->grade.timeout);
    else
        sg_buf_puts(&b, "; time limit per test: the rubric's");
    sg_buf_printf(&b, "; tests at once: %d; sandbox: %s",
                  o->grade.parallel > 0 ? o->grade.parallel : o->jobs,
                  o->grade.no_sandbox ? "none (--no-sandbox)" : "bubblewrap");
    sg_term(h, dl, "options", b.data);
    sg_buf_free(&b);
    sg_buf_puts(&b, "report.html");
    for (int f = 0; f < SG_FORMAT_COUNT; f++)
        if ((o->formats & (1u << f)) || f == SG_FORMAT_GRADE)
            sg_buf_printf(&b, ", %s", sg_format_file((enum sg_format)f));
    sg_buf_puts(&b, " in students/<student>/; index.html, gradebook.csv, summary.txt and "
                    "summary.json beside this page");
    sg_term(h, dl, "files", b.data);
    sg_buf_free(&b);
}

static void sg_index(struct sg_html *h, const struct sg_html_class *c,
                     const struct sg_mistakes *m, const struct sg_batch_opts *o, const char *date,
                     const char *took)
{
    sg_chart_defs(h, h->body);
    xmlNodePtr header = sg_html_el(h, h->body, "header", NULL);
    sg_html_el(h, header, "h1", "shmlab: the class at a glance");
    sg_html_elf(h, header, "p", "%zu student%s, graded %s in %s; kit %s.", c->n,
                c->n == 1 ? "" : "s", date, took, SG_KIT_VERSION);
    xmlNodePtr nav = sg_html_el(h, sg_html_el(h, header, "nav", NULL), "ul", NULL);
    static const char *const sections[][2] = {
        { "glance", "At a glance" }, { "labs", "Labs" },         { "tests", "Tests" },
        { "mistakes", "Common mistakes" }, { "students", "Students" }, { "run", "This run" },
    };
    const char *here[] = { NULL };
    for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
        sg_html_link(h, sg_html_el(h, nav, "li", NULL), here, sections[i][0], sections[i][1]);
    xmlNodePtr main = sg_html_el(h, h->body, "main", NULL);
    sg_html_glance(h, main, c, m);
    sg_html_labs(h, main, c);
    sg_html_rates(h, main, c, m);
    sg_mistakes_section(h, main, c, m);
    sg_roster(h, main, c);
    sg_run(h, main, o, date, took);
}

/* Each student's page, from their grade.json: false when it could not be written. */
static bool sg_student_page(struct sg_html_student *s, struct sg_buf *err)
{
    struct sg_grade g;
    struct sg_buf why = SG_BUF_INIT, path = SG_BUF_INIT;
    bool ok = false;
    if (sg_html_grade_read(s->grade, &g, &why) == 0) {
        sg_buf_printf(&path, "%s/report.html", s->dir);
        ok = path.data != NULL && sg_html_student_write(&g, s->name, path.data, &why) == 0;
        sg_grade_free(&g);
    }
    if (!ok)
        sg_buf_printf(err, "%s%s: report.html: %s", err->len ? "; " : "", s->name,
                      why.data ? why.data : "out of memory");
    sg_buf_free(&why);
    sg_buf_free(&path);
    return ok;
}

int sg_html_class_write(const struct sg_batch_opts *o, const char *const *labs,
                        const struct sg_class_member *students, size_t n,
                        const struct timespec *start, struct sg_buf *err)
{
    /* How long, and when: before anything else is written. */
    struct timespec now;
    struct sg_buf took = SG_BUF_INIT, date = SG_BUF_INIT;
    if (start != NULL && clock_gettime(CLOCK_MONOTONIC, &now) == 0)
        sg_duration(&took, (double)(now.tv_sec - start->tv_sec) +
                               (double)(now.tv_nsec - start->tv_nsec) / 1e9);
    else
        sg_buf_puts(&took, "an unknown time (clock_gettime failed)");
    time_t t = time(NULL);
    struct tm tm;
    char when[64];
    if (t != (time_t)-1 && localtime_r(&t, &tm) != NULL &&
        strftime(when, sizeof when, "%Y-%m-%d %H:%M %Z", &tm) > 0)
        sg_buf_puts(&date, when);
    else
        sg_buf_puts(&date, "on an unknown date (time or localtime_r failed)");

    int rc = 0;
    struct sg_html_class c = { labs, calloc(n + 1, sizeof *c.students), n, NULL };
    if (c.students == NULL || took.data == NULL || date.data == NULL) {
        sg_buf_printf(err, "%sindex.html: out of memory", err->len ? "; " : "");
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        struct sg_html_student *s = &c.students[i];
        const char *slash = strrchr(students[i].dir, '/');
        *s = (struct sg_html_student){ .name = students[i].name, .dir = students[i].dir,
                                       .folder = slash ? slash + 1 : students[i].dir };
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s/%s", students[i].dir, sg_format_file(SG_FORMAT_GRADE));
        /* As the gradebook: no grade.json, or none that parses, is a grader that failed. */
        s->grade = p.data ? json_load_file(p.data, 0, NULL) : NULL;
        sg_buf_free(&p);
        s->complete = sg_summary_complete(s->grade);
        if (s->grade != NULL) {
            s->page = sg_student_page(s, err);
            if (!s->page)
                rc = -1;
        }
    }
    struct sg_buf path = SG_BUF_INIT;
    sg_buf_printf(&path, "%s/summary.json", o->outdir);
    json_error_t jerr;
    c.summary = path.data ? json_load_file(path.data, 0, &jerr) : NULL;
    if (c.summary == NULL) {
        char *shown = sg_escape_dup(path.data ? path.data : "summary.json");
        sg_buf_printf(err, "%sindex.html: %s: %s", err->len ? "; " : "", shown,
                      path.data ? jerr.text : "out of memory");
        free(shown);
        sg_buf_free(&path);
        rc = -1;
        goto out;
    }
    sg_buf_free(&path);
    struct sg_mistakes m;
    struct sg_buf why = SG_BUF_INIT;
    if (sg_mistakes_find(&c, &m, &why) == -1) {
        sg_buf_printf(err, "%sindex.html: %s", err->len ? "; " : "", why.data ? why.data : "");
        sg_buf_free(&why);
        rc = -1;
        goto out;
    }
    struct sg_html h;
    if (sg_html_open(&h, "shmlab: the class at a glance", &why) == 0) {
        sg_index(&h, &c, &m, o, date.data, took.data);
        sg_buf_printf(&path, "%s/index.html", o->outdir);
        if (path.data == NULL || sg_html_save(&h, path.data, &why) == -1)
            rc = -1;
        sg_html_close(&h);
    } else {
        rc = -1;
    }
    if (rc == -1 && why.len > 0)
        sg_buf_printf(err, "%sindex.html: %s", err->len ? "; " : "", why.data);
    sg_buf_free(&why);
    sg_buf_free(&path);
    sg_mistakes_free(&m);
out:
    for (size_t i = 0; c.students != NULL && i < n; i++)
        json_decref(c.students[i].grade);
    free(c.students);
    json_decref(c.summary);
    sg_buf_free(&took);
    sg_buf_free(&date);
    return rc;
}
