/* unit_elf.c — what the grader refuses or localises in a student's object. */
#include "sg_elf.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const api[] = { "lab_fn" };

/* Compiles source with flags into an object and inspects it against api. */
static void inspect_with(const char *source, const char *flags, struct sg_elf_findings *f)
{
    char dir[] = "/tmp/unit-elf.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char src[64], obj[64], cmd[512];
    snprintf(src, sizeof src, "%s/s.c", dir);
    snprintf(obj, sizeof obj, "%s/s.o", dir);
    FILE *out = fopen(src, "w");
    ck_assert_ptr_nonnull(out);
    fputs(source, out);
    fclose(out);
    snprintf(cmd, sizeof cmd, "cc -std=gnu11 %s -c %s -o %s", flags, src, obj);
    ck_assert_int_eq(system(cmd), 0);
    struct sg_buf err = SG_BUF_INIT;
    ck_assert_msg(sg_elf_inspect(obj, api, 1, f, &err) == 0, "%s", err.data);
    unlink(src);
    unlink(obj);
    rmdir(dir);
}

static void inspect(const char *source, struct sg_elf_findings *f)
{
    inspect_with(source, "", f);
}

/* source is accepted whichever of the n sets of compiler flags it is built with. */
static void expect_accepted(const char *source, const char *const *flag_sets, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct sg_elf_findings f;
        inspect_with(source, flag_sets[i], &f);
        ck_assert_msg(f.refused.len == 0, "with %s: %s", flag_sets[i], f.refused.data);
        sg_elf_findings_free(&f);
    }
}

/* Each of the n sources is refused, for a reason that says words. */
static void expect_refused(const char *const *sources, size_t n, const char *words)
{
    for (size_t i = 0; i < n; i++) {
        struct sg_elf_findings f;
        inspect(sources[i], &f);
        ck_assert_msg(f.refused.data != NULL && strstr(f.refused.data, words) != NULL,
                      "source %zu: %s", i, f.refused.data ? f.refused.data : "(accepted)");
        sg_elf_findings_free(&f);
    }
}

START_TEST(whatever_gcc_makes_of_c_is_fine)
{
    /* Every section gcc makes for a C file, with the options a student or
     * a kit might use: the list of allowed sections (sg_elf.c) must hold
     * them all, or a correct file would be refused. */
    const char *source =
        "#include <stdio.h>\n"
        "static __thread int per_thread;\n"
        "static int zeros[1000];\n"
        "static int ones[4] = { 1, 1, 1, 1 };\n"
        "static const char *const names[] = { \"a\", \"b\", \"c\" };\n"
        "__attribute__((cold)) static void rarely(void) { puts(\"rare\"); }\n"
        "int lab_fn(int x)\n{\n"
        "    switch (x) { case 0: return 3; case 1: return 7; case 2: return 9;\n"
        "                 case 3: return 1; case 4: return 5; default: break; }\n"
        "    if (x < -100) rarely();\n"
        "    char buf[64];\n"
        "    snprintf(buf, sizeof buf, \"%s %.3f\", names[x & 1], x * 1.5);\n"
        "    return buf[0] + zeros[x & 7] + ones[x & 3] + ++per_thread;\n}\n";
    const char *flag_sets[] = { "", "-O2 -g", "-O2 -g -fPIE -ffunction-sections -fdata-sections "
                                "-fstack-protector-strong", "-Og -g -fPIC" };
    expect_accepted(source, flag_sets, sizeof flag_sets / sizeof *flag_sets);
}
END_TEST

START_TEST(sections_the_linker_places_by_name_are_refused)
{
    /* A .rela.text.* of type PROGBITS became dynamic relocations of the
     * test program (an IRELATIVE ran in the judge); .interp changed its
     * loader; .stub went into .text unseen by the memory check. */
    const char *sources[] = {
        "__asm__(\".pushsection .rela.text.zz,\\\"a\\\",@progbits\\n.quad 0\\n.quad 37\\n"
        ".quad 0\\n.popsection\");\nint lab_fn(void) { return 0; }\n",
        "__asm__(\".pushsection .interp,\\\"a\\\",@progbits\\n.byte 65\\n.popsection\");\n"
        "int lab_fn(void) { return 0; }\n",
        "__attribute__((section(\".stub\"))) int lab_fn(void) { return 0; }\n",
    };
    expect_refused(sources, sizeof sources / sizeof *sources, "a C compiler does not make");
}
END_TEST

START_TEST(api_and_static_helpers_are_fine)
{
    struct sg_elf_findings f;
    inspect("static int helper(void) { return 1; }\nint lab_fn(void) { return helper(); }\n", &f);
    ck_assert_uint_eq(f.refused.len, 0);
    ck_assert_int_eq(f.nshadowed, 0);
    sg_elf_findings_free(&f);
}
END_TEST

START_TEST(global_helpers_and_libc_names_are_reported)
{
    struct sg_elf_findings f;
    inspect("#include <unistd.h>\nint counter;\nint fork(void) { return 0; }\n"
            "int lab_fn(void) { return fork() + counter; }\n",
            &f);
    ck_assert_uint_eq(f.refused.len, 0);
    ck_assert_int_eq(f.nshadowed, 2);
    ck_assert_ptr_nonnull(strstr(f.shadowed.data, "fork"));
    ck_assert_ptr_nonnull(strstr(f.shadowed.data, "counter"));
    sg_elf_findings_free(&f);
}
END_TEST

START_TEST(constructors_and_destructors_are_refused)
{
    struct sg_elf_findings f;
    inspect("__attribute__((constructor)) static void a(void) {}\n"
            "__attribute__((destructor)) static void b(void) {}\nint lab_fn(void) { return 0; }\n",
            &f);
    ck_assert_ptr_nonnull(strstr(f.refused.data, ".init_array"));
    ck_assert_ptr_nonnull(strstr(f.refused.data, ".fini_array"));
    sg_elf_findings_free(&f);
}
END_TEST

START_TEST(hand_placed_init_array_entries_are_refused)
{
    struct sg_elf_findings f;
    inspect("static void a(void) {}\n"
            "__attribute__((section(\".init_array.00042\"), used)) static void (*p)(void) = a;\n"
            "int lab_fn(void) { return 0; }\n",
            &f);
    ck_assert_ptr_nonnull(strstr(f.refused.data, "init_array"));
    sg_elf_findings_free(&f);
}
END_TEST

START_TEST(ifunc_resolvers_are_refused)
{
    struct sg_elf_findings f;
    inspect("static int impl(void) { return 0; }\n"
            "static int (*resolve(void))(void) { return impl; }\n"
            "int lab_fn(void) __attribute__((ifunc(\"resolve\")));\n",
            &f);
    ck_assert_ptr_nonnull(strstr(f.refused.data, "IFUNC"));
    sg_elf_findings_free(&f);
}
END_TEST

START_TEST(references_to_the_harness_are_refused)
{
    struct sg_elf_findings f;
    inspect("void sg_fail_at(void);\nvoid _ck_assert_failed(void);\n"
            "int lab_fn(void) { sg_fail_at(); _ck_assert_failed(); return 0; }\n",
            &f);
    ck_assert_ptr_nonnull(strstr(f.refused.data, "sg_fail_at"));
    ck_assert_ptr_nonnull(strstr(f.refused.data, "_ck_assert_failed"));
    sg_elf_findings_free(&f);
}
END_TEST

/* Check's internals without a prefix the grader knew, and the lab tests'
 * own helpers, are refused: only the C library may be called. */
START_TEST(references_outside_the_c_library_are_refused)
{
    ck_assert_int_eq(sg_elf_load_internal_names("build/kit/internal-names.txt"), 0);
    struct sg_elf_findings f;
    inspect("void set_fork_status(int);\nextern char error_jmp_buffer[];\n"
            "void eprintf(const char *, ...);\nchar *sb_map_checked(int, int, const char *);\n"
            "int lab_fn(void) { set_fork_status(0); eprintf(\"x\"); sb_map_checked(1, 0, \"\");\n"
            "    return error_jmp_buffer[0]; }\n",
            &f);
    const char *names[] = { "set_fork_status", "error_jmp_buffer", "eprintf", "sb_map_checked" };
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(f.refused.data != NULL && strstr(f.refused.data, names[i]) != NULL,
                      "%s was not refused: %s", names[i], f.refused.data);
    sg_elf_findings_free(&f);
}
END_TEST

/* What the C library, libm, the compiler's runtime and the linker define is fine. */
START_TEST(the_c_library_and_the_linkers_names_are_fine)
{
    ck_assert_int_eq(sg_elf_load_internal_names("build/kit/internal-names.txt"), 0);
    const char *source =
        "#include <math.h>\n#include <pthread.h>\n#include <semaphore.h>\n#include <stdlib.h>\n"
        "static void bye(void) { }\n"
        "#include <stdio.h>\n#include <sys/mman.h>\n#include <fcntl.h>\n#include <errno.h>\n"
        "extern char etext, edata, end;\n"
        "int lab_fn(unsigned long x, double d)\n{\n"
        "    static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;\n"
        "    pthread_mutex_lock(&m);\n"
        "    atexit(bye);\n    at_quick_exit(bye);\n    pthread_atfork(bye, bye, bye);\n"
        "    if (__builtin_cpu_supports(\"avx2\"))\n        x++;\n"
        "    sem_t *s = sem_open(\"/x\", O_CREAT, 0600, 1);\n"
        "    int fd = shm_open(\"/x\", O_RDWR, 0);\n"
        "    unsigned __int128 big = ((unsigned __int128)x << 70) / (x + 3);\n"
        "    printf(\"%p %p %p %f %d %d\", (void *)&etext, (void *)&edata, (void *)&end,\n"
        "           sqrt(d), __builtin_popcountl(x), errno);\n"
        "    pthread_mutex_unlock(&m);\n"
        "    return (int)big + fd + (s != NULL);\n}\n";
    const char *flag_sets[] = { "", "-O2 -fstack-protector-all -D_FORTIFY_SOURCE=2", "-fPIC" };
    expect_accepted(source, flag_sets, sizeof flag_sets / sizeof *flag_sets);
}
END_TEST

/* Bindings objcopy --keep-global-symbols leaves global, so they could replace the harness's. */
START_TEST(unique_and_common_symbols_are_refused)
{
    struct sg_elf_findings f;
    inspect("static int table[2];\n"
            "__asm__(\".globl tests\\n.type tests, @gnu_unique_object\\n.set tests, table\");\n"
            "__asm__(\".comm hidden, 64, 8\");\n"
            "int lab_fn(void) { return table[0]; }\n",
            &f);
    ck_assert_ptr_nonnull(strstr(f.refused.data, "tests is a unique symbol"));
    ck_assert_ptr_nonnull(strstr(f.refused.data, "hidden is a common symbol"));
    sg_elf_findings_free(&f);
}
END_TEST

/* Code the linker would take from elsewhere than the object's own symbol table. */
START_TEST(lto_and_comdat_sections_are_refused)
{
    struct sg_elf_findings f;
    inspect("__asm__(\".section .gnu.lto_.symtab.0,\\\"e\\\",@progbits\\n.byte 0\\n.text\");\n"
            "__asm__(\".section .text.g,\\\"axG\\\",@progbits,g,comdat\\nret\\n.text\");\n"
            "int lab_fn(void) { return 0; }\n",
            &f);
    ck_assert_ptr_nonnull(strstr(f.refused.data, "link-time optimisation"));
    ck_assert_ptr_nonnull(strstr(f.refused.data, "COMDAT group"));
    sg_elf_findings_free(&f);
}
END_TEST

/* Types are checked whatever the name: gas makes a symbol named "" on request. */
START_TEST(nameless_ifuncs_are_refused)
{
    struct sg_elf_findings f;
    inspect("static void *resolve(void) { return 0; }\n"
            "__asm__(\".text\\n\\\"\\\":\\n jmp resolve\\n"
            ".type \\\"\\\", @gnu_indirect_function\\n\");\n"
            "void *keep = (void *)resolve;\n"
            "int lab_fn(void) { return 0; }\n",
            &f);
    ck_assert_ptr_nonnull(strstr(f.refused.data, "nameless symbol is an IFUNC"));
    sg_elf_findings_free(&f);
}
END_TEST

/* Code goes in .text and its .N/.name kin; the linker would put it anywhere else among data. */
START_TEST(code_outside_text_is_refused)
{
    const char *sources[] = {
        "__attribute__((section(\".data.hide\"))) int lab_fn(void) { return 0; }\n",
        "__attribute__((section(\".rodata.hide\"))) int lab_fn(void) { return 0; }\n",
        "__asm__(\".section .bss.x,\\\"awx\\\",@nobits\\n.zero 16\\n.text\");\n"
        "int lab_fn(void) { return 0; }\n",
        "__asm__(\".section .tdata.x,\\\"awxT\\\",@progbits\\nret\\n.text\");\n"
        "int lab_fn(void) { return 0; }\n",
    };
    expect_refused(sources, sizeof sources / sizeof *sources,
                   "holds code but is not a .text section");
}
END_TEST

START_TEST(writable_code_is_refused)
{
    const char *source = "__asm__(\".section .text.w,\\\"awx\\\",@progbits\\nret\\n.text\");\n"
                         "int lab_fn(void) { return 0; }\n";
    expect_refused(&source, 1, ".text.w that holds code and is writable");
}
END_TEST

/* The memory check reads the linker's map a line per section, name first. */
START_TEST(section_names_with_spaces_or_newlines_are_refused)
{
    const char *sources[] = {
        "__asm__(\".section \\\".text.a b\\\",\\\"ax\\\",@progbits\\nret\\n.text\");\n"
        "int lab_fn(void) { return 0; }\n",
        "__asm__(\".section \\\".text.a\\\\n.comment 0x0 0x0\\\",\\\"ax\\\",@progbits\\nret\\n"
        ".text\");\nint lab_fn(void) { return 0; }\n",
    };
    expect_refused(sources, sizeof sources / sizeof *sources,
                   "with a space or a control character");
}
END_TEST

/* Where gcc itself puts code, and what else it flags executable, is fine. */
START_TEST(gccs_own_code_sections_are_fine)
{
    const char *source =
        "#include <stdio.h>\n"
        "__attribute__((cold)) static void rarely(int x) { printf(\"%d\\n\", x); }\n"
        "__attribute__((hot)) static int often(int x) { return x * 3; }\n"
        "static int apply(int (*g)(int), int x) { return g(x); }\n"
        "static const char message[] = \"done\";\n"
        "int lab_fn(int y)\n{\n"
        "    int add(int x) { return x + y; }\n"
        "    if (y < -100)\n        rarely(y);\n"
        "    puts(message);\n"
        "    return apply(add, often(y));\n}\n"
        "int main(void) { return lab_fn(1); }\n";
    const char *flag_sets[] = { "", "-O2", "-O2 -ffunction-sections -fdata-sections",
                                "-Os -freorder-blocks-and-partition" };
    expect_accepted(source, flag_sets, sizeof flag_sets / sizeof *flag_sets);
}
END_TEST

/* Each of these reaches a function the harness wraps (ld --wrap) without the wrapper. */
START_TEST(run_time_lookups_are_refused)
{
    const char *names[] = { "dlsym", "dlvsym", "dlopen", "dlmopen" };
    struct sg_elf_findings f;
    inspect("#define _GNU_SOURCE\n#include <dlfcn.h>\n"
            "int lab_fn(void)\n{\n"
            "    void *h = dlopen(\"libc.so.6\", RTLD_NOW);\n"
            "    void *g = dlmopen(LM_ID_NEWLM, \"libc.so.6\", RTLD_NOW);\n"
            "    void *k = dlvsym(h, \"kill\", \"GLIBC_2.2.5\");\n"
            "    return dlsym(RTLD_DEFAULT, \"sigprocmask\") != k && g;\n}\n",
            &f);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char want[64];
        snprintf(want, sizeof want, "refers to %s, which finds functions by name", names[i]);
        ck_assert_msg(f.refused.data != NULL && strstr(f.refused.data, want) != NULL,
                      "%s was not refused: %s", names[i], f.refused.data);
    }
    sg_elf_findings_free(&f);
}
END_TEST

START_TEST(versioned_references_are_refused)
{
    const char *source = "#include <signal.h>\n"
                         "int sp(int, const sigset_t *, sigset_t *);\n"
                         "__asm__(\".symver sp, sigprocmask@GLIBC_2.2.5\");\n"
                         "int lab_fn(void) { return sp(SIG_BLOCK, 0, 0); }\n";
    expect_refused(&source, 1, "sigprocmask@GLIBC_2.2.5, a version");
}
END_TEST

/* No way to a wrapped function: dladdr, dlerror, syscall(SYS_gettid) stay the student's. */
START_TEST(loader_queries_and_syscall_are_fine)
{
    ck_assert_int_eq(sg_elf_load_internal_names("build/kit/internal-names.txt"), 0);
    struct sg_elf_findings f;
    inspect("#define _GNU_SOURCE\n#include <dlfcn.h>\n#include <unistd.h>\n"
            "#include <sys/syscall.h>\n"
            "int lab_fn(void)\n{\n"
            "    Dl_info info;\n"
            "    if (dladdr((void *)lab_fn, &info) == 0 && dlerror() != NULL)\n"
            "        return -1;\n"
            "    return (int)syscall(SYS_gettid);\n}\n",
            &f);
    ck_assert_msg(f.refused.len == 0, "%s", f.refused.data);
    sg_elf_findings_free(&f);
}
END_TEST

START_TEST(garbage_is_not_an_object)
{
    char path[] = "/tmp/unit-elf-garbage.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ne(fd, -1);
    char junk[4096];
    memset(junk, 0x7f, sizeof junk);
    ck_assert_int_eq(write(fd, junk, sizeof junk), (int)sizeof junk);
    close(fd);
    struct sg_elf_findings f;
    struct sg_buf err = SG_BUF_INIT;
    ck_assert_int_eq(sg_elf_inspect(path, api, 1, &f, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.data, "not a 64-bit relocatable ELF object"));
    sg_buf_free(&err);
    unlink(path);
}
END_TEST

Suite *unit_elf_suite(void)
{
    Suite *s = suite_create("elf");
    TCase *tc = tcase_create("elf");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, api_and_static_helpers_are_fine);
    tcase_add_test(tc, whatever_gcc_makes_of_c_is_fine);
    tcase_add_test(tc, sections_the_linker_places_by_name_are_refused);
    tcase_add_test(tc, global_helpers_and_libc_names_are_reported);
    tcase_add_test(tc, constructors_and_destructors_are_refused);
    tcase_add_test(tc, hand_placed_init_array_entries_are_refused);
    tcase_add_test(tc, ifunc_resolvers_are_refused);
    tcase_add_test(tc, references_to_the_harness_are_refused);
    tcase_add_test(tc, references_outside_the_c_library_are_refused);
    tcase_add_test(tc, the_c_library_and_the_linkers_names_are_fine);
    tcase_add_test(tc, unique_and_common_symbols_are_refused);
    tcase_add_test(tc, lto_and_comdat_sections_are_refused);
    tcase_add_test(tc, nameless_ifuncs_are_refused);
    tcase_add_test(tc, code_outside_text_is_refused);
    tcase_add_test(tc, writable_code_is_refused);
    tcase_add_test(tc, section_names_with_spaces_or_newlines_are_refused);
    tcase_add_test(tc, gccs_own_code_sections_are_fine);
    tcase_add_test(tc, run_time_lookups_are_refused);
    tcase_add_test(tc, versioned_references_are_refused);
    tcase_add_test(tc, loader_queries_and_syscall_are_fine);
    tcase_add_test(tc, garbage_is_not_an_object);
    suite_add_tcase(s, tc);
    return s;
}
