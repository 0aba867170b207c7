/*
 * sg_html_page.h — the skeleton every page of the batch shares: an HTML
 * document built as a libxml2 tree, one style sheet (light and dark, by
 * prefers-color-scheme), and small helpers that add elements, text and
 * attributes.
 *
 * Nothing is escaped by hand: text and attribute values go into the tree
 * as they are and libxml2's serialiser escapes them; a link's target is
 * percent-encoded by libxml2's xmlURIEscapeStr. The page holds no script
 * and loads nothing: it opens from a USB stick.
 *
 * The helpers record the first failure (the libxml2 call that failed, or
 * a text that is not valid UTF-8) in the page and return NULL; a helper
 * given a NULL parent does nothing, so a page is built without checking
 * each step, and sg_html_save refuses to write a page that lost anything.
 */
#ifndef SG_HTML_PAGE_H
#define SG_HTML_PAGE_H

#include <libxml/tree.h>
#include <stdbool.h>

#include "sg_text.h"

#define SG_SVG_NS "http://www.w3.org/2000/svg"

struct sg_html {
    xmlDocPtr doc;
    xmlNodePtr head, body;
    bool failed;
    struct sg_buf why; /* the first failure */
};

/* A page titled title (valid UTF-8): 0, or -1 with the reason in err. */
int sg_html_open(struct sg_html *h, const char *title, struct sg_buf *err);
void sg_html_close(struct sg_html *h);

/* Records a failure (the first one is kept); returns NULL for the callers' convenience. */
void *sg_html_fail(struct sg_html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* <tag>text</tag> appended to parent (text may be NULL); the new element or NULL. */
xmlNodePtr sg_html_el(struct sg_html *h, xmlNodePtr parent, const char *tag, const char *text);
xmlNodePtr sg_html_elf(struct sg_html *h, xmlNodePtr parent, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same, with class="cls". */
xmlNodePtr sg_html_elc(struct sg_html *h, xmlNodePtr parent, const char *tag, const char *cls,
                       const char *text);
/* A text node appended to parent. */
void sg_html_text(struct sg_html *h, xmlNodePtr parent, const char *text);
void sg_html_textf(struct sg_html *h, xmlNodePtr parent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets an attribute; value must be valid UTF-8. */
void sg_html_attr(struct sg_html *h, xmlNodePtr node, const char *name, const char *value);
void sg_html_attrf(struct sg_html *h, xmlNodePtr node, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * <a href="...">text</a>: the target is a relative path made of the
 * segments given (any bytes, as a folder's name on disk may be), each
 * percent-encoded whole, joined by '/'; fragment, if not NULL, is added
 * after '#', encoded too.
 */
xmlNodePtr sg_html_link(struct sg_html *h, xmlNodePtr parent, const char *const *segments,
                        const char *fragment, const char *text);

/*
 * An id made of parts that may hold any character: the parts joined by
 * '-', every byte but [A-Za-z0-9_] as "." and its hex value, so that two
 * different names never share an id. malloc'ed, or NULL.
 */
char *sg_html_id(const char *a, const char *b);

/* Serialises the page to path (atomically): 0, or -1 with the reason in err. */
int sg_html_save(struct sg_html *h, const char *path, struct sg_buf *err);

#endif
