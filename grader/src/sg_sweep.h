/*
 * sg_sweep.h — remove what a sandbox's own user left on the machine.
 *
 * Without namespaces (a container that refuses them), a test shares the
 * machine's System V IPC, /dev/shm, POSIX message queues, /tmp and
 * /var/tmp with every later test, and the fallback's clean-up (sg_isolate.h)
 * knows only the segments whose creator died and the names that carry the
 * test's tag. A test that filled /dev/shm or took every segment id left the
 * next student's correct lab 04 and 05 failing "No space left on device"
 * (an attacker's review: 65 points lost). A root grader gives each
 * submission a uid that nothing else on the machine has (sg_sandbox.c):
 * every object that uid owns or created, and every entry of those folders
 * it owns, is the submission's, and goes once its test has ended.
 */
#ifndef SG_SWEEP_H
#define SG_SWEEP_H

#include <sys/types.h>

/*
 * Removes every System V segment, semaphore set and message queue that uid
 * owns or created, and every entry of /dev/shm, /dev/mqueue, /tmp,
 * /var/tmp and /run/lock that uid owns, also in their folders that
 * everyone may write (a folder with all it holds; links are removed,
 * never followed), in a child that is uid and gid (nothing, if it cannot
 * become them). Only for a uid of the submission's own (sg_sandbox_own_uid),
 * once none of its processes is left: not while another test of the same
 * submission runs. How many were removed (at most 254), or -1 if a table
 * or folder could not be read.
 */
int sg_sweep_uid(uid_t uid, gid_t gid);

#endif
