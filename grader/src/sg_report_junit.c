/*
 * sg_report_junit.c — JUnit XML for CI servers, written with libxml2.
 *
 * One <testsuite> per lab, one <testcase> per test; a failed test carries a
 * <failure> with its explanation, a lab that was not graded an <error>.
 * libxml2 escapes everything; the strings are valid UTF-8 already.
 */
#include "sg_report.h"
#include "sg_text.h"

#include <errno.h>
#include <libxml/xmlwriter.h>
#include <stdlib.h>

static int sg_attr(xmlTextWriterPtr w, const char *name, const char *value)
{
    return xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST(value ? value : ""));
}

static int sg_attr_num(xmlTextWriterPtr w, const char *name, double value)
{
    return xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%g", value);
}

static int sg_junit_test(xmlTextWriterPtr w, const struct sg_lab_result *lab,
                         const struct sg_test_result *t)
{
    int rc = xmlTextWriterStartElement(w, BAD_CAST "testcase");
    rc |= sg_attr(w, "classname", lab->id);
    rc |= sg_attr(w, "name", t->name);
    rc |= sg_attr_num(w, "time", t->seconds);
    if (!t->passed) {
        char *details = sg_report_test_details(t);
        bool error = lab->state != SG_LAB_GRADED;
        rc |= xmlTextWriterStartElement(w, BAD_CAST(error ? "error" : "failure"));
        rc |= sg_attr(w, "message", t->observed ? t->observed : t->message);
        rc |= xmlTextWriterWriteString(w, BAD_CAST details);
        rc |= xmlTextWriterEndElement(w);
        free(details);
    } else if (t->output != NULL) {
        rc |= xmlTextWriterWriteElement(w, BAD_CAST "system-out", BAD_CAST t->output);
    }
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
    size_t tests = 0, failures = 0;
    for (size_t i = 0; i < g->nlabs; i++)
        for (size_t k = 0; k < g->labs[i].ntests; k++) {
            tests++;
            failures += !g->labs[i].tests[k].passed;
        }
    rc |= xmlTextWriterStartElement(w, BAD_CAST "testsuites");
    rc |= sg_attr(w, "name", "shmlab");
    rc |= sg_attr_num(w, "tests", (double)tests);
    rc |= sg_attr_num(w, "failures", (double)failures);
    rc |= sg_attr_num(w, "time", g->seconds);
    for (size_t i = 0; i < g->nlabs; i++) {
        const struct sg_lab_result *lab = &g->labs[i];
        size_t lab_failures = 0;
        double seconds = 0;
        for (size_t k = 0; k < lab->ntests; k++) {
            lab_failures += !lab->tests[k].passed;
            seconds += lab->tests[k].seconds;
        }
        bool error = lab->state != SG_LAB_GRADED;
        rc |= xmlTextWriterStartElement(w, BAD_CAST "testsuite");
        rc |= sg_attr(w, "name", lab->id);
        rc |= sg_attr_num(w, "tests", (double)lab->ntests);
        rc |= sg_attr_num(w, error ? "errors" : "failures", (double)lab_failures);
        rc |= sg_attr_num(w, "time", seconds);
        for (size_t k = 0; k < lab->ntests && rc >= 0; k++)
            rc |= sg_junit_test(w, lab, &lab->tests[k]);
        rc |= xmlTextWriterEndElement(w);
    }
    rc |= xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    int result = -1;
    if (rc >= 0 && fwrite(xmlBufferContent(buf), 1, (size_t)xmlBufferLength(buf), out) ==
                       (size_t)xmlBufferLength(buf) &&
        fflush(out) == 0)
        result = 0;
    xmlBufferFree(buf);
    return result;
}
