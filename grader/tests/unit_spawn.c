/* unit_spawn.c — running untrusted commands: deadlines, output caps, leftovers. */
#include "sg_fs.h"
#include "sg_isolate.h"
#include "sg_sandbox.h"
#include "sg_spawn.h"
#include "unit.h"

#include <signal.h>
#include <errno.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const env[] = { "PATH=/usr/bin:/bin", "ONLY=this", NULL };

static void run_sh(const char *script, int timeout_ms, size_t cap, bool result_pipe,
                   struct sg_spawn_result *r)
{
    const char *argv[] = { "/bin/sh", "-c", script, NULL };
    struct sg_spawn_opts o = {
        .argv = argv, .envp = env, .timeout_ms = timeout_ms, .output_cap = cap,
        .result_pipe = result_pipe,
    };
    ck_assert_int_eq(sg_spawn_init(), 0);
    ck_assert_int_eq(sg_spawn(&o, r), 0);
}

START_TEST(captures_stdout_and_stderr)
{
    struct sg_spawn_result r;
    run_sh("echo out; echo err >&2; exit 3", 5000, 1024, false, &r);
    ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 3);
    ck_assert_str_eq(r.output, "out\nerr\n");
    ck_assert(!r.timed_out);
    sg_spawn_result_free(&r);
}
END_TEST

START_TEST(output_past_the_cap_is_drained_and_counted)
{
    /* 4 MiB through a 64 KiB pipe: the writer never blocks, the grader
     * keeps the first 1000 bytes and counts the rest. */
    struct sg_spawn_result r;
    run_sh("head -c 4194304 /dev/zero | tr '\\0' x", 10000, 1000, false, &r);
    ck_assert(!r.timed_out);
    ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    ck_assert_uint_eq(r.output_len, 1000);
    ck_assert_uint_eq(r.output_total, 4194304);
    sg_spawn_result_free(&r);
}
END_TEST

START_TEST(deadline_kills_the_whole_group)
{
    struct sg_spawn_result r;
    run_sh("sleep 100 & sleep 100", 300, 1024, false, &r);
    ck_assert(r.timed_out);
    ck_assert(r.seconds < 5);
    /* Nothing of it is left: the grader has no children any more. */
    ck_assert_int_eq(sg_kill_orphans(), 0);
    sg_spawn_result_free(&r);
}
END_TEST

START_TEST(escaped_daemons_are_killed)
{
    /* A grandchild that leaves the process group and outlives its parent
     * (a daemon) is re-parented to the grader, which kills it. */
    struct sg_spawn_result r;
    run_sh("setsid sh -c 'sleep 100' & echo started", 5000, 1024, false, &r);
    ck_assert(!r.timed_out);
    ck_assert_int_eq(sg_kill_orphans(), 0);
    ck_assert(r.seconds < 5);
    sg_spawn_result_free(&r);
}
END_TEST

START_TEST(result_pipe_is_fd_3)
{
    struct sg_spawn_result r;
    run_sh("printf 'PASS\\n' >&3; echo visible", 5000, 1024, true, &r);
    ck_assert_uint_eq(r.result_len, 5);
    ck_assert_str_eq(r.result, "PASS\n");
    ck_assert_str_eq(r.output, "visible\n");
    sg_spawn_result_free(&r);
}
END_TEST

START_TEST(environment_is_exactly_the_given_one)
{
    setenv("CK_FORK", "no", 1);
    setenv("LD_PRELOAD", "/nonexistent.so", 1);
    struct sg_spawn_result r;
    run_sh("env | sort | grep -v '^PWD=' | grep -v '^SHLVL=' | grep -v '^_='", 5000, 4096, false, &r);
    ck_assert_str_eq(r.output, "ONLY=this\nPATH=/usr/bin:/bin\n");
    sg_spawn_result_free(&r);
}
END_TEST

START_TEST(an_unlimited_limit_is_the_hard_limit_we_have)
{
    /* "Unlimited" (RLIM_INFINITY) is asked for twice: the process budget of
     * a root grader that cannot give nobody the scratch folder, and the
     * address space of the memory check. In a container root may lack
     * CAP_SYS_RESOURCE: asking for more than its hard limit failed every
     * spawn. Here the child gives up every capability first (nobody's
     * uid), and has finite hard limits, so that the old request fails on
     * any machine. */
    pid_t pid = fork();
    ck_assert_int_ne(pid, -1);
    if (pid == 0) {
        struct rlimit procs = { 3000, 3000 }, space = { 8ull << 30, 8ull << 30 };
        if (setrlimit(RLIMIT_NPROC, &procs) == -1 || setrlimit(RLIMIT_AS, &space) == -1)
            _exit(3);
        if (geteuid() == 0 && (setgid(65534) == -1 || setuid(65534) == -1))
            _exit(3);
        struct sg_sandbox sb;
        memset(&sb, 0, sizeof sb);
        sb.nproc = RLIM_INFINITY;
        const char *failed = NULL;
        if (sg_sandbox_enter(&sb, 5, true, &failed) == -1)
            _exit(1);
        struct rlimit p, a;
        _exit(getrlimit(RLIMIT_NPROC, &p) == 0 && p.rlim_cur == 3000 && p.rlim_max == 3000 &&
                      getrlimit(RLIMIT_AS, &a) == 0 && a.rlim_cur == space.rlim_max &&
                      a.rlim_max == space.rlim_max
                  ? 0 : 2);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
                  "entering an unlimited sandbox failed (status %d: 1 is a failed setrlimit, "
                  "2 a limit other than the one we had)",
                  WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}
END_TEST

/* A scratch folder as sg_grade makes one, with its own sg_enter, which the sandbox's user reaches. */
static void unit_sandbox_folder(char *dir, char *enter, size_t cap)
{
    ck_assert(mkdtemp(dir) != NULL);
    ck_assert_int_eq(chmod(dir, 0755), 0);
    snprintf(enter, cap, "%s/sg_enter", dir);
    ck_assert_int_eq(sg_copy_file("build/kit/sg_enter", enter, 0755), 0);
}

START_TEST(a_probe_that_cannot_say_fails_the_grader_not_the_sandbox)
{
    /* Two probes out of three that could not say: the sandbox is as it
     * would be. Three: no sandbox is chosen at all (EAGAIN), where the
     * old code silently graded without bubblewrap. */
    char dir[] = "/tmp/unit-probe.XXXXXX", enter[64];
    unit_sandbox_folder(dir, enter, sizeof enter);
    struct sg_sandbox calm, busy, unsure;
    ck_assert_int_eq(sg_sandbox_init(&calm, dir, enter, false), 0);
    sg_sandbox_inject_probe_faults(2);
    ck_assert_int_eq(sg_sandbox_init(&busy, dir, enter, false), 0);
    ck_assert_str_eq(busy.bwrap, calm.bwrap);
    ck_assert_int_eq(busy.drop, calm.drop);
    ck_assert_int_eq(busy.per_sandbox, calm.per_sandbox);
    /* An ordinary user without bubblewrap probes nothing. */
    if (calm.bwrap[0] != '\0' || geteuid() == 0) {
        sg_sandbox_inject_probe_faults(3);
        errno = 0;
        ck_assert_int_eq(sg_sandbox_init(&unsure, dir, enter, false), -1);
        ck_assert_int_eq(errno, EAGAIN);
    }
    sg_sandbox_inject_probe_faults(0);
    ck_assert_int_eq(unlink(enter), 0);
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* The kernel's release as major * 1000 + minor: 5014 for 5.14. */
static int unit_kernel_release(void)
{
    struct utsname u;
    int major = 0, minor = 0;
    if (uname(&u) == -1 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
        return 0;
    return major * 1000 + minor;
}

START_TEST(a_budget_per_sandbox_where_the_kernel_counts_one)
{
    /* Where user namespaces may be made and the kernel counts processes
     * per namespace (5.14), the probe must find it, as root too: a root
     * grader's probe that changed user and then could not write its own
     * uid_map (undumpable) said no, and every test that needs the budget
     * was skipped without a word while the grader ran one test at a time. */
    if (!sg_isolate_available() || unit_kernel_release() < 5014)
        return;
    char dir[] = "/tmp/unit-budget.XXXXXX", enter[64];
    unit_sandbox_folder(dir, enter, sizeof enter);
    struct sg_sandbox sb;
    ck_assert_int_eq(sg_sandbox_init(&sb, dir, enter, false), 0);
    ck_assert_msg(sb.per_sandbox, "no budget per sandbox: %s", sb.description);
    ck_assert_int_eq(unlink(enter), 0);
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(a_sandbox_that_cannot_fork_fails_the_grader_not_the_command)
{
    /* sg_enter could not fork the command (a process budget used up by
     * another container's processes of the same user): its exit status
     * and "sg_enter: fork" on the output were taken for the compiler's,
     * and a correct file "did not compile" (a platform review). A budget
     * of one process, sg_enter itself, makes that fork fail here. */
    char dir[] = "/tmp/unit-nofork.XXXXXX", enter[64];
    unit_sandbox_folder(dir, enter, sizeof enter);
    struct sg_sandbox sb;
    ck_assert_int_eq(sg_sandbox_init(&sb, dir, enter, false), 0);
    if (sb.per_sandbox) {
        const char *argv[] = { "/usr/bin/true", NULL };
        const char *env[] = { "PATH=/usr/bin:/bin", NULL };
        struct sg_mounts m = { .readonly = { dir }, .cwd = dir };
        struct sg_spawn_opts o = { .argv = argv, .envp = env, .timeout_ms = 10000,
                                   .output_cap = 1024, .sandbox = &sb, .mounts = &m,
                                   .nproc = 1 };
        struct sg_spawn_result r;
        errno = 0;
        ck_assert_int_eq(sg_spawn(&o, &r), -1);
        ck_assert_int_eq(errno, EAGAIN);
        ck_assert_msg(r.setup_failed != NULL && strstr(r.setup_failed, "could not fork") != NULL,
                      "%s", r.setup_failed ? r.setup_failed : "(no setup failure)");
        sg_spawn_result_free(&r);
    }
    ck_assert_int_eq(unlink(enter), 0);
    ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(a_probe_refused_every_time_is_a_no)
{
    /* Root, with a scratch folder nobody cannot enter (a TMPDIR under a
     * 0700 folder): bubblewrap, as nobody, cannot bind it, and nobody
     * cannot enter it without bubblewrap. That is the machine's answer,
     * not a busy moment: the tests run as root and the report says so. */
    if (geteuid() != 0)
        return;
    char top[] = "/tmp/unit-closed.XXXXXX";
    ck_assert(mkdtemp(top) != NULL);
    ck_assert_int_eq(chmod(top, 0700), 0);
    char dir[64], enter[80];
    snprintf(dir, sizeof dir, "%s/work", top);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    snprintf(enter, sizeof enter, "%s/sg_enter", dir);
    ck_assert_int_eq(sg_copy_file("build/kit/sg_enter", enter, 0755), 0);
    struct sg_sandbox sb;
    ck_assert_msg(sg_sandbox_init(&sb, dir, enter, false) == 0, "sg_sandbox_init: %s",
                  strerror(errno));
    ck_assert_msg(strstr(sb.description, "AS ROOT") != NULL, "%s", sb.description);
    ck_assert_int_eq(unlink(enter), 0);
    ck_assert_int_eq(rmdir(dir), 0);
    ck_assert_int_eq(rmdir(top), 0);
}
END_TEST

START_TEST(no_descriptor_of_the_grader_leaks)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    struct sg_spawn_result r;
    run_sh("ls /proc/self/fd | wc -l", 5000, 1024, true, &r);
    /* 0, 1, 2, 3 (result pipe) and the one ls opens to read the folder. */
    ck_assert_str_eq(r.output, "5\n");
    sg_spawn_result_free(&r);
    fclose(f);
}
END_TEST

/* The grader's folders under /usr are hidden, the outermost of nested ones
 * only (a mount point inside a hidden, read-only folder cannot be made). */
START_TEST(folders_under_usr_are_hidden_outermost_only)
{
    struct sg_sandbox sb;
    memset(&sb, 0, sizeof sb);
    sg_sandbox_hide(&sb, "/tmp");
    ck_assert_uint_eq(sb.nhide, 0);
    sg_sandbox_hide(&sb, "/usr/include/linux");
    sg_sandbox_hide(&sb, "/usr/include");
    sg_sandbox_hide(&sb, "/usr/include/linux");
    ck_assert_uint_eq(sb.nhide, 1);
    ck_assert_str_eq(sb.hide[0], "/usr/include");
}
END_TEST

Suite *unit_spawn_suite(void)
{
    Suite *s = suite_create("spawn");
    TCase *tc = tcase_create("spawn");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, captures_stdout_and_stderr);
    tcase_add_test(tc, folders_under_usr_are_hidden_outermost_only);
    tcase_add_test(tc, output_past_the_cap_is_drained_and_counted);
    tcase_add_test(tc, deadline_kills_the_whole_group);
    tcase_add_test(tc, escaped_daemons_are_killed);
    tcase_add_test(tc, result_pipe_is_fd_3);
    tcase_add_test(tc, environment_is_exactly_the_given_one);
    tcase_add_test(tc, no_descriptor_of_the_grader_leaks);
    tcase_add_test(tc, an_unlimited_limit_is_the_hard_limit_we_have);
    tcase_add_test(tc, a_probe_that_cannot_say_fails_the_grader_not_the_sandbox);
    tcase_add_test(tc, a_budget_per_sandbox_where_the_kernel_counts_one);
    tcase_add_test(tc, a_sandbox_that_cannot_fork_fails_the_grader_not_the_command);
    tcase_add_test(tc, a_probe_refused_every_time_is_a_no);
    suite_add_tcase(s, tc);
    return s;
}
