/* test_request.c - the Request object: construction and url encoding, accessors, meta and
 * cb_kwargs, copies, the fingerprint (fragment ignored), repr, packing for queues. */
#include "unit/middleware/mwtest.h"
#include "http/fingerprint.h"

TestSuite(request, KUMO_LEAKCHECK);

static void cb_a(kumo_response *res, kumo_out *out)
{
    (void)res, (void)out;
}

static void eb_a(kumo_failure *f, kumo_out *out)
{
    (void)f, (void)out;
}

static const char *fp_hex(kumo_request *req, char hex[41])
{
    kumo__fingerprint_hex(kumo__request_fingerprint(req), hex);
    return hex;
}

Test(request, new_is_a_get_with_safe_url_and_fragment)
{
    int err = -1;
    kumo_request *r = kumo_request_new("http://example.com/a b?q=\xc3\xa9#frag", cb_a, &err);
    cr_assert_not_null(r);
    cr_assert_eq(err, KUMO_OK);
    cr_assert_str_eq(kumo_request_url(r), "http://example.com/a%20b?q=%C3%A9#frag");
    cr_assert_str_eq(kumo_request_method(r), "GET");
    cr_assert_eq(kumo_request_priority(r), 0);
    cr_assert_eq(kumo_headers_count(kumo_request_headers(r)), 0);
    cr_assert_eq(kumo_request_meta(r)->len, 0);
    cr_assert_eq(kumo_request_cb_kwargs(r)->len, 0);
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(Request)), 1);
    kumo_request_unref(r);
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(Request)), 0);
}

Test(request, new_refuses_what_is_not_an_absolute_http_url)
{
    const char *bad[] = {"/relative/path", "example.com/x", "ftp://example.com/f",
                         "mailto:a@example.com", ""};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad); i++) {
        int err = KUMO_OK;
        cr_assert_null(kumo_request_new(bad[i], NULL, &err), "'%s' accepted", bad[i]);
        cr_assert_neq(err, KUMO_OK, "'%s'", bad[i]);
    }
    cr_assert_null(kumo_request_new(NULL, NULL, NULL));
    cr_assert_eq(kumo_ref_total(), 0);
}

Test(request, setters_and_refcount)
{
    kumo_request *r = mwt_req("https://example.com/");
    kumo_request_set_method(r, "post");
    cr_assert_str_eq(kumo_request_method(r), "POST");
    kumo_request_set_body(r, "a=1", 3);
    kumo_request_set_priority(r, -5);
    cr_assert_eq(kumo_request_priority(r), -5);
    kumo_request_set_dont_filter(r, 7);
    cr_assert(r->dont_filter);
    kumo_headers_add(kumo_request_headers(r), "Content-Type", "text/plain");
    /* "POST https://example.com/ HTTP/1.1\r\n..." as Scrapy's request_httprepr counts */
    size_t want = strlen("POST") + strlen("https://example.com/") + 12 +
                  strlen("Content-Type: text/plain\r\n") + 2 + 3;
    cr_assert_eq(kumo__request_bytes(r), want);
    cr_assert_eq(kumo_request_ref(r), r);
    kumo_request_unref(r);
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(Request)), 1, "freed with a reference left");
    kumo_request_unref(r);
    kumo_request_unref(NULL);
}

Test(request, meta_and_cb_kwargs_hold_values)
{
    kumo_request *r = mwt_req("http://example.com/");
    kumo_map_set(kumo_request_meta(r), "depth", kumo_val_int(3));
    kumo_map_set(kumo_request_cb_kwargs(r), "page", kumo_val_str("two"));
    cr_assert_eq(kumo_map_get_int(kumo_request_meta(r), "depth", -1), 3);
    cr_assert_str_eq(kumo_map_get_str(kumo_request_cb_kwargs(r), "page", NULL), "two");
    /* the two maps are distinct */
    cr_assert_null(kumo_map_get(kumo_request_meta(r), "page"));
    cr_assert_null(kumo_map_get(kumo_request_cb_kwargs(r), "depth"));
    kumo_request_unref(r);
}

Test(request, copy_keeps_everything_and_is_independent)
{
    kumo_request *r = mwt_req("http://example.com/p#x");
    kumo_request_set_method(r, "PUT");
    kumo_request_set_body(r, "body", 4);
    kumo_request_set_callback(r, cb_a);
    kumo_request_set_errback(r, eb_a);
    kumo_request_set_priority(r, 9);
    kumo_request_set_dont_filter(r, 1);
    kumo_headers_add(kumo_request_headers(r), "X-A", "1");
    kumo_map_set(kumo_request_meta(r), "depth", kumo_val_int(2));
    kumo_map_set(kumo_request_cb_kwargs(r), "k", kumo_val_str("v"));
    kumo__request_set_class(r, &KUMO_CLASS(FormRequest));

    kumo_request *c = kumo__request_copy(r);
    cr_assert_neq(c, r);
    cr_assert_str_eq(kumo_request_url(c), "http://example.com/p#x");
    cr_assert_str_eq(kumo_request_method(c), "PUT");
    size_t len;
    cr_assert_str_eq(kumo__request_body(c, &len), "body");
    cr_assert_eq(len, 4);
    cr_assert_eq(c->cb, cb_a);
    cr_assert_eq(kumo__request_errback(c), eb_a);
    cr_assert_eq(kumo_request_priority(c), 9);
    cr_assert(c->dont_filter);
    cr_assert_str_eq(kumo_headers_get(kumo_request_headers(c), "x-a"), "1");
    cr_assert_eq(kumo_map_get_int(kumo_request_meta(c), "depth", 0), 2);
    cr_assert_str_eq(kumo_map_get_str(kumo_request_cb_kwargs(c), "k", NULL), "v");
    cr_assert_eq(c->ref.cls, &KUMO_CLASS(FormRequest));
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(FormRequest)), 2);

    /* changing the copy leaves the original alone */
    kumo_map_set(kumo_request_meta(c), "depth", kumo_val_int(5));
    kumo_map_set(kumo_request_cb_kwargs(c), "k", kumo_val_str("w"));
    kumo_headers_set(kumo_request_headers(c), "X-A", "2");
    cr_assert_eq(kumo_map_get_int(kumo_request_meta(r), "depth", 0), 2);
    cr_assert_str_eq(kumo_map_get_str(kumo_request_cb_kwargs(r), "k", NULL), "v");
    cr_assert_str_eq(kumo_headers_get(kumo_request_headers(r), "X-A"), "1");
    kumo_request_unref(r);
    kumo_request_unref(c);
}

/* Scrapy's request.replace(url=...): a copy with a new url keeps cb_kwargs and meta. */
Test(request, replace_url_keeps_cb_kwargs)
{
    kumo_request *r = mwt_req("http://example.com/old");
    kumo_map_set(kumo_request_cb_kwargs(r), "n", kumo_val_int(42));
    kumo_map_set(kumo_request_meta(r), "m", kumo_val_bool(1));
    kumo_request *c = kumo__request_copy(r);
    kumo__request_set_url(c, "http://example.com/new path");
    cr_assert_str_eq(kumo_request_url(c), "http://example.com/new%20path");
    cr_assert_str_eq(kumo_request_url(r), "http://example.com/old");
    cr_assert_eq(kumo_map_get_int(kumo_request_cb_kwargs(c), "n", 0), 42);
    cr_assert_not_null(kumo_map_get(kumo_request_meta(c), "m"));
    kumo_request_unref(r);
    kumo_request_unref(c);
}

Test(request, fingerprint_ignores_fragment_not_method_or_body)
{
    char h1[41], h2[41], h3[41], h4[41];
    kumo_request *a = mwt_req("http://example.com/query?id=111&cat=222");
    kumo_request *b = mwt_req("http://example.com/query?cat=222&id=111#frag");
    /* Scrapy 2.8's fingerprint() of that url (tests/unit/http/test_fingerprint.c) */
    cr_assert_str_eq(fp_hex(a, h1), "129fb645fec157a8ec97b7f19af3a7888902e1d8");
    cr_assert_str_eq(fp_hex(b, h2), h1);

    kumo_request_set_method(b, "POST");
    cr_assert_str_neq(fp_hex(b, h3), h1, "method change kept the old fingerprint");
    kumo_request_set_body(b, "x", 1);
    cr_assert_str_neq(fp_hex(b, h4), h3, "body change kept the old fingerprint");
    kumo_request_set_method(b, "GET");
    kumo_request_set_body(b, NULL, 0);
    cr_assert_str_eq(fp_hex(b, h4), h1);
    kumo__request_set_url(b, "http://example.com/other");
    cr_assert_str_neq(fp_hex(b, h4), h1, "url change kept the old fingerprint");
    kumo_request_unref(a);
    kumo_request_unref(b);
}

Test(request, repr_is_scrapys)
{
    kumo_request *r = mwt_req("https://a.test/x?y=1");
    char out[128];
    size_t n = kumo_ref_repr(&r->ref, out, sizeof(out));
    cr_assert_str_eq(out, "<GET https://a.test/x?y=1>");
    cr_assert_eq(n, strlen(out));
    kumo_request_unref(r);
}

Test(request, pack_and_unpack_round_trip)
{
    kumo_request *r = mwt_req("http://example.com/p?q=1#f");
    kumo_request_set_method(r, "POST");
    kumo_request_set_body(r, "a\0b", 3);
    kumo_request_set_callback(r, cb_a);
    kumo_request_set_errback(r, eb_a);
    kumo_request_set_priority(r, -3);
    kumo_headers_add(kumo_request_headers(r), "X-H", "v");
    kumo_map_set(kumo_request_meta(r), "depth", kumo_val_int(4));
    kumo_map_set(kumo_request_meta(r), "custom", kumo_val_float(1.5));
    kumo_map_set(kumo_request_cb_kwargs(r), "name", kumo_val_str("caf\xc3\xa9"));
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    cr_assert_eq(kumo__request_pack(r, &b), KUMO_OK);
    kumo_request *u = kumo__request_unpack(b.s, b.len);
    cr_assert_not_null(u);
    cr_assert_str_eq(kumo_request_url(u), kumo_request_url(r));
    cr_assert_str_eq(kumo_request_method(u), "POST");
    size_t len;
    cr_assert(memcmp(kumo__request_body(u, &len), "a\0b", 3) == 0);
    cr_assert_eq(len, 3);
    cr_assert_eq(u->cb, cb_a);
    cr_assert_eq(kumo__request_errback(u), eb_a);
    cr_assert_eq(kumo_request_priority(u), -3);
    cr_assert_str_eq(kumo_headers_get(kumo_request_headers(u), "X-H"), "v");
    cr_assert_eq(kumo_map_get_int(kumo_request_meta(u), "depth", 0), 4);
    kumo_value *f = kumo_map_get(kumo_request_meta(u), "custom");
    cr_assert(f && f->type == KUMO_VAL_FLOAT && f->u.f == 1.5);
    cr_assert_str_eq(kumo_map_get_str(kumo_request_cb_kwargs(u), "name", NULL),
                     "caf\xc3\xa9");
    char h1[41], h2[41];
    cr_assert_str_eq(fp_hex(u, h1), fp_hex(r, h2));
    /* a truncated encoding is refused */
    cr_assert_null(kumo__request_unpack(b.s, b.len / 2));
    kumo__buf_release(&b);
    kumo_request_unref(u);
    kumo_request_unref(r);
}

Test(request, pack_refuses_objects_in_meta)
{
    kumo_request *r = mwt_req("http://example.com/");
    kumo_request *other = mwt_req("http://example.com/other");
    kumo_map_set(kumo_request_meta(r), "req", kumo_val_obj(&other->ref));
    kumo_request_unref(other);      /* the meta holds it now */
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__buf_add(&b, "keep", 4);
    cr_assert_eq(kumo__request_pack(r, &b), KUMO_EINVAL);
    cr_assert_eq(b.len, 4, "out changed on refusal");
    kumo_map_del(kumo_request_meta(r), "req");
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(Request)), 1);
    cr_assert_eq(kumo__request_pack(r, &b), KUMO_OK);
    cr_assert_gt(b.len, 4);
    kumo__buf_release(&b);
    kumo_request_unref(r);
}

/* A method is an RFC 9110 token or it is refused and the request keeps its method. */
Test(request, method_must_be_a_token)
{
    kumo_request *r = kumo_request_new("http://a.test/", NULL, NULL);
    cr_assert_eq(kumo_request_set_method(r, "m-search"), KUMO_OK);
    cr_assert_str_eq(r->method, "M-SEARCH");
    static const char *const bad[] = {"", "GET\r\nX-Evil: 1", "GE T", "GET\n", "G\x01",
                                      "P\xc3\xa9", "A(B)", "A:B"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad); i++) {
        cr_assert_eq(kumo_request_set_method(r, bad[i]), KUMO_EINVAL, "'%s'", bad[i]);
        cr_assert_str_eq(r->method, "M-SEARCH");
        cr_assert(!kumo__method_is_token(bad[i]));
    }
    cr_assert_eq(kumo_request_set_method(r, "x!#$%&'*+-.^_`|~9"), KUMO_OK);
    char q[64];
    kumo__method_quote("GET\r\nX \\", q, sizeof(q));
    cr_assert_str_eq(q, "GET\\x0D\\x0AX \\x5C");
    kumo__method_quote("ABCDEFGHIJ", q, 8);
    cr_assert_str_eq(q, "ABC");         /* room is kept for one \xHH */
    kumo_request_unref(r);
}

/* Live blocks of the tagged heap. */
static uint64_t heap_blocks(void)
{
    uint64_t n = 0;
    kumo_heap_totals(&n, NULL);
    return n;
}

/* A request costs what it holds: no padding, cb_kwargs, errback and body kept apart. */
Test(request, struct_is_packed)
{
    cr_assert_leq(sizeof(kumo_request), 144, "sizeof(kumo_request) = %zu", sizeof(kumo_request));
}

/* A bare request is two blocks, its struct and its url: no headers, method, cb_kwargs until
 * something sets them, and reading them allocates nothing. */
Test(request, bare_request_is_two_blocks)
{
    uint64_t n0 = heap_blocks();
    kumo_request *r = kumo_request_new("http://a.test/x?y=1", cb_a, NULL);
    cr_assert_eq(heap_blocks(), n0 + 2);
    cr_assert_eq(kumo_alloc_size(r), sizeof(kumo_request));
    cr_assert_null(kumo_request_header(r, "User-Agent"));
    cr_assert_eq(kumo_headers_count(r->headers), 0);
    cr_assert_null(kumo_headers_get(r->headers, "Accept"));
    kumo_request_set_header(r, "Cookie", NULL);     /* removing from none creates none */
    kumo_request_set_errback(r, NULL);
    cr_assert_eq(kumo__request_cb_kwargs(r)->len, 0);
    cr_assert_null(kumo__request_errback(r));
    cr_assert_str_eq(kumo_request_method(r), "GET");
    kumo__request_fingerprint(r);
    cr_assert_eq(kumo__request_bytes(r), strlen("GET") + strlen(r->url) + 14);
    cr_assert_eq(kumo_request_set_method(r, "post"), KUMO_OK);
    cr_assert_str_eq(kumo_request_method(r), "POST");
    cr_assert_eq(kumo_request_set_method(r, "Get"), KUMO_OK);
    cr_assert_eq(heap_blocks(), n0 + 2, "a read or a standard method allocated");
    kumo_request *c = kumo__request_copy(r);
    cr_assert_eq(heap_blocks(), n0 + 4, "a copy of a bare request is bare");
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_BYTES, KUMO_V_NONE);
    cr_assert_eq(kumo__request_pack(r, &b), KUMO_OK);
    uint64_t n1 = heap_blocks();
    kumo_request *u = kumo__request_unpack(b.s, b.len);
    cr_assert_not_null(u);
    cr_assert_eq(heap_blocks(), n1 + 2, "an unpacked bare request is bare");
    kumo__buf_release(&b);
    kumo_request_unref(u);
    kumo_request_unref(c);
    kumo_request_unref(r);
    cr_assert_eq(heap_blocks(), n0);
}

/* A request followed from a page is the same two blocks. */
Test(request, followed_request_is_two_blocks)
{
    kumo_request *page = mwt_req("http://a.test/dir/page.html");
    kumo_response *res = mwt_res(page, 200, (const char *const[]){"Content-Type: text/html",
                                                                   NULL},
                                 "<html><body><a href='x.html'>x</a></body></html>");
    kumo_request_unref(kumo_response_follow(res, "warm.html", cb_a));   /* the base, once */
    uint64_t n0 = heap_blocks();
    kumo_request *r = kumo_response_follow(res, "../other.html?q=1", cb_a);
    cr_assert_not_null(r);
    cr_assert_str_eq(kumo_request_url(r), "http://a.test/other.html?q=1");
    cr_assert_eq(heap_blocks(), n0 + 2);
    kumo_request_unref(r);
    kumo_response_unref(res);
    kumo_request_unref(page);
}

/* The first write creates the headers, cb_kwargs and errback; a custom method is a copy of
 * its own; each is freed with the request and copied with it. */
Test(request, what_is_set_is_allocated_copied_and_freed)
{
    kumo_request *r = kumo_request_new("http://a.test/", NULL, NULL);
    uint64_t n0 = heap_blocks();
    kumo_request_set_header(r, "X-A", "1");
    cr_assert_not_null(r->headers);
    cr_assert_str_eq(kumo_request_header(r, "x-a"), "1");
    cr_assert_eq(kumo_request_headers(r), r->headers);
    kumo_request_set_header(r, "X-A", NULL);
    cr_assert_null(kumo_request_header(r, "X-A"));
    cr_assert_eq(kumo_request_set_method(r, "m-search"), KUMO_OK);
    cr_assert(r->method_owned);
    cr_assert_gt(heap_blocks(), n0);
    kumo_request_set_errback(r, eb_a);
    kumo_map_set(kumo_request_cb_kwargs(r), "k", kumo_val_int(7));
    kumo_request *c = kumo__request_copy(r);
    cr_assert_str_eq(kumo_request_method(c), "M-SEARCH");
    cr_assert_neq(c->method, r->method);
    cr_assert_eq(kumo__request_errback(c), eb_a);
    cr_assert_eq(kumo_map_get_int(kumo__request_cb_kwargs(c), "k", 0), 7);
    cr_assert_eq(kumo_request_set_method(r, "GET"), KUMO_OK);
    cr_assert(!r->method_owned);
    kumo_request_set_errback(r, NULL);
    cr_assert_null(kumo__request_errback(r));
    kumo_request_unref(c);
    kumo_request_unref(r);
}
