/* sg_sysvipc.c — walk /proc/sysvipc/shm; see sg_sysvipc.h. */
#include "sg_sysvipc.h"

#include <stdio.h>

int sg_shm_each(void (*fn)(int id, pid_t cpid, void *arg), void *arg)
{
    FILE *f = fopen("/proc/sysvipc/shm", "re");
    if (f == NULL)
        return -1;
    char line[512];
    /* "key shmid perms size cpid lpid nattch ...": the header line does not parse. */
    while (fgets(line, sizeof line, f) != NULL) {
        long key, id, perms, size, cpid;
        if (sscanf(line, "%ld %ld %lo %ld %ld", &key, &id, &perms, &size, &cpid) == 5)
            fn((int)id, (pid_t)cpid, arg);
    }
    fclose(f);
    return 0;
}
