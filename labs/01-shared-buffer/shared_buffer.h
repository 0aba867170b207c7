/*
 * shared_buffer.h — lab 01: a buffer shared across fork, or not.
 *
 * A child reads a line into memory the parent mapped before fork(); the
 * parent prints it. With MAP_SHARED both processes see the same physical
 * pages, so the parent prints the line. With MAP_PRIVATE the child's write
 * lands on its own copy of the page (copy-on-write) and the parent still
 * sees zeroes: it prints an empty line.
 */
#ifndef SHARED_BUFFER_H
#define SHARED_BUFFER_H

#include <stddef.h>
#include <stdio.h>

enum sb_sharing { SB_SHARED, SB_PRIVATE };

#define SB_NUM_PAGES 10000
#define SB_PROMPT "give me a string:\n"

/*
 * Maps npages pages (page size from sysconf) of zero-filled anonymous
 * memory, readable and writable, MAP_SHARED for SB_SHARED and MAP_PRIVATE for
 * SB_PRIVATE. Returns the address, or NULL with errno set: EINVAL for
 * npages == 0 or an unknown sharing mode, mmap's errno when it fails.
 */
char *sb_map(size_t npages, enum sb_sharing sharing);

/* Unmaps what sb_map(npages, ...) returned. 0, or -1 with errno set. */
int sb_unmap(char *buf, size_t npages);

/*
 * Reads one line from the stream in (through stdio: the caller may have
 * read from in before) into buf, storing at most cap bytes including the
 * terminating NUL. The newline is not stored. The rest of a line that does
 * not fit is read and discarded. Returns the number of bytes stored (without
 * the NUL); -1 at end of input or on a read error, with buf set to "" when
 * cap > 0.
 */
long sb_read_line(char *buf, size_t cap, FILE *in);

/*
 * Flushes out, then forks. The child writes SB_PROMPT to out, reads one line
 * into buf with sb_read_line, and ends with _exit(): status 0 when it read a
 * line, 1 otherwise. It never returns. The parent waits for the child
 * (asleep in waitpid, not polling) and returns its exit status (0..255;
 * 128 + the signal number if a signal killed it), or -1 with errno set if
 * fork or wait failed.
 */
int sb_exchange(char *buf, size_t cap, FILE *in, FILE *out);

#endif
