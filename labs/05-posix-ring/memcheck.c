/* memcheck.c — lab 05's API under valgrind (shmgrade --memcheck). */
#include "mc_driver.h"
#include "ring.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A heap block of exactly len bytes holding a message: reading past it is an error. */
static char *mc_message(size_t len)
{
    char *m = malloc(len);
    if (m != NULL)
        for (size_t i = 0; i < len; i++)
            m[i] = (char)('a' + i % 26);
    return m;
}

/* rb_get into a heap buffer of exactly cap bytes; what it returned. */
static long mc_get(struct rb_ring *r, size_t cap)
{
    char *buf = malloc(cap);
    long n = -1;
    if (buf != NULL || cap == 0)
        n = rb_get(r, buf, cap);
    free(buf);
    return n;
}

void mc_run(void)
{
    const char *name = mc_object_name("memcheck"), *small = mc_object_name("memcheck-small");
    struct rb_ring *r = NULL, *o = NULL;
    shm_unlink(name);
    MC_FDS("rb_create", r = rb_create(name));
    MC_FDS("rb_create (the name exists)", rb_create(name));
    MC_FDS("rb_open", o = rb_open(name));
    MC_FDS("rb_open (no such object)", rb_open(mc_object_name("memcheck-missing")));
    int fd = shm_open(small, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd != -1) {
        if (ftruncate(fd, 16) == 0)
            MC_FDS("rb_open (an object of the wrong size)", rb_open(small));
        close(fd);
        shm_unlink(small);
    }
    if (r == NULL || o == NULL)
        rb_unlink(name);
    MC_REQUIRE(r != NULL, "rb_create returned NULL");
    MC_REQUIRE(o != NULL, "rb_open returned NULL for a ring just created");
    /* Each cap is at most 10 bytes short of its message: a copy that ignores
     * cap then overflows into valgrind's red zone (16 bytes), where it is
     * reported, and not into valgrind's own bookkeeping, which crashes it. */
    const size_t lens[] = { 0, 5, RB_MSG_MAX, 40, 10, RB_MSG_MAX + 1 };
    const size_t caps[] = { RB_MSG_MAX, 5, RB_MSG_MAX - 8, 32, 0 };
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
        char *m = mc_message(lens[i]);
        int put = -1;
        if (m != NULL || lens[i] == 0)
            put = rb_put(i % 2 ? r : o, m, lens[i]);
        free(m);
        MC_REQUIRE(put == (lens[i] > RB_MSG_MAX ? -1 : 0),
                   "rb_put did not return 0 for a message that fits (or -1 for one too long)");
    }
    for (size_t i = 0; i < sizeof caps / sizeof *caps; i++)
        MC_REQUIRE(mc_get(i % 2 ? o : r, caps[i]) == (long)lens[i],
                   "rb_get did not return the length of the message put");
    MC_FDS("rb_close", rb_close(o));
    MC_FDS("rb_close", rb_close(r));
    MC_FDS("rb_unlink", rb_unlink(name));
}
