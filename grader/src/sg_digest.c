/* sg_digest.c — which failures a report shows in full; see sg_digest.h. */
#include "sg_digest.h"
#include "sg_stub.h"
#include "sg_text.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool sg_says(const struct sg_test_result *t, const char *word)
{
    const char *parts[] = { t->observed, t->message };
    for (size_t i = 0; i < 2; i++)
        if (parts[i] != NULL && strstr(parts[i], word) != NULL)
            return true;
    return false;
}

/* The function a failed test is about: the first of its needs that its message names. */
static const char *sg_function_of(const struct sg_test_result *t)
{
    if (t->needs == NULL || t->needs[0] == NULL)
        return NULL;
    const char *last = NULL;
    for (char **n = t->needs; *n != NULL; n++) {
        if (sg_says(t, *n))
            return *n;
        last = *n;
    }
    return last;
}

/*
 * How a failed test ended: 0 an assertion, 1 killed by a signal (a crash),
 * 2 did not finish. A crash or a hang is another cause than the wrong
 * value the first failure of the same function showed, and is shown in
 * full too (a review as a class: a SIGSEGV was folded under "byte 0 is h").
 */
static int sg_kind_of(const struct sg_test_result *t)
{
    /* A test not run after another hung is that hang's echo, not a hang. */
    if (t->observed != NULL && strncmp(t->observed, "not run: ", 9) == 0)
        return 0;
    if (sg_says(t, "did not finish"))
        return 2;
    return sg_says(t, "killed by signal") ? 1 : 0;
}

static struct sg_stub *sg_find_stub(struct sg_digest *d, const char *function)
{
    for (size_t i = 0; i < d->nstubs; i++)
        if (strcmp(d->stubs[i].function, function) == 0)
            return &d->stubs[i];
    return NULL;
}

int sg_digest_lab(const struct sg_lab_result *lab, struct sg_digest *d)
{
    memset(d, 0, sizeof *d);
    d->shown = calloc(lab->ntests + 1, sizeof *d->shown);
    d->like = calloc(lab->ntests + 1, sizeof *d->like);
    d->stubs = calloc(lab->ntests + 1, sizeof *d->stubs);
    if (d->shown == NULL || d->like == NULL || d->stubs == NULL) {
        sg_digest_free(d);
        return -1;
    }
    /* The stubs: functions named by a failure that says ENOSYS, in its
     * message or in the tests' own hint for it (SG_NOT_WRITTEN, sg_stub.h,
     * which a test gives only when the call failed with ENOSYS). */
    for (size_t k = 0; k < lab->ntests; k++) {
        const struct sg_test_result *t = &lab->tests[k];
        const char *f = t->passed ? NULL : sg_function_of(t);
        bool enosys = sg_says(t, "Function not implemented") ||
                      (t->hint != NULL && strstr(t->hint, SG_NOT_WRITTEN_MARK) != NULL);
        if (f != NULL && enosys && sg_says(t, f) && sg_find_stub(d, f) == NULL)
            d->stubs[d->nstubs++].function = f;
    }
    /* Fold every failed test that needs a stub into the stub's line. */
    const char **seen = calloc(lab->ntests + 1, sizeof *seen);
    int *seen_kind = calloc(lab->ntests + 1, sizeof *seen_kind);
    size_t *seen_test = calloc(lab->ntests + 1, sizeof *seen_test);
    size_t nseen = 0;
    for (size_t k = 0; k < lab->ntests; k++) {
        const struct sg_test_result *t = &lab->tests[k];
        d->shown[k] = SG_SHOWN_LINE;
        d->like[k] = SIZE_MAX;
        if (t->passed)
            continue;
        /* The stub the failure itself names, else the first stub it needs:
         * a stub is listed because some failure named it, so that failure
         * must land on its line (an empty line would name no test). */
        const char *named = sg_function_of(t);
        struct sg_stub *stub = named != NULL ? sg_find_stub(d, named) : NULL;
        for (char **n = t->needs; n != NULL && *n != NULL && stub == NULL; n++)
            stub = sg_find_stub(d, *n);
        if (stub != NULL) {
            d->shown[k] = SG_SHOWN_IN_STUB;
            struct sg_buf names = SG_BUF_INIT;
            sg_buf_printf(&names, "%s%s%s", stub->tests ? stub->tests : "",
                          stub->tests ? ", " : "", t->name);
            free(stub->tests);
            stub->tests = sg_buf_take(&names);
            stub->ntests++;
            stub->points += t->max_points;
            continue;
        }
        /* The first failure of each function and kind in full; a test
         * with no function known is always shown in full. */
        const char *f = sg_function_of(t);
        int kind = sg_kind_of(t);
        bool first = true;
        for (size_t i = 0; f != NULL && i < nseen && first; i++)
            if (strcmp(seen[i], f) == 0 && seen_kind[i] == kind) {
                first = false;
                d->like[k] = seen_test[i];
            }
        if (first) {
            d->shown[k] = SG_SHOWN_FULL;
            if (f != NULL && seen != NULL && seen_kind != NULL && seen_test != NULL) {
                seen_kind[nseen] = kind;
                seen_test[nseen] = k;
                seen[nseen++] = f;
            }
        }
    }
    free(seen);
    free(seen_kind);
    free(seen_test);
    /* Drop a stub no test was folded into: nothing to list on its line. */
    size_t kept = 0;
    for (size_t i = 0; i < d->nstubs; i++)
        if (d->stubs[i].ntests > 0)
            d->stubs[kept++] = d->stubs[i];
        else
            free(d->stubs[i].tests);
    d->nstubs = kept;
    return 0;
}

void sg_digest_free(struct sg_digest *d)
{
    for (size_t i = 0; d->stubs != NULL && i < d->nstubs; i++)
        free(d->stubs[i].tests);
    free(d->stubs);
    free(d->shown);
    free(d->like);
    memset(d, 0, sizeof *d);
}

char *sg_digest_line_note(const struct sg_test_result *t, const char *like)
{
    static const char prefix[] = "not run: ";
    const char *o = t->observed;
    if (o != NULL && strncmp(o, prefix, sizeof prefix - 1) == 0) {
        /* "not run: T did not finish, and ... functions (f, g), so it would not either":
         * the sentence without the list of functions. */
        const char *cut = strstr(o, " (");
        return strndup(o, cut != NULL ? (size_t)(cut - o) : strlen(o));
    }
    /* Folded because it is about the same function as a failure shown in
     * full, which it most often repeats; graded alone, it is shown whole. */
    struct sg_buf note = SG_BUF_INIT;
    sg_buf_printf(&note, "see the failure %s%s above, or grade it alone with --test %s for its own",
                  like != NULL ? "of " : "", like != NULL ? like : "", t->name);
    return sg_buf_take(&note);
}

const char *sg_digest_like(const struct sg_digest *d, const struct sg_lab_result *lab, size_t k)
{
    size_t i = d->like != NULL ? d->like[k] : SIZE_MAX;
    if (i >= lab->ntests || (lab->tests[i].hidden && !lab->tests[k].hidden))
        return NULL;
    return lab->tests[i].name;
}
