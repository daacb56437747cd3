/* test_cmd_report.c - `kumo report FILE.jsonl`: LeakWatch samples into the web service's page
 * (data inside) or an SVG of the three charts; the stats from JSON or a log; bad lines named
 * by file and line; long files thinned to 2000 points. */
#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/leakcheck.h"

static kumo_clirun r;
static char dir[] = "/tmp/kumo-report-XXXXXX";

static void setup(void)
{
    kumo_leakcheck_start();
    memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    kumo_leakcheck_end();
}

TestSuite(cmd_report, .init = setup, .fini = teardown, .timeout = 60);

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

static char *read_file(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    cr_assert(f, "no %s", path);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Five samples, 10 s apart: HtmlResponse keeps rising (a leak), Item is never alive, and a
 * class name that would end a <script>. */
static const char samples[] =
    "{\"t\": 0.0, \"rss\": 1000000, \"heap\": 1000, \"free\": 10, \"pages\": 0, \"items\": 0, "
    "\"live\": {\"Request\": 1, \"HtmlResponse\": 0, \"Item\": 0, \"</script>\": 1}, "
    "\"oldest\": {\"Request\": 0.0}}\n"
    "{\"t\": 10.0, \"rss\": 2000000, \"heap\": 2000, \"free\": 20, \"pages\": 10, "
    "\"items\": 5, \"live\": {\"Request\": 5, \"HtmlResponse\": 10, \"Item\": 0}, "
    "\"oldest\": {\"Request\": 1.0, \"HtmlResponse\": 9.0}}\n"
    "\n"
    "{\"t\": 20.0, \"rss\": 3000000, \"heap\": 3000, \"free\": 30, \"pages\": 30, "
    "\"items\": 15, \"live\": {\"Request\": 5, \"HtmlResponse\": 20, \"Item\": 0}, "
    "\"oldest\": {\"Request\": 1.0, \"HtmlResponse\": 19.0}}\n"
    "{\"t\": 30.0, \"rss\": 4000000, \"heap\": 4000, \"free\": 40, \"pages\": 60, "
    "\"items\": 30, \"live\": {\"Request\": 5, \"HtmlResponse\": 30, \"Item\": 0}, "
    "\"oldest\": {\"Request\": 1.0, \"HtmlResponse\": 29.0}}\n"
    "{\"t\": 40.0, \"rss\": 5000000, \"heap\": 5000, \"free\": 50, \"pages\": 100, "
    "\"items\": 50, \"live\": {\"Request\": 5, \"HtmlResponse\": 40, \"Item\": 0}, "
    "\"oldest\": {\"Request\": 1.0, \"HtmlResponse\": 39.0}}\n";

Test(cmd_report, html_page_with_the_data_inside)
{
    write_file("s.jsonl", samples);
    write_file("stats.json", "{\"finish_reason\": \"memusage_exceeded\", "
               "\"leakwatch/suspects\": \"HtmlResponse\", \"item_scraped_count\": 50}");
    char args[512];
    snprintf(args, sizeof(args), "report %s/s.jsonl --stats %s/stats.json", dir, dir);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    cr_assert(strstr(r.out, "kumo report: 5 of 5 samples, 4 classes -> "), "%s", r.out);
    const char *html = read_file("s.html");
    const char *data = strstr(html, "<script>window.KUMO_REPORT = {\"spider\": \"s.jsonl\", ");
    cr_assert(data, "%.300s", html);
    cr_assert(strstr(data, "\"reason\": \"memusage_exceeded\", \"suspects\": \"HtmlResponse\""));
    cr_assert(strstr(data, "\"pages\": [0,10,30,60,100]"));
    cr_assert(strstr(data, "\"rss\": [1000000,2000000,3000000,4000000,5000000]"));
    cr_assert(strstr(data, "\"HtmlResponse\": [0,10,20,30,40]"));
    cr_assert_null(strstr(data, "\"Item\": ["), "a class never alive is not drawn");
    cr_assert(strstr(data, "\"\\u003c/script>\": [1,0,0,0,0]"));
    cr_assert(strstr(data, "{\"name\": \"HtmlResponse\", \"live\": 40, \"oldest\": 39.0}"));
    cr_assert(strstr(data, "\"stats\": {\"finish_reason\": \"memusage_exceeded\""));
    /* one script tag of data before the page's own, the page whole after it */
    cr_assert(strstr(data, ";</script>\n<script>\n\"use strict\";"));
    cr_assert(strstr(html, "</html>\n"));
}

Test(cmd_report, svg_of_the_three_charts_and_stats_from_a_log)
{
    write_file("s.jsonl", samples);
    write_file("crawl.log", "2026-12-07 10:00:00 [kumo.core.engine] INFO: Spider opened\n"
               "2026-12-07 10:00:40 [kumo.statscollectors] INFO: Dumping kumo stats:\n"
               "{'downloader/request_count': 100,\n"
               " 'elapsed_time_seconds': 40.5,\n"
               " 'finish_reason': 'closespider_timeout',\n"
               " 'item_scraped_count': 50}\n"
               "2026-12-07 10:00:40 [kumo.core.engine] INFO: Spider closed "
               "(closespider_timeout)\n");
    char args[512];
    snprintf(args, sizeof(args), "report %s/s.jsonl --stats %s/crawl.log -o %s/r.svg", dir,
             dir, dir);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    char path[256];
    snprintf(path, sizeof(path), "%s/r.svg", dir);
    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    cr_assert(doc, "the SVG is not well-formed XML");
    xmlNodePtr root = xmlDocGetRootElement(doc);
    cr_assert_str_eq((const char *)root->name, "svg");
    size_t charts = 0, lines = 0;
    for (xmlNodePtr g = root->children; g; g = g->next) {
        if (g->type != XML_ELEMENT_NODE || strcmp((const char *)g->name, "g"))
            continue;
        charts++;
        for (xmlNodePtr p = g->children; p; p = p->next)
            if (p->type == XML_ELEMENT_NODE && !strcmp((const char *)p->name, "polyline")) {
                xmlChar *n = xmlGetProp(p, (const xmlChar *)"data-points");
                cr_assert_str_eq((const char *)n, "5");
                xmlFree(n);
                lines++;
            }
    }
    xmlFreeDoc(doc);
    cr_assert_eq(charts, 3);
    cr_assert_eq(lines, 2 + 3 + 3, "rates 2, memory 3, live classes 3 (Item never alive)");
    const char *svg = read_file("r.svg");
    /* pages/min between 30 s and 40 s: (100 - 60) * 60 / 10 = 240, the top of its chart */
    cr_assert(strstr(svg, "pages/min 240</text>"), "%s", svg);
    cr_assert(strstr(svg, "data-name=\"&lt;/script&gt;\""));
    cr_assert(strstr(svg, "HtmlResponse 40</text>"));
    cr_assert(strstr(svg, "RSS 4.8 MiB</text>"));

    snprintf(args, sizeof(args), "report %s/s.jsonl --stats %s/crawl.log -o %s/r.html", dir,
             dir, dir);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    const char *html = read_file("r.html");
    cr_assert(strstr(html, "\"stats\": {\"downloader/request_count\": 100, "
                           "\"elapsed_time_seconds\": 40.5, "
                           "\"finish_reason\": \"closespider_timeout\", "
                           "\"item_scraped_count\": 50}"), "%s", strstr(html, "\"stats\""));
}

Test(cmd_report, long_files_are_thinned)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/long.jsonl", dir);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 5000; i++)
        fprintf(f, "{\"t\": %d, \"rss\": 1, \"live\": {\"Request\": %d}}\n", i, i % 7);
    fclose(f);
    char args[512];
    snprintf(args, sizeof(args), "report %s -o %s/long.svg", path, dir);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    cr_assert(strstr(r.out, "kumo report: 1250 of 5000 samples, 1 classes -> "), "%s", r.out);
    const char *svg = read_file("long.svg");
    cr_assert(strstr(svg, "data-points=\"1250\""));
    cr_assert(strstr(svg, "4996 s</text>"), "the last point kept is sample 4996");
}

Test(cmd_report, bad_input_is_one_line)
{
    write_file("bad.jsonl", "{\"t\": 1, \"live\": {}}\n{\"t\": 2, \"live\": {}}\n{\"t\": 3,\n");
    write_file("other.jsonl", "{\"url\": \"http://x/\"}\n");
    write_file("empty.jsonl", "");
    write_file("notstats.txt", "hello\n");
    static const struct {
        const char *args;
        int code;
        const char *err;
    } cases[] = {
        {"report %s/bad.jsonl", 1, "kumo: %s/bad.jsonl:3: not a LeakWatch sample: "},
        {"report %s/other.jsonl", 1, "kumo: %s/other.jsonl:1: not a LeakWatch sample: a JSON "
                                    "line without \"t\" and \"live\"\n"},
        {"report %s/empty.jsonl", 1, "kumo: '%s/empty.jsonl' holds no sample"},
        {"report %s/none.jsonl", 1, "kumo: cannot open '%s/none.jsonl': No such file"},
        {"report %s/bad.jsonl -o x.png", 2, "kumo: report writes .html or .svg, not 'x.png'"},
        {"report %s/other.jsonl x", 2, "kumo: report takes one samples file"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char args[512], want[512];
        snprintf(args, sizeof(args), cases[i].args, dir);
        snprintf(want, sizeof(want), cases[i].err, dir);
        cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), cases[i].code, "%s: %s", args,
                     r.err);
        cr_assert(strstr(r.err, want) == r.err, "%s: %s", args, r.err);
        cr_assert_eq(strchr(r.err, '\n') - r.err + 1, (long)strlen(r.err), "one line: %s",
                     r.err);
    }
    write_file("s.jsonl", samples);
    char args[512];
    snprintf(args, sizeof(args), "report %s/s.jsonl --stats %s/notstats.txt", dir, dir);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 1);
    cr_assert(strstr(r.err, "holds no stats: expected a JSON object (/api/stats) or a log"));
}
