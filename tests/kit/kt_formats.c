/*
 * kt_formats.c — every platform's format, checked against its documented
 * fields and values, from one graded submission (graded once, in-process):
 * lab 01 correct (hidden tests included), lab 02 not compiling (with
 * `#include <sys/shm.h>` and backticks in the compiler's messages), the
 * other labs as the skeletons or missing. Then the same grade with a lab
 * the grader could not grade.
 */
#include "kt.h"

#include "sg_redact.h"

static struct sg_grade kt_mixed;
static bool kt_mixed_graded;
static char *kt_mixed_dir;

/* The compiler's message that lab 02 must show once per report. */
#define KT_COMPILER_WORDS "kt_not_declared_anywhere"
/* Once in each copy of the compiler's messages (gcc's note on undeclared names). */
#define KT_COMPILER_ONCE "reported only once"
/* A line of backticks longer than any fence a grader would cap at. */
#define KT_TICKS_80 "````````````````````````````````````````````````````````````````````````````````"

/* Graded once, before the case's tests fork (an unchecked fixture): each test reads it. */
static void kt_mixed_setup(void)
{
    kt_mixed_dir = kt_tempdir();
    const char *ok[] = { kt_labs[0], NULL };
    kt_student(kt_mixed_dir, "sub", ok, true, "solutions");
    /* The other labs: a file that does not compile, then skeletons, then (the last) missing. */
    char *sub = kt_path(kt_mixed_dir, "sub");
    for (int l = 1; l < kt_nlabs - 1 || (l == 1 && kt_nlabs == 2); l++) {
        const char *one[] = { kt_labs[l], NULL };
        char *tmp = kt_tempdir();
        kt_student(tmp, "s", one, true, "skeletons");
        char *file = kt_lab_file(kt_labs[l]);
        struct sg_buf from = SG_BUF_INIT, to = SG_BUF_INIT;
        sg_buf_printf(&from, "%s/s/%s/%s", tmp, kt_labs[l], file);
        sg_buf_printf(&to, "%s/%s", sub, kt_labs[l]);
        ck_assert(mkdir(to.data, 0755) == 0);
        sg_buf_printf(&to, "/%s", file);
        if (l == 1)
            kt_write(to.data, "#include <sys/shm.h>\n"
                              "int f(void) { return " KT_COMPILER_WORDS "; } /* ```fence``` " KT_TICKS_80
                              " */\n");
        else
            kt_copy(from.data, to.data);
        sg_buf_free(&from);
        sg_buf_free(&to);
        free(file);
        kt_rmtree(tmp);
        free(tmp);
    }
    kt_grade(sub, NULL, &kt_mixed);
    free(sub);
    kt_mixed_graded = true;
}

static void kt_mixed_teardown(void)
{
    if (kt_mixed_graded)
        sg_grade_free(&kt_mixed);
    kt_mixed_graded = false;
    if (kt_mixed_dir != NULL)
        kt_rmtree(kt_mixed_dir);
    free(kt_mixed_dir);
    kt_mixed_dir = NULL;
}

static const struct sg_grade *kt_mixed_grade(void)
{
    ck_assert_msg(kt_mixed_graded, "the shared submission was not graded");
    return &kt_mixed;
}

/* Renders g in format f; the report's text, or NULL when the writer refused (errno saved in *error). */
static char *kt_render(const struct sg_grade *g, enum sg_format f, int *error)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert(out != NULL);
    int rc = sg_report_write(g, f, out, false);
    int saved = errno;
    fclose(out);
    if (rc == -1) {
        free(text);
        if (error != NULL)
            *error = saved;
        return NULL;
    }
    return text;
}

static size_t kt_count(const char *text, const char *words)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, words)) != NULL; p += strlen(words))
        n++;
    return n;
}

/* Whether a public test of g has this hint (a rubric's default hint is shared). */
static bool kt_public_hint(const struct sg_grade *g, const char *hint)
{
    for (size_t i = 0; i < g->nlabs; i++)
        for (size_t k = 0; k < g->labs[i].ntests; k++)
            if (!g->labs[i].tests[k].hidden && g->labs[i].tests[k].hint != NULL &&
                strcmp(g->labs[i].tests[k].hint, hint) == 0)
                return true;
    return false;
}

/* No hidden test's name, description or hint of its own appears in text. */
static void kt_require_no_hidden(const struct sg_grade *g, const char *text, const char *format)
{
    size_t hidden = 0;
    for (size_t i = 0; i < g->nlabs; i++)
        for (size_t k = 0; k < g->labs[i].ntests; k++) {
            const struct sg_test_result *t = &g->labs[i].tests[k];
            if (!t->hidden)
                continue;
            hidden++;
            char *name = sg_report_test_name(&g->labs[i], t);
            ck_assert_msg(strstr(text, name) == NULL, "%s shows the hidden test %s", format, name);
            ck_assert_msg(strstr(text, t->description) == NULL, "%s shows %s's description",
                          format, t->name);
            ck_assert_msg(t->hint == NULL || kt_public_hint(g, t->hint) ||
                              strstr(text, t->hint) == NULL,
                          "%s shows %s's hint", format, t->name);
            free(name);
        }
    ck_assert_msg(hidden > 0, "the grade has no hidden test to hide");
}

/* A copy of g whose lab i the grader could not grade (shares g's strings). */
static void kt_with_grader_error(const struct sg_grade *g, size_t i, struct sg_grade *out)
{
    ck_assert(sg_grade_redact(g, out) == 0);
    /* Put the hidden tests back: only the state changes. */
    for (size_t l = 0; l < g->nlabs; l++) {
        free(out->labs[l].tests);
        out->labs[l] = g->labs[l];
        out->labs[l].tests = malloc(g->labs[l].ntests * sizeof *g->labs[l].tests + 1);
        memcpy(out->labs[l].tests, g->labs[l].tests,
               g->labs[l].ntests * sizeof *g->labs[l].tests);
    }
    out->labs[i].state = SG_LAB_GRADER_ERROR;
    out->labs[i].problem = "could not start the test (sandbox set-up failed 3 times)";
    for (size_t k = 0; k < out->labs[i].ntests; k++) {
        out->labs[i].tests[k].passed = false;
        out->labs[i].tests[k].points = 0;
    }
    sg_grade_total(out);
}

START_TEST(gradescope_results_render_markdown_once_per_lab)
{
    const struct sg_grade *g = kt_mixed_grade();
    char *text = kt_render(g, SG_FORMAT_JSON, NULL);
    json_error_t jerr;
    json_t *r = json_loads(text, 0, &jerr);
    ck_assert_msg(r != NULL, "%s", jerr.text);
    ck_assert_str_eq(json_string_value(json_object_get(r, "output_format")), "md");
    ck_assert_str_eq(json_string_value(json_object_get(r, "test_output_format")), "text");
    const char *summary = json_string_value(json_object_get(r, "output"));
    /* The compiler's messages once, in the summary, in a fence: <...> and backticks kept. */
    ck_assert_msg(kt_count(text, KT_COMPILER_ONCE) == 1, "the compiler output appears %zu times",
                  kt_count(text, KT_COMPILER_ONCE));
    const char *words = strstr(summary, KT_COMPILER_WORDS);
    ck_assert_msg(words != NULL, "no compiler output in the summary:\n%s", summary);
    /* Longer than the 80 backticks in a row it holds (a fence capped at 63 was closed by them). */
    const char *fence = strstr(summary, KT_TICKS_80 "`text\n");
    ck_assert_msg(fence != NULL && fence < words && strstr(words, "\n" KT_TICKS_80 "`") != NULL,
                  "the compiler output is not in a fence longer than its backticks:\n%s", summary);
    ck_assert_msg(strstr(summary, "```fence```") != NULL, "backticks lost:\n%s", summary);
    /* Seen at once, the summary counts only the visible tests: a lab's
     * whole score told how many hidden points were lost. */
    for (size_t l = 0; l < g->nlabs; l++) {
        const struct sg_lab_result *lab = &g->labs[l];
        double score = 0, max = 0;
        size_t hidden = 0;
        for (size_t k = 0; k < lab->ntests; k++) {
            hidden += lab->tests[k].hidden;
            score += lab->tests[k].hidden ? 0 : lab->tests[k].points;
            max += lab->tests[k].hidden ? 0 : lab->tests[k].max_points;
        }
        ck_assert_msg(hidden > 0, "%s: no hidden test to keep out of the summary", lab->id);
        if (lab->state == SG_LAB_GRADER_ERROR)
            continue;
        char line[128];
        snprintf(line, sizeof line, "- `%s`: %g/%g in the visible tests", lab->id, score, max);
        ck_assert_msg(strstr(summary, line) != NULL, "no line %s in the summary:\n%s", line,
                      summary);
    }
    json_t *tests = json_object_get(r, "tests");
    size_t i;
    json_t *t;
    double sum = 0;
    long last_lab = 0, last_test = 0;
    json_array_foreach(tests, i, t) {
        ck_assert_str_eq(json_string_value(json_object_get(t, "output_format")), "text");
        const char *number = json_string_value(json_object_get(t, "number"));
        long lab, test;
        char end;
        ck_assert_msg(number != NULL && sscanf(number, "%ld.%ld%c", &lab, &test, &end) == 2,
                      "test %zu: number %s is not lab.test", i, number ? number : "(none)");
        ck_assert_msg(lab > last_lab ? test == 1 : lab == last_lab && test == last_test + 1,
                      "test %zu: number %s after %ld.%ld", i, number, last_lab, last_test);
        last_lab = lab;
        last_test = test;
        const char *name = json_string_value(json_object_get(t, "name"));
        char prefix[8];
        snprintf(prefix, sizeof prefix, "%02ld-", lab);
        ck_assert_msg(strncmp(name, prefix, 3) == 0, "%s is numbered %s", name, number);
        json_t *tags = json_object_get(t, "tags");
        ck_assert_msg(json_array_size(tags) == 1 &&
                          strncmp(json_string_value(json_array_get(tags, 0)), name,
                                  strlen(json_string_value(json_array_get(tags, 0)))) == 0,
                      "%s: tags are not its lab", name);
        const char *vis = json_string_value(json_object_get(t, "visibility"));
        bool hidden = false;
        for (size_t l = 0; l < g->nlabs; l++)
            for (size_t k = 0; k < g->labs[l].ntests; k++) {
                char *n = sg_report_test_name(&g->labs[l], &g->labs[l].tests[k]);
                if (strcmp(n, name) == 0)
                    hidden = g->labs[l].tests[k].hidden;
                free(n);
            }
        ck_assert_str_eq(vis, hidden ? "after_published" : "visible");
        sum += json_number_value(json_object_get(t, "score"));
    }
    ck_assert(sum == json_number_value(json_object_get(r, "score")));
    json_decref(r);
    free(text);
}
END_TEST

/* The counts of a JUnit element: tests, failures, errors, skipped. */
static void kt_junit_counts(xmlNodePtr n, long c[4])
{
    const char *names[] = { "tests", "failures", "errors", "skipped" };
    for (int k = 0; k < 4; k++) {
        xmlChar *v = xmlGetProp(n, BAD_CAST names[k]);
        ck_assert_msg(v != NULL, "<%s> has no %s", (const char *)n->name, names[k]);
        c[k] = strtol((const char *)v, NULL, 10);
        xmlFree(v);
    }
}

START_TEST(junit_counts_agree_at_every_level)
{
    const struct sg_grade *g = kt_mixed_grade();
    char *text = kt_render(g, SG_FORMAT_JUNIT, NULL);
    xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "junit.xml", NULL, XML_PARSE_NONET);
    ck_assert(doc != NULL);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    long total[4], sums[4] = { 0 };
    kt_junit_counts(root, total);
    bool compiler_seen = false;
    for (xmlNodePtr s = root->children; s != NULL; s = s->next) {
        if (s->type != XML_ELEMENT_NODE)
            continue;
        long c[4], seen[4] = { 0 };
        kt_junit_counts(s, c);
        for (xmlNodePtr t = s->children; t != NULL; t = t->next) {
            if (t->type != XML_ELEMENT_NODE)
                continue;
            if (strcmp((const char *)t->name, "system-err") == 0) {
                xmlChar *err = xmlNodeGetContent(t);
                compiler_seen |= strstr((const char *)err, KT_COMPILER_WORDS) != NULL;
                xmlFree(err);
                continue;
            }
            seen[0]++;
            for (xmlNodePtr x = t->children; x != NULL; x = x->next) {
                if (x->type != XML_ELEMENT_NODE)
                    continue;
                seen[1] += strcmp((const char *)x->name, "failure") == 0;
                seen[2] += strcmp((const char *)x->name, "error") == 0;
                seen[3] += strcmp((const char *)x->name, "skipped") == 0;
            }
        }
        for (int k = 0; k < 4; k++) {
            ck_assert_msg(c[k] == seen[k], "a suite's count %d says %ld, its cases %ld", k, c[k],
                          seen[k]);
            sums[k] += c[k];
        }
    }
    for (int k = 0; k < 4; k++)
        ck_assert_msg(total[k] == sums[k], "the root's count %d is %ld, its suites' %ld", k,
                      total[k], sums[k]);
    ck_assert_msg(total[2] > 0 && total[1] > 0, "the grade has failures and errors");
    ck_assert_msg(compiler_seen, "no compiler output in a <system-err>");
    ck_assert_msg(kt_count(text, KT_COMPILER_ONCE) == 1, "the compiler output appears %zu times",
                  kt_count(text, KT_COMPILER_ONCE));
    xmlFreeDoc(doc);
    free(text);
}
END_TEST

START_TEST(tap_failures_carry_a_yaml_block)
{
    const struct sg_grade *g = kt_mixed_grade();
    char *text = kt_render(g, SG_FORMAT_TAP, NULL);
    ck_assert(strncmp(text, "TAP version 13\n1..", 18) == 0);
    long plan = strtol(text + 18, NULL, 10);
    long lines = 0, blocks = 0, got = 0;
    char *copy = strdup(text);
    bool after_not_ok = false, in_block = false, has_message = false;
    for (char *line = strtok(copy, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strncmp(line, "ok ", 3) == 0 || strncmp(line, "not ok ", 7) == 0) {
            ck_assert_msg(!in_block, "a test line inside a YAML block");
            lines++;
            after_not_ok = line[0] == 'n';
            continue;
        }
        if (strcmp(line, "  ---") == 0) {
            ck_assert_msg(after_not_ok, "a YAML block that follows no failure");
            in_block = true;
            has_message = false;
            continue;
        }
        if (strcmp(line, "  ...") == 0) {
            ck_assert_msg(in_block && has_message, "a YAML block without a message");
            in_block = false;
            after_not_ok = false;
            blocks++;
            continue;
        }
        if (in_block) {
            /* "  key: "value"": a double-quoted scalar, which JSON's strings are. */
            char *colon = strstr(line, ": ");
            ck_assert_msg(strncmp(line, "  ", 2) == 0 && colon != NULL, "bad YAML line: %s", line);
            json_t *v = json_loads(colon + 2, JSON_DECODE_ANY, NULL);
            ck_assert_msg(json_is_string(v), "not a quoted scalar: %s", line);
            json_decref(v);
            has_message |= strncmp(line, "  message: ", 11) == 0;
            got += strncmp(line, "  got: ", 7) == 0;
            continue;
        }
        ck_assert_msg(line[0] == '#' || strncmp(line, "TAP", 3) == 0 || strncmp(line, "1..", 3) == 0,
                      "a line TAP does not know: %s", line);
    }
    ck_assert_int_eq(lines, plan);
    long failed = 0;
    for (size_t i = 0; i < g->nlabs; i++)
        for (size_t k = 0; k < g->labs[i].ntests; k++)
            failed += !g->labs[i].tests[k].passed;
    ck_assert_int_eq(blocks, failed);
    ck_assert_msg(got > 0, "no failure says what it got");
    free(copy);
    free(text);
}
END_TEST

START_TEST(autolab_scores_the_graded_labs_and_hides_hidden_tests)
{
    const struct sg_grade *g = kt_mixed_grade();
    char *text = kt_render(g, SG_FORMAT_AUTOLAB, NULL);
    kt_require_no_hidden(g, text, "the Autolab output");
    ck_assert_msg(strstr(text, "hidden tests, ") != NULL, "no count of the hidden tests:\n%s",
                  kt_tail(text));
    size_t len = strlen(text);
    char *last = memrchr(text, '\n', len - 1);
    json_t *r = json_loads(last ? last + 1 : text, 0, NULL);
    json_t *scores = json_object_get(r, "scores");
    ck_assert_msg(json_object_size(scores) == g->nlabs && json_object_size(r) == 1,
                  "the scores line is not one key per lab graded: %s", last);
    for (size_t i = 0; i < g->nlabs; i++)
        ck_assert(json_number_value(json_object_get(scores, g->labs[i].id)) == g->labs[i].score);
    json_decref(r);
    free(text);

    /* A lab the grader could not grade: no key, and the reason. */
    struct sg_grade e;
    kt_with_grader_error(g, 0, &e);
    text = kt_render(&e, SG_FORMAT_AUTOLAB, NULL);
    last = memrchr(text, '\n', strlen(text) - 1);
    r = json_loads(last + 1, 0, NULL);
    scores = json_object_get(r, "scores");
    ck_assert_msg(json_object_get(scores, g->labs[0].id) == NULL &&
                      json_object_size(scores) == g->nlabs - 1,
                  "a lab not graded has a score: %s", last + 1);
    ck_assert_msg(strstr(text, "not graded (the grader failed") != NULL, "%s", kt_tail(text));
    json_decref(r);
    free(text);
    sg_grade_redact_free(&e);
}
END_TEST

START_TEST(classroom_result_is_the_runner_format)
{
    const struct sg_grade *g = kt_mixed_grade();
    char *text = kt_render(g, SG_FORMAT_CLASSROOM, NULL);
    kt_require_no_hidden(g, text, "the Classroom result");
    json_t *r = json_loads(text, 0, NULL);
    ck_assert(r != NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "version")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(r, "status")), "fail");
    ck_assert(json_number_value(json_object_get(r, "max_score")) == g->max_score);
    double sum = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(r, "tests"), i, t) {
        const char *status = json_string_value(json_object_get(t, "status"));
        ck_assert(status != NULL && (strcmp(status, "pass") == 0 || strcmp(status, "fail") == 0));
        ck_assert(json_is_string(json_object_get(t, "name")));
        ck_assert(json_is_string(json_object_get(t, "message")));
        ck_assert(json_integer_value(json_object_get(t, "line_no")) == 0 &&
                  json_is_integer(json_object_get(t, "line_no")));
        sum += json_number_value(json_object_get(t, "score"));
    }
    ck_assert_msg(sum == g->score, "the tests' scores add up to %g, the grade is %g", sum,
                  g->score);
    json_decref(r);
    free(text);

    struct sg_grade e;
    kt_with_grader_error(g, 0, &e);
    text = kt_render(&e, SG_FORMAT_CLASSROOM, NULL);
    r = json_loads(text, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(r, "status")), "error");
    /* The reporter posts points whatever the status: a grader's failure gives none. */
    double posted = 0;
    json_array_foreach(json_object_get(r, "tests"), i, t)
        posted += json_number_value(json_object_get(t, "score"));
    ck_assert_msg(json_number_value(json_object_get(r, "max_score")) == 0 && posted == 0,
                  "a grader error posts %g points out of %g", posted,
                  json_number_value(json_object_get(r, "max_score")));
    json_decref(r);
    free(text);

    /* Every test failed with 20 KB to say: the result still fits, base64,
     * in the one environment variable the reporter reads (128 KiB; debug
     * prints in a failing submission made 306 KB, and no score). */
    static char lots[20001];
    memset(lots, 'x', sizeof lots - 1);
    for (size_t l = 0; l < e.nlabs; l++) {
        e.labs[l].state = SG_LAB_GRADED;
        for (size_t k = 0; k < e.labs[l].ntests; k++) {
            e.labs[l].tests[k].passed = false;
            e.labs[l].tests[k].points = 0;
            e.labs[l].tests[k].observed = lots;
            e.labs[l].tests[k].message = NULL;
        }
    }
    sg_grade_total(&e);
    text = kt_render(&e, SG_FORMAT_CLASSROOM, NULL);
    r = json_loads(text, 0, NULL);
    ck_assert_msg(r != NULL, "not JSON");
    json_decref(r);
    ck_assert_msg((strlen(text) + 2) / 3 * 4 < 96 * 1024, "the result is %zu bytes, %zu in base64",
                  strlen(text), (strlen(text) + 2) / 3 * 4);
    free(text);
    sg_grade_redact_free(&e);
}
END_TEST

START_TEST(prairielearn_results_gradable_or_not)
{
    const struct sg_grade *g = kt_mixed_grade();
    /* Lab 02 does not compile: not gradable, with the compiler's messages. */
    char *text = kt_render(g, SG_FORMAT_PRAIRIELEARN, NULL);
    kt_require_no_hidden(g, text, "the PrairieLearn results");
    json_t *r = json_loads(text, 0, NULL);
    ck_assert(r != NULL);
    ck_assert(json_is_false(json_object_get(r, "gradable")));
    ck_assert_msg(json_object_get(r, "score") == NULL, "an ungradable submission has a score");
    json_t *fe = json_object_get(r, "format_errors");
    ck_assert(json_array_size(fe) > 0);
    bool compiler = false;
    size_t i;
    json_t *v;
    json_array_foreach(fe, i, v)
        compiler |= strstr(json_string_value(v), KT_COMPILER_WORDS) != NULL;
    ck_assert_msg(compiler, "format_errors lack the compiler's messages");
    json_decref(r);
    free(text);

    /* Lab 01 alone: gradable, a score from 0 to 1, points on every test. */
    struct sg_grade one = *g;
    one.nlabs = 1;
    sg_grade_total(&one);
    text = kt_render(&one, SG_FORMAT_PRAIRIELEARN, NULL);
    r = json_loads(text, 0, NULL);
    ck_assert(json_is_true(json_object_get(r, "gradable")));
    double score = json_number_value(json_object_get(r, "score"));
    ck_assert_msg(score == one.score / one.max_score && score >= 0 && score <= 1, "score %g", score);
    ck_assert(json_is_string(json_object_get(r, "message")) &&
              json_is_string(json_object_get(r, "output")));
    double points = 0, max = 0;
    json_t *t;
    json_array_foreach(json_object_get(r, "tests"), i, t) {
        const char *keys[] = { "name", "description", "message", "output" };
        for (size_t k = 0; k < 4; k++)
            ck_assert_msg(json_is_string(json_object_get(t, keys[k])), "a test lacks %s", keys[k]);
        ck_assert(json_is_number(json_object_get(t, "points")) &&
                  json_is_number(json_object_get(t, "max_points")));
        points += json_number_value(json_object_get(t, "points"));
        max += json_number_value(json_object_get(t, "max_points"));
    }
    ck_assert(points == one.score && max == one.max_score);
    json_decref(r);
    free(text);
    sg_grade_total((struct sg_grade *)g);

    /* A grader error is no result: the writer refuses. */
    struct sg_grade e;
    kt_with_grader_error(g, 0, &e);
    int error = 0;
    ck_assert(kt_render(&e, SG_FORMAT_PRAIRIELEARN, &error) == NULL);
    ck_assert_int_eq(error, EAGAIN);
    /* ... and the others say it is incomplete, never a total. */
    text = kt_render(&e, SG_FORMAT_TEXT, NULL);
    ck_assert_msg(strstr(text, "incomplete: 1 lab not graded (grader error)") != NULL, "%s",
                  kt_tail(text));
    free(text);
    text = kt_render(&e, SG_FORMAT_TAP, NULL);
    ck_assert(strstr(text, "# incomplete:") != NULL && strstr(text, "# total") == NULL);
    free(text);
    text = kt_render(&e, SG_FORMAT_JSON, NULL);
    ck_assert(strstr(text, "Incomplete: 1 lab could not be graded") != NULL);
    free(text);
    sg_grade_redact_free(&e);
}
END_TEST

void kt_add_formats(Suite *s)
{
    TCase *tc = tcase_create("formats");
    /* One grading serves every test of this case (no fork per test). */
    tcase_set_timeout(tc, 300);
    tcase_add_unchecked_fixture(tc, kt_mixed_setup, kt_mixed_teardown);
    tcase_add_test(tc, gradescope_results_render_markdown_once_per_lab);
    tcase_add_test(tc, junit_counts_agree_at_every_level);
    tcase_add_test(tc, tap_failures_carry_a_yaml_block);
    tcase_add_test(tc, autolab_scores_the_graded_labs_and_hides_hidden_tests);
    tcase_add_test(tc, classroom_result_is_the_runner_format);
    tcase_add_test(tc, prairielearn_results_gradable_or_not);
    suite_add_tcase(s, tc);
}
