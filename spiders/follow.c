/* follow.c - follow every link inside the start url's host (or -a domains=a,b); one item
 * per HTML page: {url, status, title, depth}.
 *   kumo crawl follow -a url=http://127.0.0.1:8080/ -o pages.jsonl */
#include <kumo/kumo.h>
#include <string.h>

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
    for (size_t i = 0; i < kumo_list_len(hrefs); i++)
        kumo_follow(out, res, kumo_sel_get(kumo_list_at(hrefs, i)), parse);
}

/* "a.com, b.org" -> allow each. */
static void allow_list(kumo_spider *sp, const char *list)
{
    char buf[256];
    while (*list) {
        size_t n = strcspn(list, ",");
        const char *a = list, *b = list + n;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        if (b > a && (size_t)(b - a) < sizeof(buf)) {
            memcpy(buf, a, (size_t)(b - a));
            buf[b - a] = '\0';
            kumo_spider_allow_domain(sp, buf);
        }
        list += n + (list[n] == ',');
    }
}

static int start_requests(kumo_spider *sp, kumo_out *out)
{
    const char *domains = kumo_spider_arg(sp, "domains", NULL);
    if (domains)
        allow_list(sp, domains);
    return kumo_start_from_arg(sp, out, NULL, parse);
}

KUMO_SPIDER = {
    KUMO_SPIDER_HEADER,
    .name = "follow",
    .callbacks = KUMO_CALLBACKS(parse),
    .start_requests = start_requests,
};
