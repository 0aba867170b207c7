/* sg_fs.h — the few file-system chores the grader repeats. */
#ifndef SG_FS_H
#define SG_FS_H

#include <stdio.h>

/* Removes dir and everything under it (never following links). 0 or -1. */
int sg_rmtree(const char *dir);

/* mkdir -p: 0 when dir exists as a folder afterwards, -1 with errno. */
int sg_mkdirs(const char *dir, int mode);

/*
 * Writes path through write(out, arg) into path.partial, then renames it:
 * a reader never sees half a file. 0, or -1 with errno.
 */
int sg_write_atomic(const char *path, int (*write)(FILE *out, const void *arg), const void *arg);

#endif
