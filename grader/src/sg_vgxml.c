/* sg_vgxml.c — the student's findings in one valgrind XML file; see sg_vgxml.h. */
#include "sg_vgxml.h"

#include <errno.h>
#include <inttypes.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SG_VGXML_MAX (16u << 20)

/* What each kind of finding means, in a line a student can act on. */
static const char *sg_explain(const char *kind, const char *aux)
{
    bool access = strncmp(kind, "InvalidRead", 11) == 0 || strncmp(kind, "InvalidWrite", 12) == 0;
    if (access && aux != NULL) {
        if (strstr(aux, "bytes after a block") != NULL)
            return "just past the end of a block: an index or a length one too far";
        if (strstr(aux, "bytes before a block") != NULL)
            return "just before the start of a block: a negative index, or a pointer moved back "
                   "too far";
        if (strstr(aux, "free'd") != NULL)
            return "inside a block that was already freed: memory used after free()";
        if (strstr(aux, "on thread") != NULL && strstr(aux, "stack") != NULL)
            return "in a stack frame that is gone: a pointer to a local variable kept after "
                   "its function returned";
    }
    static const struct {
        const char *prefix, *meaning;
    } kinds[] = {
        { "InvalidRead", "a read outside any block of memory" },
        { "InvalidWrite", "a write outside any block of memory" },
        { "UninitCondition", "a decision taken on a value that was never set" },
        { "UninitValue", "a value that was never set, used" },
        { "SyscallParam", "a system call given memory that is not set, or not yours" },
        { "InvalidFree", "free of something malloc did not give, or freed twice" },
        { "MismatchedFree", "memory released with the wrong function" },
        { "Leak_DefinitelyLost", "memory nothing points to any more: nothing can free it now" },
        { "Overlap", "memcpy or strcpy between overlapping blocks" },
        { "InvalidJump", "a jump to an invalid address" },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strncmp(kind, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
            return kinds[i].meaning;
    return "a memory error";
}

static xmlNodePtr sg_child(xmlNodePtr node, const char *name)
{
    for (xmlNodePtr c = node ? node->children : NULL; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static const char *sg_child_text(xmlNodePtr node, const char *name)
{
    xmlNodePtr c = sg_child(node, name);
    if (c == NULL)
        return NULL;
    return c->children && c->children->content ? (const char *)c->children->content : "";
}

/* Appends text to b, escaped (it came from the student's program). */
static void sg_put(struct sg_buf *b, const char *text, size_t max)
{
    sg_escape(b, text, strlen(text), max, 0);
}

static int sg_add_finding(struct sg_vg_process *p, char *text, bool leak)
{
    for (size_t i = 0; i < p->nfindings; i++)
        if (strcmp(p->findings[i].text, text) == 0) {
            free(text); /* the same finding twice in one process is one finding */
            return 0;
        }
    struct sg_vg_finding *grown = realloc(p->findings, (p->nfindings + 1) * sizeof *grown);
    if (grown == NULL) {
        free(text);
        return -1;
    }
    p->findings = grown;
    p->findings[p->nfindings++] = (struct sg_vg_finding){ text, leak };
    return 0;
}

/* The student's finding in one <error>, or nothing when no frame is the student's. */
static int sg_read_error(xmlNodePtr e, const struct sg_code_ranges *student, const char *file,
                         struct sg_vg_process *p)
{
    const char *kind = sg_child_text(e, "kind");
    const char *what = sg_child_text(e, "what");
    if (what == NULL)
        what = sg_child_text(sg_child(e, "xwhat"), "text");
    if (kind == NULL)
        kind = "";
    for (xmlNodePtr f = sg_child(sg_child(e, "stack"), "frame"); f != NULL; f = f->next) {
        const char *ip = sg_child_text(f, "ip");
        uint64_t address;
        if (f->type != XML_ELEMENT_NODE || ip == NULL ||
            sscanf(ip, "0x%" SCNx64, &address) != 1 || !sg_code_ranges_hold(student, address))
            continue;
        struct sg_buf line = SG_BUF_INIT;
        bool leak = strncmp(kind, "Leak_", 5) == 0;
        /* A leak's size ("5 bytes in 1 blocks") differs from run to run
         * of the same mistake; what and where do not. */
        sg_put(&line, leak ? "Memory never freed" : what ? what : kind, 200);
        sg_buf_printf(&line, " at %s:", file);
        sg_put(&line, sg_child_text(f, "line") ?: "?", 12);
        sg_buf_puts(&line, " (");
        sg_put(&line, sg_child_text(f, "fn") ?: "?", 100);
        sg_buf_printf(&line, "): %s", sg_explain(kind, sg_child_text(e, "auxwhat")));
        return sg_add_finding(p, sg_buf_take(&line), leak);
    }
    return 0;
}

/*
 * Valgrind (3.19) writes a thread's name into its records unescaped, and
 * the code under test chooses that name (prctl PR_SET_NAME): a name that
 * opens a comment, closed by another name later, hides every error in
 * between and still leaves a well-formed document. Valgrind itself writes
 * no comment, no processing instruction, no CDATA and no entity; no lab
 * names a thread. Any of them, anywhere: the record is not valgrind's alone.
 */
static bool sg_not_valgrinds(xmlNodePtr n)
{
    for (; n != NULL; n = n->next) {
        if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE ||
            n->type == XML_CDATA_SECTION_NODE || n->type == XML_ENTITY_REF_NODE ||
            (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "threadname") == 0))
            return true;
        if (n->type == XML_ELEMENT_NODE && sg_not_valgrinds(n->children))
            return true;
    }
    return false;
}

int sg_vgxml_read(int fd, const struct sg_code_ranges *student, const char *file,
                  struct sg_vg_process *p)
{
    memset(p, 0, sizeof *p);
    struct stat st;
    if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || (size_t)st.st_size > SG_VGXML_MAX)
        return 0;
    xmlDocPtr doc = xmlReadFd(fd, NULL, NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL)
        return 0; /* not the whole document: the process was killed, or the file emptied */
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (root == NULL || strcmp((const char *)root->name, "valgrindoutput") != 0) {
        xmlFreeDoc(doc);
        return 0;
    }
    p->complete = true;
    const char *pid = sg_child_text(root, "pid"), *ppid = sg_child_text(root, "ppid");
    p->pid = pid ? strtol(pid, NULL, 10) : -1;
    p->ppid = ppid ? strtol(ppid, NULL, 10) : -1;
    int rc = 0;
    if (sg_not_valgrinds(doc->children)) {
        char *t = strdup("the code under test named a thread, which valgrind writes into its "
                         "report as it is: the report cannot be trusted (no lab needs a thread "
                         "name)");
        rc = t != NULL ? sg_add_finding(p, t, false) : -1;
    }
    for (xmlNodePtr e = root->children; e != NULL && rc == 0; e = e->next)
        if (e->type == XML_ELEMENT_NODE && strcmp((const char *)e->name, "error") == 0)
            rc = sg_read_error(e, student, file, p);
    xmlFreeDoc(doc);
    return rc;
}

void sg_vg_process_free(struct sg_vg_process *p)
{
    for (size_t i = 0; i < p->nfindings; i++)
        free(p->findings[i].text);
    free(p->findings);
    memset(p, 0, sizeof *p);
}
