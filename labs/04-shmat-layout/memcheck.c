/* memcheck.c — lab 04's API under valgrind (shmgrade --memcheck). */
#include "mc_driver.h"
#include "shm_layout.h"

void mc_run(void)
{
    for (int i = 0; i < 2; i++) {
        struct sl_layout l;
        int rc = -1;
        MC_FDS("sl_probe", rc = sl_probe(&l));
        MC_REQUIRE(rc == 0, "sl_probe did not return 0");
        FILE *out = tmpfile();
        MC_REQUIRE(out != NULL, "the driver's own tmpfile");
        MC_FDS("sl_print", sl_print(&l, out));
        fclose(out);
        MC_FDS("sl_release", rc = sl_release(&l));
        MC_REQUIRE(rc == 0, "sl_release did not return 0");
    }
}
