/*
 * sg_text.h — growable byte buffers and safe rendering of untrusted text.
 *
 * Everything a submission prints, and every value a test observes, ends up
 * in a report that a person reads or a platform parses. Student output may
 * hold control characters (a stray "\033[2J" would clear the instructor's
 * terminal), NUL bytes, or invalid UTF-8 (which a JSON library rightly
 * refuses). These helpers turn arbitrary bytes into valid, printable UTF-8
 * so that no report can be broken by what it quotes.
 *
 * Shared by the grader and by the in-process test harness.
 */
#ifndef SG_TEXT_H
#define SG_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct sg_buf {
    char *data;   /* always NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
};

#define SG_BUF_INIT { NULL, 0, 0 }

/* Each returns 0, or -1 with errno (ENOMEM) and the buffer unchanged. */
int sg_buf_append(struct sg_buf *b, const char *bytes, size_t n);
int sg_buf_puts(struct sg_buf *b, const char *s);
int sg_buf_printf(struct sg_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int sg_buf_vprintf(struct sg_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Returns the contents ("" when empty); the buffer is reset, ownership moves to the caller. */
char *sg_buf_take(struct sg_buf *b);
void sg_buf_free(struct sg_buf *b);

/*
 * Length of the valid UTF-8 sequence at s[0..n), or 0 when the bytes there
 * do not start one (overlong forms, surrogates and code points past
 * U+10FFFF are invalid, as RFC 3629 says).
 */
size_t sg_utf8_seq_len(const unsigned char *s, size_t n);
bool sg_utf8_valid(const char *s, size_t n);

enum sg_escape_flags {
    SG_ESC_KEEP_NEWLINES = 1 << 0, /* keep '\n' and '\t' as they are (multi-line output) */
    SG_ESC_QUOTE = 1 << 1,         /* also escape '"' and '\\' (a C-like string literal) */
    SG_ESC_BACKSLASH = 1 << 2,     /* also escape '\\': two names never show the same */
};

/*
 * Appends a rendering of in[0..n) that is valid UTF-8 with no control
 * characters: valid multi-byte characters are kept; \n, \t, \r and \0 become
 * their C escapes (unless kept); any other control byte or invalid byte
 * becomes \xNN; C1 controls, bidirectional overrides and characters of no
 * width, valid UTF-8 as they are, become \uNNNN. At most max_in input bytes are rendered; when the input is
 * longer, a note "... [N more bytes]" says how much was cut.
 */
int sg_escape(struct sg_buf *out, const char *in, size_t n, size_t max_in, unsigned flags);

/* A malloc'ed rendering of the string s, escaped as sg_escape does (no flags); "" for NULL. */
char *sg_escape_dup(const char *s);

/*
 * The same for a name shown to tell things apart (a student's folder):
 * a backslash is escaped too, so that a folder named "zed\xff" and one
 * whose name ends in the byte 0xff do not show alike (an attacker's review).
 */
char *sg_escape_name_dup(const char *s);

/* A malloc'ed "quoted" rendering of in[0..n), cut after max_in bytes; NULL on ENOMEM. */
char *sg_quote(const char *in, size_t n, size_t max_in);

#endif
