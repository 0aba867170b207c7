/*
 * memcheck.c — lab 01's API under valgrind (shmgrade --memcheck).
 *
 * Calls what the tests call, without Check, so that valgrind can follow
 * every process; lines go into a heap buffer exactly cap bytes long, where
 * memcheck sees a write or a read one byte too far.
 */
#include "mc_driver.h"
#include "shared_buffer.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void mc_run(void)
{
    const size_t cap = 16;
    char *line = malloc(cap);
    FILE *in = mc_input("short\nthis line is much longer than sixteen bytes\nlast");
    MC_REQUIRE(line != NULL && in != NULL, "the driver's own malloc or tmpfile");
    MC_REQUIRE(sb_read_line(line, cap, in) == 5, "sb_read_line did not read the line \"short\"");
    while (sb_read_line(line, cap, in) >= 0)
        ;
    fclose(in);
    free(line);

    long page = sysconf(_SC_PAGESIZE);
    enum sb_sharing modes[] = { SB_SHARED, SB_PRIVATE };
    for (int i = 0; i < 2; i++) {
        char *buf = sb_map(2, modes[i]);
        MC_REQUIRE(buf != NULL, "sb_map(2, ...) returned NULL");
        in = mc_input("hello memcheck\n");
        FILE *out = tmpfile();
        MC_REQUIRE(in != NULL && out != NULL, "the driver's own tmpfile");
        int status = -1;
        MC_FDS("sb_exchange", status = sb_exchange(buf, 2 * (size_t)page, in, out));
        MC_REQUIRE(status == 0, "sb_exchange did not return 0 for a line of input");
        fclose(in);
        fclose(out);
        MC_REQUIRE(sb_unmap(buf, 2) == 0, "sb_unmap did not return 0");
    }
    MC_FDS("sb_map(0, ...)", sb_map(0, SB_SHARED));
}
