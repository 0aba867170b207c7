/* memcheck.c — lab 03's API under valgrind (shmgrade --memcheck). */
#include "mc_driver.h"
#include "pingpong.h"

void mc_run(void)
{
    long *a = NULL, *b = NULL;
    MC_FDS("pp_map_devzero", a = pp_map_devzero(sizeof *a));
    MC_FDS("pp_map_devzero(0)", pp_map_devzero(0));
    MC_FDS("pp_map_anon", b = pp_map_anon(sizeof *b));
    MC_REQUIRE(a != NULL, "pp_map_devzero returned NULL");
    MC_REQUIRE(b != NULL, "pp_map_anon returned NULL");
    MC_REQUIRE(pp_update(a) == 0, "pp_update did not return 0 for a fresh mapping");
    *a = 0;
    int rc = -1;
    MC_FDS("pp_run", rc = pp_run(a, 21));
    MC_REQUIRE(rc == 0, "pp_run on the /dev/zero mapping did not return 0");
    MC_FDS("pp_run", rc = pp_run(b, 20));
    MC_REQUIRE(rc == 0, "pp_run on the anonymous mapping did not return 0");
    MC_REQUIRE(pp_unmap(a, sizeof *a) == 0 && pp_unmap(b, sizeof *b) == 0,
               "pp_unmap did not return 0");
}
