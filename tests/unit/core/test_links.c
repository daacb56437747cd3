/* test_links.c - response urljoin (with and without <base href>), follow's link filter and
 * follow options. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "core/out.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/response.h"
#include "select/doc.h"
#include "select/pool.h"
#include "lib/leakcheck.h"
#include <unistd.h>

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

TestSuite(links, .init = setup, .fini = teardown);

static kumo_response *response_for(const char *url, const char *ct, const char *body)
{
    int err;
    kumo_request *req = kumo_request_new(url, NULL, &err);
    cr_assert_not_null(req, "request for %s", url);
    kumo_headers *h = kumo__headers_new();
    kumo_headers_add(h, "Content-Type", ct);
    size_t len = strlen(body);
    char *b = kumo_alloc(len + 1, KUMO_T_BYTES, KUMO_V_BODY);
    memcpy(b, body, len);
    kumo_response *res = kumo__response_new(req, url, 200, h, b, len);
    kumo_request_unref(req);
    return res;
}

static kumo_response *load(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "tests/data/select/%s", name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open '%s' (run from the repository root)", path);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return response_for("http://quotes.example/page/1/?x=1#top", "text/html", buf);
}

static void cb(kumo_response *res, kumo_out *out)
{
    (void)res;
    (void)out;
}

/* Scrapy 2.8's response.urljoin() on the same pages. */
static const struct {
    const char *page, *href, *want;
} joins[] = {
    {"quotes.html", "/page/2/", "http://quotes.example/page/2/"},
    {"quotes.html", "page.html", "http://quotes.example/page/1/page.html"},
    {"quotes.html", "../up", "http://quotes.example/page/up"},
    {"quotes.html", "?q=2", "http://quotes.example/page/1/?q=2"},
    {"quotes.html", "#frag", "http://quotes.example/page/1/?x=1#frag"},
    {"quotes.html", "//other.example/x", "http://other.example/x"},
    {"quotes.html", "https://abs.example/a", "https://abs.example/a"},
    {"base.html", "/page/2/", "http://quotes.example/page/2/"},
    {"base.html", "page.html", "http://quotes.example/sub/dir/page.html"},
    {"base.html", "../up", "http://quotes.example/sub/up"},
    {"base.html", "?q=2", "http://quotes.example/sub/dir/?q=2"},
    {"base.html", "#frag", "http://quotes.example/sub/dir/#frag"},
    {"base.html", "//other.example/x", "http://other.example/x"},
    {"base.html", "https://abs.example/a", "https://abs.example/a"},
};

Test(links, urljoin_with_and_without_base_href)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(joins); i++) {
        kumo_response *res = load(joins[i].page);
        char *u = kumo_response_urljoin(res, joins[i].href);
        cr_expect_str_eq(u ? u : "(null)", joins[i].want, "%s: %s", joins[i].page,
                         joins[i].href);
        kumo_free(u);
        cr_expect(res->base_done);
        kumo_response_unref(res);
    }
}

Test(links, base_is_found_once_and_first_wins)
{
    kumo_response *res = load("base.html");
    cr_expect_eq(kumo_list_len(kumo_css(res, "a")), 2);
    char *u = kumo_response_urljoin(res, "x");
    cr_expect_str_eq(u, "http://quotes.example/sub/dir/x");
    cr_expect_str_eq(res->base_url, "http://quotes.example/sub/dir/");
    kumo_free(u);
    kumo_response_unref(res);

    /* No text: the response url is the base. */
    res = response_for("http://a.example/dir/p", "application/octet-stream",
                       "<base href='/z/'>");
    u = kumo_response_urljoin(res, "q");
    cr_expect_str_eq(u, "http://a.example/dir/q");
    cr_expect_null(res->doc);
    kumo_free(u);
    cr_expect_null(kumo_response_urljoin(res, NULL));
    kumo_response_unref(res);
}

/* Scrapy 2.8's HtmlResponse("http://a.example/p/q", body=...).urljoin("y") on each page:
 * w3lib's get_base_url(response.text[0:4096]), a regex over the text, not the tree. */
static const struct {
    const char *name, *head, *want;
    size_t pad;                 /* characters of U+00E9 in a <title> before head */
} bases[] = {
    {"quoted in head", "<base href='/sub/dir/'>", "http://a.example/sub/dir/y", 0},
    {"unquoted", "<base href=/z/>", "http://a.example/p/y", 0},
    {"after 4,096 characters", "<base href='/late/'>", "http://a.example/p/y", 4100},
    {"4,000 characters of 2 bytes before", "<base href='/wide/'>", "http://a.example/wide/y",
     4000},
    {"in a comment", "<!-- <base href='/c/'> -->", "http://a.example/p/y", 0},
    {"in an unclosed comment", "<!-- <base href='/c/'>", "http://a.example/p/y", 0},
    {"in a script's string", "<script>var s = \"<base href='/s/'>\";</script>",
     "http://a.example/s/y", 0},
    {"spaces and case", "<BASE HREF = \" http://b.example/d/ \" >", "http://b.example/d/y", 0},
    {"the first of two", "<base href='/one/'><base href='/two/'>", "http://a.example/one/y", 0},
    {"a space inside the href", "<base href='/a b/'>", "http://a.example/p/y", 0},
    {"another attribute first", "<base target=_blank href=\"/t/\">", "http://a.example/t/y",
     0},
    {"in the body", "</head><body><p>x</p><base href='http://b.example/d/'>",
     "http://b.example/d/y", 0},
    {"a long s (U+017F)", "<ba\xc5\xbf" "e href='/longs/'>", "http://a.example/longs/y", 0},
    {"mixed quotes", "<base href='/m/\">", "http://a.example/m/y", 0},
    {"two hrefs: the last", "<base href='/h1/' data-href=\"/h2/\">", "http://a.example/h2/y",
     0},
};

Test(links, base_is_w3libs_regex_over_the_first_4096_characters)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bases); i++) {
        kumo_buf b;
        kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
        kumo__buf_adds(&b, "<html><head>");
        if (bases[i].pad) {
            kumo__buf_adds(&b, "<title>");
            for (size_t k = 0; k < bases[i].pad; k++)
                kumo__buf_adds(&b, "\xc3\xa9");
            kumo__buf_adds(&b, "</title>");
        }
        kumo__buf_adds(&b, bases[i].head);
        kumo__buf_adds(&b, "</head><body><a href=y>y</a></body></html>");
        kumo_response *res = response_for("http://a.example/p/q", "text/html; charset=utf-8",
                                          kumo__buf_str(&b));
        char *u = kumo_response_urljoin(res, "y");
        cr_expect_str_eq(u, bases[i].want, "%s", bases[i].name);
        cr_expect(!res->doc || !kumo__doc_parsed(res->doc), "%s: no parse for the base",
                  bases[i].name);
        kumo_free(u);
        kumo_response_unref(res);
        kumo__buf_release(&b);
    }
}

Test(links, follow_builds_requests_for_http_links)
{
    kumo_response *res = load("quotes.html");
    kumo_selector_list *hrefs = kumo_css(res, "li.next a::attr(href)");
    kumo_request *req = kumo_response_follow(res, kumo_list_get(hrefs, NULL), cb);
    cr_assert_not_null(req);
    cr_expect_str_eq(kumo_request_url(req), "http://quotes.example/page/2/");
    cr_expect_eq(req->cb, cb);
    cr_expect_str_eq(kumo_request_method(req), "GET");
    kumo_request_unref(req);

    req = kumo_response_follow(res, "  /page/3/  ", NULL);
    cr_assert_not_null(req);
    cr_expect_str_eq(kumo_request_url(req), "http://quotes.example/page/3/");
    cr_expect_null(req->cb);
    kumo_request_unref(req);

    req = kumo_response_follow(res, "HTTPS://Up.example/x", cb);
    cr_assert_not_null(req);
    kumo_request_unref(req);
    kumo_response_unref(res);
}

Test(links, follow_skips_links_it_cannot_fetch)
{
    char path[] = "/tmp/kumo-links-log-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(kumo__log_set_file(path), KUMO_OK);

    static const char *const skipped[] = {
        "mailto:me@example.com", "javascript:void(0)", "tel:+123", "data:text/plain,hi",
        "ftp://example.com/f", "file:///etc/passwd", "JavaScript:alert(1)", " mailto:x@y",
        "", "   ",
    };
    kumo_response *res = load("quotes.html");
    for (size_t i = 0; i < KUMO_ARRAY_LEN(skipped); i++)
        cr_expect_null(kumo_response_follow(res, skipped[i], cb), "'%s'", skipped[i]);
    cr_expect_null(kumo_response_follow(res, NULL, cb));
    /* Every link of the fixture's list: only the fetchable ones make requests. */
    kumo_selector_list *links = kumo_css(res, "ul.links a::attr(href)");
    size_t made = 0;
    for (size_t i = 0; i < kumo_list_len(links); i++) {
        kumo_request *req = kumo_response_follow(res, kumo_sel_get(kumo_list_at(links, i)), cb);
        if (req)
            made++;
        kumo_request_unref(req);
    }
    cr_expect_eq(made, 2, "/page/3/ and //other.example/x");
    kumo_response_unref(res);
    kumo__log_set_file(NULL);

    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    char line[1024];
    size_t mailto = 0, js = 0, debug = 0;
    while (fgets(line, sizeof(line), f)) {
        if (strstr(line, "DEBUG: Ignoring link with scheme mailto: mailto:me@example.com"))
            mailto++;
        if (strstr(line, "DEBUG: Ignoring link with scheme javascript: javascript:void(0)"))
            js++;
        if (strstr(line, "[kumo.selector] DEBUG: Ignoring"))
            debug++;
    }
    fclose(f);
    unlink(path);
    cr_expect_eq(mailto, 2);
    cr_expect_eq(js, 2);
    cr_expect_eq(debug, KUMO_ARRAY_LEN(skipped) + 6);
}

Test(links, follow_yields_into_the_callback_output)
{
    kumo_response *res = load("quotes.html");
    kumo_out out;
    kumo__out_init(&out, NULL);
    kumo__log_set_file("/dev/null");
    kumo_follow(&out, res, "/page/2/", cb);
    kumo_follow(&out, res, "mailto:me@example.com", cb);
    kumo_follow(&out, res, "", cb);
    kumo_follow(&out, res, "tag/x", NULL);
    kumo__log_set_file(NULL);
    cr_assert_eq(out.len, 2);
    cr_expect_str_eq(kumo_request_url(out.v[0].u.req), "http://quotes.example/page/2/");
    cr_expect_eq(out.v[0].u.req->cb, cb);
    cr_expect_str_eq(kumo_request_url(out.v[1].u.req), "http://quotes.example/page/1/tag/x");
    kumo__out_release(&out);
    kumo_response_unref(res);
}

static int follow_debug;

static void count_debug(void *ctx, kumo_loglevel level)
{
    (void)ctx;
    if (level == KUMO_LOG_DEBUG)
        follow_debug++;
}

Test(links, follow_all_takes_a_elements_and_attribute_values)
{
    static const char page[] =
        "<html><body><a href=\"/a\">a</a> <a href=\" b.html \">b</a> <a>none</a>"
        "<a href=\"//cdn.example/c\">c</a><a href=\"#frag\">f</a><a href=\"?q=1\">q</a>"
        "<a href=\"mailto:x@example.com\">m</a><a href=\"javascript:void(0)\">j</a>"
        "<a href=\"tel:+1\">t</a><a href=\"data:text/plain,x\">d</a><a href=\"\">e</a>"
        "<link rel=\"next\" href=\"/next\"><div href=\"/div\">div</div></body></html>";
    kumo_response *res = response_for("http://example.com/dir/p.html?x=1", "text/html", page);
    static const char *const want[] = {
        "http://example.com/a", "http://example.com/dir/b.html", "http://cdn.example/c",
        "http://example.com/dir/p.html?x=1#frag", "http://example.com/dir/p.html?q=1",
    };
    kumo_out out;
    kumo__out_init(&out, NULL);
    kumo__log_set_level(KUMO_LOG_DEBUG);
    kumo__log_set_file("/dev/null");
    follow_debug = 0;
    kumo__log_set_hook(count_debug, NULL);
    cr_expect_eq(kumo_follow_all(&out, res, "a", cb), KUMO_ARRAY_LEN(want));
    /* <a> without href, 4 schemes, the empty href: one DEBUG line each. */
    cr_expect_eq(follow_debug, 6);
    cr_assert_eq(out.len, KUMO_ARRAY_LEN(want));
    for (size_t i = 0; i < KUMO_ARRAY_LEN(want); i++) {
        cr_expect_str_eq(kumo_request_url(out.v[i].u.req), want[i]);
        cr_expect_eq(out.v[i].u.req->cb, cb);
    }
    kumo__out_release(&out);
    kumo__out_init(&out, NULL);
    /* Attribute results, an xpath, <link>, and elements that are not links. */
    cr_expect_eq(kumo_follow_all(&out, res, "a::attr(href)", NULL), KUMO_ARRAY_LEN(want));
    cr_expect_eq(kumo_follow_all_xpath(&out, res, "//link | //div", NULL), 1);
    cr_expect_str_eq(kumo_request_url(out.v[out.len - 1].u.req), "http://example.com/next");
    cr_expect_eq(kumo_follow_all(&out, res, "a[", NULL), 0);
    cr_expect_eq(kumo_follow_list(&out, res, NULL, NULL), 0);
    cr_expect_eq(kumo_follow_all(&out, NULL, "a", NULL), 0);
    kumo__log_set_hook(NULL, NULL);
    kumo__log_set_file(NULL);
    kumo__log_set_level(KUMO_LOG_INFO);
    kumo__out_release(&out);
    kumo_response_unref(res);
}

Test(links, urljoin_of_empty_keeps_the_fragment)
{
    kumo_response *res = response_for("http://example.com/a/b?x=1#top", "text/html", "<p>x</p>");
    char *u = kumo_response_urljoin(res, "");
    cr_expect_str_eq(u, "http://example.com/a/b?x=1#top");
    kumo_free(u);
    u = kumo_response_urljoin(res, "#f");
    cr_expect_str_eq(u, "http://example.com/a/b?x=1#f");
    kumo_free(u);
    u = kumo_response_urljoin(res, "//other.example/y");
    cr_expect_str_eq(u, "http://other.example/y");
    kumo_free(u);
    kumo_response_unref(res);
}

static void eb(kumo_failure *f, kumo_out *out)
{
    (void)f;
    (void)out;
}

/* Scrapy's follow_all(css=..., meta=m, cb_kwargs=k, errback=eb, priority=5, dont_filter=True):
 * every request carries them, each with its own copy of meta and cb_kwargs. */
Test(links, follow_all_with_passes_scrapys_kwargs_to_every_request)
{
    static const char page[] = "<p><a href=\"/a\">a</a><a href=\"/b\">b</a><a>none</a></p>";
    kumo_response *res = response_for("http://example.com/dir/p.html", "text/html", page);
    kumo_map meta, kw;
    kumo_map_init(&meta, KUMO_T_DICT, KUMO_V_META);
    kumo_map_init(&kw, KUMO_T_DICT, KUMO_V_DICT);
    kumo_map_set(&meta, "page", kumo_val_int(1));
    kumo_map_set(&meta, "from", kumo_val_response(res));
    kumo_map_set(&kw, "section", kumo_val_str("docs"));
    kumo_follow_opts o = {
        .meta = &meta, .cb_kwargs = &kw, .errback = eb, .priority = 5, .dont_filter = 1,
    };
    kumo_out out;
    kumo__out_init(&out, NULL);
    kumo__log_set_file("/dev/null");
    cr_expect_eq(kumo_follow_all_with(&out, res, "a", cb, &o), 2);
    cr_expect_eq(kumo_follow_all_xpath_with(&out, res, "//a/@href", NULL, &o), 2);
    cr_expect_eq(kumo_follow_list_with(&out, res, kumo_css(res, "a"), cb, NULL), 2);
    kumo_follow_with(&out, res, "c", cb, &o);
    kumo_follow_with(&out, res, "d", cb, NULL);
    kumo_yield_request(&out, kumo_response_follow_with(res, "e", cb, &o));
    kumo__log_set_file(NULL);
    cr_assert_eq(out.len, 9);
    /* The caller's maps are copied, not taken: changing them changes no request. */
    kumo_map_set(&meta, "page", kumo_val_int(2));
    kumo_map_release(&meta);
    kumo_map_release(&kw);
    for (size_t i = 0; i < out.len; i++) {
        kumo_request *req = out.v[i].u.req;
        bool with = i < 4 || i == 6 || i == 8;
        cr_expect_eq(req->cb, i >= 2 && i < 4 ? NULL : cb, "request %zu", i);
        cr_expect_eq(kumo_request_priority(req), with ? 5 : 0, "request %zu", i);
        cr_expect_eq(req->dont_filter, with, "request %zu", i);
        cr_expect_eq(kumo__request_errback(req), with ? eb : NULL, "request %zu", i);
        kumo_map *m = kumo_request_meta(req);
        kumo_map *k = kumo_request_cb_kwargs(req);
        cr_expect_eq(kumo_map_get_int(m, "page", 0), with ? 1 : 0, "request %zu", i);
        cr_expect_str_eq(kumo_map_get_str(k, "section", "-"), with ? "docs" : "-");
        kumo_value *from = kumo_map_get(m, "from");
        cr_expect_eq(from != NULL, with);
        if (from)
            cr_expect_eq(from->u.obj, &res->ref);
    }
    /* Each request has its own meta. */
    kumo_map_set(kumo_request_meta(out.v[0].u.req), "page", kumo_val_int(7));
    cr_expect_eq(kumo_map_get_int(kumo_request_meta(out.v[1].u.req), "page", 0), 1);
    cr_expect_str_eq(kumo_request_url(out.v[0].u.req), "http://example.com/a");
    cr_expect_str_eq(kumo_request_url(out.v[8].u.req), "http://example.com/dir/e");
    kumo__out_release(&out);
    kumo_response_unref(res);
}
