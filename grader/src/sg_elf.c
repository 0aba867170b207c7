/* sg_elf.c — inspect a relocatable ELF64 object's sections and symbols; see sg_elf.h. */
#include "sg_elf.h"

#include "sg_text.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SG_ELF_MAX_SIZE (64u << 20)
/*
 * At most this much static code and data (.bss counted): a test program
 * with more cannot even be loaded under the sandbox's address-space
 * limit, nor valgrind's, and would fail every test with a misleading
 * signal, or make the memory check a grader error.
 */
#define SG_ELF_STATIC_MAX (128ull << 20)

/* Sections whose contents run before main() or after exit(). */
static const char *const sg_startup_sections[] = {
    ".init_array", ".fini_array", ".preinit_array", ".ctors", ".dtors",
};

/* Prefixes of the harness's and Check's symbols, and of the linker's
 * names around the harness's wrappers (--wrap): __real_fork is the C
 * library's fork behind the harness's back. */
static const char *const sg_internal_prefixes[] = {
    "sg_", "_ck_", "ck_", "srunner_", "tcase_", "suite_", "check_", "tr_", "__real_", "__wrap_",
};

/*
 * Names the linker defines, which C code may refer to (APUE prints etext,
 * edata and end to show where a program's segments lie).
 */
static const char *const sg_linker_names[] = {
    "etext", "edata", "end", "_etext", "_edata", "_end", "__etext", "__bss_start",
    "__executable_start", "__data_start", "data_start", "_GLOBAL_OFFSET_TABLE_",
};

/*
 * Whether name is the C library's (libc, libm, librt, libpthread, libdl,
 * the dynamic loader), the compiler runtime's (libgcc_s) or the linker's.
 * Asked only of a name that the test program defines too (below): a C
 * library function that Check's archive also carries stays the student's
 * to call. When libc itself cannot be opened here, every name is taken
 * for the C library's, and the prefixes alone decide.
 */
static bool sg_library_name(const char *name)
{
    static const char *const libs[] = { "libc.so.6", "libm.so.6", "librt.so.1",
                                        "libpthread.so.0", "libdl.so.2", "libgcc_s.so.1" };
    static void *lib[sizeof libs / sizeof *libs];
    static bool opened, usable;
    if (!opened) {
        opened = true;
        for (size_t i = 0; i < sizeof libs / sizeof *libs; i++)
            lib[i] = dlopen(libs[i], RTLD_LAZY | RTLD_LOCAL);
        usable = lib[0] != NULL;
    }
    if (!usable)
        return true;
    for (size_t i = 0; i < sizeof sg_linker_names / sizeof *sg_linker_names; i++)
        if (strcmp(name, sg_linker_names[i]) == 0)
            return true;
    for (size_t i = 0; i < sizeof libs / sizeof *libs; i++)
        if (lib[i] != NULL && dlsym(lib[i], name) != NULL)
            return true;
    return false;
}

/* The names the test program defines besides the C library (sg_elf.h), sorted. */
static char **sg_internal;
static size_t sg_ninternal;
static bool sg_internal_loaded;

static int sg_cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sg_elf_load_internal_names(const char *path)
{
    if (sg_internal_loaded)
        return 0;
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        char **grown = n > 0 ? realloc(sg_internal, (sg_ninternal + 1) * sizeof *grown) : NULL;
        char *copy = grown != NULL ? strdup(line) : NULL;
        if (grown != NULL)
            sg_internal = grown;
        if (copy != NULL)
            sg_internal[sg_ninternal++] = copy;
    }
    free(line);
    fclose(f);
    qsort(sg_internal, sg_ninternal, sizeof *sg_internal, sg_cmp_names);
    sg_internal_loaded = true;
    return 0;
}

static bool sg_internal_name(const char *name)
{
    return sg_ninternal > 0 &&
           bsearch(&name, sg_internal, sg_ninternal, sizeof *sg_internal, sg_cmp_names) != NULL;
}

/*
 * The preamble of valgrind's client requests (valgrind.h): four rotations
 * of one register by 64 bits in all, which change nothing on a real CPU
 * and tell valgrind that a request follows. Code that contains it can
 * tell valgrind to stop reporting, or ask whether it runs under valgrind
 * (RUNNING_ON_VALGRIND) and behave well only then.
 */
static const unsigned char sg_vg_preamble_amd64[] = {
    0x48, 0xc1, 0xc7, 0x03, 0x48, 0xc1, 0xc7, 0x0d, 0x48, 0xc1, 0xc7, 0x3d, 0x48, 0xc1, 0xc7, 0x33,
};
static const unsigned char sg_vg_preamble_arm64[] = {
    0x8c, 0x0d, 0xcc, 0x93, 0x8c, 0x35, 0xcc, 0x93, 0x8c, 0xcd, 0xcc, 0x93, 0x8c, 0xf5, 0xcc, 0x93,
};

static bool sg_contains(const unsigned char *data, size_t size, const unsigned char *what,
                        size_t n)
{
    return size >= n && memmem(data, size, what, n) != NULL;
}

/* Appends a name from the object, escaped: it may hold any byte. */
static void sg_put_name(struct sg_buf *b, const char *name)
{
    sg_escape(b, name, strlen(name), 200, 0);
}

/* At most this much of refusal text: an object can have thousands of names. */
#define SG_REFUSED_MAX 2048

static bool sg_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool sg_is_startup_section(const char *name)
{
    if (strcmp(name, ".init") == 0 || strcmp(name, ".fini") == 0)
        return true;
    for (size_t i = 0; i < sizeof sg_startup_sections / sizeof *sg_startup_sections; i++) {
        const char *p = sg_startup_sections[i];
        size_t n = strlen(p);
        if (strncmp(name, p, n) == 0 && (name[n] == '\0' || name[n] == '.'))
            return true;
    }
    /* .rela.init_array and friends describe the same tables. */
    if (sg_has_prefix(name, ".rela.") || sg_has_prefix(name, ".rel."))
        return sg_is_startup_section(strchr(name + 1, '.'));
    return false;
}

static const char *sg_strtab_at(const unsigned char *data, size_t size, const Elf64_Shdr *tab,
                                size_t off);

/* Not in every <elf.h>. */
#define SG_SHT_LLVM_ADDRSIG 0x6fff4c03

/* name is p, or p followed by '.' and more (.text.unlikely, .rodata.str1.1). */
static bool sg_is_or_under(const char *name, const char *p)
{
    size_t n = strlen(p);
    return strncmp(name, p, n) == 0 && (name[n] == '\0' || name[n] == '.');
}

/*
 * The sections gcc makes for a C file, by kind. The linker places an input
 * section by its name alone, whatever its type: a .rela.text.x of type
 * PROGBITS became part of the program's dynamic relocations, and an
 * IRELATIVE entry in it ran code in the judge before main (an attacker's
 * review: every test passed). So every section must be one of these, of
 * the type it should have; a relocation section must be a real one, named
 * for the section it applies to.
 */
static bool sg_section_allowed(const Elf64_Shdr *sh, size_t n, size_t i, const char *name,
                               const unsigned char *data, size_t size, const Elf64_Shdr *shstr)
{
    static const char *const code_and_data[] = { ".text", ".data", ".bss", ".rodata", ".tdata",
                                                 ".tbss", ".gcc_except_table" };
    switch (sh[i].sh_type) {
    case SHT_PROGBITS:
    case SHT_NOBITS:
        for (size_t k = 0; k < sizeof code_and_data / sizeof *code_and_data; k++)
            if (sg_is_or_under(name, code_and_data[k]))
                return true;
        return strcmp(name, ".comment") == 0 || strcmp(name, ".eh_frame") == 0 ||
               strcmp(name, ".note.GNU-stack") == 0 || sg_has_prefix(name, ".debug_");
    case SHT_X86_64_UNWIND:
        return strcmp(name, ".eh_frame") == 0;
    case SHT_NOTE:
        return strcmp(name, ".note.GNU-stack") == 0 || strcmp(name, ".note.gnu.property") == 0;
    case SG_SHT_LLVM_ADDRSIG: /* clang's list of address-taken symbols, for the linker alone */
        return strcmp(name, ".llvm_addrsig") == 0;
    case SHT_SYMTAB:
        return strcmp(name, ".symtab") == 0;
    case SHT_STRTAB:
        return strcmp(name, ".strtab") == 0 || strcmp(name, ".shstrtab") == 0;
    case SHT_RELA: {
        if (sh[i].sh_entsize != sizeof(Elf64_Rela) || sh[i].sh_info == 0 || sh[i].sh_info >= n ||
            sh[i].sh_info == i || !sg_has_prefix(name, ".rela"))
            return false;
        const Elf64_Shdr *target = &sh[sh[i].sh_info];
        const char *target_name = sg_strtab_at(data, size, shstr, target->sh_name);
        return target->sh_type != SHT_RELA && target_name != NULL &&
               strcmp(name + strlen(".rela"), target_name) == 0 &&
               sg_section_allowed(sh, n, sh[i].sh_info, target_name, data, size, shstr);
    }
    default:
        return false;
    }
}

/*
 * Whether a section's name is free of spaces and control characters, as
 * every name a compiler makes for C is (an identifier may hold UTF-8). The
 * memory check reads where the student's code lies from the linker's map,
 * a line per section, name first: a newline in a name could make up lines
 * of that map, a space could split one.
 */
static bool sg_plain_section_name(const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
        if (*p <= ' ' || *p == 0x7f)
            return false;
    return true;
}

/*
 * What is wrong with a section's flags, said to the student, or NULL. The
 * linker places a section by its name: an executable ".data.x" (gcc makes
 * one of __attribute__((section(".data.x"))) on a function) put code among
 * the program's data, where the memory check did not look for the
 * student's code (an attacker's review hid a leak and an over-read there).
 * A writable .text could rewrite itself into what the grader never saw in
 * the object (a valgrind client request). gcc's "x" on .note.GNU-stack,
 * for a nested function's trampoline, asks for an executable stack: it is
 * not loaded and holds no code.
 */
static const char *sg_section_flags_wrong(const char *name, uint64_t flags)
{
    bool text = sg_is_or_under(name, ".text");
    bool stack_note = strcmp(name, ".note.GNU-stack") == 0 && !(flags & SHF_ALLOC);
    if ((flags & SHF_EXECINSTR) && !text && !stack_note)
        return " that holds code but is not a .text section (__attribute__((section)) or "
               "assembler?): the linker would put that code among the program's data, where "
               "the grader does not expect any: not allowed\n";
    if ((flags & SHF_WRITE) && text)
        return " that holds code and is writable (assembler?): code that can rewrite itself "
               "could run what the grader did not see in the object: not allowed\n";
    return NULL;
}

static bool sg_in_api(const char *name, const char *const *api, size_t napi)
{
    for (size_t i = 0; i < napi; i++)
        if (strcmp(name, api[i]) == 0)
            return true;
    return false;
}

/*
 * The dynamic loader's ways to a function by its name at run time. The
 * harness wraps C library functions (ld --wrap: fork, kill, sigprocmask,
 * sem_post, ...) to watch what the lab's code does with them, and
 * dlsym(RTLD_DEFAULT, "sigprocmask") returns the C library's own, unseen
 * (an attacker's review passed lab 03's test of the signal mask so). A
 * library that dlopen or dlmopen loads (one the code wrote itself) calls
 * the C library directly, from its constructor even. dladdr, dlinfo,
 * dlerror and dlclose find nothing to call. The __libc_ names are older
 * glibcs' (before 2.34) private entry points to the same.
 */
static const char *const sg_loader_names[] = {
    "dlsym", "dlvsym", "dlopen", "dlmopen", "__libc_dlsym", "__libc_dlvsym", "__libc_dlopen_mode",
};

/* Why an undefined reference to name is refused, said after "it refers to NAME", or NULL. */
static const char *sg_reference_refused(const char *name, const char *const *api, size_t napi)
{
    for (size_t p = 0; p < sizeof sg_internal_prefixes / sizeof *sg_internal_prefixes; p++)
        if (sg_has_prefix(name, sg_internal_prefixes[p]))
            return ", which belongs to the grader or to Check\n";
    for (size_t p = 0; p < sizeof sg_loader_names / sizeof *sg_loader_names; p++)
        if (strcmp(name, sg_loader_names[p]) == 0)
            return ", which finds functions by name at run time: the grader watches the lab's "
                   "calls to the C library (fork, kill, sigprocmask, sem_post, ...), and a "
                   "function found that way would not be watched; no lab needs the dynamic "
                   "loader: not allowed\n";
    /* A version chosen by hand (.symver sp, sigprocmask@GLIBC_2.2.5) is
     * bound to the C library's own function, past ld --wrap as well. */
    if (strchr(name, '@') != NULL)
        return ", a version of a function chosen by hand (.symver): the grader watches the "
               "lab's calls to the C library by their plain names, and a call by version "
               "would not be watched: not allowed\n";
    if (sg_internal_name(name) && !sg_in_api(name, api, napi) && !sg_library_name(name))
        return ", which belongs to the tests (the harness, Check or the lab's tests): a lab "
               "file may call the C library and its own functions\n";
    return NULL;
}

static int sg_read_file(const char *path, unsigned char **data, size_t *size, struct sg_buf *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd == -1) {
        sg_buf_printf(err, "open %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == -1 || st.st_size < (off_t)sizeof(Elf64_Ehdr) ||
        (size_t)st.st_size > SG_ELF_MAX_SIZE) {
        sg_buf_printf(err, "the object file is empty or larger than %u MiB", SG_ELF_MAX_SIZE >> 20);
        close(fd);
        return -1;
    }
    *size = (size_t)st.st_size;
    *data = malloc(*size);
    size_t got = 0;
    while (*data != NULL && got < *size) {
        ssize_t n = read(fd, *data + got, *size - got);
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (*data == NULL || got != *size) {
        sg_buf_printf(err, "read %s: %s", path, *data ? "short read" : strerror(ENOMEM));
        free(*data);
        return -1;
    }
    return 0;
}

/* The NUL-terminated string at off in a string table, or NULL if out of bounds. */
static const char *sg_strtab_at(const unsigned char *data, size_t size, const Elf64_Shdr *tab,
                                size_t off)
{
    if (tab->sh_offset > size || tab->sh_size > size - tab->sh_offset || off >= tab->sh_size)
        return NULL;
    const char *s = (const char *)data + tab->sh_offset + off;
    if (memchr(s, '\0', tab->sh_size - off) == NULL)
        return NULL;
    return s;
}

int sg_elf_inspect(const char *path, const char *const *api, size_t napi,
                   struct sg_elf_findings *f, struct sg_buf *err)
{
    unsigned char *data;
    size_t size;
    memset(f, 0, sizeof *f);
    if (sg_read_file(path, &data, &size, err) == -1)
        return -1;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_type != ET_REL || eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > size ||
        (size_t)eh->e_shnum > (size - eh->e_shoff) / sizeof(Elf64_Shdr) ||
        eh->e_shstrndx >= eh->e_shnum) {
        sg_buf_printf(err, "%s: not a 64-bit relocatable ELF object", path);
        free(data);
        return -1;
    }
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(data + eh->e_shoff);
    const Elf64_Shdr *shstr = &sh[eh->e_shstrndx];

    if (sg_contains(data, size, sg_vg_preamble_amd64, sizeof sg_vg_preamble_amd64) ||
        sg_contains(data, size, sg_vg_preamble_arm64, sizeof sg_vg_preamble_arm64))
        sg_buf_puts(&f->refused, "it contains valgrind client requests (valgrind.h, "
                                 "RUNNING_ON_VALGRIND): code under test may not talk to the "
                                 "memory checker\n");

    /* An IRELATIVE relocation calls a resolver before main() too. */
    for (size_t i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_RELA || sh[i].sh_entsize != sizeof(Elf64_Rela) ||
            sh[i].sh_offset > size || sh[i].sh_size > size - sh[i].sh_offset)
            continue;
        const Elf64_Rela *rel = (const Elf64_Rela *)(data + sh[i].sh_offset);
        for (size_t k = 0; k < sh[i].sh_size / sizeof *rel; k++)
            if (ELF64_R_TYPE(rel[k].r_info) == R_X86_64_IRELATIVE &&
                eh->e_machine == EM_X86_64 && f->refused.len < SG_REFUSED_MAX) {
                sg_buf_puts(&f->refused, "it has an IRELATIVE relocation, whose resolver runs "
                                         "before main(): not allowed\n");
                break;
            }
    }

    unsigned long long loaded = 0;
    for (size_t i = 0; i < eh->e_shnum; i++)
        if ((sh[i].sh_flags & SHF_ALLOC) && loaded <= SG_ELF_STATIC_MAX)
            loaded += sh[i].sh_size;
    if (loaded > SG_ELF_STATIC_MAX)
        sg_buf_printf(&f->refused, "its static data and code (a global or static array?) are "
                                   "larger than %llu MiB, more than a test program may load\n",
                      SG_ELF_STATIC_MAX >> 20);

    for (size_t i = 0; i < eh->e_shnum; i++) {
        const char *name = sg_strtab_at(data, size, shstr, sh[i].sh_name);
        if (name == NULL) {
            if (f->refused.len < SG_REFUSED_MAX)
                sg_buf_puts(&f->refused, "it has a section without a readable name, which no "
                                         "compiler makes: not allowed\n");
            continue;
        }
        /*
         * Link-time-optimisation IR (.gnu.lto_*) carries a symbol table of
         * its own, which objcopy does not localise: the linker plugin would
         * make its helpers global again. A COMDAT group replaces a group of
         * the same name later on the link line. The labs' C makes neither.
         */
        if ((sg_has_prefix(name, ".gnu.lto_") || sg_has_prefix(name, ".gnu.lto.") ||
             sh[i].sh_type == SHT_GROUP) &&
            f->refused.len < SG_REFUSED_MAX) {
            sg_buf_puts(&f->refused, "it has a ");
            sg_put_name(&f->refused, name);
            sg_buf_puts(&f->refused, sh[i].sh_type == SHT_GROUP
                                         ? " section (a COMDAT group), which could replace the "
                                           "grader's code: not allowed\n"
                                         : " section (link-time optimisation code), which the "
                                           "grader cannot inspect: not allowed\n");
        }
        bool startup = sg_is_startup_section(name) || sh[i].sh_type == SHT_INIT_ARRAY ||
                       sh[i].sh_type == SHT_FINI_ARRAY || sh[i].sh_type == SHT_PREINIT_ARRAY;
        if (startup && f->refused.len < SG_REFUSED_MAX) {
            sg_buf_puts(&f->refused, "it has a ");
            sg_put_name(&f->refused, name);
            sg_buf_puts(&f->refused, " section: code that runs before main() or after exit() "
                                     "(__attribute__((constructor)) or destructor) is not "
                                     "allowed\n");
        }
        if (i == 0 || startup || sh[i].sh_type == SHT_GROUP || sg_has_prefix(name, ".gnu.lto") ||
            f->refused.len >= SG_REFUSED_MAX)
            continue;
        const char *flags_wrong = sg_section_flags_wrong(name, sh[i].sh_flags);
        if (!sg_section_allowed(sh, eh->e_shnum, i, name, data, size, shstr)) {
            sg_buf_puts(&f->refused, "it has a section ");
            sg_put_name(&f->refused, name);
            sg_buf_printf(&f->refused, " (type %u) that a C compiler does not make for a lab "
                                       "file (__attribute__((section)) or assembler?): the "
                                       "linker places sections by name, and this one could "
                                       "run code in the grader: not allowed\n",
                          (unsigned)sh[i].sh_type);
        } else if (flags_wrong != NULL) {
            sg_buf_puts(&f->refused, "it has a section ");
            sg_put_name(&f->refused, name);
            sg_buf_puts(&f->refused, flags_wrong);
        } else if (!sg_plain_section_name(name)) {
            sg_buf_puts(&f->refused, "it has a section named ");
            sg_put_name(&f->refused, name);
            sg_buf_puts(&f->refused, ", with a space or a control character, which no "
                                     "compiler makes for C: the grader finds the student's "
                                     "code by such names in the linker's map: not allowed\n");
        }
    }

    for (size_t i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum ||
            sh[i].sh_entsize != sizeof(Elf64_Sym) || sh[i].sh_offset > size ||
            sh[i].sh_size > size - sh[i].sh_offset)
            continue;
        const Elf64_Shdr *strtab = &sh[sh[i].sh_link];
        const Elf64_Sym *syms = (const Elf64_Sym *)(data + sh[i].sh_offset);
        size_t nsyms = sh[i].sh_size / sizeof(Elf64_Sym);
        for (size_t k = 1; k < nsyms; k++) {
            const char *name = sg_strtab_at(data, size, strtab, syms[k].st_name);
            unsigned bind = ELF64_ST_BIND(syms[k].st_info);
            unsigned type = ELF64_ST_TYPE(syms[k].st_info);
            bool room = f->refused.len < SG_REFUSED_MAX;
            /* Before any name is looked at: an IFUNC with an empty name
             * (gas accepts `"":`) ran its resolver in the judge, before main. */
            if (type == STT_GNU_IFUNC && room) {
                bool named = name != NULL && *name != '\0';
                sg_put_name(&f->refused, named ? name : "a nameless symbol");
                sg_buf_puts(&f->refused, " is an IFUNC, whose resolver runs before main(): not "
                                         "allowed\n");
                continue;
            }
            if (name == NULL || *name == '\0') {
                /* Only a section's or a file's symbol has no name of its own. */
                if (type != STT_SECTION && type != STT_FILE && room)
                    sg_buf_puts(&f->refused, "it has a symbol without a readable name, which no "
                                             "compiler makes: not allowed\n");
                continue;
            }
            if (syms[k].st_shndx == SHN_UNDEF) {
                const char *why = sg_reference_refused(name, api, napi);
                if (why != NULL && room) {
                    sg_buf_puts(&f->refused, "it refers to ");
                    sg_put_name(&f->refused, name);
                    sg_buf_puts(&f->refused, why);
                }
                continue;
            }
            if (bind == STB_LOCAL || type == STT_FILE || type == STT_SECTION)
                continue;
            /*
             * objcopy --keep-global-symbols makes GLOBAL and WEAK symbols
             * local, but leaves a GNU_UNIQUE symbol (.type x,
             * @gnu_unique_object) and a common one (.comm) global: either
             * could then replace the harness's test table or a libc
             * function it calls. No C the labs need makes them.
             */
            if ((bind != STB_GLOBAL && bind != STB_WEAK) && room) {
                sg_put_name(&f->refused, name);
                sg_buf_puts(&f->refused, bind == STB_GNU_UNIQUE
                                             ? " is a unique symbol (@gnu_unique_object), which "
                                               "could replace the grader's own: not allowed\n"
                                             : " has a binding the grader cannot make local: "
                                               "not allowed\n");
                continue;
            }
            if (syms[k].st_shndx == SHN_COMMON && room) {
                sg_put_name(&f->refused, name);
                sg_buf_puts(&f->refused, " is a common symbol (.comm), which could replace the "
                                         "grader's own: not allowed\n");
                continue;
            }
            if (!sg_in_api(name, api, napi)) {
                if (f->shadowed.len < SG_REFUSED_MAX) {
                    if (f->nshadowed)
                        sg_buf_puts(&f->shadowed, " ");
                    sg_put_name(&f->shadowed, name);
                } else if (f->shadowed.data[f->shadowed.len - 1] != '.') {
                    sg_buf_puts(&f->shadowed, " ...");
                }
                f->nshadowed++;
            }
        }
    }
    free(data);
    return 0;
}

void sg_elf_findings_free(struct sg_elf_findings *f)
{
    sg_buf_free(&f->refused);
    sg_buf_free(&f->shadowed);
}
