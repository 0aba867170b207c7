/*
 * kt_html.c — the class's page (OUTDIR/index.html) and the students'
 * pages (OUTDIR/students/<name>/report.html), for the mixed class of the
 * batch test and students with hostile names and hostile output:
 * - read back with an HTML parser (libxml2's), the numbers on the page are
 *   the gradebook's, every link leads to a page or a place that exists,
 *   and whatever a submission holds (tags, quotes, scripts, invalid UTF-8)
 *   is text, never markup; the common mistakes group students who made
 *   the same mistake, whatever numbers their runs printed;
 * - each student's page is written from their grade.json, which holds all
 *   the text report holds (read back, it gives the same text report);
 * - in a real browser (headless Chromium, when installed; CI installs it
 *   and must not skip it): the pages load with no error and nothing from
 *   outside, no script runs, every chart has a size, a phone's width needs
 *   no sideways scrolling, the dark scheme is dark; screenshots are kept
 *   in build/artifacts/.
 */
#include "kt.h"
#include "sg_html_grade.h"
#include "sg_html_page.h"
#include "sg_html_stats.h"

#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <libxml/xpath.h>

/* Names that once were markup, and one whose link needs every kind of escape. */
static const char *const kt_hostile_names[] = {
    "<img src=x onerror=alert(1)>",
    "\"><svg onload=alert(2)>",
    "a #?%&amp; b",
};

/* What a hostile student's sb_read_line does on the first test that reads a line. */
static const char kt_hostile_read[] =
    "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n"
    "    if (cap == 32) {\n"
    "        printf(\"<script>alert(4)</script>\\xff\\\"'&\\n\");\n"
    "        fflush(stdout);\n"
    "        memcpy(buf, \"<img src=x onerror=alert(3)>\\xe9\", 30);\n"
    "        return 29;\n"
    "    }\n";

/* The file at path with from replaced by to, exactly once. */
static void kt_edit(const char *path, const char *from, const char *to)
{
    char *text = kt_read(path, NULL);
    char *at = strstr(text, from);
    ck_assert_msg(at != NULL, "%s no longer contains %s", path, from);
    struct sg_buf b = SG_BUF_INIT;
    sg_buf_puts(&b, "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n");
    sg_buf_append(&b, text, (size_t)(at - text));
    sg_buf_puts(&b, to);
    sg_buf_puts(&b, at + strlen(from));
    kt_write(path, b.data);
    sg_buf_free(&b);
    free(text);
}

static void kt_edited(const char *class, const char *name, const char *from, const char *to)
{
    const char *one[] = { "01-shared-buffer", NULL };
    kt_student(class, name, one, false, "solutions");
    char *dir = kt_path(class, name);
    char *file = kt_path(dir, "shared_buffer.c");
    kt_edit(file, from, to);
    free(file);
    free(dir);
}

/* The batch test's mixed class, then hostile names, hostile output and one shared mistake. */
static void kt_html_class(const char *class)
{
    const char *one[] = { "01-shared-buffer", NULL };
    char name[64];
    kt_mixed_class(class);
    const char *read_line = "long sb_read_line(char *buf, size_t cap, FILE *in)\n{\n";
    struct sg_buf exit_zero = SG_BUF_INIT;
    sg_buf_printf(&exit_zero, "%s    exit(0);\n", read_line);
    kt_edited(class, "exit-zero", read_line, exit_zero.data);
    sg_buf_free(&exit_zero);
    kt_odd_names(class);

    for (size_t i = 0; i < sizeof kt_hostile_names / sizeof *kt_hostile_names; i++)
        kt_student(class, kt_hostile_names[i], one, false, "solutions");
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "hostile-output-%d", i);
        kt_edited(class, name, read_line, kt_hostile_read);
        /* The same mistake, in three runs that print different addresses. */
        snprintf(name, sizeof name, "private-%d", i);
        kt_edited(class, name, "flags |= MAP_SHARED;", "flags |= MAP_PRIVATE;");
    }
}

/* ---- reading the pages back ---- */

static void kt_csv_to_json_cell(void *data, size_t len, void *arg)
{
    json_t *rows = arg;
    json_t *row = json_array_get(rows, json_array_size(rows) - 1);
    json_array_append_new(row, json_stringn((const char *)data, len));
}

static void kt_csv_to_json_row(int ch, void *arg)
{
    (void)ch;
    json_array_append_new(arg, json_array());
}

/* The gradebook as rows of cells (every row, however many). */
static json_t *kt_gradebook(const char *out)
{
    char *path = kt_path(out, "gradebook.csv");
    size_t len;
    char *text = kt_read(path, &len);
    json_t *rows = json_array();
    json_array_append_new(rows, json_array());
    struct csv_parser p;
    ck_assert(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) == 0);
    ck_assert(csv_parse(&p, text, len, kt_csv_to_json_cell, kt_csv_to_json_row, rows) == len);
    ck_assert(csv_fini(&p, kt_csv_to_json_cell, kt_csv_to_json_row, rows) == 0);
    csv_free(&p);
    /* The row opened after the last one is empty. */
    if (json_array_size(json_array_get(rows, json_array_size(rows) - 1)) == 0)
        json_array_remove(rows, json_array_size(rows) - 1);
    free(text);
    free(path);
    return rows;
}

static const char *kt_cell(json_t *rows, size_t r, size_t c)
{
    return json_string_value(json_array_get(json_array_get(rows, r), c));
}

/* The page's bytes, checked as bytes, then parsed by libxml2's HTML parser. */
static htmlDocPtr kt_parse(const char *path)
{
    size_t len;
    char *bytes = kt_read(path, &len);
    ck_assert_msg(sg_utf8_valid(bytes, len), "%s is not valid UTF-8", path);
    /* Nothing a submission held became a tag (as text, "<" is "&lt;"). */
    const char *never[] = { "<script", "<img", "<iframe", "<object", "<embed", "<link" };
    for (size_t i = 0; i < sizeof never / sizeof *never; i++)
        ck_assert_msg(strcasestr(bytes, never[i]) == NULL, "%s holds %s:\n%.300s", path, never[i],
                      strcasestr(bytes, never[i]));
    /* The style sheet fetches nothing: its only url() is the page's own pattern. */
    for (const char *p = bytes; (p = strstr(p, "url(")) != NULL; p++)
        ck_assert_msg(strncmp(p, "url(#", 5) == 0, "%s: %.80s", path, p);
    /* The SVG tags are unknown to this parser (it reads HTML 4): told, not errors. */
    htmlDocPtr doc = htmlReadMemory(bytes, (int)len, path, "UTF-8",
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    ck_assert_msg(doc != NULL, "%s does not parse", path);
    free(bytes);
    return doc;
}

/* The nodes matching expr under node (the document when node is NULL); free with xmlXPathFreeObject. */
static xmlXPathObjectPtr kt_xpath(htmlDocPtr doc, xmlNodePtr node, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    ck_assert(ctx != NULL);
    if (node != NULL)
        ctx->node = node;
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    xmlXPathFreeContext(ctx);
    ck_assert_msg(o != NULL, "xpath %s", expr);
    return o;
}

static int kt_count(htmlDocPtr doc, xmlNodePtr node, const char *expr)
{
    xmlXPathObjectPtr o = kt_xpath(doc, node, expr);
    int n = o->nodesetval ? o->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(o);
    return n;
}

/* The text of a node, its children's included (malloc'ed). */
static char *kt_text(xmlNodePtr node)
{
    xmlChar *t = xmlNodeGetContent(node);
    char *copy = strdup(t ? (const char *)t : "");
    xmlFree(t);
    return copy;
}

/* No markup a submission could have slipped in: no script, no handler, nothing loaded. */
static void kt_inert(htmlDocPtr doc, const char *path)
{
    const char *never = "//script | //img | //iframe | //object | //embed | //link | //@src | "
                        "//@*[starts-with(name(), 'on')] | //@style";
    ck_assert_msg(kt_count(doc, NULL, never) == 0, "%s holds active markup", path);
}

/* Every id of a page, as the keys of an object. */
static json_t *kt_ids(htmlDocPtr doc)
{
    json_t *ids = json_object();
    xmlXPathObjectPtr o = kt_xpath(doc, NULL, "//@id");
    for (int i = 0; o->nodesetval && i < o->nodesetval->nodeNr; i++) {
        char *id = kt_text(o->nodesetval->nodeTab[i]);
        ck_assert_msg(json_object_get(ids, id) == NULL, "the id %s is not unique", id);
        json_object_set_new(ids, id, json_true());
        free(id);
    }
    xmlXPathFreeObject(o);
    return ids;
}

/* Every link of the page at dir/file leads somewhere: a file here, and the id it names. */
static void kt_links(htmlDocPtr doc, const char *dir, const char *file, int *to_students)
{
    json_t *ids = kt_ids(doc);
    xmlXPathObjectPtr o = kt_xpath(doc, NULL, "//a/@href");
    for (int i = 0; o->nodesetval && i < o->nodesetval->nodeNr; i++) {
        char *href = kt_text(o->nodesetval->nodeTab[i]);
        ck_assert_msg(strstr(href, "://") == NULL && href[0] != '/',
                      "%s: a link out of the folder: %s", file, href);
        char *hash = strchr(href, '#');
        if (hash != NULL)
            *hash++ = '\0';
        char *fragment = hash ? xmlURIUnescapeString(hash, 0, NULL) : NULL;
        if (href[0] == '\0') {
            ck_assert_msg(fragment && json_object_get(ids, fragment), "%s: no id %s", file,
                          fragment ? fragment : "(none)");
        } else {
            char *target = xmlURIUnescapeString(href, 0, NULL);
            char *path = kt_path(dir, target);
            struct stat st;
            ck_assert_msg(stat(path, &st) == 0 && S_ISREG(st.st_mode),
                          "%s links to %s, which is not there", file, href);
            if (strncmp(target, "students/", 9) == 0)
                (*to_students)++;
            if (fragment != NULL) {
                htmlDocPtr there = kt_parse(path);
                json_t *there_ids = kt_ids(there);
                ck_assert_msg(json_object_get(there_ids, fragment) != NULL, "%s: %s has no id %s",
                              file, href, fragment);
                json_decref(there_ids);
                xmlFreeDoc(there);
            }
            free(path);
            xmlFree(target);
        }
        xmlFree(fragment);
        free(href);
    }
    xmlXPathFreeObject(o);
    json_decref(ids);
}

/* The roster: a row per gradebook row, cell for cell, and a link to each student's page. */
static void kt_roster(htmlDocPtr doc, json_t *book)
{
    xmlXPathObjectPtr rows = kt_xpath(doc, NULL, "//table[@class='roster']/tbody/tr");
    size_t nrows = json_array_size(book) - 1;
    ck_assert_int_eq(rows->nodesetval ? rows->nodesetval->nodeNr : 0, (int)nrows);
    size_t ncols = json_array_size(json_array_get(book, 0));
    for (size_t r = 0; r < nrows; r++) {
        xmlNodePtr tr = rows->nodesetval->nodeTab[r];
        xmlXPathObjectPtr cells = kt_xpath(doc, tr, "th | td");
        ck_assert_int_eq(cells->nodesetval->nodeNr, (int)ncols);
        for (size_t c = 0; c < ncols; c++) {
            char *text = kt_text(cells->nodesetval->nodeTab[c]);
            ck_assert_msg(strcmp(text, kt_cell(book, r + 1, c)) == 0,
                          "row %zu, %s: the page says \"%s\", the gradebook \"%s\"", r + 1,
                          kt_cell(book, 0, c), text, kt_cell(book, r + 1, c));
            free(text);
        }
        ck_assert_msg(kt_count(doc, tr, "th/a[@href]") == 1, "%s has no page linked",
                      kt_cell(book, r + 1, 0));
        /* Incomplete or with a file refused: marked. */
        const char *status = kt_cell(book, r + 1, ncols - 1);
        bool flagged = strncmp(status, "incomplete", 10) == 0 || strstr(status, "refused");
        ck_assert_int_eq(kt_count(doc, tr, "self::tr[@class='flagged']"), flagged);
        xmlXPathFreeObject(cells);
    }
    xmlXPathFreeObject(rows);
}

/* The bins of a histogram on the page: "RANGE: N students" in each bar's title. */
static void kt_histogram(htmlDocPtr doc, const char *figure, const int expected[SG_HTML_BINS])
{
    struct sg_buf expr = SG_BUF_INIT;
    sg_buf_printf(&expr, "//figure[@id='%s']//svg/g/title", figure);
    xmlXPathObjectPtr o = kt_xpath(doc, NULL, expr.data);
    ck_assert_msg(o->nodesetval && o->nodesetval->nodeNr == SG_HTML_BINS, "%s: %d bins", figure,
                  o->nodesetval ? o->nodesetval->nodeNr : 0);
    for (int b = 0; b < SG_HTML_BINS; b++) {
        char *title = kt_text(o->nodesetval->nodeTab[b]);
        char *colon = strchr(title, ':');
        ck_assert_msg(colon != NULL, "%s: a bar's title: %s", figure, title);
        int n = atoi(colon + 1);
        ck_assert_msg(n == expected[b], "%s, bin %d: the page shows %d, the gradebook says %d",
                      figure, b, n, expected[b]);
        free(title);
    }
    xmlXPathFreeObject(o);
    sg_buf_free(&expr);
}

/* Both distributions, recounted from the gradebook's scores. */
static void kt_distributions(htmlDocPtr doc, json_t *book, json_t *summary)
{
    size_t ncols = json_array_size(json_array_get(book, 0));
    int totals[SG_HTML_BINS] = { 0 };
    for (size_t r = 1; r < json_array_size(book); r++) {
        const char *total = kt_cell(book, r, ncols - 4), *max = kt_cell(book, r, ncols - 3);
        if (*total != '\0')
            totals[sg_html_bin(atof(max) > 0 ? 100 * atof(total) / atof(max) : 0)]++;
    }
    kt_histogram(doc, "totals", totals);
    for (size_t c = 1; c + 4 < ncols; c++) {
        const char *lab = kt_cell(book, 0, c);
        double max = 0;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(summary, "labs"), i, v)
            if (strcmp(json_string_value(json_object_get(v, "lab")), lab) == 0)
                max = json_number_value(json_object_get(v, "max"));
        int bins[SG_HTML_BINS] = { 0 };
        for (size_t r = 1; r < json_array_size(book); r++)
            if (*kt_cell(book, r, c) != '\0')
                bins[sg_html_bin(max > 0 ? 100 * atof(kt_cell(book, r, c)) / max : 0)]++;
        char *id = sg_html_id("lab", lab);
        kt_histogram(doc, id, bins);
        free(id);
    }
}

/* Every test's bar: passed and graded as the students' grade.json count them, lowest first. */
static void kt_rates(htmlDocPtr doc, const char *students, json_t *book)
{
    size_t ncols = json_array_size(json_array_get(book, 0));
    for (size_t c = 1; c + 4 < ncols; c++) {
        const char *lab = kt_cell(book, 0, c);
        json_t *tally = json_object(); /* test -> [passed, graded] */
        DIR *d = opendir(students);
        ck_assert(d != NULL);
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            if (e->d_name[0] == '.')
                continue;
            struct sg_buf p = SG_BUF_INIT;
            sg_buf_printf(&p, "%s/%s/grade.json", students, e->d_name);
            json_t *g = json_load_file(p.data, 0, NULL);
            ck_assert_msg(g != NULL, "%s", p.data);
            size_t i, k;
            json_t *l, *t;
            json_array_foreach(json_object_get(g, "labs"), i, l) {
                if (strcmp(json_string_value(json_object_get(l, "id")), lab) != 0 ||
                    strcmp(json_string_value(json_object_get(l, "state")), "graded") != 0)
                    continue;
                json_array_foreach(json_object_get(l, "tests"), k, t) {
                    const char *name = json_string_value(json_object_get(t, "name"));
                    json_t *pair = json_object_get(tally, name);
                    if (pair == NULL)
                        json_object_set_new(tally, name, pair = json_pack("[i, i]", 0, 0));
                    json_array_set_new(pair, 0,
                                       json_integer(json_integer_value(json_array_get(pair, 0)) +
                                                    json_is_true(json_object_get(t, "passed"))));
                    json_array_set_new(pair, 1,
                                       json_integer(json_integer_value(json_array_get(pair, 1)) + 1));
                }
            }
            json_decref(g);
            sg_buf_free(&p);
        }
        closedir(d);
        char *id = sg_html_id("tests", lab);
        struct sg_buf expr = SG_BUF_INIT;
        sg_buf_printf(&expr, "//h3[@id='%s']/following-sibling::div[1]/table/tbody/tr", id);
        xmlXPathObjectPtr rows = kt_xpath(doc, NULL, expr.data);
        ck_assert_int_eq(rows->nodesetval ? rows->nodesetval->nodeNr : 0,
                         (int)json_object_size(tally));
        double last = -1;
        for (int r = 0; r < rows->nodesetval->nodeNr; r++) {
            xmlXPathObjectPtr cells = kt_xpath(doc, rows->nodesetval->nodeTab[r], "th//code | td");
            char *name = kt_text(cells->nodesetval->nodeTab[0]);
            char *count = kt_text(cells->nodesetval->nodeTab[2]);
            json_t *pair = json_object_get(tally, name);
            ck_assert_msg(pair != NULL, "%s: %s is not a test graded", lab, name);
            char want[64];
            snprintf(want, sizeof want, "%d/%d", (int)json_integer_value(json_array_get(pair, 0)),
                     (int)json_integer_value(json_array_get(pair, 1)));
            ck_assert_msg(strcmp(count, want) == 0, "%s: %s: the page says %s, the grades %s",
                          lab, name, count, want);
            double rate = (double)json_integer_value(json_array_get(pair, 0)) /
                          (double)json_integer_value(json_array_get(pair, 1));
            ck_assert_msg(rate >= last, "%s: %s is out of order (lowest first)", lab, name);
            last = rate;
            free(name);
            free(count);
            xmlXPathFreeObject(cells);
        }
        xmlXPathFreeObject(rows);
        sg_buf_free(&expr);
        free(id);
        json_decref(tally);
    }
}

/* The names in a group's "who" line, joined by ", ". */
static char *kt_who(htmlDocPtr doc, xmlNodePtr group)
{
    xmlXPathObjectPtr o = kt_xpath(doc, group, ".//a");
    struct sg_buf b = SG_BUF_INIT;
    sg_buf_puts(&b, "");
    for (int i = 0; o->nodesetval && i < o->nodesetval->nodeNr; i++) {
        char *t = kt_text(o->nodesetval->nodeTab[i]);
        sg_buf_printf(&b, "%s%s", i ? ", " : "", t);
        free(t);
    }
    xmlXPathFreeObject(o);
    return sg_buf_take(&b);
}

/*
 * The group of a mistake made of students named prefix-0, -1, -2: all three,
 * or two when the third's grading went otherwise (on a loaded machine a
 * sandbox can fail to start a build; that student is then not in the group,
 * and no one else may be).
 */
static xmlNodePtr kt_group(htmlDocPtr doc, const char *lab, const char *test, const char *prefix)
{
    char *id = sg_html_id(lab, test);
    struct sg_buf expr = SG_BUF_INIT;
    sg_buf_printf(&expr, "//article[@id='mistake-%s']//div[@class='mistake']", id);
    xmlXPathObjectPtr o = kt_xpath(doc, NULL, expr.data);
    xmlNodePtr found = NULL;
    struct sg_buf seen = SG_BUF_INIT;
    for (int i = 0; o->nodesetval && i < o->nodesetval->nodeNr && found == NULL; i++) {
        char *names = kt_who(doc, o->nodesetval->nodeTab[i]);
        int ours = 0, others = 0;
        for (char *name = strtok(names, ","); name != NULL; name = strtok(NULL, ",")) {
            name += strspn(name, " ");
            bool mine = strncmp(name, prefix, strlen(prefix)) == 0 &&
                        strchr("012", name[strlen(prefix)]) && name[strlen(prefix) + 1] == '\0';
            ours += mine;
            others += !mine;
        }
        if (ours >= 2 && others == 0)
            found = o->nodesetval->nodeTab[i];
        free(names);
        names = kt_who(doc, o->nodesetval->nodeTab[i]);
        sg_buf_printf(&seen, "\n  %s", names);
        free(names);
    }
    ck_assert_msg(found != NULL, "%s: %s: no group of %s0, 1, 2 among:%s", lab, test, prefix,
                  seen.data ? kt_tail(seen.data) : " (none)");
    xmlXPathFreeObject(o);
    sg_buf_free(&expr);
    sg_buf_free(&seen);
    free(id);
    return found;
}

static void kt_mistakes(htmlDocPtr doc)
{
    /* Three runs, three addresses, one mistake. */
    xmlNodePtr g = kt_group(doc, "01-shared-buffer", "map_shared", "private-");
    char *text = kt_text(g);
    ck_assert_msg(strstr(text, "students") && strstr(text, "not shared") &&
                      strstr(text, "numbers differ"),
                  "%s", text);
    free(text);
    /* What a hostile student's code wrote is shown as text. */
    g = kt_group(doc, "01-shared-buffer", "read_line_basic", "hostile-output-");
    text = kt_text(g);
    ck_assert_msg(strstr(text, "<img src=x onerror=alert(3)>\\xe9") != NULL, "%s", text);
    free(text);
}

/* Each student's page: inert, its total the gradebook's, and written from all grade.json holds. */
static void kt_student_pages(const char *students, json_t *book)
{
    size_t ncols = json_array_size(json_array_get(book, 0));
    for (size_t r = 1; r < json_array_size(book); r++) {
        const char *name = kt_cell(book, r, 0);
        const char *folder = strcmp(name, "caf\\xe9") == 0 ? "caf\xe9" : name;
        char *dir = kt_path(students, folder);
        char *page = kt_path(dir, "report.html");
        htmlDocPtr doc = kt_parse(page);
        kt_inert(doc, page);
        int ignored = 0;
        kt_links(doc, dir, "report.html", &ignored);
        xmlXPathObjectPtr h1 = kt_xpath(doc, NULL, "//h1");
        char *title = kt_text(h1->nodesetval->nodeTab[0]);
        struct sg_buf want = SG_BUF_INIT;
        sg_buf_printf(&want, "shmlab report: %s", name);
        ck_assert_str_eq(title, want.data);
        xmlXPathObjectPtr total = kt_xpath(doc, NULL, "//h1/following-sibling::p[1]");
        char *line = kt_text(total->nodesetval->nodeTab[0]);
        sg_buf_free(&want);
        sg_buf_printf(&want, "total %s/%s (%s %%)", kt_cell(book, r, ncols - 4),
                      kt_cell(book, r, ncols - 3), kt_cell(book, r, ncols - 2));
        ck_assert_msg(strncmp(line, want.data, want.len) == 0, "%s: \"%s\", not \"%s\"", name,
                      line, want.data);
        /* grade.json read back gives the very text report the batch wrote. */
        char *json = kt_path(dir, "grade.json");
        char *txt = kt_path(dir, "report.txt");
        json_t *root = json_load_file(json, 0, NULL);
        struct sg_grade g;
        struct sg_buf err = SG_BUF_INIT;
        ck_assert_msg(sg_html_grade_read(root, &g, &err) == 0, "%s: %s", json, err.data);
        char *again = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&again, &len);
        ck_assert(f != NULL && sg_report_text(&g, f, false) == 0 && fclose(f) == 0);
        char *before = kt_read(txt, NULL);
        ck_assert_msg(strcmp(again, before) == 0, "%s: the text report from grade.json differs",
                      name);
        free(before);
        free(again);
        sg_grade_free(&g);
        json_decref(root);
        sg_buf_free(&err);
        free(json);
        free(txt);
        free(line);
        free(title);
        sg_buf_free(&want);
        xmlXPathFreeObject(total);
        xmlXPathFreeObject(h1);
        xmlFreeDoc(doc);
        free(page);
        free(dir);
    }
    /* The hostile output, as text on the students' pages (on two of three at
     * least: see kt_group). */
    int shown = 0;
    for (int k = 0; k < 3; k++) {
        char name[64];
        snprintf(name, sizeof name, "hostile-output-%d/report.html", k);
        char *page = kt_path(students, name);
        htmlDocPtr doc = kt_parse(page);
        xmlXPathObjectPtr o = kt_xpath(doc, NULL, "//pre");
        bool script = false, img = false;
        for (int i = 0; o->nodesetval && i < o->nodesetval->nodeNr; i++) {
            char *t = kt_text(o->nodesetval->nodeTab[i]);
            script = script || strstr(t, "<script>alert(4)</script>\\xff") != NULL;
            img = img || strstr(t, "<img src=x onerror=alert(3)>\\xe9") != NULL;
            free(t);
        }
        shown += script && img;
        xmlXPathFreeObject(o);
        xmlFreeDoc(doc);
        free(page);
    }
    ck_assert_msg(shown >= 2, "the hostile output and observed text are shown on %d pages of 3",
                  shown);
}

/* ---- in a browser ---- */

/* What the browser is asked about a page, as JSON. */
static const char kt_probe[] =
    "(() => ({"
    " charts: [...document.querySelectorAll('svg.chart')].map(s => {"
    "   const r = s.getBoundingClientRect(); return [r.width, r.height]; }),"
    " scripts: document.scripts.length,"
    " handlers: [...document.querySelectorAll('*')].filter(e =>"
    "   [...e.attributes].some(a => a.name.startsWith('on'))).length,"
    " wide: document.documentElement.scrollWidth, window: window.innerWidth,"
    " background: getComputedStyle(document.body).backgroundColor,"
    " roster: [...document.querySelectorAll('table.roster tbody tr')].map(tr =>"
    "   [...tr.cells].map(c => c.textContent))"
    "}))()";

/* Chromium's path: $CHROMIUM, else Debian's; NULL when there is none. */
static const char *kt_chromium(void)
{
    const char *env = getenv("CHROMIUM");
    const char *path = env && *env ? env : "/usr/bin/chromium";
    return access(path, X_OK) == 0 ? path : NULL;
}

static void kt_browse(struct kt_browser *b, const char *page, int width, bool dark,
                      const char *png, json_t *book, char **background)
{
    char *url = NULL;
    xmlChar *escaped = xmlURIEscapeStr(BAD_CAST page, BAD_CAST "/");
    struct sg_buf u = SG_BUF_INIT;
    sg_buf_printf(&u, "file://%s", (const char *)escaped);
    xmlFree(escaped);
    url = sg_buf_take(&u);
    json_t *facts;
    char *errors, *why = NULL;
    int rc = kt_browser_check(b, url, width, dark, kt_probe, png, &facts, &errors, &why);
    if (rc == -1) {
        char *log = kt_browser_log(b);
        ck_abort_msg("%s at %d px: %s\nChromium said:\n%s", page, width, why, log);
    }
    ck_assert_msg(*errors == '\0', "%s at %d px:\n%s", page, width, errors);
    ck_assert_int_eq(json_integer_value(json_object_get(facts, "scripts")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(facts, "handlers")), 0);
    size_t i;
    json_t *chart;
    json_array_foreach(json_object_get(facts, "charts"), i, chart)
        ck_assert_msg(json_number_value(json_array_get(chart, 0)) > 0 &&
                          json_number_value(json_array_get(chart, 1)) > 0,
                      "%s at %d px: chart %zu is %gx%g", page, width, i,
                      json_number_value(json_array_get(chart, 0)),
                      json_number_value(json_array_get(chart, 1)));
    /* A phone scrolls down, never sideways: wide tables scroll in their own box. */
    ck_assert_msg(json_number_value(json_object_get(facts, "wide")) <=
                      json_number_value(json_object_get(facts, "window")),
                  "%s at %d px is %g px wide", page, width,
                  json_number_value(json_object_get(facts, "wide")));
    /* Chromium's HTML parser reads the same roster as the gradebook. */
    json_t *roster = json_object_get(facts, "roster");
    for (size_t r = 0; book != NULL && r + 1 < json_array_size(book); r++)
        for (size_t c = 0; c < json_array_size(json_array_get(book, 0)); c++) {
            const char *seen = json_string_value(json_array_get(json_array_get(roster, r), c));
            ck_assert_msg(seen && strcmp(seen, kt_cell(book, r + 1, c)) == 0,
                          "in Chromium, row %zu, %s: \"%s\", not \"%s\"", r + 1,
                          kt_cell(book, 0, c), seen ? seen : "(none)", kt_cell(book, r + 1, c));
        }
    if (background != NULL)
        *background = strdup(json_string_value(json_object_get(facts, "background")) ?: "");
    json_decref(facts);
    free(errors);
    free(why);
    free(url);
}

static void kt_browser_checks(const char *out, json_t *book)
{
    const char *chromium = kt_chromium();
    bool ci = getenv("CI") && strcmp(getenv("CI"), "true") == 0;
    if (chromium == NULL) {
        ck_assert_msg(!ci, "CI must check the pages in a browser: no Chromium at "
                           "/usr/bin/chromium (or $CHROMIUM); .ci/run installs it");
        printf("kt_html: no Chromium (/usr/bin/chromium or $CHROMIUM): the pages were not "
               "checked in a browser (CI does: apt-get install chromium)\n");
        fflush(stdout);
        return;
    }
    char *artifacts = kt_path(kt_root, "build/artifacts");
    ck_assert(sg_mkdirs(artifacts, 0755) == 0);
    char *tmp = kt_tempdir();
    char *why = NULL;
    struct kt_browser *b = kt_browser_start(chromium, tmp, &why);
    ck_assert_msg(b != NULL, "starting %s: %s", chromium, why);
    /* First, that the check sees what it must: a page that loads a file
     * beside it, logs an error and throws is not a clean page. */
    char *canary = kt_path(tmp, "canary.html");
    kt_write(canary, "<!DOCTYPE html><title>canary</title><img src=\"missing.png\">"
                     "<script>console.error('canary'); throw new Error('canary');</script>");
    char *canary_url = kt_path("file:/", canary), *canary_png = kt_path(tmp, "canary.png");
    json_t *facts;
    char *errors;
    ck_assert_msg(kt_browser_check(b, canary_url, 390, false, kt_probe, canary_png, &facts,
                                   &errors, &why) == 0,
                  "the canary: %s", why);
    ck_assert_msg(strstr(errors, "an exception") && strstr(errors, "console.error") &&
                      strstr(errors, "a load outside the page") &&
                      json_integer_value(json_object_get(facts, "scripts")) == 1,
                  "the check missed what the canary page did:\n%s", errors);
    json_decref(facts);
    free(errors);
    free(canary_png);
    free(canary_url);
    free(canary);

    char *index = kt_path(out, "index.html");
    char *student = kt_path(out, "students/hostile-output-0/report.html");
    char *light = NULL, *dark = NULL;
    struct {
        const char *page, *png;
        int width;
        bool dark;
    } shots[] = {
        { index, "class-desktop.png", 1280, false },
        { index, "class-phone.png", 390, false },
        { index, "class-phone-dark.png", 390, true },
        { student, "student-desktop.png", 1280, false },
        { student, "student-phone.png", 390, false },
    };
    for (size_t i = 0; i < sizeof shots / sizeof *shots; i++) {
        char *png = kt_path(artifacts, shots[i].png);
        char **bg = i == 1 ? &light : i == 2 ? &dark : NULL;
        kt_browse(b, shots[i].page, shots[i].width, shots[i].dark, png,
                  shots[i].page == index ? book : NULL, bg);
        free(png);
    }
    ck_assert_msg(strcmp(light, dark) != 0, "the dark scheme has the light background %s", dark);
    printf("kt_html: screenshots of the pages in %s\n", artifacts);
    fflush(stdout);
    kt_browser_stop(b);
    free(light);
    free(dark);
    free(index);
    free(student);
    kt_rmtree(tmp);
    free(tmp);
    free(artifacts);
}

START_TEST(the_class_page_is_the_gradebook_escaped_and_loads_in_a_browser)
{
    char *class = kt_tempdir(), *out = kt_tempdir();
    kt_html_class(class);
    const char *args[] = { "--batch", class, "-j", "4", "-o", out, "--lab", "01", "--lab", "04",
                           "--hidden", "--format", "text", NULL };
    char *stdout_text, *progress;
    ck_assert_msg(kt_shmgrade_err(args, &stdout_text, &progress) == 0, "%s", kt_tail(progress));
    json_t *book = kt_gradebook(out);
    ck_assert_int_eq(json_array_size(book), 33);
    char *sumfile = kt_path(out, "summary.json");
    json_t *summary = json_load_file(sumfile, 0, NULL);
    ck_assert(summary != NULL);

    char *index = kt_path(out, "index.html");
    htmlDocPtr doc = kt_parse(index);
    kt_inert(doc, index);
    int to_students = 0;
    kt_links(doc, out, "index.html", &to_students);
    ck_assert_msg(to_students >= 32, "%d links to students' pages", to_students);
    kt_roster(doc, book);
    kt_distributions(doc, book, summary);
    char *students = kt_path(out, "students");
    kt_rates(doc, students, book);
    kt_mistakes(doc);
    kt_student_pages(students, book);
    xmlFreeDoc(doc);

    kt_browser_checks(out, book);

    json_decref(summary);
    json_decref(book);
    free(students);
    free(index);
    free(sumfile);
    free(stdout_text);
    free(progress);
    kt_rmtree(class);
    kt_rmtree(out);
    free(class);
    free(out);
}
END_TEST

START_TEST(a_page_that_cannot_be_built_is_not_written)
{
    /* Text that is not UTF-8 cannot be put on a page: the page is an error, not a gap. */
    char *dir = kt_tempdir();
    char *path = kt_path(dir, "page.html");
    struct sg_html h;
    struct sg_buf err = SG_BUF_INIT;
    ck_assert(sg_html_open(&h, "a page", &err) == 0);
    sg_html_el(&h, h.body, "p", "fine");
    sg_html_el(&h, h.body, "p", "caf\xe9");
    sg_html_el(&h, h.body, "p", "after");
    ck_assert_int_eq(sg_html_save(&h, path, &err), -1);
    ck_assert_msg(err.data && strstr(err.data, "not valid UTF-8") && strstr(err.data, "caf\\xe9"),
                  "%s", err.data);
    ck_assert(access(path, F_OK) == -1);
    sg_html_close(&h);
    sg_buf_free(&err);
    /* And one that can is written whole, its text escaped by libxml2. */
    ck_assert(sg_html_open(&h, "a <page>", &err) == 0);
    sg_html_el(&h, h.body, "p", "</p><script>alert(\"&\")</script>");
    const char *segments[] = { "a b", "c#d?e%f", NULL };
    sg_html_link(&h, h.body, segments, "x y", "link");
    ck_assert_int_eq(sg_html_save(&h, path, &err), 0);
    sg_html_close(&h);
    char *text = kt_read(path, NULL);
    ck_assert_msg(strstr(text, "<p>&lt;/p&gt;&lt;script&gt;alert(\"&amp;\")&lt;/script&gt;</p>") &&
                      strstr(text, "href=\"a%20b/c%23d%3Fe%25f#x%20y\"") &&
                      strstr(text, "<title>a &lt;page&gt;</title>"),
                  "%s", text);
    free(text);
    sg_buf_free(&err);
    free(path);
    kt_rmtree(dir);
    free(dir);
}
END_TEST

void kt_add_html(Suite *s)
{
    TCase *tc = tcase_create("html");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, a_page_that_cannot_be_built_is_not_written);
    tcase_add_test(tc, the_class_page_is_the_gradebook_escaped_and_loads_in_a_browser);
    suite_add_tcase(s, tc);
}
