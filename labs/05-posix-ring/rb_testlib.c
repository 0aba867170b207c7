/* rb_testlib.c — names, objects, the test's own ring and worker threads; see rb_testlib.h. */
#include "rb_testlib.h"
#include "sg_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ---- names and objects ---- */

#define RB_NAMES_MAX 16
static char rb_names[RB_NAMES_MAX][64];
static int rb_nnames;

const char *rb_test_name(void)
{
    /* The grader's tag keeps names apart, and lets it remove what a killed
     * test left, where /dev/shm is the machine's (no namespaces); inside
     * the sandbox every test has a /dev/shm of its own. */
    SG_SETUP(rb_nnames < RB_NAMES_MAX, "rb_test_name (too many names in one test)");
    char *name = rb_names[rb_nnames];
    snprintf(name, sizeof rb_names[0], "/%sring%d", sg_object_prefix(), rb_nnames);
    rb_nnames++;
    return name;
}

void rb_forget_names(void)
{
    for (int i = 0; i < rb_nnames; i++)
        shm_unlink(rb_names[i]); /* ENOENT for the ones already gone */
    rb_nnames = 0;
}

const char *rb_shm_path(const char *name)
{
    static char paths[4][96];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, sizeof paths[0], "/dev/shm%s", name);
    return p;
}

void rb_make_object(const char *name, mode_t mode, off_t size, int fill)
{
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    SG_SETUP(fd != -1, "shm_open (an object of the test's own)");
    /* fchmod, not shm_open's mode: the umask does not filter it. */
    SG_SETUP(fchmod(fd, mode) == 0, "fchmod");
    SG_SETUP(ftruncate(fd, size) == 0, "ftruncate");
    if (size > 0) {
        void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        SG_SETUP(p != MAP_FAILED, "mmap");
        memset(p, fill, (size_t)size);
        SG_SETUP(munmap(p, (size_t)size) == 0, "munmap");
    }
    SG_SETUP(close(fd) == 0, "close");
}

int rb_mappings_of(pid_t pid, const char *name)
{
    char maps[64];
    snprintf(maps, sizeof maps, "/proc/%ld/maps", (long)pid);
    FILE *f = fopen(maps, "re");
    if (f == NULL)
        return -1;
    /* The path ends the line; an object unlinked since shows " (deleted)" after it. */
    const char *path = rb_shm_path(name);
    size_t n = strlen(path);
    char line[512];
    int count = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char *at = strstr(line, path);
        if (at != NULL && (at[n] == '\n' || at[n] == ' '))
            count++;
    }
    fclose(f);
    return count;
}

struct rb_ring *rb_create_checked(const char *name)
{
    errno = 0;
    struct rb_ring *r = rb_create(name);
    SG_REQUIRE(r != NULL, "rb_create to return the new ring",
               "see the tests about rb_create first; the manual pages are shm_open(3), "
               "ftruncate(2), mmap(2) and sem_init(3)",
               "rb_create(\"%s\") returned NULL (errno %s)", name, strerror(errno));
    return r;
}

struct rb_ring *rb_map_object(const char *name)
{
    int fd = shm_open(name, O_RDWR, 0);
    SG_REQUIRE(fd != -1, "the ring's object in /dev/shm", "rb_create makes the object by name",
               "the object %s cannot be opened: %s", name, strerror(errno));
    struct stat st;
    SG_SETUP(fstat(fd, &st) == 0, "fstat");
    SG_REQUIRE(st.st_size == (off_t)sizeof(struct rb_ring), "an object of sizeof(struct rb_ring)",
               "see create_object", "the object %s is %lld bytes, not %zu", name,
               (long long)st.st_size, sizeof(struct rb_ring));
    void *p = mmap(NULL, sizeof(struct rb_ring), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    SG_SETUP(p != MAP_FAILED, "mmap");
    SG_SETUP(close(fd) == 0, "close");
    return p;
}

/* ---- the test's own ring ---- */

struct rb_ring *rb_test_ring(void)
{
    /* Only the threads of this test use it: memory of this process alone,
     * and semaphores for its threads alone, unlike the ring you build. It
     * ends where an inaccessible page begins: a ring whose indices never
     * wrap writes its ninth message there and crashes at once, instead of
     * passing these tests while it overwrote the heap after the ring. */
    long page = sg_page_size();
    size_t need = sizeof(struct rb_ring);
    size_t span = (need + (size_t)page - 1) / (size_t)page * (size_t)page;
    char *base = mmap(NULL, span + (size_t)page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(base != MAP_FAILED, "mmap");
    SG_SETUP(mprotect(base + span, (size_t)page, PROT_NONE) == 0, "mprotect");
    struct rb_ring *r = (struct rb_ring *)(base + span - need);
    SG_SETUP(sem_init(&r->mutex, 0, 1) == 0 && sem_init(&r->free_slots, 0, RB_SLOTS) == 0 &&
                 sem_init(&r->used_slots, 0, 0) == 0,
             "sem_init");
    return r;
}

struct rb_counts rb_counts_of(struct rb_ring *r)
{
    struct rb_counts c;
    SG_SETUP(sem_getvalue(&r->mutex, &c.mutex) == 0 &&
                 sem_getvalue(&r->free_slots, &c.free_slots) == 0 &&
                 sem_getvalue(&r->used_slots, &c.used_slots) == 0,
             "sem_getvalue");
    return c;
}

void rb_require_counts(struct rb_ring *r, int used, const char *when)
{
    struct rb_counts c = rb_counts_of(r);
    char want[128];
    snprintf(want, sizeof want, "mutex 1, free_slots %d, used_slots %d", RB_SLOTS - used, used);
    const char *hint;
    if (c.mutex != 1)
        hint = "whatever path the call takes, it gives the mutex back before it returns "
               "(sem_post(3)); handout: the bounded buffer";
    else if (c.free_slots + c.used_slots != RB_SLOTS)
        hint = "each call takes one slot of one kind and hands one of the other kind on: which "
               "post is missing, or doubled? Handout: the bounded buffer";
    else
        hint = "rb_put takes a free slot and posts a used one; rb_get the reverse. Handout: "
               "the bounded buffer";
    SG_REQUIRE(c.mutex == 1 && c.free_slots == RB_SLOTS - used && c.used_slots == used, want,
               hint, "%s, the semaphores read mutex %d, free_slots %d, used_slots %d", when,
               c.mutex, c.free_slots, c.used_slots);
}

/*
 * The test's own calls take a slot and the mutex without waiting. When
 * they cannot, the student's code left the ring so: a call that returned
 * holding the mutex or with a count wrong, or one asleep holding the mutex.
 */
static void rb_test_take(struct rb_ring *r, sem_t *slot, const char *what)
{
    struct rb_counts c = rb_counts_of(r);
    if (sem_trywait(slot) == 0) {
        if (sem_trywait(&r->mutex) == 0)
            return;
        SG_SETUP(sem_post(slot) == 0, "sem_post");
    }
    SG_FAIL("the mutex free and a slot ready for the test's own use of the ring",
            "the test works the ring through the same semaphores: a call that has returned "
            "must leave the mutex free and each count right, and a call that sleeps must not "
            "hold the mutex. Handout: the bounded buffer, the order of the waits",
            "when the test went to %s itself, the semaphores read mutex %d, free_slots %d, "
            "used_slots %d",
            what, c.mutex, c.free_slots, c.used_slots);
}

void rb_test_put(struct rb_ring *r, const void *msg, size_t len)
{
    SG_SETUP(len <= RB_MSG_MAX, "rb_test_put (a message too long)");
    rb_test_take(r, &r->free_slots, "put a message");
    struct rb_msg *m = &r->slot[r->tail % RB_SLOTS];
    m->len = len;
    memcpy(m->data, msg, len);
    r->tail = (r->tail + 1) % RB_SLOTS;
    SG_SETUP(sem_post(&r->mutex) == 0 && sem_post(&r->used_slots) == 0, "sem_post");
}

size_t rb_test_get(struct rb_ring *r, char buf[RB_MSG_MAX])
{
    rb_test_take(r, &r->used_slots, "take a message");
    const struct rb_msg *m = &r->slot[r->head % RB_SLOTS];
    size_t len = m->len <= RB_MSG_MAX ? m->len : RB_MSG_MAX;
    memcpy(buf, m->data, len);
    r->head = (r->head + 1) % RB_SLOTS;
    SG_SETUP(sem_post(&r->mutex) == 0 && sem_post(&r->free_slots) == 0, "sem_post");
    return len;
}

/* ---- worker threads ---- */

static void *rb_worker_main(void *arg)
{
    struct rb_worker *w = arg;
    atomic_store(&w->tid, (int)syscall(SYS_gettid));
    errno = 0;
    w->rc = w->put ? rb_put(w->r, w->msg, w->len) : rb_get(w->r, w->buf, w->cap);
    w->err = errno;
    atomic_store(&w->done, 1);
    return NULL;
}

static void rb_start(struct rb_worker *w)
{
    atomic_store(&w->tid, 0);
    atomic_store(&w->done, 0);
    errno = pthread_create(&w->thread, NULL, rb_worker_main, w);
    SG_SETUP(errno == 0, "pthread_create");
    struct timespec ms = { 0, 1000000 };
    for (int i = 0; i < RB_WAKE_MS && atomic_load(&w->tid) == 0; i++)
        nanosleep(&ms, NULL);
    SG_SETUP(atomic_load(&w->tid) != 0, "start of the worker thread");
}

void rb_start_put(struct rb_worker *w, struct rb_ring *r, const char *msg)
{
    memset(w, 0, sizeof *w);
    w->r = r;
    w->put = true;
    w->len = strlen(msg);
    memcpy(w->msg, msg, w->len);
    rb_start(w);
}

void rb_start_get(struct rb_worker *w, struct rb_ring *r)
{
    memset(w, 0, sizeof *w);
    w->r = r;
    w->cap = sizeof w->buf;
    rb_start(w);
}

bool rb_worker_wait(struct rb_worker *w, int timeout_ms)
{
    struct timespec ms = { 0, 1000000 };
    for (int i = 0; i < timeout_ms && !atomic_load(&w->done); i++)
        nanosleep(&ms, NULL);
    if (!atomic_load(&w->done))
        return false;
    SG_SETUP((errno = pthread_join(w->thread, NULL)) == 0, "pthread_join");
    return true;
}
