/* quotes.c - the example spider for the demo site (shaped like quotes.toscrape.com):
 * quotes with their tags, the author pages they link to, and the next page.
 *   kumo crawl quotes -a url=http://127.0.0.1:PORT/ -o quotes.jsonl */
#include <kumo/kumo.h>

static void parse(kumo_response *res, kumo_out *out);
static void parse_author(kumo_response *res, kumo_out *out);

/* A quotes page: one item per quote, then its authors and the next page. */
static void parse(kumo_response *res, kumo_out *out)
{
    kumo_selector_list *quotes = kumo_css(res, "div.quote");
    for (size_t i = 0; i < kumo_list_len(quotes); i++) {
        kumo_selector *q = kumo_list_at(quotes, i);
        kumo_item *item = kumo_item_new();
        kumo_item_set_str(item, "text", kumo_list_get(kumo_sel_css(q, "span.text::text"), NULL));
        kumo_item_set_str(item, "author", kumo_list_get(kumo_sel_css(q, "small.author::text"),
                                                        NULL));
        kumo_value tags = kumo_val_list();
        kumo_selector_list *tl = kumo_sel_css(q, "div.tags a.tag::text");
        for (size_t t = 0; t < kumo_list_len(tl); t++)
            kumo_val_list_push(&tags, kumo_val_str(kumo_sel_get(kumo_list_at(tl, t))));
        kumo_item_set(item, "tags", tags);
        kumo_yield_item(out, item);
        /* Each author page once: the duplicate filter drops the repeats. */
        kumo_follow(out, res, kumo_list_attr(kumo_sel_css(q, "span a"), "href"), parse_author);
    }
    const char *next = kumo_list_get(kumo_css(res, "li.next a::attr(href)"), NULL);
    if (next)
        kumo_follow(out, res, next, parse);
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
    kumo_item_set_str(item, "bio",
                      kumo_list_get(kumo_css(res, "div.author-description::text"), NULL));
    kumo_yield_item(out, item);
}

static int start_requests(kumo_spider *sp, kumo_out *out)
{
    return kumo_start_from_arg(sp, out, "https://quotes.toscrape.com/", parse);
}

KUMO_SPIDER = {
    KUMO_SPIDER_HEADER,
    .name = "quotes",
    .callbacks = KUMO_CALLBACKS(parse, parse_author),
    .start_requests = start_requests,
};
