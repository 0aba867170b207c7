/* sg_rubric.c — load a lab's rubric with jansson; see sg_rubric.h. */
#include "sg_rubric.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *sg_json_strdup(json_t *obj, const char *key, bool required, const char *where,
                            struct sg_buf *err)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL && !required)
        return strdup("");
    if (!json_is_string(v)) {
        sg_buf_printf(err, "%s: \"%s\" must be a string", where, key);
        return NULL;
    }
    return strdup(json_string_value(v));
}

/* The lab's measured timings (an empty object when there are none). */
static json_t *sg_load_timings(const char *dir, const char *file)
{
    struct sg_buf p = SG_BUF_INIT;
    sg_buf_printf(&p, "%s/%s", dir, file);
    json_t *t = access(p.data, R_OK) == 0 ? json_load_file(p.data, 0, NULL) : NULL;
    sg_buf_free(&p);
    return json_is_object(t) ? t : (json_decref(t), json_object());
}

static void sg_rubric_test_free(struct sg_rubric_test *t)
{
    free(t->name);
    free(t->description);
    free(t->hint);
    free(t->section);
    sg_strv_free(t->needs);
    sg_strv_free(t->requires);
}

/*
 * A test's limits from evidence: the reference solution's measured wall
 * and CPU time (timings.json, written by `make timings`). The wall-clock
 * limit stays the rubric's: it depends on how busy the machine is, so it
 * must be generous. What stops a test that never ends is measured in the
 * sandbox instead (grader/enter/sg_watch.h), and needs far less margin:
 * the CPU time of its processes (sixty times the solution's, at least
 * 0.5 s), and a time with nothing runnable and no CPU used (ten times the
 * solution's wall time, at least 1 s). Sixty, not twenty: the grading
 * machine is not the one timings.json was measured on. On a paravirtual
 * VM where starting processes and faulting pages in cost several times
 * as much, the lock-heavy tests (lab 02's hidden one with the most workers,
 * unrelated_producers_consumers) used up to 10.6 times their measured
 * CPU under load, which twenty left with a margin of two. At most 8 s
 * (SG_CPU_CEILING): sixty times the heaviest test's 0.4 s would be its whole wall
 * limit, and a WAIT that busy-waits, which passes that test on a quiet
 * machine, would burn 20 s before being told.
 * Load does not make a process idle; it does inflate the kernel's count
 * of CPU time, by up to twice measured for code that faults many pages
 * in, so the CPU floor stays well above what slow but finishing code
 * needs: near it, such code would be graded by the load. The floor is
 * what a function that spins costs in each test that calls it. At 0.5 s:
 * the reference's light tests used at most 0.014 s each with sixteen
 * submissions graded eight tests at a time (load 10), a margin of 35. It
 * was 1.5 s while lab 03's run tests passed a WAIT that busy-waits on a
 * quiet machine (at 0.5 s such a WAIT, slowed by four jobs per core, used
 * it up in ten turns and lost them by the load); those tests now require
 * waits_do_not_spin, which fails a spinning WAIT whatever the load.
 */
static void sg_limits_from(json_t *timings, struct sg_rubric_test *rt)
{
    json_t *m = json_object_get(timings, rt->name);
    double wall = json_number_value(json_object_get(m, "wall"));
    double cpu = json_number_value(json_object_get(m, "cpu"));
    rt->measured = json_is_object(m);
    rt->cpu_limit = SG_CPU_FACTOR * cpu > SG_CPU_FLOOR ? SG_CPU_FACTOR * cpu : SG_CPU_FLOOR;
    rt->stuck_limit =
        SG_STUCK_FACTOR * wall > SG_STUCK_FLOOR ? SG_STUCK_FACTOR * wall : SG_STUCK_FLOOR;
    if (rt->cpu_limit > SG_CPU_CEILING)
        rt->cpu_limit = SG_CPU_CEILING;
    if (rt->cpu_limit > rt->timeout)
        rt->cpu_limit = rt->timeout;
    if (rt->stuck_limit > rt->timeout)
        rt->stuck_limit = rt->timeout;
}

/* A JSON array of strings as a NULL-terminated array (malloc'ed; empty when a is no array). */
static char **sg_json_strv(json_t *a)
{
    char **v = calloc(json_array_size(a) + 1, sizeof *v);
    for (size_t k = 0; v != NULL && k < json_array_size(a); k++)
        v[k] = strdup(json_string_value(json_array_get(a, k)) ?: "");
    return v;
}

static int sg_load_tests(const char *path, bool hidden, double default_timeout,
                         json_t *timings, struct sg_rubric *r, struct sg_buf *err)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (root == NULL) {
        sg_buf_printf(err, "%s:%d: %s", path, jerr.line, jerr.text);
        return -1;
    }
    json_t *tests = json_object_get(root, "tests");
    if (!json_is_array(tests)) {
        sg_buf_printf(err, "%s: \"tests\" must be an array", path);
        json_decref(root);
        return -1;
    }
    size_t n = json_array_size(tests);
    struct sg_rubric_test *all = realloc(r->tests, (r->ntests + n) * sizeof *all);
    if (all == NULL && r->ntests + n > 0) {
        json_decref(root);
        sg_buf_printf(err, "%s: out of memory", path);
        return -1;
    }
    r->tests = all;
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_array_get(tests, i);
        struct sg_rubric_test *rt = &r->tests[r->ntests];
        memset(rt, 0, sizeof *rt);
        json_t *points = json_object_get(t, "points");
        json_t *timeout = json_object_get(t, "timeout");
        rt->name = sg_json_strdup(t, "name", true, path, err);
        rt->description = rt->name ? sg_json_strdup(t, "description", false, path, err) : NULL;
        rt->hint = rt->description ? sg_json_strdup(t, "hint", false, path, err) : NULL;
        if (rt->hint == NULL || !json_is_number(points) || json_number_value(points) < 0 ||
            (timeout != NULL && !json_is_number(timeout))) {
            if (rt->hint != NULL)
                sg_buf_printf(err, "%s: test %zu needs a non-negative \"points\" number", path, i);
            free(rt->name);
            free(rt->description);
            free(rt->hint);
            json_decref(root);
            return -1;
        }
        rt->points = json_number_value(points);
        rt->timeout = timeout ? json_number_value(timeout) : default_timeout;
        sg_limits_from(timings, rt);
        rt->hidden = hidden;
        /* Optional: the handout section that explains the rule, the API
         * functions the test cannot pass without, and whether it is their
         * plain case ("basic"; a hidden test never is: its hang must not
         * change a public test's report). */
        rt->basic = !hidden && json_is_true(json_object_get(t, "basic"));
        json_t *section = json_object_get(t, "section");
        rt->section = json_is_string(section) ? strdup(json_string_value(section)) : NULL;
        rt->needs = sg_json_strv(json_object_get(t, "needs"));
        /* Tests whose failure would make this one's outcome a matter of
         * scheduling (a race that a run may or may not lose), or a pass
         * for code that does nothing: it runs only once they have passed
         * (sg_schedule.h). */
        rt->requires = sg_json_strv(json_object_get(t, "requires"));
        r->ntests++;
    }
    json_decref(root);
    return 0;
}

/*
 * Every test a test requires is an earlier test of the lab, and a public
 * test's a public one: a hidden test's result would show in the public
 * report, and a later one could wait for it for ever. 0, or -1 with err.
 */
static int sg_check_requires(const struct sg_rubric *r, struct sg_buf *err)
{
    for (size_t i = 0; i < r->ntests; i++)
        for (char **q = r->tests[i].requires; q != NULL && *q != NULL; q++) {
            size_t k = 0;
            while (k < i && strcmp(r->tests[k].name, *q) != 0)
                k++;
            if (k == i || (r->tests[k].hidden && !r->tests[i].hidden)) {
                sg_buf_printf(err, "%s: test %s requires %s, which is not an earlier %stest of "
                                   "the lab",
                              r->dir, r->tests[i].name, *q, r->tests[i].hidden ? "" : "public ");
                return -1;
            }
        }
    /* The memory check's, likewise: it runs after the public tests. */
    for (char **q = r->memcheck.requires; q != NULL && *q != NULL; q++) {
        size_t k = 0;
        while (k < r->ntests && strcmp(r->tests[k].name, *q) != 0)
            k++;
        if (k == r->ntests || r->tests[k].hidden) {
            sg_buf_printf(err, "%s: the memory check requires %s, which is not a public test "
                               "of the lab", r->dir, *q);
            return -1;
        }
    }
    return 0;
}

int sg_rubric_load(const char *labs_dir, const char *id, bool with_hidden, struct sg_rubric *r,
                   struct sg_buf *err)
{
    memset(r, 0, sizeof *r);
    struct sg_buf path = SG_BUF_INIT;
    sg_buf_printf(&path, "%s/%s", labs_dir, id);
    r->dir = sg_buf_take(&path);
    r->id = strdup(id);
    sg_buf_printf(&path, "%s/rubric.json", r->dir);

    json_error_t jerr;
    json_t *root = json_load_file(path.data, 0, &jerr);
    if (root == NULL) {
        sg_buf_printf(err, "%s:%d: %s", path.data, jerr.line, jerr.text);
        goto fail;
    }
    r->title = sg_json_strdup(root, "title", true, path.data, err);
    r->file = r->title ? sg_json_strdup(root, "file", true, path.data, err) : NULL;
    r->header = r->file ? sg_json_strdup(root, "header", true, path.data, err) : NULL;
    r->program = r->header ? sg_json_strdup(root, "program", true, path.data, err) : NULL;
    json_t *api = json_object_get(root, "api");
    json_t *timeout = json_object_get(root, "timeout");
    if (r->program == NULL || !json_is_array(api) || !json_is_number(timeout)) {
        if (r->program != NULL)
            sg_buf_printf(err, "%s: needs an \"api\" array and a \"timeout\" number", path.data);
        json_decref(root);
        goto fail;
    }
    r->napi = json_array_size(api);
    r->api = calloc(r->napi + 1, sizeof *r->api);
    for (size_t i = 0; r->api != NULL && i < r->napi; i++) {
        json_t *s = json_array_get(api, i);
        r->api[i] = strdup(json_is_string(s) ? json_string_value(s) : "");
    }
    /* The wall clock only catches what the sandbox's watch misses (a test
     * that never ends is stopped by its CPU time or by being stuck), and
     * it depends on the load: never less than SG_WALL_FLOOR. */
    double default_timeout = json_number_value(timeout);
    if (default_timeout < SG_WALL_FLOOR)
        default_timeout = SG_WALL_FLOOR;
    json_t *mc = json_object_get(root, "memcheck");
    if (json_is_object(mc)) {
        json_t *prog = json_object_get(mc, "program");
        r->memcheck.points = json_number_value(json_object_get(mc, "points"));
        r->memcheck.description = sg_json_strdup(mc, "description", false, path.data, err);
        r->memcheck.input = sg_json_strdup(mc, "input", false, path.data, err);
        r->memcheck.program = sg_json_strv(prog);
        r->memcheck.requires = sg_json_strv(json_object_get(mc, "requires"));
    }
    json_decref(root);
    json_t *timings = sg_load_timings(r->dir, "timings.json");
    int rc = sg_load_tests(path.data, false, default_timeout, timings, r, err);
    json_decref(timings);
    if (rc == -1)
        goto fail;

    path.len = 0;
    sg_buf_printf(&path, "%s/hidden/rubric.json", r->dir);
    r->has_hidden = access(path.data, R_OK) == 0;
    timings = sg_load_timings(r->dir, "hidden/timings.json");
    rc = with_hidden && r->has_hidden
             ? sg_load_tests(path.data, true, default_timeout, timings, r, err)
             : 0;
    json_decref(timings);
    if (rc == -1 || sg_check_requires(r, err) == -1)
        goto fail;
    sg_buf_free(&path);
    return 0;
fail:
    sg_buf_free(&path);
    sg_rubric_free(r);
    return -1;
}

void sg_rubric_free(struct sg_rubric *r)
{
    for (size_t i = 0; i < r->ntests; i++)
        sg_rubric_test_free(&r->tests[i]);
    free(r->tests);
    sg_strv_free(r->memcheck.program);
    sg_strv_free(r->memcheck.requires);
    free(r->memcheck.description);
    free(r->memcheck.input);
    if (r->api != NULL)
        for (size_t i = 0; i < r->napi; i++)
            free(r->api[i]);
    free(r->api);
    free(r->id);
    free(r->dir);
    free(r->title);
    free(r->file);
    free(r->header);
    free(r->program);
    memset(r, 0, sizeof *r);
}

void sg_rubric_keep_tests(struct sg_rubric *r, const char *const *names)
{
    size_t kept = 0;
    for (size_t i = 0; i < r->ntests; i++) {
        bool wanted = false;
        for (const char *const *n = names; *n != NULL && !wanted; n++)
            wanted = strcmp(*n, r->tests[i].name) == 0;
        if (wanted)
            r->tests[kept++] = r->tests[i];
        else
            sg_rubric_test_free(&r->tests[i]);
    }
    r->ntests = kept;
}

static int sg_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **sg_rubric_list_labs(const char *labs_dir, struct sg_buf *err)
{
    DIR *d = opendir(labs_dir);
    if (d == NULL) {
        sg_buf_printf(err, "%s: %s", labs_dir, strerror(errno));
        return NULL;
    }
    char **v = calloc(1, sizeof *v);
    size_t n = 0;
    struct dirent *e;
    while (v != NULL && (e = readdir(d)) != NULL) {
        const char *s = e->d_name;
        if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != '-')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s/rubric.json", labs_dir, s);
        if (access(path, R_OK) != 0)
            continue;
        char **grown = realloc(v, (n + 2) * sizeof *v);
        if (grown == NULL) {
            sg_strv_free(v);
            v = NULL;
            break;
        }
        v = grown;
        v[n++] = strdup(s);
        v[n] = NULL;
    }
    closedir(d);
    if (v == NULL) {
        sg_buf_printf(err, "out of memory");
        return NULL;
    }
    qsort(v, n, sizeof *v, sg_cmp_str);
    return v;
}

void sg_strv_free(char **v)
{
    if (v == NULL)
        return;
    for (char **p = v; *p != NULL; p++)
        free(*p);
    free(v);
}
