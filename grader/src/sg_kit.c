/* sg_kit.c — locate the kit, and the fixed environment of graded commands; see sg_kit.h. */
#include "sg_kit.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *sg_dirname(const char *path)
{
    char *d = strdup(path);
    if (d == NULL)
        return NULL;
    char *slash = strrchr(d, '/');
    if (slash == NULL)
        strcpy(d, ".");
    else if (slash == d)
        d[1] = '\0';
    else
        *slash = '\0';
    return d;
}

int sg_kit_at(struct sg_kit *k, const char *root, struct sg_buf *err)
{
    struct sg_buf b = SG_BUF_INIT;
    k->root = strdup(root);
    sg_buf_printf(&b, "%s/labs", root);
    k->labs = sg_buf_take(&b);
    sg_buf_printf(&b, "%s/build/kit", root);
    k->objects = sg_buf_take(&b);
    if (k->root == NULL || k->labs == NULL || k->objects == NULL ||
        access(k->labs, R_OK | X_OK) != 0) {
        sg_buf_printf(err, "cannot find the kit's labs/ in %s", root);
        sg_kit_free(k);
        return -1;
    }
    return 0;
}

int sg_kit_locate(struct sg_kit *k, struct sg_buf *err)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n == -1) {
        sg_buf_printf(err, "readlink /proc/self/exe: %s", strerror(errno));
        return -1;
    }
    exe[n] = '\0';
    /* <root>/grader/shmgrade */
    char *grader = sg_dirname(exe);
    char *root = grader ? sg_dirname(grader) : NULL;
    free(grader);
    if (root == NULL) {
        sg_buf_puts(err, "out of memory");
        return -1;
    }
    int rc = sg_kit_at(k, root, err);
    free(root);
    return rc;
}

void sg_kit_free(struct sg_kit *k)
{
    free(k->root);
    free(k->labs);
    free(k->objects);
    k->root = k->labs = k->objects = NULL;
}

void sg_env_init(struct sg_env *e, const char *home)
{
    /* Nothing of the instructor's environment reaches student code or the
     * compiler: no CK_* variable, no LD_PRELOAD, no PATH of theirs. */
    struct sg_buf b = SG_BUF_INIT;
    e->vars[0] = strdup("PATH=/usr/local/bin:/usr/bin:/bin");
    e->vars[1] = strdup("LC_ALL=C");
    sg_buf_printf(&b, "HOME=%s", home);
    e->vars[2] = sg_buf_take(&b);
    sg_buf_printf(&b, "TMPDIR=%s", home);
    e->vars[3] = sg_buf_take(&b);
    e->vars[4] = strdup("TERM=dumb");
    e->vars[5] = NULL;
}

void sg_env_add(struct sg_env *e, const char *var)
{
    int n = 0;
    while (e->vars[n] != NULL)
        n++;
    if (n + 1 < (int)(sizeof e->vars / sizeof *e->vars)) {
        e->vars[n] = strdup(var);
        e->vars[n + 1] = NULL;
    }
}

void sg_env_free(struct sg_env *e)
{
    for (int i = 0; e->vars[i] != NULL; i++)
        free(e->vars[i]);
    e->vars[0] = NULL;
}
