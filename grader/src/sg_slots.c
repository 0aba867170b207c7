/* sg_slots.c — a machine-wide bound on tests at once; see sg_slots.h. */
#include "sg_slots.h"
#include "sg_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int sg_slots_create(struct sg_slots *s, const char *dir, int count)
{
    struct sg_buf p = SG_BUF_INIT;
    sg_buf_printf(&p, "%s/slots.XXXXXX", dir);
    int fd = mkstemp(p.data);
    if (fd == -1) {
        sg_buf_free(&p);
        return -1;
    }
    close(fd);
    s->path = sg_buf_take(&p);
    s->count = count > 0 ? count : 1;
    return 0;
}

void sg_slots_destroy(struct sg_slots *s)
{
    if (s->path != NULL)
        unlink(s->path);
    free(s->path);
    s->path = NULL;
}

int sg_slot_take(const struct sg_slots *s)
{
    /* Its own open file description: the lock is this holder's alone. */
    int fd = open(s->path, O_RDWR | O_CLOEXEC);
    if (fd == -1)
        return -1;
    /* Start at a different byte in each process, then try them all; when
     * all are held, look again a little later. Tests take tens of
     * milliseconds at least, so 2 ms of latency costs nothing. */
    int first = (int)(getpid() % s->count);
    for (;;) {
        for (int k = 0; k < s->count; k++) {
            struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
                                  .l_start = (first + k) % s->count, .l_len = 1 };
            if (fcntl(fd, F_OFD_SETLK, &lock) == 0)
                return fd;
            if (errno != EAGAIN && errno != EACCES && errno != EINTR) {
                int saved = errno;
                close(fd);
                errno = saved;
                return -1;
            }
        }
        struct timespec pause = { 0, 2000000 };
        nanosleep(&pause, NULL);
    }
}
