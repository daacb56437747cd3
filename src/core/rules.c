/* rules.c - Scrapy 2.8's CrawlSpider (scrapy/spiders/crawl.py) over a spider's .rules: the
 * links of each rule requested with the rule's index in meta, found again by that index. */
#include "core/rules.h"
#include "core/crawler.h"
#include "core/failure.h"
#include "core/linkextractor.h"
#include "core/out.h"
#include "core/spider.h"
#include "http/request.h"
#include "http/response.h"

size_t kumo__rules_count(const kumo_spider_def *def)
{
    size_t n = 0;
    while (def->rules && def->rules[n])
        n++;
    return n;
}

int kumo__rules_check(const kumo_spider_def *def, const char *where, char *err, size_t errlen)
{
    for (size_t i = 0; def->rules && def->rules[i]; i++) {
        const kumo_rule *r = def->rules[i];
        char why[400] = "";
        int rc = KUMO_OK;
        for (size_t k = 0; k < KUMO_ARRAY_LEN(r->reserved) && rc == KUMO_OK; k++) {
            if (r->reserved[k]) {
                snprintf(why, sizeof(why), "sets reserved slot %zu, unknown to this kumo: "
                         "rebuild it", k);
                rc = KUMO_EABI;
            }
        }
        if (rc == KUMO_OK)
            rc = kumo_link_extractor_check(&r->link_extractor, why, sizeof(why));
        if (rc != KUMO_OK) {
            if (err && errlen)
                snprintf(err, errlen, "spider '%s' in '%s': rule %zu: %s", def->name, where, i,
                         why);
            return rc;
        }
    }
    return KUMO_OK;
}

static bool follow_on(const kumo_rule *r)
{
    return r->follow == KUMO_DEFAULT ? r->callback == NULL : r->follow == KUMO_YES;
}

/* The request for link of rule i (CrawlSpider._build_request), or NULL for a url kumo does
 * not fetch (file:, ftp:), with a DEBUG line. */
static kumo_request *build_request(const kumo_rule *r, size_t i, const kumo_link *link)
{
    int err = KUMO_EURL;
    kumo_request *req = kumo_request_new(link->url, kumo__rules_callback, &err);
    if (!req) {
        KUMO_DEBUG("kumo.spiders.crawl", "Ignoring link %s of rule %zu: %s", link->url, i,
                   kumo_strerror(err));
        return NULL;
    }
    if (r->errback)
        kumo_request_set_errback(req, kumo__rules_errback);
    kumo_map *meta = kumo_request_meta(req);
    kumo_map_set(meta, "rule", kumo_val_int((int64_t)i));
    kumo_map_set(meta, "link_text", kumo_val_str(link->text));
    for (const kumo_setting *kw = r->cb_kwargs; kw && kw->name; kw++)
        kumo_map_set(kumo_request_cb_kwargs(req), kw->name, kumo_val_str(kw->value));
    return req;
}

/* A link no rule before took (the set holds their kumo__link_key()s). */
static bool not_seen(const kumo_link *l, void *seen)
{
    char *key = kumo__link_key(l);
    bool in = kumo__strset_has(seen, key);
    kumo_free(key);
    return !in;
}

/* CrawlSpider._requests_to_follow(): each rule's links not taken by a rule before it. */
static void requests_to_follow(kumo_spider *sp, kumo_response *res, kumo_out *out)
{
    if (kumo_response_class(res) != &KUMO_CLASS(HtmlResponse))
        return;
    if (sp->c && !kumo_crawler_setting_bool(sp->c, "CRAWLSPIDER_FOLLOW_LINKS"))
        return;
    kumo_strset seen = {0};
    for (size_t i = 0; sp->def->rules && sp->def->rules[i]; i++) {
        const kumo_rule *r = sp->def->rules[i];
        kumo_links *links = kumo_extract_links(&r->link_extractor, res);
        kumo__links_keep(links, not_seen, &seen);
        if (r->process_links)
            r->process_links(res, links);
        for (size_t k = 0; k < links->len; k++) {
            kumo__strset_add(&seen, kumo__link_key(&links->v[k]));
            kumo_request *req = build_request(r, i, &links->v[k]);
            if (req && r->process_request)
                req = r->process_request(req, res);
            kumo_yield_request(out, req);
        }
        kumo_links_free(links);
    }
    kumo__strset_release(&seen);
}

void kumo__rules_parse(kumo_response *res, kumo_out *out)
{
    kumo_spider *sp = kumo_out_spider(out);
    kumo_callback_fn start = kumo__spider_def_callback(sp->def, "parse_start_url");
    if (start)
        start(res, out);
    requests_to_follow(sp, res, out);
}

/* The rule a request names in its meta, or NULL with an ERROR line. */
static const kumo_rule *rule_of(kumo_spider *sp, kumo_request *req)
{
    kumo_map *meta = kumo_request_meta(req);
    int64_t i = kumo_map_get_int(meta, "rule", -1);
    size_t n = kumo__rules_count(sp->def);
    if (i < 0 || (size_t)i >= n) {
        KUMO_ERROR("kumo.spiders.crawl", "%s: meta rule %lld is not one of the %zu rules of "
                   "spider '%s' (rules changed since the job was saved?): ignored",
                   kumo_request_url(req), (long long)i, n, sp->def->name);
        return NULL;
    }
    return sp->def->rules[i];
}

void kumo__rules_callback(kumo_response *res, kumo_out *out)
{
    kumo_spider *sp = kumo_out_spider(out);
    const kumo_rule *r = rule_of(sp, kumo_response_request(res));
    if (!r)
        return;
    if (r->callback)
        r->callback(res, out);
    if (follow_on(r))
        requests_to_follow(sp, res, out);
}

void kumo__rules_errback(kumo_failure *f, kumo_out *out)
{
    kumo_spider *sp = kumo_out_spider(out);
    const kumo_rule *r = rule_of(sp, kumo_failure_request(f));
    if (r && r->errback)
        r->errback(f, out);
}
