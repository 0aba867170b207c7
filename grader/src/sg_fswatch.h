/*
 * sg_fswatch.h — notice whether anyone but valgrind touched the memory
 * check's records.
 *
 * valgrind writes one XML file per process into a folder that the sandbox
 * must be able to write, so the code under test could write there too:
 * delete a file to hide its findings, empty it, or write a clean one. The
 * kernel's inotify, watched from outside the sandbox, tells what happened
 * in that folder: valgrind creates each file once, opens it once, writes
 * and closes it. Any other event (a second open, a read, a removal, a
 * rename, a change of attributes, a folder, an overflow of the event
 * queue) means the records cannot be trusted, and the memory check fails.
 * Emptying a file by name (truncate(2)) opens nothing; the file is then
 * not the complete XML document valgrind writes, which the reader of the
 * records refuses in turn.
 */
#ifndef SG_FSWATCH_H
#define SG_FSWATCH_H

#include "sg_text.h"

struct sg_fswatch {
    int fd;       /* the inotify instance */
};

/* Starts watching dir (which must be empty). 0 or -1 with errno. */
int sg_fswatch_start(struct sg_fswatch *w, const char *dir);

/*
 * Reads what happened since the start and stops watching. 0 when every
 * file was made as valgrind makes its records (named PREFIX<digits>.xml,
 * created and opened once); 1 when not, with what was seen in why; -1 on
 * error. The names of the files created, one per line, in the order they
 * were created, are appended to created.
 */
int sg_fswatch_finish(struct sg_fswatch *w, const char *prefix, struct sg_buf *why,
                      struct sg_buf *created);

#endif
