/*
 * sg_slots.h — how many tests run at once on this machine, whoever starts
 * them.
 *
 * A batch grades several students at once, and each student's tests run
 * several at once; the slots bound the total, so that no test waits for a
 * core long enough to be thought hung, however many students are in
 * flight. A slot is a byte of a shared file, held with an open-file-
 * description lock (F_OFD_SETLK): the kernel releases it when its holder
 * ends, however it ends, so a slot can never leak.
 */
#ifndef SG_SLOTS_H
#define SG_SLOTS_H

struct sg_slots {
    char *path;    /* the shared file, one byte per slot */
    int count;
};

/* Makes the shared file for count slots in dir. 0, or -1 with errno. */
int sg_slots_create(struct sg_slots *s, const char *dir, int count);
/* Removes the file (the creator, at the end). */
void sg_slots_destroy(struct sg_slots *s);

/*
 * Waits for a free slot; returns a descriptor that holds it (close it to
 * give the slot back, or end the process), or -1 with errno.
 */
int sg_slot_take(const struct sg_slots *s);

#endif
