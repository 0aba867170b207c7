/*
 * sg_roster.c — Canvas's gradebook import from a batch and a roster; see
 * sg_roster.h. The roster is parsed and canvas.csv written by libcsv.
 */
#include "sg_roster.h"
#include "sg_csv.h"
#include "sg_fs.h"
#include "sg_summary.h"

#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The identity columns Canvas reads, in the order its header needs them. */
static const char *const sg_identity[] = { "Student", "ID", "SIS User ID", "SIS Login ID",
                                           "Section" };
#define SG_NIDENTITY (sizeof sg_identity / sizeof *sg_identity)

struct sg_table {
    char ***rows;     /* rows of cells, each NULL-terminated */
    size_t nrows;
    char **row;       /* the row being read */
    size_t ncells;
    bool failed;      /* out of memory while reading */
};

static void sg_cell(void *data, size_t len, void *arg)
{
    struct sg_table *t = arg;
    char **grown = realloc(t->row, (t->ncells + 2) * sizeof *grown);
    char *cell = malloc(len + 1);
    if (grown == NULL || cell == NULL) {
        free(cell);
        if (grown != NULL)
            t->row = grown;
        t->failed = true;
        return;
    }
    if (len > 0)
        memcpy(cell, data, len);
    cell[len] = '\0';
    t->row = grown;
    t->row[t->ncells++] = cell;
    t->row[t->ncells] = NULL;
}

static void sg_row_end(int c, void *arg)
{
    (void)c;
    struct sg_table *t = arg;
    char ***grown = realloc(t->rows, (t->nrows + 1) * sizeof *grown);
    if (grown == NULL || t->row == NULL) {
        t->failed |= grown == NULL;
        if (grown != NULL)
            t->rows = grown;
        return;
    }
    t->rows = grown;
    t->rows[t->nrows++] = t->row;
    t->row = NULL;
    t->ncells = 0;
}

static void sg_table_free(struct sg_table *t)
{
    for (size_t i = 0; i < t->nrows; i++) {
        for (char **c = t->rows[i]; *c != NULL; c++)
            free(*c);
        free(t->rows[i]);
    }
    for (size_t i = 0; i < t->ncells; i++)
        free(t->row[i]);
    free(t->row);
    free(t->rows);
    memset(t, 0, sizeof *t);
}

static int sg_read_csv(const char *path, struct sg_table *t, struct sg_buf *err)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        sg_buf_printf(err, "the roster %s: %s", path, strerror(errno));
        return -1;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        fclose(f);
        sg_buf_puts(err, "csv_init: out of memory");
        return -1;
    }
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (csv_parse(&p, chunk, n, sg_cell, sg_row_end, t) != n) {
            sg_buf_printf(err, "the roster %s is not valid CSV: %s", path,
                          csv_strerror(csv_error(&p)));
            rc = -1;
        }
    if (rc == 0 && ferror(f)) {
        sg_buf_printf(err, "the roster %s: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && csv_fini(&p, sg_cell, sg_row_end, t) != 0) {
        sg_buf_printf(err, "the roster %s is not valid CSV: %s", path,
                      csv_strerror(csv_error(&p)));
        rc = -1;
    }
    csv_free(&p);
    fclose(f);
    if (rc == 0 && t->failed) {
        sg_buf_puts(err, "reading the roster: out of memory");
        rc = -1;
    }
    if (rc == -1)
        sg_table_free(t);
    return rc;
}

static size_t sg_ncells(char **row)
{
    size_t n = 0;
    while (row[n] != NULL)
        n++;
    return n;
}

/* A cell of a row, "" when the row is shorter. */
static const char *sg_get(char **row, long col)
{
    return col >= 0 && (size_t)col < sg_ncells(row) ? row[col] : "";
}

/* The column named name in the header (trimmed, a UTF-8 byte order mark ignored), or -1. */
static long sg_column(char **header, const char *name)
{
    for (size_t i = 0; header[i] != NULL; i++) {
        const char *h = header[i];
        if (i == 0 && strncmp(h, "\xef\xbb\xbf", 3) == 0)
            h += 3;
        while (*h == ' ')
            h++;
        size_t len = strlen(h);
        while (len > 0 && h[len - 1] == ' ')
            len--;
        if (len == strlen(name) && strncasecmp(h, name, len) == 0)
            return (long)i;
    }
    return -1;
}

/* The submissions: every folder (or link, which grading refused) of class_dir but hidden ones. */
static char **sg_submissions(const char *class_dir, size_t *n, struct sg_buf *err)
{
    DIR *d = opendir(class_dir);
    if (d == NULL) {
        sg_buf_printf(err, "%s: %s", class_dir, strerror(errno));
        return NULL;
    }
    char **all = calloc(1, sizeof *all);
    *n = 0;
    struct dirent *e;
    while (all != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s/%s", class_dir, e->d_name);
        struct stat st;
        bool student = lstat(p.data, &st) == 0 && (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode));
        sg_buf_free(&p);
        if (!student)
            continue;
        char **grown = realloc(all, (*n + 2) * sizeof *grown);
        char *name = strdup(e->d_name);
        if (grown == NULL || name == NULL) {
            free(name);
            if (grown != NULL)
                all = grown;
            for (size_t i = 0; i < *n; i++)
                free(all[i]);
            free(all);
            all = NULL;
            break;
        }
        all = grown;
        all[(*n)++] = name;
        all[*n] = NULL;
    }
    closedir(d);
    if (all == NULL)
        sg_buf_puts(err, "listing the submissions: out of memory");
    return all;
}

struct sg_export {
    struct sg_table roster;
    long folder, identity[SG_NIDENTITY];
    json_t **grades;        /* per roster row: the student's grade.json, or NULL */
    json_t *labs;           /* the labs' ids and points, from the first grade found */
};

static bool sg_not_graded(json_t *lab)
{
    const char *state = json_string_value(json_object_get(lab, "state"));
    return state == NULL || strcmp(state, "grader error") == 0;
}

static int sg_write_canvas(FILE *out, const void *arg)
{
    const struct sg_export *x = arg;
    size_t nlabs = json_array_size(x->labs);
    int rc = 0;
    for (size_t k = 0; k < SG_NIDENTITY; k++)
        rc |= sg_csv_field(out, sg_identity[k], false);
    for (size_t l = 0; l < nlabs; l++)
        rc |= sg_csv_field(out, json_string_value(json_object_get(json_array_get(x->labs, l), "id")),
                       false);
    rc |= sg_csv_field(out, "shmlab total", true);
    /* The points of each lab; the total is read-only: shown, never imported. */
    rc |= sg_csv_field(out, "Points Possible", false);
    for (size_t k = 1; k < SG_NIDENTITY; k++)
        rc |= sg_csv_field(out, "", false);
    for (size_t l = 0; l < nlabs; l++)
        rc |= sg_csv_number(out, json_number_value(json_object_get(json_array_get(x->labs, l),
                                                               "max_score")),
                        false);
    rc |= sg_csv_field(out, "(read only)", true);
    for (size_t r = 1; r < x->roster.nrows; r++) {
        char **row = x->roster.rows[r];
        if (row == NULL || x->grades == NULL)
            continue;
        const char *student = sg_get(row, x->identity[0]);
        if (strstr(student, "Points Possible") != NULL)
            continue;
        /* A name and a section are the students' own to set in the LMS: a
         * spreadsheet must not run one as a formula (an instructor's
         * review). The ids, which Canvas matches rows by, go as they are. */
        for (size_t k = 0; k < SG_NIDENTITY; k++)
            rc |= k == 0 || k == 4 ? sg_csv_untrusted_field(out, sg_get(row, x->identity[k]), false)
                                   : sg_csv_field(out, sg_get(row, x->identity[k]), false);
        json_t *g = x->grades[r];
        double total = 0;
        bool complete = g != NULL;
        for (size_t l = 0; l < nlabs; l++) {
            const char *id = json_string_value(json_object_get(json_array_get(x->labs, l), "id"));
            json_t *lab = g ? sg_summary_find_lab(g, id) : NULL;
            /* A lab the grader could not grade has no score: an empty cell changes nothing. */
            if (lab == NULL || sg_not_graded(lab)) {
                complete = false;
                rc |= sg_csv_field(out, "", false);
                continue;
            }
            total += json_number_value(json_object_get(lab, "score"));
            rc |= sg_csv_number(out, json_number_value(json_object_get(lab, "score")), false);
        }
        rc |= complete ? sg_csv_number(out, total, true) : sg_csv_field(out, "", true);
    }
    return rc == 0 && fflush(out) == 0 ? 0 : -1;
}

static int sg_write_text(FILE *out, const void *arg)
{
    return fputs((const char *)arg, out) == EOF || fflush(out) == EOF ? -1 : 0;
}

/* Reads the roster's header; -1 with a message when it lacks the folder column. */
static int sg_roster_columns(struct sg_export *x, const char *path, struct sg_buf *err)
{
    if (x->roster.nrows == 0) {
        sg_buf_printf(err, "the roster %s is empty: it needs a header row", path);
        return -1;
    }
    char **header = x->roster.rows[0];
    x->folder = sg_column(header, "folder");
    if (x->folder < 0) {
        sg_buf_printf(err, "the roster %s has no \"folder\" column (the name of each student's "
                           "submission folder)", path);
        return -1;
    }
    bool any = false;
    for (size_t k = 0; k < SG_NIDENTITY; k++) {
        x->identity[k] = sg_column(header, sg_identity[k]);
        any |= k <= 3 && x->identity[k] >= 0;
    }
    if (!any) {
        sg_buf_printf(err, "the roster %s has none of the columns Canvas finds a student by "
                           "(Student, ID, SIS User ID, SIS Login ID)", path);
        return -1;
    }
    for (size_t r = 0; r < x->roster.nrows; r++)
        for (char **c = x->roster.rows[r]; *c != NULL; c++)
            if (!sg_utf8_valid(*c, strlen(*c))) {
                sg_buf_printf(err, "the roster %s, row %zu, is not UTF-8 (Canvas reads UTF-8)",
                              path, r + 1);
                return -1;
            }
    return 0;
}

int sg_roster_check(const char *roster, struct sg_buf *err)
{
    struct sg_export x;
    memset(&x, 0, sizeof x);
    if (sg_read_csv(roster, &x.roster, err) == -1)
        return -1;
    int rc = sg_roster_columns(&x, roster, err);
    sg_table_free(&x.roster);
    return rc;
}

int sg_roster_export(const char *roster, const char *class_dir, const char *outdir, FILE *log,
                     struct sg_buf *err)
{
    struct sg_export x;
    memset(&x, 0, sizeof x);
    if (sg_read_csv(roster, &x.roster, err) == -1)
        return -1;
    size_t nsub = 0;
    char **subs = NULL;
    int rc = sg_roster_columns(&x, roster, err);
    if (rc == 0 && (subs = sg_submissions(class_dir, &nsub, err)) == NULL)
        rc = -1;
    size_t *claimed = rc == 0 ? calloc(nsub + 1, sizeof *claimed) : NULL; /* the row, or 0 */
    x.grades = rc == 0 ? calloc(x.roster.nrows + 1, sizeof *x.grades) : NULL;
    if (rc == 0 && (claimed == NULL || x.grades == NULL)) {
        sg_buf_puts(err, "out of memory");
        rc = -1;
    }
    struct sg_buf unmatched = SG_BUF_INIT, unrostered = SG_BUF_INIT, failed = SG_BUF_INIT,
                  twice = SG_BUF_INIT;
    size_t nunmatched = 0, nunrostered = 0, nfailed = 0, ntwice = 0;
    for (size_t r = 1; rc == 0 && r < x.roster.nrows; r++) {
        char **row = x.roster.rows[r];
        const char *folder = sg_get(row, x.folder);
        const char *student = sg_get(row, x.identity[0]);
        if (strstr(student, "Points Possible") != NULL)
            continue;
        size_t s = 0;
        while (*folder != '\0' && s < nsub && strcmp(subs[s], folder) != 0)
            s++;
        if (*folder == '\0' || s == nsub) {
            char *shown = sg_escape_dup(folder);
            sg_buf_printf(&unmatched, "  row %zu: %s (folder \"%s\")\n", r + 1,
                          *student ? student : sg_get(row, x.identity[3]), shown);
            free(shown);
            nunmatched++;
            continue;
        }
        if (claimed[s] != 0) {
            /* Two rows, one folder: which student it is, is not guessed.
             * Both rows stay empty (the second row took the first's grade,
             * silently: an instructor's review). */
            char *shown = sg_escape_dup(folder);
            sg_buf_printf(&twice, "  rows %zu and %zu: folder \"%s\"\n", claimed[s] + 1, r + 1,
                          shown);
            free(shown);
            json_decref(x.grades[claimed[s]]);
            x.grades[claimed[s]] = NULL;
            ntwice++;
            continue;
        }
        claimed[s] = r;
        struct sg_buf p = SG_BUF_INIT;
        sg_buf_printf(&p, "%s/students/%s/grade.json", outdir, folder);
        x.grades[r] = json_load_file(p.data, 0, NULL);
        sg_buf_free(&p);
        if (x.grades[r] == NULL) {
            char *shown = sg_escape_dup(folder);
            sg_buf_printf(&failed, "  %s\n", shown);
            free(shown);
            nfailed++;
        }
        if (x.labs == NULL && x.grades[r] != NULL) {
            /* The labs' order and points, as graded. */
            x.labs = json_array();
            size_t i;
            json_t *lab;
            json_array_foreach(json_object_get(x.grades[r], "labs"), i, lab)
                json_array_append_new(x.labs, json_pack("{s:O, s:O}", "id",
                                                        json_object_get(lab, "id"), "max_score",
                                                        json_object_get(lab, "max_score")));
        }
    }
    for (size_t s = 0; rc == 0 && s < nsub; s++)
        if (claimed[s] == 0) {
            char *shown = sg_escape_dup(subs[s]);
            sg_buf_printf(&unrostered, "  %s\n", shown);
            free(shown);
            nunrostered++;
        }
    if (rc == 0 && x.labs == NULL)
        x.labs = json_array();
    struct sg_buf report = SG_BUF_INIT;
    if (rc == 0) {
        sg_buf_printf(&report, "roster: %s\n", roster);
        sg_buf_printf(&report, "roster rows with no submission (empty in canvas.csv): %zu\n%s",
                      nunmatched, unmatched.data ? unmatched.data : "");
        sg_buf_printf(&report, "submissions with no roster row (not in canvas.csv): %zu\n%s",
                      nunrostered, unrostered.data ? unrostered.data : "");
        if (ntwice > 0)
            sg_buf_printf(&report, "roster rows that name the same folder (all empty in "
                                   "canvas.csv; fix the roster): %zu\n%s",
                          ntwice, twice.data);
        if (nfailed > 0)
            sg_buf_printf(&report, "submissions the grader failed on (empty in canvas.csv; "
                                   "regrade): %zu\n%s",
                          nfailed, failed.data);
        struct sg_buf path = SG_BUF_INIT;
        sg_buf_printf(&path, "%s/canvas.csv", outdir);
        if (sg_write_atomic(path.data, sg_write_canvas, &x) == -1) {
            sg_buf_printf(err, "%s: %s", path.data, strerror(errno));
            rc = -1;
        }
        path.len = 0;
        sg_buf_printf(&path, "%s/roster.txt", outdir);
        if (rc == 0 && sg_write_atomic(path.data, sg_write_text, report.data) == -1) {
            sg_buf_printf(err, "%s: %s", path.data, strerror(errno));
            rc = -1;
        }
        sg_buf_free(&path);
        if (rc == 0 && log != NULL)
            fputs(report.data, log);
    }
    sg_buf_free(&report);
    sg_buf_free(&unmatched);
    sg_buf_free(&unrostered);
    sg_buf_free(&failed);
    sg_buf_free(&twice);
    for (size_t r = 0; x.grades != NULL && r < x.roster.nrows; r++)
        json_decref(x.grades[r]);
    free(x.grades);
    json_decref(x.labs);
    for (size_t s = 0; subs != NULL && s < nsub; s++)
        free(subs[s]);
    free(subs);
    free(claimed);
    sg_table_free(&x.roster);
    return rc;
}
