/*
 * sg_linkmap.h — where a program's code from one object lies, read from
 * the linker's map (ld -Map).
 *
 * The memory check attributes a finding to the student when the code
 * address of a frame lies in the student's object. Debug information
 * cannot be trusted for that: `#line 1 "main.c"` makes the student's code
 * claim to be the kit's. The map is written by the linker, in the build's
 * sandbox, before any of the student's code has run.
 */
#ifndef SG_LINKMAP_H
#define SG_LINKMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sg_code_range {
    uint64_t start, end;
};

struct sg_code_ranges {
    struct sg_code_range *r;   /* malloc'ed */
    size_t n;
};

/*
 * The address ranges of every input section that the map places from
 * object (the path as given to the linker) in the loaded program,
 * whatever its name: code can be made to lie in a section not named .text
 * (sg_elf.c refuses that too), and a range that holds data is never a
 * frame's. 0, or -1 with errno (a map that is missing or places nothing
 * of object is EINVAL).
 */
int sg_linkmap_code(const char *map, const char *object, struct sg_code_ranges *out);

bool sg_code_ranges_hold(const struct sg_code_ranges *c, uint64_t address);
void sg_code_ranges_free(struct sg_code_ranges *c);

#endif
