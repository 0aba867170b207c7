/*
 * shmgrade — grade shmlab submissions.
 *
 *   shmgrade [--lab ID]... [--hidden] [--format FMT] [-o FILE] [--also FMT=FILE]... SUBMISSION
 *   shmgrade --batch DIR -o OUTDIR [--format FMT]... [--roster ROSTER.csv] [options]
 *   shmgrade --list-labs
 *
 * Exit status: 0 when grading ran, whatever the score; 1 when the grader
 * itself failed; 2 on bad usage.
 */

#include "sg_batch.h"
#include "sg_fs.h"
#include "sg_grade.h"
#include "sg_guard.h"
#include "sg_kit.h"
#include "sg_report.h"
#include "sg_roster.h"
#include "sg_rubric.h"
#include "sg_slots.h"
#include "sg_spawn.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define SG_MAX_LABS 32
#define SG_MAX_ALSO 8

static void sg_usage(FILE *out)
{
    fputs("usage: shmgrade [--lab ID]... [--hidden] [--format FMT] [-o FILE] [--also FMT=FILE]...\n"
          "                [--keep] SUBMISSION\n"
          "       shmgrade --batch DIR [-j N] -o OUTDIR [--format FMT]... [--roster CSV] [options]\n"
          "       shmgrade --list-labs\n"
          "\n"
          "Grades a submission: a folder with the students' lab files, mirrored\n"
          "(SUB/01-shared-buffer/shared_buffer.c), in the student kit's layout\n"
          "(SUB/work/01-shared-buffer/shared_buffer.c) or flat (SUB/shared_buffer.c);\n"
          "also one folder down.\n"
          "\n"
          "  --lab ID        grade only this lab (\"01\" or \"01-shared-buffer\"); repeatable\n"
          "  --hidden        also run the instructor's hidden tests\n"
          "  --memcheck      add each lab's memory check: its API and program under\n"
          "                  valgrind (invalid accesses, uninitialised values, bad frees,\n"
          "                  definite leaks, descriptors left open), worth the rubric's points\n"
          "  --format FMT    text (default), json (Gradescope's results.json), junit,\n"
          "                  tap (TAP 13), autolab (text, then Autolab's scores as the\n"
          "                  last line), classroom (GitHub Classroom's runner result),\n"
          "                  prairielearn (PrairieLearn's results.json) or grade\n"
          "                  (shmgrade's own JSON)\n"
          "  -o FILE         write the report to FILE instead of standard output\n"
          "  --also FMT=FILE also write the same grade in format FMT to FILE (- for\n"
          "                  standard output); repeatable\n"
          "  --roster CSV    with --batch: also write OUTDIR/canvas.csv for Canvas's\n"
          "                  gradebook import; CSV maps each student folder (column\n"
          "                  \"folder\") to Student, ID, SIS User ID, SIS Login ID, Section\n"
          "  --test NAME     run only this test (of the labs graded); repeatable\n"
          "  --timeout S     S seconds per test instead of the rubric's\n"
          "  -j N            tests at once (default: twice the number of cores)\n"
          "  --keep          keep the scratch folder (its path is printed on stderr)\n"
          "  --no-sandbox    run the tests outside bubblewrap (debugging only: the tests\n"
          "                  can then see and change what the grading user can)\n"
          "  --list-labs     list the labs this kit has\n"
          "\n"
          "Batch mode grades every subfolder of DIR as one student's submission, -j N\n"
          "tests at once over the whole class (default: twice the number of cores, as\n"
          "tests wait on purpose), and writes to OUTDIR/students/ one folder per student\n"
          "with a report in each --format asked for (default text and json),\n"
          "grade.json and report.html, then gradebook.csv, summary.txt, summary.json\n"
          "and index.html (the class at a glance, a page for a browser). A student\n"
          "whose files, the options and the kit are unchanged since the last run is not\n"
          "graded again; one the grader could not grade whole is.\n"
          "\n"
          "Student code is untrusted. Each test runs in a bubblewrap sandbox of its own\n"
          "(new user, pid, ipc, net and mount namespaces; only /usr and the scratch\n"
          "folder visible, read-only) with limits on wall and CPU time, memory,\n"
          "processes, file size and descriptors; as a uid of its own when the grader\n"
          "is root.\n"
          "When the test ends, every process and IPC object it made goes with it.\n"
          "Without bubblewrap the report says so, and the tests can read what you can.\n"
          "The verdict comes from the harness process, where no student code runs; a\n"
          "lab file that defines constructors, refers to the grader's internals or\n"
          "includes files other than system headers and the lab's header is refused.\n"
          "\n"
          "Exit status: 0 when grading ran (whatever the score), 1 when the grader\n"
          "itself failed (in a batch: on any student, whose summary then says so),\n"
          "2 on bad usage.\n",
          out);
}

/* Why a report could not be written, on stderr. */
static void sg_report_error(enum sg_format f, int error)
{
    if (f == SG_FORMAT_PRAIRIELEARN && error == EAGAIN)
        fprintf(stderr, "shmgrade: no PrairieLearn results: a lab was not graded (grader "
                        "error), and that is a failed grading job, not a score\n");
    else
        fprintf(stderr, "shmgrade: writing the %s report: %s\n", sg_format_name(f),
                strerror(error));
}

static int sg_write_report_file(FILE *out, const void *arg)
{
    const struct { const struct sg_grade *g; enum sg_format f; } *a = arg;
    return sg_report_write(a->g, a->f, out, false);
}

/* One more report of the same grade (--also), written whole or not at all. */
static int sg_write_also(const struct sg_grade *g, enum sg_format f, const char *file)
{
    struct { const struct sg_grade *g; enum sg_format f; } a = { g, f };
    /* "-": standard output (a platform's log), after the main report. */
    if (strcmp(file, "-") == 0 ? sg_write_report_file(stdout, &a)
                               : sg_write_atomic(file, sg_write_report_file, &a)) {
        sg_report_error(f, errno);
        return -1;
    }
    return 0;
}

/* "01" or "01-shared-buffer" to the lab's folder name; NULL if none or ambiguous. */
static const char *sg_resolve_lab(char **all, const char *want)
{
    const char *match = NULL;
    size_t n = strlen(want);
    for (char **p = all; *p != NULL; p++) {
        if (strcmp(*p, want) == 0)
            return *p;
        if (strncmp(*p, want, n) == 0 && (*p)[n] == '-') {
            if (match != NULL)
                return NULL;
            match = *p;
        }
    }
    return match;
}

int main(int argc, char *argv[])
{
    enum {
        OPT_LAB = 256, OPT_HIDDEN, OPT_FORMAT, OPT_KEEP, OPT_LIST, OPT_HELP, OPT_NO_SANDBOX,
        OPT_TEST, OPT_TIMEOUT, OPT_BATCH, OPT_MEMCHECK, OPT_ALSO, OPT_ROSTER,
    };
    static const struct option options[] = {
        { "lab", required_argument, NULL, OPT_LAB },
        { "hidden", no_argument, NULL, OPT_HIDDEN },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "keep", no_argument, NULL, OPT_KEEP },
        { "list-labs", no_argument, NULL, OPT_LIST },
        { "help", no_argument, NULL, OPT_HELP },
        { "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
        { "test", required_argument, NULL, OPT_TEST },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "batch", required_argument, NULL, OPT_BATCH },
        { "memcheck", no_argument, NULL, OPT_MEMCHECK },
        { "also", required_argument, NULL, OPT_ALSO },
        { "roster", required_argument, NULL, OPT_ROSTER },
        { "jobs", required_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    const char *wanted[SG_MAX_LABS + 1];
    size_t nwanted = 0;
    const char *tests[SG_MAX_LABS + 1];
    size_t ntests = 0;
    double timeout = 0;
    bool hidden = false, keep = false, list = false, no_sandbox = false, memcheck = false;
    enum sg_format format = SG_FORMAT_TEXT;
    unsigned formats = 0;
    const char *output = NULL, *batch = NULL, *roster = NULL;
    struct {
        enum sg_format format;
        const char *file;
    } also[SG_MAX_ALSO];
    size_t nalso = 0;
    int jobs = 0;
    int c;
    while ((c = getopt_long(argc, argv, "o:hj:", options, NULL)) != -1) {
        switch (c) {
        case OPT_LAB:
            if (nwanted == SG_MAX_LABS) {
                fprintf(stderr, "shmgrade: too many --lab options\n");
                return 2;
            }
            wanted[nwanted++] = optarg;
            break;
        case OPT_HIDDEN:
            hidden = true;
            break;
        case OPT_FORMAT:
            if (sg_format_parse(optarg, &format) == -1) {
                fprintf(stderr, "shmgrade: unknown format '%s' (%s)\n", optarg,
                        sg_format_names());
                return 2;
            }
            formats |= 1u << format;
            break;
        case 'o':
            output = optarg;
            break;
        case OPT_KEEP:
            keep = true;
            break;
        case OPT_LIST:
            list = true;
            break;
        case OPT_NO_SANDBOX:
            no_sandbox = true;
            break;
        case OPT_TEST:
            if (ntests == SG_MAX_LABS) {
                fprintf(stderr, "shmgrade: too many --test options\n");
                return 2;
            }
            tests[ntests++] = optarg;
            break;
        case OPT_BATCH:
            batch = optarg;
            break;
        case OPT_MEMCHECK:
            memcheck = true;
            break;
        case OPT_ROSTER:
            roster = optarg;
            break;
        case OPT_ALSO: {
            /* FMT=FILE: the name before the first '=' is the format. */
            const char *eq = strchr(optarg, '=');
            char name[32];
            if (eq == NULL || eq[1] == '\0' || (size_t)(eq - optarg) >= sizeof name) {
                fprintf(stderr, "shmgrade: --also takes FORMAT=FILE\n");
                return 2;
            }
            snprintf(name, sizeof name, "%.*s", (int)(eq - optarg), optarg);
            if (nalso == SG_MAX_ALSO) {
                fprintf(stderr, "shmgrade: too many --also options\n");
                return 2;
            }
            if (sg_format_parse(name, &also[nalso].format) == -1) {
                fprintf(stderr, "shmgrade: unknown format '%s' (%s)\n", name,
                        sg_format_names());
                return 2;
            }
            also[nalso++].file = eq + 1;
            break;
        }
        case 'j': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end != '\0' || v < 1 || v > 256) {
                fprintf(stderr, "shmgrade: -j takes a number from 1 to 256\n");
                return 2;
            }
            jobs = (int)v;
            break;
        }
        case OPT_TIMEOUT: {
            char *end;
            timeout = strtod(optarg, &end);
            if (*end != '\0' || !(timeout > 0 && timeout <= 3600)) {
                fprintf(stderr, "shmgrade: --timeout takes seconds, more than 0\n");
                return 2;
            }
            break;
        }
        case 'h':
        case OPT_HELP:
            sg_usage(stdout);
            return 0;
        default:
            sg_usage(stderr);
            return 2;
        }
    }
    if (batch != NULL ? (optind != argc || output == NULL) : (!list && optind != argc - 1)) {
        if (batch != NULL && output == NULL)
            fprintf(stderr, "shmgrade: --batch needs -o OUTDIR\n");
        sg_usage(stderr);
        return 2;
    }
    if (batch == NULL && formats & (formats - 1)) {
        fprintf(stderr, "shmgrade: one --format at a time, except with --batch (see --also)\n");
        return 2;
    }
    if (batch == NULL && roster != NULL) {
        fprintf(stderr, "shmgrade: --roster goes with --batch\n");
        return 2;
    }
    if (batch != NULL && nalso > 0) {
        fprintf(stderr, "shmgrade: --also is for one submission; --batch takes --format...\n");
        return 2;
    }

    signal(SIGPIPE, SIG_IGN);
    struct sg_buf err = SG_BUF_INIT;
    struct sg_kit kit;
    if (sg_kit_locate(&kit, &err) == -1) {
        fprintf(stderr, "shmgrade: %s\n", err.data);
        return 1;
    }
    char **all = sg_rubric_list_labs(kit.labs, &err);
    if (all == NULL) {
        fprintf(stderr, "shmgrade: %s\n", err.data);
        return 1;
    }
    if (list) {
        for (char **p = all; *p != NULL; p++)
            puts(*p);
        sg_strv_free(all);
        sg_kit_free(&kit);
        return 0;
    }
    /* A lab named twice ("--lab 01 --lab 01-shared-buffer", a platform's
     * list) is graded once: twice, its scratch folder already existed. */
    size_t kept = 0;
    for (size_t i = 0; i < nwanted; i++) {
        const char *id = sg_resolve_lab(all, wanted[i]);
        if (id == NULL) {
            fprintf(stderr, "shmgrade: no single lab matches '%s' (see --list-labs)\n", wanted[i]);
            return 2;
        }
        bool seen = false;
        for (size_t k = 0; k < kept; k++)
            seen |= strcmp(wanted[k], id) == 0;
        if (!seen)
            wanted[kept++] = id;
    }
    nwanted = kept;
    wanted[nwanted] = NULL;
    tests[ntests] = NULL;

    /* What the batch reads first is checked first: a mistyped name is a
     * usage error, said before the class is graded, not after. */
    if (batch != NULL) {
        struct stat st;
        int bad = stat(batch, &st) == -1 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : 0;
        if (bad != 0) {
            fprintf(stderr, "shmgrade: --batch %s: %s\n", batch, strerror(bad));
            return 2;
        }
        if (roster != NULL && sg_roster_check(roster, &err) == -1) {
            fprintf(stderr, "shmgrade: %s\n", err.data);
            return 2;
        }
    }
    /* From here on the grading makes scratch folders and sandboxes: a guard
     * removes what an interrupt would leave (sg_guard.h). */
    pid_t grading = sg_guard_start();
    if (grading == -1)
        fprintf(stderr, "shmgrade: warning: no guard against interrupts: %s\n", strerror(errno));
    if (grading > 0) {
        struct sg_guard_end end;
        sg_guard_watch(grading, &end);
        sg_strv_free(all);
        sg_kit_free(&kit);
        sg_buf_free(&err);
        if (end.sig != 0) {
            /* Ended the same way, so that a shell loop or make sees an
             * interrupt as one; no core file of the guard's. */
            struct rlimit none = { 0, 0 };
            setrlimit(RLIMIT_CORE, &none);
            signal(end.sig, SIG_DFL);
            sigset_t only;
            sigemptyset(&only);
            sigaddset(&only, end.sig);
            sigprocmask(SIG_UNBLOCK, &only, NULL);
            raise(end.sig);
        }
        return end.status;
    }
    if (batch != NULL) {
        struct sg_batch_opts bo = {
            .dir = batch, .outdir = output, .jobs = jobs,
            .formats = formats ? formats : (1u << SG_FORMAT_TEXT) | (1u << SG_FORMAT_JSON),
            .grade = { .labs = nwanted ? wanted : NULL, .hidden = hidden, .no_sandbox = no_sandbox,
                       .tests = ntests ? tests : NULL, .timeout = timeout,
                       .memcheck = memcheck },
            .progress = true,
        };
        int failed = sg_batch_run(&kit, &bo, &err);
        if (failed == -1)
            fprintf(stderr, "shmgrade: %s\n", err.data ? err.data : "the batch failed");
        int rc = failed == -1 ? -1 : 0;
        if (rc == 0 && roster != NULL) {
            /* The LMS's gradebook from the class's grades and the roster. */
            rc = sg_roster_export(roster, batch, output, stderr, &err);
            if (rc == -1)
                fprintf(stderr, "shmgrade: %s\n", err.data ? err.data : "the roster failed");
        }
        /* Not graded is not a grade: the exit status says some are missing. */
        if (failed > 0) {
            fprintf(stderr, "shmgrade: the grader failed on %d submission%s (the summary lists "
                            "them as incomplete): regrade once the cause is fixed\n",
                    failed, failed == 1 ? "" : "s");
            rc = -1;
        }
        sg_buf_free(&err);
        sg_strv_free(all);
        sg_kit_free(&kit);
        return rc == -1 ? 1 : 0;
    }

    const char *submission = argv[optind];
    struct stat st;
    if (stat(submission, &st) == -1) {
        fprintf(stderr, "shmgrade: %s is not a folder: %s\n", submission, strerror(errno));
        return 2;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "shmgrade: %s is not a folder\n", submission);
        return 2;
    }

    if (sg_spawn_init() == -1)
        fprintf(stderr, "shmgrade: warning: prctl(PR_SET_CHILD_SUBREAPER): %s\n", strerror(errno));
    const char *tmp = getenv("TMPDIR");
    struct sg_buf workdir = SG_BUF_INIT;
    sg_buf_printf(&workdir, "%s/shmgrade.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(workdir.data) == NULL) {
        fprintf(stderr, "shmgrade: mkdtemp %s: %s\n", workdir.data, strerror(errno));
        return 1;
    }
    if (!keep && sg_guard_register(workdir.data) == -1)
        fprintf(stderr, "shmgrade: warning: %s is not known to the guard: %s\n", workdir.data,
                strerror(errno));

    /* Tests at once: the slots bound them machine-wide (sg_slots.h). */
    struct sg_slots slots = { NULL, 0 };
    int parallel = jobs > 0 ? jobs : sg_default_jobs();
    if (sg_slots_create(&slots, workdir.data, parallel) == -1) {
        fprintf(stderr, "shmgrade: %s: %s\n", workdir.data, strerror(errno));
        sg_rmtree(workdir.data);
        return 1;
    }
    struct sg_grade_opts o = {
        .submission = submission,
        .labs = nwanted ? wanted : NULL,
        .hidden = hidden,
        .workdir = workdir.data,
        .no_sandbox = no_sandbox,
        .tests = ntests ? tests : NULL,
        .timeout = timeout,
        .memcheck = memcheck,
        .slots = &slots,
        .parallel = parallel,
    };
    struct sg_grade g;
    int status = 0;
    if (sg_grade_submission(&kit, &o, &g, &err) == -1) {
        fprintf(stderr, "shmgrade: %s\n", err.data);
        status = 1;
    } else {
        FILE *out = stdout;
        struct sg_buf partial = SG_BUF_INIT;
        if (output != NULL) {
            /* Written beside the target and renamed: a reader never sees half a report. */
            sg_buf_printf(&partial, "%s.partial", output);
            out = fopen(partial.data, "we");
            if (out == NULL) {
                fprintf(stderr, "shmgrade: %s: %s\n", partial.data, strerror(errno));
                status = 1;
            }
        }
        for (size_t i = 0; i < g.nlabs; i++)
            if (g.labs[i].state == SG_LAB_GRADER_ERROR) {
                fprintf(stderr, "shmgrade: %s: %s\n", g.labs[i].id, g.labs[i].problem);
                status = 1;
            }
        if (out != NULL) {
            /* Colour only for a person at a terminal: https://no-color.org */
            bool colour = format == SG_FORMAT_TEXT && output == NULL && isatty(STDOUT_FILENO) &&
                          getenv("NO_COLOR") == NULL;
            int rc = sg_report_write(&g, format, out, colour);
            int saved = errno;
            if (output != NULL) {
                if (fclose(out) == EOF && rc == 0)
                    rc = -1, saved = errno;
                if (rc == 0 && rename(partial.data, output) == -1)
                    rc = -1, saved = errno;
                if (rc == -1)
                    unlink(partial.data);
            }
            if (rc == -1) {
                sg_report_error(format, saved);
                status = 1;
            }
        }
        for (size_t i = 0; i < nalso; i++)
            if (sg_write_also(&g, also[i].format, also[i].file) == -1)
                status = 1;
        sg_buf_free(&partial);
        sg_grade_free(&g);
    }
    sg_slots_destroy(&slots);
    if (keep)
        fprintf(stderr, "shmgrade: scratch folder kept: %s\n", workdir.data);
    else
        sg_rmtree(workdir.data);
    sg_buf_free(&workdir);
    sg_buf_free(&err);
    sg_strv_free(all);
    sg_kit_free(&kit);
    return status;
}
