/*
 * sg_sysvipc.h — the System V shared memory segments on the system, from
 * /proc/sysvipc/shm (the caller's IPC namespace). Shared by the grader,
 * which removes orphaned segments, and lab 04's tests, which count a
 * process's segments.
 */
#ifndef SG_SYSVIPC_H
#define SG_SYSVIPC_H

#include <sys/types.h>

/*
 * Calls fn(columns, how many, arg) for every object of a /proc/sysvipc
 * table ("/proc/sysvipc/shm", "sem" or "msg"), each column read as a
 * decimal number (perms, octal there, is not meant to be used). 0, or -1
 * if the file cannot be read.
 */
int sg_sysv_each(const char *table, void (*fn)(const long *col, int ncol, void *arg), void *arg);

/* Calls fn(id, creator pid, arg) for every segment. 0, or -1 if the file cannot be read. */
int sg_shm_each(void (*fn)(int id, pid_t cpid, void *arg), void *arg);

#endif
