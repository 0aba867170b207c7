/* sl_testlib.h — checks that lab 04's public and hidden tests share. */
#ifndef SL_TESTLIB_H
#define SL_TESTLIB_H

#include "shm_layout.h"
#include "sg_stub.h"

#include <stdbool.h>
#include <sys/types.h>

/* sl_probe(l) succeeds, or the test fails saying why. */
void sl_probe_checked(struct sl_layout *l);

/* Segments on the system whose creator is pid (from /proc/sysvipc/shm); -1 on error. */
int sl_segments_created_by(pid_t pid);

/* Of those, the ones already marked for removal (SHM_DEST), which stay only
 * while something is attached; -1 on error. */
int sl_segments_marked_of(pid_t pid);

/* Bytes malloc has handed out and not taken back (mallinfo2). */
size_t sl_heap_in_use(void);

/* Requires addr to lie in a mapping whose name is name ("[stack]", "[heap]"). */
void sl_require_in_mapping(const char *addr, const char *name, const char *what,
                           const char *hint);

/* Requires a normal sl_probe to work, and undoes it with the test's own calls. */
void sl_probe_once(void);

/*
 * Requires everything of l to be gone: segment, attachment, and nothing of
 * ours left. l is a copy taken before sl_release, which may clear the original.
 */
void sl_require_released(const struct sl_layout *l, int segments_before);

/* The hint for a call that still sets the skeleton's ENOSYS. */
#define SL_NOT_WRITTEN(fn) SG_NOT_WRITTEN(fn)

#endif
