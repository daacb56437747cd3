/* test_feedexport.c - FeedExporter: FEEDS opened before the crawl, items written as they
 * are scraped, the feed closed (and counted) when the spider closes. */
#include <criterion/criterion.h>
#include "lib/crawl.h"
#include <unistd.h>

static kumo_testcrawl t;
static char dir[64];

static void setup(void)
{
    kumo_testcrawl_init(&t);
    snprintf(dir, sizeof(dir), "/tmp/kumo-feedexport-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    kumo_testcrawl_fini(&t);    /* kumo_leakcheck_end() */
}

TestSuite(feedexport, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The lines of path into lines (static buffer); returns how many. */
static size_t read_lines(const char *path, char **lines, size_t max)
{
    static char buf[65536];
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open '%s'", path);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    size_t nl = 0;
    for (char *s = strtok(buf, "\n"); s && nl < max; s = strtok(NULL, "\n"))
        lines[nl++] = s;
    return nl;
}

Test(feedexport, items_go_to_every_feed)
{
    char feeds[512], jl[128], csv[128];
    snprintf(jl, sizeof(jl), "%s/items.jsonl", dir);
    snprintf(csv, sizeof(csv), "%s/items.csv", dir);
    snprintf(feeds, sizeof(feeds), "{\"%s\": {\"format\": \"jsonlines\"}, "
             "\"%s\": {\"format\": \"csv\", \"fields\": [\"status\", \"url\"]}}", jl, csv);
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, SET("FEEDS", feeds),
                                    SET("urls", "/ok,/text", "follow", "0")),
                 KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 2);

    char *lines[8];
    cr_assert_eq(read_lines(jl, lines, 8), 2);
    size_t ok = 0;
    for (size_t i = 0; i < 2; i++) {
        cr_assert_not_null(strstr(lines[i], "\"status\": 200"), "%s", lines[i]);
        ok += strstr(lines[i], "/ok\"") != NULL;
    }
    cr_assert_eq(ok, 1);

    cr_assert_eq(read_lines(csv, lines, 8), 3);
    cr_assert_str_eq(lines[0], "status,url\r", "csv rows end in CRLF, as Python's");
    cr_assert_eq(strncmp(lines[1], "200,http://127.0.0.1:", 21), 0, "%s", lines[1]);
    cr_assert_eq(kumo_testcrawl_stat(&t, "feedexport/success_count/FileFeedStorage", 0), 2);
}

Test(feedexport, a_bad_feed_stops_the_crawl_before_it_starts)
{
    char feeds[256];
    snprintf(feeds, sizeof(feeds), "{\"%s/x.out\": {\"format\": \"nosuch\"}}", dir);
    cr_assert_neq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, SET("FEEDS", feeds),
                                     SET("urls", "/ok", "follow", "0")), KUMO_OK);
    cr_assert_not_null(strstr(t.err, "unknown format 'nosuch'"), "%s", t.err);
    cr_assert_eq(t.nitems, 0);
}

Test(feedexport, no_feeds_no_files)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, NULL,
                                    SET("urls", "/ok", "follow", "0")), KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 1);
    cr_assert_eq(kumo_testcrawl_stat(&t, "feedexport/success_count/FileFeedStorage", -1), -1);
}
