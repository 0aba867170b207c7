/*
 * sg_summary.c — the gradebook and the class summary; see sg_summary.h.
 *
 * The gradebook's fields are quoted by libcsv (csv_fwrite): student folder
 * names and problems may hold commas, quotes or newlines; a name that a
 * spreadsheet would run as a formula is written with a leading '.
 */
#include "sg_summary.h"
#include "sg_csv.h"
#include "sg_fs.h"
#include "sg_report.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct sg_class {
    const char *const *labs;
    const struct sg_class_member *students;
    json_t **grades; /* each student's grade.json, NULL when the grader failed */
    size_t n;
};

/* Whether a lab of this grade was not graded because the grader failed. */
static bool sg_lab_incomplete(json_t *lab)
{
    const char *state = json_string_value(json_object_get(lab, "state"));
    return state != NULL && strcmp(state, "grader error") == 0;
}

/* A student is complete when every lab got the grade their work deserves. */
static bool sg_complete(json_t *grade)
{
    if (grade == NULL)
        return false;
    size_t i;
    json_t *lab;
    json_array_foreach(json_object_get(grade, "labs"), i, lab)
        if (sg_lab_incomplete(lab))
            return false;
    return true;
}

json_t *sg_summary_find_lab(json_t *grade, const char *id)
{
    size_t i;
    json_t *lab;
    json_array_foreach(json_object_get(grade, "labs"), i, lab) {
        const char *its = json_string_value(json_object_get(lab, "id"));
        if (its != NULL && id != NULL && strcmp(its, id) == 0)
            return lab;
    }
    return NULL;
}

static double sg_num(json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

/*
 * "ok", or what went wrong: "02-kerrisk-increment: missing file; 03-...: 2
 * timeouts"; first of all, whether the grade is incomplete because the
 * grader failed, which no instructor should take for a score.
 */
static char *sg_status(json_t *grade)
{
    if (grade == NULL)
        return strdup("incomplete: not graded (the grader failed on this submission); regrade");
    struct sg_buf b = SG_BUF_INIT;
    size_t i;
    json_t *lab;
    json_array_foreach(json_object_get(grade, "labs"), i, lab)
        if (sg_lab_incomplete(lab))
            sg_buf_printf(&b, "%s%s not graded (grader error)", b.len ? ", " : "incomplete: ",
                          json_string_value(json_object_get(lab, "id")));
    if (b.len > 0) {
        sg_buf_puts(&b, "; regrade");
        return sg_buf_take(&b);
    }
    json_array_foreach(json_object_get(grade, "labs"), i, lab) {
        const char *id = json_string_value(json_object_get(lab, "id"));
        const char *state = json_string_value(json_object_get(lab, "state"));
        if (strcmp(state, "graded") != 0) {
            sg_buf_printf(&b, "%s%s: %s", b.len ? "; " : "", id, state);
            continue;
        }
        size_t k, timeouts = 0;
        json_t *t;
        json_array_foreach(json_object_get(lab, "tests"), k, t)
            timeouts += json_is_true(json_object_get(t, "timed_out"));
        if (timeouts > 0)
            sg_buf_printf(&b, "%s%s: %zu timeout%s", b.len ? "; " : "", id, timeouts,
                          timeouts == 1 ? "" : "s");
    }
    return b.len ? sg_buf_take(&b) : (sg_buf_free(&b), strdup("ok"));
}

static int sg_write_gradebook(FILE *out, const void *arg)
{
    const struct sg_class *c = arg;
    int rc = sg_csv_field(out, "student", false);
    for (const char *const *l = c->labs; *l != NULL; l++)
        rc |= sg_csv_field(out, *l, false);
    rc |= sg_csv_field(out, "total", false) | sg_csv_field(out, "max", false) |
          sg_csv_field(out, "percent", false) | sg_csv_field(out, "status", true);
    for (size_t i = 0; i < c->n; i++) {
        json_t *g = c->grades[i];
        rc |= sg_csv_untrusted_field(out, c->students[i].name, false);
        for (const char *const *l = c->labs; *l != NULL; l++) {
            json_t *lab = g ? sg_summary_find_lab(g, *l) : NULL;
            /* A lab the grader could not grade has no score, not 0. */
            rc |= lab && !sg_lab_incomplete(lab) ? sg_csv_number(out, sg_num(lab, "score"), false)
                                                 : sg_csv_field(out, "", false);
        }
        char *status = sg_status(g);
        /* An incomplete grade has no total: a number there would be taken for one. */
        if (!sg_complete(g))
            g = NULL;
        double score = g ? sg_num(g, "score") : 0, max = g ? sg_num(g, "max_score") : 0;
        rc |= g ? sg_csv_number(out, score, false) : sg_csv_field(out, "", false);
        rc |= g ? sg_csv_number(out, max, false) : sg_csv_field(out, "", false);
        char pct[32];
        snprintf(pct, sizeof pct, "%.1f", max > 0 ? 100 * score / max : 0);
        rc |= sg_csv_field(out, g ? pct : "", false);
        rc |= sg_csv_field(out, status, true);
        free(status);
    }
    return rc == 0 && fflush(out) == 0 ? 0 : -1;
}

static int sg_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The summary as JSON; summary.txt is written from it. */
static json_t *sg_summarise(const struct sg_class *c)
{
    double *pct = calloc(c->n ? c->n : 1, sizeof *pct);
    size_t graded = 0;
    int bins[11] = { 0 };
    for (size_t i = 0; i < c->n; i++) {
        json_t *g = c->grades[i];
        if (!sg_complete(g))
            continue;
        double max = sg_num(g, "max_score");
        double p = max > 0 ? 100 * sg_num(g, "score") / max : 0;
        pct[graded++] = p;
        bins[p >= 100 ? 10 : (int)(p / 10)]++;
    }
    qsort(pct, graded, sizeof *pct, sg_cmp_double);
    double sum = 0;
    for (size_t i = 0; i < graded; i++)
        sum += pct[i];
    static const char *const ranges[11] = { "0-9",   "10-19", "20-29", "30-39",
                                            "40-49", "50-59", "60-69", "70-79",
                                            "80-89", "90-99", "100" };
    json_t *dist = json_array();
    for (int b = 0; b < 11; b++)
        json_array_append_new(dist, json_pack("{s:s, s:i}", "range", ranges[b], "students", bins[b]));
    json_t *labs = json_array(), *tests = json_array();
    for (const char *const *l = c->labs; *l != NULL; l++) {
        json_t *states = json_object();
        double lab_sum = 0, lab_max = 0;
        size_t counted = 0;
        json_t *names = json_object(); /* test name -> [passed, graded] */
        for (size_t i = 0; i < c->n; i++) {
            json_t *lab = c->grades[i] ? sg_summary_find_lab(c->grades[i], *l) : NULL;
            if (lab == NULL || sg_lab_incomplete(lab))
                continue;
            const char *state = json_string_value(json_object_get(lab, "state"));
            json_object_set_new(states, state,
                                json_integer(json_integer_value(json_object_get(states, state)) + 1));
            lab_sum += sg_num(lab, "score");
            lab_max = sg_num(lab, "max_score");
            counted++;
            if (strcmp(state, "graded") != 0)
                continue; /* a missing file says nothing about the tests */
            size_t k;
            json_t *t;
            json_array_foreach(json_object_get(lab, "tests"), k, t) {
                const char *name = json_string_value(json_object_get(t, "name"));
                json_t *tally = json_object_get(names, name);
                if (tally == NULL) {
                    tally = json_pack("[i, i]", 0, 0);
                    json_object_set_new(names, name, tally);
                }
                json_array_set_new(tally, 0, json_integer(json_integer_value(json_array_get(tally, 0)) +
                                                          json_is_true(json_object_get(t, "passed"))));
                json_array_set_new(tally, 1, json_integer(json_integer_value(json_array_get(tally, 1)) + 1));
            }
        }
        json_array_append_new(labs, json_pack("{s:s, s:f, s:f, s:o}", "lab", *l, "mean",
                                              counted ? lab_sum / (double)counted : 0, "max",
                                              lab_max, "states", states));
        const char *name;
        json_t *tally;
        json_object_foreach(names, name, tally) {
            json_int_t passed = json_integer_value(json_array_get(tally, 0));
            json_int_t total = json_integer_value(json_array_get(tally, 1));
            json_array_append_new(tests, json_pack("{s:s, s:s, s:I, s:I, s:f}", "lab", *l, "test",
                                                   name, "passed", passed, "graded", total,
                                                   "rate", total ? (double)passed / (double)total : 0));
        }
        json_decref(names);
    }
    json_t *root = json_pack("{s:i, s:i, s:i, s:f, s:f, s:f, s:f, s:o, s:o, s:o}", "students",
                             (int)c->n, "graded", (int)graded, "incomplete", (int)(c->n - graded),
                             "mean_percent",
                             graded ? sum / (double)graded : 0, "median_percent",
                             graded ? (graded % 2 ? pct[graded / 2]
                                                  : (pct[graded / 2 - 1] + pct[graded / 2]) / 2)
                                    : 0,
                             "min_percent", graded ? pct[0] : 0, "max_percent",
                             graded ? pct[graded - 1] : 0, "distribution", dist, "labs", labs,
                             "tests", tests);
    free(pct);
    return root;
}

static int sg_cmp_rate(const void *a, const void *b)
{
    double x = json_number_value(json_object_get(*(json_t *const *)a, "rate"));
    double y = json_number_value(json_object_get(*(json_t *const *)b, "rate"));
    return (x > y) - (x < y);
}

static int sg_write_summary_text(FILE *out, const void *arg)
{
    json_t *s = (json_t *)arg;
    fprintf(out, "shmlab class summary\n\n");
    fprintf(out, "students: %d (graded: %d; incomplete, left out of what follows: %d)\n",
            (int)json_integer_value(json_object_get(s, "students")),
            (int)json_integer_value(json_object_get(s, "graded")),
            (int)json_integer_value(json_object_get(s, "incomplete")));
    fprintf(out, "total: mean %.1f %%, median %.1f %%, lowest %.1f %%, highest %.1f %%\n\n",
            sg_num(s, "mean_percent"), sg_num(s, "median_percent"), sg_num(s, "min_percent"),
            sg_num(s, "max_percent"));
    fprintf(out, "distribution of totals (%%)\n");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(s, "distribution"), i, v) {
        int count = (int)json_integer_value(json_object_get(v, "students"));
        fprintf(out, "  %6s  %4d  ", json_string_value(json_object_get(v, "range")), count);
        for (int k = 0; k < count && k < 60; k++)
            fputc('#', out);
        fputc('\n', out);
    }
    fprintf(out, "\nlabs (mean score; how many were graded, missing, ...)\n");
    json_array_foreach(json_object_get(s, "labs"), i, v) {
        fprintf(out, "  %-24s %6.1f/%-4g", json_string_value(json_object_get(v, "lab")),
                sg_num(v, "mean"), sg_num(v, "max"));
        const char *state;
        json_t *count;
        json_object_foreach(json_object_get(v, "states"), state, count)
            fprintf(out, "  %s: %d", state, (int)json_integer_value(count));
        fputc('\n', out);
    }
    /* Lowest pass rate first: what the class did not understand. */
    json_t *tests = json_object_get(s, "tests");
    size_t n = json_array_size(tests);
    json_t **sorted = calloc(n ? n : 1, sizeof *sorted);
    for (i = 0; sorted != NULL && i < n; i++)
        sorted[i] = json_array_get(tests, i);
    if (sorted != NULL)
        qsort(sorted, n, sizeof *sorted, sg_cmp_rate);
    fprintf(out, "\ntests by pass rate, lowest first (students whose lab was graded)\n");
    for (i = 0; sorted != NULL && i < n; i++)
        fprintf(out, "  %5.1f %%  %3d/%-3d  %s: %s\n", 100 * sg_num(sorted[i], "rate"),
                (int)json_integer_value(json_object_get(sorted[i], "passed")),
                (int)json_integer_value(json_object_get(sorted[i], "graded")),
                json_string_value(json_object_get(sorted[i], "lab")),
                json_string_value(json_object_get(sorted[i], "test")));
    free(sorted);
    return fflush(out) == 0 ? 0 : -1;
}

static int sg_write_summary_json(FILE *out, const void *arg)
{
    return json_dumpf((json_t *)arg, out, JSON_INDENT(2)) == 0 && fputc('\n', out) != EOF ? 0 : -1;
}

int sg_summary_write(const char *outdir, const char *const *labs,
                     const struct sg_class_member *students, size_t n, struct sg_buf *err)
{
    struct sg_class c = { labs, students, calloc(n ? n : 1, sizeof(json_t *)), n };
    if (c.grades == NULL) {
        sg_buf_puts(err, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s/%s", students[i].dir, sg_format_file(SG_FORMAT_GRADE));
        c.grades[i] = json_load_file(p.data, 0, NULL);
        sg_buf_free(&p);
    }
    json_t *summary = sg_summarise(&c);
    const char *files[] = { "gradebook.csv", "summary.txt", "summary.json" };
    int (*writers[])(FILE *, const void *) = { sg_write_gradebook, sg_write_summary_text,
                                               sg_write_summary_json };
    const void *args[] = { &c, summary, summary };
    int rc = 0;
    for (size_t i = 0; i < 3; i++) {
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s/%s", outdir, files[i]);
        if (sg_write_atomic(p.data, writers[i], args[i]) == -1) {
            sg_buf_printf(err, "%s: %s", p.data, strerror(errno));
            rc = -1;
        }
        sg_buf_free(&p);
    }
    json_decref(summary);
    for (size_t i = 0; i < n; i++)
        json_decref(c.grades[i]);
    free(c.grades);
    return rc;
}

char *sg_summary_status(struct json_t *grade)
{
    return sg_status(grade);
}

bool sg_summary_complete(struct json_t *grade)
{
    return sg_complete(grade);
}
