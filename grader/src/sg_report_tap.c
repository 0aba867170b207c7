/*
 * sg_report_tap.c — the Test Anything Protocol, version 13.
 *
 * One line per test; a failure's explanation follows as "# " comment
 * lines. The text is escaped already (no control characters), so prefixing
 * each line is all TAP needs.
 */
#include "sg_report.h"
#include "sg_text.h"

#include <stdlib.h>
#include <string.h>

int sg_report_tap(const struct sg_grade *g, FILE *out)
{
    struct sg_buf b = SG_BUF_INIT;
    size_t n = 0;
    for (size_t i = 0; i < g->nlabs; i++)
        n += g->labs[i].ntests;
    sg_buf_printf(&b, "TAP version 13\n1..%zu\n", n);
    size_t number = 0;
    for (size_t i = 0; i < g->nlabs; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        for (size_t k = 0; k < lab->ntests; k++) {
            const struct sg_test_result *t = &lab->tests[k];
            char *name = sg_report_test_name(lab, t);
            /* '#' would start a directive in the description. */
            for (char *p = name; *p; p++)
                if (*p == '#')
                    *p = '_';
            sg_buf_printf(&b, "%s %zu - %s (%g/%g)\n", t->passed ? "ok" : "not ok", ++number,
                          name, t->points, t->max_points);
            free(name);
            if (t->passed)
                continue;
            char *details = sg_report_test_details(t);
            for (char *line = details, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                    *next++ = '\0';
                sg_buf_printf(&b, "# %s\n", line);
            }
            free(details);
        }
    }
    sg_buf_printf(&b, "# total %g/%g\n", g->score, g->max_score);
    size_t written = fwrite(b.data, 1, b.len, out);
    int rc = written == b.len && fflush(out) == 0 ? 0 : -1;
    sg_buf_free(&b);
    return rc;
}
