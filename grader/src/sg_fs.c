/* sg_fs.c — removing trees, making folders, writing files whole; see sg_fs.h. */
#include "sg_fs.h"
#include "sg_text.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int sg_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

int sg_rmtree(const char *dir)
{
    return nftw(dir, sg_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int sg_mkdirs(const char *dir, int mode)
{
    char *path = strdup(dir);
    if (path == NULL)
        return -1;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, (mode_t)mode) == -1 && errno != EEXIST) {
            free(path);
            return -1;
        }
        *p = '/';
    }
    int rc = mkdir(path, (mode_t)mode) == -1 && errno != EEXIST ? -1 : 0;
    struct stat st;
    if (rc == 0 && (stat(path, &st) == -1 || !S_ISDIR(st.st_mode))) {
        errno = ENOTDIR;
        rc = -1;
    }
    free(path);
    return rc;
}

int sg_write_atomic(const char *path, int (*write)(FILE *out, const void *arg), const void *arg)
{
    struct sg_buf tmp = SG_BUF_INIT;
    if (sg_buf_printf(&tmp, "%s.partial", path) == -1)
        return -1;
    FILE *out = fopen(tmp.data, "we");
    if (out == NULL) {
        sg_buf_free(&tmp);
        return -1;
    }
    int rc = write(out, arg);
    int saved = errno;
    if (fclose(out) == EOF && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0 && rename(tmp.data, path) == -1) {
        rc = -1;
        saved = errno;
    }
    if (rc == -1)
        unlink(tmp.data);
    sg_buf_free(&tmp);
    errno = saved;
    return rc;
}
