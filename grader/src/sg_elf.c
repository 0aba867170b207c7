/* sg_elf.c — inspect a relocatable ELF64 object's sections and symbols; see sg_elf.h. */
#include "sg_elf.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SG_ELF_MAX_SIZE (64u << 20)

/* Sections whose contents run before main() or after exit(). */
static const char *const sg_startup_sections[] = {
    ".init_array", ".fini_array", ".preinit_array", ".ctors", ".dtors",
};

/* Prefixes of the harness's and Check's symbols. */
static const char *const sg_internal_prefixes[] = {
    "sg_", "_ck_", "ck_", "srunner_", "tcase_", "suite_", "check_", "tr_",
};

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

static bool sg_in_api(const char *name, const char *const *api, size_t napi)
{
    for (size_t i = 0; i < napi; i++)
        if (strcmp(name, api[i]) == 0)
            return true;
    return false;
}

static int sg_read_file(const char *path, unsigned char **data, size_t *size, struct sg_buf *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        sg_buf_printf(err, "open %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == -1 || st.st_size < (off_t)sizeof(Elf64_Ehdr) ||
        (size_t)st.st_size > SG_ELF_MAX_SIZE) {
        sg_buf_printf(err, "%s: not an object file of a size the grader accepts", path);
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

    for (size_t i = 0; i < eh->e_shnum; i++) {
        const char *name = sg_strtab_at(data, size, shstr, sh[i].sh_name);
        if (name == NULL)
            continue;
        if (sg_is_startup_section(name) || sh[i].sh_type == SHT_INIT_ARRAY ||
            sh[i].sh_type == SHT_FINI_ARRAY || sh[i].sh_type == SHT_PREINIT_ARRAY)
            sg_buf_printf(&f->refused,
                          "it has a %s section: code that runs before main() or after exit() "
                          "(__attribute__((constructor)) or destructor) is not allowed\n",
                          name);
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
            if (name == NULL || *name == '\0')
                continue;
            if (type == STT_GNU_IFUNC)
                sg_buf_printf(&f->refused,
                              "%s is an IFUNC, whose resolver runs before main(): not allowed\n",
                              name);
            if (syms[k].st_shndx == SHN_UNDEF) {
                for (size_t p = 0; p < sizeof sg_internal_prefixes / sizeof *sg_internal_prefixes;
                     p++)
                    if (sg_has_prefix(name, sg_internal_prefixes[p]))
                        sg_buf_printf(&f->refused,
                                      "it refers to %s, which belongs to the grader or to Check\n",
                                      name);
                continue;
            }
            if (bind == STB_LOCAL || type == STT_FILE || type == STT_SECTION)
                continue;
            if (!sg_in_api(name, api, napi)) {
                sg_buf_printf(&f->shadowed, "%s%s", f->nshadowed ? " " : "", name);
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
