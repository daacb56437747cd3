/* test_css.c - CSS-to-XPath translation (against parsel's output) and the query cache. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "select/css.h"
#include "select/pool.h"
#include <libxml/parser.h>

static void setup(void)
{
    cr_assert_eq(kumo_global_init(), KUMO_OK);
}

static void teardown(void)
{
    kumo_pool_drain(0);
    kumo_select_cleanup();
    cr_assert_eq(kumo_ref_total(), 0, "tracked objects left alive");
}

TestSuite(css, .init = setup, .fini = teardown);

/* Generated with parsel 1.7: HTMLTranslator().css_to_xpath(css). */
static const struct {
    const char *css;
    const char *xpath;
} translations[] = {
    {"a",
     "descendant-or-self::a"},
    {"*",
     "descendant-or-self::*"},
    {"#id",
     "descendant-or-self::*[@id = 'id']"},
    {".c",
     "descendant-or-self::*[@class and contains(concat(' ', normalize-space(@class), ' '), ' c"
     " ')]"},
    {"DIV.c#x",
     "descendant-or-self::div[(@class and contains(concat(' ', normalize-space(@class), ' '), "
     "' c ')) and (@id = 'x')]"},
    {"[href]",
     "descendant-or-self::*[@href]"},
    {"[href=v]",
     "descendant-or-self::*[@href = 'v']"},
    {"[href=\"v w\"]",
     "descendant-or-self::*[@href = 'v w']"},
    {"[a~='x']",
     "descendant-or-self::*[@a and contains(concat(' ', normalize-space(@a), ' '), ' x ')]"},
    {"[a^=x]",
     "descendant-or-self::*[@a and starts-with(@a, 'x')]"},
    {"[a$=x]",
     "descendant-or-self::*[@a and substring(@a, string-length(@a)-0) = 'x']"},
    {"[a*=x]",
     "descendant-or-self::*[@a and contains(@a, 'x')]"},
    {"[a|=x]",
     "descendant-or-self::*[@a and (@a = 'x' or starts-with(@a, 'x-'))]"},
    {"[a!=x]",
     "descendant-or-self::*[not(@a) or @a != 'x']"},
    {"div p",
     "descendant-or-self::div/descendant-or-self::*/p"},
    {"div > p",
     "descendant-or-self::div/p"},
    {"div + p",
     "descendant-or-self::div/following-sibling::*[(name() = 'p') and (position() = 1)]"},
    {"div ~ p",
     "descendant-or-self::div/following-sibling::p"},
    {"a, b",
     "descendant-or-self::a | descendant-or-self::b"},
    {"a::text",
     "descendant-or-self::a/text()"},
    {"*::text",
     "descendant-or-self::text()"},
    {"::text",
     "descendant-or-self::text()"},
    {"div ::text",
     "descendant-or-self::div/descendant-or-self::text()"},
    {"div *::text",
     "descendant-or-self::div/descendant-or-self::text()"},
    {"a::attr(href)",
     "descendant-or-self::a/@href"},
    {"::attr(href)",
     "descendant-or-self::*/@href"},
    {"div ::attr(href)",
     "descendant-or-self::div/descendant-or-self::*/@href"},
    {"div.quote span.text::text",
     "descendant-or-self::div[@class and contains(concat(' ', normalize-space(@class), ' '), '"
     " quote ')]/descendant-or-self::*/span[@class and contains(concat(' ', normalize-space(@c"
     "lass), ' '), ' text ')]/text()"},
    {"a[HREF]",
     "descendant-or-self::a[@href]"},
    {"p:first-child",
     "descendant-or-self::p[count(preceding-sibling::*) = 0]"},
    {"p:last-child",
     "descendant-or-self::p[count(following-sibling::*) = 0]"},
    {"p:nth-child(2)",
     "descendant-or-self::p[count(preceding-sibling::*) = 1]"},
    {"p:not(.x)",
     "descendant-or-self::p[not(@class and contains(concat(' ', normalize-space(@class), ' '),"
     " ' x '))]"},
    {"li:nth-child(2n+1)",
     "descendant-or-self::li[count(preceding-sibling::*) mod 2 = 0]"},
    {"p:only-child",
     "descendant-or-self::p[count(parent::*/child::*) = 1]"},
    {"p:empty",
     "descendant-or-self::p[not(*) and not(string-length())]"},
    {"p:first-of-type",
     "descendant-or-self::p[count(preceding-sibling::p) = 0]"},
    {"p:last-of-type",
     "descendant-or-self::p[count(following-sibling::p) = 0]"},
    {"[a=\"\"]",
     "descendant-or-self::*[@a = '']"},
    {"[a^='']",
     "descendant-or-self::*[0]"},
    {"[a~='']",
     "descendant-or-self::*[0]"},
    {"#a-b_c",
     "descendant-or-self::*[@id = 'a-b_c']"},
    {".a\\:b",
     "descendant-or-self::*[@class and contains(concat(' ', normalize-space(@class), ' '), ' a"
     ":b ')]"},
    {"p:nth-of-type(3)",
     "descendant-or-self::p[count(preceding-sibling::p) = 2]"},
    {"a:nth-child(odd)",
     "descendant-or-self::a[count(preceding-sibling::*) mod 2 = 0]"},
    {"a:nth-child(even)",
     "descendant-or-self::a[(count(preceding-sibling::*) +1) mod 2 = 0]"},
    {"p:nth-last-child(2)",
     "descendant-or-self::p[count(following-sibling::*) = 1]"},
    {"li:nth-child(-n+3)",
     "descendant-or-self::li[count(preceding-sibling::*) <= 2]"},
    {"li:nth-child(3n-1)",
     "descendant-or-self::li[(count(preceding-sibling::*) +2) mod 3 = 0]"},
    {"li:nth-child(n+2)",
     "descendant-or-self::li[count(preceding-sibling::*) >= 1]"},
    {"li:nth-last-of-type(2n)",
     "descendant-or-self::li[(count(following-sibling::li) +1) mod 2 = 0]"},
    {"[a=\"it's\"]",
     "descendant-or-self::*[@a = \"it's\"]"},
    {"[a=\"it's \\\"q\\\"\"]",
     "descendant-or-self::*[@a = concat('it',\"'\",'s \"q\"')]"},
    {"div>p",
     "descendant-or-self::div/p"},
    {"div    p",
     "descendant-or-self::div/descendant-or-self::*/p"},
    {"li.next a::attr(href)",
     "descendant-or-self::li[@class and contains(concat(' ', normalize-space(@class), ' '), ' "
     "next ')]/descendant-or-self::*/a/@href"},
    {"[a=\"x\"]::text",
     "descendant-or-self::*[@a = 'x']/text()"},
    {"p::text, a::attr(href)",
     "descendant-or-self::p/text() | descendant-or-self::a/@href"},
    {" a ",
     "descendant-or-self::a"},
    {"a.b.c",
     "descendant-or-self::a[(@class and contains(concat(' ', normalize-space(@class), ' '), ' "
     "b ')) and (@class and contains(concat(' ', normalize-space(@class), ' '), ' c '))]"},
    {"*.c",
     "descendant-or-self::*[@class and contains(concat(' ', normalize-space(@class), ' '), ' c"
     " ')]"},
    {"a b > c + d ~ e",
     "descendant-or-self::a/descendant-or-self::*/b/c/following-sibling::*[(name() = 'd') and "
     "(position() = 1)]/following-sibling::e"},
    {"a::attr(data-x)",
     "descendant-or-self::a/@data-x"},
    {"p:not(a)",
     "descendant-or-self::p[not(name() = 'a')]"},
    {".é",
     "descendant-or-self::*[@class and contains(concat(' ', normalize-space(@class), ' '), ' é"
     " ')]"},
    {"[a = \"x\" ]",
     "descendant-or-self::*[@a = 'x']"},
    {"a:first-child::text",
     "descendant-or-self::a[count(preceding-sibling::*) = 0]/text()"},
    {"a#b.c[d]",
     "descendant-or-self::a[((@id = 'b') and (@class and contains(concat(' ', normalize-space("
     "@class), ' '), ' c '))) and (@d)]"},
    {"p:root",
     "descendant-or-self::p[not(parent::*)]"},
    {"a:contains(\"x y\")",
     "descendant-or-self::a[contains(., 'x y')]"},
    {".x::text",
     "descendant-or-self::*[@class and contains(concat(' ', normalize-space(@class), ' '), ' x"
     " ')]/text()"},
    {"div > ::text",
     "descendant-or-self::div/*/text()"},
    {".\\31 a",
     "descendant-or-self::*[@class and contains(concat(' ', normalize-space(@class), ' '), ' 1"
     "a ')]"},
    {"a[data-id]",
     "descendant-or-self::a[@data-id]"},
    {"h1 + *",
     "descendant-or-self::h1/following-sibling::*[position() = 1]"},
    {"UL LI",
     "descendant-or-self::ul/descendant-or-self::*/li"},
    {"a:link",
     "descendant-or-self::a[@href and (name(.) = 'a' or name(.) = 'link' or name(.) = 'area')]"},
    {"a:hover",
     "descendant-or-self::a[0]"},
    {"[x\\:y]",
     "descendant-or-self::*[attribute::*[name() = 'x:y']]"},
    {"p:only-of-type",
     "descendant-or-self::p[count(parent::*/child::p) = 1]"},
    {"a /* c */ b",
     "descendant-or-self::a/descendant-or-self::*/b"},
    {"a::attr(\"href\")",
     "descendant-or-self::a/@href"},
    {"p:NTH-CHILD(1)",
     "descendant-or-self::p[count(preceding-sibling::*) = 0]"},
    {"p:first-child:last-child",
     "descendant-or-self::p[(count(preceding-sibling::*) = 0) and (count(following-sibling::*)"
     " = 0)]"},
    {"a[href$='.pdf']",
     "descendant-or-self::a[@href and substring(@href, string-length(@href)-3) = '.pdf']"},
    {"#\\31 23",
     "descendant-or-self::*[@id = '123']"},
};

Test(css, translations_match_parsel)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(translations); i++) {
        char *out = NULL;
        size_t pos = 0;
        char msg[200];
        int rc = kumo_css_to_xpath(translations[i].css, &out, &pos, msg, sizeof(msg));
        cr_expect_eq(rc, KUMO_OK, "'%s': %s", translations[i].css, msg);
        if (rc == KUMO_OK)
            cr_expect_str_eq(out, translations[i].xpath, "css '%s'", translations[i].css);
        kumo_free(out);
    }
}

/* Invalid CSS: an error and where it is (cssselect's position where it gives one). */
static const struct {
    const char *css;
    long pos;               /* -1: not checked */
} invalid[] = {
    {"a[", 2},
    {"", 0},
    {"   ", 3},
    {"a,", 2},
    {"#", 0},
    {"a)", 1},
    {"[a=\"x", 3},
    {".", 1},
    {"a >", 3},
    {"\"a\"", 0},
    {":not()", 5},
    {"[a=1]", 3},
    {"[a ~ x]", 3},
    {"p:bogus", 1},
    {"p:bogus()", 1},
    {"a::text::attr(x)", -1},
    {"a::text b", -1},
    {"a::text.x", -1},
    {"a::foo", -1},
    {"a::attr()", -1},
    {"a::attr(a,b)", -1},
    {"a::foo(x)", -1},
    {"p:nth-child(x)", -1},
    {"p:nth-child('1')", -1},
    {"*:first-of-type", -1},
    {"*:nth-of-type(2)", -1},
    {"a:", -1},
    {"a:not(b c)", -1},
    {"a:not(::text)", -1},
    {"a:not(:not(b))", -1},
    {"svg|a", -1},
    {"a\n\"", -1},
    {"a,,b", -1},
    {"a >> b", -1},
};

Test(css, invalid_css_is_an_error_with_position)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(invalid); i++) {
        char *out = (char *)"unset";
        size_t pos = 999;
        char msg[200];
        int rc = kumo_css_to_xpath(invalid[i].css, &out, &pos, msg, sizeof(msg));
        cr_expect_eq(rc, KUMO_ESYNTAX, "'%s' should be invalid", invalid[i].css);
        cr_expect_null(out, "'%s'", invalid[i].css);
        cr_expect_neq(msg[0], '\0', "'%s' has a message", invalid[i].css);
        cr_expect_leq(pos, strlen(invalid[i].css), "'%s' position %zu", invalid[i].css, pos);
        if (invalid[i].pos >= 0)
            cr_expect_eq(pos, (size_t)invalid[i].pos, "'%s': %s", invalid[i].css, msg);
        if (rc == KUMO_OK)
            kumo_free(out);
    }
}

Test(css, messages_name_the_problem)
{
    char *out;
    size_t pos;
    char msg[200];
    kumo_css_to_xpath("a[", &out, &pos, msg, sizeof(msg));
    cr_expect(strstr(msg, "Expected ident or '*'") != NULL, "%s", msg);
    kumo_css_to_xpath("p:bogus", &out, &pos, msg, sizeof(msg));
    cr_expect(strstr(msg, "pseudo-class :bogus is unknown") != NULL, "%s", msg);
    kumo_css_to_xpath("a::foo", &out, &pos, msg, sizeof(msg));
    cr_expect(strstr(msg, "pseudo-element ::foo is unknown") != NULL, "%s", msg);
    kumo_css_to_xpath("a::text b", &out, &pos, msg, sizeof(msg));
    cr_expect(strstr(msg, "not at the end of a selector") != NULL, "%s", msg);
    /* A NULL or short message buffer is fine. */
    cr_expect_eq(kumo_css_to_xpath("a[", &out, &pos, NULL, 0), KUMO_ESYNTAX);
    cr_expect_eq(kumo_css_to_xpath("a[", &out, NULL, msg, 4), KUMO_ESYNTAX);
    cr_expect_eq(strlen(msg), 3);
}

Test(css, queries_are_translated_and_compiled_once)
{
    size_t before = kumo_query_cached();
    const kumo_query *q1 = kumo_query_get("div.quote span.text::text", true);
    cr_assert_not_null(q1->comp);
    cr_assert_str_eq(q1->xpath, "descendant-or-self::div[@class and contains(concat(' ', "
                                "normalize-space(@class), ' '), ' quote ')]/descendant-or-self"
                                "::*/span[@class and contains(concat(' ', normalize-space("
                                "@class), ' '), ' text ')]/text()");
    const kumo_query *q2 = kumo_query_get("div.quote span.text::text", true);
    cr_expect_eq(q1, q2, "same cached entry");
    cr_expect_eq(kumo_query_cached(), before + 1);
    /* The same string as XPath is another entry. */
    const kumo_query *x = kumo_query_get("//a/@href", false);
    cr_expect_neq(x, q1);
    cr_expect_not_null(x->comp);
    cr_expect_str_eq(x->xpath, "//a/@href");
    cr_expect_eq(kumo_query_cached(), before + 2);
    cr_expect_eq(kumo_query_get("//a/@href", false), x);
}

Test(css, invalid_queries_are_cached_with_their_error)
{
    const kumo_query *c = kumo_query_get("a[", true);
    cr_expect_null(c->comp);
    cr_expect_null(c->xpath);
    cr_expect_not_null(c->error);
    const kumo_query *x = kumo_query_get("//a[", false);
    cr_expect_null(x->comp);
    cr_expect_not_null(x->error);
    cr_expect_eq(kumo_query_get("//a[", false), x);
}

Test(css, cache_is_bounded_and_cleanup_frees_it)
{
    xmlInitParser();
    kumo_query_get("warm", false);
    kumo_select_cleanup();
    uint64_t count0, bytes0;
    kumo_heap_totals(&count0, &bytes0);
    char q[64];
    for (int i = 0; i < 3000; i++) {
        snprintf(q, sizeof(q), "li.item-%d > a::attr(href)", i);
        cr_assert_not_null(kumo_query_get(q, true)->comp);
        cr_assert_leq(kumo_query_cached(), 1024);
    }
    kumo_select_cleanup();
    cr_expect_eq(kumo_query_cached(), 0);
    uint64_t count1, bytes1;
    kumo_heap_totals(&count1, &bytes1);
    cr_expect_eq(count1, count0, "no block left by the cache");
    cr_expect_eq(bytes1, bytes0);
}
