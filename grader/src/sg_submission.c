/* sg_submission.c — find a lab's file in a submission; see sg_submission.h. */
#include "sg_submission.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum sg_found { SG_FOUND, SG_ABSENT, SG_UNUSABLE };

/*
 * Opens rel (components separated by '/') beneath the folder dirfd,
 * following no link. SG_FOUND with *fd; SG_ABSENT when a component does
 * not exist; SG_UNUSABLE with the reason in why (display is rel's full
 * path for messages).
 */
static enum sg_found sg_open_beneath(int dirfd, const char *rel, const char *display, int *fd,
                                     struct sg_buf *why)
{
    char *copy = strdup(rel);
    if (copy == NULL) {
        sg_buf_puts(why, "out of memory");
        return SG_UNUSABLE;
    }
    int at = dup(dirfd);
    enum sg_found result = SG_FOUND;
    char *save = NULL;
    for (char *part = strtok_r(copy, "/", &save); part != NULL && at != -1;) {
        char *next = strtok_r(NULL, "/", &save);
        int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
                    (next != NULL ? O_DIRECTORY : O_NONBLOCK);
        /* The file's type before it is opened: opening a device node may
         * act on the device (a tape rewinds, a watchdog arms), and an
         * archive unpacked as root can hold one. */
        struct stat before;
        if (next == NULL && fstatat(at, part, &before, AT_SYMLINK_NOFOLLOW) == 0 &&
            !S_ISREG(before.st_mode) && !S_ISLNK(before.st_mode)) {
            sg_buf_printf(why, "%s is not a regular file", display);
            result = SG_UNUSABLE;
            close(at);
            at = -1;
            break;
        }
        int child = openat(at, part, flags);
        if (child == -1) {
            int saved = errno;
            struct stat st;
            bool link = fstatat(at, part, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
            if (link) {
                sg_buf_printf(why, "%s is, or is inside, a symbolic link; submit the files "
                                   "themselves",
                              display);
                result = SG_UNUSABLE;
            } else if (saved == ENOENT || saved == ENOTDIR) {
                result = SG_ABSENT; /* ENOTDIR: a file where a folder was looked for */
            } else {
                sg_buf_printf(why, "%s cannot be opened: %s", display, strerror(saved));
                result = SG_UNUSABLE;
            }
        }
        close(at);
        at = child;
        if (child == -1)
            break;
        part = next;
    }
    free(copy);
    if (result != SG_FOUND)
        return result;
    struct stat st;
    if (fstat(at, &st) == -1 || !S_ISREG(st.st_mode)) {
        sg_buf_printf(why, "%s is not a regular file", display);
        result = SG_UNUSABLE;
    } else if ((size_t)st.st_size > SG_SUBMISSION_FILE_MAX) {
        sg_buf_printf(why, "%s is %lld bytes, more than the %u the grader reads", display,
                      (long long)st.st_size, SG_SUBMISSION_FILE_MAX);
        result = SG_UNUSABLE;
    } else if (fcntl(at, F_SETFL, 0) == -1) {
        sg_buf_printf(why, "%s: fcntl: %s", display, strerror(errno));
        result = SG_UNUSABLE;
    }
    if (result != SG_FOUND) {
        close(at);
        return result;
    }
    *fd = at;
    return SG_FOUND;
}

/*
 * Folders an archiver adds beside the student's own: macOS's "Compress"
 * puts __MACOSX/ (resource forks) next to the folder it zipped, which made
 * two folders where the student uploaded one, and every lab "missing".
 */
static bool sg_archiver_folder(const char *name)
{
    return strcmp(name, "__MACOSX") == 0;
}

/*
 * Whether name is shaped like a lab's folder (another lab's, in a mirrored
 * layout): two digits, '-', then a lower-case word and more of [a-z0-9-],
 * as "02-kerrisk-increment". A date ("03-15 shmlab", "12-07-final") is
 * not: a class's single folder named so was never looked into, and every
 * lab was "missing" (an instructor's review).
 */
static bool sg_lab_like(const char *name)
{
    if (!(isdigit((unsigned char)name[0]) && isdigit((unsigned char)name[1]) &&
          name[2] == '-' && islower((unsigned char)name[3])))
        return false;
    for (const char *c = name + 3; *c != '\0'; c++)
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-'))
            return false;
    return true;
}

/* At most this many folders at a submission's top are looked into: every
 * one a student would make (16, taken in the directory's order, missed a
 * kit beside twenty folders of notes, a review). */
#define SG_INNER_MAX 256

static int sg_compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The folders directly in dirfd that are neither a layout's own name nor
 * hidden nor an archiver's, sorted by name, at most max of them, in names
 * (malloc'ed); how many. None when a layout of its own is at the top.
 */
static size_t sg_inner_folders(int dirfd, const char *lab_id, char **names, size_t max)
{
    int copy = dup(dirfd);
    DIR *d = copy == -1 ? NULL : fdopendir(copy);
    if (d == NULL) {
        if (copy != -1)
            close(copy);
        return 0;
    }
    size_t n = 0;
    bool own_layout = false;
    struct dirent *e;
    while (!own_layout && (e = readdir(d)) != NULL) {
        struct stat st;
        if (e->d_name[0] == '.' || sg_archiver_folder(e->d_name) ||
            fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 || !S_ISDIR(st.st_mode))
            continue;
        /* A layout of its own is here: do not look deeper. */
        own_layout = strcmp(e->d_name, "work") == 0 || strcmp(e->d_name, lab_id) == 0 ||
                     sg_lab_like(e->d_name);
        if (!own_layout && n < max && (names[n] = strdup(e->d_name)) != NULL)
            n++;
    }
    closedir(d);
    if (own_layout) {
        while (n > 0)
            free(names[--n]);
        return 0;
    }
    qsort(names, n, sizeof *names, sg_compare_names);
    return n;
}

/*
 * The text of the file open at fd (at most SG_SUBMISSION_FILE_MAX bytes),
 * as an editor shows it: without a UTF-8 byte-order mark, with CRLF line
 * ends read as LF, and without the white space that ends the file. NULL
 * when it cannot be read or is larger; *len its length.
 */
static char *sg_text_as_shown(int fd, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) == -1 || st.st_size < 0 || (size_t)st.st_size > SG_SUBMISSION_FILE_MAX)
        return NULL;
    char *text = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (text != NULL && got < (size_t)st.st_size) {
        ssize_t n = pread(fd, text + got, (size_t)st.st_size - got, (off_t)got);
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (text == NULL || got != (size_t)st.st_size) {
        free(text);
        return NULL;
    }
    size_t from = got >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0, to = 0;
    for (size_t i = from; i < got; i++)
        if (!(text[i] == '\r' && i + 1 < got && text[i + 1] == '\n'))
            text[to++] = text[i];
    while (to > 0 && isspace((unsigned char)text[to - 1]))
        to--;
    *len = to;
    return text;
}

/*
 * C text t[0..n) without its comments and white space (kept in string and
 * character literals), in place; the new length. What the compiler reads
 * of a starting file: a skeleton from an earlier handout of the kit, whose
 * comments differ, is still a starting file.
 */
static size_t sg_code_only(char *t, size_t n)
{
    enum { CODE, STRING, CHAR, LINE, BLOCK } st = CODE;
    size_t to = 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i], next = i + 1 < n ? t[i + 1] : '\0';
        switch (st) {
        case CODE:
            if (c == '/' && next == '*')
                st = BLOCK, i++;
            else if (c == '/' && next == '/')
                st = LINE, i++;
            else if (!isspace((unsigned char)c)) {
                st = c == '"' ? STRING : c == '\'' ? CHAR : CODE;
                t[to++] = c;
            }
            break;
        case STRING:
        case CHAR:
            t[to++] = c;
            if (c == '\\' && i + 1 < n)
                t[to++] = t[++i];
            else if (c == (st == STRING ? '"' : '\''))
                st = CODE;
            break;
        case LINE:
            if (c == '\n')
                st = CODE;
            break;
        case BLOCK:
            if (c == '*' && next == '/')
                st = CODE, i++;
            break;
        }
    }
    return to;
}

/*
 * Whether the file open at fd holds what the file at path holds, as the
 * compiler reads them: a starting file whose line ends a Windows checkout
 * turned into CRLF is still the unchanged starting file (a platform
 * review: the work beside it went ungraded, 0 points), and so is one from
 * an earlier handout whose comments differ (an attacker's review: the
 * student's finished file beside it went ungraded). False when either
 * cannot be read.
 */
static bool sg_same_content(int fd, const char *path)
{
    int other = open(path, O_RDONLY | O_CLOEXEC);
    if (other == -1)
        return false;
    size_t a_len = 0, b_len = 0;
    char *a = sg_text_as_shown(fd, &a_len), *b = sg_text_as_shown(other, &b_len);
    if (a != NULL && b != NULL) {
        a_len = sg_code_only(a, a_len);
        b_len = sg_code_only(b, b_len);
    }
    bool same = a != NULL && b != NULL && a_len == b_len && memcmp(a, b, a_len) == 0;
    free(a);
    free(b);
    close(other);
    return same;
}

/*
 * Whether the file open at fd is one of the kit's starting files for the
 * lab (sg_same_content): this release's, or an earlier one's, whose code
 * may differ (lab 03's first skeleton set no errno, and a student's
 * finished file beside it went ungraded: 0 of 44, a review).
 */
static bool sg_starting_file(int fd, const struct sg_find_opts *fo)
{
    if (fo == NULL || fo->skeleton == NULL)
        return false;
    if (sg_same_content(fd, fo->skeleton))
        return true;
    DIR *d = fo->earlier != NULL ? opendir(fo->earlier) : NULL;
    bool same = false;
    struct dirent *e;
    while (d != NULL && !same && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        struct sg_buf path = SG_BUF_INIT;
        sg_buf_printf(&path, "%s/%s", fo->earlier, e->d_name);
        same = sg_same_content(fd, path.data);
        sg_buf_free(&path);
    }
    if (d != NULL)
        closedir(d);
    return same;
}

/* A lab's file found in one of several places. */
struct sg_candidate {
    char *found;
    int fd;
    int rank; /* lower is better: 2 for the kit's unchanged starting file, 1 for flat */
};

/*
 * Grades the best of nc candidates (the lowest rank, the first of equals):
 * its path and descriptor go to found and fd, the others are closed, and
 * note names them.
 */
static void sg_choose(struct sg_candidate *c, size_t nc, char **found, int *fd,
                      struct sg_buf *note)
{
    size_t best = 0;
    for (size_t k = 1; k < nc; k++)
        if (c[k].rank < c[best].rank)
            best = k;
    *found = c[best].found;
    *fd = c[best].fd;
    struct sg_buf others = SG_BUF_INIT;
    for (size_t k = 0; k < nc; k++) {
        if (k == best)
            continue;
        sg_buf_printf(&others, "%s%s%s", others.len ? ", " : "", c[k].found,
                      c[k].rank >= 2 ? " (the kit's unchanged starting file)" : "");
        free(c[k].found);
        close(c[k].fd);
    }
    if (note != NULL && others.len > 0)
        sg_buf_printf(note, "%sgraded %s; also found %s, not graded", note->len ? "; " : "",
                      *found, others.data);
    sg_buf_free(&others);
}

/*
 * Tries the three layouts beneath dirfd (whose display path is base). When
 * more than one holds the file, the first that is not the kit's unchanged
 * starting file (sg_starting_file) is graded, else the first; the
 * others are named in note. A student who copied their work to the top of
 * the submission and left the kit's folders beside it was graded on the
 * untouched skeleton, silently (an instructor's review).
 */
static enum sg_found sg_try_layouts(int dirfd, const char *base, const char *lab_id,
                                    const char *file, const struct sg_find_opts *fo,
                                    char **found, int *fd, struct sg_buf *why,
                                    struct sg_buf *tried, struct sg_buf *note)
{
    struct sg_buf rel[3] = { SG_BUF_INIT, SG_BUF_INIT, SG_BUF_INIT };
    sg_buf_printf(&rel[0], "%s/%s", lab_id, file);
    sg_buf_printf(&rel[1], "work/%s/%s", lab_id, file);
    sg_buf_printf(&rel[2], "%s", file);
    enum sg_found result = SG_ABSENT;
    struct sg_candidate c[3];
    size_t nc = 0;
    for (size_t i = 0; i < 3; i++) {
        struct sg_buf display = SG_BUF_INIT, refused = SG_BUF_INIT;
        sg_buf_printf(&display, "%s/%s", base, rel[i].data);
        int got = -1;
        /* Once a file is found, what a later place refuses is not the lab's reason. */
        enum sg_found r = sg_open_beneath(dirfd, rel[i].data, display.data, &got,
                                          nc > 0 ? &refused : why);
        if (r == SG_FOUND)
            c[nc++] = (struct sg_candidate){ sg_buf_take(&display), got,
                                             sg_starting_file(got, fo) ? 2 : 0 };
        else if (nc == 0 && r == SG_UNUSABLE)
            result = SG_UNUSABLE;
        else if (nc == 0)
            sg_buf_printf(tried, "%s%s", tried->len ? ", " : "", display.data);
        sg_buf_free(&refused);
        sg_buf_free(&display);
        if (result == SG_UNUSABLE)
            break;
    }
    if (nc > 0) {
        result = SG_FOUND;
        sg_choose(c, nc, found, fd, note);
    }
    for (size_t i = 0; i < 3; i++)
        sg_buf_free(&rel[i]);
    return result;
}

/*
 * Whether name is a near miss of file: the same but for case
 * ("Shared_Buffer.c", "increment.C"), file with more after it
 * ("ring.c.txt", "ring.c~"), or more before the extension.
 */
static bool sg_near_miss(const char *name, const char *file)
{
    size_t n = strlen(file), len = strlen(name);
    if (strcmp(name, file) == 0)
        return false;
    if (strcasecmp(name, file) == 0 || strncasecmp(name, file, n) == 0)
        return true;
    /* The stem and more, with the extension: "shared_buffer (1).c" (a
     * browser's second download), "ring_final.c". */
    const char *dot = strrchr(file, '.');
    size_t stem = dot != NULL ? (size_t)(dot - file) : n, ext = n - stem;
    return stem > 0 && len > n && strncasecmp(name, file, stem) == 0 &&
           strcasecmp(name + len - ext, file + stem) == 0;
}

/* What a look through the whole submission found for a missing file. */
struct sg_elsewhere {
    struct sg_buf same;     /* the file's own name, where the grader does not look */
    struct sg_buf near;     /* near misses of its name (sg_near_miss) */
    struct sg_buf archives; /* archives, which the grader does not unpack */
    struct sg_buf renamed;  /* other C files in a folder named as the lab is */
    int nsame, nnear, narchives, nrenamed;
    int budget;             /* entries still to read: a bound on a huge tree */
    const char *lab_id;
};

/* Whether rel (a path below the submission) is a folder named as the lab is. */
static bool sg_lab_folder(const char *rel, const char *lab_id)
{
    const char *base = strrchr(rel, '/');
    return strcmp(base != NULL ? base + 1 : rel, lab_id) == 0;
}

/* Whether name ends with ".c". */
static bool sg_c_file(const char *name)
{
    size_t len = strlen(name);
    return len > 2 && strcmp(name + len - 2, ".c") == 0;
}

static bool sg_is_archive(const char *name)
{
    /* .gz, .xz and .bz2 cover the compressed tars too. */
    static const char *const ends[] = { ".zip", ".tar", ".tgz", ".gz", ".xz", ".bz2", ".7z",
                                        ".rar" };
    size_t len = strlen(name);
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
        size_t n = strlen(ends[i]);
        if (len > n && strcasecmp(name + len - n, ends[i]) == 0)
            return true;
    }
    return false;
}

static void sg_note_found(struct sg_buf *b, int *count, const char *rel, const char *name)
{
    if ((*count)++ < 3)
        sg_buf_printf(b, "%s%s%s%s", b->len ? ", " : "", rel, *rel ? "/" : "", name);
}

/*
 * Looks for file in the folder open at fd (which it closes), shown as rel,
 * and depth folders beneath it at most, each opened from its parent's
 * descriptor with no link followed: the confused student's file is often
 * there, in another folder, under another name, or in an archive (a
 * platform review: each case said only "is missing").
 */
static void sg_look_elsewhere(int fd, const char *rel, int depth, const char *file,
                              struct sg_elsewhere *e)
{
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return;
    }
    struct dirent *ent;
    while (e->budget-- > 0 && (ent = readdir(d)) != NULL) {
        const char *name = ent->d_name;
        struct stat st;
        if (name[0] == '.' || strcmp(name, "__MACOSX") == 0 ||
            fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == -1)
            continue;
        if (S_ISREG(st.st_mode)) {
            if (strcmp(name, file) == 0)
                sg_note_found(&e->same, &e->nsame, rel, name);
            else if (sg_near_miss(name, file))
                sg_note_found(&e->near, &e->nnear, rel, name);
            else if (sg_is_archive(name))
                sg_note_found(&e->archives, &e->narchives, rel, name);
            else if (sg_c_file(name) && sg_lab_folder(rel, e->lab_id))
                sg_note_found(&e->renamed, &e->nrenamed, rel, name);
        } else if (S_ISDIR(st.st_mode) && depth > 0) {
            int sub = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub == -1)
                continue;
            struct sg_buf path = SG_BUF_INIT;
            sg_buf_printf(&path, "%s%s%s", rel, *rel ? "/" : "", name);
            sg_look_elsewhere(sub, path.data, depth - 1, file, e);
            sg_buf_free(&path);
        }
    }
    closedir(d);
}

/* Adds to why what sg_look_elsewhere found beneath root. */
static void sg_explain_missing(int root, const char *lab_id, const char *file, struct sg_buf *why)
{
    struct sg_elsewhere e = { SG_BUF_INIT, SG_BUF_INIT, SG_BUF_INIT, SG_BUF_INIT, 0, 0, 0, 0,
                              5000, lab_id };
    int top = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top != -1)
        sg_look_elsewhere(top, "", 4, file, &e);
    if (e.nsame > 0)
        sg_buf_printf(why, ". Found %s%s, where the grader does not look: put it in one of the "
                           "places above (folder names are case-sensitive too)",
                      e.same.data, e.nsame > 3 ? ", ..." : "");
    if (e.nnear > 0)
        sg_buf_printf(why, ". Found %s%s: the file must be named exactly %s (names are "
                           "case-sensitive)",
                      e.near.data, e.nnear > 3 ? ", ..." : "", file);
    if (e.nsame == 0 && e.narchives > 0)
        sg_buf_printf(why, ". The submission holds %s%s, an archive: the grader does not "
                           "unpack archives, so submit the files themselves",
                      e.archives.data, e.narchives > 3 ? ", ..." : "");
    /* A file renamed in the lab's own folder ("my_solution.c") was told only
     * the places looked at (a student-kit review). */
    if (e.nsame == 0 && e.nnear == 0 && e.nrenamed > 0)
        sg_buf_printf(why, ". Found %s%s in the lab's folder: the grader grades one file, by "
                           "its name, %s: rename yours so",
                      e.renamed.data, e.nrenamed > 3 ? ", ..." : "", file);
    sg_buf_free(&e.same);
    sg_buf_free(&e.near);
    sg_buf_free(&e.archives);
    sg_buf_free(&e.renamed);
}

/*
 * The layouts one folder down (the kit's folder or a repository uploaded
 * whole), in each folder at the top: only the one folder at the top was
 * looked into, and a kit uploaded with a folder of notes beside it scored 0
 * (a platform review). Of the files found, the one graded is the student's
 * own rather than the kit's unchanged starting file, then one in the kit's
 * or the mirrored layout rather than loose in a folder (a "backup" folder
 * beside the kit), then the first by the folders' names; note names the
 * others.
 */
static enum sg_found sg_try_inner_folders(int root, const char *submission, const char *lab_id,
                                          const char *file, const struct sg_find_opts *fo,
                                          char **found, int *fd, struct sg_buf *why,
                                          struct sg_buf *tried, struct sg_buf *note)
{
    char *inner[SG_INNER_MAX];
    size_t n = sg_inner_folders(root, lab_id, inner, SG_INNER_MAX);
    struct sg_candidate c[SG_INNER_MAX];
    size_t nc = 0;
    enum sg_found result = SG_ABSENT;
    struct sg_buf refused = SG_BUF_INIT, notes = SG_BUF_INIT, scratch = SG_BUF_INIT;
    size_t looked = 0;
    for (size_t i = 0; i < n; i++) {
        int innerfd = openat(root, inner[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (innerfd == -1)
            continue;
        struct sg_buf base = SG_BUF_INIT, flat = SG_BUF_INIT;
        sg_buf_printf(&base, "%s/%s", submission, inner[i]);
        sg_buf_printf(&flat, "%s/%s", base.data, file);
        char *f = NULL;
        int g = -1;
        /* The places looked at, in the first folder only: a missing file's
         * message named three for each of twenty folders (a review). */
        enum sg_found r = sg_try_layouts(innerfd, base.data, lab_id, file, fo, &f, &g,
                                         &refused, looked++ == 0 ? tried : &scratch, &notes);
        close(innerfd);
        if (r == SG_FOUND) {
            c[nc] = (struct sg_candidate){ f, g, 0 };
            if (sg_starting_file(g, fo))
                c[nc].rank += 2;
            if (strcmp(f, flat.data) == 0)
                c[nc].rank += 1;
            nc++;
        } else if (r == SG_UNUSABLE && result == SG_ABSENT) {
            result = SG_UNUSABLE;
        }
        sg_buf_free(&base);
        sg_buf_free(&flat);
    }
    if (nc > 0) {
        result = SG_FOUND;
        sg_choose(c, nc, found, fd, note);
    } else if (result == SG_UNUSABLE) {
        sg_buf_puts(why, refused.data ? refused.data : "");
    } else if (looked > 1) {
        sg_buf_printf(tried, ", and the same in the %zu other folders at the top", looked - 1);
    }
    sg_buf_free(&refused);
    sg_buf_free(&notes);
    sg_buf_free(&scratch);
    for (size_t i = 0; i < n; i++)
        free(inner[i]);
    return result;
}

int sg_submission_find(const char *submission, const char *lab_id, const char *file,
                       const struct sg_find_opts *o, char **found, int *fd, struct sg_buf *why,
                       struct sg_buf *note)
{
    bool root_nofollow = o != NULL && o->root_nofollow;
    /* The submission folder itself is the instructor's choice, unless it is
     * a student's folder in a class; below it, nothing is followed. */
    int root = open(submission, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
                                    (root_nofollow ? O_NOFOLLOW : 0));
    if (root == -1) {
        if (errno == ELOOP || errno == ENOTDIR)
            sg_buf_printf(why, "%s is a symbolic link, not a folder; it is not followed",
                          submission);
        else
            sg_buf_printf(why, "%s cannot be opened: %s", submission, strerror(errno));
        *found = NULL;
        return -1;
    }
    int got = -1;
    struct sg_buf tried = SG_BUF_INIT;
    enum sg_found result =
        sg_try_layouts(root, submission, lab_id, file, o, found, &got, why, &tried, note);
    if (result == SG_ABSENT)
        result = sg_try_inner_folders(root, submission, lab_id, file, o, found, &got, why,
                                      &tried, note);
    if (result == SG_ABSENT) {
        sg_buf_printf(why, "%s is missing: looked for %s", file, tried.data ? tried.data : "");
        sg_explain_missing(root, lab_id, file, why);
    }
    close(root);
    sg_buf_free(&tried);
    if (result != SG_FOUND)
        return result == SG_UNUSABLE ? -2 : -1;
    if (fd != NULL)
        *fd = got;
    else
        close(got);
    return 0;
}

int sg_submission_find_lab(const char *kit_root, const char *labs_dir, const char *submission,
                           bool root_nofollow, const char *lab_id, const char *file,
                           char **found, int *fd, struct sg_buf *why, struct sg_buf *note)
{
    struct sg_buf skeleton = SG_BUF_INIT, earlier = SG_BUF_INIT;
    sg_buf_printf(&skeleton, "%s/skeletons/%s/%s", kit_root, lab_id, file);
    sg_buf_printf(&earlier, "%s/%s/earlier-skeletons", labs_dir, lab_id);
    struct sg_find_opts fo = { .root_nofollow = root_nofollow, .skeleton = skeleton.data,
                               .earlier = earlier.data };
    int rc = sg_submission_find(submission, lab_id, file, &fo, found, fd, why, note);
    sg_buf_free(&skeleton);
    sg_buf_free(&earlier);
    return rc;
}

/* Whether name is the file of one of the kit's labs (skeletons/NN-name/name). */
static bool sg_a_labs_file(const char *kit_root, const char *name)
{
    struct sg_buf pattern = SG_BUF_INIT;
    sg_buf_printf(&pattern, "%s/skeletons/*/%s", kit_root, name);
    glob_t g;
    bool found = glob(pattern.data, GLOB_NOSORT | GLOB_NOESCAPE, NULL, &g) == 0;
    if (found || g.gl_pathv != NULL)
        globfree(&g);
    sg_buf_free(&pattern);
    return found;
}

char *sg_submission_siblings(const char *found, const char *file, const char *header,
                             const char *kit_root)
{
    char *dir = strdup(found);
    if (dir == NULL)
        return NULL;
    char *slash = strrchr(dir, '/');
    if (slash != NULL)
        *slash = '\0';
    DIR *d = opendir(slash != NULL ? dir : ".");
    free(dir);
    if (d == NULL)
        return NULL;
    struct sg_buf list = SG_BUF_INIT;
    int listed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        bool source = n > 2 && e->d_name[n - 2] == '.' &&
                      (e->d_name[n - 1] == 'c' || e->d_name[n - 1] == 'h');
        if (!source || strcmp(e->d_name, file) == 0 || strcmp(e->d_name, header) == 0 ||
            sg_a_labs_file(kit_root, e->d_name))
            continue;
        if (listed++ < 8) {
            char *name = sg_escape_name_dup(e->d_name);
            sg_buf_printf(&list, "%s%s", list.len ? ", " : "", name ? name : "?");
            free(name);
        }
    }
    closedir(d);
    if (listed > 8)
        sg_buf_printf(&list, " and %d more", listed - 8);
    return sg_buf_take(&list);
}
