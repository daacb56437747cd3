/* test_css.c - CSS-to-XPath translation (against parsel's output) and the query cache. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "select/css.h"
#include "select/pool.h"
#include "http/headers.h"
#include "http/response.h"
#include "lib/leakcheck.h"
#include <libxml/parser.h>

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
    /* cssselect counts characters: len("été") - 1 */
    {"[a$=\"été\"]",
     "descendant-or-self::*[@a and substring(@a, string-length(@a)-2) = 'été']"},
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

/* Generated with parsel 1.7 (issue 4): the remaining combinators, attribute operators and
 * pseudo-classes. */
static const struct {
    const char *css;
    const char *xpath;
} more_translations[] = {
    {"li + li",
     "descendant-or-self::li/following-sibling::*[(name() = 'li') and (position() = 1)]"},
    {"li ~ li",
     "descendant-or-self::li/following-sibling::li"},
    {"[lang|=en]",
     "descendant-or-self::*[@lang and (@lang = 'en' or starts-with(@lang, 'en-'))]"},
    {"[lang^=en]",
     "descendant-or-self::*[@lang and starts-with(@lang, 'en')]"},
    {"[lang$=GB]",
     "descendant-or-self::*[@lang and substring(@lang, string-length(@lang)-1) = 'GB']"},
    {"[lang*=ngl]",
     "descendant-or-self::*[@lang and contains(@lang, 'ngl')]"},
    {"[class~=even]",
     "descendant-or-self::*[@class and contains(concat(' ', normalize-space(@class), ' '), ' e"
     "ven ')]"},
    {"li:nth-child(n+4)",
     "descendant-or-self::li[count(preceding-sibling::*) >= 3]"},
    {"li:nth-last-child(odd)",
     "descendant-or-self::li[count(following-sibling::*) mod 2 = 0]"},
    {"span:nth-of-type(2)",
     "descendant-or-self::span[count(preceding-sibling::span) = 1]"},
    {"span:nth-last-of-type(1)",
     "descendant-or-self::span[count(following-sibling::span) = 0]"},
    {"em:nth-of-type(even)",
     "descendant-or-self::em[(count(preceding-sibling::em) +1) mod 2 = 0]"},
    {"li:empty",
     "descendant-or-self::li[not(*) and not(string-length())]"},
    {"td:not(:first-child)",
     "descendant-or-self::td[not(count(preceding-sibling::*) = 0)]"},
    {"a:not([href])",
     "descendant-or-self::a[not(@href)]"},
    {"*:empty",
     "descendant-or-self::*[not(*) and not(string-length())]"},
    {"li *::text",
     "descendant-or-self::li/descendant-or-self::text()"},
    {"*::attr(data-id)",
     "descendant-or-self::*/@data-id"},
    {"div.box em:only-of-type",
     "descendant-or-self::div[@class and contains(concat(' ', normalize-space(@class), ' '), '"
     " box ')]/descendant-or-self::*/em[count(parent::*/child::em) = 1]"},
    {"html:root > body",
     "descendant-or-self::html[not(parent::*)]/body"},
    {"[data-id='3']",
     "descendant-or-self::*[@data-id = '3']"},
    {"a[href^=\"http\"]",
     "descendant-or-self::a[@href and starts-with(@href, 'http')]"},
    {"input[type=checkbox][checked]",
     "descendant-or-self::input[(@type = 'checkbox') and (@checked)]"},
    {"li:nth-child(0n+3)",
     "descendant-or-self::li[count(preceding-sibling::*) = 2]"},
    {"li:nth-child(-2n+5)",
     "descendant-or-self::li[(count(preceding-sibling::*) <= 4) and (count(preceding-sibling::"
     "*) mod -2 = 0)]"},
    {"li:nth-last-of-type(-n+2)",
     "descendant-or-self::li[count(following-sibling::li) <= 1]"},
    {"p:not(.a):not(.b)",
     "descendant-or-self::p[(not(@class and contains(concat(' ', normalize-space(@class), ' ')"
     ", ' a '))) and (not(@class and contains(concat(' ', normalize-space(@class), ' '), ' b '"
     ")))]"},
    {"*:not(p)",
     "descendant-or-self::*[not(name() = 'p')]"},
    {"a ~ *",
     "descendant-or-self::a/following-sibling::*"},
    {"[x='a\\'b']",
     "descendant-or-self::*[@x = \"a'b\"]"},
    {"li:nth-child( 2n + 1 )",
     "descendant-or-self::li[count(preceding-sibling::*) mod 2 = 0]"},
    {"#a\\.b",
     "descendant-or-self::*[@id = 'a.b']"},
    {".-x",
     "descendant-or-self::*[@class and contains(concat(' ', normalize-space(@class), ' '), ' -"
     "x ')]"},
    {"a[b='']",
     "descendant-or-self::a[@b = '']"},
    {"ol>li",
     "descendant-or-self::ol/li"},
    {"li:nth-child(+5)",
     "descendant-or-self::li[count(preceding-sibling::*) = 4]"},
    {"li:nth-child(-n)",
     "descendant-or-self::li[0]"},
    {"*:only-child",
     "descendant-or-self::*[count(parent::*/child::*) = 1]"},
    {"p *:last-child::text",
     "descendant-or-self::p/descendant-or-self::*/*[count(following-sibling::*) = 0]/text()"},
    {"a::attr(href), img::attr(src)",
     "descendant-or-self::a/@href | descendant-or-self::img/@src"},
    {"*::text",
     "descendant-or-self::text()"},
    {"a:NOT(.x)",
     "descendant-or-self::a[not(@class and contains(concat(' ', normalize-space(@class), ' '),"
     " ' x '))]"},
    {"[HREF$=X]",
     "descendant-or-self::*[@href and substring(@href, string-length(@href)-0) = 'X']"},
    {"li:nth-child(n)",
     "descendant-or-self::li"},
    {"li:nth-child(1n+0)",
     "descendant-or-self::li"},
    {"li:nth-child(10n-1)",
     "descendant-or-self::li[(count(preceding-sibling::*) +2) mod 10 = 0]"},
};

/* Generated with parsel 1.7 on tests/data/select/selectors.html: len(getall()), first, last. */
static const struct {
    const char *css;
    size_t n;
    const char *first, *last;
} fixture_matches[] = {
    {"li + li", 5,
     "<li class=\"item even\" data-id=\"2\"><a href=\"b.html\" rel=\"nofollow next\">Beta</a><"
     "/li>",
     "<li class=\"item even last\" data-id=\"6\">   Zeta   </li>"},
    {"li ~ li::attr(data-id)", 5,
     "2",
     "6"},
    {"[lang|=en]::text", 5,
     "\n",
     "\n"},
    {"[lang^=en]::text", 6,
     "\n",
     "\n"},
    {"[lang$=GB]::text", 1,
     "en-GB",
     "en-GB"},
    {"[lang*=ngl]::text", 1,
     "english",
     "english"},
    {"[class~=even]::attr(data-id)", 3,
     "2",
     "6"},
    {"li:nth-child(n+4)::attr(data-id)", 3,
     "4",
     "6"},
    {"li:nth-last-child(odd)::attr(data-id)", 3,
     "2",
     "6"},
    {"div.box span:nth-of-type(2)::text", 1,
     "s2",
     "s2"},
    {"div.box span:nth-last-of-type(1)::text", 2,
     "only child",
     "s3"},
    {"div.box em:nth-of-type(even)::text", 1,
     "e2",
     "e2"},
    {"p:empty", 1,
     "<p class=\"empty\"></p>",
     "<p class=\"empty\"></p>"},
    {"td:not(:first-child)::text", 3,
     "3",
     "7"},
    {"a:not([href])::text", 1,
     "no href",
     "no href"},
    {"li:first-child::attr(data-id)", 1,
     "1",
     "1"},
    {"li:last-child::attr(data-id)", 1,
     "6",
     "6"},
    {"div.box span:only-child::text", 1,
     "only child",
     "only child"},
    {"ol li:only-of-type::text", 1,
     "one",
     "one"},
    {"div.box span:first-of-type::text", 2,
     "only child",
     "s1"},
    {"div.box span:last-of-type::text", 2,
     "only child",
     "s3"},
    {"li:nth-child(even)::attr(data-id)", 3,
     "2",
     "6"},
    {"li:nth-child(-n+3)::attr(data-id)", 3,
     "1",
     "3"},
    {"li:nth-child(3n-1)::attr(data-id)", 2,
     "2",
     "5"},
    {"ul li:not(.odd) a::attr(href)", 2,
     "b.html",
     "#frag"},
    {"h1 + div::attr(id)", 1,
     "main",
     "main"},
    {"h1 ~ div::attr(id)", 2,
     "main",
     "footer"},
    {"*::attr(data-id)", 6,
     "1",
     "6"},
    {"#main > p.lead > a::text", 1,
     "link",
     "link"},
    {"input[type=checkbox][checked]::attr(name)", 1,
     "c",
     "c"},
    {"option[selected]::attr(value)", 1,
     "2",
     "2"},
    {"li *::text", 8,
     "Alpha",
     "one"},
    {"p.note::text", 1,
     "Third <escaped> \"quoted\" été ☺  &copy2023 &bogus; end",
     "Third <escaped> \"quoted\" été ☺  &copy2023 &bogus; end"},
    {"*:empty", 9,
     "<meta charset=\"utf-8\">",
     "<area href=\"/area\" alt=\"area\">"},
    {"table tr:nth-child(n+2) td:first-child::text", 3,
     "apples",
     "plums"},
    {"textarea::text", 1,
     "  line one\nline two  ",
     "  line one\nline two  "},
};

Test(css, more_translations_match_parsel)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(more_translations); i++) {
        char *out = NULL;
        size_t pos = 0;
        char msg[200];
        int rc = kumo__css_to_xpath(more_translations[i].css, &out, &pos, msg, sizeof(msg));
        cr_expect_eq(rc, KUMO_OK, "'%s': %s", more_translations[i].css, msg);
        if (rc == KUMO_OK)
            cr_expect_str_eq(out, more_translations[i].xpath, "css '%s'",
                             more_translations[i].css);
        kumo_free(out);
    }
}

static kumo_response *fixture_response(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "tests/data/select/%s", name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open '%s' (run from the repository root)", path);
    char *body = kumo_alloc(65536, KUMO_T_BYTES, KUMO_V_BODY);
    size_t n = fread(body, 1, 65535, f);
    fclose(f);
    body[n] = '\0';
    int err;
    kumo_request *req = kumo_request_new("http://example.com/", NULL, &err);
    kumo_headers *h = kumo__headers_new();
    kumo_headers_add(h, "Content-Type", "text/html; charset=utf-8");
    kumo_response *res = kumo__response_new(req, "http://example.com/", 200, h, body, n);
    kumo_request_unref(req);
    return res;
}

Test(css, selectors_match_what_parsel_matches_on_a_fixture)
{
    kumo_response *res = fixture_response("selectors.html");
    for (size_t i = 0; i < KUMO_ARRAY_LEN(fixture_matches); i++) {
        kumo_selector_list *l = kumo_css(res, fixture_matches[i].css);
        size_t n = kumo_list_len(l);
        cr_expect_eq(n, fixture_matches[i].n, "'%s': %zu matches", fixture_matches[i].css, n);
        if (n && n == fixture_matches[i].n) {
            cr_expect_str_eq(kumo_sel_get(kumo_list_at(l, 0)), fixture_matches[i].first, "'%s'",
                             fixture_matches[i].css);
            cr_expect_str_eq(kumo_sel_get(kumo_list_at(l, n - 1)), fixture_matches[i].last,
                             "'%s'", fixture_matches[i].css);
        }
    }
    kumo_response_unref(res);
}

Test(css, translations_match_parsel)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(translations); i++) {
        char *out = NULL;
        size_t pos = 0;
        char msg[200];
        int rc = kumo__css_to_xpath(translations[i].css, &out, &pos, msg, sizeof(msg));
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
        int rc = kumo__css_to_xpath(invalid[i].css, &out, &pos, msg, sizeof(msg));
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
    kumo__css_to_xpath("a[", &out, &pos, msg, sizeof(msg));
    cr_expect(strstr(msg, "Expected ident or '*'") != NULL, "%s", msg);
    kumo__css_to_xpath("p:bogus", &out, &pos, msg, sizeof(msg));
    cr_expect(strstr(msg, "pseudo-class :bogus is unknown") != NULL, "%s", msg);
    kumo__css_to_xpath("a::foo", &out, &pos, msg, sizeof(msg));
    cr_expect(strstr(msg, "pseudo-element ::foo is unknown") != NULL, "%s", msg);
    kumo__css_to_xpath("a::text b", &out, &pos, msg, sizeof(msg));
    cr_expect(strstr(msg, "not at the end of a selector") != NULL, "%s", msg);
    /* A NULL or short message buffer is fine. */
    cr_expect_eq(kumo__css_to_xpath("a[", &out, &pos, NULL, 0), KUMO_ESYNTAX);
    cr_expect_eq(kumo__css_to_xpath("a[", &out, NULL, msg, 4), KUMO_ESYNTAX);
    cr_expect_eq(strlen(msg), 3);
}

Test(css, queries_are_translated_and_compiled_once)
{
    size_t before = kumo__query_cached();
    const kumo_query *q1 = kumo__query_get("div.quote span.text::text", true);
    cr_assert_not_null(q1->comp);
    cr_assert_str_eq(q1->xpath, "descendant-or-self::div[@class and contains(concat(' ', "
                                "normalize-space(@class), ' '), ' quote ')]/descendant-or-self"
                                "::*/span[@class and contains(concat(' ', normalize-space("
                                "@class), ' '), ' text ')]/text()");
    const kumo_query *q2 = kumo__query_get("div.quote span.text::text", true);
    cr_expect_eq(q1, q2, "same cached entry");
    cr_expect_eq(kumo__query_cached(), before + 1);
    /* The same string as XPath is another entry. */
    const kumo_query *x = kumo__query_get("//a/@href", false);
    cr_expect_neq(x, q1);
    cr_expect_not_null(x->comp);
    cr_expect_str_eq(x->xpath, "//a/@href");
    cr_expect_eq(kumo__query_cached(), before + 2);
    cr_expect_eq(kumo__query_get("//a/@href", false), x);
}

Test(css, invalid_queries_are_cached_with_their_error)
{
    const kumo_query *c = kumo__query_get("a[", true);
    cr_expect_null(c->comp);
    cr_expect_null(c->xpath);
    cr_expect_not_null(c->error);
    const kumo_query *x = kumo__query_get("//a[", false);
    cr_expect_null(x->comp);
    cr_expect_not_null(x->error);
    cr_expect_eq(kumo__query_get("//a[", false), x);
}

Test(css, cache_is_bounded_and_cleanup_frees_it)
{
    xmlInitParser();
    kumo__query_get("warm", false);
    kumo__select_cleanup();
    uint64_t count0, bytes0;
    kumo_heap_totals(&count0, &bytes0);
    char q[64];
    for (int i = 0; i < 3000; i++) {
        snprintf(q, sizeof(q), "li.item-%d > a::attr(href)", i);
        cr_assert_not_null(kumo__query_get(q, true)->comp);
        cr_assert_leq(kumo__query_cached(), 1024);
    }
    kumo__select_cleanup();
    cr_expect_eq(kumo__query_cached(), 0);
    uint64_t count1, bytes1;
    kumo_heap_totals(&count1, &bytes1);
    cr_expect_eq(count1, count0, "no block left by the cache");
    cr_expect_eq(bytes1, bytes0);
}
