/* sg_text.c — growable buffers and escaping of untrusted bytes; see sg_text.h. */
#include "sg_text.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sg_buf_reserve(struct sg_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1) {
        errno = ENOMEM;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (p == NULL)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int sg_buf_append(struct sg_buf *b, const char *bytes, size_t n)
{
    if (sg_buf_reserve(b, n) == -1)
        return -1;
    if (n > 0)
        memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int sg_buf_puts(struct sg_buf *b, const char *s)
{
    return sg_buf_append(b, s, strlen(s));
}

int sg_buf_vprintf(struct sg_buf *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0 || sg_buf_reserve(b, (size_t)n) == -1) {
        va_end(again);
        return -1;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
    va_end(again);
    b->len += (size_t)n;
    return 0;
}

int sg_buf_printf(struct sg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = sg_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *sg_buf_take(struct sg_buf *b)
{
    char *s = b->data ? b->data : strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void sg_buf_free(struct sg_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

size_t sg_utf8_seq_len(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0; /* a continuation byte, an overlong lead (C0, C1) or F5..FF */
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

bool sg_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t k = sg_utf8_seq_len(p + i, n - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

/*
 * The code point of a valid sequence of k bytes at p, for the few that
 * must be escaped although they are valid UTF-8: C1 controls (an 8-bit CSI
 * still moves some terminals' cursor) and the bidirectional overrides that
 * make text read in another order than it is written ("Trojan source").
 */
static bool sg_unsafe_code_point(const unsigned char *p, size_t k, uint32_t *cp)
{
    if (k == 2)
        *cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    else if (k == 3)
        *cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    else
        return false;
    return (*cp >= 0x80 && *cp <= 0x9F) || (*cp >= 0x202A && *cp <= 0x202E) ||
           (*cp >= 0x2066 && *cp <= 0x2069) || *cp == 0x200E || *cp == 0x200F ||
           *cp == 0x2028 || *cp == 0x2029 ||
           /* No width: invisible, yet two names that differ by one differ. */
           (*cp >= 0x200B && *cp <= 0x200D) || *cp == 0x2060 || *cp == 0xFEFF;
}

char *sg_escape_dup(const char *s)
{
    struct sg_buf b = SG_BUF_INIT;
    if (s != NULL)
        sg_escape(&b, s, strlen(s), strlen(s), 0);
    return sg_buf_take(&b);
}

char *sg_escape_name_dup(const char *s)
{
    struct sg_buf b = SG_BUF_INIT;
    if (s != NULL)
        sg_escape(&b, s, strlen(s), strlen(s), SG_ESC_BACKSLASH);
    return sg_buf_take(&b);
}

int sg_escape(struct sg_buf *out, const char *in, size_t n, size_t max_in, unsigned flags)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t limit = n < max_in ? n : max_in;
    size_t i = 0;
    while (i < limit) {
        unsigned c = p[i];
        size_t k = sg_utf8_seq_len(p + i, n - i);
        int rc;
        uint32_t cp;
        if (k > 1 && sg_unsafe_code_point(p + i, k, &cp)) {
            rc = sg_buf_printf(out, "\\u%04x", (unsigned)cp);
            i += k;
            if (rc == -1)
                return -1;
            continue;
        }
        if (k > 1) {
            rc = sg_buf_append(out, in + i, k);
            i += k;
            if (rc == -1)
                return -1;
            continue;
        }
        if ((c == '\n' || c == '\t') && (flags & SG_ESC_KEEP_NEWLINES))
            rc = sg_buf_append(out, in + i, 1);
        else if (c == '\n')
            rc = sg_buf_puts(out, "\\n");
        else if (c == '\t')
            rc = sg_buf_puts(out, "\\t");
        else if (c == '\r')
            rc = sg_buf_puts(out, "\\r");
        else if (c == '\0')
            rc = sg_buf_puts(out, "\\0");
        else if ((c == '"' || c == '\\') && (flags & SG_ESC_QUOTE))
            rc = sg_buf_printf(out, "\\%c", (char)c);
        else if (c == '\\' && (flags & SG_ESC_BACKSLASH))
            rc = sg_buf_puts(out, "\\\\");
        else if (k == 1 && c >= 0x20 && c != 0x7F)
            rc = sg_buf_append(out, in + i, 1);
        else
            rc = sg_buf_printf(out, "\\x%02x", c);
        if (rc == -1)
            return -1;
        i++;
    }
    if (i < n)
        return sg_buf_printf(out, "... [%zu more bytes]", n - i);
    return 0;
}

char *sg_quote(const char *in, size_t n, size_t max_in)
{
    struct sg_buf b = SG_BUF_INIT;
    if (sg_buf_puts(&b, "\"") == -1 || sg_escape(&b, in, n, max_in, SG_ESC_QUOTE) == -1 ||
        sg_buf_puts(&b, "\"") == -1) {
        sg_buf_free(&b);
        return NULL;
    }
    return sg_buf_take(&b);
}
