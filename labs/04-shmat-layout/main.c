/*
 * main.c — the shm_layout program (provided by the kit; do not edit).
 *
 *   shm_layout
 *
 * Prints where the bss, the stack, the heap and an attached XSI segment
 * are, then releases everything. Exit 0, or 1 with a message.
 */
#include "shm_layout.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char *argv[])
{
    if (argc != 1) {
        fprintf(stderr, "usage: %s\n", argv[0]);
        return 2;
    }
    struct sl_layout l;
    if (sl_probe(&l) == -1) {
        fprintf(stderr, "shm_layout: sl_probe: %s\n", strerror(errno));
        return 1;
    }
    sl_print(&l, stdout);
    int flushed = fflush(stdout);
    if (sl_release(&l) == -1) {
        fprintf(stderr, "shm_layout: sl_release: %s\n", strerror(errno));
        return 1;
    }
    return flushed == EOF ? 1 : 0;
}
