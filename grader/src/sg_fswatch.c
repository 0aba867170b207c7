/* sg_fswatch.c — inotify over the memory check's records; see sg_fswatch.h. */
#include "sg_fswatch.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define SG_SUSPECT                                                                           \
    (IN_ATTRIB | IN_CLOSE_NOWRITE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_MOVED_FROM | \
     IN_MOVED_TO | IN_UNMOUNT)

int sg_fswatch_start(struct sg_fswatch *w, const char *dir)
{
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd == -1)
        return -1;
    /* IN_MODIFY is never suspect, but it must be watched: the kernel merges
     * an event into the last one queued when they are the same, so a second
     * open of a record right after the first (nothing watched in between)
     * was one IN_OPEN, invisible. valgrind writes its header as soon as it
     * has opened a record, before any code under test runs: with writes
     * watched, every later open follows another event and is seen. */
    if (inotify_add_watch(w->fd, dir, SG_SUSPECT | IN_CREATE | IN_OPEN | IN_MODIFY | IN_ONLYDIR) ==
        -1) {
        int saved = errno;
        close(w->fd);
        w->fd = -1;
        errno = saved;
        return -1;
    }
    return 0;
}

struct sg_seen {
    char name[NAME_MAX + 1];
    int created, opened;
};

static bool sg_record_name(const char *name, const char *prefix)
{
    size_t n = strlen(prefix), len = strlen(name);
    if (strncmp(name, prefix, n) != 0 || len < n + 5 || strcmp(name + len - 4, ".xml") != 0)
        return false;
    for (size_t i = n; i < len - 4; i++)
        if (name[i] < '0' || name[i] > '9')
            return false;
    return true;
}

static struct sg_seen *sg_find_seen(struct sg_seen **all, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*all)[i].name, name) == 0)
            return &(*all)[i];
    struct sg_seen *grown = realloc(*all, (*n + 1) * sizeof *grown);
    if (grown == NULL)
        return NULL;
    *all = grown;
    struct sg_seen *s = &grown[(*n)++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

/* Describes the first suspicious event; true when there was one. */
static bool sg_judge_event(const struct inotify_event *e, const char *prefix, struct sg_seen *s,
                           struct sg_buf *why)
{
    struct sg_buf name = SG_BUF_INIT;
    sg_escape(&name, e->len ? e->name : "(the folder)", strlen(e->len ? e->name : "(the folder)"),
              80, 0);
    const char *what = NULL;
    /* The folder itself listed (find, du, updatedb, a tmp cleaner: any
     * process of the machine's) changes no record: not a sign of tampering. */
    bool listed = e->len == 0 && (e->mask & ~(IN_ISDIR | IN_OPEN | IN_CLOSE_NOWRITE)) == 0;
    if (listed)
        what = NULL;
    else if (e->mask & IN_Q_OVERFLOW)
        what = "so many events that the kernel dropped some";
    else if (e->mask & IN_ISDIR)
        what = "a folder made or changed";
    else if (e->mask & (IN_DELETE | IN_DELETE_SELF))
        what = "removed";
    else if (e->mask & (IN_MOVED_FROM | IN_MOVED_TO | IN_MOVE_SELF))
        what = "renamed";
    else if (e->mask & IN_ATTRIB)
        what = "its attributes or links changed";
    else if (e->mask & IN_CLOSE_NOWRITE)
        what = "read";
    else if ((e->mask & IN_CREATE) && !sg_record_name(name.data, prefix))
        what = "a file valgrind does not write";
    else if ((e->mask & IN_CREATE) && s != NULL && ++s->created > 1)
        what = "created twice";
    else if ((e->mask & IN_OPEN) && s != NULL && ++s->opened > 1)
        what = "opened again after valgrind opened it";
    if (what != NULL && why->len == 0)
        sg_buf_printf(why, "%s: %s", name.data, what);
    sg_buf_free(&name);
    return what != NULL;
}

int sg_fswatch_finish(struct sg_fswatch *w, const char *prefix, struct sg_buf *why,
                      struct sg_buf *created)
{
    struct sg_seen *seen = NULL;
    size_t nseen = 0;
    bool suspect = false;
    int rc = 0;
    char events[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(w->fd, events, sizeof events);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1 && errno == EAGAIN)
            break;
        if (n <= 0) {
            rc = -1;
            break;
        }
        for (char *p = events; p < events + n;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            struct sg_seen *s = e->len ? sg_find_seen(&seen, &nseen, e->name) : NULL;
            if (e->len && s == NULL) {
                rc = -1;
                break;
            }
            if (s != NULL && (e->mask & IN_CREATE) && s->created == 0)
                sg_buf_printf(created, "%s\n", s->name);
            if (sg_judge_event(e, prefix, s, why))
                suspect = true;
            p += sizeof *e + e->len;
        }
        if (rc == -1)
            break;
    }
    free(seen);
    close(w->fd);
    w->fd = -1;
    return rc == -1 ? -1 : suspect ? 1 : 0;
}
