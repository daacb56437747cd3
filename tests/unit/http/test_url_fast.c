/* test_url_fast.c - the fast url paths agree with libcurl's wherever they answer. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "http/url.h"

static const char *const bases[] = {
    "http://127.0.0.1:8080/p/7.html",
    "http://example.com/a/b/c?x=1#frag",
    "https://example.com/",
    "http://example.com/a/b/",
    "http://example.com:80/a%20b/c.html?q=%E6%97%A5",
    "http://h.test/a/./b/../c/d;p?q",
    "HTTP://Example.COM/a",
    "http://example.com",
    "http://ex_ample.com/x",
    "http://ex.c/5J#JP/../:J",                  /* a fragment with a '/' (fuzz_url) */
};

static const char *const hrefs[] = {
    "", "#", "#top", "?", "?q=1", "?q=1#f", "g", "./g", "g/", "/g", "//g", "../g", "../..",
    "../../../g", "..", ".", "./", "g?y", "g#s", "g?y#s", ";x", "g;x", "g;x?y#s", "/./g",
    "/../g", "g.", ".g", "g..", "..g", "./../g", "./g/.", "g/./h", "g/../h", "7.html",
    "../p/7.html", "/p/7.html#reviews", "/p/20.html?sort=price&view=grid",
    "http://127.0.0.1:8080/p/1.html", "http://other.test/a/../b", "https://x.test",
    "mailto:a@b.c", "javascript:void(0)", "a b", "é", "%41", "g%zz", "http:g", " g ",
    "g\tx", "/a/b/c/./../../g", "mid/content=5/../6", "g:h", "a?b?c", "a#b#c",
    "http://h2/..?", "http://h2/a/./b?", "http://h2/x#",       /* absolute, libcurl normalises */
};

Test(url_fast, agrees_with_curl)
{
    size_t handled = 0, total = 0;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bases); i++)
        for (size_t j = 0; j < KUMO_ARRAY_LEN(hrefs); j++) {
            total++;
            char *fast = kumo__url_fast_join(bases[i], hrefs[j]);
            if (!fast)
                continue;
            handled++;
            char *slow = kumo__url_join_curl(bases[i], hrefs[j]);
            cr_assert(slow, "curl could not join %s + %s (fast: %s)", bases[i], hrefs[j], fast);
            cr_expect_str_eq(fast, slow, "%s + '%s'", bases[i], hrefs[j]);
            kumo_free(fast);
            kumo_free(slow);
        }
    cr_assert_gt(handled, total / 3, "the fast path answers the common cases (%zu/%zu)",
                 handled, total);
}

Test(url_fast, common_links_take_the_fast_path)
{
    static const char *const ok[] = {"7.html", "../p/7.html", "/p/7.html#reviews", "?a=1",
                                     "#top", "", "http://127.0.0.1:8080/x"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(ok); i++) {
        char *u = kumo__url_fast_join("http://127.0.0.1:8080/p/1.html", ok[i]);
        cr_assert(u, "%s", ok[i]);
        kumo_free(u);
    }
}

Test(url_fast, split_check_and_host)
{
    kumo_url_parts p;
    cr_assert(kumo__url_fast_split("http://a.test:81/x?y#z", &p));
    cr_assert_eq(p.host_len, 6);
    cr_assert_eq(p.authority_len, 9);
    cr_assert_eq(p.path_len, 2);
    cr_assert_eq(p.query_len, 2);
    cr_assert_eq(p.frag_len, 2);
    cr_assert_not(kumo__url_fast_split("http://A.test/", &p));
    cr_assert_not(kumo__url_fast_split("ftp://a.test/", &p));
    cr_assert_not(kumo__url_fast_split("http://a.test/a b", &p));
    static const char *const urls[] = {"http://a.test/", "https://b.test:8443/x", "http://c/",
                                       "http://EX.test/", "http://[::1]:80/", "http://a.test"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(urls); i++) {
        char *h = kumo_url_host(urls[i]);
        cr_assert(h, "%s", urls[i]);
        cr_assert_eq(kumo__url_check(urls[i]), KUMO_OK, "%s", urls[i]);
        kumo_free(h);
    }
    cr_assert_eq(kumo__url_check("file:///etc/passwd"), KUMO_ESCHEME);
    cr_assert_eq(kumo__url_check("/relative"), KUMO_EURL);
}

Test(url_fast, empty_segment_in_base)
{
    /* found by tests/fuzz/fuzz_url.c: a base path starting with "//" merged as RFC 3986
     * says ("//.m"), where libcurl and Python's urljoin (Scrapy) give "/.m"; a base's bare
     * '?' kept where libcurl drops it */
    static const struct {
        const char *base, *href, *want;
    } cases[] = {
        {"http://examplemo.ac//b", ".m/0.000000?q", "http://examplemo.ac/.m/0.000000?q"},
        {"http://e.test//b", "x", "http://e.test/x"},
        {"http://e.test//b/c", "../y", "http://e.test/y"},
        {"http://e/ex.c/55z/b", ".//0./..//%Ac?q", "http://e/ex.c/55z//%Ac?q"},
        {"http://examel/bp.../..?q", "htpp", "http://examel/htpp"},
        {"http://8/880@/0q", "x", "http://0.0.0.8/880@/x"},
        {"http://127.1/a", "b", "http://127.0.0.1/b"},
        /* a port with a leading zero is written back without it */
        {"http://ep:08/", "@", "http://ep:8/@"},
        /* and a base with a bare '?' or '#' loses it, as libcurl does */
        {"http://e.test/c?", "", "http://e.test/c"},
        {"http://e.test/c#", "", "http://e.test/c"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        char *got = kumo__url_join(cases[i].base, cases[i].href);
        char *curl = kumo__url_join_curl(cases[i].base, cases[i].href);
        cr_assert_not_null(got);
        cr_expect_str_eq(curl, cases[i].want, "libcurl: %s + %s", cases[i].base, cases[i].href);
        cr_expect_str_eq(got, cases[i].want, "%s + %s", cases[i].base, cases[i].href);
        kumo_free(got);
        kumo_free(curl);
    }
}

/* found by tests/fuzz/fuzz_url.c: libcurl merged a relative path from a '/' inside the
 * base's fragment ("/p#x/y" + "../q" gave "/p#x/q"); the fragment plays no part, as in
 * urllib.parse.urljoin (Scrapy's), whose answers these are */
Test(url_fast, base_fragment_with_a_slash)
{
    static const struct {
        const char *base, *href, *want;
    } cases[] = {
        {"http://a/p#x/y", "../q", "http://a/q"},
        {"http://a/p#x/y", "q", "http://a/q"},
        {"http://a/b/c#/x/y/z", "./w", "http://a/b/w"},
        {"http://a/b/c#/x/y/z", "?k", "http://a/b/c?k"},
        {"http://a/b/c#/x/y/z", "#n", "http://a/b/c#n"},
        {"http://a/b/c?q#f/g", "..", "http://a/"},
        {"http://a/b/c#f/../../x", "z", "http://a/b/z"},
        {"http://a/b/c#f/g", "", "http://a/b/c"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        char *got = kumo__url_join(cases[i].base, cases[i].href);
        char *curl = kumo__url_join_curl(cases[i].base, cases[i].href);
        cr_expect_str_eq(curl, cases[i].want, "libcurl: %s + %s", cases[i].base, cases[i].href);
        cr_expect_str_eq(got, cases[i].want, "%s + %s", cases[i].base, cases[i].href);
        kumo_free(got);
        kumo_free(curl);
    }
}
