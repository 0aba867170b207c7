/* sg_submission.c — find a lab's file in a submission; see sg_submission.h. */
#include "sg_submission.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int sg_submission_find(const char *submission, const char *lab_id, const char *file,
                       char **found, struct sg_buf *why)
{
    struct sg_buf mirrored = SG_BUF_INIT, flat = SG_BUF_INIT;
    sg_buf_printf(&mirrored, "%s/%s/%s", submission, lab_id, file);
    sg_buf_printf(&flat, "%s/%s", submission, file);
    const char *candidates[] = { mirrored.data, flat.data };
    int rc = -1;
    bool seen_any = false;
    for (size_t i = 0; i < 2 && rc == -1; i++) {
        struct stat st;
        if (lstat(candidates[i], &st) == -1)
            continue;
        seen_any = true;
        if (S_ISLNK(st.st_mode)) {
            sg_buf_printf(why, "%s is a symbolic link; submit the file itself", candidates[i]);
        } else if (!S_ISREG(st.st_mode)) {
            sg_buf_printf(why, "%s is not a regular file", candidates[i]);
        } else if ((size_t)st.st_size > SG_SUBMISSION_FILE_MAX) {
            sg_buf_printf(why, "%s is %lld bytes, more than the %u the grader reads",
                          candidates[i], (long long)st.st_size, SG_SUBMISSION_FILE_MAX);
        } else {
            *found = strdup(candidates[i]);
            rc = *found ? 0 : -1;
        }
    }
    if (rc == -1 && !seen_any)
        sg_buf_printf(why, "%s is missing: looked for %s and %s", file, mirrored.data, flat.data);
    sg_buf_free(&mirrored);
    sg_buf_free(&flat);
    return rc;
}
