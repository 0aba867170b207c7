/*
 * shm_layout.c — lab 04, reference solution.
 */
#include "shm_layout.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/shm.h>

/* Uninitialised, so it lives in bss: zero-filled at exec, no room in the file. */
static char sl_array[SL_ARRAY_SIZE];

int sl_probe(struct sl_layout *l)
{
    /* A local variable: its address is somewhere in the stack. It is only
     * recorded for printing, never used once sl_probe has returned. */
    char here = 0;
    char *block = malloc(SL_MALLOC_SIZE);
    if (block == NULL)
        return -1;
    int id = shmget(IPC_PRIVATE, SL_SHM_SIZE, SL_SHM_MODE);
    if (id == -1) {
        int saved = errno;
        free(block);
        errno = saved;
        return -1;
    }
    /* Let the kernel choose the address (0): it knows where the free gaps
     * in the address space are, and no fixed address is free everywhere. */
    char *shm = shmat(id, NULL, 0);
    if (shm == (void *)-1) {
        int saved = errno;
        shmctl(id, IPC_RMID, NULL);
        free(block);
        errno = saved;
        return -1;
    }
    /* Remove it now, while attached: the kernel only marks it, and destroys
     * it at the last detach. From here on, whatever happens to this process
     * (sl_release never called, a crash, a kill -9), the segment cannot
     * outlive it, which a segment with no IPC_RMID otherwise does until
     * someone runs ipcrm. */
    if (shmctl(id, IPC_RMID, NULL) == -1) {
        int saved = errno;
        shmdt(shm);
        free(block);
        errno = saved;
        return -1;
    }
    l->array_lo = &sl_array[0];
    l->array_hi = &sl_array[SL_ARRAY_SIZE];
    l->stack = &here;
    l->malloc_lo = block;
    l->malloc_hi = block + SL_MALLOC_SIZE;
    l->shm_lo = shm;
    l->shm_hi = shm + SL_SHM_SIZE;
    l->shmid = id;
    return 0;
}

void sl_print(const struct sl_layout *l, FILE *out)
{
    fprintf(out, "array[] from %lx to %lx\n", (unsigned long)l->array_lo,
            (unsigned long)l->array_hi);
    fprintf(out, "stack around %lx\n", (unsigned long)l->stack);
    fprintf(out, "malloced from %lx to %lx\n", (unsigned long)l->malloc_lo,
            (unsigned long)l->malloc_hi);
    fprintf(out, "shared memory attached from %lx to %lx\n", (unsigned long)l->shm_lo,
            (unsigned long)l->shm_hi);
}

int sl_release(struct sl_layout *l)
{
    int rc = 0;
    /* sl_probe already marked the segment for removal: detaching it, the
     * last attachment, destroys it. */
    if (shmdt(l->shm_lo) == -1)
        rc = -1;
    free(l->malloc_lo);
    l->shm_lo = l->shm_hi = l->malloc_lo = l->malloc_hi = NULL;
    return rc;
}
