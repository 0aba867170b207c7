/* sg_sysvipc.c — walk the tables of /proc/sysvipc; see sg_sysvipc.h. */
#include "sg_sysvipc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SG_SYSV_COLUMNS 16

int sg_sysv_each(const char *table, void (*fn)(const long *col, int ncol, void *arg), void *arg)
{
    FILE *f = fopen(table, "re");
    if (f == NULL)
        return -1;
    char line[512];
    /* The header line ("key shmid perms ...") holds no number. */
    while (fgets(line, sizeof line, f) != NULL) {
        long col[SG_SYSV_COLUMNS];
        int n = 0;
        char *save = NULL, *end;
        for (char *w = strtok_r(line, " \t\n", &save); w != NULL && n < SG_SYSV_COLUMNS;
             w = strtok_r(NULL, " \t\n", &save)) {
            col[n] = strtol(w, &end, 10);
            if (*end != '\0')
                break;
            n++;
        }
        if (n > 0)
            fn(col, n, arg);
    }
    fclose(f);
    return 0;
}

struct sg_shm_visit {
    void (*fn)(int id, pid_t cpid, void *arg);
    void *arg;
};

/* "key shmid perms size cpid ...". */
static void sg_shm_row(const long *col, int ncol, void *arg)
{
    const struct sg_shm_visit *v = arg;
    if (ncol > 4)
        v->fn((int)col[1], (pid_t)col[4], v->arg);
}

int sg_shm_each(void (*fn)(int id, pid_t cpid, void *arg), void *arg)
{
    struct sg_shm_visit v = { fn, arg };
    return sg_sysv_each("/proc/sysvipc/shm", sg_shm_row, &v);
}
