/*
 * sb_testlib.h — checks that lab 01's public and hidden tests share.
 *
 * The hints these checks give are computed from what they saw: a raw wait
 * status, a child killed by a signal, a mapping that did succeed, a newline
 * that was stored. A hint names the idea, the manual page and the question
 * that leads to the fix; it never hands out the line of code.
 */
#ifndef SB_TESTLIB_H
#define SB_TESTLIB_H

#include "shared_buffer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * npages shared, zero-filled pages of the test's own, for the tests of
 * sb_exchange: sb_exchange is judged on what it does with the pages it is
 * given, so that a mistake in sb_map costs sb_map's tests and
 * exchange_shared, not every exchange test (a class review: private pages
 * cost nine tests). Also what a test shares with the processes it forks.
 */
char *sb_test_pages(size_t npages);

/* sb_map(npages, sharing), failing the test unless it gave a page-aligned address. */
char *sb_map_checked(size_t npages, enum sb_sharing sharing, const char *call);

/*
 * buf..buf+npages pages lie in one readable, writable mapping whose flag is
 * 's' (shared) or 'p' (private); with exact, the mapping is exactly that size.
 */
void sb_require_mapping(const char *buf, size_t npages, char flag, bool exact);

/* Every byte of buf[0..len) is zero; `after` says when, for the message. */
void sb_require_zeroes(const char *buf, size_t len, const char *after);

/* sb_read_line(buf, cap, in) returns strlen(want) and stores want. */
void sb_require_line(char *buf, size_t cap, FILE *in, const char *want, const char *what);
/* sb_read_line(buf, cap, in) returns -1 and leaves buf "". */
void sb_require_end(char *buf, size_t cap, FILE *in, const char *what);

struct sb_exchange_run {
    int status;    /* what sb_exchange returned */
    int err;       /* errno after it */
    char *out;     /* everything written to out (malloc'ed) */
    size_t out_len;
    bool prompt_on_stdout; /* the prompt went to standard output instead */
    bool input_untouched;  /* the input held something, and nothing of it was read */
};

/* Why out does not hold the prompt once: a hint from where it went. */
const char *sb_prompt_hint(const struct sb_exchange_run *r);

/*
 * Makes the pipe p and forks a process of the test's (a caller) whose
 * input it is, all output flushed first. In the caller: p[0] as a stream
 * (it ends with _exit(2) when it cannot have one). In the test: NULL, with
 * the caller's pid in *caller; p[1] is the end to write to, and p[0], closed
 * there, is still the number the caller reads from.
 */
FILE *sb_fork_with_input(int p[2], pid_t *caller);

/*
 * Whether a child of the process *(pid_t *)caller sleeps in read: the
 * exchange's child waiting for its line (sg_look_for_wait's ready). A
 * parent seen in waitpid only then was waiting while its child waited; a
 * child that ended without reading (exit in sb_read_line) let the parent
 * be seen in waitpid by luck, a point in some gradings and not others.
 */
bool sb_child_reads(void *caller);

/*
 * Runs sb_exchange(buf, cap, in, out) with in holding input. When
 * pending_out is not NULL, it sits unflushed in out's buffer beforehand.
 * Fails the test if a child returned into it or was left behind.
 */
void sb_run_exchange(char *buf, size_t cap, const char *input, const char *pending_out,
                     struct sb_exchange_run *r);

/*
 * Requires sb_exchange to have returned want; `what` says what the child
 * did ("the child read a line"). The message decodes what it returned
 * instead: a raw wait status, 128 + a signal, -1 and its errno.
 */
void sb_require_status(const struct sb_exchange_run *r, int want, const char *what);

/* Fails the test if the calling process has a child left, running or a zombie. */
void sb_require_no_children(const char *call);

/*
 * The program, given args and input, exits with want_status and prints
 * want_out; the message reads the program's stderr to say which function
 * failed, and decodes the status it reports.
 */
void sb_require_program(const char *const args[], const char *input, int want_status,
                        const char *want_out);

#endif
