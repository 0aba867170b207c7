/*
 * shared_buffer.c — lab 01, reference solution.
 */
#include "shared_buffer.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* The byte length of npages pages, or -1 with errno set. */
static int sb_length(size_t npages, size_t *len)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page == -1)
        return -1;
    if (npages == 0) {
        errno = EINVAL;
        return -1;
    }
    if (npages > SIZE_MAX / (size_t)page) {
        errno = ENOMEM; /* more than the address space could ever hold */
        return -1;
    }
    *len = npages * (size_t)page;
    return 0;
}

char *sb_map(size_t npages, enum sb_sharing sharing)
{
    size_t len;
    if (sb_length(npages, &len) == -1)
        return NULL;
    int flags = MAP_ANONYMOUS;
    if (sharing == SB_SHARED) {
        flags |= MAP_SHARED;
    } else if (sharing == SB_PRIVATE) {
        flags |= MAP_PRIVATE;
    } else {
        errno = EINVAL;
        return NULL;
    }
    /* Anonymous memory is zero-filled; fd -1 is what portable code passes. */
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
    /* mmap reports failure with MAP_FAILED, ((void *) -1), never with NULL. */
    if (p == MAP_FAILED)
        return NULL;
    return p;
}

int sb_unmap(char *buf, size_t npages)
{
    size_t len;
    if (sb_length(npages, &len) == -1)
        return -1;
    return munmap(buf, len);
}

long sb_read_line(char *buf, size_t cap, FILE *in)
{
    size_t stored = 0;
    bool any = false;
    int c;
    if (cap > 0)
        buf[0] = '\0';
    /* One character at a time: the bound is ours to keep, unlike gets(),
     * which writes as much as the line holds, past any buffer. */
    while ((c = getc(in)) != EOF) {
        any = true;
        if (c == '\n')
            break;
        if (stored + 1 < cap)
            buf[stored++] = (char)c;
    }
    if (!any || ferror(in)) {
        if (cap > 0)
            buf[0] = '\0';
        return -1;
    }
    if (cap > 0)
        buf[stored] = '\0';
    return (long)stored;
}

int sb_exchange(char *buf, size_t cap, FILE *in, FILE *out)
{
    /* Whatever sits in out's buffer now would be copied into the child and
     * then written twice, once by each process. */
    if (fflush(out) == EOF)
        return -1;
    pid_t pid = fork();
    if (pid == -1)
        return -1;
    if (pid == 0) {
        int status = 1;
        if (fputs(SB_PROMPT, out) != EOF && fflush(out) != EOF &&
            sb_read_line(buf, cap, in) >= 0)
            status = 0;
        /* _exit, not exit: exit would flush every stdio buffer the child
         * inherited (the parent's pending output too) and run the parent's
         * atexit handlers. The child flushed what it wrote itself. */
        _exit(status);
    }
    int wstatus;
    while (waitpid(pid, &wstatus, 0) == -1)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    return 128 + WTERMSIG(wstatus);
}
