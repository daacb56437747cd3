/* leaky.c - the example leak of Scrapy's "Debugging memory leaks" page, in C: follows links
 * like `follow` (one item per HTML page), but every request it yields keeps the response it
 * came from in meta["referer"], so each response lives as long as the requests made from it.
 *   kumo crawl leaky -a url=http://127.0.0.1:8080/   then telnet localhost 6023, prefs() */
#include <kumo/kumo.h>

static void parse(kumo_response *res, kumo_out *out)
{
    if (!kumo_class_is(kumo_response_class(res), &KUMO_CLASS(HtmlResponse)))
        return;
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "url", kumo_response_url(res));
    kumo_item_set_int(item, "status", kumo_response_status(res));
    kumo_item_set_str(item, "title", kumo_list_get(kumo_css(res, "title::text"), NULL));
    kumo_item_set_int(item, "depth", kumo_response_depth(res));
    kumo_yield_item(out, item);
    kumo_selector_list *hrefs = kumo_css(res, "a::attr(href)");
    for (size_t i = 0; i < kumo_list_len(hrefs); i++) {
        kumo_request *req = kumo_response_follow(res, kumo_sel_get(kumo_list_at(hrefs, i)),
                                                 parse);
        if (!req)
            continue;
        /* The leak: Request(url, callback=self.parse, meta={'referer': response}). */
        kumo_map_set(kumo_request_meta(req), "referer", kumo_val_response(res));
        kumo_yield_request(out, req);
    }
}

static int start_requests(kumo_spider *sp, kumo_out *out)
{
    const char *url = kumo_spider_arg(sp, "url", NULL);
    if (!url) {
        kumo_spider_log(sp, "ERROR", "leaky needs a start url: -a url=http://HOST/");
        return KUMO_EINVAL;
    }
    int err = KUMO_EURL;
    kumo_request *req = kumo_request_new(url, parse, &err);
    if (!req) {
        kumo_spider_log(sp, "ERROR", "bad start url '%s': %s", url, kumo_strerror(err));
        return err;
    }
    char *host = kumo_url_host(url);
    if (host)
        kumo_spider_allow_domain(sp, host);
    kumo_free(host);
    kumo_yield_request(out, req);
    return KUMO_OK;
}

KUMO_SPIDER = {
    KUMO_SPIDER_HEADER,
    .name = "leaky",
    .callbacks = KUMO_CALLBACKS(parse),
    .start_requests = start_requests,
};
