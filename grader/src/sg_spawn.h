/*
 * sg_spawn.h — run one untrusted command to completion, in bounded time and
 * bounded memory for its output, and leave nothing of it running.
 *
 * The command gets a fixed environment, stdin from /dev/null (or a file), stdout and
 * stderr merged into one capture, and optionally a result pipe as fd 3; in
 * a sandbox, sg_enter also gets fd 4 to say the sandbox is ready. Its
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

/* What a sandbox's set-up may take beyond the command's own time limit,
 * which counts from the command's start inside (a loaded machine took
 * 5.5 s to set one up). */
#define SG_SANDBOX_SETUP_MS 10000

struct sg_spawn_opts {
    const char *const *argv;
    const char *const *envp;    /* the whole environment the command sees */
    const char *cwd;            /* without a sandbox: its working folder; NULL: the grader's */
    int timeout_ms;             /* wall time, from the command's start in a sandbox (not its
                                 * set-up); the process group is killed after it */
    int cpu_limit_s;            /* RLIMIT_CPU of each process; 0: the wall time + 2 s */
    size_t output_cap;          /* bytes of stdout+stderr kept */
    bool result_pipe;           /* give the command fd 3, a pipe to report on */
    bool isolate;               /* its own IPC namespace (see sg_isolate.h) */
    /* When set: run in the sandbox, through sg_enter, seeing mounts. */
    const struct sg_sandbox *sandbox;
    const struct sg_mounts *mounts;
    int nproc;                  /* the sandbox's process budget; 0: the default */
    const struct sg_watch_limits *watch; /* CPU and stuck limits (sg_enter), or NULL */
    const char *stdin_path;     /* standard input from this file; NULL: /dev/null */
    bool big_address_space;     /* no address-space limit (valgrind reserves a lot) */
    /* A writable folder of the grader's disk that the command may fill: it
     * is stopped (dir_overflow) once the folder holds more than these. */
    const char *capped_dir;
    unsigned long long dir_cap_bytes;
    size_t dir_cap_entries;
    /* And stopped (disk_dropped) when the free space of capped_dir's file
     * system falls by more than this while it runs: a file written there
     * and unlinked while still open is in no folder's count. 0: not looked at. */
    unsigned long long disk_drop_cap;
    /* And when it falls under this, having been above it at the start: a
     * disk with little room is filled by less than disk_drop_cap. 0: not looked at. */
    unsigned long long disk_floor;
};

struct sg_spawn_result {
    int status;                 /* as from waitpid */
    bool timed_out;
    char *output;               /* NUL-terminated, at most output_cap bytes (malloc'ed) */
    size_t output_len;
    size_t output_total;        /* everything written, kept or not */
    bool isolated;              /* it ran in its own IPC namespace */
    const char *setup_failed;   /* when the command could not be started: the step */
    int ipc_removed;            /* segments it left, removed by the fallback clean-up */
    char *result;               /* what came through fd 3 (malloc'ed), or NULL */
    size_t result_len;
    double seconds;
    /* CPU time of the command and of every descendant that was waited for
     * (in a sandbox: all of them, reaped by its init), user and system. */
    double cpu_seconds;
    char limit_hit;             /* 'c': the CPU limit, 's': stuck (sg_enter stopped it); 0 */
    char *stuck_detail;         /* for 's': what each process slept in (escaped), or NULL */
    bool dir_overflow;          /* capped_dir grew past its cap, and the command was stopped */
    bool disk_dropped;          /* the disk's free space fell past disk_drop_cap: stopped */
    unsigned long long space_at_start, space_lowest; /* capped_dir's disk's free space */
};

/* Makes the calling process a subreaper for orphans of what it spawns. 0 or -1. */
int sg_spawn_init(void);

/*
 * Makes the calling process, a child of parent's, die when parent does,
 * however parent ends (kill -9 included, which leaves no guard to clean
 * up). 0, or -1 with errno (ESRCH: parent is already gone).
 */
int sg_spawn_die_with(pid_t parent);

/*
 * 0 when the command was run (whatever its status); -1 with errno if it
 * could not be started, with r->setup_failed naming the step when the
 * child got that far (else NULL). In a sandbox, "started" means that
 * sg_enter reported it was about to run the command: a sandbox that could
 * not be set up (bubblewrap refused, a fork failed on the way in) is a
 * failure to start, never the command's doing, and r->output then holds
 * what bubblewrap said. Call sg_spawn_result_free either way.
 */
int sg_spawn(const struct sg_spawn_opts *o, struct sg_spawn_result *r);
void sg_spawn_result_free(struct sg_spawn_result *r);

/* Kills and reaps every child of the calling process; returns how many there were. */
int sg_kill_orphans(void);

#endif
