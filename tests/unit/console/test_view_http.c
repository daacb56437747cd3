/* test_view_http.c - views of requests, responses, selectors and items, and their classes. */
#include "ctest.h"
#include "http/request.h"

TestSuite(view_http, CTEST_SUITE);

Test(view_http, requests_and_their_class)
{
    kumo_repl *r = kumo__repl_new(NULL);
    int err;
    kumo_request *rq = kumo_request_new("http://example.com/a", NULL, &err);
    cr_assert_eq(kumo__repl_bind_ref(r, "rq", &rq->ref), KUMO_OK);
    kumo_request_unref(rq);
    cr_assert_str_eq(run(r, "rq"), "<GET http://example.com/a>\n");
    cr_assert_str_eq(run(r, "rq.url, rq.method"), "('http://example.com/a', 'GET')\n");
    cr_assert_str_eq(run(r, "isinstance(rq, Request), type(rq) is Request"), "(True, True)\n");
    cr_assert_str_eq(run(r, "rq.nope"),
                     "AttributeError: 'Request' object has no attribute 'nope'\n");
    cr_assert_str_eq(run(r, "SelectorList"),
                     "<class 'scrapy.selector.unified.SelectorList'>\n");
    kumo__repl_free(r);
}
