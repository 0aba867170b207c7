/* memcheck.c — lab 02's API under valgrind (shmgrade --memcheck). */
#include "increment.h"
#include "mc_driver.h"

#include <stdlib.h>
#include <unistd.h>

int main(void)
{
    int *c = inc_map_counter(1);
    if (c == NULL)
        return 2;
    FILE *out = tmpfile();
    if (out != NULL) {
        MC_FDS("inc_child_increments", inc_child_increments(c, out));
        fclose(out);
    }
    char path[] = "/tmp/mc-lock.XXXXXX";
    int tmp = mkstemp(path);
    if (tmp != -1)
        close(tmp);
    int fd = inc_lock_open(path);
    if (fd != -1) {
        int value;
        for (int i = 0; i < 3; i++)
            MC_FDS("inc_locked_increment", inc_locked_increment(fd, c));
        MC_FDS("inc_locked_read", inc_locked_read(fd, c, &value));
        MC_FDS("inc_run_workers", inc_run_workers(c, fd, 2, 50));
        close(fd);
    }
    unlink(path);
    MC_FDS("inc_run_workers", inc_run_workers(c, -1, 2, 50));
    inc_unmap_counter(c);
    return mc_done();
}
