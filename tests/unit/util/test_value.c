/* test_value.c - values and maps; an object value holds a reference (the seed's leak). */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "http/response.h"
#include "lib/leakcheck.h"

TestSuite(value, KUMO_LEAKCHECK);

Test(value, map_basics)
{
    kumo_map m;
    kumo_map_init(&m, KUMO_T_DICT, KUMO_V_META);
    kumo_map_set(&m, "depth", kumo_val_int(3));
    kumo_map_set(&m, "name", kumo_val_str("x"));
    kumo_map_set(&m, "depth", kumo_val_int(4));
    cr_assert_eq(m.len, 2);
    cr_assert_eq(kumo_map_get_int(&m, "depth", 0), 4);
    cr_assert_str_eq(kumo_map_get_str(&m, "name", NULL), "x");
    cr_assert_eq(kumo_map_get_int(&m, "name", 7), 7);
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, kumo_val_str("a"));
    kumo_val_list_push(&l, kumo_val_float(1.5));
    kumo_map_set(&m, "list", l);
    kumo_map c;
    kumo_map_init(&c, KUMO_T_DICT, KUMO_V_META);
    kumo_map_copy(&c, &m);
    cr_assert_eq(kumo_map_get(&c, "list")->u.list->len, 2);
    cr_assert(kumo_map_del(&m, "name"));
    cr_assert_not(kumo_map_del(&m, "name"));
    kumo_map_release(&m);
    kumo_map_release(&c);
}

/* A response stored in a request's meta lives as long as the request. */
Test(value, meta_object_keeps_the_response_alive)
{
    kumo_request *req = kumo_request_new("http://a.test/", NULL, NULL);
    kumo_headers *h = kumo__headers_new();
    kumo_headers_add(h, "Content-Type", "text/html; charset=utf-8");
    char *body = kumo_alloc(1, KUMO_T_BYTES, KUMO_V_BODY);
    kumo_response *res = kumo__response_new(req, "http://a.test/", 200, h, body, 0);
    kumo_request *next = kumo_request_new("http://a.test/next", NULL, NULL);
    kumo_map_set(kumo_request_meta(next), "referer", kumo_val_obj(&res->ref));
    kumo_response_unref(res);
    kumo_request_unref(req);
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(HtmlResponse)), 1);
    kumo_request_unref(next);
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(HtmlResponse)), 0);
    cr_assert_eq(kumo_ref_total(), 0);
}

Test(value, response_classes_follow_content_type)
{
    static const struct {
        const char *ct, *url, *cls;
    } cases[] = {
        {"text/html; charset=utf-8", "http://a/x", "HtmlResponse"},
        {"application/xhtml+xml", "http://a/x", "HtmlResponse"},
        {"text/xml", "http://a/x", "XmlResponse"},
        {"application/rss+xml", "http://a/x", "XmlResponse"},
        {"text/plain", "http://a/x", "TextResponse"},
        {"application/json", "http://a/x", "TextResponse"},
        {"image/png", "http://a/x.html", "Response"},
        {NULL, "http://a/x.html", "HtmlResponse"},
        {"application/octet-stream", "http://a/feed.xml", "XmlResponse"},
        {NULL, "http://a/x", "Response"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++)
        cr_assert_str_eq(kumo__response_class_for(cases[i].ct, cases[i].url)->name, cases[i].cls,
                         "%s %s", cases[i].ct, cases[i].url);
}
