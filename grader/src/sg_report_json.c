/*
 * sg_report_json.c — Gradescope's results.json, written with jansson.
 *
 * Format: gradescope/autograder_samples, docs/specs.md ("Output format",
 * "Output String Formatting", "Controlling Test Case Visibility").
 * - The summary is the top-level "output", rendered as Markdown
 *   ("output_format": "md"): without it Gradescope renders it as HTML
 *   ("simple_format"), and a compiler message such as `#include <sys/shm.h>`
 *   loses its <...> and its caret alignment. Everything that comes from the
 *   submission (paths, compiler messages, symbol names) is put in fenced
 *   code blocks, where Markdown interprets nothing; the fence is longer
 *   than any run of backticks inside (CommonMark, "Fenced code blocks").
 * - Each test's output is plain text ("output_format": "text"): a <pre>
 *   block. A lab that was not graded says why in each of its tests, but
 *   its compiler messages appear once, in the summary.
 * - "number" is "lab.test" (1.3: lab 01, its third test), so Gradescope
 *   lists the tests lab by lab; "tags" holds the lab.
 * - Hidden tests are "after_published": shown to students only once the
 *   instructor publishes the grades (README, "Gradescope").
 * Every string passed in is valid UTF-8 already (sg_escape), which jansson
 * requires; jansson does the JSON escaping.
 */
#include "sg_report.h"
#include "sg_text.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *sg_json_str(const char *s)
{
    /* Defensive: a string that is somehow not UTF-8 is escaped once more. */
    if (s == NULL)
        s = "";
    if (sg_utf8_valid(s, strlen(s)))
        return json_string(s);
    struct sg_buf b = SG_BUF_INIT;
    sg_escape(&b, s, strlen(s), strlen(s), SG_ESC_KEEP_NEWLINES);
    json_t *j = json_string(b.data ? b.data : "");
    sg_buf_free(&b);
    return j;
}

/* Appends text as a fenced code block, whatever backticks it holds. */
static void sg_md_fence(struct sg_buf *b, const char *text)
{
    size_t run = 0, longest = 0;
    for (const char *p = text; *p != '\0'; p++) {
        run = *p == '`' ? run + 1 : 0;
        longest = run > longest ? run : longest;
    }
    /* Longer than any run inside, however long: a fence of capped length
     * was closed by a line of more backticks (a #line file name of the
     * student's, which gcc quotes newlines and all), and what followed
     * was rendered as the grader's own Markdown. */
    size_t n = longest < 3 ? 3 : longest + 1;
    char *fence = malloc(n + 1);
    if (fence == NULL) {
        sg_buf_printf(b, "(not shown: out of memory)\n\n");
        return;
    }
    memset(fence, '`', n);
    fence[n] = '\0';
    size_t len = strlen(text);
    sg_buf_printf(b, "%stext\n%s%s%s\n\n", fence, text,
                  len > 0 && text[len - 1] != '\n' ? "\n" : "", fence);
    free(fence);
}

/* The lab's number, from its folder's name ("01-shared-buffer": 1), else its position. */
static long sg_lab_number(const struct sg_lab_result *lab, size_t position)
{
    char *end;
    long n = strtol(lab->id, &end, 10);
    return end != lab->id && *end == '-' && n > 0 ? n : (long)position + 1;
}

static json_t *sg_json_test(const struct sg_lab_result *lab, size_t position,
                            const struct sg_test_result *t, size_t index)
{
    char *name = sg_report_test_name(lab, t);
    char number[48];
    snprintf(number, sizeof number, "%ld.%zu", sg_lab_number(lab, position), index + 1);
    struct sg_buf out = SG_BUF_INIT;
    sg_buf_printf(&out, "%s\n", t->description ? t->description : "");
    if (lab->state == SG_LAB_GRADER_ERROR)
        sg_buf_printf(&out, "NOT GRADED: the grader failed (%s). This is not a score: the lab "
                            "must be graded again.\n",
                      lab->problem ? lab->problem : "");
    else if (lab->state != SG_LAB_GRADED)
        sg_buf_printf(&out, "not graded: %s: %s%s\n", sg_lab_state_name(lab->state),
                      lab->problem ? lab->problem : "",
                      lab->build_output ? " (the compiler's messages are in the summary above)"
                                        : "");
    else {
        char *details = sg_report_test_details(t);
        sg_buf_puts(&out, details);
        free(details);
    }
    json_t *j = json_pack("{s:o, s:s, s:s, s:f, s:f, s:s, s:o, s:s, s:[s], s:s}",
                          "name", sg_json_str(name),
                          "name_format", "text",
                          "number", number,
                          "score", t->points,
                          "max_score", t->max_points,
                          "status", t->passed ? "passed" : "failed",
                          "output", sg_json_str(out.data),
                          "output_format", "text",
                          "tags", lab->id,
                          "visibility", t->hidden ? "after_published" : "visible");
    free(name);
    sg_buf_free(&out);
    return j;
}

/* The submission's summary, in Markdown. */
static char *sg_summary(const struct sg_grade *g)
{
    struct sg_buf b = SG_BUF_INIT;
    size_t incomplete = sg_grade_grader_errors(g), hidden = 0;
    if (incomplete > 0)
        sg_buf_printf(&b, "**Incomplete: %zu lab%s could not be graded (the grader failed, "
                          "not your code). This is not your score: the submission must be "
                          "graded again.**\n\n",
                      incomplete, incomplete == 1 ? "" : "s");
    for (size_t i = 0; i < g->nlabs; i++)
        for (size_t k = 0; k < g->labs[i].ntests; k++)
            hidden += g->labs[i].tests[k].hidden;
    /* The summary is visible at once: each lab's line counts only the
     * visible tests (all of them, without hidden ones). Its whole score
     * would tell the student how many hidden points were lost before the
     * grades are published, as Gradescope hides the total until then. */
    for (size_t i = 0; i < g->nlabs; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        double score = 0, max = 0;
        for (size_t k = 0; k < lab->ntests; k++)
            if (!lab->tests[k].hidden) {
                score += lab->tests[k].points;
                max += lab->tests[k].max_points;
            }
        const char *which = hidden > 0 ? " in the visible tests" : "";
        if (lab->state == SG_LAB_GRADER_ERROR)
            sg_buf_printf(&b, "- `%s`: not graded (grader error)\n", lab->id);
        else if (lab->state != SG_LAB_GRADED)
            sg_buf_printf(&b, "- `%s`: %g/%g%s, %s\n", lab->id, score, max, which,
                          sg_lab_state_name(lab->state));
        else
            sg_buf_printf(&b, "- `%s`: %g/%g%s\n", lab->id, score, max, which);
    }
    sg_buf_puts(&b, "\n");
    if (hidden > 0)
        sg_buf_printf(&b, "%zu hidden test%s, and your total score, are shown once your "
                          "instructor publishes the grades.\n\n",
                      hidden, hidden == 1 ? "" : "s");
    for (size_t i = 0; i < g->nlabs; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        if (lab->state != SG_LAB_GRADED) {
            sg_buf_printf(&b, "#### `%s`: not graded (%s)\n\n", lab->id,
                          sg_lab_state_name(lab->state));
            struct sg_buf why = SG_BUF_INIT;
            sg_buf_printf(&why, "%s\n", lab->problem ? lab->problem : "");
            if (lab->build_output != NULL)
                sg_buf_printf(&why, "\n%s", lab->build_output);
            sg_md_fence(&b, why.data);
            sg_buf_free(&why);
            continue;
        }
        if (lab->build_output != NULL) {
            sg_buf_printf(&b, "#### `%s`: compiler warnings (not graded)\n\n", lab->id);
            sg_md_fence(&b, lab->build_output);
        }
        if (lab->notes != NULL) {
            sg_buf_printf(&b, "#### `%s`: notes\n\n", lab->id);
            sg_md_fence(&b, lab->notes);
        }
    }
    if (g->sandbox != NULL) {
        struct sg_buf line = SG_BUF_INIT;
        sg_buf_printf(&line, "sandbox: %s", g->sandbox);
        sg_md_fence(&b, line.data);
        sg_buf_free(&line);
    }
    return sg_buf_take(&b);
}

int sg_report_json(const struct sg_grade *g, FILE *out)
{
    json_t *tests = json_array();
    if (tests == NULL) {
        errno = ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < g->nlabs; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        for (size_t k = 0; k < lab->ntests; k++) {
            /* A test that cannot be written is an error, never a test left out. */
            json_t *t = sg_json_test(lab, i, &lab->tests[k], k);
            if (t == NULL || json_array_append_new(tests, t) == -1) {
                json_decref(tests);
                errno = EINVAL;
                return -1;
            }
        }
    }
    char *summary = sg_summary(g);
    json_t *root = json_pack("{s:f, s:f, s:f, s:o, s:s, s:s, s:s, s:s, s:s, s:o}",
                             "score", g->score,
                             "max_score", g->max_score,
                             "execution_time", g->seconds,
                             "output", sg_json_str(summary),
                             "output_format", "md",
                             "test_output_format", "text",
                             "test_name_format", "text",
                             "visibility", "visible",
                             "stdout_visibility", "hidden",
                             "tests", tests);
    free(summary);
    if (root == NULL) {
        errno = EINVAL;
        return -1;
    }
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_ENSURE_ASCII) == 0 ? 0 : -1;
    json_decref(root);
    if (rc == 0 && (fputc('\n', out) == EOF || fflush(out) == EOF))
        rc = -1;
    return rc;
}
