/* test_feeds.c - a real crawl writing several FEEDS at once: jsonl, sqlite, csv batches. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/crawl.h"

static kumo_testcrawl t;
static char dir[64];

static void setup(void)
{
    kumo_testcrawl_init(&t);
    snprintf(dir, sizeof(dir), "/tmp/kumo-feeds-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    kumo_testcrawl_fini(&t);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        if (e->d_name[0] != '.')
            unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

TestSuite(feeds, .init = setup, .fini = teardown, .timeout = 60);

/* The quotes of a page, then the next page: 50 items over the test site's 5 pages. */
static void parse(kumo_response *res, kumo_out *out)
{
    kumo_selector_list *quotes = kumo_css(res, "div.quote");
    for (size_t i = 0; i < kumo_list_len(quotes); i++) {
        kumo_selector *q = kumo_list_at(quotes, i);
        kumo_item *item = kumo_item_new();
        kumo_item_set_str(item, "text", kumo_list_get(kumo_sel_css(q, "span.text::text"), NULL));
        kumo_item_set_str(item, "author",
                          kumo_list_get(kumo_sel_css(q, "small.author::text"), NULL));
        kumo_value tags = kumo_val_list();
        kumo_selector_list *tl = kumo_sel_css(q, "div.tags a.tag::text");
        for (size_t k = 0; k < kumo_list_len(tl); k++)
            kumo_val_list_push(&tags, kumo_val_str(kumo_sel_get(kumo_list_at(tl, k))));
        kumo_item_set(item, "tags", tags);
        kumo_yield_item(out, item);
    }
    const char *next = kumo_list_get(kumo_css(res, "li.next a::attr(href)"), NULL);
    if (next)
        kumo_follow(out, res, next, parse);
}

static int start_requests(kumo_spider *sp, kumo_out *out)
{
    return kumo_start_from_arg(sp, out, "", parse);
}

static const kumo_spider_def quotes_spider = {
    KUMO_SPIDER_HEADER,
    .name = "quotes_feed",
    .allowed_domains = KUMO_LIST("127.0.0.1"),
    .callbacks = KUMO_CALLBACKS(parse),
    .start_requests = start_requests,
};

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Lines of dir/name, and the file's bytes into buf. */
static size_t read_lines(const char *name, char *buf, size_t n)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "no feed '%s'", path);
    size_t len = fread(buf, 1, n - 1, fp);
    fclose(fp);
    buf[len] = '\0';
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += buf[i] == '\n';
    return lines;
}

Test(feeds, three_feeds_at_once)
{
    char url[256], feeds[1024];
    kumo_testserver_url(t.srv, "/", url, sizeof(url));
    snprintf(feeds, sizeof(feeds),
             "{\"%s/q.jsonl\": {\"overwrite\": true}, "
             "\"%s/%%(name)s.db\": {}, "
             "\"file://%s/q-%%(batch_id)d-%%(tag)s.csv\": {\"batch_item_count\": 20, "
             "\"fields\": [\"author\", \"text\"]}}", dir, dir, dir);
    cr_assert_eq(kumo_testcrawl_run(&t, &quotes_spider,
                                    SET("FEEDS", feeds, "CONCURRENT_REQUESTS", "1"),
                                    SET("url", url, "tag", "all")), KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 50);

    /* jsonl: the items as the crawl saw them, one a line, in order */
    static char buf[1 << 17];
    cr_expect_eq(read_lines("q.jsonl", buf, sizeof(buf)), 50);
    char *line = buf;
    for (size_t i = 0; i < t.nitems; i++) {
        char *nl = strchr(line, '\n');
        cr_assert_not_null(nl);
        *nl = '\0';
        cr_expect_str_eq(line, t.items[i], "item %zu", i);
        line = nl + 1;
    }

    /* csv: three batches of 20, 20 and 10 rows, each with its header */
    static const struct {
        const char *name;
        size_t lines;
    } csv[] = {{"q-1-all.csv", 21}, {"q-2-all.csv", 21}, {"q-3-all.csv", 11}};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(csv); i++) {
        cr_expect_eq(read_lines(csv[i].name, buf, sizeof(buf)), csv[i].lines, "%s", csv[i].name);
        cr_expect(strncmp(buf, "author,text\r\n", 13) == 0, "%s: %.40s", csv[i].name, buf);
    }

    /* sqlite: a table named after the spider, 50 rows, tags as JSON text */
    char path[256];
    snprintf(path, sizeof(path), "%s/quotes_feed.db", dir);
    sqlite3 *db;
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*), sum(tags LIKE '[%]'), "
                                    "count(DISTINCT author) FROM quotes_feed", -1, &q, NULL),
                 SQLITE_OK, "%s", sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_expect_eq(sqlite3_column_int(q, 0), 50);
    cr_expect_eq(sqlite3_column_int(q, 1), 50);
    cr_expect_gt(sqlite3_column_int(q, 2), 1);
    sqlite3_finalize(q);
    sqlite3_close(db);

    /* jsonl, sqlite and three csv batches (50 is no multiple of 20: no empty fourth) */
    cr_expect_eq(kumo_testcrawl_stat(&t, "feedexport/success_count/FileFeedStorage", 0), 5);
    cr_expect_eq(kumo_testcrawl_stat(&t, "feedexport/failed_count/FileFeedStorage", 0), 0);
    cr_expect_eq(kumo_testcrawl_stat(&t, "item_scraped_count", 0), 50);
}

/* A bad FEEDS entry stops the crawl before any request, with a message naming it. */
Test(feeds, bad_feeds_stop_the_crawl)
{
    char url[256], feeds[512];
    kumo_testserver_url(t.srv, "/", url, sizeof(url));
    snprintf(feeds, sizeof(feeds), "{\"%s/ok.jsonl\": {}, \"%s/q.csv\": {\"indent\": \"x\"}}",
             dir, dir);
    cr_expect_eq(kumo_testcrawl_run(&t, &quotes_spider, SET("FEEDS", feeds), SET("url", url)),
                 KUMO_EINVAL);
    char want[512];
    snprintf(want, sizeof(want), "FEEDS: feed '%s/q.csv': option 'indent' must be an integer "
             "(at most 64) or null", dir);
    cr_expect_str_eq(t.err, want);
    cr_expect_eq(kumo_testserver_hits(t.srv, "/"), 0);
    char ok[256];
    snprintf(ok, sizeof(ok), "%s/ok.jsonl", dir);
    cr_expect_eq(access(ok, F_OK), -1, "a feed was created");
}
