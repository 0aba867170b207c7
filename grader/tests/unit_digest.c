/* unit_digest.c — which failures a report shows in full. */
#include "sg_digest.h"
#include "unit.h"

#include <string.h>

/* A failed test of function f with this observed text. */
static struct sg_test_result failed(const char *name, char **needs, const char *observed)
{
    return (struct sg_test_result){ .name = (char *)name, .needs = needs,
                                    .observed = (char *)observed, .max_points = 1 };
}

START_TEST(a_crash_is_not_folded_under_a_wrong_value)
{
    char *needs[] = { "sb_exchange", NULL };
    struct sg_test_result tests[] = {
        failed("first", needs, "sb_exchange left \"h\" in byte 0"),
        failed("same_cause", needs, "sb_exchange left \"x\" in byte 0"),
        failed("crashed", needs, "the test process was killed by signal 11 (Segmentation fault)"),
        failed("crashed_again", needs, "the test process was killed by signal 11 (Segmentation "
                                       "fault)"),
        failed("hung", needs, "the test did not finish within 5 s and was killed"),
    };
    struct sg_lab_result lab = { .tests = tests, .ntests = 5 };
    struct sg_digest d;
    ck_assert_int_eq(sg_digest_lab(&lab, &d), 0);
    enum sg_shown want[] = { SG_SHOWN_FULL, SG_SHOWN_LINE, SG_SHOWN_FULL, SG_SHOWN_LINE,
                             SG_SHOWN_FULL };
    for (size_t k = 0; k < 5; k++)
        ck_assert_msg(d.shown[k] == want[k], "%s: shown %d, not %d", tests[k].name, d.shown[k],
                      want[k]);
    sg_digest_free(&d);
}
END_TEST

Suite *unit_digest_suite(void)
{
    Suite *s = suite_create("digest");
    TCase *tc = tcase_create("digest");
    tcase_add_test(tc, a_crash_is_not_folded_under_a_wrong_value);
    suite_add_tcase(s, tc);
    return s;
}
