/* unit_linkmap.c — where the student's code lies, by the linker's map. */
#include "sg_linkmap.h"
#include "unit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The student's object, with code where gcc would not put it; spaced's
 * section is named by %s. */
static const char *const student_source =
    "#include <stdlib.h>\n"
    "__attribute__((section(\".data.hide\"))) int hidden(int x) { return x + 1; }\n"
    "__attribute__((section(\".rodata.hide\"))) int read_only(int x) { return x + 2; }\n"
    "__asm__(\".section \\\"%s\\\",\\\"ax\\\",@progbits\\n.globl spaced\\n"
    "spaced: ret\\n.text\");\n"
    "int plain(int x) { return x + 3; }\n"
    "int table[4] = { 1, 2, 3, 4 };\n";

static const char *const kit_source =
    "int hidden(int), read_only(int), plain(int);\nvoid spaced(void);\n"
    "int kit_fn(int x) { return x * 5; }\n"
    "int main(void) { spaced(); return hidden(1) + read_only(2) + plain(3) + kit_fn(4); }\n";

struct linked {
    char dir[32], map[64], object[64], program[64];
};

static void write_file(const char *path, const char *text)
{
    FILE *out = fopen(path, "w");
    ck_assert_ptr_nonnull(out);
    fputs(text, out);
    fclose(out);
}

/* Links the student's object, its spaced in section, with the kit's as the grader does
 * (-no-pie, -Map). */
static void link_program(struct linked *l, const char *section)
{
    snprintf(l->dir, sizeof l->dir, "/tmp/unit-linkmap.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(l->dir));
    snprintf(l->map, sizeof l->map, "%s/p.map", l->dir);
    snprintf(l->object, sizeof l->object, "%s/student-local.o", l->dir);
    snprintf(l->program, sizeof l->program, "%s/p", l->dir);
    char student[64], kit[64], cmd[512];
    snprintf(student, sizeof student, "%s/s.c", l->dir);
    snprintf(kit, sizeof kit, "%s/k.c", l->dir);
    char *source;
    ck_assert_int_ne(asprintf(&source, student_source, section), -1);
    write_file(student, source);
    free(source);
    write_file(kit, kit_source);
    snprintf(cmd, sizeof cmd,
             "cc -g -c %s -o %s 2>/dev/null && cc -g -no-pie %s %s -Wl,-Map=%s "
             "-Wl,--no-warn-rwx-segments -o %s",
             student, l->object, kit, l->object, l->map, l->program);
    ck_assert_int_eq(system(cmd), 0);
}

static uint64_t address_of(const struct linked *l, const char *symbol)
{
    char cmd[256], line[256];
    snprintf(cmd, sizeof cmd, "nm %s", l->program);
    FILE *nm = popen(cmd, "r");
    ck_assert_ptr_nonnull(nm);
    uint64_t found = 0, address;
    char type, name[128];
    while (fgets(line, sizeof line, nm) != NULL)
        if (sscanf(line, "%" SCNx64 " %c %127s", &address, &type, name) == 3 &&
            strcmp(name, symbol) == 0)
            found = address;
    pclose(nm);
    ck_assert_msg(found != 0, "%s not in the program", symbol);
    return found;
}

static void remove_linked(const struct linked *l)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", l->dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* An executable .data.hide went into .data, which only .text* placements
 * were looked for in: its leak and over-read were nobody's. */
START_TEST(code_outside_text_is_the_students)
{
    struct linked l;
    link_program(&l, ".text.a b");
    struct sg_code_ranges c;
    ck_assert_int_eq(sg_linkmap_code(l.map, l.object, &c), 0);
    const char *students[] = { "hidden", "read_only", "spaced", "plain" };
    for (size_t i = 0; i < sizeof students / sizeof *students; i++)
        ck_assert_msg(sg_code_ranges_hold(&c, address_of(&l, students[i])),
                      "%s is not the student's", students[i]);
    ck_assert(!sg_code_ranges_hold(&c, address_of(&l, "kit_fn")));
    ck_assert(!sg_code_ranges_hold(&c, address_of(&l, "main")));
    sg_code_ranges_free(&c);
    remove_linked(&l);
}
END_TEST

/* The rest of a map's line longer than the line read is no line of its own. */
START_TEST(long_section_names_hide_nothing)
{
    char name[9001] = ".text.";
    memset(name + 6, 'a', sizeof name - 7);
    struct linked l;
    link_program(&l, name);
    struct sg_code_ranges c;
    ck_assert_int_eq(sg_linkmap_code(l.map, l.object, &c), 0);
    ck_assert(sg_code_ranges_hold(&c, address_of(&l, "spaced")));
    ck_assert(sg_code_ranges_hold(&c, address_of(&l, "plain")));
    sg_code_ranges_free(&c);
    remove_linked(&l);
}
END_TEST

/* .comment and .debug_* are not loaded: their input sections' "addresses"
 * are offsets in the file, which the map prints like any other. */
START_TEST(sections_not_loaded_are_no_ones)
{
    struct linked l;
    link_program(&l, ".text.a b");
    struct sg_code_ranges c;
    ck_assert_int_eq(sg_linkmap_code(l.map, l.object, &c), 0);
    for (size_t i = 0; i < c.n; i++)
        ck_assert_msg(c.r[i].start >= 0x400000, "a range at %#" PRIx64, c.r[i].start);
    sg_code_ranges_free(&c);
    remove_linked(&l);
}
END_TEST

START_TEST(a_map_without_the_object_is_einval)
{
    struct linked l;
    link_program(&l, ".text.a b");
    struct sg_code_ranges c;
    ck_assert_int_eq(sg_linkmap_code(l.map, "/elsewhere/other.o", &c), -1);
    ck_assert_int_eq(errno, EINVAL);
    remove_linked(&l);
}
END_TEST

Suite *unit_linkmap_suite(void)
{
    Suite *s = suite_create("linkmap");
    TCase *tc = tcase_create("linkmap");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, code_outside_text_is_the_students);
    tcase_add_test(tc, long_section_names_hide_nothing);
    tcase_add_test(tc, sections_not_loaded_are_no_ones);
    tcase_add_test(tc, a_map_without_the_object_is_einval);
    suite_add_tcase(s, tc);
    return s;
}
