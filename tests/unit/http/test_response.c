/* test_response.c - the Response object: its class from Content-Type and url, accessors
 * reading through to its request, repr, flags, follow. */
#include "unit/middleware/mwtest.h"

TestSuite(response, KUMO_LEAKCHECK);

static void cb_a(kumo_response *res, kumo_out *out)
{
    (void)res, (void)out;
}

static const char *class_name(const char *ct, const char *url)
{
    return kumo__response_class_for(ct, url)->name;
}

Test(response, class_from_content_type)
{
    const char *u = "http://example.com/x";
    cr_assert_str_eq(class_name("text/html", u), "HtmlResponse");
    cr_assert_str_eq(class_name("TEXT/HTML; charset=utf-8", u), "HtmlResponse");
    cr_assert_str_eq(class_name("  application/xhtml+xml", u), "HtmlResponse");
    cr_assert_str_eq(class_name("application/rss+xml", u), "XmlResponse");
    cr_assert_str_eq(class_name("text/xml;charset=latin-1", u), "XmlResponse");
    cr_assert_str_eq(class_name("application/json", u), "TextResponse");
    cr_assert_str_eq(class_name("text/plain", u), "TextResponse");
    cr_assert_str_eq(class_name("text/csv", u), "TextResponse");
    cr_assert_str_eq(class_name("image/png", u), "Response");
    /* a type that only starts like a known one is not it */
    cr_assert_str_eq(class_name("text/htmlx", u), "TextResponse");
    cr_assert_str_eq(class_name("application/jsonx", u), "Response");
}

Test(response, class_from_url_without_a_useful_type)
{
    cr_assert_str_eq(class_name(NULL, "http://example.com/a.html"), "HtmlResponse");
    cr_assert_str_eq(class_name("", "http://example.com/feed.RSS?x=1"), "XmlResponse");
    cr_assert_str_eq(class_name("application/octet-stream", "http://example.com/r.txt#f"),
                     "TextResponse");
    cr_assert_str_eq(class_name(NULL, "http://example.com/data.json"), "TextResponse");
    cr_assert_str_eq(class_name(NULL, "http://example.com/pic.png"), "Response");
    cr_assert_str_eq(class_name(NULL, "http://example.com/"), "Response");
    cr_assert_str_eq(class_name(NULL, NULL), "Response");
    /* the type wins over the url when it names a class */
    cr_assert_str_eq(class_name("text/html", "http://example.com/a.xml"), "HtmlResponse");
}

Test(response, new_takes_its_class_and_reads_through_to_the_request)
{
    kumo_request *req = mwt_req("http://example.com/page#frag");
    kumo_map_set(kumo_request_meta(req), "depth", kumo_val_int(2));
    kumo_map_set(kumo_request_cb_kwargs(req), "k", kumo_val_str("v"));
    kumo_response *res = mwt_res(req, 404, KUMO_LIST("Content-Type: application/xml"),
                                 "<a/>");
    kumo_request_unref(req);        /* the response holds its own reference */
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(Request)), 1);
    cr_assert_eq(kumo_response_class(res), &KUMO_CLASS(XmlResponse));
    cr_assert(kumo__response_is_text(res));
    cr_assert_eq(kumo_response_status(res), 404);
    size_t len;
    cr_assert_str_eq(kumo_response_body(res, &len), "<a/>");
    cr_assert_eq(len, 4);
    cr_assert_str_eq(kumo_headers_get(kumo_response_headers(res), "content-type"),
                     "application/xml");
    cr_assert_eq(kumo_response_request(res), req);
    cr_assert_eq(kumo_response_depth(res), 2);
    cr_assert_eq(kumo_response_meta(res), kumo_request_meta(req));
    cr_assert_str_eq(kumo_map_get_str(kumo_response_cb_kwargs(res), "k", NULL), "v");
    kumo_response_unref(res);
    cr_assert_eq(kumo_ref_total(), 0);
}

Test(response, without_request_or_body)
{
    kumo_response *res = kumo__response_new(NULL, "http://example.com/x.png", 200, NULL, NULL,
                                           0);
    cr_assert_eq(kumo_response_class(res), &KUMO_CLASS(Response));
    cr_assert_not(kumo__response_is_text(res));
    size_t len = 99;
    cr_assert_str_eq(kumo_response_body(res, &len), "");
    cr_assert_eq(len, 0);
    cr_assert_null(kumo_response_request(res));
    cr_assert_null(kumo_response_meta(res));
    cr_assert_null(kumo_response_cb_kwargs(res));
    cr_assert_eq(kumo_response_depth(res), 0);
    cr_assert_eq(kumo_headers_count(kumo_response_headers(res)), 0);
    kumo_response_unref(res);
}

Test(response, refcount_repr_and_flags)
{
    kumo_request *req = mwt_req("https://a.test/");
    kumo_response *res = mwt_res(req, 200, KUMO_LIST("Content-Type: text/html"), "<p>x</p>");
    kumo_request_unref(req);
    char out[64];
    kumo_ref_repr(&res->ref, out, sizeof(out));
    cr_assert_str_eq(out, "<200 https://a.test/>");
    cr_assert_str_eq(kumo__response_flags_str(res), "");
    res->flags |= KUMO_RESPONSE_CACHED;
    cr_assert_str_eq(kumo__response_flags_str(res), " ['cached']");
    cr_assert_eq(kumo_response_ref(res), res);
    kumo_response_unref(res);
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(HtmlResponse)), 1);
    kumo_response_unref(res);
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(HtmlResponse)), 0);
    kumo_response_unref(NULL);
}

Test(response, val_response_holds_a_reference)
{
    kumo_request *req = mwt_req("https://a.test/");
    kumo_response *res = mwt_res(req, 200, NULL, "");
    kumo_request *next = mwt_req("https://a.test/next");
    kumo_map_set(kumo_request_meta(next), "referer", kumo_val_response(res));
    kumo_response_unref(res);
    kumo_request_unref(req);
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(Response)), 1, "meta lost its reference");
    kumo_request_unref(next);
    cr_assert_eq(kumo_ref_total(), 0);
}

Test(response, follow_resolves_and_skips_unfetchable)
{
    kumo_request *req = mwt_req("http://example.com/dir/page.html");
    /* a charset in the header: no <meta> sniffing (its pattern is compiled once per process
     * and would count as a leak here) */
    kumo_response *res = mwt_res(req, 200, KUMO_LIST("Content-Type: text/html; charset=utf-8"),
                                 "<html><body><a href='next.html'>n</a></body></html>");
    kumo_request_unref(req);
    kumo__log_set_level(KUMO_LOG_CRITICAL);      /* the DEBUG lines of skipped links */
    kumo_request *n = kumo_response_follow(res, "next.html?a=b c", cb_a);
    cr_assert_not_null(n);
    cr_assert_str_eq(kumo_request_url(n), "http://example.com/dir/next.html?a=b%20c");
    cr_assert_eq(n->cb, cb_a);
    kumo_request_unref(n);
    n = kumo_response_follow(res, "/root#top", NULL);
    cr_assert_str_eq(kumo_request_url(n), "http://example.com/root#top");
    kumo_request_unref(n);
    cr_assert_null(kumo_response_follow(res, "mailto:a@example.com", cb_a));
    cr_assert_null(kumo_response_follow(res, "javascript:void(0)", cb_a));
    cr_assert_null(kumo_response_follow(res, "", cb_a));
    kumo_response_unref(res);
}
