/*
 * main.c — the ring program (provided by the kit; do not edit).
 *
 *   ring create NAME     creates the ring NAME ("/something")
 *   ring put NAME        sends each line of stdin, without its newline
 *   ring get NAME N      prints N messages, one per line
 *   ring unlink NAME     removes the name
 *
 * `ring put` and `ring get` are meant to run as separate programs, started
 * from different shells: the name is all they share. A line longer than
 * RB_MSG_MAX is an error (rb_put refuses it); the lines before it are sent.
 * Exit 0; 1 with a message on stderr on any failure; 2 on bad usage.
 */
#include "ring.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: ring create NAME\n"
                    "       ring put NAME       (one message per line of stdin)\n"
                    "       ring get NAME N\n"
                    "       ring unlink NAME\n"
                    "NAME starts with '/', e.g. /demo\n");
    return 2;
}

static int fail(const char *what, const char *name)
{
    fprintf(stderr, "ring: %s %s: %s\n", what, name, strerror(errno));
    return 1;
}

static int put_lines(struct rb_ring *r, const char *name)
{
    char *line = NULL;
    size_t size = 0;
    ssize_t len;
    long lineno = 0;
    int rc = 0;
    while ((len = getline(&line, &size, stdin)) != -1) {
        lineno++;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if (rb_put(r, line, (size_t)len) == -1) {
            fprintf(stderr, "ring: rb_put %s, line %ld (%zd bytes): %s\n", name, lineno, len,
                    strerror(errno));
            rc = 1;
            break;
        }
    }
    if (rc == 0 && ferror(stdin)) {
        fprintf(stderr, "ring: reading stdin: %s\n", strerror(errno));
        rc = 1;
    }
    free(line);
    return rc;
}

static int get_messages(struct rb_ring *r, const char *name, long count)
{
    char buf[RB_MSG_MAX];
    for (long i = 0; i < count; i++) {
        long len = rb_get(r, buf, sizeof buf);
        if (len == -1)
            return fail("rb_get", name);
        if (len > RB_MSG_MAX) {
            fprintf(stderr, "ring: rb_get %s: a message of %ld bytes (at most %d fit a slot)\n",
                    name, len, RB_MSG_MAX);
            return 1;
        }
        if (fwrite(buf, 1, (size_t)len, stdout) != (size_t)len || putchar('\n') == EOF) {
            fprintf(stderr, "ring: writing stdout: %s\n", strerror(errno));
            return 1;
        }
    }
    if (fflush(stdout) == EOF) {
        fprintf(stderr, "ring: writing stdout: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

/* N: a decimal count, 0 or more. */
static int parse_count(const char *text, long *count)
{
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || n < 0)
        return -1;
    *count = n;
    return 0;
}

int main(int argc, char *argv[])
{
    if (argc < 3 || argv[2][0] != '/')
        return usage();
    const char *cmd = argv[1], *name = argv[2];
    long count = 0;
    if (strcmp(cmd, "get") == 0) {
        if (argc != 4 || parse_count(argv[3], &count) == -1)
            return usage();
    } else if (argc != 3) {
        return usage();
    }

    if (strcmp(cmd, "create") == 0) {
        struct rb_ring *r = rb_create(name);
        if (r == NULL)
            return fail("rb_create", name);
        return rb_close(r) == -1 ? fail("rb_close", name) : 0;
    }
    if (strcmp(cmd, "unlink") == 0)
        return rb_unlink(name) == -1 ? fail("rb_unlink", name) : 0;
    if (strcmp(cmd, "put") != 0 && strcmp(cmd, "get") != 0)
        return usage();

    struct rb_ring *r = rb_open(name);
    if (r == NULL)
        return fail("rb_open", name);
    int rc = strcmp(cmd, "put") == 0 ? put_lines(r, name) : get_messages(r, name, count);
    if (rb_close(r) == -1 && rc == 0)
        rc = fail("rb_close", name);
    return rc;
}
