/* kt_submissions.c — submissions that are incomplete or reach outside themselves. */
#include "kt.h"
#include <dirent.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>

/* The ids of the segments on the system, as one sorted string. */
static char *kt_segments(void)
{
    struct sg_shm_snapshot s;
    ck_assert(sg_shm_snapshot(&s) == 0);
    struct sg_buf b = SG_BUF_INIT;
    for (size_t i = 0; i < s.n; i++)
        sg_buf_printf(&b, "%d ", s.ids[i]);
    sg_shm_snapshot_free(&s);
    return sg_buf_take(&b);
}

/* The machine's /dev/shm entries that hold "shmlab-", sorted. */
static char *kt_shm_names(void)
{
    struct dirent **e;
    int n = scandir("/dev/shm", &e, NULL, alphasort);
    ck_assert_msg(n >= 0, "scandir /dev/shm: %s", strerror(errno));
    struct sg_buf b = SG_BUF_INIT;
    sg_buf_puts(&b, "");
    for (int i = 0; i < n; i++) {
        if (strstr(e[i]->d_name, "shmlab-") != NULL)
            sg_buf_printf(&b, "%s ", e[i]->d_name);
        free(e[i]);
    }
    free(e);
    return sg_buf_take(&b);
}

START_TEST(flat_and_mirrored_layouts_and_missing_files)
{
    /* Mirrored layout for the first lab only: it is graded in full, every
     * other lab is missing with its file named, and nothing else breaks. */
    char *sub = kt_tempdir();
    const char *lab = kt_labs[0];
    char *file = kt_lab_file(lab);
    char *dir = kt_path(sub, lab);
    ck_assert(mkdir(dir, 0700) == 0);
    char *path = kt_path(dir, file);
    struct sg_buf sol = SG_BUF_INIT;
    sg_buf_printf(&sol, "%s/solutions/%s/%s", kt_root, lab, file);
    char *text = kt_read(sol.data, NULL);
    kt_write(path, text);

    struct sg_grade g;
    kt_grade(sub, NULL, &g);
    ck_assert_int_eq(g.labs[0].state, SG_LAB_GRADED);
    ck_assert_msg(g.labs[0].score == g.labs[0].max_score, "mirrored layout: %g/%g\n%s",
                  g.labs[0].score, g.labs[0].max_score, kt_first_failure(&g.labs[0]));
    for (size_t i = 1; i < g.nlabs; i++) {
        char *other = kt_lab_file(g.labs[i].id);
        ck_assert_int_eq(g.labs[i].state, SG_LAB_MISSING);
        ck_assert_msg(strstr(g.labs[i].problem, other) != NULL, "%s", g.labs[i].problem);
        ck_assert(g.labs[i].score == 0);
        free(other);
    }
    sg_grade_free(&g);

    /* The same file flat in an otherwise empty folder. */
    ck_assert(unlink(path) == 0 && rmdir(dir) == 0);
    free(path);
    path = kt_path(sub, file);
    kt_write(path, text);
    kt_grade(sub, lab, &g);
    ck_assert_msg(g.score == g.max_score, "flat layout: %g/%g\n%s", g.score, g.max_score,
                  kt_first_failure(&g.labs[0]));
    sg_grade_free(&g);

    /* Nothing at all. */
    ck_assert(unlink(path) == 0);
    kt_grade(sub, lab, &g);
    ck_assert_int_eq(g.labs[0].state, SG_LAB_MISSING);
    ck_assert_msg(strstr(g.labs[0].problem, file) != NULL, "%s", g.labs[0].problem);
    sg_grade_free(&g);

    sg_buf_free(&sol);
    free(text);
    free(path);
    free(dir);
    free(file);
    kt_rmtree(sub);
    free(sub);
}
END_TEST

START_TEST(a_file_that_asks_for_xopen_source_compiles)
{
    /* The contract's target is gnu11 or _DEFAULT_SOURCE/_XOPEN_SOURCE=700:
     * a lab file that defines _XOPEN_SOURCE 700 itself, as APUE's programs
     * do, lost MAP_ANONYMOUS (glibc shows it by default only) and scored 0
     * for a compile error (a class review). Labs 02 and 03 map anonymous
     * memory. */
    for (size_t i = 1; i < 3 && kt_labs[i] != NULL; i++) {
        char *sub = kt_tempdir();
        char *file = kt_lab_file(kt_labs[i]);
        char *path = kt_path(sub, file);
        struct sg_buf sol = SG_BUF_INIT, text = SG_BUF_INIT;
        sg_buf_printf(&sol, "%s/solutions/%s/%s", kt_root, kt_labs[i], file);
        char *reference = kt_read(sol.data, NULL);
        sg_buf_printf(&text, "#define _XOPEN_SOURCE 700\n%s", reference);
        kt_write(path, text.data);
        struct sg_grade g;
        kt_grade(sub, kt_labs[i], &g);
        ck_assert_msg(g.labs[0].state == SG_LAB_GRADED && g.score == g.max_score,
                      "%s with _XOPEN_SOURCE 700: %g/%g %s", kt_labs[i], g.score, g.max_score,
                      g.labs[0].problem ? g.labs[0].problem : kt_first_failure(&g.labs[0]));
        sg_grade_free(&g);
        free(reference);
        sg_buf_free(&sol);
        sg_buf_free(&text);
        free(path);
        free(file);
        kt_rmtree(sub);
        free(sub);
    }
}
END_TEST

START_TEST(symlink_to_the_solution_is_refused)
{
    const char *lab = kt_labs[0];
    char *file = kt_lab_file(lab);
    char *sub = kt_tempdir();
    char *path = kt_path(sub, file);
    struct sg_buf sol = SG_BUF_INIT;
    sg_buf_printf(&sol, "%s/solutions/%s/%s", kt_root, lab, file);
    ck_assert(symlink(sol.data, path) == 0);
    struct sg_grade g;
    kt_grade(sub, lab, &g);
    ck_assert_int_ne(g.labs[0].state, SG_LAB_GRADED);
    ck_assert_msg(strstr(g.labs[0].problem, "symbolic link") != NULL, "%s", g.labs[0].problem);
    ck_assert(g.score == 0);
    sg_grade_free(&g);
    sg_buf_free(&sol);
    kt_rmtree(sub);
    free(sub);
    free(path);
    free(file);
}
END_TEST

START_TEST(including_the_solution_reaches_nothing)
{
    /* The compiler runs in the sandbox, where the kit does not exist: the
     * include fails, and nothing of the solution appears anywhere. */
    const char *lab = kt_labs[0];
    char *file = kt_lab_file(lab);
    char *sub = kt_tempdir();
    char *path = kt_path(sub, file);
    struct sg_buf text = SG_BUF_INIT;
    sg_buf_printf(&text, "#include \"%s/solutions/%s/%s\"\n", kt_root, lab, file);
    kt_write(path, text.data);
    struct sg_grade g;
    kt_grade(sub, lab, &g);
    ck_assert_msg(g.labs[0].state == SG_LAB_BUILD_FAILED || g.labs[0].state == SG_LAB_REFUSED,
                  "state %d", g.labs[0].state);
    const char *said = g.labs[0].build_output ? g.labs[0].build_output : "";
    if (!kt_no_sandbox)
        ck_assert_msg(strstr(said, "No such file") != NULL, "%s", said);
    ck_assert_msg(strstr(said, "mmap") == NULL && strstr(said, "fork") == NULL,
                  "the solution's text reached the report: %s", said);
    ck_assert(g.score == 0);
    sg_grade_free(&g);
    sg_buf_free(&text);
    kt_rmtree(sub);
    free(sub);
    free(path);
    free(file);
}
END_TEST

START_TEST(a_helper_file_beside_the_labs_file_is_named)
{
    /* The grader compiles the lab's file alone: a helper of the student's
     * own beside it is said to be left out, not left to "is a function of
     * the API missing or misspelled?" (a student-kit review). */
    const char *lab = kt_labs[0];
    char *file = kt_lab_file(lab);
    char *sub = kt_tempdir();
    char *path = kt_path(sub, file);
    char *helper = kt_path(sub, "my_helpers.c");
    kt_write(path, "int my_helper(void);\nint api_uses_helper(void) { return my_helper(); }\n");
    kt_write(helper, "int my_helper(void) { return 1; }\n");
    struct sg_grade g;
    kt_grade(sub, lab, &g);
    ck_assert_msg(g.labs[0].state == SG_LAB_BUILD_FAILED, "state %d", g.labs[0].state);
    const char *problem = g.labs[0].problem ? g.labs[0].problem : "";
    ck_assert_msg(strstr(problem, "my_helpers.c beside it is not compiled") != NULL, "%s",
                  problem);
    sg_grade_free(&g);
    /* Not for a syntax error, nor for the other labs' files of a flat
     * submission (a fresh-eyes review: they were all named). */
    char *other_file = kt_lab_file(kt_labs[1]);
    char *other = kt_path(sub, other_file);
    kt_write(other, "int x;\n");
    kt_write(path, "int broken(void) { return 1 }\n");
    kt_grade(sub, lab, &g);
    problem = g.labs[0].problem ? g.labs[0].problem : "";
    ck_assert_msg(strstr(problem, "beside it") == NULL, "%s", problem);
    sg_grade_free(&g);
    free(other);
    free(other_file);
    kt_rmtree(sub);
    free(sub);
    free(helper);
    free(path);
    free(file);
}
END_TEST

START_TEST(reports_stay_valid_whatever_the_student_prints)
{
    /* Lab 01's solution, printing a terminal escape, invalid UTF-8 and JSON
     * punctuation from every sb_read_line call, and failing none of its tests. */
    const char *lab = "01-shared-buffer";
    char *file = kt_lab_file(lab);
    char *sub = kt_tempdir();
    char *path = kt_path(sub, file);
    json_t *m = json_pack("{s:s, s:[[s, s]]}", "name", "noisy", "replace",
                          "long sb_read_line(char *buf, size_t cap, FILE *in)\n{",
                          "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n"
                          "    fputs(\"\\033[2J\\xff\\xfe\\\"}]\\n\", stderr);");
    char *text = kt_apply_mutant(lab, m);
    kt_write(path, text);

    const char *json_args[] = { "--format", "json", "--lab", lab, sub, NULL };
    char *out;
    ck_assert_int_eq(kt_shmgrade(json_args, &out), 0);
    json_error_t jerr;
    json_t *root = json_loads(out, 0, &jerr);
    ck_assert_msg(root != NULL, "results.json does not parse: %s", jerr.text);
    ck_assert_msg(strstr(out, "\\\\x1b[2J") != NULL || strstr(out, "\\\\033") != NULL ||
                      strstr(out, "\\\\x1b") != NULL,
                  "the student's output is not shown escaped:\n%s", out);
    ck_assert_msg(json_number_value(json_object_get(root, "score")) ==
                      json_number_value(json_object_get(root, "max_score")),
                  "a correct solution that prints lost points:\n%s", out);
    json_decref(root);
    free(out);

    const char *text_args[] = { "--lab", lab, sub, NULL };
    ck_assert_int_eq(kt_shmgrade(text_args, &out), 0);
    ck_assert_msg(strchr(out, '\033') == NULL, "a raw escape reached the text report");
    ck_assert_msg(sg_utf8_valid(out, strlen(out)), "the text report is not valid UTF-8");
    free(out);

    json_decref(m);
    free(text);
    kt_rmtree(sub);
    free(sub);
    free(path);
    free(file);
}
END_TEST

START_TEST(tests_run_in_the_sandbox_where_there_is_one)
{
    /* Containment must not fall back silently: where bubblewrap is
     * installed (make deps installs it), every test runs inside it. */
    if (access("/usr/bin/bwrap", X_OK) != 0)
        return;
    struct sg_grade g;
    kt_grade_some("solutions", kt_labs[0], NULL, 0, &g);
    ck_assert_msg(g.sandbox != NULL && strncmp(g.sandbox, "bubblewrap", 10) == 0,
                  "bubblewrap is installed but the tests ran with: %s", g.sandbox);
    sg_grade_free(&g);
}
END_TEST

/*
 * The grader's caller's umask is no part of a grade: as root with umask
 * 077 (a hardened shell, or Autolab's job, which closes its folder), the
 * kit's objects were copied unreadable to the sandbox's user, and every lab
 * of every student was a link error, scored 0. Public and hidden tests.
 */
START_TEST(a_strict_umask_grades_as_any_other)
{
    if (geteuid() != 0) {
        fprintf(stderr, "note: not root: the grader's copies are its own to read, any umask\n");
        return;
    }
    char *t = kt_tempdir();
    char *results = kt_path(t, "results.json");
    struct sg_buf sh = SG_BUF_INIT;
    sg_buf_printf(&sh, "umask 077 && grader/shmgrade --hidden --lab %s --format json -o '%s' solutions",
                  kt_labs[kt_nlabs - 1], results);
    kt_sh_full_marks(sh.data, results, "the solution under umask 077");
    sg_buf_free(&sh);
    kt_rmtree(t);
    free(results);
    free(t);
}
END_TEST

/*
 * A test's wall limit counts from its start in the sandbox, not from the
 * start of bubblewrap: on a loaded machine setting a sandbox up took 5.5 s,
 * and a correct test that waits on purpose was killed at its limit (a
 * review under load). Here bubblewrap takes 4 s to start, and the test has
 * 2 s (3 with the grace): graded as it deserves, not stopped, nor "not
 * graded".
 */
START_TEST(a_slow_sandbox_set_up_is_not_the_tests_time)
{
    if (geteuid() != 0 || access("/usr/bin/bwrap", X_OK) != 0) {
        fprintf(stderr, "note: not root, or no bubblewrap: a slow bubblewrap not tried\n");
        return;
    }
    char dir[] = "/tmp/kt-slow-bwrap.XXXXXX";
    ck_assert(mkdtemp(dir) != NULL && chmod(dir, 0755) == 0);
    char *real = kt_path(dir, "bwrap-real"), *slow = kt_path(dir, "bwrap");
    char *results = kt_path(dir, "results.json");
    struct sg_buf sh = SG_BUF_INIT;
    sg_buf_printf(&sh, "#!/bin/sh\nsleep 4\nexec %s \"$@\"\n", real);
    kt_write(slow, sh.data);
    ck_assert(chmod(slow, 0755) == 0);
    sh.len = 0;
    sg_buf_printf(&sh, "cp /usr/bin/bwrap %s && unshare --mount sh -c 'mount --bind %s /usr/bin/bwrap && "
                       "grader/shmgrade --lab 04 --test array_in_bss --timeout 2 --format json "
                       "-o %s solutions'",
                  real, slow, results);
    kt_sh_full_marks(sh.data, results, "a test behind a bubblewrap 4 s slow to start");
    sg_buf_free(&sh);
    kt_rmtree(dir);
    free(real);
    free(slow);
    free(results);
}
END_TEST

START_TEST(usage_errors_exit_2)
{
    const char *none[] = { NULL };
    kt_expect_usage(none, 2, "usage: shmgrade");
    const char *nodir[] = { "/nonexistent/submission", NULL };
    kt_expect_usage(nodir, 2, "is not a folder");
    const char *badfmt[] = { "--format", "xml", "solutions", NULL };
    kt_expect_usage(badfmt, 2, "unknown format 'xml'");
    const char *badlab[] = { "--lab", "99", "solutions", NULL };
    kt_expect_usage(badlab, 2, "no single lab matches '99'");
    char *out;
    const char *help[] = { "--help", NULL };
    ck_assert_int_eq(kt_shmgrade(help, &out), 0);
    ck_assert(strstr(out, "usage: shmgrade") != NULL);
    free(out);
}
END_TEST

START_TEST(leaked_segments_never_outlive_grading)
{
    /* A lab 04 submission that never removes its segments, graded in the
     * sandbox (_i == 0) and with the fallback clean-up that serves where
     * namespaces are not allowed (_i == 1: no bubblewrap, no IPC namespace). */
    const char *lab = "04-shmat-layout";
    if (_i == 1) {
        sg_isolate_disable();
        kt_no_sandbox = true;
    }
    json_t *m = kt_mutant_named(lab, "no-ipc-rmid");
    char *file = kt_lab_file(lab);
    char *sub = kt_tempdir();
    char *path = kt_path(sub, file);
    char *text = kt_apply_mutant(lab, m);
    kt_write(path, text);

    char *before = kt_segments();
    struct sg_grade g;
    kt_grade(sub, lab, &g);
    char *after = kt_segments();
    /* A lab that was not graded (a test that could not start) would pass
     * every check below without a segment ever made. */
    ck_assert_msg(g.labs[0].state == SG_LAB_GRADED, "the leaking lab was not graded: %s",
                  g.labs[0].problem ? g.labs[0].problem : "");
    bool ran = false;
    ck_assert_msg(strcmp(before, after) == 0,
                  "segments before grading: [%s], after: [%s] (%s)", before, after,
                  _i == 0 ? "namespaces" : "fallback");
    ck_assert_msg(_i == 0 || strstr(g.sandbox, "NO SANDBOX") != NULL,
                  "the fallback test ran in: %s", g.sandbox);
    ck_assert_msg(g.score < g.max_score, "the leaking submission scored full marks");
    for (size_t k = 0; k < g.labs[0].ntests; k++)
        if (strcmp(g.labs[0].tests[k].name, "release_leaves_nothing") == 0) {
            ck_assert_msg(!g.labs[0].tests[k].passed, "the leak went unnoticed");
            const char *seen = g.labs[0].tests[k].observed;
            ck_assert_msg(!g.labs[0].tests[k].timed_out &&
                              (seen == NULL || strstr(seen, "not run") == NULL),
                          "release_leaves_nothing did not run to its end: %s", seen);
            ran = true;
        }
    ck_assert_msg(ran, "no release_leaves_nothing test was graded");
    sg_grade_free(&g);
    free(before);
    free(after);
    free(text);
    kt_rmtree(sub);
    free(sub);
    free(path);
    free(file);
}
END_TEST

START_TEST(posix_objects_never_outlive_grading)
{
    /* Where /dev/shm is the machine's (no bubblewrap, no namespaces: some
     * containers), lab 05's objects must still go: _i == 0, the reference
     * with the memory check, whose program run leaves its ring by design
     * (under one fixed name before); _i == 1, rb_put waits for ever, and
     * the grader kills tests that hold objects. */
    const char *lab = "05-posix-ring";
    sg_isolate_disable();
    kt_no_sandbox = true;
    char *file = kt_lab_file(lab);
    char *sub = kt_tempdir();
    char *path = kt_path(sub, file);
    /* The reference is the mutant that changes nothing. */
    json_t *reference = json_pack("{s:s}", "name", "reference");
    kt_memcheck = _i == 0;
    char *text = kt_apply_mutant(lab, _i == 0 ? reference
                                              : kt_mutant_named(lab, "free-slot-never-posted"));
    json_decref(reference);
    kt_write(path, text);
    char *before = kt_shm_names();
    struct sg_grade g;
    kt_grade(sub, lab, &g);
    ck_assert_msg(g.labs[0].state == SG_LAB_GRADED, "the lab was not graded: %s",
                  g.labs[0].problem ? g.labs[0].problem : "");
    ck_assert_msg(strstr(g.sandbox, "NO SANDBOX") != NULL, "the test ran in: %s", g.sandbox);
    char *why = kt_first_failure(&g.labs[0]);
    ck_assert_msg(_i == 0 ? g.score == g.max_score : g.score < g.max_score,
                  "%s scored %g of %g: %s", _i == 0 ? "the reference" : "a ring that never frees a slot",
                  g.score, g.max_score, why);
    free(why);
    sg_grade_free(&g);
    char *after = kt_shm_names();
    ck_assert_msg(strcmp(before, after) == 0, "/dev/shm before grading: [%s], after: [%s]",
                  before, after);
    kt_memcheck = false;
    free(before);
    free(after);
    free(text);
    kt_rmtree(sub);
    free(sub);
    free(path);
    free(file);
}
END_TEST

START_TEST(an_interrupted_grading_leaves_nothing_behind)
{
    /* Ctrl-C (SIGINT), a platform's time limit (SIGTERM), a closed terminal
     * (SIGHUP), while tests run: shmgrade ends by that signal, and leaves no
     * scratch folder and no process (its guard, sg_guard.h). Before, the
     * scratch folder stayed in /tmp, and at times a sandbox process that
     * bubblewrap had not finished setting up. */
    const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGTERM };
    int sig = sigs[_i];
    /* _i == 3: started as nohup starts it, SIGHUP ignored; it must stay so. */
    bool nohup = _i == 3;
    /* What escaped the grader's guard would come here. */
    ck_assert(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0);
    char *tmp = kt_tempdir(), *class = kt_tempdir();
    ck_assert(chmod(tmp, 0777) == 0); /* the sandbox's user works under it when root */
    char *sub = kt_path(class, "sleeper"), *dir = kt_path(sub, "01-shared-buffer");
    ck_assert(mkdir(sub, 0700) == 0 && mkdir(dir, 0700) == 0);
    /* A payload as the hostile corpus plants them: every test that reads a line sleeps. */
    json_t *sleeper = json_pack("{s:s, s:s, s:s}", "name", "sleeper", "payload", "    sleep(30);",
                                "add_include", "unistd.h");
    char *text = kt_apply_mutant("01-shared-buffer", sleeper);
    json_decref(sleeper);
    char *file = kt_path(dir, "shared_buffer.c");
    kt_write(file, text);

    fflush(NULL);
    pid_t pid = fork();
    ck_assert(pid != -1);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null == -1 || dup2(null, STDOUT_FILENO) == -1 || dup2(null, STDERR_FILENO) == -1 ||
            chdir(kt_root) == -1 || setenv("TMPDIR", tmp, 1) == -1)
            _exit(126);
        signal(sig, SIG_DFL);
        if (nohup)
            signal(SIGHUP, SIG_IGN);
        execl("grader/shmgrade", "grader/shmgrade", "--lab", "01", sub, (char *)NULL);
        _exit(127);
    }
    /* Until a test runs: a sandbox names the scratch folder under tmp. */
    bool running = false;
    for (int i = 0; i < 3000 && !running; i++) {
        usleep(10000);
        running = kt_process_mentions(NULL, tmp);
    }
    ck_assert_msg(running, "no test of the sleeper started in 30 s");
    usleep(300000);
    int status;
    if (nohup) {
        ck_assert(kill(pid, SIGHUP) == 0);
        usleep(500000);
        ck_assert_msg(waitpid(pid, &status, WNOHANG) == 0,
                      "shmgrade started with SIGHUP ignored ended at a SIGHUP (status 0x%x)",
                      status);
    }
    ck_assert(kill(pid, sig) == 0);
    ck_assert(waitpid(pid, &status, 0) == pid);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == sig,
                  "shmgrade, sent signal %d, ended with status 0x%x", sig, status);
    ck_assert_msg(!kt_process_mentions(NULL, tmp), "a process of the grading outlived it (signal %d)",
                  sig);
    char children[64], *left_children;
    snprintf(children, sizeof children, "/proc/self/task/%ld/children", (long)getpid());
    left_children = kt_read(children, NULL);
    ck_assert_msg(left_children[0] == '\0', "processes of the grading outlived it: %s (signal %d)",
                  left_children, sig);
    free(left_children);
    struct dirent **e;
    int n = scandir(tmp, &e, NULL, alphasort);
    ck_assert(n >= 0);
    struct sg_buf left = SG_BUF_INIT;
    sg_buf_puts(&left, "");
    for (int k = 0; k < n; k++) {
        if (strcmp(e[k]->d_name, ".") != 0 && strcmp(e[k]->d_name, "..") != 0)
            sg_buf_printf(&left, "%s ", e[k]->d_name);
        free(e[k]);
    }
    free(e);
    ck_assert_msg(left.len == 0, "left in TMPDIR after signal %d: %s", sig, left.data);
    sg_buf_free(&left);
    free(file);
    free(text);
    kt_rmtree(class);
    kt_rmtree(tmp);
    free(class);
    free(tmp);
    free(sub);
    free(dir);
}
END_TEST

START_TEST(a_full_disk_is_the_graders_failure)
{
    /* ld and as fail on a full disk as they fail on a broken file: the
     * reference scored 0 as a compile error where the grader builds had
     * 1.6 MB left (an attacker's review, filling the disk from a
     * classmate's submission). Graded on ever larger tmpfs, the reference
     * gets full marks, or the grader fails (exit 1: its scratch folder
     * could not be made, or the lab was not graded); at least one size
     * must fail inside the build, the case this test is about. Mounting
     * a tmpfs needs root. */
    if (geteuid() != 0) {
        printf("kit_tests: a_full_disk_is_the_graders_failure needs root (a tmpfs): skipped\n");
        return;
    }
    char *dir = kt_tempdir();
    const char *args[] = { "--hidden", "--lab", "02-kerrisk-increment", "--test",
                           "map_counter_shared", "--format", "grade", "solutions", NULL };
    int in_the_build = 0;
    ck_assert(setenv("TMPDIR", dir, 1) == 0);
    for (int kib = 1000; kib <= 3000; kib += 125) {
        char opts[64];
        snprintf(opts, sizeof opts, "size=%dk,mode=1777", kib);
        ck_assert_msg(mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) == 0,
                      "mount a tmpfs on %s: %s", dir, strerror(errno));
        char *out;
        int rc = kt_shmgrade(args, &out);
        ck_assert_msg(umount(dir) == 0, "umount %s: %s", dir, strerror(errno));
        ck_assert_msg(rc == 0 || rc == 1, "%d KiB: shmgrade ended with %d:\n%s", kib, rc,
                      kt_tail(out));
        json_t *g = json_loads(out, 0, NULL);
        bool full = false;
        if (g != NULL) {
            json_t *lab = json_array_get(json_object_get(g, "labs"), 0);
            const char *state = json_string_value(json_object_get(lab, "state"));
            const char *problem = json_string_value(json_object_get(lab, "problem"));
            full = state != NULL && strcmp(state, "graded") == 0 &&
                   json_number_value(json_object_get(g, "score")) ==
                       json_number_value(json_object_get(g, "max_score"));
            ck_assert_msg(full || (state != NULL && strcmp(state, "grader error") == 0),
                          "%d KiB: the reference %s: %s", kib, state ? state : "(no state)",
                          problem ? problem : "");
            in_the_build += problem != NULL && strstr(problem, "the disk is full") != NULL;
            json_decref(g);
        }
        free(out);
        if (full)
            break; /* every larger disk holds the whole build too */
    }
    unsetenv("TMPDIR");
    ck_assert_msg(in_the_build > 0, "no size of disk failed inside the build");
    kt_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(what_code_prints_in_a_hidden_test_is_never_shown)
{
    /* Code under a hidden test runs in the program that holds the hidden
     * tests' messages and hints, and could print them from its own memory
     * (an attacker's review: Gradescope's output field of each hidden test
     * quoted them). sb_map prints a line, and in the hidden tests' program
     * then aborts, so that they fail (a failure shows what was printed):
     * public tests show the line, hidden tests never do. */
    const char *lab = "01-shared-buffer";
    json_t *m = json_pack("{s:[[s,s]], s:[s,s,s]}", "replace",
                          "char *sb_map(size_t npages, enum sb_sharing sharing)\n{\n",
                          "char *sb_map(size_t npages, enum sb_sharing sharing)\n{\n"
                          "    fputs(\"PRINTED-IN-A-TEST\\n\", stderr);\n"
                          "    char exe[256];\n"
                          "    ssize_t n = readlink(\"/proc/self/exe\", exe, sizeof exe - 1);\n"
                          "    if (n > 0 && (exe[n] = '\\0', strstr(exe, \"hidden\") != NULL))\n"
                          "        abort();\n",
                          "add_include", "unistd.h", "stdlib.h", "string.h");
    char *sub = kt_mutant_submission(lab, m);
    struct sg_grade g;
    kt_grade(sub, lab, &g);
    size_t shown = 0, hidden = 0;
    for (size_t k = 0; k < g.labs[0].ntests; k++) {
        const struct sg_test_result *t = &g.labs[0].tests[k];
        bool printed = t->output != NULL && strstr(t->output, "PRINTED-IN-A-TEST") != NULL;
        ck_assert_msg(!t->hidden || t->output == NULL, "the hidden test %s shows: %s", t->name,
                      t->output);
        shown += printed && !t->hidden;
        hidden += t->hidden;
    }
    ck_assert_msg(shown > 0 && hidden > 0, "%zu public tests showed the line, %zu hidden tests ran",
                  shown, hidden);
    sg_grade_free(&g);
    kt_rmtree(sub);
    free(sub);
    json_decref(m);
}
END_TEST

START_TEST(hidden_tests_never_run_beside_public_ones)
{
    /* Sandboxes share the inodes of /usr, and a lock taken on one is seen
     * taken from every other: a hidden test's code could pass its
     * program's strings to a public test's output (an attacker's review).
     * Here every call in a hidden test holds a read lock on /usr/bin/env
     * until its process ends, and every call in a public test asks
     * (F_GETLK) whether a write lock would be granted: always. */
    const char *lab = "01-shared-buffer";
    const char *probe =
        "    {\n"
        "        char exe[256];\n"
        "        ssize_t n = readlink(\"/proc/self/exe\", exe, sizeof exe - 1);\n"
        "        int fd = n > 0 ? open(\"/usr/bin/env\", O_RDONLY | O_CLOEXEC) : -1;\n"
        "        struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_len = 1 };\n"
        "        if (fd != -1 && (exe[n] = '\\0', strstr(exe, \"tests-hidden\") != NULL)) {\n"
        "            fcntl(fd, F_SETLK, &fl);\n"
        "            usleep(200000);\n"
        "        } else if (fd != -1) {\n"
        "            fl.l_type = F_WRLCK;\n"
        "            if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {\n"
        "                fputs(\"BESIDE-A-HIDDEN-TEST\\n\", stderr);\n"
        "                abort();\n"
        "            }\n"
        "            close(fd);\n"
        "        }\n"
        "    }\n";
    struct sg_buf map = SG_BUF_INIT, read = SG_BUF_INIT;
    sg_buf_printf(&map, "char *sb_map(size_t npages, enum sb_sharing sharing)\n{\n%s", probe);
    sg_buf_printf(&read, "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n%s", probe);
    json_t *m = json_pack("{s:[[s,s],[s,s]], s:[s,s,s,s,s]}", "replace",
                          "char *sb_map(size_t npages, enum sb_sharing sharing)\n{\n", map.data,
                          "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n", read.data,
                          "add_include", "unistd.h", "stdlib.h", "string.h", "fcntl.h",
                          "stdio.h");
    char *sub = kt_mutant_submission(lab, m);
    struct sg_grade g;
    kt_grade(sub, lab, &g);
    size_t hidden = 0;
    for (size_t k = 0; k < g.labs[0].ntests; k++) {
        const struct sg_test_result *t = &g.labs[0].tests[k];
        ck_assert_msg(t->hidden || t->passed, "the public test %s ran beside a hidden one: %s",
                      t->name, kt_test_text(t));
        hidden += t->hidden;
    }
    ck_assert_msg(g.labs[0].state == SG_LAB_GRADED && hidden > 0, "%zu hidden tests ran", hidden);
    sg_grade_free(&g);
    kt_rmtree(sub);
    free(sub);
    sg_buf_free(&map);
    sg_buf_free(&read);
    json_decref(m);
}
END_TEST

START_TEST(a_lab_named_twice_is_graded_once)
{
    /* A platform's list of labs may name one twice (Autolab's LABS line):
     * graded twice, its scratch folder already existed and the grading
     * failed ("File exists"), with twice the points as the maximum. */
    const char *args[] = { "--lab", "01", "--lab", "01-shared-buffer", "--test", "map_shared",
                           "--format", "grade", "solutions", NULL };
    char *out;
    int rc = kt_shmgrade(args, &out);
    json_t *g = json_loads(out, 0, NULL);
    ck_assert_msg(rc == 0 && g != NULL, "status %d:\n%s", rc, kt_tail(out));
    ck_assert_int_eq(json_array_size(json_object_get(g, "labs")), 1);
    ck_assert(json_number_value(json_object_get(g, "score")) ==
              json_number_value(json_object_get(g, "max_score")));
    json_decref(g);
    free(out);
}
END_TEST

START_TEST(a_kit_not_rebuilt_since_its_tests_changed_grades_nobody)
{
    /* The rubric is read from labs/ when grading, the tests come from the
     * kit's build: after a `git pull` without `make`, the hidden tests'
     * program answered "no test named ...", and a truncated object did not
     * link, "a compile error" scored 0 for the student. A copy of the kit
     * whose hidden.o is cut short must grade nobody and say why. */
    char *t = kt_tempdir();
    struct sg_buf sh = SG_BUF_INIT;
    sg_buf_printf(&sh, "set -e; mkdir -p '%s/grader' '%s/build'; cp grader/shmgrade '%s/grader/'; "
                       "cp -R labs '%s/'; cp -R build/kit '%s/build/'; "
                       "head -c 3000 build/kit/01-shared-buffer/hidden.o > "
                       "'%s/build/kit/01-shared-buffer/hidden.o'",
                  t, t, t, t, t, t);
    char *out;
    ck_assert_msg(kt_sh(sh.data, &out) == 0, "the copy of the kit: %s", out);
    free(out);
    sh.len = 0;
    sg_buf_printf(&sh, "'%s/grader/shmgrade' --hidden --lab 01 --test map_full_size "
                       "--format grade solutions 2>/dev/null", t);
    int rc = kt_sh(sh.data, &out);
    json_t *g = json_loads(out, 0, NULL);
    json_t *lab = json_array_get(json_object_get(g, "labs"), 0);
    const char *state = json_string_value(json_object_get(lab, "state"));
    const char *problem = json_string_value(json_object_get(lab, "problem"));
    ck_assert_msg(rc == 1 && state != NULL && strcmp(state, "grader error") == 0 &&
                      problem != NULL && strstr(problem, "run make") != NULL,
                  "status %d, state %s: %s", rc, state ? state : "(none)", kt_tail(out));
    json_decref(g);
    free(out);
    sg_buf_free(&sh);
    kt_rmtree(t);
    free(t);
}
END_TEST

void kt_add_submissions(Suite *s)
{
    TCase *tc = tcase_create("submissions");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, flat_and_mirrored_layouts_and_missing_files);
    tcase_add_test(tc, a_file_that_asks_for_xopen_source_compiles);
    tcase_add_test(tc, symlink_to_the_solution_is_refused);
    tcase_add_test(tc, a_helper_file_beside_the_labs_file_is_named);
    tcase_add_test(tc, including_the_solution_reaches_nothing);
    tcase_add_test(tc, reports_stay_valid_whatever_the_student_prints);
    tcase_add_test(tc, usage_errors_exit_2);
    tcase_add_test(tc, a_strict_umask_grades_as_any_other);
    tcase_add_test(tc, a_slow_sandbox_set_up_is_not_the_tests_time);
    tcase_add_test(tc, tests_run_in_the_sandbox_where_there_is_one);
    tcase_add_test(tc, a_full_disk_is_the_graders_failure);
    tcase_add_test(tc, what_code_prints_in_a_hidden_test_is_never_shown);
    tcase_add_test(tc, hidden_tests_never_run_beside_public_ones);
    tcase_add_test(tc, a_lab_named_twice_is_graded_once);
    tcase_add_test(tc, a_kit_not_rebuilt_since_its_tests_changed_grades_nobody);
    suite_add_tcase(s, tc);
}

START_TEST(the_hidden_tests_stay_unreadable_without_the_sandbox)
{
    /* Without bubblewrap a root grader runs the tests as a uid of the
     * submission's own, which could read the hidden tests' object and
     * program from the scratch folder and print them in a public test's
     * output (a platform review), or run the hidden tests' program there
     * (`--list`; an attacker's review). The submission answers wrongly when
     * it can read either, or run the program from a public test; graded on
     * a public test and a hidden one, it must pass both. */
    if (geteuid() != 0)
        return; /* not root: no uid of the submission's own to keep out */
    sg_isolate_disable();
    kt_no_sandbox = true;
    const char *lab = "01-shared-buffer";
    json_t *m = json_pack(
        "{s:[[s,s]], s:[s,s,s,s]}", "replace",
        "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n",
        "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n"
        "    char cmd[4096] = \"\", dir[4096] = \"\", path[4200];\n"
        "    int fd = open(\"/proc/self/cmdline\", O_RDONLY);\n"
        "    ssize_t n = fd == -1 ? -1 : read(fd, cmd, sizeof cmd - 1);\n"
        "    for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(cmd + i) + 1)\n"
        "        if (strcmp(cmd + i, \"--program\") == 0)\n"
        "            snprintf(dir, sizeof dir, \"%s\", cmd + i + strlen(cmd + i) + 1);\n"
        "    for (int up = 0; up < 2 && strrchr(dir, '/') != NULL; up++)\n"
        "        *strrchr(dir, '/') = '\\0';\n"
        "    const char *secret[] = { \"kit/hidden.o\", \"hidden-out/tests-hidden\" };\n"
        "    char exe[4096];\n"
        "    ssize_t e = readlink(\"/proc/self/exe\", exe, sizeof exe - 1);\n"
        "    int hidden = e > 0 && (exe[e] = '\\0', strstr(exe, \"tests-hidden\") != NULL);\n"
        "    for (int s = 0; dir[0] != '\\0' && s < 2; s++) {\n"
        "        snprintf(path, sizeof path, \"%s/%s\", dir, secret[s]);\n"
        "        if (access(path, R_OK) == 0 || (s == 1 && !hidden && access(path, X_OK) == 0))\n"
        "            return -1;\n"
        "    }\n",
        "add_include", "fcntl.h", "unistd.h", "string.h", "stdio.h");
    char *sub = kt_mutant_submission(lab, m);
    /* A hidden test too, so that the hidden tests' program is built. */
    const char *tests[] = { "read_line_basic", "read_line_exact_fit", NULL };
    struct sg_grade g;
    kt_grade_some(sub, lab, tests, 0, &g);
    ck_assert_msg(strstr(g.sandbox, "NO NAMESPACES") != NULL || strstr(g.sandbox, "NO SANDBOX"),
                  "ran in: %s", g.sandbox);
    ck_assert_msg(g.labs[0].state == SG_LAB_GRADED && g.labs[0].ntests == 2 &&
                      g.labs[0].tests[0].passed && g.labs[0].tests[1].passed,
                  "a test could read the hidden tests' object or program: %s",
                  kt_first_failure(&g.labs[0]));
    sg_grade_free(&g);
    kt_rmtree(sub);
    free(sub);
    json_decref(m);
}
END_TEST

START_TEST(what_a_hidden_test_leaves_never_reaches_the_memory_check)
{
    /* Without bubblewrap, where namespaces count each test's processes
     * apart, a submission's tests run side by side as its own uid, and
     * what they leave in /tmp is swept when the submission is done. The
     * memory check runs the student's code after the hidden tests and
     * reports what it prints as findings: a hidden test's file of the
     * hidden program's strings came back as findings the student reads
     * (an attacker's review). Here the hidden test leaves a file, and
     * the memory check's run, finding it, prints a forged finding. */
    if (geteuid() != 0)
        return; /* not root: no uid of the submission's own */
    kt_no_sandbox = true;
    kt_memcheck = true;
    const char *lab = "01-shared-buffer";
    char stash[64];
    snprintf(stash, sizeof stash, "/tmp/kt-stash-%ld", (long)getpid());
    struct sg_buf code = SG_BUF_INIT;
    sg_buf_printf(&code,
                  "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n"
                  "    {\n"
                  "        char exe[4096];\n"
                  "        ssize_t e = readlink(\"/proc/self/exe\", exe, sizeof exe - 1);\n"
                  "        if (e > 0 && (exe[e] = '\\0', strstr(exe, \"tests-hidden\") != NULL))\n"
                  "            close(open(\"%s\", O_WRONLY | O_CREAT, 0644));\n"
                  "        else if (access(\"%s\", F_OK) == 0)\n"
                  "            printf(\"mc: descriptor STASHED-BY-A-HIDDEN-TEST\\n\"), fflush(stdout);\n"
                  "    }\n",
                  stash, stash);
    json_t *m = json_pack("{s:[[s,s]], s:[s,s,s,s]}", "replace",
                          "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n", code.data,
                          "add_include", "fcntl.h", "unistd.h", "string.h", "stdio.h");
    char *sub = kt_mutant_submission(lab, m);
    const char *tests[] = { "read_line_exact_fit", "memcheck", NULL };
    struct sg_grade g;
    kt_grade_some(sub, lab, tests, 0, &g);
    ck_assert_msg(strstr(g.sandbox, "NO SANDBOX") != NULL || strstr(g.sandbox, "NO NAMESPACES"),
                  "ran in: %s", g.sandbox);
    ck_assert_msg(g.labs[0].state == SG_LAB_GRADED && g.labs[0].ntests == 2,
                  "not graded: %s", kt_first_failure(&g.labs[0]));
    for (size_t k = 0; k < g.labs[0].ntests; k++) {
        const struct sg_test_result *t = &g.labs[0].tests[k];
        char *text = kt_test_text(t);
        ck_assert_msg(strstr(text, "STASHED") == NULL &&
                          (t->output == NULL || strstr(t->output, "STASHED") == NULL),
                      "what a hidden test left reached %s: %s", t->name, text);
        free(text);
    }
    ck_assert_msg(access(stash, F_OK) == -1, "%s was left behind", stash);
    sg_grade_free(&g);
    kt_rmtree(sub);
    free(sub);
    sg_buf_free(&code);
    json_decref(m);
}
END_TEST

/* Alone (kt_main.c): it compares the machine's segments before and after,
 * and its fallback runs without the sandbox, sharing the user's process budget. */
START_TEST(solutions_score_full_marks_from_a_deep_folder_on_disk)
{
    /* Without bubblewrap a test's TMPDIR is its own folder on disk, under
     * the grader's scratch folder: as deep as the instructor's TMPDIR and
     * the test's name make it. A lab's test that put it in a 96-byte
     * buffer failed a correct student there ("mkdtemp failed"). */
    char *top = kt_tempdir();
    struct sg_buf deep = SG_BUF_INIT;
    sg_buf_printf(&deep, "%s/%0150d", top, 0);
    ck_assert_int_eq(mkdir(deep.data, 0755), 0);
    const char *before = getenv("TMPDIR");
    char *saved = before ? strdup(before) : NULL;
    ck_assert_int_eq(setenv("TMPDIR", deep.data, 1), 0);
    const char *args[] = { "--hidden", "--no-sandbox", "solutions", NULL };
    char *out;
    int rc = kt_shmgrade(args, &out);
    if (saved != NULL)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(strstr(out, "(100.0 %)") != NULL, "from %s:\n%s", deep.data, out);
    free(out);
    sg_buf_free(&deep);
    kt_rmtree(top);
    free(top);
}
END_TEST

void kt_add_leaks(Suite *s)
{
    TCase *tc = tcase_create("leaks");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, leaked_segments_never_outlive_grading, 0, 2);
    tcase_add_loop_test(tc, posix_objects_never_outlive_grading, 0, 2);
    tcase_add_loop_test(tc, an_interrupted_grading_leaves_nothing_behind, 0, 4);
    tcase_add_test(tc, the_hidden_tests_stay_unreadable_without_the_sandbox);
    tcase_add_test(tc, what_a_hidden_test_leaves_never_reaches_the_memory_check);
    /* Without the sandbox, as an ordinary user, its tests share the user's
     * process budget with whatever else runs: not beside the lanes (in
     * three lanes it once could not start a test). */
    tcase_add_test(tc, solutions_score_full_marks_from_a_deep_folder_on_disk);
    suite_add_tcase(s, tc);
}
