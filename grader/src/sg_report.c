/* sg_report.c — format names and dispatch; see sg_report.h. */
#include "sg_report.h"

#include <errno.h>
#include <string.h>

static const struct {
    const char *name, *file;
} sg_formats[SG_FORMAT_COUNT] = {
    [SG_FORMAT_TEXT] = { "text", "report.txt" },
    [SG_FORMAT_JSON] = { "json", "results.json" },
    [SG_FORMAT_JUNIT] = { "junit", "junit.xml" },
    [SG_FORMAT_TAP] = { "tap", "results.tap" },
    [SG_FORMAT_AUTOLAB] = { "autolab", "autolab.txt" },
    [SG_FORMAT_GRADE] = { "grade", "grade.json" },
    [SG_FORMAT_CLASSROOM] = { "classroom", "classroom.json" },
    [SG_FORMAT_PRAIRIELEARN] = { "prairielearn", "prairielearn.json" },
};

const char *sg_format_names(void)
{
    return "text, json, junit, tap, autolab, grade, classroom or prairielearn";
}

int sg_format_parse(const char *name, enum sg_format *f)
{
    for (int i = 0; i < SG_FORMAT_COUNT; i++)
        if (strcmp(name, sg_formats[i].name) == 0) {
            *f = (enum sg_format)i;
            return 0;
        }
    return -1;
}

const char *sg_format_name(enum sg_format f)
{
    return sg_formats[f].name;
}

const char *sg_format_file(enum sg_format f)
{
    return sg_formats[f].file;
}

int sg_report_write(const struct sg_grade *g, enum sg_format f, FILE *out, bool colour)
{
    switch (f) {
    case SG_FORMAT_TEXT:
        return sg_report_text(g, out, colour);
    case SG_FORMAT_JSON:
        return sg_report_json(g, out);
    case SG_FORMAT_JUNIT:
        return sg_report_junit(g, out);
    case SG_FORMAT_TAP:
        return sg_report_tap(g, out);
    case SG_FORMAT_AUTOLAB:
        return sg_report_autolab(g, out);
    case SG_FORMAT_GRADE:
        return sg_report_grade(g, out);
    case SG_FORMAT_CLASSROOM:
        return sg_report_classroom(g, out);
    case SG_FORMAT_PRAIRIELEARN:
        return sg_report_prairielearn(g, out);
    case SG_FORMAT_COUNT:
        break;
    }
    errno = EINVAL;
    return -1;
}
