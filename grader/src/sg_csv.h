/*
 * sg_csv.h — writing CSV rows (RFC 4180: CRLF line ends, quoting by libcsv)
 * for the gradebook and the LMS export.
 */
#ifndef SG_CSV_H
#define SG_CSV_H

#include <stdbool.h>
#include <stdio.h>

/* Writes one field, quoted as needed, then "," or, for the last, "\r\n"; -1 on error. */
int sg_csv_field(FILE *out, const char *text, bool last);

/*
 * A field a student chose (a folder name): as sg_csv_field, but one that a
 * spreadsheet would run as a formula (it begins with =, +, -, @, a tab or a
 * carriage return, quoted or not) begins with ' instead, as OWASP advises.
 */
int sg_csv_untrusted_field(FILE *out, const char *text, bool last);

/* A number as a field ("%g": 12, 7.5). */
int sg_csv_number(FILE *out, double v, bool last);

#endif
