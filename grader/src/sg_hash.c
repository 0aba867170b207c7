/* sg_hash.c — FNV-1a over bytes and files; see sg_hash.h. */
#include "sg_hash.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

uint64_t sg_hash_bytes(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

uint64_t sg_hash_str(uint64_t h, const char *s)
{
    return sg_hash_bytes(h, s, strlen(s) + 1); /* the NUL separates fields */
}

uint64_t sg_hash_fd(uint64_t h, int fd)
{
    char chunk[65536];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        h = sg_hash_bytes(h, chunk, (size_t)n);
    return h;
}

uint64_t sg_hash_file(uint64_t h, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return sg_hash_str(h, "(missing)");
    h = sg_hash_fd(h, fd);
    close(fd);
    return h;
}
