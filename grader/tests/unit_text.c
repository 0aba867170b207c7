/* unit_text.c — UTF-8 validation and escaping of untrusted bytes. */
#include "sg_csv.h"
#include "sg_text.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

static char *escape(const char *in, size_t n, size_t max, unsigned flags)
{
    struct sg_buf b = SG_BUF_INIT;
    ck_assert_int_eq(sg_escape(&b, in, n, max, flags), 0);
    return sg_buf_take(&b);
}

START_TEST(utf8_accepts_valid_text)
{
    const char *ok[] = { "", "plain ascii", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                         "\xf4\x8f\xbf\xbf" /* U+10FFFF */ };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        ck_assert_msg(sg_utf8_valid(ok[i], strlen(ok[i])), "case %zu", i);
}
END_TEST

START_TEST(utf8_rejects_invalid_sequences)
{
    const char *bad[] = {
        "\x80",             /* a lone continuation byte */
        "\xc0\xaf",         /* an overlong '/' */
        "\xe0\x80\xaf",     /* another overlong form */
        "\xed\xa0\x80",     /* a UTF-16 surrogate */
        "\xf4\x90\x80\x80", /* past U+10FFFF */
        "\xc3",             /* cut short */
        "\xff",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!sg_utf8_valid(bad[i], strlen(bad[i])), "case %zu", i);
}
END_TEST

START_TEST(escape_neutralises_control_bytes)
{
    char *s = escape("a\033[2Jb\r\n\t\x7f", 10, 100, 0);
    ck_assert_str_eq(s, "a\\x1b[2Jb\\r\\n\\t\\x7f");
    free(s);
    s = escape("x\0y", 3, 100, 0);
    ck_assert_str_eq(s, "x\\0y");
    free(s);
}
END_TEST

START_TEST(escape_keeps_lines_when_asked)
{
    char *s = escape("one\ntwo\tthree\r\n", 15, 100, SG_ESC_KEEP_NEWLINES);
    ck_assert_str_eq(s, "one\ntwo\tthree\\r\n");
    free(s);
}
END_TEST

START_TEST(escape_makes_invalid_utf8_valid)
{
    const char in[] = "ok \xff\xfe caf\xc3\xa9 \xc3";
    char *s = escape(in, sizeof in - 1, 100, 0);
    ck_assert_str_eq(s, "ok \\xff\\xfe caf\xc3\xa9 \\xc3");
    ck_assert(sg_utf8_valid(s, strlen(s)));
    free(s);
}
END_TEST

START_TEST(escape_cuts_long_input_and_says_so)
{
    char *s = escape("abcdefghij", 10, 4, 0);
    ck_assert_str_eq(s, "abcd... [6 more bytes]");
    free(s);
}
END_TEST

START_TEST(quote_escapes_quotes_and_backslashes)
{
    char *q = sg_quote("say \"hi\" \\ bye", 14, 100);
    ck_assert_str_eq(q, "\"say \\\"hi\\\" \\\\ bye\"");
    free(q);
}
END_TEST

/* A folder name a spreadsheet would run as a formula is written as text. */
/* Two folders whose names differ show differently (an attacker's review:
 * "zed" and the byte 0xff, and a folder literally named "zed\xff", were one
 * name in the gradebook; a zero-width space showed as nothing). */
START_TEST(names_that_differ_show_differently)
{
    char *a = sg_escape_name_dup("zed\xff"), *b = sg_escape_name_dup("zed\\xff");
    ck_assert_str_eq(a, "zed\\xff");
    ck_assert_str_eq(b, "zed\\\\xff");
    ck_assert_str_ne(a, b);
    free(a);
    free(b);
    char *z = sg_escape_name_dup("a\xe2\x80\x8b" "b");
    ck_assert_str_eq(z, "a\\u200bb");
    free(z);
}
END_TEST

START_TEST(csv_names_never_become_formulas)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(sg_csv_untrusted_field(out, "=HYPERLINK(\"http://x\",\"y\")", false), 0);
    ck_assert_int_eq(sg_csv_untrusted_field(out, "@sum", false), 0);
    ck_assert_int_eq(sg_csv_untrusted_field(out, "ann", false), 0);
    ck_assert_int_eq(sg_csv_untrusted_field(out, "", true), 0);
    fclose(out);
    ck_assert_str_eq(text, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\"'@sum\",\"ann\",\"\"\r\n");
    free(text);
}
END_TEST

START_TEST(buf_grows_and_formats)
{
    struct sg_buf b = SG_BUF_INIT;
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(sg_buf_printf(&b, "%d,", i), 0);
    ck_assert_uint_eq(strlen(b.data), b.len);
    ck_assert(strncmp(b.data, "0,1,2,", 6) == 0);
    char *s = sg_buf_take(&b);
    ck_assert_ptr_null(b.data);
    free(s);
    s = sg_buf_take(&b);
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

Suite *unit_text_suite(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, utf8_accepts_valid_text);
    tcase_add_test(tc, utf8_rejects_invalid_sequences);
    tcase_add_test(tc, escape_neutralises_control_bytes);
    tcase_add_test(tc, escape_keeps_lines_when_asked);
    tcase_add_test(tc, escape_makes_invalid_utf8_valid);
    tcase_add_test(tc, escape_cuts_long_input_and_says_so);
    tcase_add_test(tc, quote_escapes_quotes_and_backslashes);
    tcase_add_test(tc, buf_grows_and_formats);
    tcase_add_test(tc, csv_names_never_become_formulas);
    tcase_add_test(tc, names_that_differ_show_differently);
    suite_add_tcase(s, tc);
    return s;
}
