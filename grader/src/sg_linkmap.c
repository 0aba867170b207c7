/* sg_linkmap.c — code ranges of one object in a linker map; see sg_linkmap.h. */
#include "sg_linkmap.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * A placement line reads " .text  0x0000000000401163  0x10 path"; when the
 * section name is long it stands alone on the line before, and the line
 * itself starts with the address.
 */
static bool sg_placement(const char *line, const char *object, char *section, size_t cap,
                         uint64_t *start, uint64_t *size)
{
    char name[256] = "", path[4096];
    const char *p = line;
    while (*p == ' ')
        p++;
    if (*p == '.') {
        if (sscanf(p, "%255s", name) != 1)
            return false;
        p += strlen(name);
    }
    if (sscanf(p, " 0x%" SCNx64 " 0x%" SCNx64 " %4095s", start, size, path) != 3)
        return false;
    if (name[0] != '\0')
        snprintf(section, cap, "%s", name);
    /* By name: a build kept in a batch's cache was linked in another folder. */
    const char *a = strrchr(path, '/'), *b = strrchr(object, '/');
    return strcmp(a ? a + 1 : path, b ? b + 1 : object) == 0;
}

int sg_linkmap_code(const char *map, const char *object, struct sg_code_ranges *out)
{
    memset(out, 0, sizeof *out);
    int fd = open(map, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    FILE *f = fd == -1 ? NULL : fdopen(fd, "r");
    if (f == NULL) {
        if (fd != -1)
            close(fd);
        return -1;
    }
    char line[8192], section[256] = "";
    bool in_map = false;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "Linker script and memory map", 28) == 0) {
            in_map = true;
            continue;
        }
        if (!in_map)
            continue;
        /* A section name alone on its line: the placement follows. */
        char alone[256];
        if (line[0] == ' ' && line[1] == '.' && sscanf(line, " %255s", alone) == 1 &&
            line[1 + strspn(line + 1 + strlen(alone), " \t\n") + strlen(alone)] == '\0') {
            snprintf(section, sizeof section, "%s", alone);
            continue;
        }
        uint64_t start, size;
        if (!sg_placement(line, object, section, sizeof section, &start, &size))
            continue;
        if (strncmp(section, ".text", 5) != 0 || size == 0 || start == 0)
            continue;
        struct sg_code_range *grown = realloc(out->r, (out->n + 1) * sizeof *grown);
        if (grown == NULL) {
            fclose(f);
            sg_code_ranges_free(out);
            errno = ENOMEM;
            return -1;
        }
        out->r = grown;
        out->r[out->n].start = start;
        out->r[out->n].end = start + size;
        out->n++;
    }
    fclose(f);
    if (out->n == 0) {
        sg_code_ranges_free(out);
        errno = EINVAL;
        return -1;
    }
    return 0;
}

bool sg_code_ranges_hold(const struct sg_code_ranges *c, uint64_t address)
{
    for (size_t i = 0; i < c->n; i++)
        if (address >= c->r[i].start && address < c->r[i].end)
            return true;
    return false;
}

void sg_code_ranges_free(struct sg_code_ranges *c)
{
    free(c->r);
    c->r = NULL;
    c->n = 0;
}
