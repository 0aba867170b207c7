/*
 * sg_submission.h — where a lab's file is in a submission.
 *
 * A submission holds the students' files in one of these layouts, tried in
 * this order:
 *   SUB/01-shared-buffer/shared_buffer.c        mirrored
 *   SUB/work/01-shared-buffer/shared_buffer.c   the student kit's own layout
 *   SUB/shared_buffer.c                         flat
 * and the same one level down, when SUB holds a single folder and nothing
 * else that a layout names (the kit's folder uploaded whole, a repository
 * cloned into a folder). When several layouts hold the file, the first
 * wins, unless it is the kit's unchanged starting file and another is not.
 *
 * Only a regular file counts, and no symbolic link is followed at any
 * level below SUB: a link could point at the reference solution, at a
 * classmate's work or at anything else on the grading machine. Each
 * component is opened with O_NOFOLLOW from the one before it, so what is
 * checked is what is read.
 */
#ifndef SG_SUBMISSION_H
#define SG_SUBMISSION_H

#include <stdbool.h>

#include "sg_text.h"

/* Largest lab file the grader reads. */
#define SG_SUBMISSION_FILE_MAX (1u << 20)

/* How to look for a lab's file. */
struct sg_find_opts {
    /* The submission folder itself may not be a link either (a student's
     * folder in a batch). */
    bool root_nofollow;
    /* The kit's starting file for the lab, or NULL: when two layouts hold
     * the file, one identical to it gives way to the other. */
    const char *skeleton;
    /* A folder of the starting files of the kit's earlier releases, or
     * NULL: one of those is a starting file too. */
    const char *earlier;
};

/*
 * 0 with the file's path in *found (malloc'ed) and, when fd is not NULL,
 * a read-only descriptor of it in *fd (the caller closes it), and when
 * other layouts hold the file too, which was graded and which were not in
 * note (may be NULL); -1 with the reason in why when the file is missing,
 * -2 when it is there but refused (a link, not a regular file, too large).
 * o may be NULL.
 */
int sg_submission_find(const char *submission, const char *lab_id, const char *file,
                       const struct sg_find_opts *o, char **found, int *fd, struct sg_buf *why,
                       struct sg_buf *note);

/*
 * sg_submission_find for a lab of the kit whose root folder is kit_root and
 * labs folder labs_dir: the kit's starting file (skeletons/ID/FILE) and its
 * earlier releases' (labs_dir/ID/earlier-skeletons) give way to a student's
 * own. The one lookup that grading and a batch's regrade key both make: the
 * key once looked with the starting file alone, hashed a file grading did
 * not grade, and kept a student's stale grade after the graded file changed
 * (an attacker's review).
 */
int sg_submission_find_lab(const char *kit_root, const char *labs_dir, const char *submission,
                           bool root_nofollow, const char *lab_id, const char *file,
                           char **found, int *fd, struct sg_buf *why, struct sg_buf *note);

/*
 * The other C files and headers in the folder of found (the lab's file
 * as sg_submission_find gave it), but file, header and the kit's other labs'
 * files (kit_root/skeletons/NN-name/NAME: a flat submission holds them all
 * side by side): "util.c, util.h",
 * their names escaped, malloc'ed; NULL when there is none. The grader
 * compiles the lab's file alone, and a helper file beside it, which the
 * student's own build used, turned into "is a function of the API
 * missing or misspelled?" (a student-kit review).
 */
char *sg_submission_siblings(const char *found, const char *file, const char *header,
                             const char *kit_root);

#endif
