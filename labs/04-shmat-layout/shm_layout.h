/*
 * shm_layout.h — lab 04: where an XSI shared memory segment lands.
 *
 * APUE's figure 15.31: a process prints the addresses of a static array
 * (bss), a local variable (stack), a malloc'ed block (heap) and an
 * attached System V shared memory segment, to see where the kernel put the
 * segment among them.
 */
#ifndef SHM_LAYOUT_H
#define SHM_LAYOUT_H

#include <stdio.h>

#define SL_ARRAY_SIZE 40000
#define SL_MALLOC_SIZE 100000
#define SL_SHM_SIZE 100000
#define SL_SHM_MODE 0600

struct sl_layout {
    char *array_lo, *array_hi;   /* a static array of SL_ARRAY_SIZE bytes (bss): &a[0], &a[SIZE] */
    char *stack;                 /* the address of a local variable of sl_probe */
    char *malloc_lo, *malloc_hi; /* malloc(SL_MALLOC_SIZE): the block and one past its end */
    char *shm_lo, *shm_hi;       /* the attached segment, SL_SHM_SIZE bytes */
    int shmid;
};

/*
 * Fills *l: the segment is shmget(IPC_PRIVATE, SL_SHM_SIZE, SL_SHM_MODE),
 * attached with shmat(id, 0, 0). Returns 0, or -1 with errno set and
 * nothing left behind: no segment, no block, no attachment.
 */
int sl_probe(struct sl_layout *l);

/*
 * Prints the book's four lines, addresses with %lx:
 *   array[] from A to B
 *   stack around S
 *   malloced from A to B
 *   shared memory attached from A to B
 */
void sl_print(const struct sl_layout *l, FILE *out);

/*
 * Detaches the segment, makes sure it is removed (IPC_RMID, unless
 * sl_probe already asked for that), frees the block: each step, even when
 * one before it failed. 0, or -1 with errno set. After it, no segment of
 * ours exists.
 */
int sl_release(struct sl_layout *l);

#endif
