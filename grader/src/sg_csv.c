/*
 * sg_csv.c — CSV fields: libcsv does the quoting, so a student named
 * `"Bobby", =cmd()` stays one field. Quoting does not stop a spreadsheet
 * from running a field that begins with = as a formula: see
 * sg_csv_untrusted_field.
 */
#include "sg_csv.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

int sg_csv_field(FILE *out, const char *text, bool last)
{
    if (csv_fwrite(out, text, strlen(text)) == EOF)
        return -1;
    return fputs(last ? "\r\n" : ",", out) == EOF ? -1 : 0;
}

int sg_csv_untrusted_field(FILE *out, const char *text, bool last)
{
    if (text[0] == '\0' || strchr("=+-@\t\r", text[0]) == NULL)
        return sg_csv_field(out, text, last);
    size_t n = strlen(text);
    char *guarded = malloc(n + 2);
    if (guarded == NULL)
        return -1;
    guarded[0] = '\'';
    memcpy(guarded + 1, text, n + 1);
    int rc = sg_csv_field(out, guarded, last);
    free(guarded);
    return rc;
}

int sg_csv_number(FILE *out, double v, bool last)
{
    char text[32];
    snprintf(text, sizeof text, "%g", v);
    return sg_csv_field(out, text, last);
}
