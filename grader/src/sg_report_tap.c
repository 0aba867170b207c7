/*
 * sg_report_tap.c — the Test Anything Protocol, version 13
 * (testanything.org/tap-version-13-specification.html).
 *
 * One line per test; a failure's diagnostics follow as TAP 13's YAML
 * block, indented two spaces between "---" and "...": message, severity,
 * expected, got (what the test observed), hint, where to read, and what the
 * code printed. Each value is a YAML double-quoted scalar written by
 * jansson: a JSON string (ASCII, with JSON's escapes) is a valid YAML
 * double-quoted scalar, so no escaping is written by hand.
 */
#include "sg_report.h"
#include "sg_text.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Appends "  key: "value"" when value is set; -1 when it cannot be written. */
static int sg_yaml(struct sg_buf *b, const char *key, const char *value)
{
    if (value == NULL || *value == '\0')
        return 0;
    json_t *s = json_string(value);
    char *quoted = s ? json_dumps(s, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
    json_decref(s);
    if (quoted == NULL)
        return -1;
    sg_buf_printf(b, "  %s: %s\n", key, quoted);
    free(quoted);
    return 0;
}

static int sg_tap_diagnostics(struct sg_buf *b, const struct sg_lab_result *lab,
                              const struct sg_test_result *t)
{
    int rc = 0;
    sg_buf_puts(b, "  ---\n");
    if (lab->state != SG_LAB_GRADED) {
        struct sg_buf why = SG_BUF_INIT;
        sg_buf_printf(&why, "not graded: %s: %s", sg_lab_state_name(lab->state),
                      lab->problem ? lab->problem : "");
        rc |= sg_yaml(b, "message", why.data);
        sg_buf_free(&why);
        rc |= sg_yaml(b, "severity", lab->state == SG_LAB_GRADER_ERROR ? "error" : "fail");
        rc |= sg_yaml(b, "compiler", lab->build_output);
    } else {
        rc |= sg_yaml(b, "message", t->message ? t->message : t->description);
        rc |= sg_yaml(b, "severity", "fail");
        rc |= sg_yaml(b, "expected", t->expected);
        rc |= sg_yaml(b, "got", t->observed);
        rc |= sg_yaml(b, "hint", t->hint);
        rc |= sg_yaml(b, "read", t->section);
        rc |= sg_yaml(b, "output", t->output);
    }
    sg_buf_puts(b, "  ...\n");
    return rc;
}

int sg_report_tap(const struct sg_grade *g, FILE *out)
{
    struct sg_buf b = SG_BUF_INIT;
    size_t n = 0;
    for (size_t i = 0; i < g->nlabs; i++)
        n += g->labs[i].ntests;
    sg_buf_printf(&b, "TAP version 13\n1..%zu\n", n);
    size_t number = 0;
    int rc = 0;
    for (size_t i = 0; i < g->nlabs && rc == 0; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        for (size_t k = 0; k < lab->ntests && rc == 0; k++) {
            const struct sg_test_result *t = &lab->tests[k];
            char *name = sg_report_test_name(lab, t);
            /* '#' would start a directive in the description. */
            for (char *p = name; *p; p++)
                if (*p == '#')
                    *p = '_';
            sg_buf_printf(&b, "%s %zu - %s (%g/%g)\n", t->passed ? "ok" : "not ok", ++number,
                          name, t->points, t->max_points);
            free(name);
            if (!t->passed)
                rc = sg_tap_diagnostics(&b, lab, t);
        }
    }
    size_t incomplete = sg_grade_grader_errors(g);
    if (incomplete > 0)
        sg_buf_printf(&b, "# incomplete: %zu lab%s not graded (grader error); regrade\n",
                      incomplete, incomplete == 1 ? "" : "s");
    else
        sg_buf_printf(&b, "# total %g/%g\n", g->score, g->max_score);
    if (rc == -1) {
        sg_buf_free(&b);
        errno = EINVAL;
        return -1;
    }
    size_t written = fwrite(b.data, 1, b.len, out);
    rc = written == b.len && fflush(out) == 0 ? 0 : -1;
    sg_buf_free(&b);
    return rc;
}
