/*
 * main.c — the pingpong program (provided by the kit; do not edit).
 *
 *   pingpong [--anon] [-n NLOOPS]
 *
 * Parent and child increment a shared long NLOOPS times in all (default
 * PP_NLOOPS), taking turns; the mapping is of /dev/zero, or anonymous with
 * --anon. Prints "counter = N". Exit 0; 1 on a mismatch or failure; 2 on
 * bad usage.
 */
#include "pingpong.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(const char *argv0)
{
    fprintf(stderr, "usage: %s [--anon] [-n NLOOPS]\n", argv0);
    return 2;
}

int main(int argc, char *argv[])
{
    bool anon = false;
    long nloops = PP_NLOOPS;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--anon") == 0) {
            anon = true;
        } else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            nloops = strtol(argv[++i], &end, 10);
            if (errno != 0 || *end != '\0' || end == argv[i] || nloops < 0)
                return usage(argv[0]);
        } else {
            return usage(argv[0]);
        }
    }

    long *area = anon ? pp_map_anon(sizeof *area) : pp_map_devzero(sizeof *area);
    if (area == NULL) {
        fprintf(stderr, "pingpong: %s: %s\n", anon ? "pp_map_anon" : "pp_map_devzero",
                strerror(errno));
        return 1;
    }
    int rc = pp_run(area, nloops);
    long counter = *area;
    if (pp_unmap(area, sizeof *area) == -1)
        fprintf(stderr, "pingpong: pp_unmap: %s\n", strerror(errno));
    if (rc == -1) {
        fprintf(stderr, "pingpong: pp_run: the turns did not alternate (counter = %ld)\n",
                counter);
        return 1;
    }
    printf("counter = %ld\n", counter);
    return fflush(stdout) == EOF ? 1 : 0;
}
