/*
 * sg_harness_protocol.h — how the grader reads the harness's record.
 *
 * The harness (grader/harness/sg_main.c) writes SG_RESULT_MARK, then its
 * verdict and message, to the result descriptor. Whatever a test's
 * processes wrote into the same descriptor comes before it.
 */
#ifndef SG_HARNESS_PROTOCOL_H
#define SG_HARNESS_PROTOCOL_H

#include <stddef.h>
#include <string.h>

#define SG_RESULT_MARK "\n--shmgrade-result--\n"

/*
 * A failure message that starts with this byte says that a call of the
 * student's never returned while the test waited for it (SG_REQUIRE_RETURNED):
 * the grader counts the test as one that did not finish, as it does a test
 * the watch stopped. Code under test that forges it only loses tests.
 */
#define SG_HUNG_MARK '\x1e'

/* The bytes after the last mark in buf[0..len), or NULL when there is none. */
static inline const char *sg_last_mark(const char *buf, size_t len)
{
    size_t m = strlen(SG_RESULT_MARK);
    if (buf == NULL || len < m)
        return NULL;
    for (size_t i = len - m + 1; i-- > 0;)
        if (memcmp(buf + i, SG_RESULT_MARK, m) == 0)
            return buf + i + m;
    return NULL;
}

#endif
