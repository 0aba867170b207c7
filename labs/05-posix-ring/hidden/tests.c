/*
 * hidden/tests.c — lab 05 hidden tests: the instructor's, not in the student kit.
 */
#include "rb_testlib.h"
#include "ring.h"
#include "sg_harness.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

/* Grows the stack now, so that calls made under an address-space cap need no more of it. */
static __attribute__((noinline)) void rb_grow_stack(void)
{
    volatile char pad[128 << 10];
    for (size_t i = 0; i < sizeof pad; i += 512)
        pad[i] = 0;
}

SG_TEST(create_map_failure_leaves_nothing)
{
    /* With the address space capped at what the process uses now, shm_open
     * and ftruncate still work (they need none) and mmap fails with ENOMEM. */
    const char *name = rb_test_name();
    const char *path = rb_shm_path(name);
    int fds = sg_count_open_fds();
    rb_grow_stack();
    long kib = sg_proc_status_kib("VmSize");
    SG_SETUP(fds != -1 && kib > 0, "read of /proc/self");
    struct rlimit old, cap;
    SG_SETUP(getrlimit(RLIMIT_AS, &old) == 0, "getrlimit");
    cap = old;
    cap.rlim_cur = (rlim_t)kib << 10;
    SG_SETUP(setrlimit(RLIMIT_AS, &cap) == 0, "setrlimit(RLIMIT_AS)");
    errno = 0;
    struct rb_ring *r = rb_create(name);
    int err = errno;
    SG_SETUP(setrlimit(RLIMIT_AS, &old) == 0, "setrlimit(RLIMIT_AS)");
    SG_REQUIRE(r == NULL && err == ENOMEM, "NULL with errno ENOMEM, from mmap",
               "what does mmap(2) return when it fails, and is its errno still there after "
               "your clean-up?",
               "rb_create returned %p (errno %s) when mmap could not map anything", (void *)r,
               strerrorname_np(err) ?: "?");
    SG_REQUIRE(access(path, F_OK) == -1, "no object left behind",
               "a ring that could not be mapped was never initialised: its name must go. "
               "Handout: cleaning up",
               "after rb_create failed in mmap, %s still exists", path);
    int now = sg_count_open_fds();
    SG_REQUIRE(now == fds, "no descriptor left open", "close on the failure paths too",
               "rb_create, failing in mmap, left %d more descriptor(s) open", now - fds);
    rb_forget_names();
}

SG_TEST(open_twice_in_one_process)
{
    const char *name = rb_test_name();
    struct rb_ring *r = rb_create_checked(name);
    struct rb_ring *a = rb_open(name), *b = rb_open(name);
    SG_REQUIRE(a != NULL && b != NULL && a != b && a != r && b != r,
               "two more mappings of the ring", "each rb_open maps the object anew",
               "rb_open twice gave %p and %p (rb_create gave %p)", (void *)a, (void *)b,
               (void *)r);
    /* Checked first: on counts of 0, the rb_put below would wait for ever. */
    struct rb_counts c = rb_counts_of(a);
    SG_REQUIRE(c.mutex == 1 && c.free_slots > 0 && c.used_slots == 0,
               "a free mutex and free slots, seen through rb_open's mapping",
               "what rb_create initialised must reach the object itself, for the other "
               "mappings to see it. Handout: one object, many mappings",
               "through rb_open's mapping the semaphores read mutex %d, free_slots %d, "
               "used_slots %d",
               c.mutex, c.free_slots, c.used_slots);
    errno = 0;
    int put = rb_put(a, "via a", 5);
    SG_REQUIRE(put >= 0, "rb_put through one mapping to work", "see the public tests",
               "rb_put returned %d (errno %s)", put, strerror(errno));
    char buf[RB_MSG_MAX];
    long n = rb_get(b, buf, sizeof buf);
    SG_REQUIRE(n == 5 && memcmp(buf, "via a", 5) == 0, "the message through another mapping",
               "one object, several shared mappings: one memory", "rb_get returned %ld", n);
    SG_REQUIRE(rb_close(a) == 0 && rb_mappings_of(getpid(), name) == 2,
               "rb_close to remove that mapping alone",
               "rb_close undoes one mapping: the one it is given",
               "after rb_close of one, %d mapping(s) remain", rb_mappings_of(getpid(), name));
    SG_REQUIRE(rb_put(b, "via b", 5) >= 0 && rb_get(r, buf, sizeof buf) == 5 &&
                   memcmp(buf, "via b", 5) == 0,
               "the other mappings still working", "rb_close unmaps only its own ring",
               "a message through the remaining mappings did not arrive");
    rb_forget_names();
}

SG_TEST(get_cap_edge_cases)
{
    struct rb_ring *r = rb_test_ring();
    const char msg[] = "twenty bytes exactly";
    unsigned char area[64];
    size_t changed;
    const size_t caps[] = { 0, 20, 5 };
    const size_t lens[] = { 20, 20, 0 };
    for (size_t c = 0; c < 3; c++) {
        rb_test_put(r, msg, lens[c]);
        memset(area, 0xa5, sizeof area);
        errno = 0;
        long n = rb_get(r, area, caps[c]);
        size_t copied = lens[c] < caps[c] ? lens[c] : caps[c];
        /* Past the message but within cap (a terminator, say) is the
         * call's to use: "at most cap bytes" is the whole rule. */
        changed = 0;
        for (size_t i = caps[c]; i < sizeof area; i++)
            changed += area[i] != 0xa5;
        SG_REQUIRE(changed == 0, "nothing written past buf's cap bytes",
                   "buf holds cap bytes, whatever the message's length. Handout: messages",
                   "rb_get of a %zu-byte message with cap %zu changed %zu byte(s) past the %zu "
                   "of buf", lens[c], caps[c], changed, caps[c]);
        SG_REQUIRE(memcmp(area, msg, copied) == 0, "the message's first min(length, cap) bytes "
                   "at the start of buf", "copy from the start of the slot's message into the "
                   "start of buf. Handout: messages",
                   "rb_get of a %zu-byte message with cap %zu: buf does not start with its %zu "
                   "first bytes", lens[c], caps[c], copied);
        SG_REQUIRE(n == (long)lens[c], "the message's full length",
                   "what does the caller learn from the value returned? Handout: messages",
                   "rb_get of a %zu-byte message with cap %zu returned %ld", lens[c], caps[c], n);
    }
    rb_require_counts(r, 0, "after three rb_get");
}

SG_TEST(put_get_every_length)
{
    struct rb_ring *r = rb_test_ring();
    /* Each message ends where a page that cannot be read begins: an rb_put
     * that reads RB_MSG_MAX bytes of msg whatever len is (a class review:
     * full marks without the memory check) faults. */
    long page = sg_page_size();
    char *pages = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(pages != MAP_FAILED, "mmap");
    SG_SETUP(mprotect(pages + page, (size_t)page, PROT_NONE) == 0, "mprotect");
    char buf[RB_MSG_MAX];
    for (size_t len = 0; len <= RB_MSG_MAX; len++) {
        char *msg = pages + page - len;
        /* Every byte value turns up, NUL and newline included. */
        for (size_t i = 0; i < len; i++)
            msg[i] = (char)(len * 7 + i * 13);
        rb_require_counts(r, 0, "before rb_put"); /* a free slot: rb_put cannot block */
        unsigned before = r->tail;
        errno = 0;
        int rc = rb_put(r, msg, len);
        SG_REQUIRE(rc >= 0, "0 from rb_put", "a message is len bytes, any bytes",
                   "rb_put of %zu bytes returned %d (errno %s)", len, rc, strerror(errno));
        /* Where the tail went first: a ring that wraps at the wrong slot put
         * the message elsewhere, and the check of the slot below blamed the
         * message's bytes (a class review). */
        SG_REQUIRE(r->tail == (before + 1) % RB_SLOTS,
                   "the tail one slot on, modulo RB_SLOTS",
                   "after slot RB_SLOTS - 1 comes slot 0, and only then: which value does the "
                   "index take after the last slot? Handout: the bounded buffer",
                   "rb_put (message %zu) moved the tail from %u to %u", len, before, r->tail);
        const struct rb_msg *m = &r->slot[(r->tail + RB_SLOTS - 1) % RB_SLOTS];
        SG_REQUIRE(m->len == len && memcmp(m->data, msg, len) == 0,
                   "the slot holding len and the bytes",
                   "a message is len bytes of any value, NUL included, not a string. Handout: "
                   "messages",
                   "after rb_put of %zu bytes the slot holds %zu bytes%s", len, m->len,
                   m->len == len ? ", not the ones sent" : "");
        long n = rb_get(r, buf, sizeof buf);
        SG_REQUIRE(n == (long)len && memcmp(buf, msg, len) == 0, "the same bytes back",
                   "a message is len bytes of any value, NUL included, not a string. Handout: "
                   "messages",
                   "rb_get after rb_put of %zu bytes returned %ld", len, n);
    }
    rb_require_counts(r, 0, "after 129 messages in and out");
    SG_SETUP(munmap(pages, 2 * (size_t)page) == 0, "munmap");
}

SG_TEST(writer_sleeps_in_another_process)
{
    const char *name = rb_test_name();
    const char *hint = "a `ring put` that finds the ring full sleeps until a `ring get`, "
                       "another program, frees a slot. Handout: unrelated processes";
    const char *create[] = { "ring", "create", name, NULL };
    rb_require_run(create, NULL, 0, "", hint);
    const char *put[] = { "ring", "put", name, NULL };
    const char *eight = "m0\nm1\nm2\nm3\nm4\nm5\nm6\nm7\n";
    rb_require_run(put, eight, 0, "", hint);
    struct rb_prog progs[2];
    rb_prog_start(&progs[0], put, "ninth\n");
    struct rb_task t = rb_process_task(progs[0].pid, NULL, name, "`ring put` on a full ring");
    rb_require_asleep(&t, RB_FREE, "see put_sleeps_when_full");
    const char *get[] = { "ring", "get", name, "9", NULL };
    rb_prog_start(&progs[1], get, "");
    rb_progs_finish(progs, 2, name, hint);
    rb_prog_require_out(&progs[1], "m0\nm1\nm2\nm3\nm4\nm5\nm6\nm7\nninth\n",
                        "the messages in the order they were sent, each once. If fifo_order passes, "
                        "look at the full ring: there a producer writes into the slot a consumer "
                        "has just handed back. When may a slot be handed back? Handout: the "
                        "bounded buffer");
    rb_prog_require_out(&progs[0], "", hint);
    rb_forget_names();
}

SG_TEST(program_put_too_long)
{
    const char *name = rb_test_name();
    const char *create[] = { "ring", "create", name, NULL };
    rb_require_run(create, NULL, 0, "", "see program_round_trip");
    char input[RB_MSG_MAX + 32];
    snprintf(input, sizeof input, "short\n%0*d\nnever\n", RB_MSG_MAX + 1, 0);
    const char *put[] = { "ring", "put", name, NULL };
    rb_require_run(put, input, 1, "",
                   "`ring put` stops with status 1 at a line longer than RB_MSG_MAX, which "
                   "rb_put refuses. Handout: messages");
    const char *get[] = { "ring", "get", name, "1", NULL };
    rb_require_run(get, NULL, 0, "short\n",
                   "`ring get NAME 1` prints the line `ring put` sent before the long one");
    struct rb_ring *view = rb_map_object(name);
    int used;
    SG_SETUP(sem_getvalue(&view->used_slots, &used) == 0, "sem_getvalue");
    SG_REQUIRE(used == 0 && view->head == view->tail, "an empty ring: nothing after the long line was sent",
               "`ring put` stops at the first line rb_put refuses",
               "used_slots is %d, head %u, tail %u", used, view->head, view->tail);
    rb_forget_names();
}

SG_TEST(unrelated_many_lengths)
{
    struct rb_traffic t = { .producers = 4, .consumers = 3, .per_producer = 6000, .varied = true };
    rb_require_traffic(&t);
}

const struct sg_test sg_hidden_tests[] = {
    SG_TEST_ENTRY(create_map_failure_leaves_nothing),
    SG_TEST_ENTRY(open_twice_in_one_process),
    SG_TEST_ENTRY(get_cap_edge_cases),
    SG_TEST_ENTRY(put_get_every_length),
    SG_TEST_ENTRY(writer_sleeps_in_another_process),
    SG_TEST_ENTRY(program_put_too_long),
    SG_TEST_ENTRY(unrelated_many_lengths),
    SG_TESTS_END,
};
