/*
 * sg_vgxml.h — one process's findings in valgrind's XML output (memcheck),
 * those that belong to the student.
 *
 * A finding is the student's when the code address of a frame of its
 * stack lies in the student's object (sg_linkmap.h); it is shown at the
 * first such frame, under the student's file name and with a line on
 * what it means, read from valgrind's own description (a read one byte
 * before a block is not "past the end").
 */
#ifndef SG_VGXML_H
#define SG_VGXML_H

#include <stdbool.h>

#include "sg_linkmap.h"
#include "sg_text.h"

struct sg_vg_finding {
    char *text;        /* one line, escaped */
    bool leak;         /* a definite leak (counts only in the run's first process) */
};

struct sg_vg_process {
    long pid, ppid;
    long rank;         /* when its file was created, among the records (the caller's) */
    bool complete;     /* the whole document valgrind writes, to its last tag */
    struct sg_vg_finding *findings;
    size_t nfindings;
};

/*
 * Reads the open file fd (at most 16 MiB). 0 with p filled, complete or
 * not; -1 on an error of the grader's (out of memory).
 */
int sg_vgxml_read(int fd, const struct sg_code_ranges *student, const char *file,
                  struct sg_vg_process *p);
void sg_vg_process_free(struct sg_vg_process *p);

#endif
