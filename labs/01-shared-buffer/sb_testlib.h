/* sb_testlib.h — checks that lab 01's public and hidden tests share. */
#ifndef SB_TESTLIB_H
#define SB_TESTLIB_H

#include "shared_buffer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

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
    char *out;     /* everything written to out (malloc'ed) */
    size_t out_len;
};

/*
 * Runs sb_exchange(buf, cap, in, out) with in holding input. When
 * pending_out is not NULL, it sits unflushed in out's buffer beforehand.
 * Fails the test if a child returned into it or was left behind.
 */
void sb_run_exchange(char *buf, size_t cap, const char *input, const char *pending_out,
                     struct sb_exchange_run *r);

/* The program, given args and input, exits with want_status and prints want_out. */
void sb_require_program(const char *const args[], const char *input, int want_status,
                        const char *want_out);

#endif
