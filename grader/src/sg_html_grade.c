/* sg_html_grade.c — grade.json back into the results model; see sg_html_grade.h. */
#include "sg_html_grade.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Where a value is, for messages: "labs[1].tests[3].name". */
struct sg_where {
    const char *what;
    size_t lab, test;
};

static void sg_bad(struct sg_buf *err, const struct sg_where *w, const char *key, const char *why)
{
    if (w->what == NULL)
        sg_buf_printf(err, "grade.json: \"%s\" %s", key, why);
    else if (strcmp(w->what, "lab") == 0)
        sg_buf_printf(err, "grade.json: labs[%zu].%s %s", w->lab, key, why);
    else
        sg_buf_printf(err, "grade.json: labs[%zu].tests[%zu].%s %s", w->lab, w->test, key, why);
}

/* A string that must be there, copied; NULL with a message otherwise. */
static char *sg_need_str(json_t *obj, const char *key, const struct sg_where *w,
                         struct sg_buf *err)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (s == NULL) {
        sg_bad(err, w, key, "is not a string");
        return NULL;
    }
    char *copy = strdup(s);
    if (copy == NULL)
        sg_bad(err, w, key, "could not be copied (out of memory)");
    return copy;
}

/* A string that may be null or absent: 0 with *out set (NULL when absent), -1 otherwise. */
static int sg_opt_str(json_t *obj, const char *key, char **out, const struct sg_where *w,
                      struct sg_buf *err)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        sg_bad(err, w, key, "is neither a string nor null");
        return -1;
    }
    *out = strdup(json_string_value(v));
    if (*out == NULL) {
        sg_bad(err, w, key, "could not be copied (out of memory)");
        return -1;
    }
    return 0;
}

static int sg_need_num(json_t *obj, const char *key, double *out, const struct sg_where *w,
                       struct sg_buf *err)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_number(v)) {
        sg_bad(err, w, key, "is not a number");
        return -1;
    }
    *out = json_number_value(v);
    return 0;
}

static int sg_need_bool(json_t *obj, const char *key, bool *out, const struct sg_where *w,
                        struct sg_buf *err)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_boolean(v)) {
        sg_bad(err, w, key, "is not true or false");
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

/* The NULL-terminated list of a test's "needs", NULL when null or absent. */
static int sg_read_needs(json_t *t, char ***out, const struct sg_where *w, struct sg_buf *err)
{
    json_t *needs = json_object_get(t, "needs");
    *out = NULL;
    if (needs == NULL || json_is_null(needs))
        return 0;
    if (!json_is_array(needs)) {
        sg_bad(err, w, "needs", "is neither a list nor null");
        return -1;
    }
    *out = calloc(json_array_size(needs) + 1, sizeof **out);
    if (*out == NULL) {
        sg_bad(err, w, "needs", "could not be copied (out of memory)");
        return -1;
    }
    size_t i;
    json_t *v;
    json_array_foreach(needs, i, v) {
        const char *s = json_string_value(v);
        if (s == NULL || ((*out)[i] = strdup(s)) == NULL) {
            sg_bad(err, w, "needs", s == NULL ? "holds a value that is not a string"
                                              : "could not be copied (out of memory)");
            return -1;
        }
    }
    return 0;
}

static int sg_read_test(json_t *t, struct sg_test_result *r, const struct sg_where *w,
                        struct sg_buf *err)
{
    double total = 0;
    if ((r->name = sg_need_str(t, "name", w, err)) == NULL ||
        sg_need_bool(t, "passed", &r->passed, w, err) == -1 ||
        sg_need_bool(t, "hidden", &r->hidden, w, err) == -1 ||
        sg_need_bool(t, "timed_out", &r->timed_out, w, err) == -1 ||
        sg_need_num(t, "points", &r->points, w, err) == -1 ||
        sg_need_num(t, "max_points", &r->max_points, w, err) == -1 ||
        sg_need_num(t, "seconds", &r->seconds, w, err) == -1 ||
        sg_need_num(t, "cpu", &r->cpu_seconds, w, err) == -1 ||
        sg_need_num(t, "output_total", &total, w, err) == -1 ||
        sg_opt_str(t, "description", &r->description, w, err) == -1 ||
        sg_opt_str(t, "observed", &r->observed, w, err) == -1 ||
        sg_opt_str(t, "expected", &r->expected, w, err) == -1 ||
        sg_opt_str(t, "message", &r->message, w, err) == -1 ||
        sg_opt_str(t, "hint", &r->hint, w, err) == -1 ||
        sg_opt_str(t, "section", &r->section, w, err) == -1 ||
        sg_opt_str(t, "output", &r->output, w, err) == -1 ||
        sg_read_needs(t, &r->needs, w, err) == -1)
        return -1;
    if (total < 0) {
        sg_bad(err, w, "output_total", "is negative");
        return -1;
    }
    r->output_total = (size_t)total;
    /* The text report prints the description as it is: "" rather than "(null)". */
    if (r->description == NULL && (r->description = strdup("")) == NULL) {
        sg_bad(err, w, "description", "could not be copied (out of memory)");
        return -1;
    }
    return 0;
}

static int sg_read_state(json_t *lab, enum sg_lab_state *out, const struct sg_where *w,
                         struct sg_buf *err)
{
    const char *name = json_string_value(json_object_get(lab, "state"));
    for (int s = SG_LAB_GRADED; name != NULL && s <= SG_LAB_GRADER_ERROR; s++)
        if (strcmp(name, sg_lab_state_name((enum sg_lab_state)s)) == 0) {
            *out = (enum sg_lab_state)s;
            return 0;
        }
    sg_bad(err, w, "state", "is not a lab state shmgrade writes");
    return -1;
}

static int sg_read_lab(json_t *lab, struct sg_lab_result *r, struct sg_where *w,
                       struct sg_buf *err)
{
    if ((r->id = sg_need_str(lab, "id", w, err)) == NULL ||
        sg_read_state(lab, &r->state, w, err) == -1 ||
        sg_need_num(lab, "score", &r->score, w, err) == -1 ||
        sg_need_num(lab, "max_score", &r->max_score, w, err) == -1 ||
        sg_need_num(lab, "build_seconds", &r->build_seconds, w, err) == -1 ||
        sg_need_num(lab, "build_cpu", &r->build_cpu_seconds, w, err) == -1 ||
        sg_opt_str(lab, "problem", &r->problem, w, err) == -1 ||
        sg_opt_str(lab, "title", &r->title, w, err) == -1 ||
        sg_opt_str(lab, "file", &r->file, w, err) == -1 ||
        sg_opt_str(lab, "path", &r->path, w, err) == -1 ||
        sg_opt_str(lab, "build_output", &r->build_output, w, err) == -1 ||
        sg_opt_str(lab, "notes", &r->notes, w, err) == -1)
        return -1;
    json_t *tests = json_object_get(lab, "tests");
    if (!json_is_array(tests)) {
        sg_bad(err, w, "tests", "is not a list");
        return -1;
    }
    r->tests = calloc(json_array_size(tests) + 1, sizeof *r->tests);
    if (r->tests == NULL) {
        sg_bad(err, w, "tests", "could not be copied (out of memory)");
        return -1;
    }
    struct sg_where tw = { "test", w->lab, 0 };
    size_t k;
    json_t *t;
    json_array_foreach(tests, k, t) {
        tw.test = k;
        /* Counted first: sg_grade_free frees what a test read in part holds. */
        r->ntests = k + 1;
        if (sg_read_test(t, &r->tests[k], &tw, err) == -1)
            return -1;
    }
    return 0;
}

int sg_html_grade_read(json_t *root, struct sg_grade *g, struct sg_buf *err)
{
    memset(g, 0, sizeof *g);
    struct sg_where w = { NULL, 0, 0 };
    json_t *labs = json_object_get(root, "labs");
    int rc = -1;
    if ((g->submission = sg_need_str(root, "submission", &w, err)) == NULL ||
        sg_need_bool(root, "hidden", &g->hidden, &w, err) == -1 ||
        sg_need_num(root, "score", &g->score, &w, err) == -1 ||
        sg_need_num(root, "max_score", &g->max_score, &w, err) == -1 ||
        sg_need_num(root, "seconds", &g->seconds, &w, err) == -1 ||
        sg_opt_str(root, "sandbox", &g->sandbox, &w, err) == -1) {
        goto out;
    }
    if (!json_is_array(labs)) {
        sg_bad(err, &w, "labs", "is not a list");
        goto out;
    }
    g->labs = calloc(json_array_size(labs) + 1, sizeof *g->labs);
    if (g->labs == NULL) {
        sg_bad(err, &w, "labs", "could not be copied (out of memory)");
        goto out;
    }
    size_t i;
    json_t *lab;
    json_array_foreach(labs, i, lab) {
        struct sg_where lw = { "lab", i, 0 };
        g->nlabs = i + 1;
        if (sg_read_lab(lab, &g->labs[i], &lw, err) == -1)
            goto out;
    }
    rc = 0;
out:
    if (rc == -1) {
        sg_grade_free(g);
        errno = EINVAL;
    }
    return rc;
}
