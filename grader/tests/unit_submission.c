/* unit_submission.c — finding a lab's file in a submission, and the rubric. */
#include "sg_fs.h"
#include "sg_rubric.h"
#include "sg_submission.h"
#include "unit.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static void write_file(const char *rel, const char *text);

/* After each test (a checked fixture), and before a test makes another: the folder goes. */
static void remove_dir(void)
{
    if (dir[0] != '\0')
        sg_rmtree(dir);
    dir[0] = '\0';
}

static void make_dir(void)
{
    remove_dir();
    strcpy(dir, "/tmp/unit-sub.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* make_dir, with the lab's folder 01-x in it. */
static void make_lab_dir(void)
{
    make_dir();
    char lab[128];
    snprintf(lab, sizeof lab, "%s/01-x", dir);
    ck_assert_int_eq(mkdir(lab, 0700), 0);
}

static void touch(const char *rel, size_t size)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ne(fd, -1);
    ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
    close(fd);
}

START_TEST(mirrored_wins_over_flat)
{
    make_lab_dir();
    touch("01-x/x.c", 10);
    touch("x.c", 10);
    char *found = NULL;
    struct sg_buf why = SG_BUF_INIT;
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL), 0);
    ck_assert_ptr_nonnull(strstr(found, "01-x/x.c"));
    free(found);
}
END_TEST

/* A new folder with the kit's starting file (skeleton/x.c, path in
 * skeleton), as_found in the mirrored layout, and the student's own x.c
 * at the top. */
static void skeleton_beside_own(const char *starting, const char *as_found, char *skeleton,
                                size_t cap)
{
    make_lab_dir();
    char lab[128];
    snprintf(lab, sizeof lab, "%s/skeleton", dir);
    ck_assert_int_eq(mkdir(lab, 0700), 0);
    write_file("skeleton/x.c", starting);
    write_file("01-x/x.c", as_found);
    write_file("x.c", "int x(void) { return 42; }\n");
    snprintf(skeleton, cap, "%s/skeleton/x.c", dir);
}

/*
 * Requires the submission in dir to have its lab file graded at rel (below
 * dir), and the note to mention note_has unless NULL.
 */
static void expect_graded(const struct sg_find_opts *fo, const char *rel, const char *note_has)
{
    char *found = NULL, want[256];
    struct sg_buf why = SG_BUF_INIT, note = SG_BUF_INIT;
    snprintf(want, sizeof want, "%s/%s", dir, rel);
    ck_assert_msg(sg_submission_find(dir, "01-x", "x.c", fo, &found, NULL, &why, &note) == 0,
                  "%s", why.data ? why.data : "");
    ck_assert_str_eq(found, want);
    ck_assert_msg(note_has == NULL || (note.data != NULL && strstr(note.data, note_has) != NULL),
                  "the note does not say \"%s\": %s", note_has, note.data ? note.data : "");
    free(found);
    sg_buf_free(&why);
    sg_buf_free(&note);
}

/* The kit's untouched starting file in one layout gives way to the
 * student's own in another, and the report names both. */
START_TEST(an_unchanged_skeleton_gives_way_to_the_students_file)
{
    char skeleton[160];
    skeleton_beside_own("int x(void) { return -1; } /* TODO */\n",
                        "int x(void) { return -1; } /* TODO */\n", skeleton, sizeof skeleton);
    char lab[128];
    struct sg_find_opts fo = { .skeleton = skeleton };
    char *found = NULL;
    struct sg_buf why = SG_BUF_INIT, note = SG_BUF_INIT;
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", &fo, &found, NULL, &why, &note), 0);
    ck_assert_ptr_null(strstr(found, "01-x/x.c"));
    ck_assert_ptr_nonnull(strstr(note.data, "01-x/x.c (the kit's unchanged starting file)"));
    free(found);
    sg_buf_free(&note);

    /* Both the student's own: the first layout wins, as before, and the note says so. */
    write_file("01-x/x.c", "int x(void) { return 41; }\n");
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", &fo, &found, NULL, &why, &note), 0);
    ck_assert_ptr_nonnull(strstr(found, "01-x/x.c"));
    ck_assert_ptr_nonnull(strstr(note.data, "also found"));
    free(found);
    sg_buf_free(&note);

    /* Only the skeleton: it is graded (and fails), no note. */
    make_dir();
    snprintf(lab, sizeof lab, "%s/skeleton", dir);
    ck_assert_int_eq(mkdir(lab, 0700), 0);
    write_file("skeleton/x.c", "int x(void) { return -1; }\n");
    write_file("x.c", "int x(void) { return -1; }\n");
    snprintf(skeleton, sizeof skeleton, "%s/skeleton/x.c", dir);
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", &fo, &found, NULL, &why, &note), 0);
    ck_assert_uint_eq(note.len, 0);
    free(found);
    sg_buf_free(&why);
}
END_TEST

/* A starting file that a Windows checkout gave CRLF line ends and a
 * byte-order mark is still the unchanged one (a platform review: the
 * student's own file at the top went ungraded, 0 of 268.5). */
START_TEST(a_skeleton_with_crlf_line_ends_is_still_unchanged)
{
    char skeleton[160];
    skeleton_beside_own("/* x */\nint x(void) { return -1; }\n",
                        "\xef\xbb\xbf/* x */\r\nint x(void) { return -1; }\r\n\r\n", skeleton,
                        sizeof skeleton);
    struct sg_find_opts fo = { .skeleton = skeleton };
    char *found = NULL;
    struct sg_buf why = SG_BUF_INIT, note = SG_BUF_INIT;
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", &fo, &found, NULL, &why, &note), 0);
    ck_assert_ptr_null(strstr(found, "01-x/x.c"));
    ck_assert_ptr_nonnull(strstr(note.data, "(the kit's unchanged starting file)"));
    free(found);
    sg_buf_free(&note);

    /* A changed line is a change, whatever its line ends. */
    write_file("01-x/x.c", "/* x */\r\nint x(void) { return 0; }\r\n");
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", &fo, &found, NULL, &why, &note), 0);
    ck_assert_ptr_nonnull(strstr(found, "01-x/x.c"));
    free(found);
    sg_buf_free(&note);

    /* An earlier handout's starting file, whose comments and layout differ,
     * is a starting file too (an attacker's review: the finished file at
     * the top went ungraded, 0 of 53); a string that differs is code. */
    write_file("01-x/x.c", "// x, version 1\nint x(void)\n{\n    return -1; /* TODO */\n}\n");
    expect_graded(&fo, "x.c", NULL);
    write_file("skeleton/x.c", "const char *s = \"a b\"; /* \" */\n");
    write_file("01-x/x.c", "const char *s = \"ab\";\n");
    expect_graded(&fo, "01-x/x.c", NULL);

    /* An earlier release's starting file whose code differs is known by
     * the folder of earlier ones (lab 03's first skeleton set no errno). */
    char earlier[200];
    snprintf(earlier, sizeof earlier, "%s/earlier", dir);
    ck_assert_int_eq(mkdir(earlier, 0700), 0);
    write_file("earlier/x.c.v1", "const char *s = \"ab\";\n");
    fo.earlier = earlier;
    expect_graded(&fo, "x.c", "(the kit's unchanged starting file)");
    sg_buf_free(&why);
}
END_TEST

/* A missing file says where the student's file is, when it is somewhere
 * the grader does not look, or that an archive was submitted (a platform
 * review: each said only "is missing"). */
START_TEST(a_missing_file_says_where_it_was_found)
{
    make_dir();
    char sub[160];
    snprintf(sub, sizeof sub, "%s/02-y", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    write_file("02-y/x.c", "int x(void) { return 42; }\n");
    write_file("work.zip", "PK");
    char *found = NULL;
    struct sg_buf why = SG_BUF_INIT;
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL), -1);
    ck_assert_msg(strstr(why.data, "Found 02-y/x.c, where the grader does not look") != NULL,
                  "%s", why.data);
    sg_buf_free(&why);

    make_dir();
    write_file("work.tar.gz", "");
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL), -1);
    ck_assert_msg(strstr(why.data, "work.tar.gz, an archive") != NULL, "%s", why.data);
    sg_buf_free(&why);
}
END_TEST

/* A FIFO where the file should be is refused by its type, and never
 * opened (as a device node must not be: opening one can act on the
 * device); inotify sees every open. */
START_TEST(a_fifo_is_refused_before_it_is_opened)
{
    make_dir();
    char path[160];
    snprintf(path, sizeof path, "%s/x.c", dir);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    int watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    ck_assert_int_ne(watch, -1);
    ck_assert_int_ne(inotify_add_watch(watch, path, IN_OPEN), -1);
    char *found = NULL;
    struct sg_buf why = SG_BUF_INIT;
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL), -2);
    ck_assert_ptr_nonnull(strstr(why.data, "not a regular file"));
    char events[256];
    ck_assert_msg(read(watch, events, sizeof events) == -1, "the FIFO was opened");
    close(watch);
    sg_buf_free(&why);
}
END_TEST

/* A file there under a near name is named in the message, not graded. */
START_TEST(a_near_miss_is_named_when_the_file_is_missing)
{
    make_dir();
    touch("X.c", 10);
    char lab[128];
    snprintf(lab, sizeof lab, "%s/01-x", dir);
    ck_assert_int_eq(mkdir(lab, 0700), 0);
    touch("01-x/x.c.txt", 10);
    touch("01-x/y.c", 10);
    touch("x (1).c", 10);
    char *found = NULL;
    struct sg_buf why = SG_BUF_INIT;
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL), -1);
    ck_assert_msg(strstr(why.data, "Found ") && strstr(why.data, "X.c") &&
                      strstr(why.data, "01-x/x.c.txt") && strstr(why.data, "x (1).c") &&
                      !strstr(why.data, "y.c"),
                  "%s", why.data);
    sg_buf_free(&why);
}
END_TEST

START_TEST(a_renamed_file_in_the_labs_folder_is_named)
{
    /* "my_solution.c" in the lab's own folder, nothing like the file's
     * name: said, with the name to give it (a student-kit review). */
    make_lab_dir();
    touch("01-x/my_solution.c", 10);
    touch("01-x/notes.txt", 10);
    char *found = NULL;
    struct sg_buf why = SG_BUF_INIT;
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL), -1);
    ck_assert_msg(strstr(why.data, "Found 01-x/my_solution.c in the lab's folder") != NULL &&
                      strstr(why.data, "notes.txt") == NULL,
                  "%s", why.data);
    sg_buf_free(&why);
}
END_TEST

START_TEST(flat_is_found)
{
    make_dir();
    touch("x.c", 10);
    char *found = NULL;
    struct sg_buf why = SG_BUF_INIT;
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL), 0);
    free(found);
}
END_TEST

START_TEST(missing_names_the_file_and_both_places)
{
    make_dir();
    char *found = NULL;
    struct sg_buf why = SG_BUF_INIT;
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL), -1);
    ck_assert_ptr_nonnull(strstr(why.data, "x.c is missing"));
    ck_assert_ptr_nonnull(strstr(why.data, "01-x/x.c"));
    ck_assert_ptr_nonnull(strstr(why.data, "work/01-x/x.c"));
    sg_buf_free(&why);
}
END_TEST

START_TEST(links_folders_and_huge_files_are_refused)
{
    make_dir();
    char target[128], link[128];
    snprintf(target, sizeof target, "%s/real.c", dir);
    snprintf(link, sizeof link, "%s/x.c", dir);
    touch("real.c", 10);
    ck_assert_int_eq(symlink(target, link), 0);
    char *found = NULL;
    struct sg_buf why = SG_BUF_INIT;
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL), -2);
    ck_assert_ptr_nonnull(strstr(why.data, "symbolic link"));
    sg_buf_free(&why);

    touch("big.c", SG_SUBMISSION_FILE_MAX + 1);
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "big.c", NULL, &found, NULL, &why, NULL), -2);
    ck_assert_ptr_nonnull(strstr(why.data, "more than"));
    sg_buf_free(&why);

    snprintf(link, sizeof link, "%s/d.c", dir);
    ck_assert_int_eq(mkdir(link, 0700), 0);
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "d.c", NULL, &found, NULL, &why, NULL), -2);
    ck_assert_ptr_nonnull(strstr(why.data, "not a regular file"));
    sg_buf_free(&why);
}
END_TEST

START_TEST(a_linked_folder_is_refused_at_any_level)
{
    /* The lab's folder is a link to somewhere else (a solution, a classmate):
     * refused, not followed, and not replaced by the flat layout either. */
    make_dir();
    char elsewhere[128], link[128];
    snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", dir);
    ck_assert_int_eq(mkdir(elsewhere, 0700), 0);
    touch("elsewhere/x.c", 10);
    touch("x.c", 10);
    snprintf(link, sizeof link, "%s/01-x", dir);
    ck_assert_int_eq(symlink(elsewhere, link), 0);
    char *found = NULL;
    struct sg_buf why = SG_BUF_INIT;
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL), -2);
    ck_assert_ptr_nonnull(strstr(why.data, "symbolic link"));
    sg_buf_free(&why);

    /* The same one level deeper: work/ is a link. */
    make_dir();
    snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", dir);
    ck_assert_int_eq(mkdir(elsewhere, 0700), 0);
    snprintf(link, sizeof link, "%s/elsewhere/01-x", dir);
    ck_assert_int_eq(mkdir(link, 0700), 0);
    touch("elsewhere/01-x/x.c", 10);
    snprintf(link, sizeof link, "%s/work", dir);
    ck_assert_int_eq(symlink(elsewhere, link), 0);
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL), -2);
    ck_assert_ptr_nonnull(strstr(why.data, "symbolic link"));
    sg_buf_free(&why);
}
END_TEST

START_TEST(the_student_kits_layout_is_found_at_the_top_or_one_down)
{
    make_dir();
    char path[160];
    snprintf(path, sizeof path, "%s/work", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/work/01-x", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    touch("work/01-x/x.c", 10);
    char *found = NULL;
    int fd = -1;
    struct sg_buf why = SG_BUF_INIT;
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, &fd, &why, NULL), 0);
    ck_assert_ptr_nonnull(strstr(found, "work/01-x/x.c"));
    ck_assert_int_ge(fd, 0);
    close(fd);
    free(found);

    /* The kit's folder uploaded whole: SUB/shmlab-student/work/01-x/x.c. */
    make_dir();
    const char *parts[] = { "shmlab-student", "shmlab-student/work", "shmlab-student/work/01-x" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, parts[i]);
        ck_assert_int_eq(mkdir(path, 0700), 0);
    }
    touch("shmlab-student/work/01-x/x.c", 10);
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL), 0);
    ck_assert_ptr_nonnull(strstr(found, "shmlab-student/work/01-x/x.c"));
    free(found);

    /* Zipped by macOS's "Compress": My Labs/ beside __MACOSX/ (every lab
     * was "missing", as two folders were not one). */
    make_dir();
    const char *mac[] = { "My Labs", "My Labs/01-x", "__MACOSX", "__MACOSX/My Labs",
                          "__MACOSX/My Labs/01-x" };
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, mac[i]);
        ck_assert_int_eq(mkdir(path, 0700), 0);
    }
    touch("My Labs/01-x/x.c", 10);
    touch("__MACOSX/My Labs/01-x/._x.c", 10);
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL), 0);
    ck_assert_ptr_nonnull(strstr(found, "My Labs/01-x/x.c"));
    free(found);

    /* One folder named with a date: looked into (it was taken for another
     * lab's folder, and every lab was "missing"); one named like another
     * lab's is not. */
    const char *dated[] = { "03-15 shmlab", "12-07-final" };
    for (size_t i = 0; i < 2; i++) {
        make_dir();
        snprintf(path, sizeof path, "%s/%s", dir, dated[i]);
        ck_assert_int_eq(mkdir(path, 0700), 0);
        snprintf(path, sizeof path, "%s/%s/x.c", dir, dated[i]);
        touch(path + strlen(dir) + 1, 10);
        ck_assert_msg(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL) == 0,
                      "%s: %s", dated[i], why.data ? why.data : "");
        free(found);
    }
    make_dir();
    snprintf(path, sizeof path, "%s/02-other-lab", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    touch("02-other-lab/x.c", 10);
    ck_assert_int_eq(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, NULL), -1);
    sg_buf_free(&why);
}
END_TEST

/* The kit's folder with another folder beside it: a folder of notes, or a
 * second download of the kit (a platform review: 0 of 273, every lab
 * "missing", as only a single folder was looked into). */
START_TEST(a_kit_one_folder_down_is_found_beside_other_folders)
{
    make_dir();
    char path[160];
    const char *parts[] = { "notes", "shmlab-student", "shmlab-student/work",
                            "shmlab-student/work/01-x", "shmlab-student (1)",
                            "shmlab-student (1)/work", "shmlab-student (1)/work/01-x" };
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, parts[i]);
        ck_assert_int_eq(mkdir(path, 0700), 0);
    }
    write_file("shmlab-student/work/01-x/x.c", "int x(void) { return 1; }\n");
    char *found = NULL;
    struct sg_buf why = SG_BUF_INIT, note = SG_BUF_INIT;
    ck_assert_msg(sg_submission_find(dir, "01-x", "x.c", NULL, &found, NULL, &why, &note) == 0,
                  "%s", why.data ? why.data : "");
    ck_assert_ptr_nonnull(strstr(found, "shmlab-student/work/01-x/x.c"));
    ck_assert_uint_eq(note.len, 0);
    free(found);
    sg_buf_free(&why);

    /* Two copies of the kit: the first by name, unless it is the unchanged
     * starting file and the second is not; the note names the other. */
    for (size_t i = 4; i < 7; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, parts[i]);
        ck_assert_int_eq(mkdir(path, 0700), 0);
    }
    write_file("shmlab-student (1)/work/01-x/x.c", "int x(void) { return 2; }\n");
    expect_graded(NULL, "shmlab-student/work/01-x/x.c", "shmlab-student (1)/work/01-x/x.c");
    char skeleton[200];
    write_file("skeleton.c", "int x(void) { return 1; }\n");
    snprintf(skeleton, sizeof skeleton, "%s/skeleton.c", dir);
    struct sg_find_opts fo = { .skeleton = skeleton };
    expect_graded(&fo, "shmlab-student (1)/work/01-x/x.c", "(the kit's unchanged starting file)");

    /* A copy loose in a folder that sorts first ("backup/x.c") gives way
     * to the kit's layout. */
    snprintf(path, sizeof path, "%s/backup", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    write_file("backup/x.c", "int x(void) { return 3; }\n");
    expect_graded(NULL, "shmlab-student/work/01-x/x.c", "backup/x.c");
}
END_TEST

/* ---- rubric ---- */

static void write_file(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(rubric_loads_public_and_hidden_tests)
{
    make_dir();
    char lab[128];
    snprintf(lab, sizeof lab, "%s/07-demo", dir);
    ck_assert_int_eq(mkdir(lab, 0700), 0);
    snprintf(lab, sizeof lab, "%s/07-demo/hidden", dir);
    ck_assert_int_eq(mkdir(lab, 0700), 0);
    write_file("07-demo/rubric.json",
               "{\"title\": \"Demo\", \"file\": \"d.c\", \"header\": \"d.h\", \"program\": \"d\","
               " \"api\": [\"d_one\", \"d_two\"], \"timeout\": 4,"
               " \"tests\": [{\"name\": \"a\", \"points\": 2, \"description\": \"A\"},"
               "             {\"name\": \"b\", \"points\": 1.5, \"timeout\": 9}]}");
    write_file("07-demo/hidden/rubric.json", "{\"tests\": [{\"name\": \"h\", \"points\": 3}]}");

    struct sg_rubric r;
    struct sg_buf err = SG_BUF_INIT;
    ck_assert_msg(sg_rubric_load(dir, "07-demo", false, &r, &err) == 0, "%s", err.data);
    ck_assert_uint_eq(r.ntests, 2);
    ck_assert_uint_eq(r.napi, 2);
    ck_assert_str_eq(r.api[1], "d_two");
    ck_assert(r.has_hidden);
    /* The rubric's 4 s is raised to the floor; a test's own limit is kept. */
    ck_assert(r.tests[0].timeout == SG_WALL_FLOOR && r.tests[1].timeout == 9);
    /* Without timings.json, the CPU and stuck limits are their floors. */
    ck_assert(r.tests[0].cpu_limit == SG_CPU_FLOOR && r.tests[0].stuck_limit == SG_STUCK_FLOOR);
    ck_assert(r.tests[1].points == 1.5);
    sg_rubric_free(&r);

    /* With timings, the measured times times the factors: a's CPU limit
     * is above the floor; b's would pass the ceiling, which is below its
     * 9 s wall limit, so the ceiling is what holds it. */
    write_file("07-demo/timings.json", "{\"a\": {\"wall\": 0.5, \"cpu\": 0.05},"
                                       " \"b\": {\"wall\": 0.01, \"cpu\": 1.0}}");
    ck_assert_msg(sg_rubric_load(dir, "07-demo", false, &r, &err) == 0, "%s", err.data);
    ck_assert(r.tests[0].cpu_limit == SG_CPU_FACTOR * 0.05 && SG_CPU_FACTOR * 0.05 > SG_CPU_FLOOR);
    ck_assert(r.tests[0].stuck_limit == SG_STUCK_FACTOR * 0.5);
    ck_assert(SG_CPU_FACTOR * 1.0 > SG_CPU_CEILING && SG_CPU_CEILING < 9);
    ck_assert(r.tests[1].cpu_limit == SG_CPU_CEILING && r.tests[1].stuck_limit == SG_STUCK_FLOOR);
    sg_rubric_free(&r);

    ck_assert_int_eq(sg_rubric_load(dir, "07-demo", true, &r, &err), 0);
    ck_assert_uint_eq(r.ntests, 3);
    ck_assert(r.tests[2].hidden && !r.tests[0].hidden);
    sg_rubric_free(&r);

    char **labs = sg_rubric_list_labs(dir, &err);
    ck_assert_ptr_nonnull(labs);
    ck_assert_str_eq(labs[0], "07-demo");
    ck_assert_ptr_null(labs[1]);
    sg_strv_free(labs);
}
END_TEST

START_TEST(rubric_errors_name_the_file)
{
    make_dir();
    char lab[128];
    snprintf(lab, sizeof lab, "%s/08-bad", dir);
    ck_assert_int_eq(mkdir(lab, 0700), 0);
    write_file("08-bad/rubric.json", "{\"title\": \"x\", ");
    struct sg_rubric r;
    struct sg_buf err = SG_BUF_INIT;
    ck_assert_int_eq(sg_rubric_load(dir, "08-bad", false, &r, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.data, "08-bad/rubric.json"));
    sg_buf_free(&err);

    write_file("08-bad/rubric.json",
               "{\"title\": \"x\", \"file\": \"d.c\", \"header\": \"d.h\", \"program\": \"d\","
               " \"api\": [], \"timeout\": 4, \"tests\": [{\"name\": \"a\"}]}");
    ck_assert_int_eq(sg_rubric_load(dir, "08-bad", false, &r, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.data, "points"));
    sg_buf_free(&err);
}
END_TEST

Suite *unit_submission_suite(void)
{
    Suite *s = suite_create("submission");
    TCase *tc = tcase_create("submission");
    tcase_add_checked_fixture(tc, NULL, remove_dir);
    tcase_add_test(tc, mirrored_wins_over_flat);
    tcase_add_test(tc, an_unchanged_skeleton_gives_way_to_the_students_file);
    tcase_add_test(tc, a_skeleton_with_crlf_line_ends_is_still_unchanged);
    tcase_add_test(tc, a_missing_file_says_where_it_was_found);
    tcase_add_test(tc, a_fifo_is_refused_before_it_is_opened);
    tcase_add_test(tc, a_near_miss_is_named_when_the_file_is_missing);
    tcase_add_test(tc, a_renamed_file_in_the_labs_folder_is_named);
    tcase_add_test(tc, flat_is_found);
    tcase_add_test(tc, missing_names_the_file_and_both_places);
    tcase_add_test(tc, links_folders_and_huge_files_are_refused);
    tcase_add_test(tc, a_linked_folder_is_refused_at_any_level);
    tcase_add_test(tc, the_student_kits_layout_is_found_at_the_top_or_one_down);
    tcase_add_test(tc, a_kit_one_folder_down_is_found_beside_other_folders);
    suite_add_tcase(s, tc);
    return s;
}

Suite *unit_rubric_suite(void)
{
    Suite *s = suite_create("rubric");
    TCase *tc = tcase_create("rubric");
    tcase_add_checked_fixture(tc, NULL, remove_dir);
    tcase_add_test(tc, rubric_loads_public_and_hidden_tests);
    tcase_add_test(tc, rubric_errors_name_the_file);
    suite_add_tcase(s, tc);
    return s;
}
