/* kt_platforms.c — the student kit and the platforms' packages. */
#include "kt.h"

static json_t *kt_hidden_names(const char *lab);

/* Gradescope's results.json, checked against the fields and values its documentation gives. */
static void kt_require_gradescope_results(const char *path, bool full_marks)
{
    json_error_t jerr;
    json_t *r = json_load_file(path, 0, &jerr);
    ck_assert_msg(r != NULL, "%s: %s", path, jerr.text);
    const char *visibilities[] = { "hidden", "after_due_date", "after_published", "visible" };
    const char *keys[] = { "visibility", "stdout_visibility" };
    for (size_t k = 0; k < 2; k++) {
        json_t *v = json_object_get(r, keys[k]);
        bool ok = v == NULL;
        for (size_t i = 0; i < 4 && !ok; i++)
            ok = json_is_string(v) && strcmp(json_string_value(v), visibilities[i]) == 0;
        ck_assert_msg(ok, "%s: bad %s", path, keys[k]);
    }
    ck_assert(json_is_number(json_object_get(r, "score")));
    ck_assert(json_object_get(r, "execution_time") == NULL ||
              json_is_number(json_object_get(r, "execution_time")));
    ck_assert(json_is_string(json_object_get(r, "output")));
    ck_assert_str_eq(json_string_value(json_object_get(r, "output_format")), "md");
    json_t *tests = json_object_get(r, "tests");
    ck_assert_msg(json_is_array(tests) && json_array_size(tests) > 0, "%s: no tests", path);
    double sum = 0;
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t) {
        ck_assert(json_is_string(json_object_get(t, "name")));
        ck_assert(json_is_number(json_object_get(t, "score")));
        ck_assert(json_is_number(json_object_get(t, "max_score")));
        ck_assert(json_is_string(json_object_get(t, "output")));
        ck_assert(json_is_string(json_object_get(t, "number")));
        ck_assert_str_eq(json_string_value(json_object_get(t, "output_format")), "text");
        const char *status = json_string_value(json_object_get(t, "status"));
        ck_assert(status != NULL && (strcmp(status, "passed") == 0 || strcmp(status, "failed") == 0));
        const char *vis = json_string_value(json_object_get(t, "visibility"));
        bool ok = false;
        for (size_t k = 0; k < 4 && vis != NULL; k++)
            ok |= strcmp(vis, visibilities[k]) == 0;
        ck_assert_msg(ok, "test %zu has visibility %s", i, vis ? vis : "(none)");
        sum += json_number_value(json_object_get(t, "score"));
    }
    ck_assert(sum == json_number_value(json_object_get(r, "score")));
    if (full_marks)
        ck_assert_msg(json_number_value(json_object_get(r, "score")) ==
                          json_number_value(json_object_get(r, "max_score")),
                      "%s: not full marks", path);
    json_decref(r);
}

/* The Classroom step's output (the file output in t): its single result, as the reporter decodes it. */
static json_t *kt_classroom_result(const char *t, const char *output)
{
    struct sg_buf sh = SG_BUF_INIT;
    sg_buf_printf(&sh, "cd '%s' && test $(grep -c '^result=' '%s') = 1 && "
                       "sed -n 's/^result=//p' '%s' | base64 -d > '%s.json'",
                  t, output, output, output);
    char *out;
    ck_assert_msg(kt_sh(sh.data, &out) == 0, "no single base64 result in $GITHUB_OUTPUT: %s", out);
    free(out);
    sg_buf_free(&sh);
    sg_buf_printf(&sh, "%s/%s.json", t, output);
    json_error_t jerr;
    json_t *r = json_load_file(sh.data, 0, &jerr);
    ck_assert_msg(r != NULL, "the decoded result: %s", jerr.text);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "version")), 1);
    sg_buf_free(&sh);
    return r;
}

/* The points Classroom shows for a result: the sum of the tests' scores. */
static double kt_classroom_points(json_t *r)
{
    double points = 0;
    size_t i;
    json_t *test;
    json_array_foreach(json_object_get(r, "tests"), i, test)
        points += json_number_value(json_object_get(test, "score"));
    return points;
}

/* The skeletons' result, checked as the reporter reads it. */
static void kt_require_classroom_output(const char *t, const char *output)
{
    json_t *r = kt_classroom_result(t, output);
    /* The reporter: Classroom gets the sum of the tests' scores out of max_score, and the
     * job fails when the status is fail or error (skeletons: fail). */
    double max = json_number_value(json_object_get(r, "max_score")), points = kt_classroom_points(r);
    ck_assert_msg(max > 0 && points < max, "Classroom would show %g/%g", points, max);
    ck_assert_str_eq(json_string_value(json_object_get(r, "status")), "fail");
    json_decref(r);
}

/* A lab's points from its rubric in labs_dir, hidden tests included when hidden (no memory check). */
static double kt_lab_points(const char *labs_dir, const char *lab, bool hidden)
{
    struct sg_rubric r;
    struct sg_buf err = SG_BUF_INIT;
    ck_assert_msg(sg_rubric_load(labs_dir, lab, hidden, &r, &err) == 0, "%s", err.data);
    double points = 0;
    for (size_t i = 0; i < r.ntests; i++)
        points += r.tests[i].points;
    sg_rubric_free(&r);
    sg_buf_free(&err);
    return points;
}

/* Each of lines (NULL-terminated) is in text. */
static void kt_require_lines(const char *file, const char *text, const char *const *lines)
{
    for (const char *const *l = lines; *l != NULL; l++)
        ck_assert_msg(strstr(text, *l) != NULL, "%s lacks: %s", file, *l);
}

START_TEST(classroom_workflow_follows_the_generated_one)
{
    /* GitHub Actions cannot run here: the workflow's structure is checked. */
    char *yml = kt_read("platforms/github-classroom/classroom.yml", NULL);
    const char *lines[] = {
        "\n  - push\n", "\n  - repository_dispatch\n", "\npermissions:\n  checks: write\n",
        "  actions: read\n", "  contents: read\n",
        "    if: github.actor != 'github-classroom[bot]'\n",
        "        id: shmlab\n        run: scripts/classroom-grade.sh work\n",
        "        uses: classroom-resources/autograding-grading-reporter@v1\n",
        "          SHMLAB_RESULTS: \"${{ steps.shmlab.outputs.result }}\"\n",
        "          runners: shmlab\n", NULL,
    };
    kt_require_lines("classroom.yml", yml, lines);
    ck_assert_msg(strstr(yml, "education/autograding") == NULL, "the archived action is used");
    ck_assert_msg(strchr(yml, '\t') == NULL, "YAML has no tabs");
    free(yml);
}
END_TEST

/* The apt packages scripts/install-deps.sh needs ("need PKG ..."), NULL-terminated. */
static char **kt_needed_packages(void)
{
    char *text = kt_read("scripts/install-deps.sh", NULL);
    char **pkgs = calloc(64, sizeof *pkgs);
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line != NULL && n < 63; line = strtok(NULL, "\n")) {
        char pkg[64];
        if (strncmp(line, "need ", 5) == 0 && sscanf(line + 5, "%63s", pkg) == 1)
            pkgs[n++] = strdup(pkg);
    }
    free(text);
    ck_assert_msg(n > 5, "install-deps.sh names %zu packages", n);
    return pkgs;
}

START_TEST(dockerfiles_install_and_build_the_kit)
{
    /* Docker cannot run here: each grading image's Dockerfile is checked. */
    const char *files[] = { "platforms/autolab/Dockerfile", "platforms/prairielearn/Dockerfile" };
    char **pkgs = kt_needed_packages();
    for (size_t f = 0; f < 2; f++) {
        char *text = kt_read(files[f], NULL);
        ck_assert_msg(strstr(text, "\nFROM ubuntu:") != NULL, "%s: not an Ubuntu image", files[f]);
        char *install = strstr(text, "apt-get install -y");
        ck_assert_msg(install != NULL, "%s installs nothing", files[f]);
        char *end = strstr(install, "&& rm -rf /var/lib/apt/lists/*");
        ck_assert(end != NULL);
        for (char **p = pkgs; *p != NULL; p++) {
            struct sg_buf word = SG_BUF_INIT;
            sg_buf_printf(&word, " %s \\\n", *p);
            char *at = strstr(install, word.data);
            ck_assert_msg(at != NULL && at < end, "%s does not install %s", files[f], *p);
            sg_buf_free(&word);
        }
        const char *built[] = { "&& make -C /opt/shmlab all \\\n",
                                "/opt/shmlab/grader/shmgrade --list-labs", NULL };
        kt_require_lines(files[f], text, built);
        free(text);
    }
    char *autolab = kt_read(files[0], NULL);
    const char *tango[] = { "useradd autograde", "chown autograde:autograde autograde",
                            "cp /tmp/Tango/autodriver/autodriver /usr/bin/autodriver",
                            "chmod +s /usr/bin/autodriver", "COPY autograde.tar ", NULL };
    kt_require_lines(files[0], autolab, tango);
    free(autolab);
    char *pl = kt_read(files[1], NULL);
    const char *kit[] = { "COPY shmlab-kit.tar ", NULL };
    kt_require_lines(files[1], pl, kit);
    free(pl);
    for (char **p = pkgs; *p != NULL; p++)
        free(*p);
    free(pkgs);
}
END_TEST

START_TEST(student_kit_has_no_answers_and_grades_work)
{
    char *t = kt_tempdir();
    struct sg_buf sh = SG_BUF_INIT;
    char *out;
    /* Packages hold the kit's own folders only: a class graded beside them
     * (submissions/, grades/) went into the student kit, untracked files
     * included, in a checkout and outside one. */
    sg_buf_printf(&sh, "cd '%s' && mkdir -p k/labs/01-x k/submissions/ann k/grades && cd k && "
                       "touch labs/01-x/new.c submissions/ann/x.c grades/gradebook.csv Makefile && "
                       ". '%s/scripts/kit-files.sh' && kit_files | sort | tr '\\n' ' ' && "
                       "git init -q . && git add Makefile && echo '|' && "
                       "kit_files | sort | tr '\\n' ' '", t, kt_root);
    ck_assert_int_eq(kt_sh(sh.data, &out), 0);
    ck_assert_msg(strcmp(out, "Makefile labs/01-x/new.c |\nMakefile labs/01-x/new.c ") == 0,
                  "the kit's files: %s", out);
    free(out);
    sh.len = 0;
    sg_buf_printf(&sh, "scripts/make-dist.sh '%s/kit.tar.gz' >/dev/null && tar tzf '%s/kit.tar.gz'", t, t);
    ck_assert_int_eq(kt_sh(sh.data, &out), 0);
    const char *forbidden[] = { "shmlab-student/solutions/", "/hidden/", "shmlab-student/tests/",
                                "corpus", "shmlab-student/.ci/", "shmlab-student/skeletons/" };
    for (size_t i = 0; i < sizeof forbidden / sizeof *forbidden; i++)
        ck_assert_msg(strstr(out, forbidden[i]) == NULL, "the student kit holds %s",
                      forbidden[i]);
    ck_assert_msg(strstr(out, "shmlab-student/work/01-shared-buffer/shared_buffer.c") != NULL,
                  "no working file for lab 01");
    for (char **l = kt_labs; *l != NULL; l++) {
        struct sg_buf page = SG_BUF_INIT;
        sg_buf_printf(&page, "shmlab-student/handouts/html/%s.html", *l);
        ck_assert_msg(strstr(out, page.data) != NULL, "no rendered handout %s", page.data);
        sg_buf_free(&page);
    }
    free(out);
    sh.len = 0;
    /* No file of the student kit names a hidden test (the grader's comments did). */
    struct sg_buf names = SG_BUF_INIT;
    for (char **l = kt_labs; *l != NULL; l++) {
        json_t *hidden = kt_hidden_names(*l);
        size_t k;
        json_t *name;
        json_array_foreach(hidden, k, name)
            sg_buf_printf(&names, "%s\n", json_string_value(name));
        json_decref(hidden);
    }
    char *names_file = kt_path(t, "hidden-names");
    kt_write(names_file, names.data ? names.data : "");
    sg_buf_printf(&sh, "cd '%s' && tar xzf kit.tar.gz && grep -rlw -F -f hidden-names shmlab-student",
                  t);
    ck_assert_msg(kt_sh(sh.data, &out) == 1, "the student kit names hidden tests:\n%s", out);
    free(out);
    free(names_file);
    sg_buf_free(&names);
    sh.len = 0;
    /* With a folder of the student's own named solutions/: it made the kit the
     * instructor's, whose make test failed to link (a platform review). */
    sg_buf_printf(&sh, "cd '%s/shmlab-student' && mkdir solutions && make test", t);
    int rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0 && strstr(out, "  total ") != NULL && strstr(out, "[hidden]") == NULL,
                  "make test in the unpacked student kit (status %d):\n%s", rc, kt_tail(out));
    ck_assert_msg(strstr(out, "not the ones it came with") == NULL, "%s", kt_tail(out));
    free(out);
    /* A header edited to match the student's file: full marks here, a
     * compile error at the instructor's (a student-kit review). Said. */
    sh.len = 0;
    sg_buf_printf(&sh, "cd '%s/shmlab-student' && echo '/* mine */' >> labs/01-shared-buffer/"
                       "shared_buffer.h && scripts/check-kit-files.sh 2>&1", t);
    rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0 && strstr(out, "not the ones it came with") != NULL &&
                      strstr(out, "labs/01-shared-buffer/shared_buffer.h") != NULL,
                  "an edited header (status %d):\n%s", rc, out);
    free(out);

    /* GitHub Classroom's grading step, as the workflow runs it in the student's repository. */
    sh.len = 0;
    sg_buf_printf(&sh, "cd '%s/shmlab-student' && GITHUB_OUTPUT='%s/output' "
                       "scripts/classroom-grade.sh work", t, t);
    rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0 && strstr(out, "  total ") != NULL, "the Classroom step (%d):\n%s",
                  rc, kt_tail(out));
    free(out);
    kt_require_classroom_output(t, "output");

    /* A course that grades one lab (LABS in the step's env): the points are out of that
     * lab's only (out of every lab's, lab 01 done showed "Points 40/198"), and that lab
     * alone is graded. */
    sh.len = 0;
    sg_buf_printf(&sh, "cd '%s/shmlab-student' && LABS=%s GITHUB_OUTPUT='%s/output-one' "
                       "scripts/classroom-grade.sh work", t, kt_labs[0], t);
    rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0 && strstr(out, "  total ") != NULL, "the one-lab Classroom step (%d):\n%s",
                  rc, kt_tail(out));
    free(out);
    kt_require_classroom_output(t, "output-one");
    json_t *r = kt_classroom_result(t, "output-one");
    char *labs_dir = kt_path(t, "shmlab-student/labs");
    double lab_max = kt_lab_points(labs_dir, kt_labs[0], false);
    ck_assert_msg(json_number_value(json_object_get(r, "max_score")) == lab_max,
                  "one lab: max_score %g, the lab's points %g",
                  json_number_value(json_object_get(r, "max_score")), lab_max);
    size_t i;
    json_t *test;
    json_array_foreach(json_object_get(r, "tests"), i, test)
        ck_assert_msg(strncmp(json_string_value(json_object_get(test, "name")), kt_labs[0],
                              strlen(kt_labs[0])) == 0,
                      "one lab: a test of another lab: %s",
                      json_string_value(json_object_get(test, "name")));
    json_decref(r);
    free(labs_dir);

    /* A name that is not a lab of the kit: an error result that says so, no points, and no
     * grading of every lab. */
    sh.len = 0;
    sg_buf_printf(&sh, "cd '%s/shmlab-student' && LABS='%s 01' GITHUB_OUTPUT='%s/output-bad' "
                       "scripts/classroom-grade.sh work", t, kt_labs[0], t);
    rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0 && strstr(out, "LABS names '01', which is not a lab of this kit") &&
                      strstr(out, "  total ") == NULL,
                  "the Classroom step with a bad LABS (%d):\n%s", rc, kt_tail(out));
    free(out);
    r = kt_classroom_result(t, "output-bad");
    ck_assert_str_eq(json_string_value(json_object_get(r, "status")), "error");
    ck_assert(json_number_value(json_object_get(r, "max_score")) == 0 && kt_classroom_points(r) == 0);
    const char *message =
        json_string_value(json_object_get(json_array_get(json_object_get(r, "tests"), 0), "message"));
    ck_assert_msg(message != NULL && strstr(message, "LABS names '01', which is not a lab of this kit"),
                  "the error result does not say why: %s", message ? message : "(none)");
    json_decref(r);

    /* The student's file moved to the top of the repository, work/ gone: it
     * is graded there (the grader failed, "work is not a folder", and the
     * student read only that the grader failed: a platform review). */
    char *file = kt_lab_file(kt_labs[0]);
    sh.len = 0;
    sg_buf_printf(&sh, "cd '%s/shmlab-student' && mv work/%s/%s . && rm -r work && LABS=%s "
                       "GITHUB_OUTPUT='%s/output-top' scripts/classroom-grade.sh work",
                  t, kt_labs[0], file, kt_labs[0], t);
    rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0 && strstr(out, "  total ") != NULL && strstr(out, "no folder work/"),
                  "the Classroom step without work/ (%d):\n%s", rc, kt_tail(out));
    free(out);
    r = kt_classroom_result(t, "output-top");
    ck_assert_msg(strcmp(json_string_value(json_object_get(r, "status")), "error") != 0 &&
                      json_number_value(json_object_get(r, "max_score")) == lab_max,
                  "without work/, the files at the top were not graded");
    json_decref(r);
    free(file);
    sg_buf_free(&sh);
    kt_rmtree(t);
    free(t);
}
END_TEST

START_TEST(gradescope_package_runs_in_a_simulated_autograder)
{
    char *t = kt_tempdir();
    struct sg_buf sh = SG_BUF_INIT;
    sg_buf_printf(&sh,
                  "set -e; scripts/make-package.sh gradescope '%s/pkg' >/dev/null; "
                  "mkdir -p '%s/ag/source' '%s/ag/submission'; cd '%s/ag/source'; "
                  "unzip -q '%s/pkg/shmlab-gradescope.zip'; "
                  "test ! -e solutions; test ! -e graded-labs; "
                  "test -e labs/01-shared-buffer/hidden/rubric.json; "
                  "AUTOGRADER_ROOT='%s/ag' bash setup.sh >/dev/null; "
                  "mkdir -p '%s/ag/submission/shmlab-student/work'; "
                  "cp -r '%s/solutions/.' '%s/ag/submission/shmlab-student/work/'; "
                  "echo '{\"previous_submissions\": []}' > '%s/ag/submission_metadata.json'; "
                  "chmod 644 '%s/ag/submission_metadata.json'; "
                  "AUTOGRADER_ROOT='%s/ag' ./run_autograder",
                  t, t, t, t, t, t, t, kt_root, t, t, t, t);
    char *out;
    int rc = kt_sh(sh.data, &out);
    /* The metadata holds the previous results, hidden tests and all: the grader's alone. */
    char *metadata = kt_path(t, "ag/submission_metadata.json");
    struct stat mst;
    ck_assert_msg(stat(metadata, &mst) == 0 && (mst.st_mode & 077) == 0,
                  "submission_metadata.json is open to the tests' users: mode %o",
                  (unsigned)mst.st_mode & 0777);
    free(metadata);
    /* The student kit uploaded whole: work/NN-name/ one folder down; the report in the log. */
    ck_assert_msg(rc == 0, "the simulated Gradescope run failed (%d):\n%s", rc, kt_tail(out));
    ck_assert_msg(strstr(out, "(100.0 %)") != NULL, "no text report in the log:\n%s",
                  kt_tail(out));
    char *results = kt_path(t, "ag/results/results.json");
    kt_require_gradescope_results(results, true);
    free(out);

    /* An assignment for one lab (make gradescope LABS=...), the whole kit uploaded: scored
     * out of that lab's points, hidden tests included, not every lab's. The
     * one-lab package differs from the one above only by its graded-labs (and KIT-ID), so
     * that file alone is taken from it: the kit is not built twice. */
    sh.len = 0;
    sg_buf_printf(&sh,
                  "set -e; LABS=%s scripts/make-package.sh gradescope '%s/pkg' | grep -x 'grades: %s'; "
                  "cd '%s/ag/source'; unzip -q '%s/pkg/shmlab-gradescope-labs-%.2s.zip' graded-labs; "
                  "AUTOGRADER_ROOT='%s/ag' ./run_autograder",
                  kt_labs[0], t, kt_labs[0], t, t, kt_labs[0], t);
    rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0 && strstr(out, "(100.0 %)") != NULL,
                  "the one-lab Gradescope run failed (%d):\n%s", rc, kt_tail(out));
    free(out);
    kt_require_gradescope_results(results, true);
    json_t *r = json_load_file(results, 0, NULL);
    char *labs_dir = kt_path(kt_root, "labs");
    double lab_max = kt_lab_points(labs_dir, kt_labs[0], true), tests_max = 0;
    size_t i;
    json_t *test;
    json_array_foreach(json_object_get(r, "tests"), i, test)
        tests_max += json_number_value(json_object_get(test, "max_score"));
    ck_assert_msg(json_number_value(json_object_get(r, "max_score")) == lab_max && tests_max == lab_max,
                  "one lab: max_score %g, the tests' %g, the lab's points %g",
                  json_number_value(json_object_get(r, "max_score")), tests_max, lab_max);
    json_decref(r);
    free(labs_dir);

    /* A name that is not a lab: no package; and a graded-labs edited to one fails the
     * upload (setup.sh, before it builds anything) and every grading, with no results. */
    sh.len = 0;
    sg_buf_printf(&sh,
                  "LABS='%s 01' scripts/make-package.sh gradescope '%s/bad'; echo \"status $?\"; "
                  "ls '%s/bad'; cd '%s/ag/source'; echo 99-nope > graded-labs; "
                  "AUTOGRADER_ROOT='%s/ag' bash setup.sh; echo \"setup $?\"; "
                  "AUTOGRADER_ROOT='%s/ag' ./run_autograder; echo \"run $?\"; "
                  "test ! -e '%s/ag/results/results.json' && echo 'no results'",
                  kt_labs[0], t, t, t, t, t, t);
    rc = kt_sh(sh.data, &out);
    const char *expected[] = {
        "make-package: LABS names '01', which is not a lab of this kit", "\nstatus 2\n",
        "graded-labs names '99-nope', which is not a lab of this kit", "\nsetup 1\n",
        "\nrun 1\nno results\n", NULL,
    };
    kt_require_lines("the misconfigured Gradescope packages' output", out, expected);
    ck_assert_msg(strstr(out, ".zip") == NULL && strstr(out, "total") == NULL,
                  "a misconfigured package was made or graded:\n%s", kt_tail(out));
    free(out);
    free(results);
    sg_buf_free(&sh);
    kt_rmtree(t);
    free(t);
}
END_TEST

/* The last line of text, parsed: Autolab's autoresult. */
static json_t *kt_autoresult(char *text)
{
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == '\n')
        text[--len] = '\0';
    char *last = strrchr(text, '\n');
    json_error_t jerr;
    json_t *r = json_loads(last ? last + 1 : text, 0, &jerr);
    ck_assert_msg(r != NULL, "the last line is not Autolab's scores: %s\n%s", jerr.text,
                  kt_tail(text));
    ck_assert_msg(json_is_object(json_object_get(r, "scores")) && json_object_size(r) == 1,
                  "the last line is not Autolab's scores:\n%s", kt_tail(text));
    return r;
}

/* Runs Autolab's make in a fresh job folder of t with handin.tar made by handin (shell). */
static char *kt_autolab_job(const char *t, const char *name, const char *handin,
                            const char *make_args)
{
    struct sg_buf sh = SG_BUF_INIT;
    sg_buf_printf(&sh,
                  "set -e; mkdir '%s/%s'; cd '%s/%s'; cp ../al/autograde-Makefile Makefile; "
                  "cp ../al/autograde.tar .; %s; make %s",
                  t, name, t, name, handin, make_args);
    char *out;
    int rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0, "Autolab's make failed (%d), and Autolab would read nothing:\n%s", rc,
                  kt_tail(out));
    sg_buf_free(&sh);
    return out;
}

/* The hidden tests' names of a lab, from its hidden rubric. */
static json_t *kt_hidden_names(const char *lab)
{
    struct sg_buf p = SG_BUF_INIT;
    sg_buf_printf(&p, "labs/%s/hidden/rubric.json", lab);
    json_t *r = json_load_file(p.data, 0, NULL);
    sg_buf_free(&p);
    json_t *names = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(r, "tests"), i, t)
        json_array_append(names, json_object_get(t, "name"));
    json_decref(r);
    return names;
}

/*
 * A shell command that gives the kit unpacked in dir the objects of the
 * kit's own build, newer than every source there, so that its `make build`
 * compiles only what differs (the version header) instead of about a
 * hundred files: half a minute of CPU each for Autolab's and PrairieLearn's
 * images. Their packages hold the same files as Gradescope's, whose kit
 * its test builds from nothing, as Gradescope's setup.sh does; what these
 * tests are about is how each platform runs the grader.
 */
static char *kt_seed_build(const char *dir)
{
    struct sg_buf sh = SG_BUF_INIT;
    sg_buf_printf(&sh, "mkdir -p '%s/build' && cp -R '%s/build/kit' '%s/build/kit' && "
                       "find '%s/build' -exec touch {} +",
                  dir, kt_root, dir, dir);
    return sg_buf_take(&sh);
}

START_TEST(autolab_package_runs_as_autolab_runs_it)
{
    char *t = kt_tempdir();
    struct sg_buf sh = SG_BUF_INIT;
    /* The package, and the grading image's kit built as its Dockerfile builds it. */
    char *image_kit = kt_path(t, "image/shmlab"), *seed = kt_seed_build(image_kit);
    sg_buf_printf(&sh,
                  "set -e; scripts/make-package.sh autolab '%s/al' >/dev/null; "
                  "mkdir '%s/image'; tar -xf '%s/al/autograde.tar' -C '%s/image' shmlab; "
                  "%s; make -C '%s' build >/dev/null",
                  t, t, t, t, seed, image_kit);
    free(seed);
    free(image_kit);
    char *out;
    int rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0, "the package or its image's kit (%d):\n%s", rc, kt_tail(out));
    free(out);
    struct sg_buf image = SG_BUF_INIT;
    sg_buf_printf(&image, "SHMLAB_IMAGE_KIT='%s/image/shmlab'", t);

    /* A one-lab assessment, the handin in the student kit's layout, one folder down. */
    struct sg_buf make = SG_BUF_INIT, handin = SG_BUF_INIT;
    sg_buf_printf(&make, "LABS=%s %s", kt_labs[0], image.data);
    sg_buf_printf(&handin, "mkdir -p h/kit/work; cp -r '%s/solutions/.' h/kit/work/; "
                           "tar cf handin.tar -C h kit", kt_root);
    out = kt_autolab_job(t, "one-lab", handin.data, make.data);
    ck_assert_msg(strstr(out, "building it here") == NULL, "the image's kit was not used:\n%s",
                  kt_tail(out));
    /* The job's folder holds autograde.tar, hidden tests and all: the tests'
     * other uids could read it, and print it in a public test's output. */
    char *job = kt_path(t, "one-lab"), *copy = kt_path(job, "shmlab/labs");
    struct stat jst;
    ck_assert_msg(stat(job, &jst) == 0 && (jst.st_mode & 077) == 0,
                  "Autolab's job folder is open to others: mode %o", (unsigned)jst.st_mode & 0777);
    struct sg_buf left = SG_BUF_INIT;
    sg_buf_printf(&left, "%s/%s/hidden", copy, kt_labs[0]);
    ck_assert_msg(access(left.data, F_OK) == -1, "%s is left beside the image's kit", left.data);
    sg_buf_free(&left);
    free(copy);
    free(job);
    json_t *hidden = kt_hidden_names(kt_labs[0]);
    size_t i;
    json_t *name;
    json_array_foreach(hidden, i, name)
        ck_assert_msg(strstr(out, json_string_value(name)) == NULL,
                      "Autolab's output names the hidden test %s", json_string_value(name));
    ck_assert_msg(json_array_size(hidden) == 0 || strstr(out, "hidden tests, ") != NULL,
                  "no count of the hidden tests:\n%s", kt_tail(out));
    json_decref(hidden);
    json_t *r = kt_autoresult(out);
    json_t *scores = json_object_get(r, "scores");
    ck_assert_msg(json_object_size(scores) == 1 && json_object_get(scores, kt_labs[0]) != NULL,
                  "a one-lab assessment gets other problems: %s", kt_tail(out));
    ck_assert_msg(strstr(out, "(100.0 %)") != NULL, "not full marks:\n%s", kt_tail(out));
    json_decref(r);
    free(out);

    /* Every lab, one of them not compiling: a score for each, the compiler's reason above. */
    handin.len = 0;
    sg_buf_printf(&handin, "mkdir h; cp -r '%s/solutions/.' h/; echo 'int x(' > h/%s/$(ls h/%s); "
                           "tar cf handin.tar -C h .",
                  kt_root, kt_labs[kt_nlabs - 1], kt_labs[kt_nlabs - 1]);
    out = kt_autolab_job(t, "all-labs", handin.data, image.data);
    r = kt_autoresult(out);
    scores = json_object_get(r, "scores");
    ck_assert_int_eq(json_object_size(scores), kt_nlabs);
    ck_assert(json_number_value(json_object_get(scores, kt_labs[kt_nlabs - 1])) == 0);
    ck_assert(json_number_value(json_object_get(scores, kt_labs[0])) > 0);
    ck_assert_msg(strstr(out, "compile error") != NULL, "%s", kt_tail(out));
    json_decref(r);
    free(out);

    /* A one-lab assessment whose handin file name is Autolab's default,
     * handin.c: the one .c file is that lab's (every lab "was missing"). */
    char *file = kt_lab_file(kt_labs[0]);
    handin.len = 0;
    sg_buf_printf(&handin, "cp '%s/solutions/%s/%s' handin.c", kt_root, kt_labs[0], file);
    out = kt_autolab_job(t, "handin-c", handin.data, make.data);
    ck_assert_msg(strstr(out, "is graded as") != NULL && strstr(out, "(100.0 %)") != NULL,
                  "handin.c in a one-lab assessment:\n%s", kt_tail(out));
    free(out);
    free(file);

    /* A link in handin.tar: refused, a zero for each lab and the reason. */
    out = kt_autolab_job(t, "linked", "mkdir h; ln -s /etc/passwd h/shared_buffer.c; "
                                      "tar cf handin.tar -C h .", image.data);
    ck_assert_msg(strstr(out, "links or special files, which are refused") != NULL, "%s",
                  kt_tail(out));
    r = kt_autoresult(out);
    ck_assert_int_eq(json_object_size(json_object_get(r, "scores")), kt_nlabs);
    json_decref(r);
    free(out);

    /* A handin that lists but cannot be laid out (a file, then a folder
     * of the same name): the handin's fault, zeros, not "no score". */
    out = kt_autolab_job(t, "unpackable", "echo x > work; tar cf handin.tar work; rm work; "
                                          "mkdir work; echo y > work/shared_buffer.c; "
                                          "tar rf handin.tar work/shared_buffer.c",
                         image.data);
    ck_assert_msg(strstr(out, "could not be unpacked") != NULL, "%s", kt_tail(out));
    r = kt_autoresult(out);
    ck_assert_int_eq(json_object_size(json_object_get(r, "scores")), kt_nlabs);
    json_decref(r);
    free(out);

    /* A handin made by macOS's tar, whose pax headers GNU tar warns about
     * (LIBARCHIVE.xattr.*): graded, not refused as holding special files. */
    handin.len = 0;
    sg_buf_printf(&handin, "mkdir -p h/work; cp -r '%s/solutions/%s' h/work/; "
                           "tar cf handin.tar --format=pax "
                           "--pax-option='LIBARCHIVE.xattr.com.apple.provenance:=AQAAAAAAAAA=' "
                           "-C h work",
                  kt_root, kt_labs[0]);
    out = kt_autolab_job(t, "from-a-mac", handin.data, make.data);
    ck_assert_msg(strstr(out, "(100.0 %)") != NULL, "a handin made on a Mac:\n%s", kt_tail(out));
    free(out);

    /* No image kit and a kit that cannot be built: the reason, and no score
     * at all (the grader's failure is not the student's score). */
    out = kt_autolab_job(t, "broken", "tar --delete -f autograde.tar shmlab/grader/src/shmgrade.c; "
                                      "mkdir h; tar cf handin.tar -C h .",
                         "SHMLAB_IMAGE_KIT=/nonexistent");
    ck_assert_msg(strstr(out, "The autograder could not be built") != NULL, "%s", kt_tail(out));
    r = kt_autoresult(out);
    ck_assert_msg(r != NULL && json_object_size(json_object_get(r, "scores")) == 0,
                  "a kit that could not be built gave scores:\n%s", kt_tail(out));
    json_decref(r);
    free(out);

    sg_buf_free(&make);
    sg_buf_free(&handin);
    sg_buf_free(&image);
    sg_buf_free(&sh);
    kt_rmtree(t);
    free(t);
}
END_TEST

START_TEST(prairielearn_package_grades_the_grade_folder)
{
    char *t = kt_tempdir();
    struct sg_buf sh = SG_BUF_INIT;
    /* The package, its kit built as its Dockerfile builds it, and a question per lab. */
    char *image_kit = kt_path(t, "opt/shmlab"), *seed = kt_seed_build(image_kit);
    sg_buf_printf(&sh,
                  "set -e; scripts/make-package.sh prairielearn '%s/pl' >/dev/null; "
                  "mkdir '%s/opt'; tar -xf '%s/pl/shmlab-kit.tar' -C '%s/opt' shmlab; "
                  "%s; make -C '%s' build >/dev/null",
                  t, t, t, t, seed, image_kit);
    free(seed);
    free(image_kit);
    char *out;
    int rc = kt_sh(sh.data, &out);
    ck_assert_msg(rc == 0, "the package or its image's kit (%d):\n%s", rc, kt_tail(out));
    free(out);
    for (char **l = kt_labs; *l != NULL; l++) {
        struct sg_buf q = SG_BUF_INIT;
        sg_buf_printf(&q, "%s/pl/questions/shmlab-%s/info.json", t, *l);
        json_error_t jerr;
        json_t *info = json_load_file(q.data, 0, &jerr);
        ck_assert_msg(info != NULL, "%s: %s", q.data, jerr.text);
        json_t *ego = json_object_get(info, "externalGradingOptions");
        ck_assert_str_eq(json_string_value(json_object_get(info, "gradingMethod")), "External");
        char entry[256];
        snprintf(entry, sizeof entry, "/opt/shmlab/pl-grade %s", *l);
        ck_assert_str_eq(json_string_value(json_object_get(ego, "entrypoint")), entry);
        ck_assert(json_is_string(json_object_get(ego, "image")) &&
                  json_integer_value(json_object_get(ego, "timeout")) <= 600);
        ck_assert(json_is_string(json_object_get(info, "uuid")));
        q.len = 0;
        sg_buf_printf(&q, "%s/pl/questions/shmlab-%s/question.html", t, *l);
        char *html = kt_read(q.data, NULL);
        char *file = kt_lab_file(*l);
        struct sg_buf upload = SG_BUF_INIT;
        sg_buf_printf(&upload, "<pl-file-upload file-names=\"%s\">", file);
        ck_assert_msg(strstr(html, upload.data) != NULL && strstr(html, "<pl-external-grader-results>"),
                      "%s", q.data);
        sg_buf_free(&upload);
        free(file);
        free(html);
        json_decref(info);
        sg_buf_free(&q);
    }

    /* PrairieLearn's /grade, simulated: the solution, then a file that does not compile. */
    const char *subs[] = { "solutions", NULL };
    for (int pass = 0; pass < 2; pass++) {
        sh.len = 0;
        sg_buf_printf(&sh,
                      "set -e; rm -rf '%s/grade'; mkdir -p '%s/grade/student'; "
                      "cp %s/%s/%s/*.c '%s/grade/student/'; "
                      "PL_GRADE_ROOT='%s/grade' '%s/opt/shmlab/pl-grade' %s",
                      t, t, kt_root, subs[0], kt_labs[0], t, t, t, kt_labs[0]);
        if (pass == 1) {
            /* The same, with the student's file replaced by one that does not compile. */
            sh.len = 0;
            sg_buf_printf(&sh,
                          "set -e; rm -rf '%s/grade'; mkdir -p '%s/grade/student'; "
                          "for f in %s/%s/%s/*.c; do echo 'int x(' > \"%s/grade/student/$(basename $f)\"; done; "
                          "PL_GRADE_ROOT='%s/grade' '%s/opt/shmlab/pl-grade' %s",
                          t, t, kt_root, subs[0], kt_labs[0], t, t, t, kt_labs[0]);
        }
        rc = kt_sh(sh.data, &out);
        ck_assert_msg(rc == 0, "pl-grade failed (%d):\n%s", rc, kt_tail(out));
        free(out);
        char *results = kt_path(t, "grade/results/results.json");
        json_error_t jerr;
        json_t *r = json_load_file(results, 0, &jerr);
        ck_assert_msg(r != NULL, "%s: %s", results, jerr.text);
        if (pass == 0) {
            ck_assert(json_is_true(json_object_get(r, "gradable")));
            ck_assert(json_number_value(json_object_get(r, "score")) == 1.0);
            ck_assert(json_array_size(json_object_get(r, "tests")) > 0);
        } else {
            ck_assert(json_is_false(json_object_get(r, "gradable")));
            ck_assert(json_array_size(json_object_get(r, "format_errors")) == 1);
        }
        json_decref(r);
        free(results);
    }
    sg_buf_free(&sh);
    kt_rmtree(t);
    free(t);
}
END_TEST

START_TEST(roster_makes_a_canvas_import)
{
    char *class = kt_tempdir();
    char *out = kt_tempdir();
    const char *one[] = { kt_labs[0], NULL };
    kt_student(class, "alice", one, true, "solutions");
    kt_student(class, "bob", one, false, "skeletons");
    kt_student(class, "mallory", one, false, "solutions");
    /* A Canvas export with a folder column added: a byte order mark, extra columns, and
     * Canvas's points row; carol has no submission, mallory no roster row. */
    char *roster = kt_path(out, "roster.csv");
    kt_write(roster, "\xef\xbb\xbfStudent,ID,SIS User ID,SIS Login ID,Section,folder,Lab 0 (1)\r\n"
                     "    Points Possible,,,,,,10\r\n"
                     "\"Liddell, Alice\",101,s101,alice@uni,L01,alice,\r\n"
                     "\"Builder, Bob\",102,s102,bob@uni,L02,bob,\r\n"
                     "\"Carol, Carol\",103,s103,carol@uni,L01,carol,\r\n"
                     "\"Twin, Bob\",104,s104,twin@uni,L02,bob,\r\n"
                     "@SUM(1+1),105,s105,sum@uni,=L03,nobody-here,\r\n");
    const char *args[] = { "--batch", class, "-o", out, "--lab", kt_labs[0], "--roster", roster,
                           NULL };
    char *stdout_text, *log;
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &log), 0);
    ck_assert_msg(strstr(log, "roster rows with no submission (empty in canvas.csv): 2") &&
                      strstr(log, "Carol, Carol") &&
                      strstr(log, "submissions with no roster row (not in canvas.csv): 1\n  mallory") &&
                      strstr(log, "name the same folder (all empty in canvas.csv; fix the "
                                  "roster): 1\n  rows 4 and 6: folder \"bob\""),
                  "%s", log);
    char *report_path = kt_path(out, "roster.txt");
    char *report = kt_read(report_path, NULL);
    ck_assert_msg(strstr(log, report) != NULL, "roster.txt is not what was said:\n%s", report);
    char *csv = kt_path(out, "canvas.csv");
    struct kt_csv *c = calloc(1, sizeof *c);
    kt_read_csv(csv, c);
    const char *header[] = { "Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                             kt_labs[0], "shmlab total" };
    for (int k = 0; k < 7; k++)
        ck_assert_str_eq(c->cells[0][k], header[k]);
    ck_assert_str_eq(c->cells[1][0], "Points Possible");
    ck_assert_str_eq(c->cells[1][6], "(read only)");
    ck_assert_int_eq(c->rows, 7);
    /* A name or section a spreadsheet would run as a formula is not one. */
    ck_assert_str_eq(c->cells[6][0], "'@SUM(1+1)");
    ck_assert_str_eq(c->cells[6][1], "105");
    ck_assert_str_eq(c->cells[6][4], "'=L03");
    ck_assert_str_eq(c->cells[2][0], "Liddell, Alice");
    ck_assert_str_eq(c->cells[2][3], "alice@uni");
    ck_assert_str_eq(c->cells[2][5], c->cells[1][5]); /* full marks */
    ck_assert_str_eq(c->cells[2][6], c->cells[1][5]);
    /* Bob's folder, named by two rows: neither gets the grade (it went to both). */
    ck_assert_str_eq(c->cells[3][5], "");
    ck_assert_str_eq(c->cells[5][0], "Twin, Bob");
    ck_assert_str_eq(c->cells[5][5], "");
    ck_assert_str_eq(c->cells[4][0], "Carol, Carol");
    ck_assert_str_eq(c->cells[4][5], ""); /* no submission: no change in Canvas */
    ck_assert_str_eq(c->cells[4][6], "");
    for (int r = 0; r < c->rows; r++)
        ck_assert_msg(strstr(c->cells[r][0], "mallory") == NULL, "mallory has no roster row");
    /* A roster without the folder column is a usage error that says so,
     * before any student is graded. */
    kt_write(roster, "Student,ID\r\nA,1\r\n");
    free(log);
    free(stdout_text);
    ck_assert_int_eq(kt_shmgrade_err(args, &stdout_text, &log), 2);
    ck_assert_msg(strstr(log, "no \"folder\" column") != NULL, "%s", log);
    ck_assert_msg(strstr(log, "alice") == NULL && strstr(stdout_text, "alice") == NULL,
                  "a class was graded before its roster was read:\n%s", log);
    free(c);
    free(csv);
    free(report);
    free(report_path);
    free(log);
    free(stdout_text);
    free(roster);
    kt_rmtree(class);
    kt_rmtree(out);
    free(class);
    free(out);
}
END_TEST

void kt_add_platforms(Suite *s)
{
    TCase *tc = tcase_create("platforms");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, student_kit_has_no_answers_and_grades_work);
    tcase_add_test(tc, gradescope_package_runs_in_a_simulated_autograder);
    tcase_add_test(tc, autolab_package_runs_as_autolab_runs_it);
    tcase_add_test(tc, prairielearn_package_grades_the_grade_folder);
    tcase_add_test(tc, classroom_workflow_follows_the_generated_one);
    tcase_add_test(tc, dockerfiles_install_and_build_the_kit);
    tcase_add_test(tc, roster_makes_a_canvas_import);
    suite_add_tcase(s, tc);
}
