/* kt_main.c — the kit tests itself (run by `make test` from the kit's root); see kt.h. */
#include "kt.h"

int main(void)
{
    if (getcwd(kt_root, sizeof kt_root) == NULL || access("grader/shmgrade", X_OK) != 0) {
        fprintf(stderr, "kit_tests: run me from the kit's root, after `make`\n");
        return 2;
    }
    struct sg_buf err = SG_BUF_INIT;
    kt_labs = sg_rubric_list_labs("labs", &err);
    if (kt_labs == NULL || kt_labs[0] == NULL) {
        fprintf(stderr, "kit_tests: no labs: %s\n", err.data ? err.data : "");
        return 2;
    }
    while (kt_labs[kt_nlabs] != NULL)
        kt_nlabs++;
    kt_load_corpus();
    json_error_t jerr;
    kt_hostile = json_load_file("tests/corpus/hostile.json", 0, &jerr);
    if (kt_hostile == NULL) {
        fprintf(stderr, "tests/corpus/hostile.json:%d: %s\n", jerr.line, jerr.text);
        return 2;
    }
    /* KT_ONLY=NAME keeps only the corpus entries of that name (for work on one of them). */
    const char *only = getenv("KT_ONLY");
    if (only != NULL) {
        json_t *lists[] = { kt_mutants, json_object_get(kt_hostile, "mutants") };
        for (size_t l = 0; l < 2; l++)
            for (size_t i = json_array_size(lists[l]); i-- > 0;)
                if (strcmp(json_string_value(json_object_get(json_array_get(lists[l], i), "name")),
                           only) != 0)
                    json_array_remove(lists[l], i);
    }

    Suite *s = suite_create("kit");
    kt_add_reference(s);
    kt_add_rules(s);
    kt_add_corpus(s);
    kt_add_submissions(s);
    kt_add_batch(s);
    kt_add_html(s);
    kt_add_formats(s);
    kt_add_platforms(s);
    kt_add_hostile(s);

    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
