/* sg_fail.c — structured failure messages for lab tests; see sg_harness.h. */
#include "sg_harness.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Check carries at most a few KiB per message; keep well inside that. */
#define SG_MSG_MAX 3000

static void sg_vfail_at(const char *file, int line, bool hung, const char *expected,
                        const char *hint, const char *observed_fmt, va_list ap)
    __attribute__((noreturn, format(printf, 6, 0)));

static void sg_vfail_at(const char *file, int line, bool hung, const char *expected,
                        const char *hint, const char *observed_fmt, va_list ap)
{
    struct sg_buf msg = SG_BUF_INIT;
    if (hung)
        sg_buf_printf(&msg, "%c", SG_HUNG_MARK);
    sg_buf_vprintf(&msg, observed_fmt, ap);
    if (msg.len > SG_MSG_MAX - 600) {
        msg.len = SG_MSG_MAX - 600;
        msg.data[msg.len] = '\0';
        sg_buf_puts(&msg, "...");
    }
    sg_buf_printf(&msg, "%c%s%c%s", SG_MSG_SEP, expected, SG_MSG_SEP, hint);
    _ck_assert_failed(file, line, "Failed", "%s", msg.data ? msg.data : "out of memory");
}

void sg_fail_at(const char *file, int line, const char *expected, const char *hint,
                const char *observed_fmt, ...)
{
    va_list ap;
    va_start(ap, observed_fmt);
    sg_vfail_at(file, line, false, expected, hint, observed_fmt, ap);
    va_end(ap); /* not reached: sg_vfail_at ends the test */
}

void sg_hung_at(const char *file, int line, const char *expected, const char *hint,
                const char *observed_fmt, ...)
{
    va_list ap;
    va_start(ap, observed_fmt);
    sg_vfail_at(file, line, true, expected, hint, observed_fmt, ap);
    va_end(ap); /* not reached */
}

void sg_setup_failed_at(const char *file, int line, const char *call)
{
    int saved = errno;
    _ck_assert_failed(file, line, "Failed",
                      "the test's own %s failed (%s) before it could judge anything%c"
                      "a working test environment%c"
                      "unless your code closed or used up what the test needs, this is not "
                      "your code's fault: tell your instructor",
                      call, strerror(saved), SG_MSG_SEP, SG_MSG_SEP);
}

char *sg_q(const char *s, size_t len)
{
    if (s == NULL)
        return strdup("(NULL)");
    char *q = sg_quote(s, len, 400);
    if (q == NULL)
        sg_setup_failed_at(__FILE__, __LINE__, "malloc");
    return q;
}
