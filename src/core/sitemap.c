/* sitemap.c - SitemapSpider: sitemaps, sitemap indexes and robots.txt Sitemap: lines, as
 * Scrapy 2.8's scrapy/spiders/sitemap.py and scrapy/utils/sitemap.py. */
#include "core/sitemap.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/spider.h"
#include "http/response.h"
#include "http/url.h"
#include "util/buf.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zlib.h>

#define LOGGER "kumo.spiders.sitemap"

/* ---- the body: plain, gzipped, or not a sitemap ---- */

bool kumo__sitemap_gzip_magic(const char *p, size_t n)
{
    return n >= 3 && (unsigned char)p[0] == 0x1f && (unsigned char)p[1] == 0x8b &&
           (unsigned char)p[2] == 0x08;
}

int kumo__sitemap_gunzip(const char *p, size_t n, size_t max, kumo_buf *out)
{
    z_stream z = {0};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return KUMO_ENOMEM;
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)KUMO_MIN(n, (size_t)UINT_MAX);
    unsigned char chunk[16384];
    int rc = KUMO_OK;
    for (;;) {
        z.next_out = chunk;
        z.avail_out = sizeof(chunk);
        int zr = inflate(&z, Z_NO_FLUSH);
        size_t got = sizeof(chunk) - z.avail_out;
        if (max && out->len + got > max) {
            rc = KUMO_ETOOBIG;
            break;
        }
        kumo__buf_add(out, chunk, got);
        if (zr == Z_STREAM_END || zr == Z_BUF_ERROR)
            break;
        if (zr != Z_OK) {       /* a broken or truncated stream: keep what came out */
            if (!out->len)
                rc = KUMO_ESYNTAX;
            break;
        }
    }
    inflateEnd(&z);
    return rc;
}

/* ---- parsing (Scrapy's Sitemap class) ---- */

/* The text of el before its first child element, stripped (lxml's el.text.strip()). */
static char *leading_text(xmlNode *el)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    for (xmlNode *t = el->children; t && t->type != XML_ELEMENT_NODE; t = t->next)
        if ((t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) && t->content)
            kumo__buf_adds(&b, (const char *)t->content);
    const char *s = kumo__buf_str(&b);
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v')
        s++;
    size_t n = strlen(s);
    while (n && strchr(" \t\n\r\f\v", s[n - 1]))
        n--;
    char *r = kumo_strndup(s, n, KUMO_T_STR, KUMO_V_DICT);
    kumo__buf_release(&b);
    return r;
}

/* One <url> or <sitemap> element as Scrapy's Sitemap.__iter__ gives it, into d. */
static void entry_of(xmlNode *elem, kumo_map *d)
{
    for (xmlNode *el = elem->children; el; el = el->next) {
        if (el->type != XML_ELEMENT_NODE)
            continue;
        const char *name = (const char *)el->name;
        if (strcmp(name, "link") == 0) {
            xmlChar *href = xmlGetProp(el, (const xmlChar *)"href");
            if (!href)
                continue;
            kumo_value *alt = kumo_map_get(d, "alternate");
            if (!alt) {
                kumo_map_set(d, "alternate", kumo_val_list());
                alt = kumo_map_get(d, "alternate");
            }
            kumo_val_list_push(alt, kumo_val_str((const char *)href));
            xmlFree(href);
        } else {
            char *text = leading_text(el);
            kumo_map_set(d, name, kumo_val_str(text));
            kumo_free(text);
        }
    }
}

int kumo__sitemap_each(const char *body, size_t len, kumo_sitemap_entry_fn fn, void *ctx,
                      char *type, size_t typelen)
{
    if (len > INT_MAX)
        return KUMO_ETOOBIG;
    /* recover as lxml's XMLParser(recover=True); no network, no entities, no huge trees */
    int opts = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
               XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA;
    xmlDoc *doc = xmlReadMemory(body, (int)len, NULL, NULL, opts);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root) {
        xmlFreeDoc(doc);
        return KUMO_ESYNTAX;
    }
    snprintf(type, typelen, "%s", (const char *)root->name);
    for (xmlNode *elem = root->children; fn && elem; elem = elem->next) {
        if (elem->type != XML_ELEMENT_NODE)
            continue;
        kumo_map d;
        kumo_map_init(&d, KUMO_T_DICT, KUMO_V_DICT);
        entry_of(elem, &d);
        if (kumo_map_get(&d, "loc"))
            fn(ctx, &d);
        kumo_map_release(&d);
    }
    xmlFreeDoc(doc);
    return KUMO_OK;
}

/* ---- the "_parse_sitemap" callback ---- */

/* Returns true when pattern (Python re) is found in s; a bad pattern is logged, false. */
static bool re_found(const char *pattern, const char *s)
{
    int err = KUMO_OK;
    kumo_re_match *m = kumo_re_search(pattern, s, &err);
    bool found = m != NULL;
    kumo_re_match_free(m);
    return found;
}

typedef struct walk {
    kumo_spider *sp;
    const kumo_sitemap_def *sm;
    kumo_out *out;
    const char *type;
    bool index;
} walk;

static void emit(walk *w, const char *loc, kumo_callback_fn cb)
{
    int err = KUMO_EURL;
    kumo_request *req = kumo_request_new(loc, cb, &err);
    if (!req) {
        KUMO_DEBUG(LOGGER, "Ignoring sitemap loc '%s': %s", loc, kumo_strerror(err));
        return;
    }
    kumo_yield_request(w->out, req);
}

/* One loc of the sitemap (Scrapy's _parse_sitemap loop body). */
static void one_loc(walk *w, const char *loc)
{
    if (w->index) {
        bool follow = !w->sm->follow;
        for (const char *const *f = w->sm->follow; f && *f && !follow; f++)
            follow = re_found(*f, loc);
        if (follow)
            emit(w, loc, kumo__sitemap_parse);
        return;
    }
    if (!w->sm->rules) {
        emit(w, loc, kumo__spider_callback(w->sp, NULL));
        return;
    }
    for (const kumo_sitemap_rule *r = w->sm->rules; r->pattern; r++) {
        if (re_found(r->pattern, loc)) {
            kumo_callback_fn cb = r->callback ? kumo__spider_def_callback(w->sp->def,
                                                                         r->callback) : NULL;
            emit(w, loc, kumo__spider_callback(w->sp, cb));
            return;
        }
    }
}

static void on_entry(void *ctx, kumo_map *d)
{
    walk *w = ctx;
    w->index = strcmp(w->type, "sitemapindex") == 0;
    if (!w->index && strcmp(w->type, "urlset") != 0)
        return;             /* neither: not a sitemap (logged once the walk is over) */
    if (w->sm->filter && w->sm->filter(w->sp, w->type, d) != KUMO_OK)
        return;
    const char *loc = kumo_map_get_str(d, "loc", NULL);
    if (loc)
        one_loc(w, loc);
    const kumo_value *alt = kumo_map_get(d, "alternate");
    if (!w->sm->alternate_links || !alt || alt->type != KUMO_VAL_LIST)
        return;
    for (size_t i = 0; i < alt->u.list->len; i++)
        if (alt->u.list->v[i].type == KUMO_VAL_STR)
            one_loc(w, alt->u.list->v[i].u.str.s);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* robots.txt: each "Sitemap:" line, joined to the response's url, is a sitemap to fetch. */
static void from_robots(kumo_response *res, kumo_out *out)
{
    size_t len = 0;
    const char *text = kumo_response_text(res, &len);
    const char *end = text + len;
    for (const char *p = text; p < end;) {
        const char *nl = p;
        while (nl < end && *nl != '\n' && *nl != '\r')
            nl++;
        const char *s = p;
        while (s < nl && (*s == ' ' || *s == '\t'))
            s++;
        if (nl - s >= 8 && strncasecmp(s, "sitemap:", 8) == 0) {
            s += 8;
            const char *e = nl;
            while (s < e && (*s == ' ' || *s == '\t'))
                s++;
            while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            char *href = kumo_strndup(s, (size_t)(e - s), KUMO_T_STR, KUMO_V_NONE);
            char *url = kumo__url_join(kumo_response_url(res), href);
            if (url) {
                int err = KUMO_EURL;
                kumo_request *req = kumo_request_new(url, kumo__sitemap_parse, &err);
                if (req)
                    kumo_yield_request(out, req);
                else
                    KUMO_DEBUG(LOGGER, "Ignoring robots.txt sitemap '%s': %s", url,
                               kumo_strerror(err));
            }
            kumo_free(url);
            kumo_free(href);
        }
        p = nl < end ? nl + 1 : end;
    }
}

/* The largest sitemap body: the request's download_maxsize meta, else DOWNLOAD_MAXSIZE. */
static size_t max_size(kumo_response *res, kumo_spider *sp)
{
    kumo_map *meta = kumo_response_meta(res);
    int64_t m = meta ? kumo_map_get_int(meta, "download_maxsize", -1) : -1;
    if (m < 0)
        m = sp->c ? kumo__settings_int(kumo__crawler_settings(sp->c), "DOWNLOAD_MAXSIZE") : 0;
    return m > 0 ? (size_t)m : 0;
}

void kumo__sitemap_parse(kumo_response *res, kumo_out *out)
{
    kumo_spider *sp = kumo_out_spider(out);
    const kumo_sitemap_def *sm = sp ? sp->def->sitemap : NULL;
    const char *url = kumo_response_url(res);
    if (!sm)
        return;
    if (ends_with(url, "/robots.txt")) {
        from_robots(res, out);
        return;
    }
    size_t len = 0;
    const char *body = kumo_response_body(res, &len);
    kumo_buf plain;
    kumo__buf_init(&plain, 0, KUMO_T_BYTES, KUMO_V_BODY);
    bool ok = true;
    if (kumo_response_class(res) == &KUMO_CLASS(XmlResponse)) {
        /* as it is */
    } else if (kumo__sitemap_gzip_magic(body, len)) {
        size_t max = max_size(res, sp);
        int rc = kumo__sitemap_gunzip(body, len, max, &plain);
        if (rc == KUMO_ETOOBIG) {
            KUMO_WARN(LOGGER, "Ignoring sitemap <%d %s>: larger than %zu bytes "
                      "(DOWNLOAD_MAXSIZE) once decompressed", res->status, url, max);
            kumo__buf_release(&plain);
            return;
        }
        ok = rc == KUMO_OK;
        body = kumo__buf_str(&plain);
        len = plain.len;
    } else {
        /* Content-Encoding was decoded already: a .xml or .xml.gz url holds plain XML */
        ok = ends_with(url, ".xml") || ends_with(url, ".xml.gz");
    }
    char type[64] = "";
    walk w = {sp, sm, out, type, false};
    if (ok)
        ok = kumo__sitemap_each(body, len, on_entry, &w, type, sizeof(type)) == KUMO_OK &&
             (strcmp(type, "urlset") == 0 || strcmp(type, "sitemapindex") == 0);
    if (!ok)
        KUMO_WARN(LOGGER, "Ignoring invalid sitemap: <%d %s>", res->status, url);
    kumo__buf_release(&plain);
}
