/* kt_main.c — the kit tests itself (run by `make test` from the kit's root); see kt.h. */
#include "kt.h"

#include <signal.h>

/*
 * The kit's cases, and the lane each runs in. One lane keeps about one
 * core busy (a lane runs its tests one after another, and most of a test's
 * work is starting processes), so `make test` runs two lanes at once, the
 * corpus shared between them (kt_corpus.c), and then the hostile case alone: it compares
 * the whole machine before and after each entry (the System V IPC ids,
 * which a test graded without the sandbox changes), and some of its
 * entries run without the sandbox, so nothing else may run beside it.
 */
enum { KT_LANE_SHARED = -1, KT_LANE_ALONE = -2 };

static const struct {
    const char *name;
    void (*add)(Suite *);
    int lane;
} kt_cases[] = {
    { "reference", kt_add_reference, 1 },     { "rules", kt_add_rules, 1 },
    { "corpus", kt_add_corpus, KT_LANE_SHARED }, { "submissions", kt_add_submissions, 1 },
    { "batch", kt_add_batch, 0 },             { "html", kt_add_html, 1 },
    { "formats", kt_add_formats, 1 },         { "platforms", kt_add_platforms, 0 },
    { "hostile", kt_add_hostile, KT_LANE_ALONE },
};
#define KT_NCASES (sizeof kt_cases / sizeof kt_cases[0])
#define KT_LANES 2

/* Runs the cases of lane (every case when lane is KT_LANE_SHARED); the number that failed. */
static int kt_run_lane(int lane, const char *title)
{
    Suite *s = suite_create(title);
    for (size_t i = 0; i < KT_NCASES; i++)
        if (lane == KT_LANE_SHARED || kt_cases[i].lane == lane ||
            (lane >= 0 && kt_cases[i].lane == KT_LANE_SHARED))
            kt_cases[i].add(s);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed;
}

/* Check writes its logs to the file an environment variable names: one file per lane. */
static void kt_log_names_for_lane(int lane)
{
    const char *vars[] = { "CK_LOG_FILE_NAME", "CK_XML_LOG_FILE_NAME", "CK_TAP_LOG_FILE_NAME" };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v == NULL || *v == '\0' || strcmp(v, "-") == 0)
            continue;
        struct sg_buf name = SG_BUF_INIT;
        sg_buf_printf(&name, "%s.lane%d", v, lane);
        setenv(vars[i], name.data, 1);
        sg_buf_free(&name);
    }
}

/* The lanes at once, each in a child; true when every test of every lane passed. */
static bool kt_run_lanes(void)
{
    pid_t pids[KT_LANES];
    for (int lane = 0; lane < KT_LANES; lane++) {
        kt_corpus_lane = lane;
        fflush(NULL);
        pids[lane] = fork();
        if (pids[lane] == -1) {
            perror("kit_tests: fork");
            for (int k = 0; k < lane; k++)
                kill(pids[k], SIGTERM);
            exit(2);
        }
        if (pids[lane] == 0) {
            char title[32];
            snprintf(title, sizeof title, "kit, lane %d of %d", lane + 1, KT_LANES);
            kt_log_names_for_lane(lane);
            _exit(kt_run_lane(lane, title) == 0 ? 0 : 1);
        }
    }
    bool ok = true;
    for (int lane = 0; lane < KT_LANES; lane++) {
        int status;
        while (waitpid(pids[lane], &status, 0) == -1)
            if (errno != EINTR) {
                perror("kit_tests: waitpid");
                exit(2);
            }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "kit_tests: lane %d of %d failed\n", lane + 1, KT_LANES);
            ok = false;
        }
    }
    kt_corpus_lane = -1;
    return ok;
}

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

    /* CK_RUN_CASE (Check's own choice of one case) or KT_LANES=1: one run, in order. */
    const char *lanes = getenv("KT_LANES");
    if (getenv("CK_RUN_CASE") != NULL || (lanes != NULL && strcmp(lanes, "1") == 0))
        return kt_run_lane(KT_LANE_SHARED, "kit") == 0 ? 0 : 1;
    bool ok = kt_run_lanes();
    ok &= kt_run_lane(KT_LANE_ALONE, "kit, hostile case alone") == 0;
    return ok ? 0 : 1;
}
