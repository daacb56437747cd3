/* test_linkextractor.c - LinkExtractor: Scrapy 2.8's links for the parity table saved by
 * scripts/linkextractor-diff.py (tests/data/linkextractor/expected.json), option checks,
 * process_links' helpers, responses that are not text. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "core/linkextractor.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/response.h"
#include "select/css.h"
#include "select/pool.h"
#include "select/regex.h"
#include "util/json.h"
#include "lib/lecases.h"
#include "lib/leakcheck.h"

static void setup(void)
{
    kumo_leakcheck_start();
    cr_assert_eq(kumo__global_init(), KUMO_OK);
}

static void teardown(void)
{
    kumo__pool_drain(0);
    kumo__regex_cleanup();
    kumo__select_cleanup();
    kumo_leakcheck_end();
}

TestSuite(linkextractor, .init = setup, .fini = teardown, .timeout = 60);

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open '%s' (run from the repository root)", path);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_BYTES, KUMO_V_BODY);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        kumo__buf_add(&b, chunk, n);
    fclose(f);
    kumo__buf_adds(&b, "");
    return kumo__buf_detach(&b, len);
}

static kumo_response *response_of(const char *url, const char *ct, char *body, size_t len)
{
    int err;
    kumo_request *req = kumo_request_new(url, NULL, &err);
    cr_assert_not_null(req, "request for %s", url);
    kumo_headers *h = kumo__headers_new();
    if (ct)
        kumo_headers_add(h, "Content-Type", ct);
    kumo_response *res = kumo__response_new(req, url, 200, h, body, len);
    kumo_request_unref(req);
    return res;
}

static kumo_response *page(const char *name, const char *url, const char *ct)
{
    char path[256];
    snprintf(path, sizeof(path), "tests/data/select/%s", name);
    size_t len;
    char *body = slurp(path, &len);
    return response_of(url, ct, body, len);
}

static kumo_response *html(const char *url, const char *body)
{
    return response_of(url, "text/html", kumo_strdup(body, KUMO_T_BYTES, KUMO_V_BODY),
                       strlen(body));
}

static const char *str_at(const kumo_value *l, size_t i)
{
    return l->u.list->v[i].u.str.s;
}

Test(linkextractor, scrapy_parity_table)
{
    size_t len;
    char *text = slurp("tests/data/linkextractor/expected.json", &len);
    kumo_value cases;
    char err[256];
    cr_assert_eq(kumo__json_parse(text, len, &cases, err, sizeof(err)), KUMO_OK, "%s", err);
    kumo_free(text);
    cr_assert_eq(cases.type, KUMO_VAL_LIST);
    cr_assert_gt(cases.u.list->len, 100, "the table has every page and option set");
    size_t nlinks = 0;
    for (size_t i = 0; i < cases.u.list->len; i++) {
        const kumo_value *c = &cases.u.list->v[i];
        const char *name = kumo__json_get(c, "page")->u.str.s;
        const kumo_value *opts = kumo__json_get(c, "opts");
        const kumo_value *want = kumo__json_get(c, "links");
        cr_assert_eq(want->type, KUMO_VAL_LIST, "case %zu: Scrapy raised", i);
        lecase_opts o;
        cr_assert_eq(lecase_opts_from_json(opts, &o, err, sizeof(err)), KUMO_OK, "%s", err);
        kumo_response *res = page(name, kumo__json_get(c, "url")->u.str.s,
                                  kumo__json_get(c, "ct")->u.str.s);
        kumo_links *got = kumo_extract_links(&o.le, res);
        kumo_buf opt;
        kumo__buf_init(&opt, 0, KUMO_T_STR, KUMO_V_NONE);
        kumo__json_value(&opt, opts);
        size_t n = want->u.list->len;
        cr_expect_eq(got->len, n, "%s %s: %zu links, Scrapy has %zu", name,
                     kumo__buf_str(&opt), got->len, n);
        for (size_t k = 0; k < n && k < got->len; k++) {
            const kumo_value *w = &want->u.list->v[k];
            const kumo_link *g = &got->v[k];
            cr_expect_str_eq(g->url, str_at(w, 0), "%s %s: link %zu", name,
                             kumo__buf_str(&opt), k);
            cr_expect_str_eq(g->text, str_at(w, 1), "%s %s: text of %s", name,
                             kumo__buf_str(&opt), g->url);
            cr_expect_str_eq(g->fragment, str_at(w, 2));
            cr_expect_eq(g->nofollow, w->u.list->v[3].u.b != 0, "%s %s: nofollow of %s",
                         name, kumo__buf_str(&opt), g->url);
        }
        nlinks += n;
        kumo__buf_release(&opt);
        kumo_links_free(got);
        kumo_response_unref(res);
        lecase_opts_release(&o);
        kumo__pool_drain(0);
    }
    cr_expect_gt(nlinks, 500, "the table compares links, not empty lists");
    kumo_val_clear(&cases);
}

Test(linkextractor, defaults_in_document_order)
{
    kumo_response *res = html("http://h.example/d/p.html",
                              "<p><a href='b'>B <i>one</i></a> <area href='/c' alt=x>"
                              "<a href='b'>B twice</a><a href='x.PNG'>img</a>"
                              "<a rel='nofollow' href='mailto:a@b'>m</a>"
                              "<a rel='x nofollow' href='n'>n</a><link href='/l'></p>");
    kumo_links *ls = kumo_extract_links(NULL, res);
    cr_assert_eq(ls->len, 3);
    cr_expect_str_eq(ls->v[0].url, "http://h.example/d/b");
    cr_expect_str_eq(ls->v[0].text, "B one");
    cr_expect_str_eq(ls->v[1].url, "http://h.example/c");
    cr_expect_str_eq(ls->v[1].text, "");
    cr_expect_str_eq(ls->v[2].url, "http://h.example/d/n");
    cr_expect(ls->v[2].nofollow);
    cr_expect(!ls->v[0].nofollow);
    kumo_links_free(ls);
    kumo_response_unref(res);
}

Test(linkextractor, domains_without_port_match_any_port)
{
    kumo_response *res = html("http://127.0.0.1:8080/",
                              "<a href='/a'>a</a><a href='http://x.127.0.0.1:9/b'>b</a>"
                              "<a href='http://other:8080/c'>c</a>"
                              "<a href='http://127.0.0.1:81/d'>d</a>");
    kumo_link_extractor le = {.allow_domains = KUMO_LIST("127.0.0.1")};
    kumo_links *ls = kumo_extract_links(&le, res);
    cr_assert_eq(ls->len, 3);
    cr_expect_str_eq(ls->v[0].url, "http://127.0.0.1:8080/a");
    cr_expect_str_eq(ls->v[2].url, "http://127.0.0.1:81/d");
    kumo_links_free(ls);
    kumo_link_extractor port = {.deny_domains = KUMO_LIST("127.0.0.1:8080")};
    ls = kumo_extract_links(&port, res);
    cr_assert_eq(ls->len, 3, "an entry with a port compares the netloc, as Scrapy");
    cr_expect_str_eq(ls->v[2].url, "http://127.0.0.1:81/d");
    kumo_links_free(ls);
    kumo_response_unref(res);
}

Test(linkextractor, check_names_the_option)
{
    char err[256] = "";
    kumo_link_extractor bad_re = {.allow = KUMO_LIST("ok", "a(b")};
    cr_expect_eq(kumo_link_extractor_check(&bad_re, err, sizeof(err)), KUMO_ESYNTAX);
    cr_expect(strstr(err, "LinkExtractor allow: bad pattern 'a(b'") != NULL, "%s", err);
    kumo_link_extractor bad_css = {.restrict_css = KUMO_LIST("div[")};
    cr_expect_eq(kumo_link_extractor_check(&bad_css, err, sizeof(err)), KUMO_ESYNTAX);
    cr_expect(strstr(err, "restrict_css: 'div[' is not a valid CSS selector") != NULL, "%s",
              err);
    kumo_link_extractor bad_xp = {.restrict_xpaths = KUMO_LIST("//a[")};
    cr_expect_eq(kumo_link_extractor_check(&bad_xp, err, sizeof(err)), KUMO_ESYNTAX);
    cr_expect(strstr(err, "restrict_xpaths: '//a[' is not a valid XPath") != NULL, "%s", err);
    kumo_link_extractor res_slot = {.reserved = {&err}};
    cr_expect_eq(kumo_link_extractor_check(&res_slot, err, sizeof(err)), KUMO_EINVAL);
    cr_expect_eq(kumo_link_extractor_check(NULL, NULL, 0), KUMO_OK);
    /* extraction with bad options: an empty list, never a crash */
    kumo_response *res = html("http://h.example/", "<a href='/a'>a</a>");
    kumo_links *ls = kumo_extract_links(&bad_re, res);
    cr_expect_eq(ls->len, 0);
    kumo_links_free(ls);
    kumo_response_unref(res);
}

Test(linkextractor, remove_and_set_url)
{
    kumo_response *res = html("http://h.example/", "<a href='/a'>a</a><a href='/b'>b</a>"
                                                   "<a href='/c'>c</a>");
    kumo_links *ls = kumo_extract_links(NULL, res);
    cr_assert_eq(ls->len, 3);
    kumo_links_remove(ls, 1);
    kumo_links_remove(ls, 7);
    kumo_links_set_url(ls, 1, "http://h.example/z");
    kumo_links_set_url(ls, 9, "http://h.example/y");
    cr_assert_eq(ls->len, 2);
    cr_expect_str_eq(ls->v[0].url, "http://h.example/a");
    cr_expect_str_eq(ls->v[1].url, "http://h.example/z");
    cr_expect_str_eq(ls->v[1].text, "c");
    kumo_links_free(ls);
    kumo_links_free(NULL);
    kumo_response_unref(res);
}

Test(linkextractor, not_text_and_restricted_to_text_nodes)
{
    kumo_headers *h = kumo__headers_new();
    kumo_headers_add(h, "Content-Type", "image/png");
    int err;
    kumo_request *req = kumo_request_new("http://h.example/x.png", NULL, &err);
    kumo_response *bin = kumo__response_new(req, "http://h.example/x.png", 200, h,
                                            kumo_strdup("<a href='/a'>", KUMO_T_BYTES,
                                                        KUMO_V_BODY), 13);
    kumo_request_unref(req);
    kumo_links *ls = kumo_extract_links(NULL, bin);
    cr_expect_eq(ls->len, 0, "a binary response has no links");
    kumo_links_free(ls);
    kumo_response_unref(bin);
    kumo_response *res = html("http://h.example/", "<div><a href='/a'>a</a></div>");
    kumo_link_extractor le = {.restrict_xpaths = KUMO_LIST("//a/text()", "//a/@href")};
    ls = kumo_extract_links(&le, res);
    cr_expect_eq(ls->len, 0, "text and attribute results hold no elements");
    kumo_links_free(ls);
    kumo_response_unref(res);
}

static bool keep_odd(const kumo_link *l, void *ctx)
{
    size_t *n = ctx;
    return (*n)++ % 2 == 1;
}

Test(linkextractor, string_sets_and_keep)
{
    kumo_strset set = {0};
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        cr_assert(kumo__strset_add(&set, kumo_strdup(key, KUMO_T_STR, KUMO_V_NONE)));
    }
    cr_assert_not(kumo__strset_add(&set, kumo_strdup("k7", KUMO_T_STR, KUMO_V_NONE)));
    cr_assert(kumo__strset_has(&set, "k999"));
    cr_assert_not(kumo__strset_has(&set, "k1000"));
    cr_assert_eq(set.n, 1000);
    kumo__strset_release(&set);
    cr_assert_not(kumo__strset_has(&set, "k1"));
    kumo_link a = {"http://h/a", "A", "", false}, b = {"http://h/a", "A", "", true};
    char *ka = kumo__link_key(&a), *kb = kumo__link_key(&b);
    cr_assert_str_neq(ka, kb, "nofollow is part of a Link's equality");
    kumo_free(ka);
    kumo_free(kb);
    kumo_response *res = html("http://h.example/", "<a href='/1'>1</a><a href='/2'>2</a>"
                                                   "<a href='/3'>3</a><a href='/4'>4</a>");
    kumo_links *ls = kumo_extract_links(NULL, res);
    size_t n = 0;
    kumo__links_keep(ls, keep_odd, &n);
    cr_assert_eq(ls->len, 2);
    cr_expect_str_eq(ls->v[0].url, "http://h.example/2");
    cr_expect_str_eq(ls->v[1].url, "http://h.example/4");
    kumo_links_free(ls);
    kumo_response_unref(res);
}
