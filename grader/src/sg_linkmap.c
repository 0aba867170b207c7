/* sg_linkmap.c — code ranges of one object in a linker map; see sg_linkmap.h. */
#include "sg_linkmap.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The last word of line[0, *end), or NULL; *end moves to its start, *len is its length. */
static const char *sg_last_word(const char *line, size_t *end, size_t *len)
{
    size_t e = *end;
    while (e > 0 && (line[e - 1] == ' ' || line[e - 1] == '\t' || line[e - 1] == '\n'))
        e--;
    size_t b = e;
    while (b > 0 && line[b - 1] != ' ' && line[b - 1] != '\t')
        b--;
    *end = b;
    *len = e - b;
    return e > b ? line + b : NULL;
}

/* A word "0x" and 1 to 16 hex digits. */
static bool sg_hex_word(const char *w, size_t len, uint64_t *value)
{
    if (w == NULL || len < 3 || len > 18 || strncmp(w, "0x", 2) != 0 ||
        strspn(w + 2, "0123456789abcdefABCDEF") < len - 2)
        return false;
    *value = strtoull(w + 2, NULL, 16);
    return true;
}

/* Whether path names object; by its last component: a build kept in a
 * batch's cache was linked in another folder. */
static bool sg_same_object(const char *path, size_t len, const char *object)
{
    const char *base = strrchr(object, '/');
    base = base ? base + 1 : object;
    size_t n = strlen(base);
    return len >= n && strncmp(path + len - n, base, n) == 0 &&
           (len == n || path[len - n - 1] == '/');
}

/*
 * A placement line ends with "0x<address> 0x<size> <path>", after the
 * input section's name when the name is short (" .text  0x401163  0x10
 * path"); a long name stands alone on the line before. It is read from
 * its end: the name is the object's to choose. SG_PLACED when object's,
 * SG_ADDRESS_ALONE for "0x<address> 0x<size>" alone, the address of an
 * output section whose long name stands on the line before.
 */
enum sg_line { SG_OTHER, SG_PLACED, SG_ADDRESS_ALONE };

static enum sg_line sg_placement(const char *line, const char *object, uint64_t *start,
                                 uint64_t *size)
{
    size_t end = strlen(line), len[3];
    const char *last = sg_last_word(line, &end, &len[2]);
    const char *before = sg_last_word(line, &end, &len[1]);
    size_t indent = end;
    const char *first = sg_last_word(line, &end, &len[0]);
    if (strspn(line, " ") == indent && sg_hex_word(before, len[1], start) &&
        sg_hex_word(last, len[2], size))
        return SG_ADDRESS_ALONE;
    if (sg_hex_word(first, len[0], start) && sg_hex_word(before, len[1], size) &&
        sg_same_object(last, len[2], object))
        return SG_PLACED;
    return SG_OTHER;
}

/*
 * Whether a line of the map starts an output section, and then whether the
 * section is loaded. Output sections start at the first column (".text
 * 0x401040 0x1f2", or the name alone when long, its address on the next
 * line); the sections that are not loaded (.comment, .debug_*) lie at 0,
 * and their input sections' addresses are offsets in the file.
 */
static bool sg_output_section(const char *line, bool *loaded, bool *address_follows)
{
    if (line[0] == ' ' || line[0] == '\n' || line[0] == '\0')
        return false;
    char name[256];
    uint64_t address;
    int n = sscanf(line, "%255s 0x%" SCNx64, name, &address);
    *loaded = n == 2 && address != 0;
    *address_follows = n == 1 && line[strcspn(line, " \t\n")] != ' ';
    return true;
}

/*
 * The next line of f into line, its end dropped when longer than cap: a
 * section's name may be as long as the object likes, and the rest of its
 * line, read as a line of its own, would start at the first column.
 */
static bool sg_read_line(FILE *f, char *line, size_t cap)
{
    if (fgets(line, (int)cap, f) == NULL)
        return false;
    size_t n = strlen(line);
    if (n > 0 && line[n - 1] != '\n') {
        int c;
        while ((c = getc(f)) != EOF && c != '\n')
            ;
    }
    return true;
}

static int sg_add_range(struct sg_code_ranges *out, uint64_t start, uint64_t size)
{
    struct sg_code_range *grown = realloc(out->r, (out->n + 1) * sizeof *grown);
    if (grown == NULL)
        return -1;
    out->r = grown;
    out->r[out->n].start = start;
    out->r[out->n].end = start + size;
    out->n++;
    return 0;
}

/*
 * Every input section of object that the map places in a loaded output
 * section counts, whatever its name or its output section: code can be
 * made to lie outside .text (an executable ".data.hide", which the
 * linker put in .data: its leak and over-read went unseen). A data
 * section holds no frame of anyone else's code, so counting it costs
 * nothing; nor does a .tbss, whose address the sections after it share:
 * they hold data too.
 */
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
    char line[8192];
    bool in_map = false, loaded = false, address_follows = false;
    while (sg_read_line(f, line, sizeof line)) {
        if (strncmp(line, "Linker script and memory map", 28) == 0) {
            in_map = true;
            continue;
        }
        if (!in_map || sg_output_section(line, &loaded, &address_follows))
            continue;
        uint64_t start, size;
        enum sg_line kind = sg_placement(line, object, &start, &size);
        if (kind == SG_ADDRESS_ALONE && address_follows)
            loaded = start != 0;
        address_follows = false;
        if (kind != SG_PLACED || !loaded || size == 0)
            continue;
        if (sg_add_range(out, start, size) == -1) {
            fclose(f);
            sg_code_ranges_free(out);
            errno = ENOMEM;
            return -1;
        }
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
