/* sg_fs.h — the few file-system chores the grader repeats. */
#ifndef SG_FS_H
#define SG_FS_H

#include <stddef.h>
#include <stdio.h>

/*
 * Removes dir and everything under it, never following a link and giving
 * back the permissions a folder was stripped of. 0 or -1.
 */
int sg_rmtree(const char *dir);

/* Copies what is left to read in in to a new file to (not there before), of exactly mode
 * (whatever the umask), at most max bytes (else EFBIG). 0 or -1. */
int sg_copy_fd(int in, const char *to, int mode, size_t max);
/* Copies the file from to a new file to, of exactly mode. 0 or -1. */
int sg_copy_file(const char *from, const char *to, int mode);

/* The space left to the grader's user in dir's file system, in *bytes. 0, or -1 with errno. */
int sg_space_left(const char *dir, unsigned long long *bytes);

/* What the files directly in dir take on disk (*bytes) and how many entries it has
 * (*entries); nothing followed. An entry that is not a regular file (a folder,
 * whose contents this does not count) makes *entries SIZE_MAX. 0, or -1 with errno. */
int sg_dir_usage(const char *dir, unsigned long long *bytes, size_t *entries);

/* mkdir -p: 0 when dir exists as a folder afterwards, -1 with errno. */
int sg_mkdirs(const char *dir, int mode);

/*
 * Writes path through write(out, arg) into path.partial, then renames it:
 * a reader never sees half a file. 0, or -1 with errno.
 */
int sg_write_atomic(const char *path, int (*write)(FILE *out, const void *arg), const void *arg);

#endif
