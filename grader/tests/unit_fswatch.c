/* unit_fswatch.c — what counts as tampering with the memory check's records. */
#include "sg_fswatch.h"
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh folder under TMPDIR, watched; its path in dir. */
static void watch_new_folder(struct sg_fswatch *w, char *dir, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/unit-fswatch.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(sg_fswatch_start(w, dir), 0);
}

/* Writes a file in dir as valgrind writes a record: created, opened once, closed. */
static void write_file(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ck_assert_int_ne(fd, -1);
    ck_assert_int_eq(write(fd, "<x/>", 4), 4);
    ck_assert_int_eq(close(fd), 0);
}

static void remove_folder(const char *dir, const char *const *names)
{
    char path[512];
    for (; *names != NULL; names++) {
        snprintf(path, sizeof path, "%s/%s", dir, *names);
        unlink(path);
    }
    ck_assert_int_eq(rmdir(dir), 0);
}

START_TEST(records_written_once_are_trusted_even_when_the_folder_is_listed)
{
    /* Any process of the machine may list the folder (find, du, updatedb):
     * that made a correct student's memory check fail (an attacker's review). */
    struct sg_fswatch w;
    char dir[256];
    watch_new_folder(&w, dir, sizeof dir);
    write_file(dir, "vg.1.xml");
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    while (readdir(d) != NULL)
        ;
    closedir(d);
    write_file(dir, "vg.2.xml");
    struct sg_buf why = SG_BUF_INIT, created = SG_BUF_INIT;
    ck_assert_msg(sg_fswatch_finish(&w, "vg.", &why, &created) == 0, "%s",
                  why.data ? why.data : "");
    /* The order they were made in: the memory check tells a forged parent by it. */
    ck_assert_str_eq(created.data, "vg.1.xml\nvg.2.xml\n");
    sg_buf_free(&why);
    sg_buf_free(&created);
    const char *names[] = { "vg.1.xml", "vg.2.xml", NULL };
    remove_folder(dir, names);
}
END_TEST

START_TEST(a_record_opened_again_or_a_stray_file_is_not_trusted)
{
    /* The record opened again just after its writer closed it: two IN_OPEN
     * in a row were one event (the kernel merges them) until writes were
     * watched too. */
    const char *cases[][2] = { { "vg.1.xml", "opened again" },
                               { "notes.txt", "a file valgrind does not write" } };
    for (size_t i = 0; i < 2; i++) {
        struct sg_fswatch w;
        char dir[256], path[512];
        watch_new_folder(&w, dir, sizeof dir);
        write_file(dir, cases[i][0]);
        snprintf(path, sizeof path, "%s/%s", dir, cases[i][0]);
        if (i == 0) {
            int fd = open(path, O_WRONLY | O_APPEND);
            ck_assert_int_ne(fd, -1);
            close(fd);
        }
        struct sg_buf why = SG_BUF_INIT, created = SG_BUF_INIT;
        int judged = sg_fswatch_finish(&w, "vg.", &why, &created);
        sg_buf_free(&created);
        ck_assert_msg(judged == 1, "case %zu: %d", i, judged);
        ck_assert_msg(why.data != NULL && strstr(why.data, cases[i][1]) != NULL, "%s",
                      why.data ? why.data : "(nothing)");
        sg_buf_free(&why);
        const char *names[] = { cases[i][0], NULL };
        remove_folder(dir, names);
    }
}
END_TEST

Suite *unit_fswatch_suite(void)
{
    Suite *s = suite_create("fswatch");
    TCase *tc = tcase_create("fswatch");
    tcase_add_test(tc, records_written_once_are_trusted_even_when_the_folder_is_listed);
    tcase_add_test(tc, a_record_opened_again_or_a_stray_file_is_not_trusted);
    suite_add_tcase(s, tc);
    return s;
}
