/*
 * sg_csv.c — CSV fields: libcsv does the quoting, so a student named
 * `"Bobby", =cmd()` stays one field.
 */
#include "sg_csv.h"

#include <csv.h>
#include <string.h>

int sg_csv_field(FILE *out, const char *text, bool last)
{
    if (csv_fwrite(out, text, strlen(text)) == EOF)
        return -1;
    return fputs(last ? "\r\n" : ",", out) == EOF ? -1 : 0;
}

int sg_csv_number(FILE *out, double v, bool last)
{
    char text[32];
    snprintf(text, sizeof text, "%g", v);
    return sg_csv_field(out, text, last);
}
