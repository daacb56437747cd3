/* test_leaky.c - the seed's leak, found the seed's way: the leaky spider (a response kept in
 * each request's meta) against the endless /depth/N chain keeps HtmlResponse ~ Request alive
 * and growing, and LeakWatch names them; the follow spider on the same site keeps ~nothing. */
#include <criterion/criterion.h>
#include <unistd.h>
#include "lib/crawl.h"
#include "lib/leakcheck.h"
#include "core/plugin.h"
#include "util/json.h"

static kumo_testcrawl t;
static kumo_plugin *plugin;
static char jsonl[64], logfile[64];

static void setup(void)
{
    kumo_testcrawl_init(&t);
    snprintf(jsonl, sizeof(jsonl), "/tmp/kumo-leakwatch-%d.jsonl", (int)getpid());
    unlink(jsonl);
    snprintf(logfile, sizeof(logfile), "/tmp/kumo-leakwatch-%d.log", (int)getpid());
    unlink(logfile);
}

static void teardown(void)
{
    kumo_testcrawl_release(&t);   /* frees the crawler before its spider's plugin goes */
    kumo__plugin_close(plugin);
    plugin = NULL;
    kumo_leakcheck_end();
    if (!getenv("KUMO_KEEP"))
        unlink(jsonl), unlink(logfile);
}

TestSuite(leaky, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})
#define STAT(k) kumo_testcrawl_stat(&t, k, -1)
#define PAGES 150

typedef struct counts {
    int64_t html, req;
} counts;

/* Read LEAKWATCH_FILE: every line parses as JSON; returns the lines' HtmlResponse and Request
 * counts in order (at most max), and how many lines there are. */
static size_t read_samples(counts *out, size_t max)
{
    FILE *f = fopen(jsonl, "r");
    cr_assert(f, "no %s", jsonl);
    static char line[8192];
    size_t n = 0;
    while (fgets(line, sizeof(line), f)) {
        kumo_value v;
        char err[128];
        cr_assert_eq(kumo__json_parse(line, strlen(line), &v, err, sizeof(err)), KUMO_OK,
                     "%s: %s", err, line);
        kumo_val_clear(&v);
        cr_assert(strncmp(line, "{\"t\": ", 6) == 0 && strstr(line, "\"rss\": "), "%s", line);
        const char *h = strstr(line, "\"HtmlResponse\": ");
        const char *r = strstr(line, "\"Request\": ");
        cr_assert(h && r, "%s", line);
        if (n < max)
            out[n] = (counts){atoll(h + 16), atoll(r + 11)};
        n++;
    }
    fclose(f);
    return n;
}

/* The first LEAKWATCH_FILE line with a suspect of class cls, from its "suspects" field
 * (a static buffer), or NULL. */
static const char *held_by_line(const char *cls)
{
    static char line[8192];
    char want[128];
    snprintf(want, sizeof(want), "{\"class\": \"%s\"", cls);
    FILE *f = fopen(jsonl, "r");
    cr_assert(f);
    const char *found = NULL;
    while (!found && fgets(line, sizeof(line), f)) {
        const char *sus = strstr(line, "\"suspects\": [");
        found = sus ? strstr(sus, want) : NULL;
    }
    fclose(f);
    return found;
}

/* Whether the crawl's log (LOG_FILE) has needle. */
static bool log_has(const char *needle)
{
    FILE *f = fopen(logfile, "r");
    cr_assert(f, "no %s", logfile);
    static char line[8192];
    bool found = false;
    while (!found && fgets(line, sizeof(line), f))
        found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

static void crawl(const char *spider)
{
    char err[256], url[256];
    cr_assert_eq(kumo__plugin_open(spider, &plugin, err, sizeof(err)), KUMO_OK, "%s", err);
    kumo_testserver_url(t.srv, "/depth/0", url, sizeof(url));
    char pages[16];
    snprintf(pages, sizeof(pages), "%d", PAGES);
    cr_assert_eq(kumo_testcrawl_run(&t, kumo__plugin_def(plugin),
                                    SET("CLOSESPIDER_PAGECOUNT", pages, "DOWNLOAD_DELAY", "0.01",
                                        "LEAKWATCH_INTERVAL_SECONDS", "0.1",
                                        "LEAKWATCH_SAMPLES", "3", "LEAKWATCH_MIN_COUNT", "10",
                                        "LEAKWATCH_FILE", jsonl, "MEMDEBUG_ENABLED", "1",
                                        "LOG_LEVEL", "WARNING", "LOG_FILE", logfile),
                                    SET("url", url)), KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "closespider_pagecount");
    cr_assert_geq(t.nitems, PAGES - 1, "one item per page");
}

Test(leaky, responses_pile_up_with_their_requests)
{
    crawl("leaky");
    counts c[512];
    size_t n = read_samples(c, KUMO_ARRAY_LEN(c));
    cr_assert_geq(n, 3, "a sample at open, every 0.1s, and one at close");
    cr_assert_leq(n, KUMO_ARRAY_LEN(c));
    for (size_t i = 1; i < n; i++) {
        cr_assert_geq(c[i].html, c[i - 1].html, "sample %zu: live responses never go down", i);
        cr_assert_leq(llabs(c[i].html - c[i].req), 2, "sample %zu: HtmlResponse %lld ~ "
                      "Request %lld", i, (long long)c[i].html, (long long)c[i].req);
    }
    cr_assert_geq(c[n - 1].html, PAGES - 2, "every response is still alive at close");
    cr_assert_geq(STAT("leakwatch/peak_live/HtmlResponse"), PAGES - 2);
    cr_assert_geq(STAT("memdebug/live_refs/HtmlResponse"), PAGES - 2);
    cr_assert_geq(STAT("memdebug/live_refs/Request"), PAGES - 2);
    cr_assert_eq(STAT("leakwatch/samples"), (int64_t)n);
    const char *sus = kumo_testcrawl_stat_str(&t, "leakwatch/suspects");
    cr_assert(sus && strstr(sus, "HtmlResponse"), "suspects: %s", sus ? sus : "(none)");
    /* the warning names the culprit, in the log and as data in the sample it fired in */
    const char *why = held_by_line("HtmlResponse");
    cr_assert(why, "no sample names what holds the responses");
    cr_assert(strstr(why, "{\"by\": \"Request.meta['referer']\", \"holders\": "), "%s", why);
    cr_assert(log_has("HtmlResponse objects alive") && log_has("held by Request.meta['referer'] ("),
              "the log's warning names Request.meta['referer']");
}

Test(leaky, follow_keeps_nothing)
{
    crawl("follow");
    counts c[512];
    size_t n = read_samples(c, KUMO_ARRAY_LEN(c));
    cr_assert_geq(n, 3);
    for (size_t i = 0; i < n && i < KUMO_ARRAY_LEN(c); i++) {
        cr_assert_leq(c[i].html, 2, "sample %zu: %lld responses alive", i, (long long)c[i].html);
        cr_assert_leq(c[i].req, 3, "sample %zu: %lld requests alive", i, (long long)c[i].req);
    }
    cr_assert_leq(STAT("leakwatch/peak_live/HtmlResponse"), 2);
    cr_assert_null(kumo_testcrawl_stat_str(&t, "leakwatch/suspects"));
    cr_assert_null(held_by_line("HtmlResponse"), "no sample names holders");
    cr_assert(!log_has("held by"), "no warning");
}
