/*
 * ring_vs_pipe.c — what one message costs through the lab's ring and
 * through a pipe (the figures in handouts/05-posix-ring.md, "What a message
 * costs"). Instructor's material: its large-message ring is a bounded
 * buffer of its own, the lab's answer in other clothes.
 *
 *   cc -std=gnu11 -O2 -Ilabs/05-posix-ring labs/05-posix-ring/hidden/ring_vs_pipe.c \
 *      solutions/05-posix-ring/ring.c -o ring_vs_pipe && ./ring_vs_pipe
 *
 * A producer (the parent) sends N messages to a consumer (a child that
 * finds the ring by name, as an unrelated process would); the time is from
 * the first send to the consumer's exit, the best of five runs, with the
 * number of times either side went to sleep (voluntary context switches).
 * Small messages go through the lab's rb_put and rb_get; large ones (1 MiB)
 * through two slots of a shared mapping with the same three semaphores,
 * and through a pipe, each message copied once in and once out.
 */
#include "ring.h"

#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BIG (1u << 20)
#define RUNS 5

static void die(const char *what)
{
    fprintf(stderr, "ring_vs_pipe: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void wait_child(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("the consumer failed");
}

/* ---- small messages: the lab's ring ---- */

static double small_ring(size_t size, long n)
{
    char name[64];
    snprintf(name, sizeof name, "/ring-vs-pipe-%ld", (long)getpid());
    struct rb_ring *r = rb_create(name);
    if (r == NULL)
        die("rb_create");
    char msg[RB_MSG_MAX];
    memset(msg, 'x', sizeof msg);
    double start = now();
    pid_t pid = fork();
    if (pid == -1)
        die("fork");
    if (pid == 0) {
        struct rb_ring *c = rb_open(name); /* by name, as a stranger would */
        char buf[RB_MSG_MAX];
        for (long i = 0; c != NULL && i < n; i++)
            if (rb_get(c, buf, sizeof buf) != (long)size)
                _exit(1);
        _exit(c == NULL);
    }
    for (long i = 0; i < n; i++)
        if (rb_put(r, msg, size) == -1)
            die("rb_put");
    wait_child(pid);
    double t = now() - start;
    rb_close(r);
    rb_unlink(name);
    return t;
}

/* ---- any size: a pipe ---- */

/* Reads exactly len bytes: a pipe hands a big message over in pieces. */
static int read_all(int fd, char *buf, size_t len)
{
    while (len > 0) {
        ssize_t k = read(fd, buf, len);
        if (k <= 0) {
            if (k == -1 && errno == EINTR)
                continue;
            return -1;
        }
        buf += k;
        len -= (size_t)k;
    }
    return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t k = write(fd, buf, len);
        if (k == -1) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += k;
        len -= (size_t)k;
    }
    return 0;
}

static double through_pipe(size_t size, long n)
{
    int fd[2];
    if (pipe(fd) == -1)
        die("pipe");
    char *msg = malloc(size), *buf = malloc(size);
    if (msg == NULL || buf == NULL)
        die("malloc");
    memset(msg, 'x', size);
    double start = now();
    pid_t pid = fork();
    if (pid == -1)
        die("fork");
    if (pid == 0) {
        close(fd[1]);
        for (long i = 0; i < n; i++)
            if (read_all(fd[0], buf, size) == -1)
                _exit(1);
        _exit(0);
    }
    close(fd[0]);
    for (long i = 0; i < n; i++)
        if (write_all(fd[1], msg, size) == -1)
            die("write");
    close(fd[1]);
    wait_child(pid);
    double t = now() - start;
    free(msg);
    free(buf);
    return t;
}

/* ---- large messages: two 1 MiB slots in shared memory ---- */

struct big_ring {
    sem_t mutex, free_slots, used_slots;
    unsigned head, tail;
    char slot[2][BIG];
};

static void big_wait(sem_t *s)
{
    while (sem_wait(s) == -1)
        if (errno != EINTR)
            die("sem_wait");
}

static double big_shm(size_t size, long n)
{
    (void)size;
    char name[64];
    snprintf(name, sizeof name, "/ring-vs-pipe-big-%ld", (long)getpid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd == -1 || ftruncate(fd, sizeof(struct big_ring)) == -1)
        die("shm_open");
    struct big_ring *r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (r == MAP_FAILED)
        die("mmap");
    close(fd);
    if (sem_init(&r->mutex, 1, 1) == -1 || sem_init(&r->free_slots, 1, 2) == -1 ||
        sem_init(&r->used_slots, 1, 0) == -1)
        die("sem_init");
    r->head = r->tail = 0;
    char *msg = malloc(BIG), *buf = malloc(BIG);
    if (msg == NULL || buf == NULL)
        die("malloc");
    memset(msg, 'x', BIG);
    memset(buf, 0, BIG);
    double start = now();
    pid_t pid = fork();
    if (pid == -1)
        die("fork");
    if (pid == 0) {
        for (long i = 0; i < n; i++) {
            big_wait(&r->used_slots);
            big_wait(&r->mutex);
            unsigned h = r->head;
            r->head = (h + 1) % 2;
            sem_post(&r->mutex);
            /* Outside the mutex: with one producer and one consumer, slot h
             * is ours until we post it free. */
            memcpy(buf, r->slot[h], BIG);
            sem_post(&r->free_slots);
        }
        _exit(0);
    }
    for (long i = 0; i < n; i++) {
        big_wait(&r->free_slots);
        big_wait(&r->mutex);
        unsigned t = r->tail;
        r->tail = (t + 1) % 2;
        sem_post(&r->mutex);
        memcpy(r->slot[t], msg, BIG);
        sem_post(&r->used_slots);
    }
    wait_child(pid);
    double t = now() - start;
    munmap(r, sizeof *r);
    shm_unlink(name);
    free(msg);
    free(buf);
    return t;
}

/* ---- measuring ---- */

/* Times the producer and the consumers so far have gone to sleep. */
static long sleeps(void)
{
    struct rusage self, children;
    if (getrusage(RUSAGE_SELF, &self) == -1 || getrusage(RUSAGE_CHILDREN, &children) == -1)
        die("getrusage");
    return self.ru_nvcsw + children.ru_nvcsw;
}

struct result {
    double per_message; /* seconds */
    double sleeps;      /* per message */
};

static struct result best(double (*f)(size_t, long), size_t size, long n)
{
    struct result b = { 1e9, 0 };
    for (int i = 0; i < RUNS; i++) {
        long before = sleeps();
        double t = f(size, n) / (double)n;
        if (t < b.per_message) {
            b.per_message = t;
            b.sleeps = (double)(sleeps() - before) / (double)n;
        }
    }
    return b;
}

int main(int argc, char *argv[])
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    long nbig = argc > 2 ? atol(argv[2]) : 2000;
    if (n <= 0 || nbig <= 0) {
        fprintf(stderr, "usage: ring_vs_pipe [SMALL_MESSAGES [LARGE_MESSAGES]]\n");
        return 2;
    }
    printf("%ld cores; best of %d runs\n", sysconf(_SC_NPROCESSORS_ONLN), RUNS);
    const size_t sizes[] = { 16, RB_MSG_MAX };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        struct result r = best(small_ring, sizes[i], n), p = best(through_pipe, sizes[i], n);
        printf("%7zu B x %ld: ring %6.0f ns/message, %.2f sleeps/message; "
               "pipe %6.0f ns/message, %.3f sleeps/message\n",
               sizes[i], n, r.per_message * 1e9, r.sleeps, p.per_message * 1e9, p.sleeps);
    }
    struct result s = best(big_shm, BIG, nbig), p = best(through_pipe, BIG, nbig);
    printf("%7u B x %ld: shared memory %.0f us/message (%.1f GB/s), %.2f sleeps/message; "
           "pipe %.0f us/message (%.1f GB/s), %.2f sleeps/message\n",
           BIG, nbig, s.per_message * 1e6, BIG / s.per_message / 1e9, s.sleeps,
           p.per_message * 1e6, BIG / p.per_message / 1e9, p.sleeps);
    return 0;
}
