/* test_selector.c - CSS and XPath queries on responses, selectors and lists (parsel's results). */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "http/headers.h"
#include "http/response.h"
#include "select/css.h"
#include "core/response_doc.h"
#include "select/pool.h"
#include "util/buf.h"
#include "lib/leakcheck.h"
#include <unistd.h>

#define FIXTURES "tests/data/select/"

static void setup(void)
{
    kumo_leakcheck_start();
    cr_assert_eq(kumo__global_init(), KUMO_OK);
}

static void teardown(void)
{
    kumo__pool_drain(0);
    kumo_leakcheck_end();
}

TestSuite(selector, .init = setup, .fini = teardown);

/* A response for url with body (len bytes) and Content-Type ct (NULL: none). */
static kumo_response *response_with(const char *url, const char *ct, const char *body, size_t len)
{
    int err;
    kumo_request *req = kumo_request_new(url, NULL, &err);
    cr_assert_not_null(req, "request for %s", url);
    kumo_headers *h = kumo__headers_new();
    if (ct)
        kumo_headers_add(h, "Content-Type", ct);
    char *b = kumo_alloc(len + 1, KUMO_T_BYTES, KUMO_V_BODY);
    memcpy(b, body, len);
    kumo_response *res = kumo__response_new(req, url, 200, h, b, len);
    kumo_request_unref(req);
    return res;
}

static kumo_response *html_response(const char *body)
{
    return response_with("http://quotes.example/page/1/", "text/html; charset=utf-8", body,
                         strlen(body));
}

static kumo_response *fixture(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), FIXTURES "%s", name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open '%s' (run from the repository root)", path);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    return response_with("http://quotes.example/page/1/", "text/html", buf, n);
}

enum { CSS, XPATH };

/* Generated with parsel 1.7 on tests/data/select/quotes.html: .getall() (first 6 shown). */
static const struct {
    int kind;
    const char *query;
    size_t n;
    const char *want[6];
} matches[] = {
    {CSS, "div.quote span.text::text", 3,
     {"“The world as we have created it is a process of our thinking.”",
      "“It is our choices, Harry, that show what we truly are.”",
      "“A day without sunshine is like, you know, night.” & more é"}},
    {CSS, "small.author::text", 3,
     {"Albert Einstein",
      "J.K. Rowling",
      "Steve Martin"}},
    {CSS, ".tag::attr(href)", 3,
     {"/tag/change/page/1/",
      "/tag/deep-thoughts/page/1/",
      "/tag/abilities/page/1/"}},
    {CSS, "li.next a::attr(href)", 1,
     {"/page/2/"}},
    {CSS, "h1 a", 1,
     {"<a href=\"/\" style=\"text-decoration: none\">Quotes to Scrape</a>"}},
    {CSS, "title::text", 1,
     {"Quotes to Scrape"}},
    {CSS, "div.quote:nth-child(3) .author::text", 1,
     {"J.K. Rowling"}},
    {CSS, ".tags::text", 7,
     {"\n      Tags:\n      ",
      "\n      ",
      "\n    ",
      "\n      Tags:\n      ",
      "\n    ",
      "\n      Tags:\n      "}},
    {CSS, "div.tags a.tag + a::text", 1,
     {"deep-thoughts"}},
    {CSS, ".pager ~ ul li:first-child a::text", 1,
     {"mail"}},
    {CSS, "a[href^=\"/tag/\"]::text", 3,
     {"change",
      "deep-thoughts",
      "abilities"}},
    {CSS, "a[href$=\"/1/\"]::attr(href)", 3,
     {"/tag/change/page/1/",
      "/tag/deep-thoughts/page/1/",
      "/tag/abilities/page/1/"}},
    {CSS, "span[itemprop=text]::text", 3,
     {"“The world as we have created it is a process of our thinking.”",
      "“It is our choices, Harry, that show what we truly are.”",
      "“A day without sunshine is like, you know, night.” & more é"}},
    {CSS, "#top", 1,
     {"<h1 id=\"top\"><a href=\"/\" style=\"text-decoration: none\">Quotes to Scrape</a></h1>"}},
    {CSS, "#top::text", 0,
     {}},
    {CSS, "#top *::text", 1,
     {"Quotes to Scrape"}},
    {CSS, "li.next a", 1,
     {"<a href=\"/page/2/\">Next <span aria-hidden=\"true\">→</span></a>"}},
    {CSS, "li.next a ::text", 2,
     {"Next ",
      "→"}},
    {CSS, "input", 1,
     {"<input type=\"checkbox\" disabled>"}},
    {CSS, "h1 ::attr(href)", 1,
     {"/"}},
    {CSS, "nosuch", 0,
     {}},
    {CSS, "div.quote > span:not(.text) > a::text", 3,
     {"(about)",
      "(about)",
      "(about)"}},
    {CSS, ".quote.odd .author::text", 1,
     {"J.K. Rowling"}},
    {XPATH, "//div[@class=\"quote\"]/span[@class=\"text\"]/text()", 2,
     {"“The world as we have created it is a process of our thinking.”",
      "“A day without sunshine is like, you know, night.” & more é"}},
    {XPATH, "count(//div[contains(@class,\"quote\")])", 1,
     {"3.0"}},
    {XPATH, "count(//a) div 2", 1,
     {"8.0"}},
    {XPATH, "//a[@class=\"tag\"]/@href", 3,
     {"/tag/change/page/1/",
      "/tag/deep-thoughts/page/1/",
      "/tag/abilities/page/1/"}},
    {XPATH, "string(//title)", 1,
     {"Quotes to Scrape"}},
    {XPATH, "boolean(//nav)", 1,
     {"1"}},
    {XPATH, "boolean(//table)", 1,
     {"0"}},
    {XPATH, "//comment()", 1,
     {"<!-- no tags -->"}},
    {XPATH, "//h1/a/@style", 1,
     {"text-decoration: none"}},
    {XPATH, "sum(//nosuch)", 1,
     {"0.0"}},
    {XPATH, "normalize-space(//span[@class=\"text\"])", 1,
     {"“The world as we have created it is a process of our thinking.”"}},
    {XPATH, "//small[@class=\"author\"][2]/text()", 0,
     {}},
    {XPATH, "body/div/h1/a/text()", 1,
     {"Quotes to Scrape"}},
    {XPATH, "/html/head/title", 1,
     {"<title>Quotes to Scrape</title>"}},
    {XPATH, "//li[last()]/input/@disabled", 1,
     {"disabled"}},
    {XPATH, "(//a)[last()]/@href", 1,
     {"//other.example/x?q=1#frag"}},
    {XPATH, "//span[@aria-hidden]/text()", 1,
     {"→"}},
    {XPATH, "name(/*)", 1,
     {"html"}},
    {XPATH, "//div[@class=\"tags\"][3]/text()", 0,
     {}},
    {XPATH, "//a[@class=\"tag\"]/@href | //h1/a/@href", 4,
     {"/",
      "/tag/change/page/1/",
      "/tag/deep-thoughts/page/1/",
      "/tag/abilities/page/1/"}},
    {XPATH, "1 div 3", 1,
     {"0.3333333333333333"}},
    {XPATH, "0.00001", 1,
     {"1e-05"}},
    {XPATH, "10000000000000000", 1,
     {"1e+16"}},
};

Test(selector, css_and_xpath_match_parsel_on_fixture)
{
    kumo_response *res = fixture("quotes.html");
    for (size_t i = 0; i < KUMO_ARRAY_LEN(matches); i++) {
        const char *q = matches[i].query;
        kumo_selector_list *l = matches[i].kind == CSS ? kumo_css(res, q) : kumo_xpath(res, q);
        cr_assert_not_null(l, "%s", q);
        cr_expect_eq(kumo_list_len(l), matches[i].n, "'%s': %zu results", q, kumo_list_len(l));
        for (size_t j = 0; j < matches[i].n && j < 6 && j < kumo_list_len(l); j++)
            cr_expect_str_eq(kumo_sel_get(kumo_list_at(l, j)), matches[i].want[j], "'%s'[%zu]",
                             q, j);
        cr_expect_null(kumo_list_at(l, kumo_list_len(l)));
    }
    kumo_response_unref(res);
}

Test(selector, get_default_and_attrib)
{
    kumo_response *res = fixture("quotes.html");
    kumo_selector_list *l = kumo_css(res, "a.tag");
    cr_assert_eq(kumo_list_len(l), 3);
    cr_expect_str_eq(kumo_list_get(l, NULL),
                     "<a class=\"tag\" href=\"/tag/change/page/1/\">change</a>");
    cr_expect_str_eq(kumo_list_attr(l, "href"), "/tag/change/page/1/");
    cr_expect_str_eq(kumo_sel_attr(kumo_list_at(l, 2), "href"), "/tag/abilities/page/1/");
    cr_expect_null(kumo_list_attr(l, "nosuch"));
    cr_expect_str_eq(kumo_list_attr(kumo_css(res, "input"), "disabled"), "disabled");

    kumo_selector_list *none = kumo_css(res, "table td");
    cr_expect_eq(kumo_list_len(none), 0);
    cr_expect_str_eq(kumo_list_get(none, "n/a"), "n/a");
    cr_expect_null(kumo_list_get(none, NULL));
    cr_expect_null(kumo_list_attr(none, "href"));
    cr_expect_null(kumo_list_at(none, 0));

    /* A text or attribute result has no attributes and nothing under it. */
    kumo_selector *t = kumo_list_at(kumo_css(res, "title::text"), 0);
    cr_expect_null(kumo_sel_attr(t, "href"));
    cr_expect_eq(kumo_list_len(kumo_sel_css(t, "*")), 0);
    kumo_selector *a = kumo_list_at(kumo_css(res, "h1 a::attr(href)"), 0);
    cr_expect_str_eq(kumo_sel_get(a), "/");
    cr_expect_eq(kumo_list_len(kumo_sel_xpath(a, ".")), 0);
    kumo_response_unref(res);
}

Test(selector, nested_selectors_and_lists)
{
    kumo_response *res = fixture("quotes.html");
    static const char *const authors[] = {"Albert Einstein", "J.K. Rowling", "Steve Martin"};
    static const size_t ntags[] = {2, 1, 0};
    kumo_selector_list *quotes = kumo_css(res, "div.quote");
    cr_assert_eq(kumo_list_len(quotes), 3);
    for (size_t i = 0; i < 3; i++) {
        kumo_selector *q = kumo_list_at(quotes, i);
        cr_expect_str_eq(kumo_list_get(kumo_sel_css(q, "small.author::text"), NULL), authors[i]);
        cr_expect_eq(kumo_list_len(kumo_sel_css(q, "div.tags a.tag::text")), ntags[i]);
        /* Relative XPath starts at the selector; // is still the whole document. */
        cr_expect_str_eq(kumo_list_get(kumo_sel_xpath(q, ".//small/text()"), NULL), authors[i]);
        cr_expect_eq(kumo_list_len(kumo_sel_xpath(q, "//small")), 3);
        cr_expect_str_eq(kumo_list_get(kumo_sel_xpath(q, "count(.//a)"), NULL),
                         i == 0 ? "3.0" : i == 1 ? "2.0" : "1.0");
        /* descendant-or-self:: includes the selector itself. */
        cr_expect_eq(kumo_list_len(kumo_sel_css(q, "div.quote")), 1);
    }
    /* A list's query runs on each member, results concatenated in order. */
    kumo_selector_list *tags = kumo_list_css(quotes, "a.tag::text");
    cr_expect_eq(kumo_list_len(tags), 3);
    cr_expect_str_eq(kumo_sel_get(kumo_list_at(tags, 1)), "deep-thoughts");
    kumo_selector_list *spans = kumo_list_xpath(quotes, "./span");
    cr_expect_eq(kumo_list_len(spans), 6);
    kumo_selector_list *texts = kumo_list_css(kumo_list_css(quotes, "span.text"), "::text");
    cr_expect_eq(kumo_list_len(texts), 3);
    kumo_response_unref(res);
}

Test(selector, text_whitespace_is_kept)
{
    kumo_response *res = html_response("<div>\n  <p>a <b>b</b> c</p>\n</div>");
    kumo_selector_list *l = kumo_css(res, "div::text");
    cr_assert_eq(kumo_list_len(l), 2);
    cr_expect_str_eq(kumo_sel_get(kumo_list_at(l, 0)), "\n  ");
    cr_expect_str_eq(kumo_sel_get(kumo_list_at(l, 1)), "\n");
    l = kumo_css(res, "p ::text");
    cr_assert_eq(kumo_list_len(l), 3);
    cr_expect_str_eq(kumo_sel_get(kumo_list_at(l, 0)), "a ");
    cr_expect_str_eq(kumo_sel_get(kumo_list_at(l, 1)), "b");
    cr_expect_str_eq(kumo_sel_get(kumo_list_at(l, 2)), " c");
    cr_expect_eq(kumo_list_len(kumo_css(res, "::text")), 5);
    kumo_response_unref(res);
}

Test(selector, xpath_values_are_formatted_as_parsel)
{
    static const struct {
        const char *xpath, *want;
    } cases[] = {
        {"count(//li)", "3.0"}, {"count(//nosuch)", "0.0"}, {"1 div 3", "0.3333333333333333"},
        {"1 div 0", "inf"},     {"-1 div 0", "-inf"},       {"0 div 0", "nan"},
        {"0.00001", "1e-05"},   {"0.0001", "0.0001"},       {"10000000000000000", "1e+16"},
        {"1234567890123456", "1234567890123456.0"},         {"-2.5", "-2.5"},
        {"1 = 1", "1"},         {"1 = 2", "0"},             {"string(//li[2])", "two"},
        {"concat('a', \"'\")", "a'"},                       {"''", ""},
    };
    kumo_response *res = html_response("<ul><li>one</li><li>two</li><li>3</li></ul>");
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_selector_list *l = kumo_xpath(res, cases[i].xpath);
        cr_assert_eq(kumo_list_len(l), 1, "%s", cases[i].xpath);
        cr_expect_str_eq(kumo_list_get(l, NULL), cases[i].want, "%s", cases[i].xpath);
    }
    kumo_response_unref(res);
}

/* Read the log file written since the test started. */
static size_t count_lines(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char line[1024];
    size_t n = 0;
    while (fgets(line, sizeof(line), f))
        if (strstr(line, needle))
            n++;
    fclose(f);
    return n;
}

Test(selector, invalid_query_gives_empty_list_and_one_error)
{
    char path[] = "/tmp/kumo-select-log-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(kumo__log_set_file(path), KUMO_OK);
    kumo_response *res = fixture("quotes.html");

    cr_expect_eq(kumo_list_len(kumo_css(res, "div[")), 0);
    cr_expect_eq(count_lines(path, "[kumo.selector] ERROR:"), 1);
    cr_expect_eq(count_lines(path, "'div['"), 1, "the line names the query");
    cr_expect_eq(kumo_list_len(kumo_xpath(res, "//div[")), 0);
    cr_expect_eq(count_lines(path, "[kumo.selector] ERROR:"), 2);
    /* Unknown function: an evaluation error, once for a whole list. */
    kumo_selector_list *quotes = kumo_css(res, "div.quote");
    cr_expect_eq(kumo_list_len(kumo_list_xpath(quotes, "nosuch(.)")), 0);
    cr_expect_eq(count_lines(path, "[kumo.selector] ERROR:"), 3);
    cr_expect_eq(kumo_list_len(kumo_list_css(quotes, "a::bogus")), 0);
    cr_expect_eq(count_lines(path, "[kumo.selector] ERROR:"), 4);
    cr_expect_eq(kumo_list_len(kumo_css(res, NULL)), 0);
    cr_expect_eq(count_lines(path, "[kumo.selector] ERROR:"), 5);
    /* And a good query still works afterwards. */
    cr_expect_eq(kumo_list_len(kumo_list_css(quotes, "span.text")), 3);

    kumo_response_unref(res);
    kumo__log_set_file(NULL);
    unlink(path);
}

Test(selector, document_parsed_once_and_outlives_response)
{
    kumo_response *res = fixture("quotes.html");
    kumo_selector_list *l = kumo_css(res, "small.author");
    kumo_doc *doc = res->doc;
    cr_assert_not_null(doc);
    kumo_xpath(res, "//a");
    kumo_css(res, "a");
    cr_expect_eq(res->doc, doc, "parsed once");
    int err;
    cr_expect_eq(kumo__doc_for(res, &err), doc);

    /* A reference keeps the list (and its document) past the pool and the response. */
    kumo_list_ref(l);
    kumo_selector *sel = kumo_sel_ref(kumo_list_at(l, 1));
    kumo__pool_drain(0);
    kumo_response_unref(res);
    cr_expect_eq(kumo_ref_count(&KUMO_CLASS(HtmlResponse)), 0);
    cr_expect_eq(kumo_ref_count(&KUMO_CLASS(SelectorList)), 1);
    cr_expect_str_eq(kumo_sel_get(sel), "<small class=\"author\" itemprop=\"author\">"
                                        "J.K. Rowling</small>");
    cr_expect_str_eq(kumo_list_get(kumo_sel_css(sel, "::text"), NULL), "J.K. Rowling");
    kumo_list_unref(l);
    cr_expect_str_eq(kumo_sel_attr(sel, "class"), "author");
    kumo_sel_unref(sel);
}

Test(selector, pool_marks_nest)
{
    kumo_response *res = fixture("quotes.html");
    size_t outer = kumo__pool_mark();
    kumo_css(res, "a");
    size_t inner = kumo__pool_mark();
    kumo_selector_list *l = kumo_css(res, "li");
    cr_expect_gt(kumo_ref_count(&KUMO_CLASS(Selector)), 0);
    kumo__pool_drain(inner);
    cr_expect_eq(kumo__pool_mark(), inner);
    (void)l;
    cr_expect_eq(kumo_ref_count(&KUMO_CLASS(SelectorList)), 1);
    kumo__pool_drain(outer);
    cr_expect_eq(kumo_ref_count(&KUMO_CLASS(SelectorList)), 0);
    cr_expect_eq(kumo_ref_count(&KUMO_CLASS(Selector)), 0);
    kumo_response_unref(res);
}

Test(selector, encodings)
{
    /* Content-Type charset wins. */
    const char latin1[] = "<p>caf\xe9</p>";
    kumo_response *res = response_with("http://x.example/", "text/html; charset=ISO-8859-1",
                                       latin1, strlen(latin1));
    cr_expect_str_eq(kumo_list_get(kumo_css(res, "p::text"), NULL), "caf\xc3\xa9");
    kumo_response_unref(res);
    /* Else <meta charset>. */
    const char meta[] = "<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\xe9</p>";
    res = response_with("http://x.example/", "text/html", meta, strlen(meta));
    cr_expect_str_eq(kumo_list_get(kumo_css(res, "p::text"), NULL), "caf\xc3\xa9");
    kumo_response_unref(res);
    /* Else UTF-8. */
    const char utf8[] = "<p>caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d</p>";
    res = response_with("http://x.example/", "text/html", utf8, strlen(utf8));
    cr_expect_str_eq(kumo_list_get(kumo_css(res, "p::text"), NULL),
                     "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d");
    cr_expect_str_eq(kumo_list_get(kumo_css(res, "p"), NULL),
                     "<p>caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d</p>");
    kumo_response_unref(res);
    /* An unknown charset falls back to detection. */
    res = response_with("http://x.example/", "text/html; charset=\"x-nonsense\"", utf8,
                        strlen(utf8));
    cr_expect_str_eq(kumo_list_get(kumo_css(res, "p::text"), NULL),
                     "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d");
    kumo_response_unref(res);
}

Test(selector, xml_responses)
{
    const char xml[] = "<?xml version=\"1.0\"?><rss><channel><item><title>A &amp; B</title>"
                       "<link>http://x.example/1</link></item><item><title>C</title></item>"
                       "</channel></rss>";
    kumo_response *res = response_with("http://x.example/feed", "application/rss+xml", xml,
                                       strlen(xml));
    cr_assert(kumo_class_is(res->ref.cls, &KUMO_CLASS(XmlResponse)));
    kumo_selector_list *titles = kumo_xpath(res, "//item/title/text()");
    cr_assert_eq(kumo_list_len(titles), 2);
    cr_expect_str_eq(kumo_sel_get(kumo_list_at(titles, 0)), "A & B");
    cr_expect_str_eq(kumo_list_get(kumo_css(res, "item link"), NULL),
                     "<link>http://x.example/1</link>");
    cr_expect_str_eq(kumo_list_get(kumo_xpath(res, "//item[1]/title"), NULL),
                     "<title>A &amp; B</title>");
    kumo_response_unref(res);
}

Test(selector, bodies_that_cannot_be_queried)
{
    /* Not a text response: empty list (and an ERROR line), no crash. */
    kumo_response *bin = response_with("http://x.example/img", "image/png", "\x89PNG", 4);
    kumo__log_set_file("/dev/null");
    cr_expect_eq(kumo_list_len(kumo_css(bin, "a")), 0);
    kumo__log_set_file(NULL);
    cr_expect_null(bin->doc);
    kumo_response_unref(bin);
    /* Empty and broken bodies parse to an empty document. */
    static const char *const bodies[] = {"", " ", "<", "</p>", "<html", "\0\0\0", "<a href='x"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bodies); i++) {
        kumo_response *res = html_response(bodies[i]);
        kumo_css(res, "a::attr(href)");
        kumo_xpath(res, "//text()");
        cr_expect_eq(kumo_list_len(kumo_xpath(res, "count(//nosuch)")), 1);
        kumo_response_unref(res);
    }
    kumo_response *empty = response_with("http://x.example/feed.xml", "text/xml", "", 0);
    cr_expect_eq(kumo_list_len(kumo_xpath(empty, "//a")), 0);
    kumo_response_unref(empty);
}

Test(selector, many_queries_reuse_translations)
{
    /* ~20 KB, 20 articles, ~80 queries a page: the cache holds a fixed set of queries. */
    kumo_buf page;
    kumo__buf_init(&page, 0, KUMO_T_BYTES, KUMO_V_BODY);
    kumo__buf_adds(&page, "<html><body>");
    for (int i = 0; i < 20; i++)
        kumo__buf_printf(&page, "<article class=\"post\"><h2><a href=\"/p/%d\">Post %d</a></h2>"
                               "<p class=\"meta\">by <span class=\"author\">A%d</span></p>"
                               "<div class=\"body\">%0800d</div><ul class=\"tags\"><li>t1</li>"
                               "<li>t2</li></ul></article>", i, i, i, i);
    kumo__buf_adds(&page, "<a class=\"next\" href=\"/page/2\">next</a></body></html>");
    cr_assert_gt(page.len, 18000);
    size_t cached = 0;
    for (int round = 0; round < 50; round++) {
        kumo_response *res = html_response(kumo__buf_str(&page));
        size_t mark = kumo__pool_mark();
        kumo_selector_list *posts = kumo_css(res, "article.post");
        cr_assert_eq(kumo_list_len(posts), 20);
        for (size_t i = 0; i < kumo_list_len(posts); i++) {
            kumo_selector *p = kumo_list_at(posts, i);
            cr_assert_not_null(kumo_list_get(kumo_sel_css(p, "h2 a::text"), NULL));
            cr_assert_not_null(kumo_list_get(kumo_sel_css(p, "h2 a::attr(href)"), NULL));
            cr_assert_not_null(kumo_list_get(kumo_sel_css(p, ".author::text"), NULL));
            cr_assert_eq(kumo_list_len(kumo_sel_xpath(p, ".//ul/li/text()")), 2);
        }
        cr_assert_str_eq(kumo_list_get(kumo_css(res, "a.next::attr(href)"), NULL), "/page/2");
        kumo__pool_drain(mark);
        kumo_response_unref(res);
        if (round == 0)
            cached = kumo__query_cached();
        cr_assert_eq(kumo__query_cached(), cached);
    }
    kumo__buf_release(&page);
}

/* ---- issue 4: re(), re_first(), slicing, aliases, attrib, XPath extras, follow_all ---- */

static char *joined(kumo_selector_list *l)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_TEXT);
    kumo__buf_adds(&b, "");
    for (size_t i = 0; i < kumo_list_len(l); i++) {
        if (i)
            kumo__buf_addc(&b, '|');
        kumo__buf_adds(&b, kumo_sel_get(kumo_list_at(l, i)));
    }
    return kumo__buf_detach(&b, NULL);
}

/* Generated with parsel 1.7 on tests/data/select/quotes.html. */
static const struct {
    const char *css, *pattern, *want;
} re_on_lists[] = {
    {".tag::attr(href)", "/tag/(\\w+)", "change|deep|abilities"},
    {".tag::attr(href)", "/tag/([\\w-]+)/page/(\\d)", "change|1|deep-thoughts|1|abilities|1"},
    {"small.author", "(?P<extract>[A-Z]\\.[A-Z]\\.)", "J.K."},
    {"span.text::text", "\\w+,", "choices,|Harry,|like,|know,"},
    {"li.next", "href=\"(.*?)\"", "/page/2/"},
    {"title", "<title>(.*)</title>", "Quotes to Scrape"},
    {"nosuch", "x", ""},
};

Test(selector, re_and_re_first)
{
    kumo_response *res = fixture("quotes.html");
    for (size_t i = 0; i < KUMO_ARRAY_LEN(re_on_lists); i++) {
        char *got = joined(kumo_list_re(kumo_css(res, re_on_lists[i].css), re_on_lists[i].pattern));
        cr_expect_str_eq(got, re_on_lists[i].want, "'%s' re('%s')", re_on_lists[i].css,
                         re_on_lists[i].pattern);
        kumo_free(got);
    }
    kumo_selector_list *tags = kumo_css(res, ".tag::attr(href)");
    cr_expect_str_eq(kumo_list_re_first(tags, "/tag/(\\w+)", NULL), "change");
    cr_expect_str_eq(kumo_list_re_first(tags, "zzz", "none"), "none");
    cr_expect_null(kumo_list_re_first(tags, "zzz", NULL));
    cr_expect_str_eq(kumo_sel_re_first(kumo_list_at(tags, 1), "[a-z]+-(\\w+)", NULL), "thoughts");
    char *got = joined(kumo_sel_re(kumo_list_at(tags, 2), "\\d"));
    cr_expect_str_eq(got, "1");
    kumo_free(got);
    /* Entities in markup are replaced, except &lt; and &amp;. */
    kumo_response *e = html_response("<p title=\"a&quot;b\">x &amp; y &lt; z &gt; &eacute;</p>");
    got = joined(kumo_list_re(kumo_css(e, "p"), "<p[^>]*>(.*)</p>"));
    cr_expect_str_eq(got, "x &amp; y &lt; z > é");
    kumo_free(got);
    /* An invalid pattern: one ERROR line, an empty list. */
    kumo__log_set_file("/dev/null");
    cr_expect_eq(kumo_list_len(kumo_list_re(tags, "(unclosed")), 0);
    cr_expect_str_eq(kumo_list_re_first(tags, "(unclosed", "d"), "d");
    kumo__log_set_file(NULL);
    kumo_response_unref(e);
    kumo_response_unref(res);
}

Test(selector, index_slice_getall_and_aliases)
{
    kumo_response *res = fixture("quotes.html");
    kumo_selector_list *a = kumo_css(res, "small.author::text");
    cr_assert_eq(kumo_list_len(a), 3);
    cr_expect_str_eq(kumo_sel_get(kumo_list_index(a, -1)), "Steve Martin");
    cr_expect_str_eq(kumo_sel_get(kumo_list_index(a, 0)), "Albert Einstein");
    cr_expect_null(kumo_list_index(a, 3));
    cr_expect_null(kumo_list_index(a, -4));
    static const struct {
        long start, stop;
        const char *want;
    } slices[] = {
        {0, KUMO_SLICE_END, "Albert Einstein|J.K. Rowling|Steve Martin"},
        {1, KUMO_SLICE_END, "J.K. Rowling|Steve Martin"},
        {0, 1, "Albert Einstein"},
        {-2, KUMO_SLICE_END, "J.K. Rowling|Steve Martin"},
        {0, -1, "Albert Einstein|J.K. Rowling"},
        {2, 1, ""},
        {5, 10, ""},
        {-10, 10, "Albert Einstein|J.K. Rowling|Steve Martin"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(slices); i++) {
        char *got = joined(kumo_list_slice(a, slices[i].start, slices[i].stop));
        cr_expect_str_eq(got, slices[i].want, "[%ld:%ld]", slices[i].start, slices[i].stop);
        kumo_free(got);
    }
    kumo_value all = kumo_list_getall(a);
    cr_assert_eq(all.type, KUMO_VAL_LIST);
    cr_assert_eq(all.u.list->len, 3);
    cr_expect_str_eq(all.u.list->v[1].u.str.s, "J.K. Rowling");
    kumo_val_clear(&all);
    kumo_value ex = kumo_list_extract(a);
    cr_expect_eq(ex.u.list->len, 3);
    kumo_val_clear(&ex);
    cr_expect_str_eq(kumo_list_extract_first(a, NULL), "Albert Einstein");
    cr_expect_str_eq(kumo_list_extract_first(kumo_css(res, "nosuch"), "d"), "d");
    cr_expect_str_eq(kumo_sel_extract(kumo_list_at(a, 2)), "Steve Martin");
    /* attrib, in document order. */
    kumo_selector *link = kumo_list_at(kumo_css(res, "h1 a"), 0);
    const char *name = NULL;
    cr_expect_str_eq(kumo_sel_attr_at(link, 0, &name), "/");
    cr_expect_str_eq(name, "href");
    cr_expect_str_eq(kumo_sel_attr_at(link, 1, &name), "text-decoration: none");
    cr_expect_str_eq(name, "style");
    cr_expect_null(kumo_sel_attr_at(link, 2, &name));
    cr_expect_null(kumo_sel_attr_at(kumo_list_at(a, 0), 0, &name));
    kumo_response_unref(res);
}

/* Generated with parsel 1.7 on tests/data/select/quotes.html: .getall() joined with '|'. */
static const struct {
    const char *xpath, *want;
} xpath_extras[] = {
    {"//div[has-class('quote')]/@class", "quote|quote odd|quote"},
    {"//div[has-class('quote', 'odd')]//small/text()", "J.K. Rowling"},
    {"//a[re:test(@href, '^/tag/[a-c]')]/text()", "change|abilities"},
    {"//a[re:test(@href, 'TAG', 'i')]/text()", "change|deep-thoughts|abilities"},
    {"re:match(//title, '(\\w+) to (\\w+)')",
     "<match>Quotes to Scrape</match>|<match>Quotes</match>|<match>Scrape</match>"},
    {"re:match(//title, '\\w+', 'g')", "<match>Quotes</match>|<match>to</match>|"
                                       "<match>Scrape</match>"},
    {"re:match(//title, 'zzz')", ""},
    {"re:replace(//title, 'o', 'g', '0')", "Qu0tes t0 Scrape"},
    {"re:replace(//title, '(\\w+) to (\\w+)', '', '\\2 from \\1')", "Scrape from Quotes"},
    {"count(//a[has-class('tag')])", "3.0"},
};

Test(selector, xpath_extras_as_parsel)
{
    kumo_response *res = fixture("quotes.html");
    for (size_t i = 0; i < KUMO_ARRAY_LEN(xpath_extras); i++) {
        char *got = joined(kumo_xpath(res, xpath_extras[i].xpath));
        cr_expect_str_eq(got, xpath_extras[i].want, "%s", xpath_extras[i].xpath);
        kumo_free(got);
    }
    /* Errors: parsel raises ValueError; kumo logs one ERROR and says why. */
    kumo__log_set_file("/dev/null");
    cr_expect_eq(kumo_list_len(kumo_xpath(res, "//a[has-class()]")), 0);
    cr_expect(strstr(kumo__select_error(), "has-class") != NULL, "%s", kumo__select_error());
    cr_expect_eq(kumo_list_len(kumo_xpath(res, "//a[re:test(., '(')]")), 0);
    cr_expect(strstr(kumo__select_error(), "missing closing parenthesis") != NULL, "%s",
              kumo__select_error());
    cr_expect_eq(kumo_list_len(kumo_xpath(res, "//a[has-class(1)]")), 0);
    kumo__log_set_file(NULL);
    cr_expect_eq(kumo_list_len(kumo_xpath(res, "//a")), 16);
    cr_expect_null(kumo__select_error());
    kumo_response_unref(res);
}

/* The node the LinkExtractor walks: elements and documents, not text, attributes, strings. */
Test(selector, sel_node_is_an_element_or_nothing)
{
    kumo_response *res = html_response("<p id='x'>a<b>b</b></p>");
    kumo_selector *el = kumo_list_at(kumo_css(res, "p"), 0);
    cr_assert_not_null(kumo__sel_node(el));
    cr_assert_str_eq((const char *)kumo__sel_node(el)->name, "p");
    cr_assert_not_null(kumo__sel_node(kumo_list_at(kumo_xpath(res, "/"), 0)));
    cr_assert_null(kumo__sel_node(kumo_list_at(kumo_css(res, "p::text"), 0)));
    cr_assert_null(kumo__sel_node(kumo_list_at(kumo_xpath(res, "//p/@id"), 0)));
    cr_assert_null(kumo__sel_node(kumo_list_at(kumo_xpath(res, "count(//p)"), 0)));
    cr_assert_null(kumo__sel_node(NULL));
    kumo__pool_drain(0);
    kumo_response_unref(res);
}

/* A selector is 64 bytes, whatever it holds: a node's markup and the attribute values it had
 * to copy hang apart, made on first use and freed with it. */
Test(selector, a_selector_is_64_bytes)
{
    kumo_response *res = html_response("<html><body><a href='/a'>A</a>"
                                       "<a href='/b&amp;c' title='t'>B</a></body></html>");
    kumo_selector_list *hrefs = kumo_css(res, "a::attr(href)");
    cr_assert_eq(kumo_list_len(hrefs), 2);
    for (size_t i = 0; i < kumo_list_len(hrefs); i++)
        cr_assert_leq(kumo_alloc_size(kumo_list_at(hrefs, i)), 64);
    cr_assert_str_eq(kumo_sel_get(kumo_list_at(hrefs, 1)), "/b&c");
    kumo_selector_list *as = kumo_css(res, "a");
    kumo_selector *a = kumo_list_at(as, 1);
    cr_assert_leq(kumo_alloc_size(a), 64);
    cr_assert_str_eq(kumo_sel_get(a), "<a href=\"/b&amp;c\" title=\"t\">B</a>");
    cr_assert_str_eq(kumo_sel_attr(a, "href"), "/b&c");
    cr_assert_str_eq(kumo_sel_attr(a, "title"), "t");
    cr_assert_str_eq(kumo_sel_get(a), "<a href=\"/b&amp;c\" title=\"t\">B</a>");
    kumo_response_unref(res);
}
