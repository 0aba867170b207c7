/*
 * sg_report_junit.c — JUnit XML for CI servers, written with libxml2.
 *
 * One <testsuite> per lab, one <testcase> per test. The counts follow the
 * JUnit schema that CI servers read (Ant's JUnit report, as documented by
 * the junit-xml schemas and read by Jenkins and GitLab): "tests" counts
 * every test case, "failures" the tests that ran and failed, "errors" the
 * tests that could not run, "skipped" the ones not run on purpose (none
 * here), at every level, so that the root's counts are the sums of its
 * suites'. A test of a graded lab that failed carries a <failure>; a test
 * of a lab that was not graded (missing file, compile error, refused file,
 * grader error) carries an <error> whose type says which, and the lab's
 * compiler messages are in its suite's <system-err>, once. What a test
 * printed is in its <system-out>.
 * libxml2 escapes everything; the strings are valid UTF-8 already.
 */
#include "sg_report.h"
#include "sg_text.h"

#include <errno.h>
#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>

struct sg_counts {
    size_t tests, failures, errors;
    double seconds;
};

static int sg_attr(xmlTextWriterPtr w, const char *name, const char *value)
{
    return xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST(value ? value : ""));
}

static int sg_attr_num(xmlTextWriterPtr w, const char *name, double value)
{
    return xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%g", value);
}

static int sg_attr_counts(xmlTextWriterPtr w, const struct sg_counts *c)
{
    int rc = sg_attr_num(w, "tests", (double)c->tests);
    rc |= sg_attr_num(w, "failures", (double)c->failures);
    rc |= sg_attr_num(w, "errors", (double)c->errors);
    rc |= sg_attr_num(w, "skipped", 0);
    rc |= sg_attr_num(w, "time", c->seconds);
    return rc;
}

static struct sg_counts sg_lab_counts(const struct sg_lab_result *lab)
{
    struct sg_counts c = { lab->ntests, 0, 0, lab->build_seconds };
    for (size_t k = 0; k < lab->ntests; k++) {
        c.seconds += lab->tests[k].seconds;
        if (lab->tests[k].passed)
            continue;
        if (lab->state == SG_LAB_GRADED)
            c.failures++;
        else
            c.errors++;
    }
    return c;
}

static int sg_junit_test(xmlTextWriterPtr w, const struct sg_lab_result *lab,
                         const struct sg_test_result *t)
{
    int rc = xmlTextWriterStartElement(w, BAD_CAST "testcase");
    rc |= sg_attr(w, "classname", lab->id);
    rc |= sg_attr(w, "name", t->name);
    rc |= sg_attr_num(w, "time", t->seconds);
    if (!t->passed && lab->state == SG_LAB_GRADED) {
        char *details = sg_report_test_details(t);
        rc |= xmlTextWriterStartElement(w, BAD_CAST "failure");
        rc |= sg_attr(w, "message", t->observed ? t->observed : t->message);
        rc |= sg_attr(w, "type", t->timed_out ? "timeout" : "failure");
        rc |= xmlTextWriterWriteString(w, BAD_CAST details);
        rc |= xmlTextWriterEndElement(w);
        free(details);
    } else if (!t->passed) {
        rc |= xmlTextWriterStartElement(w, BAD_CAST "error");
        rc |= sg_attr(w, "message", lab->problem ? lab->problem : t->message);
        rc |= sg_attr(w, "type", sg_lab_state_name(lab->state));
        rc |= xmlTextWriterEndElement(w);
    }
    if (t->output != NULL && *t->output != '\0')
        rc |= xmlTextWriterWriteElement(w, BAD_CAST "system-out", BAD_CAST t->output);
    rc |= xmlTextWriterEndElement(w);
    return rc < 0 ? -1 : 0;
}

int sg_report_junit(const struct sg_grade *g, FILE *out)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    if (w == NULL) {
        xmlBufferFree(buf);
        errno = ENOMEM;
        return -1;
    }
    xmlTextWriterSetIndent(w, 1);
    int rc = xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    struct sg_counts all = { 0, 0, 0, g->seconds };
    for (size_t i = 0; i < g->nlabs; i++) {
        struct sg_counts c = sg_lab_counts(&g->labs[i]);
        all.tests += c.tests;
        all.failures += c.failures;
        all.errors += c.errors;
    }
    rc |= xmlTextWriterStartElement(w, BAD_CAST "testsuites");
    rc |= sg_attr(w, "name", "shmlab");
    rc |= sg_attr_counts(w, &all);
    for (size_t i = 0; i < g->nlabs && rc >= 0; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        struct sg_counts c = sg_lab_counts(lab);
        rc |= xmlTextWriterStartElement(w, BAD_CAST "testsuite");
        rc |= sg_attr(w, "name", lab->id);
        rc |= sg_attr_counts(w, &c);
        for (size_t k = 0; k < lab->ntests && rc >= 0; k++)
            rc |= sg_junit_test(w, lab, &lab->tests[k]);
        /* The compiler's messages, once per lab: its errors, or its warnings. */
        if (lab->build_output != NULL || lab->state != SG_LAB_GRADED) {
            struct sg_buf err = SG_BUF_INIT;
            if (lab->state != SG_LAB_GRADED)
                sg_buf_printf(&err, "%s: %s\n", sg_lab_state_name(lab->state),
                              lab->problem ? lab->problem : "");
            if (lab->build_output != NULL)
                sg_buf_puts(&err, lab->build_output);
            rc |= xmlTextWriterWriteElement(w, BAD_CAST "system-err", BAD_CAST err.data);
            sg_buf_free(&err);
        }
        rc |= xmlTextWriterEndElement(w);
    }
    rc |= xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    int result = -1;
    if (rc >= 0 && fwrite(xmlBufferContent(buf), 1, (size_t)xmlBufferLength(buf), out) ==
                       (size_t)xmlBufferLength(buf) &&
        fflush(out) == 0)
        result = 0;
    else if (rc < 0)
        errno = EINVAL;
    xmlBufferFree(buf);
    return result;
}
