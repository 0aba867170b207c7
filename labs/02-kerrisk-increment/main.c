/*
 * main.c — the increment program (provided by the kit; do not edit).
 *
 *   increment
 *       Kerrisk's example: a child increments a shared counter that starts
 *       at 1; both processes print what they see.
 *   increment [--workers N] [--iters M] [--no-lock]
 *       N workers (default 4) each increment a shared counter M times
 *       (default 10000000 without locks, 20000 with them) and the program
 *       prints "final = X, expected = Y". Exit 0 if they are equal, 3 if
 *       updates were lost, 1 on failure, 2 on bad usage.
 */
#include "increment.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INC_DEFAULT_WORKERS 4

/* Unlocked, each worker must run for many scheduler time slices, so that
 * updates are lost every time, even on one busy core: that is the lesson.
 * A million increments per worker fit in one slice and often lose nothing
 * there; ten million (about 20 ms) always lose millions. Locked, each
 * increment costs two system calls. */
#define INC_DEFAULT_ITERS_UNLOCKED 10000000L
#define INC_DEFAULT_ITERS_LOCKED 20000L

static int usage(const char *argv0)
{
    fprintf(stderr, "usage: %s\n       %s [--workers N] [--iters M] [--no-lock]\n", argv0, argv0);
    return 2;
}

static bool parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static int kerrisk(void)
{
    int *counter = inc_map_counter(1);
    if (counter == NULL) {
        fprintf(stderr, "increment: inc_map_counter: %s\n", strerror(errno));
        return 1;
    }
    int seen = inc_child_increments(counter, stdout);
    if (seen == -1) {
        fprintf(stderr, "increment: inc_child_increments: %s\n", strerror(errno));
        inc_unmap_counter(counter);
        return 1;
    }
    if (inc_unmap_counter(counter) == -1) {
        fprintf(stderr, "increment: inc_unmap_counter: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

static int workers(long nworkers, long iters, bool locked)
{
    char path[] = "/tmp/increment-lock.XXXXXX";
    int lockfd = -1;
    if (locked) {
        /* mkstemp picks a fresh name; inc_lock_open then (re)creates it. */
        int fd = mkstemp(path);
        if (fd == -1) {
            fprintf(stderr, "increment: mkstemp: %s\n", strerror(errno));
            return 1;
        }
        close(fd);
        lockfd = inc_lock_open(path);
        unlink(path); /* the open descriptor is all the workers need */
        if (lockfd == -1) {
            fprintf(stderr, "increment: inc_lock_open: %s\n", strerror(errno));
            return 1;
        }
    }
    int *counter = inc_map_counter(0);
    if (counter == NULL) {
        fprintf(stderr, "increment: inc_map_counter: %s\n", strerror(errno));
        return 1;
    }
    fflush(stdout);
    int rc = inc_run_workers(counter, lockfd, (int)nworkers, iters);
    if (rc == -1) {
        fprintf(stderr, "increment: inc_run_workers: a worker failed\n");
        inc_unmap_counter(counter);
        return 1;
    }
    long final = *counter;
    long expected = nworkers * iters;
    printf("final = %ld, expected = %ld\n", final, expected);
    if (fflush(stdout) == EOF)
        return 1;
    inc_unmap_counter(counter);
    if (lockfd != -1)
        close(lockfd);
    return final == expected ? 0 : 3;
}

int main(int argc, char *argv[])
{
    if (argc == 1)
        return kerrisk();
    long nworkers = INC_DEFAULT_WORKERS, iters = -1;
    bool locked = true;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--no-lock") == 0) {
            locked = false;
        } else if (strcmp(argv[i], "--workers") == 0 && value != NULL &&
                   parse_long(value, 1, 1000, &nworkers)) {
            i++;
        } else if (strcmp(argv[i], "--iters") == 0 && value != NULL &&
                   parse_long(value, 0, 100000000L, &iters)) {
            i++;
        } else {
            return usage(argv[0]);
        }
    }
    if (iters == -1)
        iters = locked ? INC_DEFAULT_ITERS_LOCKED : INC_DEFAULT_ITERS_UNLOCKED;
    /* The total must fit in the int the counter is. */
    if (nworkers * iters > 2147483647L) {
        fprintf(stderr, "increment: %ld workers x %ld iterations overflow an int\n", nworkers, iters);
        return 2;
    }
    return workers(nworkers, iters, locked);
}
