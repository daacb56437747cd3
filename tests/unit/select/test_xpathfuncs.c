/* test_xpathfuncs.c - parsel's XPath extras: has-class(), re:test, re:match, re:replace. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "select/doc.h"
#include "select/css.h"
#include "select/pool.h"
#include "lib/leakcheck.h"

static kumo_doc *doc;

static const char page[] =
    "<html><body>"
    "<p class=\"a  b\tc\">one</p>"
    "<p class=\"ab\">two</p>"
    "<p>three</p>"
    "<span id=\"s\">Price: 10 EUR, 25 EUR</span>"
    "</body></html>";

static void setup(void)
{
    kumo_leakcheck_start();
    cr_assert_eq(kumo__global_init(), KUMO_OK);
    doc = kumo__doc_new(true);
    cr_assert_eq(kumo__doc_parse(doc, page, sizeof(page) - 1, "http://x.example/", NULL),
                 KUMO_OK);
}

static void teardown(void)
{
    kumo__pool_drain(0);
    kumo__doc_unref(doc);
    kumo_leakcheck_end();
}

TestSuite(xpathfuncs, .init = setup, .fini = teardown);

static kumo_selector_list *q(const char *xpath)
{
    kumo_selector_list *l = kumo__doc_select(doc, xpath, false);
    cr_assert_not_null(l, "%s", xpath);
    return l;
}

static const char *one(const char *xpath)
{
    kumo_selector_list *l = q(xpath);
    cr_assert_eq(kumo_list_len(l), 1, "'%s': %zu results", xpath, kumo_list_len(l));
    return kumo_list_get(l, "");
}

Test(xpathfuncs, has_class_matches_whole_classes)
{
    cr_assert_str_eq(one("//p[has-class('b')]/text()"), "one");
    cr_assert_str_eq(one("//p[has-class('a', 'c')]/text()"), "one");
    cr_assert_str_eq(one("//p[has-class('ab')]/text()"), "two");
    cr_assert_eq(kumo_list_len(q("//p[has-class('a', 'x')]")), 0);
    cr_assert_eq(kumo_list_len(q("//p[has-class('b a')]")), 0);
    cr_assert_str_eq(one("count(//*[has-class('c')])"), "1.0");
}

Test(xpathfuncs, has_class_needs_string_arguments)
{
    cr_assert_eq(kumo_list_len(q("//p[has-class()]")), 0);
    cr_assert_eq(kumo_list_len(q("//p[has-class(1)]")), 0);
    cr_assert_not_null(strstr(kumo__xpath_last_error(), "has-class"), "%s",
                       kumo__xpath_last_error());
}

Test(xpathfuncs, re_test_searches_with_flags)
{
    cr_assert_str_eq(one("//p[re:test(text(), '^t')][1]/text()"), "two");
    cr_assert_eq(kumo_list_len(q("//p[re:test(text(), '^T')]")), 0);
    cr_assert_eq(kumo_list_len(q("//p[re:test(text(), '^T', 'i')]")), 2);
    cr_assert_str_eq(one("re:test('abc', 'b+')"), "1");
    cr_assert_str_eq(one("re:test('abc', 'x')"), "0");
}

Test(xpathfuncs, re_replace_once_or_all)
{
    cr_assert_str_eq(one("re:replace(//span, '(\\d+) EUR', '', '\\1e')"),
                     "Price: 10e, 25 EUR");
    cr_assert_str_eq(one("re:replace(//span, '(\\d+) EUR', 'g', '\\1e')"), "Price: 10e, 25e");
    cr_assert_str_eq(one("re:replace('AbA', 'a', 'gi', '-')"), "-b-");
}

Test(xpathfuncs, re_match_returns_match_then_groups)
{
    kumo_selector_list *l = q("re:match(//span, '(\\d+) (EUR)')/text()");
    cr_assert_eq(kumo_list_len(l), 3);
    cr_assert_str_eq(kumo_sel_get(kumo_list_at(l, 0)), "10 EUR");
    cr_assert_str_eq(kumo_sel_get(kumo_list_at(l, 1)), "10");
    cr_assert_str_eq(kumo_sel_get(kumo_list_at(l, 2)), "EUR");
    l = q("re:match(//span, '\\d+', 'g')/text()");
    cr_assert_eq(kumo_list_len(l), 2);
    cr_assert_str_eq(kumo_sel_get(kumo_list_at(l, 1)), "25");
}

Test(xpathfuncs, bad_pattern_fails_the_query)
{
    cr_assert_eq(kumo_list_len(q("re:test('a', '(')")), 0);
    cr_assert_eq(kumo_list_len(q("re:test('a')")), 0);
}
