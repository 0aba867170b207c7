/* unit_main.c — runs the grader's unit tests. */
#include "unit.h"

#include <stdlib.h>

int main(void)
{
    SRunner *sr = srunner_create(unit_text_suite());
    srunner_add_suite(sr, unit_spawn_suite());
    srunner_add_suite(sr, unit_elf_suite());
    srunner_add_suite(sr, unit_linkmap_suite());
    srunner_add_suite(sr, unit_submission_suite());
    srunner_add_suite(sr, unit_rubric_suite());
    srunner_add_suite(sr, unit_slots_suite());
    srunner_add_suite(sr, unit_diskturn_suite());
    srunner_add_suite(sr, unit_fswatch_suite());
    srunner_add_suite(sr, unit_sweep_suite());
    srunner_add_suite(sr, unit_digest_suite());
    srunner_add_suite(sr, unit_watch_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
