/* kt_main.c — the kit tests itself (run by `make test` from the kit's root); see kt.h. */
#include "kt.h"

#include <signal.h>
#include <time.h>

/*
 * The kit's cases, and when each runs. One lane keeps about a third of a
 * core busy (a lane runs its tests one after another, and most of a test's
 * time is spent waiting: for a process to sleep, for a limit to pass), so
 * `make test` first runs three lanes at once, each its own cases and then
 * the corpus, mutant by mutant, until none is left (kt_corpus.c); and
 * then, one after another, the cases that must run alone:
 * - batch grades classes at twice and four times the cores, and compares
 *   hostile students' grades in a class with their grades alone: the load
 *   it is about is its own;
 * - leaks and hostile compare the machine before and after grading (the
 *   System V segments, processes of the sandbox's user), and grade without
 *   the sandbox, where every test shares the user's process budget.
 * Where the kernel does not give each sandbox its own namespaces, a fork
 * bomb in one lane would use up the budget of the other: one lane then.
 */
enum { KT_ALL = -1, KT_ALONE = -2, KT_SHARED = -3 };

/* Each case's lane: 0, 1 or 2, KT_SHARED (every lane, last), or KT_ALONE. */
static const struct {
    void (*add)(Suite *);
    int lane;
} kt_cases[] = {
    { kt_add_platforms, 0 }, { kt_add_reference, 1 }, { kt_add_rules, 1 },
    { kt_add_submissions, 1 }, { kt_add_formats, 1 },  { kt_add_html, 2 },
    { kt_add_corpus, KT_SHARED }, { kt_add_batch, KT_ALONE }, { kt_add_leaks, KT_ALONE },
    { kt_add_hostile, KT_ALONE },
};
#define KT_NCASES (sizeof kt_cases / sizeof kt_cases[0])
#define KT_LANES 3

/* Runs the cases of lane (0 to KT_LANES - 1; KT_ALL: every case; KT_ALONE: those that run alone); the number that failed. */
static int kt_run_cases(int lane, const char *title)
{
    Suite *s = suite_create(title);
    for (size_t i = 0; i < KT_NCASES; i++)
        if (lane == KT_ALL || kt_cases[i].lane == lane ||
            (lane >= 0 && kt_cases[i].lane == KT_SHARED))
            kt_cases[i].add(s);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed;
}

static const char *const kt_log_vars[] = { "CK_LOG_FILE_NAME", "CK_XML_LOG_FILE_NAME",
                                           "CK_TAP_LOG_FILE_NAME" };
#define KT_NLOGS (sizeof kt_log_vars / sizeof kt_log_vars[0])

/* Check writes its logs to the files environment variables name: one file per lane. */
static void kt_log_names_for_lane(int lane)
{
    for (size_t i = 0; i < KT_NLOGS; i++) {
        const char *v = getenv(kt_log_vars[i]);
        if (v == NULL || *v == '\0')
            continue;
        struct sg_buf name = SG_BUF_INIT;
        sg_buf_printf(&name, "%s.lane%d", v, lane);
        setenv(kt_log_vars[i], name.data, 1);
        sg_buf_free(&name);
    }
}

/* Whether to run in lanes: not when asked for one run, when a log goes to stdout, or without namespaces. */
static bool kt_want_lanes(void)
{
    const char *lanes = getenv("KT_LANES");
    if ((lanes != NULL && strcmp(lanes, "1") == 0) || getenv("CK_RUN_CASE") != NULL ||
        getenv("CK_RUN_SUITE") != NULL)
        return false;
    for (size_t i = 0; i < KT_NLOGS; i++) {
        const char *v = getenv(kt_log_vars[i]);
        if (v != NULL && strcmp(v, "-") == 0)
            return false;
    }
    if (!sg_isolate_available()) {
        printf("kit_tests: no user namespaces here: every case in one lane\n");
        return false;
    }
    return true;
}

/* The lanes at once, each in a child; true when every test of every lane passed. */
static bool kt_run_lanes(void)
{
    pid_t pids[KT_LANES];
    if (kt_corpus_share() == -1) {
        perror("kit_tests: mmap");
        exit(2);
    }
    for (int lane = 0; lane < KT_LANES; lane++) {
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
            _exit(kt_run_cases(lane, title) == 0 ? 0 : 1);
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
    kt_corpus_unshare();
    return ok;
}

/*
 * Check picks the clock that times each test by creating a timer, before
 * the test and after it (check_get_clockid); a test that takes every
 * queued signal (a_judge_without_queued_signals_still_times_its_test)
 * made the two readings come from two clocks, and its duration nonsense
 * or, by the time of day, one Check could not pack. The Makefile links
 * this in its place (--wrap), as the grader does for graded tests.
 */
clockid_t __wrap_check_get_clockid(void);
clockid_t __wrap_check_get_clockid(void)
{
    return CLOCK_MONOTONIC;
}

int main(void)
{
    if (getcwd(kt_root, sizeof kt_root) == NULL || access("grader/shmgrade", X_OK) != 0) {
        fprintf(stderr, "kit_tests: run me from the kit's root, after `make`\n");
        return 2;
    }
    /* Every make the kit tests run is a platform's or a student's own,
     * started at the top: run from a make of ours (make run-selftest), it
     * was a sub-make, and Autolab's scores line was followed by "make[1]:
     * Leaving directory". */
    unsetenv("MAKELEVEL");
    unsetenv("MAKEFLAGS");
    unsetenv("MFLAGS");
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

    if (!kt_want_lanes())
        return kt_run_cases(KT_ALL, "kit") == 0 ? 0 : 1;
    /* The gradings of both lanes take their tests' turns from the same slots. */
    char slots_dir[] = "/tmp/shmlab-kit-slots.XXXXXX";
    if (mkdtemp(slots_dir) == NULL || sg_slots_create(&kt_slots, slots_dir, sg_default_jobs()) == -1) {
        fprintf(stderr, "kit_tests: the slots in %s: %s\n", slots_dir, strerror(errno));
        return 2;
    }
    bool ok = kt_run_lanes();
    sg_slots_destroy(&kt_slots);
    kt_rmtree(slots_dir);
    ok &= kt_run_cases(KT_ALONE, "kit, the cases that run alone") == 0;
    return ok ? 0 : 1;
}
