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

int main(void)
{
    const size_t cap = 16;
    char *line = malloc(cap);
    FILE *in = mc_input("short\nthis line is much longer than sixteen bytes\nlast");
    if (line == NULL || in == NULL)
        return 2;
    while (sb_read_line(line, cap, in) >= 0)
        ;
    fclose(in);
    free(line);

    long page = sysconf(_SC_PAGESIZE);
    enum sb_sharing modes[] = { SB_SHARED, SB_PRIVATE };
    for (int i = 0; i < 2; i++) {
        char *buf = sb_map(2, modes[i]);
        if (buf == NULL)
            continue;
        in = mc_input("hello memcheck\n");
        FILE *out = tmpfile();
        if (in != NULL && out != NULL)
            MC_FDS("sb_exchange", sb_exchange(buf, 2 * (size_t)page, in, out));
        if (in != NULL)
            fclose(in);
        if (out != NULL)
            fclose(out);
        sb_unmap(buf, 2);
    }
    MC_FDS("sb_map(0, ...)", sb_map(0, SB_SHARED));
    return mc_done();
}
