/* test_view_links.c - LinkExtractor(...).extract_links(response) in the console, printed as
 * Scrapy's Link repr; its argument checks. */
#include "ctest.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/response.h"
#include "select/css.h"
#include "select/pool.h"
#include "select/regex.h"

static void teardown(void)
{
    kumo__pool_drain(0);
    kumo__regex_cleanup();
    kumo__select_cleanup();
    kumo_leakcheck_end();
}

TestSuite(view_links, .init = ctest_setup, .fini = teardown);

static kumo_response *response_of(const char *url, const char *ct, const char *body)
{
    int err;
    kumo_request *req = kumo_request_new(url, NULL, &err);
    kumo_headers *h = kumo__headers_new();
    kumo_headers_add(h, "Content-Type", ct);
    kumo_response *res = kumo__response_new(req, url, 200, h,
                                             kumo_strdup(body, KUMO_T_BYTES, KUMO_V_BODY),
                                             strlen(body));
    kumo_request_unref(req);
    return res;
}

static const char page[] =
    "<div class='toc'><a href='sql-select.html'>SELECT</a> <a href='intro.html'>Intro</a>"
    "<a rel='nofollow' href='sql-it&apos;s.html'>It's <b>it</b></a></div>"
    "<a href='sql-outside.html'>outside</a>";

static kumo_repl *with_response(const char *ct)
{
    kumo_repl *r = kumo__repl_new(NULL);
    kumo_response *res = response_of("http://docs.example/ref/index.html", ct, page);
    cr_assert_eq(kumo__repl_bind_ref(r, "response", &res->ref), KUMO_OK);
    kumo_response_unref(res);
    return r;
}

Test(view_links, extract_links_prints_scrapys_repr)
{
    kumo_repl *r = with_response("text/html");
    cr_assert_str_eq(run(r, "LinkExtractor(allow=r'sql-.*', restrict_css='div.toc')"
                            ".extract_links(response)"),
                     "[Link(url='http://docs.example/ref/sql-select.html', text='SELECT', "
                     "fragment='', nofollow=False), "
                     "Link(url=\"http://docs.example/ref/sql-it's.html\", text=\"It's it\", "
                     "fragment='', nofollow=True)]\n");
    cr_assert_str_eq(run(r, "from scrapy.linkextractors import LinkExtractor"), "");
    cr_assert_str_eq(run(r, "links = LinkExtractor(deny='sql', unique=False)"
                            ".extract_links(response)"), "");
    cr_assert_str_eq(run(r, "len(links), links[0].url, links[0].text, links[0].nofollow"),
                     "(1, 'http://docs.example/ref/intro.html', 'Intro', False)\n");
    cr_assert_str_eq(run(r, "links[0] == links[0], links[0].fragment"), "(True, '')\n");
    cr_assert_str_eq(run(r, "[l.url for l in LinkExtractor(tags=('a',), "
                            "restrict_xpaths=['//nothing']).extract_links(response)]"), "[]\n");
    kumo__repl_free(r);
}

Test(view_links, bad_arguments_are_one_line_errors)
{
    kumo_repl *r = with_response("text/html");
    cr_assert_str_eq(run(r, "LinkExtractor(allow='a(')"),
                     "ValueError: LinkExtractor allow: bad pattern 'a(': missing closing "
                     "parenthesis at position 2\n");
    cr_assert(strncmp(run(r, "LinkExtractor(restrict_css='div[')"),
                      "ValueError: LinkExtractor restrict_css: 'div[' is not a valid CSS", 63)
              == 0);
    cr_assert_str_eq(run(r, "LinkExtractor(tags=1)"),
                     "TypeError: LinkExtractor() argument 'tags' takes str or a list of str, "
                     "not int\n");
    cr_assert(strstr(run(r, "LinkExtractor(process_value=len)"), "TypeError: ") != NULL);
    cr_assert_str_eq(run(r, "LinkExtractor().extract_links(1)"),
                     "TypeError: extract_links() takes a response, not int\n");
    kumo__repl_free(r);
}

Test(view_links, binary_responses_are_not_text)
{
    kumo_repl *r = with_response("image/png");
    cr_assert_str_eq(run(r, "LinkExtractor().extract_links(response)"),
                     "NotSupported: Response content isn't text\n");
    kumo__repl_free(r);
}
