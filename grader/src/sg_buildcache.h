/*
 * sg_buildcache.h — build each distinct file once per batch.
 *
 * In a class, many files are the same: a skeleton a student never touched,
 * a file handed in twice. The programs built from a file depend on
 * nothing else the student controls, so a batch keeps what it built, by
 * lab and content, and gives it to every student who hands in the same
 * bytes. A hash only finds the entry: the entry keeps the source, and a
 * hit needs the same bytes, so no crafted collision can hand a student
 * another's programs. The cache lives in the batch's scratch space, which
 * no sandbox sees, and dies with the batch.
 */
#ifndef SG_BUILDCACHE_H
#define SG_BUILDCACHE_H

#include "sg_build.h"

/*
 * When the cache holds a build of the same source (b->src's copy of the
 * student's file) with the same options, copies its programs into b's
 * folders and fills b as the build did (messages written for display).
 * 1 on a hit, 0 on a miss or any trouble (then build as usual).
 */
int sg_buildcache_get(const char *cache, const struct sg_rubric *r,
                      const struct sg_build_opts *o, struct sg_build *b);

/* Keeps b's outcome and programs (best effort: a failure only costs a later build). */
void sg_buildcache_put(const char *cache, const struct sg_rubric *r,
                       const struct sg_build_opts *o, const struct sg_build *b);

#endif
