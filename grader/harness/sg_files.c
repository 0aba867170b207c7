/* sg_files.c — temporary files that tests hand to student code as FILE streams. */
#include "sg_harness.h"

#include <stdlib.h>

FILE *sg_input_file(const char *text, size_t len)
{
    /* A real file rather than fmemopen: the student's child inherits a
     * descriptor, as it would with stdin redirected from a file. */
    FILE *f = tmpfile();
    SG_SETUP(f != NULL, "tmpfile");
    SG_SETUP(len == 0 || fwrite(text, 1, len, f) == len, "fwrite");
    SG_SETUP(fflush(f) == 0, "fflush");
    rewind(f);
    return f;
}

FILE *sg_output_file(void)
{
    FILE *f = tmpfile();
    SG_SETUP(f != NULL, "tmpfile");
    return f;
}

char *sg_file_contents(FILE *f, size_t *len)
{
    SG_SETUP(fflush(f) == 0, "fflush");
    SG_SETUP(fseek(f, 0, SEEK_END) == 0, "fseek");
    long size = ftell(f);
    SG_SETUP(size >= 0, "ftell");
    rewind(f);
    char *data = malloc((size_t)size + 1);
    SG_SETUP(data != NULL, "malloc");
    size_t n = fread(data, 1, (size_t)size, f);
    data[n] = '\0';
    *len = n;
    return data;
}
