/* quotes_rules.c - the quotes spider written with rules (Scrapy's CrawlSpider): one rule
 * follows the next page and parses its quotes, one requests each author's page and parses
 * it.  The start page goes to parse_start_url, the next pages to the first rule.
 *   kumo crawl quotes_rules -a url=http://127.0.0.1:PORT/ -o quotes.jsonl */
#include <kumo/kumo.h>

/* A quotes page: one item per quote. */
static void parse_quotes(kumo_response *res, kumo_out *out)
{
    kumo_selector_list *quotes = kumo_css(res, "div.quote");
    for (size_t i = 0; i < kumo_list_len(quotes); i++) {
        kumo_selector *q = kumo_list_at(quotes, i);
        kumo_item *item = kumo_item_new();
        kumo_item_set_str(item, "text", kumo_list_get(kumo_sel_css(q, "span.text::text"), NULL));
        kumo_item_set_str(item, "author", kumo_list_get(kumo_sel_css(q, "small.author::text"),
                                                        NULL));
        kumo_item_set(item, "tags", kumo_list_getall(kumo_sel_css(q, "div.tags a.tag::text")));
        kumo_item_set_str(item, "page", kumo_map_get_str(kumo_response_cb_kwargs(res), "page",
                                                         "first"));
        kumo_yield_item(out, item);
    }
}

/* The start page: its quotes too (then the rules run on it). */
static void parse_start_url(kumo_response *res, kumo_out *out)
{
    parse_quotes(res, out);
}

/* An author page: one item with the author's details. */
static void parse_author(kumo_response *res, kumo_out *out)
{
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "name", kumo_list_get(kumo_css(res, "h3.author-title::text"), NULL));
    kumo_item_set_str(item, "birthdate",
                      kumo_list_get(kumo_css(res, "span.author-born-date::text"), NULL));
    kumo_item_set_str(item, "birthplace",
                      kumo_list_get(kumo_css(res, "span.author-born-location::text"), NULL));
    kumo_yield_item(out, item);
}

static int start_requests(kumo_spider *sp, kumo_out *out)
{
    return kumo_start_from_arg(sp, out, "https://quotes.toscrape.com/", NULL);
}

KUMO_SPIDER = {
    KUMO_SPIDER_HEADER,
    .name = "quotes_rules",
    .callbacks = KUMO_CALLBACKS(parse_start_url),
    .start_requests = start_requests,
    .rules = KUMO_RULES(
        /* the next page (not the tag pages): its quotes, then the rules again */
        KUMO_RULE(.link_extractor = {.allow = KUMO_LIST("/page/\\d+/$"),
                                     .deny = KUMO_LIST("/tag/"),
                                     .restrict_css = KUMO_LIST("li.next")},
                  .callback = parse_quotes, .follow = KUMO_YES,
                  .cb_kwargs = KUMO_KWARGS({"page", "next"})),
        /* each quote's "(about)" link: the author page, parsed, not followed */
        KUMO_RULE(.link_extractor = {.allow = KUMO_LIST("/author/"),
                                     .restrict_css = KUMO_LIST("div.quote")},
                  .callback = parse_author)),
};
