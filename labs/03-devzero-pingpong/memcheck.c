/* memcheck.c — lab 03's API under valgrind (shmgrade --memcheck). */
#include "mc_driver.h"
#include "pingpong.h"

int main(void)
{
    long *a = NULL, *b = NULL;
    MC_FDS("pp_map_devzero", a = pp_map_devzero(sizeof *a));
    MC_FDS("pp_map_devzero(0)", pp_map_devzero(0));
    MC_FDS("pp_map_anon", b = pp_map_anon(sizeof *b));
    if (a == NULL || b == NULL)
        return 2;
    pp_update(a);
    *a = 0;
    MC_FDS("pp_run", pp_run(a, 21));
    MC_FDS("pp_run", pp_run(b, 20));
    pp_unmap(a, sizeof *a);
    pp_unmap(b, sizeof *b);
    return mc_done();
}
