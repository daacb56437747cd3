/* bench.c - the benchmark spider: every product of the shop site, following every link.
 *   kumo crawl bench -a url=http://127.0.0.1:PORT/index.html -o items.jsonl */
#include <kumo/kumo.h>
#include <stdlib.h>
#include <string.h>

static void parse(kumo_response *res, kumo_out *out);

/* "£12.34" (any currency sign, spaces) -> 12.34; returns 0 when there is no number. */
static int parse_price(const char *s, double *out)
{
    if (!s)
        return 0;
    while (*s && !(*s >= '0' && *s <= '9') && *s != '.')
        s++;
    char *end;
    *out = strtod(s, &end);
    return end != s;
}

/* The last word of a class attribute: "star-rating Three" -> "Three" (into buf). */
static const char *last_word(const char *s, char *buf, size_t n)
{
    size_t len = s ? strlen(s) : 0;
    while (len && s[len - 1] == ' ')
        len--;
    size_t start = len;
    while (start && s[start - 1] != ' ')
        start--;
    size_t k = len - start < n - 1 ? len - start : n - 1;
    memcpy(buf, s ? s + start : "", k);
    buf[k] = '\0';
    return buf;
}

static void parse_product(kumo_response *res, kumo_selector *art, kumo_out *out)
{
    kumo_selector_list *link = kumo_sel_css(art, "h3 a");
    const char *title = kumo_list_attr(link, "title");
    const char *href = kumo_list_attr(link, "href");
    double price;
    char rating[32];
    if (!title || !href || !parse_price(kumo_list_get(kumo_sel_css(art, "p.price::text"), NULL),
                                        &price))
        return;
    char *url = kumo_response_urljoin(res, href);
    if (!url)
        return;
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "name", title);
    kumo_item_set_float(item, "price", price);
    kumo_item_set_str(item, "rating",
                      last_word(kumo_list_attr(kumo_sel_css(art, "p.star-rating"), "class"),
                                rating, sizeof(rating)));
    kumo_item_set_str(item, "url", url);
    kumo_free(url);
    kumo_yield_item(out, item);
}

static void parse(kumo_response *res, kumo_out *out)
{
    kumo_selector_list *arts = kumo_css(res, "article.product");
    for (size_t i = 0; i < kumo_list_len(arts); i++)
        parse_product(res, kumo_list_at(arts, i), out);
    kumo_selector_list *hrefs = kumo_css(res, "a::attr(href)");
    for (size_t i = 0; i < kumo_list_len(hrefs); i++)
        kumo_follow(out, res, kumo_sel_get(kumo_list_at(hrefs, i)), parse);
}

static int start_requests(kumo_spider *sp, kumo_out *out)
{
    return kumo_start_from_arg(sp, out, NULL, parse);
}

KUMO_SPIDER = {
    KUMO_SPIDER_HEADER,
    .name = "bench",
    .callbacks = KUMO_CALLBACKS(parse),
    .start_requests = start_requests,
    .settings = KUMO_SETTINGS({"CONCURRENT_REQUESTS", "64"},
                              {"CONCURRENT_REQUESTS_PER_DOMAIN", "64"},
                              {"LOG_LEVEL", "INFO"}),
};
