/* sg_html_glance.c — the class page's first section; see sg_html_glance.h. */
#include "sg_html_glance.h"
#include "sg_html_stats.h"

#include <stdlib.h>
#include <string.h>

static double sg_num(json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

static int sg_cmp_lab_mean(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    double px = sg_num(x, "max") > 0 ? sg_num(x, "mean") / sg_num(x, "max") : 1;
    double py = sg_num(y, "max") > 0 ? sg_num(y, "mean") / sg_num(y, "max") : 1;
    return (px > py) - (px < py);
}

/* The labs, lowest mean first, each linked to its chart. */
static void sg_glance_labs(struct sg_html *h, xmlNodePtr ul, const struct sg_html_class *c)
{
    json_t *labs = json_object_get(c->summary, "labs");
    size_t n = json_array_size(labs);
    json_t **sorted = calloc(n + 1, sizeof *sorted);
    if (sorted == NULL) {
        sg_html_fail(h, "the labs at a glance: out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = json_array_get(labs, i);
    qsort(sorted, n, sizeof *sorted, sg_cmp_lab_mean);
    xmlNodePtr li = sg_html_el(h, ul, "li", "Labs by mean score, lowest first: ");
    for (size_t i = 0; i < n; i++) {
        const char *id = json_string_value(json_object_get(sorted[i], "lab"));
        double max = sg_num(sorted[i], "max");
        if (id == NULL)
            continue;
        if (i > 0)
            sg_html_text(h, li, "; ");
        char *fid = sg_html_id("lab", id);
        const char *here[] = { NULL };
        if (fid == NULL)
            sg_html_fail(h, "an id for %s: out of memory", id);
        sg_html_link(h, li, here, fid, id);
        free(fid);
        if (max > 0)
            sg_html_textf(h, li, " %.0f %%", 100 * sg_num(sorted[i], "mean") / max);
        else
            sg_html_text(h, li, " (no student graded)");
    }
    free(sorted);
}

/* The tests with the lowest pass rates, whatever their lab. */
static void sg_glance_tests(struct sg_html *h, xmlNodePtr ul, const struct sg_html_class *c,
                            const struct sg_mistakes *m)
{
    json_t *tests = json_object_get(c->summary, "tests");
    size_t n = json_array_size(tests);
    json_t **sorted = calloc(n + 1, sizeof *sorted);
    if (sorted == NULL) {
        sg_html_fail(h, "the tests at a glance: out of memory");
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_array_get(tests, i);
        if (json_integer_value(json_object_get(t, "graded")) > 0 && sg_num(t, "rate") < 1)
            sorted[k++] = t;
    }
    qsort(sorted, k, sizeof *sorted, sg_html_cmp_rate);
    xmlNodePtr li = sg_html_el(h, ul, "li", k ? "Lowest pass rates: "
                                              : "Every test was passed by every student graded.");
    for (size_t i = 0; i < k && i < 5; i++) {
        const char *lab = json_string_value(json_object_get(sorted[i], "lab"));
        const char *test = json_string_value(json_object_get(sorted[i], "test"));
        if (lab == NULL || test == NULL)
            continue;
        if (i > 0)
            sg_html_text(h, li, "; ");
        char *id = sg_mistakes_of(m, lab, test) ? sg_mistakes_id(lab, test)
                                                : sg_html_id("tests", lab);
        const char *here[] = { NULL };
        if (id == NULL)
            sg_html_fail(h, "an id for %s: %s: out of memory", lab, test);
        xmlNodePtr a = sg_html_link(h, li, here, id, NULL);
        free(id);
        sg_html_textf(h, a, "%s: ", lab);
        sg_html_el(h, a, "code", test);
        sg_html_textf(h, li, " %.0f %% (%d of %d)", 100 * sg_num(sorted[i], "rate"),
                      (int)json_integer_value(json_object_get(sorted[i], "passed")),
                      (int)json_integer_value(json_object_get(sorted[i], "graded")));
    }
    free(sorted);
}

/* The largest group of failures in the class: the mistake to talk about first. */
static void sg_glance_mistake(struct sg_html *h, xmlNodePtr ul, const struct sg_html_class *c,
                              const struct sg_mistakes *m)
{
    const struct sg_mistake_test *best = NULL;
    const struct sg_mistake_group *group = NULL;
    /* A stub (ENOSYS) is work not done yet, not a mistake to talk about. */
    for (size_t i = 0; i < m->n; i++) {
        for (size_t g = 0; g < m->tests[i].ngroups; g++) {
            const struct sg_mistake_group *grp = &m->tests[i].groups[g];
            if (grp->n > 1 && !grp->stub && (group == NULL || grp->n > group->n)) {
                best = &m->tests[i];
                group = grp;
            }
        }
    }
    if (group == NULL)
        return;
    xmlNodePtr li = sg_html_el(h, ul, "li", "The commonest mistake: ");
    sg_html_elf(h, li, "strong", "%zu students", group->n);
    sg_html_text(h, li, " fail ");
    char *id = sg_mistakes_id(best->lab, best->test);
    const char *here[] = { NULL };
    if (id == NULL)
        sg_html_fail(h, "an id for %s: %s: out of memory", best->lab, best->test);
    xmlNodePtr a = sg_html_link(h, li, here, id, NULL);
    free(id);
    sg_html_textf(h, a, "%s: ", best->lab);
    sg_html_el(h, a, "code", best->test);
    sg_html_text(h, li, " with");
    json_t *lab = sg_html_find_lab(c->students[group->who[0]].grade, best->lab);
    sg_mistakes_texts(h, li, sg_html_find_test(lab, best->test));
}

void sg_html_glance(struct sg_html *h, xmlNodePtr parent, const struct sg_html_class *c,
                    const struct sg_mistakes *m)
{
    xmlNodePtr sec = sg_html_el(h, parent, "section", NULL);
    sg_html_attr(h, sec, "id", "glance");
    sg_html_el(h, sec, "h2", "At a glance");
    xmlNodePtr ul = sg_html_elc(h, sec, "ul", "facts", NULL);
    json_t *s = c->summary;
    int incomplete = (int)json_integer_value(json_object_get(s, "incomplete"));
    size_t refused = 0;
    for (size_t i = 0; i < c->n; i++) {
        size_t k;
        json_t *lab;
        bool any = false;
        json_array_foreach(json_object_get(c->students[i].grade, "labs"), k, lab) {
            const char *state = json_string_value(json_object_get(lab, "state"));
            any = any || (state != NULL && strcmp(state, "refused") == 0);
        }
        refused += any;
    }
    xmlNodePtr li = sg_html_elf(h, ul, "li", "%zu student%s: %d graded", c->n,
                                c->n == 1 ? "" : "s",
                                (int)json_integer_value(json_object_get(s, "graded")));
    if (incomplete > 0) {
        sg_html_text(h, li, ", ");
        const char *here[] = { NULL };
        sg_html_textf(h, sg_html_link(h, li, here, "students", NULL), "%d incomplete",
                      incomplete);
        sg_html_text(h, li, " (the grader failed on a lab of theirs: left out of the numbers "
                            "here, regrade them)");
    }
    if (refused > 0)
        sg_html_textf(h, li, "; %zu with a file refused", refused);
    sg_html_text(h, li, ".");
    sg_glance_labs(h, ul, c);
    sg_glance_tests(h, ul, c, m);
    sg_glance_mistake(h, ul, c, m);
    sg_html_totals(h, sec, c);
}
