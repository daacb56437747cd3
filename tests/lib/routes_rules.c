/* routes_rules.c - a small shop for CrawlSpider rules: categories to follow, items to parse,
 * links that no rule or a deny takes, a 404 item, and a chain of "Items/" pages for the
 * `kumo genspider -t crawl` template's rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "routes.h"

/* The pages of /shop/: path after "/shop/" and body. */
static const struct {
    const char *path, *body;
} pages[] = {
    {"", "<title>Shop</title>"
         "<a href='category/a'>Category A</a> <a href='category/b'>Category B</a>"
         "<a href='item/1'>First item</a> <a href='about.html'>About</a>"
         "<a href='category/a?logout=1'>Log out</a> <a href='Items/1'>Items</a>"},
    {"category/a", "<title>Category A</title>"
                   "<a href='/shop/item/1'>Item one</a> <a href='/shop/item/2'>Item two</a>"
                   "<a href='/shop/category/a-2'>Next page</a> <a href='/shop/'>Home</a>"},
    {"category/a-2", "<title>Category A, page 2</title>"
                     "<a href='/shop/item/3'>Item three</a>"
                     "<a href='/shop/category/a'>Previous page</a>"},
    {"category/b", "<title>Category B</title>"
                   "<a href='/shop/item/99'>Sold out</a>"
                   "<a rel='nofollow' href='/shop/item/4'>Item four</a>"
                   "<a href='/shop/item/5.pdf'>Item five (manual)</a>"},
    {"about.html", "<title>About</title><a href='/shop/related/0'>Related</a>"},
    {"Items/1", "<title>Items 1</title><a href='/shop/Items/2'>Items 2</a>"},
    {"Items/2", "<title>Items 2</title><a href='/shop/Items/3'>Items 3</a>"},
    {"Items/3", "<title>Items 3</title><a href='/shop/Items/1'>Items 1</a>"},
};

/*
 * /shop/...: the pages above; /shop/item/N (1 to 4): "<h1>Item N</h1>", a price of N.00 and
 * links to /shop/related/N and /shop/category/b; /shop/related/N: a page no rule reaches
 * unless the item rule follows; anything else 404.
 */
static void h_shop(kumo_testserver *s, struct evhttp_request *req, const char *path,
                   const char *rest)
{
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        if (strcmp(rest, pages[i].path) == 0) {
            kumo_ts_reply_str(req, 200, "text/html; charset=utf-8", pages[i].body,
                              strlen(pages[i].body));
            return;
        }
    }
    long n;
    char body[512];
    if (strncmp(rest, "item/", 5) == 0 && kumo_ts_parse_long(rest + 5, 1, 4, &n) == 0) {
        int len = snprintf(body, sizeof(body), "<title>Item %ld</title><h1>Item %ld</h1>"
                           "<span class='price'>%ld.00</span>"
                           "<a href='/shop/related/%ld'>Related</a>"
                           "<a href='/shop/category/b'>Category B</a>", n, n, n, n);
        kumo_ts_reply_str(req, 200, "text/html; charset=utf-8", body, (size_t)len);
        return;
    }
    if (strncmp(rest, "related/", 8) == 0 && kumo_ts_parse_long(rest + 8, 0, 4, &n) == 0) {
        int len = snprintf(body, sizeof(body), "<title>Related %ld</title>", n);
        kumo_ts_reply_str(req, 200, "text/html; charset=utf-8", body, (size_t)len);
        return;
    }
    kumo_ts_status_page(req, 404);
}

const kumo_testroute kumo_routes_rules[] = {
    {"/shop/", h_shop},
    {NULL, NULL},
};
