/* sg_buildcache.c — each distinct file built once per batch; see sg_buildcache.h. */
#include "sg_buildcache.h"
#include "sg_fs.h"
#include "sg_hash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SG_DISPLAY_MARK "@@SHMGRADE-DISPLAY@@"

static char *sg_join(const char *a, const char *b)
{
    struct sg_buf p = SG_BUF_INIT;
    sg_buf_printf(&p, "%s/%s", a, b);
    return sg_buf_take(&p);
}

/* The entry's folder for this lab, options and source (malloc'ed); NULL if the source is unreadable. */
static char *sg_entry(const char *cache, const struct sg_rubric *r, const struct sg_build_opts *o,
                      const char *source)
{
    int fd = open(source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd == -1)
        return NULL;
    char flags[32];
    snprintf(flags, sizeof flags, "hidden=%d memcheck=%d", o->hidden, o->memcheck);
    uint64_t h = sg_hash_fd(sg_hash_str(sg_hash_str(SG_HASH_INIT, r->id), flags), fd);
    close(fd);
    struct sg_buf p = SG_BUF_INIT;
    sg_buf_printf(&p, "%s/%s-%016" PRIx64, cache, r->id, h);
    return sg_buf_take(&p);
}

/* Whether two files hold the same bytes. */
static bool sg_same_bytes(const char *a, const char *b)
{
    size_t la, lb;
    FILE *fa = fopen(a, "re"), *fb = fopen(b, "re");
    bool same = fa != NULL && fb != NULL;
    char ca[65536], cb[65536];
    while (same) {
        la = fread(ca, 1, sizeof ca, fa);
        lb = fread(cb, 1, sizeof cb, fb);
        same = la == lb && memcmp(ca, cb, la) == 0;
        if (la == 0)
            break;
    }
    if (fa != NULL)
        fclose(fa);
    if (fb != NULL)
        fclose(fb);
    return same;
}

/* Copies the regular files of from into to (made when missing), modes kept. 0 or -1. */
static int sg_copy_folder(const char *from, const char *to)
{
    DIR *d = opendir(from);
    if (d == NULL)
        return -1;
    if (mkdir(to, 0700) == -1 && errno != EEXIST) {
        closedir(d);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        struct stat st;
        char *src = sg_join(from, e->d_name), *dst = sg_join(to, e->d_name);
        if (lstat(src, &st) == 0 && S_ISREG(st.st_mode))
            rc = sg_copy_file(src, dst, (int)(st.st_mode & 0777));
        free(src);
        free(dst);
    }
    closedir(d);
    return rc;
}

static char *sg_replace(const char *text, const char *from, const char *to)
{
    struct sg_buf b = SG_BUF_INIT;
    size_t n = strlen(from);
    const char *p = text, *hit;
    while (n > 0 && (hit = strstr(p, from)) != NULL) {
        sg_buf_append(&b, p, (size_t)(hit - p));
        sg_buf_puts(&b, to);
        p = hit + n;
    }
    sg_buf_puts(&b, p);
    return sg_buf_take(&b);
}

static char *sg_dup_json(json_t *root, const char *key)
{
    const char *s = json_string_value(json_object_get(root, key));
    return s != NULL ? strdup(s) : NULL;
}

/* A program's path in folder, when the entry says it was built. */
static char *sg_program(json_t *programs, const char *key, const char *folder)
{
    const char *name = json_string_value(json_object_get(programs, key));
    return name != NULL ? sg_join(folder, name) : NULL;
}

int sg_buildcache_get(const char *cache, const struct sg_rubric *r,
                      const struct sg_build_opts *o, struct sg_build *b)
{
    char *source = sg_join(b->src, r->file);
    char *entry = sg_entry(cache, r, o, source);
    char *kept = entry ? sg_join(entry, "source") : NULL;
    char *meta = entry ? sg_join(entry, "build.json") : NULL;
    int hit = 0;
    json_t *root = NULL;
    if (entry != NULL && sg_same_bytes(source, kept) &&
        (root = json_load_file(meta, 0, NULL)) != NULL) {
        char *out = sg_join(entry, "out"), *hidden = sg_join(entry, "hidden-out");
        if (sg_copy_folder(out, b->out) == 0 && sg_copy_folder(hidden, b->hidden_out) == 0) {
            json_t *programs = json_object_get(root, "programs");
            b->state = (enum sg_lab_state)json_integer_value(json_object_get(root, "state"));
            b->problem = sg_dup_json(root, "problem");
            b->notes = sg_dup_json(root, "notes");
            const char *output = json_string_value(json_object_get(root, "output"));
            b->output = output ? sg_replace(output, SG_DISPLAY_MARK, o->display) : NULL;
            b->test_program = sg_program(programs, "tests", b->out);
            b->program = sg_program(programs, "program", b->out);
            b->hidden_program = sg_program(programs, "hidden", b->hidden_out);
            b->memcheck_driver = sg_program(programs, "memcheck", b->out);
            b->memcheck_program = sg_program(programs, "memcheck_program", b->out);
            hit = 1;
        }
        free(out);
        free(hidden);
    }
    json_decref(root);
    free(source);
    free(entry);
    free(kept);
    free(meta);
    return hit;
}

/* The file name of path inside folder, or NULL. */
static const char *sg_name_in(const char *path, const char *folder)
{
    size_t n = strlen(folder);
    if (path == NULL || strncmp(path, folder, n) != 0 || path[n] != '/')
        return NULL;
    return path + n + 1;
}

void sg_buildcache_put(const char *cache, const struct sg_rubric *r,
                       const struct sg_build_opts *o, const struct sg_build *b)
{
    if (b->state == SG_LAB_GRADER_ERROR || b->state == SG_LAB_MISSING)
        return; /* not the file's doing: do not keep it */
    char *source = sg_join(b->src, r->file);
    char *entry = sg_entry(cache, r, o, source);
    if (entry == NULL) {
        free(source);
        return;
    }
    struct sg_buf tmp = SG_BUF_INIT;
    sg_buf_printf(&tmp, "%s.tmp.%ld", entry, (long)getpid());
    char *kept = sg_join(tmp.data, "source"), *meta = sg_join(tmp.data, "build.json");
    char *out = sg_join(tmp.data, "out"), *hidden = sg_join(tmp.data, "hidden-out");
    char *output = b->output ? sg_replace(b->output, o->display, SG_DISPLAY_MARK) : NULL;
    json_t *programs = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}",
                                 "tests", sg_name_in(b->test_program, b->out),
                                 "program", sg_name_in(b->program, b->out),
                                 "hidden", sg_name_in(b->hidden_program, b->hidden_out),
                                 "memcheck", sg_name_in(b->memcheck_driver, b->out),
                                 "memcheck_program", sg_name_in(b->memcheck_program, b->out));
    json_t *root = programs ? json_pack("{s:i, s:s?, s:s?, s:s?, s:o}", "state", (int)b->state,
                                        "problem", b->problem, "notes", b->notes, "output",
                                        output, "programs", programs)
                            : NULL;
    bool ok = root != NULL && mkdir(tmp.data, 0700) == 0 &&
              sg_copy_file(source, kept, 0600) == 0 && sg_copy_folder(b->out, out) == 0 &&
              sg_copy_folder(b->hidden_out, hidden) == 0 && json_dump_file(root, meta, 0) == 0;
    /* Another worker may have kept the same build first: theirs stays. */
    if (!ok || rename(tmp.data, entry) == -1)
        sg_rmtree(tmp.data);
    json_decref(root);
    free(output);
    free(source);
    free(entry);
    free(kept);
    free(meta);
    free(out);
    free(hidden);
    sg_buf_free(&tmp);
}
