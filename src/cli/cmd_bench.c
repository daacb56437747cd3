/* cmd_bench.c - `kumo bench`: as `scrapy bench`, crawl a built-in local link site with a
 * link-following spider for a while, logging LogStats every second, and print pages/min. */
#include "cli/cli.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/stats.h"

#define BENCH_PAGES_MAX 100000000u
#define BENCH_LINKS_MAX 1000u

const char kumo_bench_usage[] =
    "usage: kumo bench [options]\n"
    "\n"
    "As 'scrapy bench': start a local site on 127.0.0.1 (a free port) whose pages each link\n"
    "to other pages, crawl it with a built-in spider that follows every link, log a LogStats\n"
    "line ('Crawled N pages (at N pages/min)...') every second, stop after 10 seconds\n"
    "(CLOSESPIDER_TIMEOUT) or when every page is crawled, and print the crawl's overall\n"
    "pages/min on stdout.  The spider's settings are LOG_LEVEL=INFO, LOGSTATS_INTERVAL=1 and\n"
    "CLOSESPIDER_TIMEOUT=10, over the settings file; -s overrides them.\n"
    "\n"
    "options:\n"
    "  --pages N             the site's size in pages (default 100000, as Scrapy's)\n"
    "  --links N             links on each page (default 20, as Scrapy's)\n"
    KUMO_CLI_SET_HELP
    KUMO_CLI_LOG_HELP
    "  -h, --help            this text\n"
    "\n"
    "Exit codes: 0 the benchmark ran, 1 the site or the crawl could not start, 2 bad\n"
    "command line.\n";

static void bench_parse(kumo_response *res, kumo_out *out)
{
    kumo_follow_all(out, res, "a", bench_parse);
}

static int bench_start(kumo_spider *sp, kumo_out *out)
{
    return kumo_start_from_arg(sp, out, NULL, bench_parse);
}

/* Scrapy's _BenchSpider with the bench command's settings; -a url is the site. */
static const kumo_spider_def bench_spider = {
    KUMO_SPIDER_HEADER,
    .name = "follow",
    .callbacks = KUMO_CALLBACKS(bench_parse),
    .start_requests = bench_start,
    .settings = KUMO_SETTINGS({"LOG_LEVEL", "INFO"}, {"LOGSTATS_INTERVAL", "1"},
                              {"CLOSESPIDER_TIMEOUT", "10"}),
};

enum { OPT_PAGES = 1, OPT_LINKS };

static const kumo_cli_opt bench_opts[] = {
    {"--pages", NULL, true, OPT_PAGES},
    {"--links", NULL, true, OPT_LINKS},
    {NULL, NULL, false, 0},
};

typedef struct bench_opts_val {
    unsigned pages, links;
} bench_opts_val;

static int on_opt(void *ctx, int id, const char *value)
{
    bench_opts_val *o = ctx;
    unsigned lo = id == OPT_PAGES ? 1 : 0;
    unsigned hi = id == OPT_PAGES ? BENCH_PAGES_MAX : BENCH_LINKS_MAX;
    char *end;
    errno = 0;
    unsigned long v = strtoul(value, &end, 10);
    if (errno || end == value || *end || value[0] == '-' || v < lo || v > hi) {
        kumo_cli_error("%s expects a number from %u to %u, got '%s'",
                       id == OPT_PAGES ? "--pages" : "--links", lo, hi, value);
        return KUMO_EXIT_USAGE;
    }
    *(id == OPT_PAGES ? &o->pages : &o->links) = (unsigned)v;
    return KUMO_EXIT_OK;
}

/* The final line: the whole crawl's rate, from the stats of the closed crawl. */
static void report(kumo_crawler *c)
{
    int64_t pages = kumo__stats_get_int(kumo__crawler_stats(c), "response_received_count", 0);
    const kumo_value *v = kumo__stats_get(kumo__crawler_stats(c), "elapsed_time_seconds");
    double secs = v && v->type == KUMO_VAL_FLOAT ? v->u.f
                                                 : kumo_now() - kumo__crawler_start_time(c);
    const char *reason = kumo__crawler_finish_reason(c);
    printf("kumo bench: %lld pages in %.2f s: %.0f pages/min (finish_reason: %s)\n",
           (long long)pages, secs, secs > 0 ? (double)pages * 60.0 / secs : 0.0,
           reason ? reason : "?");
    fflush(stdout);
}

int kumo_cmd_bench(int argc, char **argv)
{
    kumo_settings *settings = kumo__settings_new();
    bench_opts_val o = {.pages = 100000, .links = 20};
    kumo_cli_parser p = {
        .cmd = "bench",
        .shared = KUMO_CLI_SET | KUMO_CLI_LOG,
        .opts = bench_opts,
        .on_opt = on_opt,
        .ctx = &o,
        .settings = settings,
    };
    kumo_map args;
    kumo_map_init(&args, KUMO_T_DICT, KUMO_V_DICT);
    kumo_benchsite *site = NULL;
    kumo_crawler *c = NULL;
    char err[1024], url[64];
    int exit_code = KUMO_EXIT_FAIL;

    if (kumo_cli_load_conf(settings) != KUMO_OK)
        goto out;
    if ((exit_code = kumo_cli_parse(&p, argc, argv)) != KUMO_EXIT_OK)
        goto out;
    exit_code = KUMO_EXIT_FAIL;
    site = kumo_benchsite_start(o.pages, o.links, err, sizeof(err));
    if (!site) {
        kumo_cli_error("%s", err);
        goto out;
    }
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", kumo_benchsite_port(site));
    kumo_map_set(&args, "url", kumo_val_str(url));
    c = kumo__crawler_new(&bench_spider, settings, &args, err, sizeof(err));
    settings = NULL;        /* the crawler owns them now, even on failure */
    if (!c) {
        kumo_cli_error("%s", err);
        goto out;
    }
    if (kumo__crawler_run(c) == KUMO_OK) {
        report(c);
        exit_code = KUMO_EXIT_OK;
    }
out:
    kumo__crawler_free(c);
    kumo_benchsite_stop(site);
    kumo__settings_free(settings);
    kumo_map_release(&args);
    kumo__log_set_file(NULL);
    return exit_code;
}
