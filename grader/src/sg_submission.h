/*
 * sg_submission.h — where a lab's file is in a submission.
 *
 * A submission holds the students' files mirrored (SUB/01-shared-buffer/
 * shared_buffer.c) or flat (SUB/shared_buffer.c); mirrored wins when both
 * exist. Only a regular file counts: a symbolic link could point at the
 * reference solution or at anything else on the grading machine.
 */
#ifndef SG_SUBMISSION_H
#define SG_SUBMISSION_H

#include "sg_text.h"

/* Largest lab file the grader reads. */
#define SG_SUBMISSION_FILE_MAX (1u << 20)

/*
 * 0 with the path in *found (malloc'ed); -1 with the reason in why when the
 * file is missing or unusable.
 */
int sg_submission_find(const char *submission, const char *lab_id, const char *file,
                       char **found, struct sg_buf *why);

#endif
