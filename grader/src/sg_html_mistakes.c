/* sg_html_mistakes.c — the class's common mistakes; see sg_html_mistakes.h. */
#include "sg_html_mistakes.h"

#include <stdlib.h>
#include <string.h>

static bool sg_word(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool sg_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * s with its numbers as "#": a word of hex digits with a digit in it
 * ("0x7f3a2c000000", "7f3a2c000000-7f3a2c004000" in a maps line) and any
 * run of decimal digits (a pid in "/proc/4242", a count). The words stay.
 */
static int sg_normalise(struct sg_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    int rc = 0;
    for (size_t i = 0; p[i] != '\0' && rc == 0;) {
        if (i == 0 || !sg_word(p[i - 1])) {
            size_t j = i + (p[i] == '0' && (p[i + 1] == 'x' || p[i + 1] == 'X') ? 2 : 0), k = j;
            bool digit = false;
            while (sg_hex(p[k])) {
                digit = digit || (p[k] >= '0' && p[k] <= '9');
                k++;
            }
            if (k > j && digit && !sg_word(p[k])) {
                rc = sg_buf_puts(b, j > i ? "0x#" : "#");
                i = k;
                continue;
            }
        }
        if (p[i] >= '0' && p[i] <= '9') {
            while (p[i] >= '0' && p[i] <= '9')
                i++;
            rc = sg_buf_puts(b, "#");
            continue;
        }
        rc = sg_buf_append(b, (const char *)&p[i], 1);
        i++;
    }
    return rc;
}

static const char *sg_str(json_t *t, const char *key)
{
    const char *s = json_string_value(json_object_get(t, key));
    return s ? s : "";
}

/* What a failure is told by: its texts (numbers aside, or as they are) and whether it timed out. */
static char *sg_key(json_t *t, bool exact)
{
    struct sg_buf b = SG_BUF_INIT;
    const char *keys[] = { "observed", "expected", "message" };
    int rc = 0;
    for (size_t i = 0; i < 3 && rc == 0; i++) {
        rc = exact ? sg_buf_puts(&b, sg_str(t, keys[i])) : sg_normalise(&b, sg_str(t, keys[i]));
        rc = rc == 0 ? sg_buf_append(&b, "\x1f", 1) : -1;
    }
    if (rc == 0)
        rc = sg_buf_puts(&b, json_is_true(json_object_get(t, "timed_out")) ? "T" : "-");
    if (rc == -1) {
        sg_buf_free(&b);
        return NULL;
    }
    return sg_buf_take(&b);
}

static json_t *sg_test_of(const struct sg_html_class *c, size_t student, const char *lab,
                          const char *test)
{
    return sg_html_find_test(sg_html_find_lab(c->students[student].grade, lab), test);
}

static int sg_cmp_groups(const void *a, const void *b)
{
    const struct sg_mistake_group *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return (x->who[0] > y->who[0]) - (x->who[0] < y->who[0]);
}

/* The failures of one test, grouped. */
static int sg_group(const struct sg_html_class *c, struct sg_mistake_test *mt)
{
    size_t cap = 0;
    char **keys = NULL;
    int rc = 0;
    for (size_t s = 0; s < c->n && rc == 0; s++) {
        json_t *lab = sg_html_find_lab(c->students[s].grade, mt->lab);
        /* As the summary counts: every lab graded (tests run), whatever the rest of the grade. */
        if (lab == NULL || strcmp(sg_str(lab, "state"), "graded") != 0)
            continue;
        json_t *t = sg_html_find_test(lab, mt->test);
        if (t == NULL || json_is_true(json_object_get(t, "passed")))
            continue;
        char *key = sg_key(t, false);
        if (key == NULL) {
            rc = -1;
            break;
        }
        size_t g = 0;
        while (g < mt->ngroups && strcmp(keys[g], key) != 0)
            g++;
        if (g == mt->ngroups) {
            if (mt->ngroups == cap) {
                size_t more = cap ? 2 * cap : 8;
                char **k2 = realloc(keys, more * sizeof *k2);
                if (k2 != NULL)
                    keys = k2;
                struct sg_mistake_group *g2 = k2 ? realloc(mt->groups, more * sizeof *g2) : NULL;
                if (g2 == NULL) {
                    free(key);
                    rc = -1;
                    break;
                }
                mt->groups = g2;
                cap = more;
            }
            keys[g] = key;
            key = NULL;
            mt->groups[g] = (struct sg_mistake_group){ NULL, 0, true, false };
            mt->ngroups++;
        }
        free(key);
        struct sg_mistake_group *grp = &mt->groups[g];
        size_t *who = realloc(grp->who, (grp->n + 1) * sizeof *who);
        if (who == NULL) {
            rc = -1;
            break;
        }
        grp->who = who;
        grp->who[grp->n++] = s;
    }
    for (size_t g = 0; g < mt->ngroups; g++)
        free(keys[g]);
    free(keys);
    if (rc == -1)
        return -1;
    /* Whether the texts are the same, numbers too: the page says when they
     * differ. Whether they say ENOSYS, as a stub of the skeleton does. */
    for (size_t g = 0; g < mt->ngroups; g++) {
        struct sg_mistake_group *grp = &mt->groups[g];
        json_t *example = sg_test_of(c, grp->who[0], mt->lab, mt->test);
        grp->stub = strstr(sg_str(example, "observed"), "Function not implemented") != NULL ||
                    strstr(sg_str(example, "message"), "Function not implemented") != NULL;
        char *first = sg_key(example, true);
        if (first == NULL)
            return -1;
        for (size_t i = 1; i < grp->n && grp->same_text; i++) {
            char *other = sg_key(sg_test_of(c, grp->who[i], mt->lab, mt->test), true);
            if (other == NULL) {
                free(first);
                return -1;
            }
            grp->same_text = strcmp(first, other) == 0;
            free(other);
        }
        free(first);
    }
    if (mt->ngroups > 1)
        qsort(mt->groups, mt->ngroups, sizeof *mt->groups, sg_cmp_groups);
    return 0;
}

int sg_mistakes_find(const struct sg_html_class *c, struct sg_mistakes *m, struct sg_buf *err)
{
    memset(m, 0, sizeof *m);
    for (const char *const *lab = c->labs; *lab != NULL; lab++) {
        size_t n = 0;
        json_t **tests = sg_html_tests_of(c, *lab, &n);
        if (tests == NULL) {
            sg_buf_puts(err, "the common mistakes: out of memory");
            sg_mistakes_free(m);
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            int graded = (int)json_integer_value(json_object_get(tests[i], "graded"));
            int passed = (int)json_integer_value(json_object_get(tests[i], "passed"));
            int failed = graded - passed;
            if (failed < SG_MISTAKE_MIN_STUDENTS || failed < SG_MISTAKE_MIN_SHARE * graded)
                continue;
            struct sg_mistake_test *more = realloc(m->tests, (m->n + 1) * sizeof *more);
            if (more == NULL) {
                free(tests);
                sg_buf_puts(err, "the common mistakes: out of memory");
                sg_mistakes_free(m);
                return -1;
            }
            m->tests = more;
            struct sg_mistake_test *mt = &m->tests[m->n++];
            *mt = (struct sg_mistake_test){ .lab = *lab, .passed = passed, .graded = graded,
                                            .test = sg_str(tests[i], "test") };
            if (sg_group(c, mt) == -1) {
                free(tests);
                sg_buf_puts(err, "the common mistakes: out of memory");
                sg_mistakes_free(m);
                return -1;
            }
        }
        free(tests);
    }
    return 0;
}

void sg_mistakes_free(struct sg_mistakes *m)
{
    for (size_t i = 0; i < m->n; i++) {
        for (size_t g = 0; g < m->tests[i].ngroups; g++)
            free(m->tests[i].groups[g].who);
        free(m->tests[i].groups);
    }
    free(m->tests);
    m->tests = NULL;
    m->n = 0;
}

const struct sg_mistake_test *sg_mistakes_of(const struct sg_mistakes *m, const char *lab,
                                             const char *test)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->tests[i].lab, lab) == 0 && strcmp(m->tests[i].test, test) == 0)
            return &m->tests[i];
    return NULL;
}

char *sg_mistakes_id(const char *lab, const char *test)
{
    struct sg_buf b = SG_BUF_INIT;
    char *id = sg_html_id(lab, test);
    if (id == NULL || sg_buf_printf(&b, "mistake-%s", id) == -1) {
        free(id);
        sg_buf_free(&b);
        return NULL;
    }
    free(id);
    return sg_buf_take(&b);
}

static void sg_text(struct sg_html *h, xmlNodePtr dl, const char *term, json_t *t,
                    const char *key)
{
    const char *text = json_string_value(json_object_get(t, key));
    if (text == NULL || *text == '\0')
        return;
    sg_html_el(h, dl, "dt", term);
    sg_html_el(h, sg_html_el(h, dl, "dd", NULL), "pre", text);
}

void sg_mistakes_texts(struct sg_html *h, xmlNodePtr parent, json_t *test)
{
    xmlNodePtr dl = sg_html_elc(h, parent, "dl", "texts", NULL);
    sg_text(h, dl, "observed", test, "observed");
    sg_text(h, dl, "expected", test, "expected");
    sg_text(h, dl, "problem", test, "message");
    sg_text(h, dl, "hint", test, "hint");
    if (json_is_true(json_object_get(test, "timed_out"))) {
        sg_html_el(h, dl, "dt", "timed out");
        sg_html_el(h, dl, "dd", "stopped for taking too long");
    }
}

/* The students of a group, linked to their page at the lab; a long list folded. */
static void sg_who(struct sg_html *h, xmlNodePtr parent, const struct sg_html_class *c,
                   const struct sg_mistake_test *mt, const struct sg_mistake_group *grp)
{
    xmlNodePtr list = parent;
    if (grp->n > 8) {
        xmlNodePtr details = sg_html_el(h, parent, "details", NULL);
        sg_html_elf(h, details, "summary", "who: the %zu students", grp->n);
        list = sg_html_el(h, details, "p", NULL);
    } else {
        list = sg_html_el(h, parent, "p", "who: ");
    }
    for (size_t i = 0; i < grp->n; i++) {
        if (i > 0)
            sg_html_text(h, list, ", ");
        sg_html_student_link(h, list, &c->students[grp->who[i]], mt->lab);
    }
}

static void sg_group_entry(struct sg_html *h, xmlNodePtr parent, const struct sg_html_class *c,
                           const struct sg_mistake_test *mt, const struct sg_mistake_group *grp)
{
    int failed = mt->graded - mt->passed;
    xmlNodePtr div = sg_html_elc(h, parent, "div", "mistake", NULL);
    xmlNodePtr p = sg_html_el(h, div, "p", NULL);
    sg_html_elf(h, p, "strong", "%zu student%s", grp->n, grp->n == 1 ? "" : "s");
    sg_html_textf(h, p, " (%.0f %% of the %d who failed)", 100.0 * (double)grp->n / failed,
                  failed);
    if (grp->stub) {
        /* Not a mistake to discuss: said in a line, as the text report does. */
        sg_html_text(h, p, ": a function this test needs is not written yet (it fails with "
                           "ENOSYS, \"Function not implemented\")");
        sg_who(h, div, c, mt, grp);
        return;
    }
    const struct sg_html_student *example = &c->students[grp->who[0]];
    sg_mistakes_texts(h, div, sg_test_of(c, grp->who[0], mt->lab, mt->test));
    if (!grp->same_text) {
        xmlNodePtr note = sg_html_elc(h, div, "p", "muted", "numbers differ between them; shown: ");
        sg_html_text(h, note, example->name);
        sg_html_text(h, note, "'s");
    }
    sg_who(h, div, c, mt, grp);
}

/* Whether test i is among the SG_MISTAKES_OPEN lowest pass rates (ties: the page's order). */
static bool sg_lowest(const struct sg_mistakes *m, size_t i)
{
    const struct sg_mistake_test *t = &m->tests[i];
    size_t below = 0;
    for (size_t k = 0; k < m->n; k++) {
        const struct sg_mistake_test *o = &m->tests[k];
        /* rate(o) < rate(t), cross-multiplied: no division, no rounding */
        long lo = (long)o->passed * t->graded, lt = (long)t->passed * o->graded;
        below += lo < lt || (lo == lt && k < i);
    }
    return below < SG_MISTAKES_OPEN;
}

void sg_mistakes_section(struct sg_html *h, xmlNodePtr parent, const struct sg_html_class *c,
                         const struct sg_mistakes *m)
{
    xmlNodePtr sec = sg_html_el(h, parent, "section", NULL);
    sg_html_attr(h, sec, "id", "mistakes");
    sg_html_el(h, sec, "h2", "Common mistakes");
    sg_html_elf(h, sec, "p",
                "Each test that at least %d students and at least %.0f %% of those whose lab "
                "was graded failed, lowest pass rate first within each lab. Their failures are "
                "grouped by what the test observed and expected, numbers (addresses, process "
                "ids, sizes) aside; the largest group first, each with who fell into it.",
                SG_MISTAKE_MIN_STUDENTS, 100 * SG_MISTAKE_MIN_SHARE);
    if (m->n == 0)
        sg_html_el(h, sec, "p", "No test was failed by that many.");
    else
        sg_html_elf(h, sec, "p", "The %d with the lowest pass rates are open; click on another "
                                 "to open it.", SG_MISTAKES_OPEN);
    for (size_t i = 0; i < m->n; i++) {
        const struct sg_mistake_test *mt = &m->tests[i];
        xmlNodePtr art = sg_html_elc(h, sec, "article", "failing", NULL);
        char *id = sg_mistakes_id(mt->lab, mt->test);
        if (id == NULL)
            sg_html_fail(h, "an id for %s: %s: out of memory", mt->lab, mt->test);
        sg_html_attr(h, art, "id", id);
        free(id);
        /* A long list folds: the tests the class did worst on stay open. */
        xmlNodePtr details = sg_html_el(h, art, "details", NULL);
        if (sg_lowest(m, i))
            sg_html_attr(h, details, "open", "open");
        xmlNodePtr h3 = sg_html_elf(h, sg_html_el(h, details, "summary", NULL), "h3", "%s: ",
                                    mt->lab);
        sg_html_el(h, h3, "code", mt->test);
        sg_html_textf(h, h3, " — %d of %d passed (%.0f %%)", mt->passed, mt->graded,
                      mt->graded ? 100.0 * mt->passed / mt->graded : 0);
        art = details;
        json_t *lab = sg_html_some_lab(c, mt->lab);
        const char *description =
            json_string_value(json_object_get(sg_html_find_test(lab, mt->test), "description"));
        if (description != NULL && *description != '\0')
            sg_html_elc(h, art, "p", "muted", description);
        size_t shared = 0;
        for (size_t g = 0; g < mt->ngroups; g++) {
            if (mt->groups[g].n > 1) {
                sg_group_entry(h, art, c, mt, &mt->groups[g]);
                shared++;
            }
        }
        /* Failures no one else shares: folded, as each says less about the class. */
        if (shared < mt->ngroups) {
            xmlNodePtr details = sg_html_el(h, art, "details", NULL);
            if (shared == 0)
                sg_html_attr(h, details, "open", "open");
            sg_html_elf(h, details, "summary", "%zu %sstudent%s failing in a way of their own",
                        mt->ngroups - shared, shared ? "other " : "",
                        mt->ngroups - shared == 1 ? "" : "s");
            for (size_t g = 0; g < mt->ngroups; g++)
                if (mt->groups[g].n == 1)
                    sg_group_entry(h, details, c, mt, &mt->groups[g]);
        }
    }
}
