/*
 * kt_rules.c — every rule of a lab's contract has a test that fails when
 * it is broken, and a known-wrong submission that breaks only it; every
 * hint points at a handout section that exists, and hands out no code.
 *
 * The table is in each lab's rubric: a "rules" list in rubric.json (rules
 * the public tests check) and in hidden/rubric.json (rules only hidden
 * tests check, which students do not see):
 *   {"rule": "what the header or handout requires", "tests": [...],
 *    "mutant": "a corpus entry that breaks this rule and nothing else"}
 * and each test has a "section" (an anchor <a id="..."></a> in the lab's
 * handout) and "needs" (the API functions it cannot pass without).
 */
#include "kt.h"

#include <regex.h>

/* The rubric of lab (public, or hidden), parsed. */
static json_t *kt_rubric_json(const char *lab, bool hidden)
{
    struct sg_buf p = SG_BUF_INIT;
    sg_buf_printf(&p, "%s/labs/%s/%srubric.json", kt_root, lab, hidden ? "hidden/" : "");
    json_error_t jerr;
    json_t *r = access(p.data, R_OK) == 0 ? json_load_file(p.data, 0, &jerr) : json_object();
    ck_assert_msg(r != NULL, "%s:%d: %s", p.data, jerr.line, jerr.text);
    sg_buf_free(&p);
    return r;
}

static json_t *kt_find_named(json_t *list, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
        if (strcmp(json_string_value(json_object_get(v, "name")) ?: "", name) == 0)
            return v;
    return NULL;
}

static bool kt_list_has(json_t *list, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
        if (strcmp(json_string_value(v) ?: "", s) == 0)
            return true;
    return false;
}

/* Why a hint dictates code instead of naming the concept, or NULL when it does not. */
const char *kt_hint_dictates(const char *hint)
{
    static regex_t call, assign;
    static bool compiled;
    if (!compiled) {
        /* A call with two or more arguments: the line that passes the test. */
        ck_assert(regcomp(&call, "[A-Za-z_][A-Za-z0-9_]*[ ]*\\([^()]*,[^()]*\\)", REG_EXTENDED) == 0);
        ck_assert(regcomp(&assign, "[A-Za-z_\\]\\)][ ]*[-+*/|&]?=[^=]", REG_EXTENDED) == 0);
        compiled = true;
    }
    /* A ';' ends a statement after a call or an increment; in prose (and
     * after a man page's section, "ftruncate(2);") it is punctuation. */
    for (const char *semi = strchr(hint, ';'); semi != NULL; semi = strchr(semi + 1, ';')) {
        const char *p = semi;
        while (p > hint && p[-1] == ' ')
            p--;
        if (p - hint >= 2 && (strncmp(p - 2, "++", 2) == 0 || strncmp(p - 2, "--", 2) == 0))
            return "it holds a statement (an increment and a ';')";
        if (p > hint && p[-1] == ')') {
            bool man_section = p - hint >= 3 && p[-3] == '(' && p[-2] >= '1' && p[-2] <= '9';
            if (!man_section)
                return "it holds a statement (a call and a ';')";
        }
    }
    if (regexec(&call, hint, 0, NULL, 0) == 0)
        return "it holds a complete call, arguments and all";
    if (regexec(&assign, hint, 0, NULL, 0) == 0)
        return "it holds an assignment";
    if (strstr(hint, "return ") != NULL && strstr(hint, "return (") != NULL)
        return "it holds a return statement";
    return NULL;
}

START_TEST(every_rule_has_a_test_and_a_mutant_and_every_hint_a_section)
{
    const char *lab = kt_labs[_i];
    json_t *pub = kt_rubric_json(lab, false), *hid = kt_rubric_json(lab, true);
    struct sg_buf hp = SG_BUF_INIT, cp = SG_BUF_INIT;
    sg_buf_printf(&hp, "%s/handouts/%s.md", kt_root, lab);
    sg_buf_printf(&cp, "%s/tests/corpus/%s.json", kt_root, lab);
    char *handout = kt_read(hp.data, NULL);
    json_t *corpus = json_load_file(cp.data, 0, NULL);
    ck_assert_msg(corpus != NULL, "%s: no corpus", lab);
    json_t *api = json_object_get(pub, "api");

    /* Every test: a section that exists, the functions it needs, a hint that guides. */
    json_t *all = json_array();
    json_array_extend(all, json_object_get(pub, "tests"));
    json_array_extend(all, json_object_get(hid, "tests"));
    size_t i;
    json_t *t;
    json_array_foreach(all, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        const char *section = json_string_value(json_object_get(t, "section"));
        ck_assert_msg(section != NULL, "%s: test %s names no handout section", lab, name);
        struct sg_buf anchor = SG_BUF_INIT;
        sg_buf_printf(&anchor, "<a id=\"%s\"></a>", section);
        ck_assert_msg(strstr(handout, anchor.data) != NULL,
                      "%s: test %s points at section %s, which %s does not have", lab, name,
                      section, hp.data);
        sg_buf_free(&anchor);
        json_t *needs = json_object_get(t, "needs");
        ck_assert_msg(json_is_array(needs), "%s: test %s has no \"needs\" list", lab, name);
        size_t k;
        json_t *f;
        json_array_foreach(needs, k, f)
            ck_assert_msg(kt_list_has(api, json_string_value(f) ?: ""),
                          "%s: test %s needs %s, which is not in the API", lab, name,
                          json_string_value(f));
        const char *hint = json_string_value(json_object_get(t, "hint")) ?: "";
        const char *why = kt_hint_dictates(hint);
        ck_assert_msg(why == NULL, "%s: the rubric hint of %s dictates the fix (%s): %s", lab, name,
                      why, hint);
    }

    /* Every rule: tests that exist, a mutant that breaks only it. */
    json_t *rules = json_array();
    json_array_extend(rules, json_object_get(pub, "rules"));
    size_t npublic = json_array_size(rules);
    json_array_extend(rules, json_object_get(hid, "rules"));
    ck_assert_msg(json_array_size(rules) > 0, "%s: the rubric has no rules", lab);
    json_t *r;
    json_array_foreach(rules, i, r) {
        const char *rule = json_string_value(json_object_get(r, "rule")) ?: "";
        json_t *tests = json_object_get(r, "tests");
        const char *mname = json_string_value(json_object_get(r, "mutant"));
        ck_assert_msg(*rule != '\0' && json_array_size(tests) > 0 && mname != NULL,
                      "%s: rule %zu needs \"rule\", \"tests\" and \"mutant\"", lab, i);
        size_t k;
        json_t *tn;
        json_array_foreach(tests, k, tn) {
            /* The memory check is a test of every lab that has one (--memcheck). */
            if (strcmp(json_string_value(tn) ?: "", "memcheck") == 0 &&
                json_is_object(json_object_get(pub, "memcheck")))
                continue;
            json_t *test = kt_find_named(all, json_string_value(tn) ?: "");
            ck_assert_msg(test != NULL, "%s: rule \"%s\" names test %s, which does not exist",
                          lab, rule, json_string_value(tn));
            ck_assert_msg(i >= npublic || kt_find_named(json_object_get(pub, "tests"),
                                                        json_string_value(tn)) != NULL,
                          "%s: the public rule \"%s\" names the hidden test %s (put the rule in "
                          "hidden/rubric.json)",
                          lab, rule, json_string_value(tn));
        }
        json_t *m = kt_find_named(json_object_get(corpus, "mutants"), mname);
        ck_assert_msg(m != NULL, "%s: rule \"%s\": no corpus entry %s", lab, rule, mname);
        json_t *fails = json_object_get(m, "fail");
        ck_assert_msg(json_array_size(fails) > 0, "%s: mutant %s fails no test", lab, mname);
        json_array_foreach(fails, k, tn)
            ck_assert_msg(kt_list_has(tests, json_string_value(tn)),
                          "%s: mutant %s breaks %s, which is not a test of its rule \"%s\"", lab,
                          mname, json_string_value(tn), rule);
    }
    /* And the other way round: no test checks nothing the contract says. */
    json_array_foreach(all, i, t) {
        const char *name = json_string_value(json_object_get(t, "name"));
        bool covered = false;
        size_t k;
        json_array_foreach(rules, k, r)
            covered |= kt_list_has(json_object_get(r, "tests"), name);
        ck_assert_msg(covered, "%s: test %s is in no rule", lab, name);
    }
    json_decref(all);
    json_decref(rules);
    json_decref(pub);
    json_decref(hid);
    json_decref(corpus);
    free(handout);
    sg_buf_free(&hp);
    sg_buf_free(&cp);
}
END_TEST

void kt_add_rules(Suite *s)
{
    TCase *tc = tcase_create("rules");
    tcase_add_loop_test(tc, every_rule_has_a_test_and_a_mutant_and_every_hint_a_section, 0,
                        kt_nlabs);
    suite_add_tcase(s, tc);
}
