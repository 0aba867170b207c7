/* memcheck.c — lab 04's API under valgrind (shmgrade --memcheck). */
#include "mc_driver.h"
#include "shm_layout.h"

int main(void)
{
    for (int i = 0; i < 2; i++) {
        struct sl_layout l;
        int probed = -1;
        MC_FDS("sl_probe", probed = sl_probe(&l));
        if (probed == -1)
            return 2;
        FILE *out = tmpfile();
        if (out != NULL) {
            MC_FDS("sl_print", sl_print(&l, out));
            fclose(out);
        }
        MC_FDS("sl_release", sl_release(&l));
    }
    return mc_done();
}
