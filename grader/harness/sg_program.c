/* sg_program.c — run the lab's program the way a student runs it from a shell. */
#include "sg_harness.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a test keeps of the program's output; more is cut (and said). */
#define SG_PROGRAM_OUTPUT_MAX (1 << 20)

static char *sg_read_capped(FILE *f, size_t *len)
{
    SG_SETUP(fseek(f, 0, SEEK_END) == 0, "fseek");
    long size = ftell(f);
    SG_SETUP(size >= 0, "ftell");
    rewind(f);
    size_t want = (size_t)size < SG_PROGRAM_OUTPUT_MAX ? (size_t)size : SG_PROGRAM_OUTPUT_MAX;
    char *data = malloc(want + 1);
    SG_SETUP(data != NULL, "malloc");
    *len = fread(data, 1, want, f);
    data[*len] = '\0';
    return data;
}

pid_t __real_fork(void);

/*
 * The program is the student's, and runs as a child of the test process
 * with the same user: while the test process is dumpable (sg_main.c), the
 * program could read its memory through /proc/<ppid>/mem (the nonce) and
 * write a completion record through /proc/<ppid>/fd, forging a pass for a
 * test. Not dumpable, neither opens. Nor may the child be dumpable before
 * its exec, while it still holds the test process's memory and
 * descriptors (an earlier program's leftover could watch for it): so the
 * fork is the C library's own, not the wrapper's that makes children
 * dumpable (sg_limits.c). Exec makes the program dumpable again, for the
 * tests that read its /proc.
 */
pid_t sg_fork_program(void)
{
    SG_SETUP(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0, "prctl(PR_SET_DUMPABLE)");
    fflush(NULL);
    return __real_fork();
}

void sg_run_program(const char *const args[], const char *input, size_t input_len,
                    int timeout_ms, struct sg_program_run *r)
{
    const char *path = sg_program_path();
    SG_SETUP(path != NULL, "lookup of the program (no --program given)");
    /* Files, not pipes: the program can write any amount without blocking,
     * and the test needs no loop that reads while it waits. */
    FILE *in = sg_input_file(input, input_len);
    FILE *out = sg_output_file();
    FILE *err = sg_output_file();
    pid_t pid = sg_fork_program();
    SG_SETUP(pid != -1, "fork");
    if (pid > 0)
        setpgid(pid, pid); /* also here: whichever of the two runs first */
    if (pid == 0) {
        /* Its own process group, so that a timeout also ends its children. */
        setpgid(0, 0);
        if (dup2(fileno(in), STDIN_FILENO) == -1 || dup2(fileno(out), STDOUT_FILENO) == -1 ||
            dup2(fileno(err), STDERR_FILENO) == -1)
            _exit(126);
        /* Nothing but the name: none of the test's descriptors goes along. */
        closefrom(3);
        execv(path, (char *const *)args);
        _exit(127);
    }
    r->pid = pid;
    r->timed_out = false;
    /* What the wait gets, for the message: a program stopped after 8.7 s
     * was said to run "after 20 s" (a review). */
    r->waited = sg_budget_ms(timeout_ms) / 1000.0;
    int rc = sg_wait_timeout(pid, &r->status, timeout_ms);
    if (rc == 1) {
        /* SIGKILL cannot be ignored: the wait after it needs no bound. */
        kill(-pid, SIGKILL);
        pid_t w;
        do
            w = waitpid(pid, &r->status, 0);
        while (w == -1 && errno == EINTR);
        r->timed_out = w == pid;
        SG_SETUP(r->timed_out, "waitpid after kill");
    } else {
        SG_SETUP(rc == 0, "waitpid");
    }
    kill(-pid, SIGKILL); /* any child it left behind; ESRCH when there is none */
    r->out = sg_read_capped(out, &r->out_len);
    r->err = sg_read_capped(err, &r->err_len);
    fclose(in);
    fclose(out);
    fclose(err);
}

/* Whether line (up to its newline) starts as one of want's lines does: the
 * same line printed again, or by another process, is main.c's, not a
 * printf of the student's. */
static bool sg_like_a_line_of(const char *line, const char *want)
{
    for (const char *w = want; *w != '\0';) {
        size_t n = strcspn(w, "\n");
        size_t k = n < 5 ? n : 5;
        if (k > 0 && strncmp(line, w, k) == 0)
            return true;
        w += n + (w[n] == '\n');
    }
    return false;
}

const char *sg_extra_output_hint(const char *out, const char *want, const char *hint)
{
    const char *at = want[0] != '\0' ? strstr(out, want) : NULL;
    if (at == NULL || strcmp(out, want) == 0)
        return hint;
    size_t wlen = strlen(want);
    /* Every line but want's own must be one main.c would never print. */
    for (const char *line = out; *line != '\0';) {
        if (line == at) {
            line += wlen;
            continue;
        }
        /* An empty line is no printf of anyone's: a newline too many. */
        if (*line == '\n' || sg_like_a_line_of(line, want))
            return hint;
        const char *nl = strchr(line, '\n');
        if (nl == NULL)
            break;
        line = nl + 1;
    }
    return "the program printed what main.c prints, and lines of its own: a printf of "
           "yours? Output for debugging belongs on standard error, which these tests do not "
           "compare";
}

void sg_program_run_free(struct sg_program_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

void sg_require_program(const char *const args[], const struct sg_program_expect *e)
{
    const char *input = e->input ? e->input : "";
    struct sg_program_run run;
    sg_run_program(args, input, strlen(input), e->timeout_ms, &run);
    struct sg_buf cmd = SG_BUF_INIT;
    for (const char *const *a = args; *a != NULL; a++)
        sg_buf_printf(&cmd, "%s%s", a == args ? "" : " ", *a);
    if (*input != '\0')
        sg_buf_printf(&cmd, " with input %s", sg_q(input, strlen(input)));
    SG_REQUIRE(!run.timed_out, "the program to finish", e->hang_hint,
               "`%s` was still running after %.1f s", cmd.data, run.waited);
    char want_status[32];
    snprintf(want_status, sizeof want_status, "exit status %d", e->status);
    /* What it printed says as much as how it ended (a review as a class:
     * "exit status 3; stderr: ''" hid the "final = X" line that said why). */
    SG_REQUIRE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == e->status, want_status,
               e->status_hint, "`%s` ended with %s; stdout: %s; stderr: %s", cmd.data,
               sg_status_text(run.status), sg_q(run.out, run.out_len),
               sg_q(run.err, run.err_len));
    if (e->out != NULL)
        SG_REQUIRE(run.out_len == strlen(e->out) && memcmp(run.out, e->out, run.out_len) == 0,
                   sg_q(e->out, strlen(e->out)), sg_extra_output_hint(run.out, e->out, e->out_hint),
                   "`%s` printed %s", cmd.data, sg_q(run.out, run.out_len));
    sg_program_run_free(&run);
    sg_buf_free(&cmd);
}
