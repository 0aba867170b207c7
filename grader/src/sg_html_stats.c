/* sg_html_stats.c — the class's numbers as charts; see sg_html_stats.h. */
#include "sg_html_stats.h"
#include "sg_html_chart.h"

#include <stdlib.h>
#include <string.h>

/* The summary's own labels for the bins (summary.json "distribution"). */
static const char *const sg_ranges[SG_HTML_BINS] = { "0-9",   "10-19", "20-29", "30-39",
                                                     "40-49", "50-59", "60-69", "70-79",
                                                     "80-89", "90-99", "100" };

int sg_html_bin(double percent)
{
    if (percent >= 100)
        return SG_HTML_BINS - 1;
    return percent <= 0 ? 0 : (int)(percent / 10);
}

static double sg_num(json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

/* The legend of a two-series chart: what solid and hatched stand for. */
static void sg_legend(struct sg_html *h, xmlNodePtr parent, const char *solid, const char *hatched)
{
    xmlNodePtr div = sg_html_elc(h, parent, "div", "legend", NULL);
    xmlNodePtr a = sg_html_el(h, div, "span", NULL);
    sg_chart_swatch(h, a, false);
    sg_html_text(h, a, solid);
    xmlNodePtr b = sg_html_el(h, div, "span", NULL);
    sg_chart_swatch(h, b, true);
    sg_html_text(h, b, hatched);
}

void sg_html_totals(struct sg_html *h, xmlNodePtr parent, const struct sg_html_class *c)
{
    json_t *s = c->summary, *dist = json_object_get(s, "distribution");
    struct sg_bin bins[SG_HTML_BINS];
    size_t n = 0;
    size_t i;
    json_t *v;
    json_array_foreach(dist, i, v) {
        if (n == SG_HTML_BINS)
            break;
        bins[n++] = (struct sg_bin){ json_string_value(json_object_get(v, "range")),
                                     { (int)json_integer_value(json_object_get(v, "students")),
                                       0 } };
        if (bins[n - 1].label == NULL)
            sg_html_fail(h, "summary.json: a bin of the distribution has no range");
    }
    int graded = (int)json_integer_value(json_object_get(s, "graded"));
    struct sg_buf title = SG_BUF_INIT;
    sg_buf_printf(&title, "Totals of the %d student%s graded, in %% of the maximum", graded,
                  graded == 1 ? "" : "s");
    xmlNodePtr fig = sg_html_elc(h, parent, "figure", "histogram", NULL);
    sg_html_attr(h, fig, "id", "totals");
    struct sg_histogram hist = { title.data, "total (% of the maximum)", "student",
                                 { "students", NULL }, bins, n };
    if (title.data == NULL)
        sg_html_fail(h, "a chart's title: out of memory");
    else
        sg_chart_histogram(h, fig, &hist);
    xmlNodePtr cap = sg_html_elf(h, fig, "figcaption", "%s: mean %.1f %%, median %.1f %%, "
                                                        "lowest %.1f %%, highest %.1f %%.",
                                 title.data ? title.data : "", sg_num(s, "mean_percent"),
                                 sg_num(s, "median_percent"), sg_num(s, "min_percent"),
                                 sg_num(s, "max_percent"));
    int incomplete = (int)json_integer_value(json_object_get(s, "incomplete"));
    if (incomplete > 0)
        sg_html_textf(h, cap, " %d incomplete student%s left out (see the table of students).",
                      incomplete, incomplete == 1 ? "" : "s");
    sg_buf_free(&title);
}

static json_t *sg_summary_lab(const struct sg_html_class *c, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(c->summary, "labs"), i, v) {
        const char *lab = json_string_value(json_object_get(v, "lab"));
        if (lab != NULL && strcmp(lab, id) == 0)
            return v;
    }
    return NULL;
}

static bool sg_in_state(const struct sg_html_class *c, size_t i, const char *id,
                        const char *state)
{
    json_t *lab = sg_html_find_lab(c->students[i].grade, id);
    const char *s = json_string_value(json_object_get(lab, "state"));
    return s != NULL && strcmp(s, state) == 0;
}

/* "compile error (3): ann, bob, cy": who was not graded, by state; a long list folded. */
static void sg_not_graded(struct sg_html *h, xmlNodePtr parent, const struct sg_html_class *c,
                          const char *id)
{
    static const char *const states[] = { "missing file", "compile error", "refused" };
    for (size_t k = 0; k < sizeof states / sizeof *states; k++) {
        size_t n = 0;
        for (size_t i = 0; i < c->n; i++)
            n += sg_in_state(c, i, id, states[k]);
        if (n == 0)
            continue;
        xmlNodePtr p = sg_html_el(h, parent, "div", NULL), names = p;
        if (n > 8) {
            xmlNodePtr details = sg_html_el(h, p, "details", NULL);
            xmlNodePtr summary = sg_html_el(h, details, "summary", NULL);
            sg_html_elc(h, summary, "span", "flag", states[k]);
            sg_html_textf(h, summary, ": %zu students", n);
            names = sg_html_el(h, details, "p", NULL);
        } else {
            sg_html_elc(h, p, "span", "flag", states[k]);
            sg_html_textf(h, p, " (%zu): ", n);
        }
        size_t shown = 0;
        for (size_t i = 0; i < c->n; i++) {
            if (!sg_in_state(c, i, id, states[k]))
                continue;
            if (shown++ > 0)
                sg_html_text(h, names, ", ");
            sg_html_student_link(h, names, &c->students[i], id);
        }
    }
}

void sg_html_labs(struct sg_html *h, xmlNodePtr parent, const struct sg_html_class *c)
{
    xmlNodePtr sec = sg_html_el(h, parent, "section", NULL);
    sg_html_attr(h, sec, "id", "labs");
    sg_html_el(h, sec, "h2", "Labs");
    sg_html_el(h, sec, "p", "Each lab's scores, in % of the lab's maximum, for every student "
                            "the grader could grade it for. A file that is missing, does not "
                            "compile or is refused scores 0, hatched.");
    sg_legend(h, sec, "tests ran", "not graded (missing file, compile error, refused)");
    xmlNodePtr grid = sg_html_elc(h, sec, "div", "grid", NULL);
    for (const char *const *id = c->labs; *id != NULL; id++) {
        struct sg_bin bins[SG_HTML_BINS];
        for (int b = 0; b < SG_HTML_BINS; b++)
            bins[b] = (struct sg_bin){ sg_ranges[b], { 0, 0 } };
        int counted = 0;
        for (size_t i = 0; i < c->n; i++) {
            json_t *lab = sg_html_find_lab(c->students[i].grade, *id);
            const char *state = json_string_value(json_object_get(lab, "state"));
            if (state == NULL || strcmp(state, "grader error") == 0)
                continue;
            double max = sg_num(lab, "max_score");
            double pct = max > 0 ? 100 * sg_num(lab, "score") / max : 0;
            bins[sg_html_bin(pct)].count[strcmp(state, "graded") == 0 ? 0 : 1]++;
            counted++;
        }
        xmlNodePtr fig = sg_html_elc(h, grid, "figure", "lab", NULL);
        char *fid = sg_html_id("lab", *id);
        if (fid == NULL)
            sg_html_fail(h, "an id for %s: out of memory", *id);
        sg_html_attr(h, fig, "id", fid);
        free(fid);
        sg_html_el(h, fig, "h3", *id);
        json_t *some = sg_html_some_lab(c, *id);
        const char *title = json_string_value(json_object_get(some, "title"));
        if (title != NULL)
            sg_html_elc(h, fig, "p", "muted subtitle", title);
        struct sg_buf what = SG_BUF_INIT;
        sg_buf_printf(&what, "%s: scores of %d student%s, in %% of the lab's maximum", *id,
                      counted, counted == 1 ? "" : "s");
        struct sg_histogram hist = { what.data, "score (% of the lab's maximum)", "student",
                                     { "tests ran", "not graded" }, bins, SG_HTML_BINS };
        if (what.data == NULL)
            sg_html_fail(h, "a chart's title: out of memory");
        else
            sg_chart_histogram(h, fig, &hist);
        sg_buf_free(&what);
        json_t *sl = sg_summary_lab(c, *id);
        double mean = sg_num(sl, "mean"), max = sg_num(sl, "max");
        xmlNodePtr cap = sg_html_el(h, fig, "figcaption", NULL);
        sg_html_textf(h, sg_html_el(h, cap, "p", NULL), "mean %.1f of %g (%.0f %%) over %d student%s", mean, max,
                      max > 0 ? 100 * mean / max : 0, counted, counted == 1 ? "" : "s");
        sg_not_graded(h, cap, c, *id);
    }
}

void sg_html_rates(struct sg_html *h, xmlNodePtr parent, const struct sg_html_class *c,
                   const struct sg_mistakes *m)
{
    xmlNodePtr sec = sg_html_el(h, parent, "section", NULL);
    sg_html_attr(h, sec, "id", "tests");
    sg_html_el(h, sec, "h2", "Tests: pass rates");
    sg_html_el(h, sec, "p", "Of the students whose lab was graded (its tests ran), how many "
                            "passed each test, lowest first within each lab. A test many "
                            "failed links to its common mistakes.");
    sg_legend(h, sec, "passed", "failed");
    for (const char *const *id = c->labs; *id != NULL; id++) {
        size_t n = 0;
        json_t **tests = sg_html_tests_of(c, *id, &n);
        if (tests == NULL) {
            sg_html_fail(h, "the tests of %s: out of memory", *id);
            return;
        }
        char *hid = sg_html_id("tests", *id);
        if (hid == NULL)
            sg_html_fail(h, "an id for %s: out of memory", *id);
        sg_html_attr(h, sg_html_el(h, sec, "h3", *id), "id", hid);
        free(hid);
        if (n == 0)
            sg_html_el(h, sec, "p", "No student's file for this lab could be tested.");
        xmlNodePtr table = n ? sg_html_elc(h, sg_html_elc(h, sec, "div", "scroll", NULL),
                                           "table", "rates", NULL)
                             : NULL;
        xmlNodePtr head = sg_html_el(h, sg_html_el(h, table, "thead", NULL), "tr", NULL);
        sg_html_el(h, head, "th", "test");
        sg_html_el(h, head, "th", "pass rate");
        sg_html_elc(h, head, "th", "num", "passed");
        sg_html_elc(h, head, "th", "num", "%");
        xmlNodePtr body = sg_html_el(h, table, "tbody", NULL);
        json_t *some = sg_html_some_lab(c, *id);
        for (size_t i = 0; i < n; i++) {
            const char *name = json_string_value(json_object_get(tests[i], "test"));
            int passed = (int)json_integer_value(json_object_get(tests[i], "passed"));
            int graded = (int)json_integer_value(json_object_get(tests[i], "graded"));
            double pct = graded ? 100.0 * passed / graded : 0;
            if (name == NULL) {
                sg_html_fail(h, "summary.json: a test of %s has no name", *id);
                break;
            }
            xmlNodePtr tr = sg_html_el(h, body, "tr", NULL);
            xmlNodePtr th = sg_html_el(h, tr, "th", NULL);
            sg_html_attr(h, th, "scope", "row");
            if (sg_mistakes_of(m, *id, name) != NULL) {
                char *mid = sg_mistakes_id(*id, name);
                if (mid == NULL)
                    sg_html_fail(h, "an id for %s: %s: out of memory", *id, name);
                const char *here[] = { NULL };
                sg_html_el(h, sg_html_link(h, th, here, mid, NULL), "code", name);
                free(mid);
            } else {
                sg_html_el(h, th, "code", name);
            }
            if (json_is_true(json_object_get(sg_html_find_test(some, name), "hidden")))
                sg_html_text(h, th, " [hidden]");
            struct sg_buf what = SG_BUF_INIT;
            sg_buf_printf(&what, "%s: %d of %d passed (%.0f %%)", name, passed, graded, pct);
            if (what.data == NULL)
                sg_html_fail(h, "a bar's title: out of memory");
            else
                sg_chart_rate(h, sg_html_elc(h, tr, "td", "rate", NULL), passed, graded,
                              what.data);
            sg_buf_free(&what);
            sg_html_attr(h, sg_html_elf(h, tr, "td", "%d/%d", passed, graded), "class", "num");
            sg_html_attr(h, sg_html_elf(h, tr, "td", "%.0f %%", pct), "class", "num");
        }
        free(tests);
    }
}
