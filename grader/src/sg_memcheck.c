/* sg_memcheck.c — valgrind's memcheck over a lab; see sg_memcheck.h. */
#include "sg_memcheck.h"
#include "sg_spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SG_VALGRIND "/usr/bin/valgrind"
#define SG_MEMCHECK_TIMEOUT_MS 60000

/* What each kind of finding means, in a line a student can act on. */
static const char *sg_explain(const char *kind)
{
    static const struct {
        const char *prefix, *meaning;
    } kinds[] = {
        { "InvalidRead", "a read outside any block: past the end of a buffer, or after free" },
        { "InvalidWrite", "a write outside any block: past the end of a buffer, or after free" },
        { "UninitCondition", "a decision taken on a value that was never set" },
        { "UninitValue", "a value that was never set, used" },
        { "SyscallParam", "a system call given memory that is not set, or not yours" },
        { "InvalidFree", "free of something malloc did not give, or freed twice" },
        { "MismatchedFree", "memory released with the wrong function" },
        { "Leak_DefinitelyLost", "memory nothing points to any more: free it before losing it" },
        { "Overlap", "memcpy or strcpy between overlapping blocks" },
        { "InvalidJump", "a jump to an invalid address" },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strncmp(kind, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
            return kinds[i].meaning;
    return "a memory error";
}

static const char *sg_child_text(xmlNodePtr node, const char *name)
{
    for (xmlNodePtr c = node ? node->children : NULL; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c->children && c->children->content ? (const char *)c->children->content : "";
    return NULL;
}

static xmlNodePtr sg_child(xmlNodePtr node, const char *name)
{
    for (xmlNodePtr c = node ? node->children : NULL; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

/* Adds the student's findings of one XML file; returns how many. */
static int sg_read_xml(const char *path, const char *file, struct sg_buf *findings)
{
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL)
        return 0; /* a process killed before it finished writing */
    int n = 0;
    for (xmlNodePtr e = xmlDocGetRootElement(doc)->children; e != NULL; e = e->next) {
        if (e->type != XML_ELEMENT_NODE || strcmp((const char *)e->name, "error") != 0)
            continue;
        const char *kind = sg_child_text(e, "kind");
        const char *what = sg_child_text(e, "what");
        if (what == NULL)
            what = sg_child_text(sg_child(e, "xwhat"), "text");
        for (xmlNodePtr f = sg_child(sg_child(e, "stack"), "frame"); f != NULL; f = f->next) {
            const char *ffile = sg_child_text(f, "file");
            if (f->type != XML_ELEMENT_NODE || ffile == NULL || strcmp(ffile, file) != 0)
                continue;
            /* The same finding in several processes is shown once. */
            struct sg_buf line = SG_BUF_INIT;
            sg_buf_printf(&line, "%s at %s:%s (%s): %s\n", what ? what : kind, ffile,
                          sg_child_text(f, "line") ?: "?", sg_child_text(f, "fn") ?: "?",
                          sg_explain(kind ? kind : ""));
            n++;
            if ((findings->data == NULL || strstr(findings->data, line.data) == NULL) &&
                findings->len < 4096)
                sg_buf_append(findings, line.data, line.len);
            sg_buf_free(&line);
            break;
        }
    }
    xmlFreeDoc(doc);
    return n;
}

/* Runs one command under valgrind; adds findings; returns how many, -1 if it could not run. */
static int sg_valgrind(const struct sg_memcheck_run *m, const char *label, const char *const *cmd,
                       const char *input, const char *file, struct sg_buf *findings,
                       struct sg_buf *why)
{
    struct sg_buf xml = SG_BUF_INIT, stdin_path = SG_BUF_INIT;
    sg_buf_printf(&xml, "--xml-file=%s/mc-%s.%%p.xml", m->rundir, label);
    sg_buf_printf(&stdin_path, "%s/mc-%s.input", m->rundir, label);
    int fd = open(stdin_path.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd == -1 || write(fd, input, strlen(input)) != (ssize_t)strlen(input) || close(fd) == -1) {
        sg_buf_printf(why, "could not write %s: %s", stdin_path.data, strerror(errno));
        sg_buf_free(&xml);
        sg_buf_free(&stdin_path);
        return -1;
    }
    const char *argv[32] = {
        SG_VALGRIND, "--tool=memcheck", "-q", "--xml=yes", xml.data, "--leak-check=full",
        "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite", "--track-origins=yes",
        "--child-silent-after-fork=no", "--error-limit=no",
    };
    size_t n = 11;
    for (size_t i = 0; cmd[i] != NULL && n < 31; i++)
        argv[n++] = cmd[i];
    argv[n] = NULL;
    struct sg_spawn_opts o = {
        .argv = argv, .envp = m->envp, .cwd = m->rundir, .timeout_ms = SG_MEMCHECK_TIMEOUT_MS,
        .output_cap = 16384, .isolate = true, .sandbox = m->sandbox, .readonly = m->workdir,
        .rundir = m->rundir, .stdin_path = stdin_path.data, .big_address_space = true,
    };
    struct sg_spawn_result r;
    int count = 0;
    if (sg_spawn(&o, &r) == -1) {
        sg_buf_printf(why, "could not run valgrind (%s%s%s)", r.setup_failed ?: "",
                      r.setup_failed ? ": " : "", strerror(errno));
        count = -1;
    } else {
        if (r.timed_out)
            sg_buf_printf(findings, "%s did not finish within %d s under valgrind\n", label,
                          SG_MEMCHECK_TIMEOUT_MS / 1000);
        /* The driver's own report of descriptors left open. */
        for (char *p = r.output; p != NULL && (p = strstr(p, "mc: descriptor ")) != NULL; p++) {
            char *end = strchr(p, '\n');
            sg_buf_printf(findings, "%.*s: a descriptor still open when the call returned; close "
                                    "it on every path\n",
                          (int)(end ? end - p - 4 : (long)strlen(p) - 4), p + 4);
            count++;
        }
        count += r.timed_out;
        DIR *d = opendir(m->rundir);
        struct dirent *e;
        char prefix[64];
        snprintf(prefix, sizeof prefix, "mc-%s.", label);
        while (d != NULL && (e = readdir(d)) != NULL) {
            size_t len = strlen(e->d_name);
            if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || len < 4 ||
                strcmp(e->d_name + len - 4, ".xml") != 0)
                continue;
            struct sg_buf path = SG_BUF_INIT;
            sg_buf_printf(&path, "%s/%s", m->rundir, e->d_name);
            count += sg_read_xml(path.data, file, findings);
            unlink(path.data);
            sg_buf_free(&path);
        }
        if (d != NULL)
            closedir(d);
        sg_spawn_result_free(&r);
    }
    sg_buf_free(&xml);
    sg_buf_free(&stdin_path);
    return count;
}

int sg_memcheck(const struct sg_rubric *r, const struct sg_memcheck_run *m,
                struct sg_test_result *t, struct sg_buf *why)
{
    struct sg_buf findings = SG_BUF_INIT;
    const char *driver[] = { m->driver, NULL };
    int a = sg_valgrind(m, "api", driver, "", r->file, &findings, why);
    const char *program[16];
    size_t n = 0;
    program[n++] = m->program;
    for (size_t i = 1; r->memcheck.program[i] != NULL && n < 15; i++)
        program[n++] = r->memcheck.program[i];
    program[n] = NULL;
    int b = a == -1 ? -1
                    : sg_valgrind(m, "program", program, r->memcheck.input ?: "", r->file,
                                  &findings, why);
    if (a == -1 || b == -1) {
        sg_buf_free(&findings);
        return -1;
    }
    t->passed = a + b == 0;
    t->points = t->passed ? t->max_points : 0;
    if (!t->passed) {
        struct sg_buf obs = SG_BUF_INIT;
        sg_buf_printf(&obs, "%d finding%s in your code:\n%s", a + b, a + b == 1 ? "" : "s",
                      findings.data ? findings.data : "");
        /* Each distinct finding is listed once, though counted every time. */
        t->observed = sg_buf_take(&obs);
        t->expected = strdup("no memory error, no definite leak, no descriptor left open");
        t->hint = strdup("run `make memcheck`, or valgrind --leak-check=full on your own test "
                         "program, and start with the first finding: later ones often follow "
                         "from it");
    }
    sg_buf_free(&findings);
    return 0;
}
