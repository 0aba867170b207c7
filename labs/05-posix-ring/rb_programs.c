/*
 * rb_programs.c — the ring program running beside the test, and traffic
 * between unrelated producers and consumers; see rb_testlib.h.
 *
 * "Unrelated" here means exec'd: each program starts from a fresh image
 * with no mapping, no semaphore and no descriptor of the test's. The only
 * thing it has in common with the others is the ring's name.
 */
#include "rb_testlib.h"
#include "sg_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The most programs one traffic test runs. */
#define RB_TRAFFIC_MAX 8

/* ---- one program ---- */

static long rb_ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rb_prog_start(struct rb_prog *p, const char *const args[], const char *input)
{
    const char *path = sg_program_path();
    SG_SETUP(path != NULL, "lookup of the program (no --program given)");
    memset(p, 0, sizeof *p);
    size_t used = 0;
    for (const char *const *a = args; *a != NULL && used < sizeof p->cmd; a++)
        used += (size_t)snprintf(p->cmd + used, sizeof p->cmd - used, "%s%s",
                                 a == args ? "" : " ", *a);
    if (args[1] != NULL && args[2] != NULL && args[2][0] == '/')
        p->ring = args[2];
    FILE *in = sg_input_file(input, strlen(input));
    p->out = sg_output_file();
    p->err = sg_output_file();
    p->pid = sg_fork_program();
    SG_SETUP(p->pid != -1, "fork");
    if (p->pid == 0) {
        if (dup2(fileno(in), STDIN_FILENO) == -1 || dup2(fileno(p->out), STDOUT_FILENO) == -1 ||
            dup2(fileno(p->err), STDERR_FILENO) == -1)
            _exit(126);
        /* Nothing but the name: none of the test's descriptors goes along. */
        closefrom(3);
        execv(path, (char *const *)args);
        _exit(127);
    }
    fclose(in);
}

/* Whether it has ended, reaping it then; never waits. */
static bool rb_prog_ended(struct rb_prog *p)
{
    if (p->reaped)
        return true;
    pid_t w = waitpid(p->pid, &p->status, WNOHANG);
    SG_SETUP(w != -1, "waitpid");
    p->reaped = w == p->pid;
    return p->reaped;
}

bool rb_prog_wait(struct rb_prog *p, int timeout_ms)
{
    if (p->reaped)
        return true;
    int rc = sg_wait_timeout(p->pid, &p->status, timeout_ms);
    SG_SETUP(rc != -1, "waitpid");
    p->reaped = rc == 0;
    return p->reaped;
}

void rb_prog_kill(struct rb_prog *p)
{
    if (p->reaped)
        return;
    kill(p->pid, SIGKILL);
    SG_SETUP(rb_prog_wait(p, RB_WAKE_MS), "waitpid after kill");
}

const char *rb_prog_ending(struct rb_prog *p)
{
    static char text[600];
    size_t len;
    char *err = sg_file_contents(p->err, &len);
    char *q = sg_q(err, len);
    snprintf(text, sizeof text, "%s%s%s", sg_status_text(p->status), len ? "; stderr: " : "",
             len ? q : "");
    free(q);
    free(err);
    return text;
}

/* ---- a ring where nothing moves ---- */

/* The ring's counts and indices, read without failing the test; false if it cannot be read. */
static bool rb_peek(const char *name, struct rb_counts *c, unsigned *head, unsigned *tail)
{
    int fd = shm_open(name, O_RDONLY, 0);
    if (fd == -1)
        return false;
    struct stat st;
    void *p = fstat(fd, &st) == 0 && st.st_size == (off_t)sizeof(struct rb_ring)
                  ? mmap(NULL, sizeof(struct rb_ring), PROT_READ, MAP_SHARED, fd, 0)
                  : MAP_FAILED;
    close(fd);
    if (p == MAP_FAILED)
        return false;
    struct rb_ring *r = p;
    bool ok = sem_getvalue(&r->mutex, &c->mutex) == 0 &&
              sem_getvalue(&r->free_slots, &c->free_slots) == 0 &&
              sem_getvalue(&r->used_slots, &c->used_slots) == 0;
    *head = r->head;
    *tail = r->tail;
    munmap(p, sizeof(struct rb_ring));
    return ok;
}

/*
 * Fails the test for programs of the ring name that no longer move: says
 * what each waits on, and the likeliest cause read from the ring's counts.
 * Kills every program first.
 */
static void rb_fail_stuck(struct rb_prog *progs, int n, const char *name, const char *expected,
                          const char *what)
{
    struct sg_buf obs = SG_BUF_INIT;
    sg_buf_printf(&obs, "%s", what);
    int asleep[RB_TRAFFIC_MAX + 1];
    for (int i = 0; i < n && i <= RB_TRAFFIC_MAX; i++) {
        struct rb_task t = rb_process_task(progs[i].pid, NULL, name, progs[i].cmd);
        asleep[i] = progs[i].reaped ? -1 : rb_task_sem(&t);
        sg_buf_printf(&obs, "%s `%s`: %s", i ? ";" : "", progs[i].cmd,
                      progs[i].reaped ? sg_status_text(progs[i].status) : rb_task_state(&t));
    }
    struct rb_counts c;
    unsigned head, tail;
    bool readable = rb_peek(name, &c, &head, &tail);
    if (readable)
        sg_buf_printf(&obs, ". The ring: head %u, tail %u, mutex %d, free_slots %d, used_slots %d",
                      head, tail, c.mutex, c.free_slots, c.used_slots);
    for (int i = 0; i < n; i++)
        rb_prog_kill(&progs[i]);

    const char *hint = "nothing moves, and nobody is left to move it: what does each program "
                       "wait for, and who should have posted it? Handout: the bounded buffer";
    if (!readable)
        SG_FAIL(expected, hint, "%s", obs.data);
    int count[3] = { c.mutex, c.free_slots, c.used_slots };
    if (c.mutex == 0 && c.free_slots == 0 && c.used_slots == 0)
        SG_FAIL(expected,
                "all three semaphores of the object are 0, as if nobody had ever initialised "
                "them: did rb_create's writes reach the object that the other programs map? "
                "Handout: one object, many mappings",
                "%s", obs.data);
    for (int i = 0; i < n && i <= RB_TRAFFIC_MAX; i++)
        if (asleep[i] >= 0 && count[asleep[i]] > 0)
            SG_FAIL(expected,
                    "a process sleeps on a semaphore whose count is above zero: a post made in "
                    "another process did not wake it. Were the semaphores made to be shared "
                    "between processes? sem_init(3). Handout: pshared",
                    "%s: `%s` sleeps on %s, which is %d", obs.data, progs[i].cmd,
                    rb_sem_names[asleep[i]], count[asleep[i]]);
    for (int i = 0; i < n && i <= RB_TRAFFIC_MAX; i++)
        if (asleep[i] > 0 && c.mutex == 0)
            SG_FAIL(expected,
                    "the mutex is taken, and the program that holds it sleeps for a slot that "
                    "only the others can give, who wait for the mutex. In which order does "
                    "each call wait? Handout: the order of the waits",
                    "%s: the mutex is taken while `%s` sleeps on %s", obs.data, progs[i].cmd,
                    rb_sem_names[asleep[i]]);
    if (c.mutex == 1 && c.free_slots + c.used_slots != RB_SLOTS)
        SG_FAIL(expected,
                "free_slots + used_slots comes back to RB_SLOTS whenever nobody is inside a "
                "call: did a count start wrong, or does a call take a slot and never hand it "
                "on? Handout: the bounded buffer",
                "%s: free_slots + used_slots is %d, not %d", obs.data,
                c.free_slots + c.used_slots, RB_SLOTS);
    SG_FAIL(expected, hint, "%s", obs.data);
}

void rb_prog_require_out(struct rb_prog *p, const char *want, const char *hint)
{
    size_t len;
    char *out = sg_file_contents(p->out, &len);
    SG_REQUIRE(len == strlen(want) && memcmp(out, want, len) == 0, sg_q(want, strlen(want)), hint,
               "`%s` printed %s", p->cmd, sg_q(out, len));
    free(out);
}

void rb_require_run(const char *const args[], const char *input, int status, const char *out,
                    const char *hint)
{
    struct rb_prog p;
    rb_prog_start(&p, args, input ? input : "");
    /* Alone on its ring, a program asleep on one of its semaphores has
     * nobody to wake it. */
    struct rb_task t = rb_process_task(p.pid, NULL, p.ring, p.cmd);
    long start = rb_ms_now();
    while (!rb_prog_wait(&p, 2) && rb_ms_now() - start < RB_WAKE_MS)
        if (p.ring != NULL && rb_task_stays_asleep(&t, RB_STUCK_LOOK_MS))
            rb_fail_stuck(&p, 1, p.ring, "the program to finish",
                          "alone on its ring, and asleep:");
    if (!p.reaped) {
        rb_prog_kill(&p);
        SG_FAIL("the program to finish", hint, "`%s` was still running after %d s", p.cmd,
                RB_WAKE_MS / 1000);
    }
    char want[32];
    snprintf(want, sizeof want, "exit status %d", status);
    SG_REQUIRE(WIFEXITED(p.status) && WEXITSTATUS(p.status) == status, want, hint,
               "`%s`%s%s ended with %s", p.cmd, input && *input ? " with input " : "",
               input && *input ? sg_q(input, strlen(input)) : "", rb_prog_ending(&p));
    size_t len;
    char *text = sg_file_contents(p.out, &len);
    SG_REQUIRE(out == NULL || (len == strlen(out) && memcmp(text, out, len) == 0),
               out ? sg_q(out, strlen(out)) : "", hint, "`%s` printed %s", p.cmd,
               sg_q(text, len));
    free(text);
    fclose(p.out);
    fclose(p.err);
}

/* ---- traffic ---- */

/* Producer k's message seq, in line (RB_MSG_MAX + 1 bytes); returns its length. */
static size_t rb_traffic_line(const struct rb_traffic *t, int k, long seq, char *line)
{
    int n = snprintf(line, RB_MSG_MAX + 1, "p%d %ld", k, seq);
    size_t len = (size_t)n;
    if (t->varied) {
        /* Lengths spread over 0..RB_MSG_MAX; the label needs a few bytes of them. */
        size_t want = (size_t)((seq * 37 + k * 11) % (RB_MSG_MAX + 1));
        for (; len < want; len++)
            line[len] = (char)('a' + (seq + k + (long)len) % 26);
    }
    line[len] = '\0';
    return len;
}

static char *rb_traffic_input(const struct rb_traffic *t, int k)
{
    struct sg_buf b = SG_BUF_INIT;
    char line[RB_MSG_MAX + 1];
    for (long seq = 0; seq < t->per_producer; seq++) {
        size_t len = rb_traffic_line(t, k, seq, line);
        sg_buf_append(&b, line, len);
        sg_buf_append(&b, "\n", 1);
    }
    return sg_buf_take(&b);
}

static long rb_file_size(FILE *f)
{
    struct stat st;
    return fstat(fileno(f), &st) == 0 ? (long)st.st_size : -1;
}

void rb_progs_finish(struct rb_prog *progs, int n, const char *name, const char *hint)
{
    struct rb_ring *view = rb_map_object(name);
    long last_change = rb_ms_now();
    unsigned long progress = ~0UL;
    for (;;) {
        int running = 0;
        for (int i = 0; i < n; i++) {
            if (!rb_prog_ended(&progs[i])) {
                running++;
                continue;
            }
            if (WIFEXITED(progs[i].status) && WEXITSTATUS(progs[i].status) == 0)
                continue;
            const char *ending = rb_prog_ending(&progs[i]);
            for (int j = 0; j < n; j++)
                rb_prog_kill(&progs[j]);
            SG_FAIL("every `ring put` and `ring get` to end with exit status 0", hint,
                    "`%s` ended with %s", progs[i].cmd, ending);
        }
        if (running == 0) {
            SG_SETUP(munmap(view, sizeof *view) == 0, "munmap");
            return;
        }
        /* Progress: the ring's indices move, or a consumer's output grows. */
        unsigned long now = view->head * 31UL + view->tail;
        for (int i = 0; i < n; i++)
            now = now * 1000003UL + (unsigned long)rb_file_size(progs[i].out);
        /* Every program still running asleep on the ring: nobody is left to
         * post (a woken program would show as running, see rb_testlib.h). */
        bool all_asleep = true;
        for (int i = 0; i < n && all_asleep; i++) {
            struct rb_task t = rb_process_task(progs[i].pid, NULL, name, progs[i].cmd);
            all_asleep = progs[i].reaped || rb_task_sem(&t) >= 0;
        }
        if (now != progress) {
            progress = now;
            last_change = rb_ms_now();
        } else if (rb_ms_now() - last_change > RB_STUCK_MS ||
                   (all_asleep && rb_ms_now() - last_change > RB_STUCK_LOOK_MS)) {
            char what[96];
            snprintf(what, sizeof what, "nothing moved for %.1f s:",
                     (double)(rb_ms_now() - last_change) / 1000);
            rb_fail_stuck(progs, n, name, "the messages to keep flowing until every program "
                                          "is done", what);
        }
        struct timespec ms = { 0, 2000000 };
        nanosleep(&ms, NULL);
    }
}

/* Reads one consumer's output and marks what it got; fails on anything wrong. */
static void rb_traffic_check(const struct rb_traffic *t, struct rb_prog *consumer, long expect,
                             unsigned char **seen)
{
    size_t len;
    char *out = sg_file_contents(consumer->out, &len);
    long last[RB_TRAFFIC_MAX];
    for (int k = 0; k < t->producers; k++)
        last[k] = -1;
    long lines = 0;
    char *p = out, *end = out + len;
    char want[RB_MSG_MAX + 1];
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        SG_REQUIRE(nl != NULL, "one message per line", "`ring get` prints each message and a newline",
                   "`%s` printed %s at the end", consumer->cmd, sg_q(p, (size_t)(end - p)));
        *nl = '\0';
        int k;
        long seq;
        bool ok = sscanf(p, "p%d %ld", &k, &seq) == 2 && k >= 0 && k < t->producers &&
                  seq >= 0 && seq < t->per_producer;
        size_t wlen = ok ? rb_traffic_line(t, k, seq, want) : 0;
        ok = ok && (size_t)(nl - p) == wlen && memcmp(p, want, wlen) == 0;
        SG_REQUIRE(ok, "only messages the producers sent, intact",
                   "a message is copied whole into its slot under the mutex and out of it the "
                   "same way; could two processes have used the same slot at once? Handout: "
                   "the bounded buffer",
                   "`%s` printed the line %s, which no producer sent", consumer->cmd,
                   sg_q(p, (size_t)(nl - p)));
        SG_REQUIRE(!seen[k][seq], "each message exactly once",
                   "a message delivered twice means two calls used one slot at once: two "
                   "consumers read it, or a producer wrote into it while a consumer was still "
                   "copying out. What keeps each slot to one call at a time, and when does a "
                   "slot become free? Handout: the bounded buffer",
                   "message %s came out twice (here in `%s`)", want, consumer->cmd);
        seen[k][seq] = 1;
        SG_REQUIRE(seq > last[k], "each producer's messages in the order it sent them",
                   "a ring hands out its oldest message first, even with several producers "
                   "and consumers: where does rb_get read, and where does rb_put write? And "
                   "is each read of head or tail, and each copy, made while the call holds "
                   "the mutex? Handout: the bounded buffer",
                   "`%s` got p%d %ld after p%d %ld", consumer->cmd, k, seq, k, last[k]);
        last[k] = seq;
        lines++;
        p = nl + 1;
    }
    SG_REQUIRE(lines == expect, "as many messages as it asked for",
               "`ring get NAME N` prints N messages", "`%s` printed %ld messages", consumer->cmd,
               lines);
    free(out);
}

void rb_require_traffic(const struct rb_traffic *t)
{
    SG_SETUP(t->producers + t->consumers <= RB_TRAFFIC_MAX &&
                 t->producers * t->per_producer % t->consumers == 0,
             "rb_require_traffic (bad parameters)");
    const char *name = rb_test_name();
    struct rb_ring *r = rb_create_checked(name);
    struct rb_ring *view = rb_map_object(name);
    struct rb_counts start = rb_counts_of(view);
    long per_consumer = t->producers * t->per_producer / t->consumers;
    char count[32];
    snprintf(count, sizeof count, "%ld", per_consumer);

    /* Consumers and producers interleaved, so both kinds start waiting. */
    struct rb_prog progs[RB_TRAFFIC_MAX];
    bool is_consumer[RB_TRAFFIC_MAX] = { false };
    int n = 0;
    for (int i = 0; i < t->producers || i < t->consumers; i++) {
        if (i < t->consumers) {
            const char *args[] = { "ring", "get", name, count, NULL };
            is_consumer[n] = true;
            rb_prog_start(&progs[n++], args, "");
        }
        if (i < t->producers) {
            char *input = rb_traffic_input(t, i);
            const char *args[] = { "ring", "put", name, NULL };
            rb_prog_start(&progs[n++], args, input);
            free(input);
        }
    }
    rb_progs_finish(progs, n, name,
                    "run `ring put` and `ring get` yourself, from several shells at once; the "
                    "tests of rb_put and rb_get say more");

    unsigned char *seen[RB_TRAFFIC_MAX];
    for (int k = 0; k < t->producers; k++) {
        seen[k] = calloc((size_t)t->per_producer, 1);
        SG_SETUP(seen[k] != NULL, "calloc");
    }
    for (int i = 0; i < n; i++)
        if (is_consumer[i])
            rb_traffic_check(t, &progs[i], per_consumer, seen);
    /* As it started: sems_initial_values judges the counts themselves. */
    struct rb_counts end = rb_counts_of(view);
    SG_REQUIRE(memcmp(&start, &end, sizeof start) == 0, "the counts back to where they started",
               "each call takes one slot of one kind and hands one of the other kind on: which "
               "post is missing, or doubled? Handout: the bounded buffer",
               "the ring started at mutex %d, free_slots %d, used_slots %d and ended at %d, %d, "
               "%d",
               start.mutex, start.free_slots, start.used_slots, end.mutex, end.free_slots,
               end.used_slots);
    SG_REQUIRE(view->head == view->tail, "head == tail: the ring is empty",
               "rb_put advances tail, rb_get head, each by one slot modulo RB_SLOTS",
               "head is %u and tail %u", view->head, view->tail);
    for (int k = 0; k < t->producers; k++)
        free(seen[k]);
    SG_SETUP(munmap(view, sizeof *view) == 0 && munmap(r, sizeof *r) == 0, "munmap");
    rb_forget_names();
}
