/*
 * sg_hash.h — a 64-bit FNV-1a fingerprint of bytes and files, to notice
 * that a submission or the kit changed since the last batch run. Not for
 * security: nobody gains by forcing a collision with their own old files.
 */
#ifndef SG_HASH_H
#define SG_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SG_HASH_INIT UINT64_C(0xcbf29ce484222325)

uint64_t sg_hash_bytes(uint64_t h, const void *data, size_t n);
uint64_t sg_hash_str(uint64_t h, const char *s);
/* Mixes in what is left to read in fd. */
uint64_t sg_hash_fd(uint64_t h, int fd);
/* Mixes in a file's content; a missing file mixes in its absence. */
uint64_t sg_hash_file(uint64_t h, const char *path);

#endif
