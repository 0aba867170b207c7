/*
 * main.c — the shared_buffer program (provided by the kit; do not edit).
 *
 *   shared_buffer [--private]
 *
 * Maps SB_NUM_PAGES pages, lets a child read one line from stdin into them,
 * and prints what the parent then sees there. Exit status 0; 1 with a
 * message on any failure or when no line was read; 2 on bad usage.
 */
#include "shared_buffer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    enum sb_sharing sharing = SB_SHARED;
    if (argc == 2 && strcmp(argv[1], "--private") == 0) {
        sharing = SB_PRIVATE;
    } else if (argc != 1) {
        fprintf(stderr, "usage: %s [--private]\n", argv[0]);
        return 2;
    }

    long page = sysconf(_SC_PAGESIZE);
    if (page == -1) {
        fprintf(stderr, "shared_buffer: sysconf(_SC_PAGESIZE): %s\n", strerror(errno));
        return 1;
    }
    size_t cap = (size_t)SB_NUM_PAGES * (size_t)page;

    char *buf = sb_map(SB_NUM_PAGES, sharing);
    if (buf == NULL) {
        fprintf(stderr, "shared_buffer: sb_map: %s\n", strerror(errno));
        return 1;
    }

    int status = sb_exchange(buf, cap, stdin, stdout);
    if (status != 0) {
        if (status == -1)
            fprintf(stderr, "shared_buffer: sb_exchange: %s\n", strerror(errno));
        else
            fprintf(stderr, "shared_buffer: the child read no line (exit status %d)\n", status);
        sb_unmap(buf, SB_NUM_PAGES);
        return 1;
    }

    printf("%s\n", buf);
    if (fflush(stdout) == EOF) {
        fprintf(stderr, "shared_buffer: writing to stdout: %s\n", strerror(errno));
        sb_unmap(buf, SB_NUM_PAGES);
        return 1;
    }
    if (sb_unmap(buf, SB_NUM_PAGES) == -1) {
        fprintf(stderr, "shared_buffer: sb_unmap: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
