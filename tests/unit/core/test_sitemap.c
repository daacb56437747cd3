/* test_sitemap.c - sitemap parsing as Scrapy's Sitemap class, gunzip with a cap, and the
 * checks a spider's .sitemap passes at load. */
#include <criterion/criterion.h>
#include <zlib.h>
#include "kumo-int.h"
#include "core/sitemap.h"
#include "core/spider.h"
#include "lib/leakcheck.h"

TestSuite(sitemap, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

typedef struct seen {
    char locs[8][128];
    char extra[8][128];
    size_t n;
} seen;

static void collect(void *ctx, kumo_map *e)
{
    seen *s = ctx;
    cr_assert_lt(s->n, 8);
    snprintf(s->locs[s->n], sizeof(s->locs[0]), "%s", kumo_map_get_str(e, "loc", "?"));
    const kumo_value *alt = kumo_map_get(e, "alternate");
    if (alt)
        snprintf(s->extra[s->n], sizeof(s->extra[0]), "%zu:%s", alt->u.list->len,
                 alt->u.list->v[alt->u.list->len - 1].u.str.s);
    else
        snprintf(s->extra[s->n], sizeof(s->extra[0]), "%s", kumo_map_get_str(e, "lastmod", ""));
    s->n++;
}

Test(sitemap, urlset_entries_as_scrapy)
{
    static const char xml[] =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" "
        "xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">"
        "<url><loc> http://a/1 </loc><lastmod>2026-01-01</lastmod></url>"
        "<!-- c --><url><lastmod>x</lastmod></url>"          /* no loc: skipped */
        "<url><loc><![CDATA[http://a/2]]></loc><xhtml:link href=\"http://a/2de\"/>"
        "<xhtml:link rel=\"x\"/><xhtml:link href=\"http://a/2fr\"/></url>"
        "<url><loc>&e;http://a/3</loc></url>"               /* the entity is not resolved */
        "</urlset>";
    seen s = {0};
    char type[32];
    cr_assert_eq(kumo__sitemap_each(xml, sizeof(xml) - 1, collect, &s, type, sizeof(type)),
                 KUMO_OK);
    cr_assert_str_eq(type, "urlset");
    cr_assert_eq(s.n, 3);
    cr_assert_str_eq(s.locs[0], "http://a/1");
    cr_assert_str_eq(s.extra[0], "2026-01-01");
    cr_assert_str_eq(s.locs[1], "http://a/2");
    cr_assert_str_eq(s.extra[1], "2:http://a/2fr");
    cr_assert_str_eq(s.locs[2], "http://a/3");
}

Test(sitemap, index_type_and_not_xml)
{
    static const char idx[] = "<sitemapindex><sitemap><loc>http://a/s.xml</loc></sitemap>"
                              "</sitemapindex>";
    seen s = {0};
    char type[32];
    cr_assert_eq(kumo__sitemap_each(idx, sizeof(idx) - 1, collect, &s, type, sizeof(type)),
                 KUMO_OK);
    cr_assert_str_eq(type, "sitemapindex");
    cr_assert_eq(s.n, 1);
    static const char junk[] = "this is not XML";
    cr_assert_eq(kumo__sitemap_each(junk, sizeof(junk) - 1, collect, &s, type, sizeof(type)),
                 KUMO_ESYNTAX);
    cr_assert_eq(kumo__sitemap_each("", 0, collect, &s, type, sizeof(type)), KUMO_ESYNTAX);
    cr_assert_eq(s.n, 1);
}

static size_t gz(const char *p, size_t n, unsigned char *out, size_t cap)
{
    z_stream z = {0};
    cr_assert_eq(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t len = cap - z.avail_out;
    deflateEnd(&z);
    return len;
}

Test(sitemap, gunzip_capped_and_truncated)
{
    char plain[20000];
    for (size_t i = 0; i < sizeof(plain); i++)
        plain[i] = (char)('a' + i % 26);
    unsigned char z[30000];
    size_t zn = gz(plain, sizeof(plain), z, sizeof(z));
    cr_assert(kumo__sitemap_gzip_magic((const char *)z, zn));
    cr_assert_not(kumo__sitemap_gzip_magic(plain, sizeof(plain)));

    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_BYTES, KUMO_V_BODY);
    cr_assert_eq(kumo__sitemap_gunzip((const char *)z, zn, 0, &b), KUMO_OK);
    cr_assert_eq(b.len, sizeof(plain));
    cr_assert(memcmp(b.s, plain, sizeof(plain)) == 0);
    kumo__buf_reset(&b);
    cr_assert_eq(kumo__sitemap_gunzip((const char *)z, zn, 19999, &b), KUMO_ETOOBIG);
    kumo__buf_reset(&b);
    cr_assert_eq(kumo__sitemap_gunzip((const char *)z, zn, 20000, &b), KUMO_OK);
    kumo__buf_reset(&b);
    /* truncated: what came out before the cut, as Scrapy's gunzip */
    cr_assert_eq(kumo__sitemap_gunzip((const char *)z, zn / 2, 0, &b), KUMO_OK);
    cr_assert_gt(b.len, 0);
    cr_assert(memcmp(b.s, plain, b.len) == 0);
    kumo__buf_reset(&b);
    cr_assert_eq(kumo__sitemap_gunzip("\x1f\x8b\x08garbage", 10, 0, &b), KUMO_ESYNTAX);
    kumo__buf_release(&b);
}

static void parse(kumo_response *res, kumo_out *out)
{
    (void)res, (void)out;
}

Test(sitemap, rules_name_known_callbacks)
{
    kumo_sitemap_def sm = {.urls = KUMO_LIST("http://a/s.xml"),
                           .rules = KUMO_SITEMAP_RULES({"/p/", "parse"})};
    kumo_spider_def d = {KUMO_SPIDER_HEADER, .name = "x", .callbacks = KUMO_CALLBACKS(parse),
                         .sitemap = &sm};
    char err[256];
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_OK);
    cr_assert_eq(kumo__spider_def_callback(&d, "_parse_sitemap"), kumo__sitemap_parse);
    sm.rules = KUMO_SITEMAP_RULES({"/p/", "parse_item"});
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_EINVAL);
    cr_assert_str_eq(err, "spider 'x' in 'x.so': a sitemap rule names callback 'parse_item', "
                     "which is not in its .callbacks");
    d.sitemap = NULL;
    cr_assert_null(kumo__spider_def_callback(&d, "_parse_sitemap"));
}
