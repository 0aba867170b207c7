/* sg_html_page.c — the pages' skeleton and helpers; see sg_html_page.h. */
#include "sg_html_page.h"
#include "sg_fs.h"

#include <errno.h>
#include <libxml/HTMLtree.h>
#include <libxml/uri.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * One style sheet for every page, in the page itself (nothing to fetch).
 * Colours are variables, swapped for dark ones by prefers-color-scheme;
 * nothing is told by colour alone (the words PASS and FAIL, hatching,
 * labels on every bar). Narrow windows: the grids fall to one column,
 * long words (test names, paths, output) wrap, wide tables scroll inside
 * their own box instead of widening the page.
 */
static const char sg_style[] =
    ":root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#59636e;--line:#d1d9e0;"
    "--soft:#f6f8fa;--bar:#2d6db5;--hatch:#9a6700;--pass:#1a7f37;--fail:#c62828;"
    "--flag:#fff8c5;--link:#0b5cad}\n"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;"
    "--line:#3d444d;--soft:#161b22;--bar:#5b9bea;--hatch:#d29922;--pass:#3fb950;"
    "--fail:#f47067;--flag:#3b2e0a;--link:#79b8ff}}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0 auto;max-width:75rem;padding:1rem;color:var(--fg);background:var(--bg);"
    "font:16px/1.45 system-ui,-apple-system,'Segoe UI','DejaVu Sans',sans-serif}\n"
    "h1{font-size:1.6rem;margin:.3rem 0}\n"
    "h2{font-size:1.3rem;margin:2.2rem 0 .6rem;padding-bottom:.2rem;"
    "border-bottom:1px solid var(--line)}\n"
    "h3{font-size:1.08rem;margin:1.4rem 0 .4rem}\n"
    "h1,h2,h3,th,td,dd,li,p,figcaption,summary{overflow-wrap:anywhere}\n"
    "a{color:var(--link)}\n"
    "code,pre,.mono{font-family:'DejaVu Sans Mono',ui-monospace,monospace;font-size:.88em}\n"
    "pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--soft);margin:.15rem 0;"
    "padding:.35rem .55rem;border-radius:4px;border:1px solid var(--line)}\n"
    ".muted,figcaption{color:var(--muted)}\n"
    "figcaption{font-size:.92rem;margin-top:.2rem}\n"
    "nav ul{list-style:none;padding:0;margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.2rem 1.1rem}\n"
    ".facts{margin:.4rem 0;padding-left:1.2rem}\n"
    ".facts li{margin:.25rem 0}\n"
    ".scroll{overflow-x:auto;max-width:100%}\n"
    "table{border-collapse:collapse;margin:.3rem 0}\n"
    "th,td{padding:.28rem .55rem;border-bottom:1px solid var(--line);text-align:left;"
    "vertical-align:top}\n"
    "thead th{border-bottom:2px solid var(--line);vertical-align:bottom}\n"
    ".num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "tr.flagged{background:var(--flag)}\n"
    ".flag{font-weight:600}\n"
    ".flag::before{content:'\\26A0\\FE0E  '}\n"
    "figure{margin:0}\n"
    "svg.chart{display:block;width:100%;height:auto}\n"
    "svg text{fill:var(--fg);font-family:system-ui,'DejaVu Sans',sans-serif}\n"
    "svg .axis{stroke:var(--muted);stroke-width:1}\n"
    "svg .solid{fill:var(--bar)}\n"
    "svg .hatched{fill:url(#sg-hatch);stroke:var(--hatch);stroke-width:1}\n"
    "svg .hatch-bg{fill:var(--bg)}\n"
    "svg .hatch-line{stroke:var(--hatch);stroke-width:2}\n"
    "svg .frame{fill:none;stroke:var(--muted);stroke-width:1}\n"
    "svg.defs{position:absolute;width:0;height:0;overflow:hidden}\n"
    ".histogram{max-width:34rem}\n"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,28rem),1fr));"
    "gap:1.2rem 2.5rem}\n"
    "figure.lab h3{margin-bottom:0}\n"
    ".subtitle{margin:0 0 .4rem}\n"
    "figcaption p,figcaption div{margin:.2rem 0}\n"
    "summary h3{display:inline;font-size:1.05rem}\n"
    "article.failing{margin:.9rem 0}\n"
    "table.rates{width:100%;max-width:60rem}\n"
    "table.rates th{font-weight:normal}\n"
    "td.rate{width:40%;min-width:5rem}\n"
    "svg.rate{display:block;width:100%;height:1.1rem}\n"
    ".legend{font-size:.9rem;color:var(--muted);display:flex;flex-wrap:wrap;gap:.2rem 1.2rem;"
    "align-items:center;margin:.3rem 0}\n"
    ".legend svg{width:1.6rem;height:.9rem;vertical-align:middle;margin-right:.3rem}\n"
    ".pass{color:var(--pass);font-weight:700}\n"
    ".fail{color:var(--fail);font-weight:700}\n"
    ".mistake{border-left:4px solid var(--line);padding:.1rem 0 .1rem .8rem;margin:.8rem 0}\n"
    ".mistake p{margin:.25rem 0}\n"
    "dl.texts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.15rem .7rem;"
    "margin:.3rem 0}\n"
    "dl.texts dt{font-weight:600;padding-top:.2rem}\n"
    "dl.texts dd{margin:0;min-width:0}\n"
    "@media (max-width:40rem){body{padding:.6rem}"
    "dl.texts{grid-template-columns:minmax(0,1fr)}dl.texts dt{padding-top:.4rem}}\n"
    /* The roster keeps its columns on a phone and scrolls in its box: a
     * name or a status broken letter by letter is unreadable. */
    "table.roster th,table.roster td{overflow-wrap:normal}\n"
    "table.roster th[scope=row]{min-width:8rem;overflow-wrap:anywhere;position:sticky;left:0;"
    "background:var(--bg)}\n"
    "table.roster tr.flagged th[scope=row]{background:var(--flag)}\n"
    "table.roster td.status{min-width:13rem}\n"
    /* The pass rates on a phone: the test's name on a line, its bar and
     * numbers under it. */
    "@media (max-width:40rem){table.rates thead{display:none}"
    "table.rates,table.rates tbody{display:block}"
    "table.rates tr{display:grid;grid-template-columns:minmax(0,1fr) auto auto;"
    "align-items:center;column-gap:.4rem;border-bottom:1px solid var(--line);padding:.2rem 0}"
    "table.rates th,table.rates td{border:0;padding:.1rem .2rem}"
    "table.rates th{grid-column:1/-1}td.rate{width:auto}}\n"
    ".test{border-top:1px solid var(--line);padding:.35rem 0}\n"
    ".test p{margin:.1rem 0}\n"
    ".points{font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".todo{background:var(--flag);padding:.3rem .6rem;border-radius:4px;margin:.3rem 0}\n"
    "details summary{cursor:pointer}\n"
    "dl.run{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem}\n"
    "dl.run dt{font-weight:600}dl.run dd{margin:0}\n"
    "@media (max-width:40rem){dl.run{grid-template-columns:minmax(0,1fr)}"
    "dl.run dd{margin-bottom:.3rem}}\n";

void *sg_html_fail(struct sg_html *h, const char *fmt, ...)
{
    if (!h->failed) {
        h->failed = true;
        va_list ap;
        va_start(ap, fmt);
        if (sg_buf_vprintf(&h->why, fmt, ap) == -1)
            h->why.len = 0;
        va_end(ap);
    }
    return NULL;
}

/* A text for the tree: NULL (and the page failed) when it is not valid UTF-8. */
static const char *sg_checked(struct sg_html *h, const char *what, const char *text)
{
    if (text != NULL && !sg_utf8_valid(text, strlen(text))) {
        char *shown = sg_escape_dup(text);
        sg_html_fail(h, "%s is not valid UTF-8: %s", what, shown);
        free(shown);
        return NULL;
    }
    return text;
}

int sg_html_open(struct sg_html *h, const char *title, struct sg_buf *err)
{
    memset(h, 0, sizeof *h);
    xmlNodePtr root = NULL;
    h->doc = htmlNewDocNoDtD(NULL, NULL);
    if (h->doc == NULL)
        sg_html_fail(h, "htmlNewDocNoDtD failed");
    else if (xmlCreateIntSubset(h->doc, BAD_CAST "html", NULL, NULL) == NULL)
        sg_html_fail(h, "xmlCreateIntSubset(html) failed");
    else if ((root = xmlNewDocNode(h->doc, NULL, BAD_CAST "html", NULL)) == NULL)
        sg_html_fail(h, "xmlNewDocNode(html) failed");
    if (root != NULL) {
        xmlDocSetRootElement(h->doc, root);
        sg_html_attr(h, root, "lang", "en");
        h->head = sg_html_el(h, root, "head", NULL);
        /* First in head: the encoding, then the viewport (phones lay out at
         * their own width instead of a desktop's, scaled down). */
        if (h->head != NULL && htmlSetMetaEncoding(h->doc, BAD_CAST "UTF-8") == -1)
            sg_html_fail(h, "htmlSetMetaEncoding(UTF-8) failed");
        xmlNodePtr viewport = sg_html_el(h, h->head, "meta", NULL);
        sg_html_attr(h, viewport, "name", "viewport");
        sg_html_attr(h, viewport, "content", "width=device-width, initial-scale=1");
        xmlNodePtr scheme = sg_html_el(h, h->head, "meta", NULL);
        sg_html_attr(h, scheme, "name", "color-scheme");
        sg_html_attr(h, scheme, "content", "light dark");
        if (sg_checked(h, "the page's title", title) != NULL)
            sg_html_el(h, h->head, "title", title);
        sg_html_el(h, h->head, "style", sg_style);
        h->body = sg_html_el(h, root, "body", NULL);
    }
    if (h->failed) {
        sg_buf_printf(err, "building a page: %s", h->why.data ? h->why.data : "failed");
        sg_html_close(h);
        return -1;
    }
    return 0;
}

void sg_html_close(struct sg_html *h)
{
    if (h->doc != NULL)
        xmlFreeDoc(h->doc);
    h->doc = NULL;
    h->head = h->body = NULL;
    sg_buf_free(&h->why);
}

xmlNodePtr sg_html_el(struct sg_html *h, xmlNodePtr parent, const char *tag, const char *text)
{
    if (parent == NULL)
        return NULL;
    if (text != NULL && sg_checked(h, tag, text) == NULL)
        return NULL;
    /* xmlNewTextChild takes the text as it is (escaped when serialised);
     * a NULL namespace inherits the parent's, so SVG stays SVG. */
    xmlNodePtr el = xmlNewTextChild(parent, NULL, BAD_CAST tag, BAD_CAST text);
    if (el == NULL)
        return sg_html_fail(h, "xmlNewTextChild(%s) failed", tag);
    return el;
}

static xmlNodePtr sg_html_velf(struct sg_html *h, xmlNodePtr parent, const char *tag,
                               const char *fmt, va_list ap)
{
    if (parent == NULL)
        return NULL;
    struct sg_buf b = SG_BUF_INIT;
    if (sg_buf_vprintf(&b, fmt, ap) == -1)
        return sg_html_fail(h, "the text of <%s>: out of memory", tag);
    xmlNodePtr el = sg_html_el(h, parent, tag, b.data ? b.data : "");
    sg_buf_free(&b);
    return el;
}

xmlNodePtr sg_html_elf(struct sg_html *h, xmlNodePtr parent, const char *tag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xmlNodePtr el = sg_html_velf(h, parent, tag, fmt, ap);
    va_end(ap);
    return el;
}

xmlNodePtr sg_html_elc(struct sg_html *h, xmlNodePtr parent, const char *tag, const char *cls,
                       const char *text)
{
    xmlNodePtr el = sg_html_el(h, parent, tag, text);
    sg_html_attr(h, el, "class", cls);
    return el;
}

void sg_html_text(struct sg_html *h, xmlNodePtr parent, const char *text)
{
    if (parent == NULL || sg_checked(h, "a text", text) == NULL)
        return;
    xmlNodePtr t = xmlNewDocText(h->doc, BAD_CAST text);
    if (t == NULL) {
        sg_html_fail(h, "xmlNewDocText failed");
        return;
    }
    if (xmlAddChild(parent, t) == NULL) {
        xmlFreeNode(t);
        sg_html_fail(h, "xmlAddChild(text) failed");
    }
}

void sg_html_textf(struct sg_html *h, xmlNodePtr parent, const char *fmt, ...)
{
    if (parent == NULL)
        return;
    struct sg_buf b = SG_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    int rc = sg_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (rc == -1)
        sg_html_fail(h, "a text: out of memory");
    else
        sg_html_text(h, parent, b.data ? b.data : "");
    sg_buf_free(&b);
}

void sg_html_attr(struct sg_html *h, xmlNodePtr node, const char *name, const char *value)
{
    if (node == NULL || sg_checked(h, name, value) == NULL)
        return;
    if (xmlSetProp(node, BAD_CAST name, BAD_CAST value) == NULL)
        sg_html_fail(h, "xmlSetProp(%s) failed", name);
}

void sg_html_attrf(struct sg_html *h, xmlNodePtr node, const char *name, const char *fmt, ...)
{
    if (node == NULL)
        return;
    struct sg_buf b = SG_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    int rc = sg_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (rc == -1)
        sg_html_fail(h, "the attribute %s: out of memory", name);
    else
        sg_html_attr(h, node, name, b.data ? b.data : "");
    sg_buf_free(&b);
}

/* Appends s percent-encoded whole ('/' included): libxml2's xmlURIEscapeStr. */
static int sg_uri_part(struct sg_html *h, struct sg_buf *b, const char *s)
{
    xmlChar *escaped = xmlURIEscapeStr(BAD_CAST s, BAD_CAST "");
    if (escaped == NULL) {
        sg_html_fail(h, "xmlURIEscapeStr failed");
        return -1;
    }
    int rc = sg_buf_puts(b, (const char *)escaped);
    xmlFree(escaped);
    if (rc == -1)
        sg_html_fail(h, "a link: out of memory");
    return rc;
}

xmlNodePtr sg_html_link(struct sg_html *h, xmlNodePtr parent, const char *const *segments,
                        const char *fragment, const char *text)
{
    if (parent == NULL)
        return NULL;
    struct sg_buf href = SG_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; segments != NULL && segments[i] != NULL && rc == 0; i++) {
        if (i > 0)
            rc = sg_buf_puts(&href, "/");
        rc = rc == 0 ? sg_uri_part(h, &href, segments[i]) : -1;
    }
    if (rc == 0 && fragment != NULL)
        rc = sg_buf_puts(&href, "#") == 0 ? sg_uri_part(h, &href, fragment) : -1;
    xmlNodePtr a = NULL;
    if (rc == 0) {
        a = sg_html_el(h, parent, "a", text);
        sg_html_attr(h, a, "href", href.data ? href.data : "");
    } else {
        sg_html_fail(h, "a link: out of memory");
    }
    sg_buf_free(&href);
    return a;
}

/* Keeps [A-Za-z0-9_-]; any other byte becomes "~XX" (hex). */
static int sg_id_part(struct sg_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
        if ((plain ? sg_buf_append(b, (const char *)p, 1) : sg_buf_printf(b, "~%02X", *p)) == -1)
            return -1;
    }
    return 0;
}

char *sg_html_id(const char *a, const char *b)
{
    struct sg_buf id = SG_BUF_INIT;
    if (sg_id_part(&id, a) == -1 || (b != NULL && (sg_buf_puts(&id, ".") == -1 ||
                                                   sg_id_part(&id, b) == -1))) {
        sg_buf_free(&id);
        return NULL;
    }
    return sg_buf_take(&id);
}

struct sg_dump {
    const xmlChar *bytes;
    int size;
};

static int sg_write_dump(FILE *out, const void *arg)
{
    const struct sg_dump *d = arg;
    return fwrite(d->bytes, 1, (size_t)d->size, out) == (size_t)d->size && fflush(out) == 0 ? 0
                                                                                             : -1;
}

int sg_html_save(struct sg_html *h, const char *path, struct sg_buf *err)
{
    if (h->failed) {
        char *shown = sg_escape_dup(path);
        sg_buf_printf(err, "%s: the page could not be built: %s", shown,
                      h->why.data ? h->why.data : "failed");
        free(shown);
        return -1;
    }
    xmlChar *bytes = NULL;
    int size = 0;
    htmlDocDumpMemoryFormat(h->doc, &bytes, &size, 1);
    if (bytes == NULL || size <= 0) {
        xmlFree(bytes);
        char *shown = sg_escape_dup(path);
        sg_buf_printf(err, "%s: htmlDocDumpMemoryFormat failed", shown);
        free(shown);
        return -1;
    }
    struct sg_dump d = { bytes, size };
    int rc = sg_write_atomic(path, sg_write_dump, &d);
    if (rc == -1) {
        char *shown = sg_escape_dup(path);
        sg_buf_printf(err, "%s: %s", shown, strerror(errno));
        free(shown);
    }
    xmlFree(bytes);
    return rc;
}
