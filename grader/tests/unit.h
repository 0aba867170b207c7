/* unit.h — the grader's unit test suites (run by `make test`). */
#ifndef UNIT_H
#define UNIT_H

#include <check.h>
#include <stdbool.h>
#include <sys/types.h>

Suite *unit_text_suite(void);
Suite *unit_spawn_suite(void);
Suite *unit_elf_suite(void);
Suite *unit_linkmap_suite(void);
Suite *unit_submission_suite(void);
Suite *unit_rubric_suite(void);
Suite *unit_slots_suite(void);
Suite *unit_diskturn_suite(void);
Suite *unit_fswatch_suite(void);
Suite *unit_sweep_suite(void);
Suite *unit_digest_suite(void);
Suite *unit_watch_suite(void);

/* Whether a byte arrives on r within ms milliseconds (and reads it). */
bool unit_arrives(int r, int ms);
/* Kills pid and reaps it: a helper process that holds something until killed. */
void unit_stop(pid_t pid);

#endif
