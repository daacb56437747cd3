/* test_regex.c - Python re semantics on PCRE2 (parsel's extract_regex), entities, re:sub,
 * and kumo/re.h's re.search and re.sub. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "select/css.h"
#include "select/pool.h"
#include "select/regex.h"
#include "util/buf.h"
#include "lib/leakcheck.h"

static void setup(void)
{
    kumo_leakcheck_start();
    cr_assert_eq(kumo__global_init(), KUMO_OK);
}

static void teardown(void)
{
    kumo__pool_drain(0);
    kumo__select_cleanup();
    kumo_leakcheck_end();
}

TestSuite(regex, .init = setup, .fini = teardown);

/* Generated with parsel 1.7: parsel.utils.extract_regex(pattern, text). */
static const struct {
    const char *pattern, *text;
    size_t n;
    const char *want[12];
} re_cases[] = {
    {"\\d+", "a1b22c333", 3, {"1", "22", "333"}},
    {"\\w+", "héllo wörld_1 東京 ٣", 4, {"héllo", "wörld_1", "東京", "٣"}},
    {"\\s+", "a \t\nb c", 2, {" \t\n", " "}},
    {"(\\w)(\\d)", "a1 b2 c", 4, {"a", "1", "b", "2"}},
    {"(?P<extract>\\d+)px", "w: 10px 20px", 1, {"10"}},
    {"(a)|(b)", "ab", 4, {"a", "", "", "b"}},
    {"a.*b", "axxbyyb", 1, {"axxbyyb"}},
    {"a.*?b", "axxbyyb", 1, {"axxb"}},
    {"^\\w+", "first line\nsecond", 1, {"first"}},
    {"(?m)^\\w+", "first line\nsecond", 2, {"first", "second"}},
    {"\\w+$", "end\n", 1, {"end"}},
    {"\\w+\\Z", "end\n", 0, {}},
    {"[^a-c]+", "abcdefabc", 1, {"def"}},
    {"x*", "axxb", 4, {"", "xx", "", ""}},
    {"\\bis\\b", "this is it", 1, {"is"}},
    {"(?i)straße", "STRASSE Straße", 1, {"Straße"}},
    {"colou?r", "color colour", 2, {"color", "colour"}},
    {"\\d{2,3}", "1 12 1234", 2, {"12", "123"}},
    {"\\d{,2}", "123", 3, {"12", "3", ""}},
    {"[[:alpha:]]", "a:[]", 1, {"[]"}},
    {"\\u00e9|\\x41", "éA", 2, {"é", "A"}},
    {"(?s)a.b", "a\nb", 1, {"a\nb"}},
    {"a.b", "a\nb", 0, {}},
    {"(\\d)\\1", "1122", 2, {"1", "2"}},
    {"(?P<x>\\w)(?P=x)", "aabb", 2, {"a", "b"}},
    {"&\\w+;", "&amp; &eacute; &#39;", 2, {"&amp;", "é"}},
    {".", "é東", 2, {"é", "東"}},
    {"\\D+", "12ab34", 1, {"ab"}},
    {"\\W+", "a, b!", 2, {", ", "!"}},
    {"(a)(b)?", "a ab", 4, {"a", "", "a", "b"}},
    {"", "ab", 3, {"", "", ""}},
    {"(?<=\\$)\\d+", "$5 and $10", 2, {"5", "10"}},
    {"\\d+(?=%)", "50% 3", 1, {"50"}},
    {"[\\d.]+", "v1.2.3", 1, {"1.2.3"}},
};

typedef struct found {
    kumo_buf all;               /* strings joined by '|' */
    size_t n;
} found;

static void collect(void *ctx, const char *s, size_t n)
{
    found *f = ctx;
    if (f->n++)
        kumo__buf_addc(&f->all, '|');
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_TEXT);
    kumo__buf_adds(&b, "");
    kumo__replace_entities(s, n, &b);
    kumo__buf_add(&f->all, b.s, b.len);
    kumo__buf_release(&b);
}

Test(regex, extract_matches_parsel)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(re_cases); i++) {
        const char *err = NULL;
        const kumo_regex *re = kumo__regex_get(re_cases[i].pattern, 0, &err);
        cr_assert_not_null(re, "'%s': %s", re_cases[i].pattern, err);
        found f = {.n = 0};
        kumo__buf_init(&f.all, 0, KUMO_T_STR, KUMO_V_TEXT);
        kumo__buf_adds(&f.all, "");
        kumo__regex_extract(re, re_cases[i].text, strlen(re_cases[i].text), collect, &f);
        kumo_buf want;
        kumo__buf_init(&want, 0, KUMO_T_STR, KUMO_V_TEXT);
        kumo__buf_adds(&want, "");
        for (size_t k = 0; k < re_cases[i].n; k++) {
            if (k)
                kumo__buf_addc(&want, '|');
            kumo__buf_adds(&want, re_cases[i].want[k]);
        }
        cr_expect_eq(f.n, re_cases[i].n, "'%s' on '%s': %zu strings (%s)", re_cases[i].pattern,
                     re_cases[i].text, f.n, kumo__buf_str(&f.all));
        cr_expect_str_eq(kumo__buf_str(&f.all), kumo__buf_str(&want), "'%s' on '%s'",
                         re_cases[i].pattern, re_cases[i].text);
        kumo__buf_release(&want);
        kumo__buf_release(&f.all);
    }
}

/* w3lib.html.replace_entities(s, keep=['lt', 'amp']), as parsel's re() applies it. */
static const struct {
    const char *in, *out;
} entity_cases[] = {
    {"a &amp; b &lt; c &gt; d", "a &amp; b &lt; c > d"},
    {"&AMP; &LT; &Lt; &quot;x&quot;", "&AMP; &LT; &Lt; \"x\""},
    {"&eacute;&Eacute;&EACUTE;", "éÉé"},
    {"&#233;&#xe9;&#XE9;&#x263a;", "ééé☺"},
    {"&#150;&#128;&#129;&#159;", "–€Ÿ"},
    {"&nbsp;&copy2023 &copy;", "\xc2\xa0&copy2023 ©"},
    {"&bogus; &bogus &; & &# &#x &#65 &#x42", " &bogus &; & &# &#x A B"},
    {"&#1114112; &#1114111;", " \xf4\x8f\xbf\xbf"},
    {"&#99999999999999999999;x", "x"},
    {"no entities", "no entities"},
    {"&amp", "&amp"},
    {"&ampx;", ""},
};

Test(regex, entities_are_replaced_as_w3lib_does)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(entity_cases); i++) {
        kumo_buf b;
        kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_TEXT);
        kumo__buf_adds(&b, "");
        kumo__replace_entities(entity_cases[i].in, strlen(entity_cases[i].in), &b);
        cr_expect_str_eq(kumo__buf_str(&b), entity_cases[i].out, "'%s'", entity_cases[i].in);
        kumo__buf_release(&b);
    }
}

/* Python's re.sub(pattern, repl, s, count). */
static const struct {
    const char *pattern, *repl, *s;
    int count;
    const char *want;
} sub_cases[] = {
    {"(\\d{4})-(\\d\\d)", "\\2/\\1", "2023-01 and 1999-12", 0, "01/2023 and 12/1999"},
    {"(\\d{4})-(\\d\\d)", "\\2/\\1", "2023-01 and 1999-12", 1, "01/2023 and 1999-12"},
    {"(?P<y>\\d+)", "<\\g<y>>", "a1b22", 0, "a<1>b<22>"},
    {"\\s+", "_", "  a  b ", 0, "_a_b_"},
    {"x*", "-", "abc", 0, "-a-b-c-"},
    {"o", "0", "foo", 0, "f00"},
    {"z", "y", "foo", 0, "foo"},
    {"(a)|b", "[\\1]", "ab", 0, "[a][]"},
    {"b", "\\n\\t", "abc", 0, "a\n\tc"},
};

Test(regex, sub_is_pythons)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(sub_cases); i++) {
        const kumo_regex *re = kumo__regex_get(sub_cases[i].pattern, 0, NULL);
        cr_assert_not_null(re);
        const char *err = NULL;
        char *r = kumo__regex_sub(re, sub_cases[i].repl, sub_cases[i].s, strlen(sub_cases[i].s),
                                  sub_cases[i].count, &err);
        cr_assert_not_null(r, "%s", err);
        cr_expect_str_eq(r, sub_cases[i].want, "sub('%s', '%s', '%s')", sub_cases[i].pattern,
                         sub_cases[i].repl, sub_cases[i].s);
        kumo_free(r);
    }
    const kumo_regex *re = kumo__regex_get("(a)", 0, NULL);
    const char *err = NULL;
    cr_expect_null(kumo__regex_sub(re, "\\2", "a", 1, 0, &err));
    cr_expect_not_null(err);
    cr_expect_null(kumo__regex_sub(re, "\\g<nope>", "a", 1, 0, &err));
}

Test(regex, flags_search_and_groups)
{
    const kumo_regex *re = kumo__regex_get("ÉTÉ", KUMO_RE_I, NULL);
    cr_assert_not_null(re);
    cr_expect(kumo__regex_search(re, "en été", strlen("en été")));
    cr_expect_not(kumo__regex_search(kumo__regex_get("ÉTÉ", 0, NULL), "en été", 8));
    found f = {.n = 0};
    kumo__buf_init(&f.all, 0, KUMO_T_STR, KUMO_V_TEXT);
    kumo__buf_adds(&f.all, "");
    cr_expect(kumo__regex_search_groups(kumo__regex_get("(\\d+)-(x)?", 0, NULL), "a 12- b", 7,
                                        collect, &f));
    cr_expect_str_eq(kumo__buf_str(&f.all), "12-|12|");
    kumo__buf_reset(&f.all);
    kumo__buf_adds(&f.all, "");
    f.n = 0;
    kumo__regex_findall_joined(kumo__regex_get("(\\d)(\\w)", 0, NULL), "1a 2b", 5, collect, &f);
    cr_expect_str_eq(kumo__buf_str(&f.all), "1a|2b");
    kumo__buf_release(&f.all);
    /* Invalid UTF-8 subjects match nothing instead of reading past a sequence. */
    cr_expect_not(kumo__regex_search(kumo__regex_get("x", 0, NULL), "\xffx", 2));
}

Test(regex, invalid_patterns_say_why)
{
    const char *bad[] = {"(unclosed", "[a-", "a{2,1}", "*x", "(?P<1>x)", "\xff"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad); i++) {
        const char *err = NULL;
        cr_expect_null(kumo__regex_get(bad[i], 0, &err), "'%s' should be invalid", bad[i]);
        cr_expect(err && *err, "'%s' has a message", bad[i]);
    }
    cr_expect_null(kumo__regex_get(NULL, 0, NULL));
}

Test(regex, patterns_are_compiled_once_and_the_cache_is_bounded)
{
    kumo__regex_cleanup();
    const kumo_regex *a = kumo__regex_get("\\d+", 0, NULL);
    cr_expect_eq(kumo__regex_get("\\d+", 0, NULL), a);
    cr_expect_neq(kumo__regex_get("\\d+", KUMO_RE_I, NULL), a);
    cr_expect_eq(kumo__regex_cached(), 2);
    char p[32];
    for (int i = 0; i < 1200; i++) {
        snprintf(p, sizeof(p), "x%d", i);
        cr_assert_not_null(kumo__regex_get(p, 0, NULL));
        cr_assert_leq(kumo__regex_cached(), 512);
    }
    kumo__regex_cleanup();
    cr_expect_eq(kumo__regex_cached(), 0);
}

/* ---- kumo/re.h: re.search and re.sub for spider code ---- */

/* Generated with Python 3.11: m = re.search(pattern, s); len(m.groups()), m.span() in bytes,
 * m.group(0), m.group(1)... (NULL: None). */
static const struct {
    const char *pattern, *s;
    bool found;
    size_t ngroups, start, end;
    const char *groups[4];
} search_cases[] = {
    {"(\\d+)-(\\d+)?", "tel 12- and 3-4", true, 2, 4, 7, {"12-", "12", NULL}},
    {"(?P<y>\\d{4})-(?P<m>\\d\\d)", "on 2023-01-05", true, 2, 3, 10, {"2023-01", "2023", "01"}},
    {"\\w+ü", "Grüße über", true, 0, 0, 4, {"Grü"}},
    {"(?i)straße", "STRASSE Straße", true, 0, 8, 15, {"Straße"}},
    {"^b", "a\nb", false, 0, 0, 0, {NULL}},
    {"(?m)^b", "a\nb", true, 0, 2, 3, {"b"}},
    {"x*", "abc", true, 0, 0, 0, {""}},
    {"(a)|(b)", "b", true, 2, 0, 1, {"b", NULL, "b"}},
    {"\\bwörld\\b", "hello wörld!", true, 0, 6, 12, {"wörld"}},
    {"é(.)", "cafés", true, 1, 3, 6, {"és", "s"}},
    {"\\d\\Z", "a1\n", false, 0, 0, 0, {NULL}},
    {"\\d$", "a1\n", true, 0, 1, 2, {"1"}},
    {"[[:digit:]]+", "12 [:]", true, 0, 4, 6, {":]"}},
    {"\\d{,2}", "12345", true, 0, 0, 2, {"12"}},
    {"\\u00e9+", "ééé", true, 0, 0, 6, {"ééé"}},
};

Test(regex, re_search_is_pythons)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(search_cases); i++) {
        int err = -1;
        kumo_re_match *m = kumo_re_search(search_cases[i].pattern, search_cases[i].s, &err);
        cr_expect_eq(err, KUMO_OK);
        if (!search_cases[i].found) {
            cr_expect_null(m, "search('%s', '%s')", search_cases[i].pattern, search_cases[i].s);
            continue;
        }
        cr_assert_not_null(m, "search('%s', '%s')", search_cases[i].pattern, search_cases[i].s);
        cr_expect_eq(kumo_re_match_groups(m), search_cases[i].ngroups, "%s",
                     search_cases[i].pattern);
        size_t start = 99, end = 99;
        cr_expect(kumo_re_match_span(m, 0, &start, &end));
        cr_expect_eq(start, search_cases[i].start, "%s", search_cases[i].pattern);
        cr_expect_eq(end, search_cases[i].end, "%s", search_cases[i].pattern);
        for (size_t g = 0; g <= search_cases[i].ngroups; g++) {
            const char *want = search_cases[i].groups[g];
            const char *got = kumo_re_match_group(m, g);
            if (want)
                cr_expect(got && strcmp(got, want) == 0, "%s group %zu: %s",
                          search_cases[i].pattern, g, got ? got : "NULL");
            else
                cr_expect_null(got, "%s group %zu", search_cases[i].pattern, g);
            cr_expect_eq(kumo_re_match_span(m, g, NULL, NULL), want != NULL);
        }
        cr_expect_null(kumo_re_match_group(m, search_cases[i].ngroups + 1));
        cr_expect_not(kumo_re_match_span(m, search_cases[i].ngroups + 1, NULL, NULL));
        kumo_re_match_free(m);
    }
}

Test(regex, re_search_named_groups_outlive_the_cache)
{
    char s[] = "on 2023-01-05";
    kumo_re_match *m = kumo_re_search("(?P<y>\\d{4})-(?P<m>\\d\\d)(?P<x>z)?", s, NULL);
    cr_assert_not_null(m);
    /* The match keeps its own copies: the subject and the cached pattern may go. */
    memset(s, 'x', sizeof(s) - 1);
    kumo__regex_cleanup();
    cr_expect_str_eq(kumo_re_match_named(m, "y"), "2023");
    cr_expect_str_eq(kumo_re_match_named(m, "m"), "01");
    cr_expect_null(kumo_re_match_named(m, "x"));
    cr_expect_null(kumo_re_match_named(m, "nope"));
    cr_expect_null(kumo_re_match_named(m, NULL));
    cr_expect_str_eq(kumo_re_match_group(m, 0), "2023-01");
    kumo_re_match_free(m);
    kumo_re_match_free(NULL);
    /* Compiled once: a second search of the same pattern adds nothing to the cache. */
    size_t before = kumo__regex_cached();
    for (int i = 0; i < 3; i++)
        kumo_re_match_free(kumo_re_search("(\\d+)", "a1", NULL));
    cr_expect_eq(kumo__regex_cached(), before + 1);
    /* Not valid UTF-8: no match, no error.  NULL subject: no match. */
    int err = -1;
    cr_expect_null(kumo_re_search("x", "\xffx", &err));
    cr_expect_eq(err, KUMO_OK);
    cr_expect_null(kumo_re_search("x", NULL, &err));
}

/* Generated with Python 3.11: re.sub(pattern, repl, s, count). */
static const struct {
    const char *pattern, *repl, *s;
    int count;
    const char *want;
} public_sub_cases[] = {
    {"(\\d{4})-(\\d\\d)", "\\2/\\1", "2023-01 and 1999-12", 0, "01/2023 and 12/1999"},
    {"(\\d{4})-(\\d\\d)", "\\2/\\1", "2023-01 and 1999-12", 1, "01/2023 and 1999-12"},
    {"(?P<y>\\d+)", "<\\g<y>>", "a1b22", 0, "a<1>b<22>"},
    {"(?P<y>\\d+)", "<\\g<1>|\\g<0>>", "a1b22", 0, "a<1|1>b<22|22>"},
    {"(\\w+)", "\\1\\1", "ab cd", 0, "abab cdcd"},
    {"x*", "-", "abxd", 0, "-a-b--d-"},
    {"x*", "-", "abc", 0, "-a-b-c-"},
    {"a", "\\101\\0101", "a", 0, "A\x08""1"},
    {"a", "\\&\\.\\-", "a", 0, "\\&\\.\\-"},
    {"a", "x", "aaa", -1, "aaa"},
    {"a", "x", "aaa", 2, "xxa"},
    {"(a)|b", "[\\1]", "ab", 0, "[a][]"},
    {"b", "\\n\\t\\\\", "abc", 0, "a\n\t\\c"},
    {"é", "e", "été", 0, "ete"},
    {"(?P<w>\\w+) (?P<v>\\w+)", "\\g<v> \\g<w>", "hello wörld", 0, "wörld hello"},
    {"(a)", "\\g<01>", "a", 0, "a"},
    {"\\s+", " ", "  a \n b  ", 0, " a b "},
    {"(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)", "\\10\\1", "abcdefghij", 0, "ja"},
    {"[aeiou]", "", "education", 0, "dctn"},
};

/* Invalid in Python 3.11 (re.error or IndexError), even where nothing matches. */
static const struct {
    const char *pattern, *repl, *s;
} bad_sub_cases[] = {
    {"a", "\\q", "a"}, /* bad escape \q at position 0 */
    {"a", "\\", "a"}, /* bad escape (end of pattern) at position 0 */
    {"a", "\\g<2>", "a"}, /* invalid group reference 2 at position 3 */
    {"a", "\\g<x>", "a"}, /* unknown group name 'x' */
    {"a", "\\g<>", "a"}, /* missing group name at position 3 */
    {"a", "\\g<1", "a"}, /* missing >, unterminated name at position 3 */
    {"a", "\\g1", "a"}, /* missing < at position 2 */
    {"(a)", "\\2", "a"}, /* invalid group reference 2 at position 1 */
    {"a", "\\400", "a"}, /* octal escape value \400 outside of range 0-0o377 at position 0 */
    {"z", "\\x41", "abc"}, /* bad escape \x at position 0 */
    {"a", "\\g<-1>", "a"}, /* bad character in group name '-1' at position 3 */
    {"a", "\\g<a b>", "a"}, /* bad character in group name 'a b' at position 3 */
};

static int re_errors;

static void count_errors(void *ctx, kumo_loglevel level)
{
    (void)ctx;
    if (level == KUMO_LOG_ERROR)
        re_errors++;
}

Test(regex, re_sub_is_pythons)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(public_sub_cases); i++) {
        int err = -1;
        char *r = kumo_re_sub(public_sub_cases[i].pattern, public_sub_cases[i].repl,
                              public_sub_cases[i].s, public_sub_cases[i].count, &err);
        cr_expect_eq(err, KUMO_OK);
        cr_assert_not_null(r, "sub('%s', '%s')", public_sub_cases[i].pattern,
                           public_sub_cases[i].repl);
        cr_expect_str_eq(r, public_sub_cases[i].want, "sub('%s', '%s', '%s', %d)",
                         public_sub_cases[i].pattern, public_sub_cases[i].repl,
                         public_sub_cases[i].s, public_sub_cases[i].count);
        kumo_free(r);
    }
    kumo__log_set_file("/dev/null");
    re_errors = 0;
    kumo__log_set_hook(count_errors, NULL);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad_sub_cases); i++) {
        int err = -1;
        char *r = kumo_re_sub(bad_sub_cases[i].pattern, bad_sub_cases[i].repl,
                              bad_sub_cases[i].s, 0, &err);
        cr_expect_null(r, "sub('%s', '%s') should fail: %s", bad_sub_cases[i].pattern,
                       bad_sub_cases[i].repl, r);
        kumo_free(r);
        cr_expect_eq(err, KUMO_ESYNTAX, "sub('%s', '%s')", bad_sub_cases[i].pattern,
                     bad_sub_cases[i].repl);
    }
    cr_expect_eq(re_errors, (int)KUMO_ARRAY_LEN(bad_sub_cases));
    /* An invalid pattern: NULL, KUMO_ESYNTAX, one ERROR line, for search and sub. */
    int err = -1;
    re_errors = 0;
    cr_expect_null(kumo_re_search("(unclosed", "x", &err));
    cr_expect_eq(err, KUMO_ESYNTAX);
    cr_expect_null(kumo_re_sub("[a-", "", "x", 0, &err));
    cr_expect_eq(err, KUMO_ESYNTAX);
    cr_expect_null(kumo_re_sub(NULL, "", "x", 0, NULL));
    cr_expect_eq(re_errors, 3);
    kumo__log_set_hook(NULL, NULL);
    kumo__log_set_file(NULL);
}
