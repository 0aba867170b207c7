/*
 * sg_spawn.h — run one untrusted command to completion, in bounded time and
 * bounded memory for its output, and leave nothing of it running.
 *
 * The command gets a fixed environment, stdin from /dev/null (or a file), stdout and
 * stderr merged into one capture, and optionally a result pipe as fd 3. Its
 * output is kept up to a cap and the rest drained and counted, so a flood
 * never blocks the writer nor fills the grader's memory. After it ends, or
 * is killed at the deadline, every process it left behind is killed too:
 * its process group, and any descendant that escaped the group (setsid) and
 * was re-parented to the grader, which is a child subreaper for this.
 */
#ifndef SG_SPAWN_H
#define SG_SPAWN_H

#include <stdbool.h>
#include <stddef.h>

#include "sg_sandbox.h"

struct sg_spawn_opts {
    const char *const *argv;
    const char *const *envp;    /* the whole environment the command sees */
    const char *cwd;            /* NULL: the grader's */
    int timeout_ms;             /* wall time; the process group is killed after it */
    size_t output_cap;          /* bytes of stdout+stderr kept */
    bool result_pipe;           /* give the command fd 3, a pipe to report on */
    bool isolate;               /* its own IPC namespace (see sg_isolate.h) */
    /* When set: run in the sandbox, seeing readonly and writing rundir. */
    const struct sg_sandbox *sandbox;
    const char *readonly;
    const char *rundir;
    const char *stdin_path;     /* standard input from this file; NULL: /dev/null */
    bool big_address_space;     /* no address-space limit (valgrind reserves a lot) */
};

struct sg_spawn_result {
    int status;                 /* as from waitpid */
    bool timed_out;
    char *output;               /* NUL-terminated, at most output_cap bytes (malloc'ed) */
    size_t output_len;
    size_t output_total;        /* everything written, kept or not */
    bool isolated;              /* it ran in its own IPC namespace */
    const char *setup_failed;   /* when sg_spawn failed in the child: the step */
    int ipc_removed;            /* segments it left, removed by the fallback clean-up */
    char *result;               /* what came through fd 3 (malloc'ed), or NULL */
    size_t result_len;
    double seconds;
};

/* Makes the calling process a subreaper for orphans of what it spawns. 0 or -1. */
int sg_spawn_init(void);

/*
 * 0 when the command was run (whatever its status); -1 with errno if it
 * could not be, with r->setup_failed naming the step when the child got
 * that far (else NULL).
 */
int sg_spawn(const struct sg_spawn_opts *o, struct sg_spawn_result *r);
void sg_spawn_result_free(struct sg_spawn_result *r);

/* Kills and reaps every child of the calling process; returns how many there were. */
int sg_kill_orphans(void);

#endif
