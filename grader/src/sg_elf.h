/*
 * sg_elf.h — what a compiled student object would do beyond the lab's API.
 *
 * The student's object is linked into the test program, so it could run
 * code before main (constructors, IFUNC resolvers) or refer to the harness's
 * internals. Those are refused. Global definitions outside the API (a
 * helper without `static`, or a function named fork) are made local later
 * (sg_build.c), so that they can never replace what the harness calls.
 */
#ifndef SG_ELF_H
#define SG_ELF_H

#include <stddef.h>

#include "sg_text.h"

struct sg_elf_findings {
    struct sg_buf refused;   /* one line per reason to refuse the object */
    struct sg_buf shadowed;  /* names of global definitions outside the API, space-separated */
    int nshadowed;
};

/*
 * Loads, once per process, the names the test program defines besides the
 * C library (the kit's internal-names.txt, made by make): an undefined
 * reference to one of them is refused. 0, or -1 (errno) when it cannot be
 * read, and then the prefixes of the harness's and Check's names alone
 * decide.
 */
int sg_elf_load_internal_names(const char *path);

/* 0 with findings filled (possibly empty), or -1 with a message in err. */
int sg_elf_inspect(const char *path, const char *const *api, size_t napi,
                   struct sg_elf_findings *f, struct sg_buf *err);
void sg_elf_findings_free(struct sg_elf_findings *f);

#endif
