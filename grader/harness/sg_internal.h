/* sg_internal.h — what the harness's own files share, not the tests. */
#ifndef SG_INTERNAL_H
#define SG_INTERNAL_H

#include "sg_text.h"

#include <stdbool.h>
#include <sys/types.h>

/* Starts counting failed forks and mallocs of the test's processes. 0 or -1. */
int sg_limits_watch(void);

/* Appends a note on the limits the test ran into, if any, to an observation. */
void sg_limits_explain(struct sg_buf *msg);

/* Names the judge, whose own failed calls are then noted (sg_limits.c). */
void sg_limits_judge(pid_t judge);
/* Whether the caller is the judge; what its last timer_create did (sg_timer.c). */
bool sg_limits_in_judge(void);
void sg_limits_judge_timer(bool failed);
/* In the judge, once Check gave up: its own call that failed, or NULL. */
const char *sg_limits_judge_failure(void);

#endif
