/* sb_testlib.c — checks that lab 01's public and hidden tests share; see sb_testlib.h. */
#include "sb_testlib.h"
#include "sg_stub.h"
#include "sg_harness.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The hint for a function that still sets the skeleton's ENOSYS. */
#define SB_NOT_WRITTEN(fn) SG_NOT_WRITTEN(fn) ". Start with the handout's Steps"

char *sb_test_pages(size_t npages)
{
    char *buf = mmap(NULL, npages * (size_t)sg_page_size(), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    SG_SETUP(buf != MAP_FAILED, "mmap");
    return buf;
}

char *sb_map_checked(size_t npages, enum sb_sharing sharing, const char *call)
{
    errno = 0;
    char *buf = sb_map(npages, sharing);
    int err = errno;
    const char *hint = "sb_map returns the address of the new mapping. Which call failed, and "
                       "what does its errno say? See man 2 mmap: ERRORS";
    if (buf == MAP_FAILED)
        hint = "MAP_FAILED is how mmap says it failed, and sb_map must then return NULL. But "
               "why did mmap fail here? Check the length and the flags against man 2 mmap: "
               "ERRORS";
    else if (err == ENOSYS)
        hint = SB_NOT_WRITTEN("sb_map");
    else if (err == EINVAL)
        hint = "EINVAL from mmap means it refused an argument: is the length npages times the "
               "page size, and do the flags hold exactly one of MAP_SHARED and MAP_PRIVATE, "
               "with MAP_ANONYMOUS? See man 2 mmap: ERRORS";
    SG_REQUIRE(buf != NULL && buf != MAP_FAILED, "the address of the new mapping", hint,
               "%s returned %p (errno %d: %s)", call, (void *)buf, err, strerror(err));
    SG_REQUIRE((uintptr_t)buf % (uintptr_t)sg_page_size() == 0,
               "a page-aligned address, as mmap returns",
               "mmap returns the start of a page. Is sb_map returning mmap's address itself, "
               "or an address computed from it?",
               "%s returned %p", call, (void *)buf);
    return buf;
}

void sb_require_mapping(const char *buf, size_t npages, char flag, bool exact)
{
    size_t len = npages * (size_t)sg_page_size();
    struct sg_mapping m;
    int found = sg_find_mapping(getpid(), buf, &m);
    SG_SETUP(found != -1, "read of /proc/self/maps");
    SG_REQUIRE(found == 0, "the buffer's address in /proc/<pid>/maps",
               "an address that no mapping contains is not memory sb_map mapped. Which "
               "address did mmap give back?",
               "no mapping of the process contains %p", (const void *)buf);
    const char *kind = flag == 's' ? "shared" : "private";
    SG_REQUIRE(m.perms[3] == flag, flag == 's' ? "a shared mapping ('s' in /proc/<pid>/maps)"
                                               : "a private mapping ('p' in /proc/<pid>/maps)",
               flag == 's' ? "a child's writes reach the parent only through shared pages: "
                             "with private pages the child writes to its own copy "
                             "(copy-on-write). Which mmap flag does SB_SHARED ask for?"
                           : "SB_PRIVATE asks for private, copy-on-write pages. Which mmap flag "
                             "gives those? See man 2 mmap",
               "the mapping %#lx-%#lx has flags %s, not %s", (unsigned long)m.start,
               (unsigned long)m.end, m.perms, kind);
    SG_REQUIRE(m.perms[0] == 'r' && m.perms[1] == 'w', "a readable and writable mapping (rw)",
               "the buffer is read and written. Which protection flags does mmap need for "
               "that? See man 2 mmap: PROT_READ and PROT_WRITE",
               "the mapping has permissions %s", m.perms);
    SG_REQUIRE(m.end - (uintptr_t)buf >= len, "the whole length mapped",
               "the length mmap gets is in bytes, and sb_map gets a number of pages. How many "
               "bytes is a page? See man 3 sysconf: _SC_PAGESIZE",
               "only %lu of the %zu bytes asked for are mapped",
               (unsigned long)(m.end - (uintptr_t)buf), len);
    if (exact)
        SG_REQUIRE(m.start == (uintptr_t)buf && m.end - m.start == len,
                   "a mapping of exactly npages pages",
                   "the length is npages pages of the size sysconf reports, not more and not a "
                   "fixed 4096. What does your length come to for this npages?",
                   "the mapping at the buffer is %lu bytes for %zu pages of %ld",
                   (unsigned long)(m.end - m.start), npages, sg_page_size());
}

void sb_require_zeroes(const char *buf, size_t len, const char *after)
{
    for (size_t i = 0; i < len; i++)
        SG_REQUIRE(buf[i] == 0, "every byte zero",
                   "anonymous memory starts zero-filled, and a private page that the child "
                   "writes becomes the child's own copy. Which pages did the child write to?",
                   "byte %zu is %s after %s", i, sg_q(&buf[i], 1), after);
}

/* Why sb_read_line gave n and buf instead of want: a hint from what was stored. */
static const char *sb_line_hint(long n, int err, const char *buf, size_t cap, const char *want)
{
    size_t stored = cap > 0 ? strnlen(buf, cap) : 0;
    if (n == -1 && err == ENOSYS)
        return SB_NOT_WRITTEN("sb_read_line");
    if (n == -1 && *want == '\0')
        return "an empty line is a line: it holds nothing but its newline, and its length is "
               "0. End of input is when getc returns EOF before any character, newline "
               "included. Which of the two does your code test?";
    if (n == -1)
        return "-1 means end of input, yet a line was there. Was it read already? Each call "
               "reads one line, up to its newline and not a character past it: the rest of a "
               "long line is discarded, never the next line. And a last line may end at end of "
               "input without a newline: does your loop still return what it read? See man 3 "
               "getc: RETURN VALUE";
    if (stored > 0 && stored < cap && buf[stored - 1] == '\n')
        return "the newline was stored. It ends the line and is read, but it is not part of "
               "what sb_read_line stores";
    if (n >= 0 && (size_t)n != stored && strcmp(buf, want) == 0)
        return "buf is right but the return value is not: sb_read_line returns the number of "
               "bytes it stored, the NUL not counted";
    if (cap > 0 && stored == cap)
        return "no NUL in the first cap bytes: the string goes on past buf[cap - 1], into "
               "memory that is not the caller's to give. With room for cap bytes, how many "
               "characters fit beside the NUL, and what bounds each of your writes?";
    if (stored == strlen(want) + 1 && strncmp(buf, want, strlen(want)) == 0)
        return "one byte too many was stored. With room for cap bytes, how many characters "
               "fit beside the NUL?";
    return "compare what was stored with the input: where does a line end, and what happens "
           "to the characters that do not fit in cap - 1 bytes?";
}

void sb_require_line(char *buf, size_t cap, FILE *in, const char *want, const char *what)
{
    long want_len = (long)strlen(want);
    errno = 0;
    long n = sb_read_line(buf, cap, in);
    int err = errno;
    /* No NUL within cap: what shows is cut at cap, and the rest lies past it. */
    bool unended = cap > 0 && strnlen(buf, cap) == cap;
    SG_REQUIRE(n == want_len && strcmp(buf, want) == 0,
               "what fits of the line in cap bytes, without its newline, and how many bytes "
               "were stored",
               sb_line_hint(n, err, buf, cap, want),
               "for %s, sb_read_line returned %ld with buf = %s%s (expected %ld and %s)", what,
               n, n < 0 && cap == 0 ? "(untouched)" : sg_q(buf, strnlen(buf, cap)),
               unended ? " and no NUL within its cap bytes" : "", want_len,
               sg_q(want, strlen(want)));
}

void sb_require_end(char *buf, size_t cap, FILE *in, const char *what)
{
    memset(buf, 'X', cap);
    errno = 0;
    long n = sb_read_line(buf, cap, in);
    const char *hint;
    if (n == -1)
        hint = "-1 is right, but buf must hold the empty string then, so that a caller that "
               "prints it prints nothing. What does your code leave in buf at end of input?";
    else if (n == 0)
        hint = "0 is the length of an empty line, and there was no line at all. How does your "
               "code tell end of input (getc returns EOF before any character) from an empty "
               "line? See man 3 getc: RETURN VALUE";
    else
        hint = "at end of input there is nothing left to read. What does getc return then, "
               "and what must sb_read_line return? See man 3 getc";
    SG_REQUIRE(n == -1 && buf[0] == '\0', "-1 with buf set to \"\"", hint,
               "%s, sb_read_line returned %ld with buf = %s", what, n,
               sg_q(buf, strnlen(buf, cap)));
}

void sb_require_no_children(const char *call)
{
    pid_t pid = 0;
    enum sg_children st = sg_children_state(&pid);
    SG_SETUP(st != SG_CHILDREN_ERROR, "waitid");
    SG_REQUIRE(st != SG_CHILD_RUNNING, "no child process left once the call has returned",
               "the parent returned while its child was still running. Which call makes it "
               "wait for that child and collect its status? See man 2 waitpid",
               "a child process was still running after %s returned", call);
    SG_REQUIRE(st != SG_CHILD_ZOMBIE, "no child process left once the call has returned",
               "a child that has ended stays a zombie until its parent waits for it. Did the "
               "parent wait for the very pid that fork returned? See man 2 waitpid",
               "a child (pid %ld) had ended but was never waited for: a zombie, after %s",
               (long)pid, call);
}

bool sb_child_reads(void *caller)
{
    pid_t child = sg_child_of(*(const pid_t *)caller);
    return child > 0 && sg_task_syscall(child, 0, NULL) == SYS_read;
}

FILE *sb_fork_with_input(int p[2], pid_t *caller)
{
    SG_SETUP(pipe(p) == 0, "pipe");
    fflush(NULL);
    *caller = fork();
    SG_SETUP(*caller != -1, "fork");
    if (*caller != 0) {
        close(p[0]);
        return NULL;
    }
    close(p[1]);
    FILE *in = fdopen(p[0], "r");
    if (in == NULL)
        _exit(2);
    return in;
}

void sb_run_exchange(char *buf, size_t cap, const char *input, const char *pending_out,
                     struct sb_exchange_run *r)
{
    FILE *in = sg_input_file(input, strlen(input));
    FILE *out = sg_output_file();
    if (pending_out != NULL)
        SG_SETUP(fputs(pending_out, out) != EOF, "fputs");
    /* Standard output goes to a file of its own during the call: a prompt
     * written there instead of to out is then seen, and named. */
    SG_SETUP(fflush(stdout) != EOF, "fflush");
    FILE *std = sg_output_file();
    int saved = dup(STDOUT_FILENO);
    SG_SETUP(saved != -1 && dup2(fileno(std), STDOUT_FILENO) != -1, "dup2");
    errno = 0;
    r->status = sb_exchange(buf, cap, in, out);
    r->err = errno;
    SG_REQUIRE_NOT_CHILD("sb_exchange");
    fflush(stdout);
    SG_SETUP(dup2(saved, STDOUT_FILENO) != -1, "dup2");
    close(saved);
    size_t std_len;
    char *std_text = sg_file_contents(std, &std_len);
    r->prompt_on_stdout = strstr(std_text, SB_PROMPT) != NULL;
    free(std_text);
    fclose(std);
    sb_require_no_children("sb_exchange");
    r->out = sg_file_contents(out, &r->out_len);
    /* The child's stream shares its file offset with in's: still 0, and the
     * child read nothing from the stream it was given. */
    r->input_untouched = input[0] != '\0' && lseek(fileno(in), 0, SEEK_CUR) == 0;
    fclose(in);
    fclose(out);
}

const char *sb_prompt_hint(const struct sb_exchange_run *r)
{
    if (r->prompt_on_stdout)
        return "the prompt went to standard output, not to out. sb_exchange writes to the "
               "stream it is given: which one does your child write to?";
    if (strstr(r->out, SB_PROMPT) == NULL)
        return "the prompt never reached out. Does the child write it to out, the stream it "
               "is given (not stdout)? And once written, it sits in the child's stdio buffer "
               "until something flushes it: _exit does not. Who flushes it?";
    return "the prompt is the child's only output, written once, after what out held before "
           "the call";
}

void sb_require_status(const struct sb_exchange_run *r, int want, const char *what)
{
    int st = r->status;
    char expected[96];
    snprintf(expected, sizeof expected, "%d: %s", want, what);
    char seen[160];
    const char *hint;
    if (st == -1) {
        snprintf(seen, sizeof seen, "-1 (errno %s)", strerror(r->err));
        hint = r->err == ENOSYS ? SB_NOT_WRITTEN("sb_exchange")
               : r->err == ECHILD
                   ? "waitpid found no such child (ECHILD). Does the parent wait for the pid "
                     "that fork returned to it? See man 2 waitpid"
                   : "-1 means fork or waitpid failed. Which of your calls returned -1, and "
                     "what does its errno mean? See man 2 fork and man 2 waitpid: ERRORS";
    } else if (st > 255 && WIFEXITED(st)) {
        snprintf(seen, sizeof seen, "%d, a raw wait status (it holds exit status %d)", st,
                 WEXITSTATUS(st));
        hint = "waitpid stores an encoded wait status, not the exit status itself. Which macro "
               "of <sys/wait.h> extracts the exit status, and which one says whether the child "
               "exited at all? See man 2 waitpid";
    } else if (st > 128 && st < 128 + 65) {
        snprintf(seen, sizeof seen, "%d = 128 + %d: the child was killed by signal %d (%s)", st,
                 st - 128, st - 128, strsignal(st - 128));
        hint = st - 128 == SIGSEGV || st - 128 == SIGBUS
                   ? "128 + a signal number is how sb_exchange reports a child killed by a "
                     "signal. Here the child crashed: it used memory it may not. Which buffer "
                     "did the child write, and how far?"
                   : "128 + a signal number is how sb_exchange reports a child killed by a "
                     "signal. Which signal was it, and who sent it?";
    } else if (st == 0 && want != 0) {
        snprintf(seen, sizeof seen, "0");
        hint = "0 means the child read a line, and it did not. Which status must the child end "
               "with when sb_read_line returns -1, and does the parent pass it on?";
    } else if (st == 1 && want == 0) {
        snprintf(seen, sizeof seen, "1");
        hint = r->input_untouched
                   ? "1 means the child read no line, and it read nothing at all from in, where "
                     "the line was. Which stream does your child read from: the one "
                     "sb_exchange is given, or another (stdin)?"
                   : "1 means the child read no line, yet the input held one. Did writing the "
                     "prompt or sb_read_line fail in the child? Try sb_read_line alone on this "
                     "input";
    } else {
        snprintf(seen, sizeof seen, "%d", st);
        hint = "the parent returns the child's exit status. Where does your number come from? "
               "See man 2 waitpid: WIFEXITED and WEXITSTATUS";
    }
    SG_REQUIRE(st == want, expected, hint, "sb_exchange returned %s", seen);
}

/* ---- the program ---- */

/* Why the program ended with the status it did, read from its message on stderr. */
static const char *sb_program_status_hint(const struct sg_program_run *run, int want)
{
    int reported;
    const char *at = strstr(run->err, "(exit status ");
    if (at != NULL && sscanf(at, "(exit status %d)", &reported) == 1) {
        if (reported > 255)
            return "main.c printed what sb_exchange returned: a raw wait status, not the "
                   "child's exit status. Which macro of <sys/wait.h> extracts the exit status? "
                   "See man 2 waitpid";
        if (reported > 128 && reported < 128 + 65)
            return "sb_exchange returned 128 + a signal number: the child was killed by a "
                   "signal. Run the program by hand and look at what the child does";
        if (want == 0)
            return "the child ended with status 1: it read no line, though the input held "
                   "one. See the sb_read_line and sb_exchange tests";
    }
    if (strstr(run->err, "sb_map: Function not implemented") != NULL)
        return SG_NOT_WRITTEN("sb_map");
    if (strstr(run->err, "sb_map:") != NULL)
        return "sb_map failed (main.c says so on stderr): see the sb_map tests";
    if (strstr(run->err, "sb_exchange:") != NULL)
        return "sb_exchange returned -1 (main.c says so on stderr): fork or waitpid failed. "
               "See the sb_exchange tests";
    if (strstr(run->err, "sb_unmap:") != NULL)
        return "sb_unmap failed (main.c says so on stderr): see the unmap test";
    if (want == 1)
        return "with no input the child reads no line and ends with status 1, and sb_exchange "
               "returns that status, so main.c exits 1. Which status did your child end with?";
    return "main.c exits 0 only when every function succeeds and the child read a line";
}

/* Why the program printed out instead of want, for output shaped "PROMPT line\n". */
static const char *sb_program_out_hint(const char *out, size_t len, const char *want)
{
    size_t plen = strlen(SB_PROMPT);
    size_t count = 0;
    for (const char *p = out; (p = strstr(p, SB_PROMPT)) != NULL; p += plen)
        count++;
    if (count == 0)
        return "the prompt is missing. The child writes it to out: is it flushed before the "
               "child ends? _exit does not flush stdio buffers";
    if (count > 1)
        return "the prompt appears more than once. Text still in a stdio buffer at fork is "
               "copied into the child: who wrote it twice, and when was it flushed?";
    if (len >= plen && strcmp(out + plen, "\n") == 0 && strcmp(want + plen, "\n") != 0)
        return "the parent printed an empty line: it never saw the child's line. Which pages "
               "does a child's write reach the parent through, and does the parent read them "
               "after the child has ended?";
    if (strcmp(want + plen, "\n") == 0)
        return "with --private the parent's copy of the page stays as it was: the child's "
               "write went to the child's own copy (copy-on-write). Does SB_PRIVATE really "
               "ask for private pages?";
    return sg_extra_output_hint(out, want,
                                "compare the line the parent printed with the input: was it "
                                "cut, or does it hold the newline?");
}

void sb_require_program(const char *const args[], const char *input, int want_status,
                        const char *want_out)
{
    struct sg_program_run run;
    sg_run_program(args, input, strlen(input), 5000, &run);
    struct sg_buf cmd = SG_BUF_INIT;
    for (const char *const *a = args; *a != NULL; a++)
        sg_buf_printf(&cmd, "%s%s", a == args ? "" : " ", *a);
    if (*input != '\0')
        sg_buf_printf(&cmd, " with input %s", sg_q(input, strlen(input)));
    SG_REQUIRE(!run.timed_out, "the program to finish",
               "something waited for ever: a wait for a child that never ends, or a read that "
               "never sees end of input. Which of your calls can block?",
               "`%s` was still running after %.1f s", cmd.data, run.waited);
    /* main.c names the function that failed: exit status 1 for that is not the
     * exit status 1 of a child that read no line, and the expected text says
     * so (a review as a class: "exit status 1" expected, "exit status 1"
     * observed). */
    bool api_failed = strstr(run.err, "shared_buffer: sb_") != NULL;
    char want_status_text[96];
    snprintf(want_status_text, sizeof want_status_text, "exit status %d%s", want_status,
             api_failed ? ", with no lab function failing (main.c names one on stderr)" : "");
    SG_REQUIRE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == want_status && !api_failed,
               want_status_text,
               WIFSIGNALED(run.status)
                   ? "the program itself was killed by a signal: in the parent, after the "
                     "exchange. Does sb_exchange return into main in the parent only?"
                   : sb_program_status_hint(&run, want_status),
               "`%s` ended with %s; stderr: %s", cmd.data, sg_status_text(run.status),
               sg_q(run.err, run.err_len));
    SG_REQUIRE(run.out_len == strlen(want_out) && memcmp(run.out, want_out, run.out_len) == 0,
               sg_q(want_out, strlen(want_out)),
               sb_program_out_hint(run.out, run.out_len, want_out), "`%s` printed %s",
               cmd.data, sg_q(run.out, run.out_len));
    sg_program_run_free(&run);
    sg_buf_free(&cmd);
}
