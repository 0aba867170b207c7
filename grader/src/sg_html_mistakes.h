/*
 * sg_html_mistakes.h — the class's common mistakes: for each test that
 * many students failed (at least SG_MISTAKE_MIN_STUDENTS, and at least
 * SG_MISTAKE_MIN_SHARE of those whose lab was graded), their failures
 * grouped by what the test said (observed, expected, problem, timed out),
 * numbers aside: addresses, pids, counts and sizes differ from one run to
 * the next, the mistake does not. The largest group first. A group whose
 * texts say ENOSYS ("Function not implemented") is a function not written
 * yet, as the text report says of a stub: one line, not a mistake.
 */
#ifndef SG_HTML_MISTAKES_H
#define SG_HTML_MISTAKES_H

#include "sg_html_class.h"

#define SG_MISTAKE_MIN_STUDENTS 2
#define SG_MISTAKE_MIN_SHARE 0.1
/* The tests shown open on the page; the others fold to a line. */
#define SG_MISTAKES_OPEN 5

struct sg_mistake_group {
    size_t *who;     /* the students (indexes into the class), who[0] the example shown */
    size_t n;
    bool same_text;  /* every one's texts are the example's, numbers too */
    bool stub;       /* the texts say ENOSYS: a function not written yet, not a mistake */
};

struct sg_mistake_test {
    const char *lab, *test;   /* in the summary */
    int passed, graded;
    struct sg_mistake_group *groups;
    size_t ngroups;
};

struct sg_mistakes {
    struct sg_mistake_test *tests; /* in the page's order: by lab, lowest pass rate first */
    size_t n;
};

/* 0 with m filled, or -1 with err (out of memory). */
int sg_mistakes_find(const struct sg_html_class *c, struct sg_mistakes *m, struct sg_buf *err);
void sg_mistakes_free(struct sg_mistakes *m);

/* The entry of a test, or NULL when not many failed it. */
const struct sg_mistake_test *sg_mistakes_of(const struct sg_mistakes *m, const char *lab,
                                             const char *test);
/* The fragment its entry has on the page (malloc'ed, or NULL). */
char *sg_mistakes_id(const char *lab, const char *test);

/* The section "Common mistakes". */
void sg_mistakes_section(struct sg_html *h, xmlNodePtr parent, const struct sg_html_class *c,
                         const struct sg_mistakes *m);

/* The texts of an example's failure: observed, expected, problem, hint. */
void sg_mistakes_texts(struct sg_html *h, xmlNodePtr parent, json_t *test);

#endif
