/* test_repl.c - console sessions against hand-built objects: the seed's transcripts output
 * byte for byte, the crawl's builtins, hpy, output caps, hostile input and a fuzz loop. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "console/repl.h"
#include "console/cval.h"
#include "core/crawler.h"
#include "core/engine.h"
#include "core/settings.h"
#include "core/spider.h"
#include "core/stats.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/response.h"
#include "select/css.h"
#include "select/pool.h"
#include "lib/leakcheck.h"
#include <event2/event.h>

static void setup(void)
{
    kumo_class_first();         /* register the built-in classes before any object exists */
    kumo_leakcheck_start();
}

static void no_leaks(void)
{
    kumo__select_cleanup();
    kumo_class_cleanup();
    kumo_leakcheck_end();
}

TestSuite(repl, .init = setup, .fini = no_leaks);

/* ---- helpers ---- */

static kumo_buf outbuf;

/* Run one line with an output cap; returns the output (borrowed until the next call). */
static const char *run_cap(kumo_repl *r, const char *line, size_t cap, int *rc)
{
    kumo__buf_release(&outbuf);
    kumo__buf_init(&outbuf, cap, KUMO_T_STR, KUMO_V_NONE);
    int x = kumo__repl_eval(r, line, strlen(line), &outbuf);
    if (rc)
        *rc = x;
    return kumo__buf_str(&outbuf);
}

static const char *run(kumo_repl *r, const char *line)
{
    return run_cap(r, line, 1 << 20, NULL);
}

static void done_output(void)
{
    kumo__buf_release(&outbuf);
}

typedef struct step {
    const char *in, *out;
} step;

static void transcript(kumo_repl *r, const step *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *got = run(r, s[i].in);
        cr_assert_str_eq(got, s[i].out, ">>> %s\n--- got:\n%s--- want:\n%s", s[i].in, got,
                         s[i].out);
    }
}

static kumo_request *req_new(const char *url)
{
    int err;
    kumo_request *r = kumo_request_new(url, NULL, &err);
    cr_assert_not_null(r, "request for %s", url);
    return r;
}

static kumo_response *html_new(kumo_request *req, const char *url, const char *body)
{
    kumo_headers *h = kumo__headers_new();
    kumo_headers_add(h, "content-type", "text/html; charset=utf-8");
    kumo_headers_add(h, "Set-Cookie", "a=1");
    kumo_headers_add(h, "set-cookie", "b=2");
    size_t len = strlen(body);
    char *b = kumo_alloc(len + 1, KUMO_T_BYTES, KUMO_V_BODY);
    memcpy(b, body, len + 1);
    return kumo__response_new(req, url, 200, h, b, len);
}

static void set_age(kumo_ref *r, int seconds)
{
    r->born = kumo_now() - seconds - 0.25;
}

/* Move a request into another class of the Request family (FormRequest). */
static void reclass(kumo_ref *r, kumo_class *cls)
{
    double born = r->born;
    kumo_ref_fini(r);
    kumo_ref_init(r, cls);
    r->born = born;
}

#define PID_URL "http://www.somenastyspider.com/product.php?pid="
#define PAGE "<html><head><title>Product</title></head><body>" \
             "<a href=\"/p?x=1\" class=\"big\">next</a><p>caf\xc3\xa9 it's</p></body></html>"

/* ---- the seed: "trackref" transcripts ---- */

static const kumo_spider_def nasty_def = {.name = "somenasty"};
static const kumo_spider_def example_def = {.name = "example"};

/* Returns a new bare crawler of def: default settings, no loop, no engine. */
static kumo_crawler *crawler_init(const kumo_spider_def *def)
{
    return kumo__crawler_new_bare(kumo__settings_new(), def);
}

static void crawler_release(kumo_crawler *c)
{
    kumo__crawler_free(c);
    kumo_class_cleanup();
}

/* Two selectors kept alive, their list gone (the seed's "Selector 2"). */
static void two_selectors(kumo_response *res, kumo_selector **out)
{
    size_t mark = kumo__pool_mark();
    kumo_selector_list *l = kumo_css(res, "a, title");
    cr_assert_eq(kumo_list_len(l), 2);
    out[0] = kumo_sel_ref(kumo_list_at(l, 0));
    out[1] = kumo_sel_ref(kumo_list_at(l, 1));
    kumo__pool_drain(mark);
}

Test(repl, seed_prefs_example)
{
    /* ExampleSpider 1 (15s), HtmlResponse 10 (1s), Selector 2 (0s), FormRequest 878 (7s) */
    kumo_crawler *c = crawler_init(&example_def);
    set_age(&kumo_crawler_spider(c)->ref, 15);
    kumo_response *res[10];
    for (int i = 0; i < 10; i++) {
        res[i] = html_new(NULL, PID_URL "1", PAGE);
        set_age(&res[i]->ref, i ? 0 : 1);
    }
    kumo_request *reqs[878];
    for (int i = 0; i < 878; i++) {
        reqs[i] = req_new("http://example.com/form");
        reclass(&reqs[i]->ref, &KUMO_CLASS(FormRequest));
        set_age(&reqs[i]->ref, i ? 1 : 7);
    }
    kumo_selector *sel[2];
    two_selectors(res[9], sel);

    kumo_repl *r = kumo__repl_new(c);
    static const step s[] = {
        {"prefs()", "Live References\n\n"
                    "ExampleSpider                       1   oldest: 15s ago\n"
                    "FormRequest                       878   oldest: 7s ago\n"
                    "HtmlResponse                       10   oldest: 1s ago\n"
                    "Selector                            2   oldest: 0s ago\n\n"},
        {"from scrapy.spiders import Spider", ""},
        {"prefs(ignore=Spider)", "Live References\n\n"
                                 "FormRequest                       878   oldest: 7s ago\n"
                                 "HtmlResponse                       10   oldest: 1s ago\n"
                                 "Selector                            2   oldest: 0s ago\n\n"},
        /* FormRequest is a Request: ignoring Request drops it; a tuple works too */
        {"print_live_refs(ignore=(Request, Selector))",
         "Live References\n\n"
         "ExampleSpider                       1   oldest: 15s ago\n"
         "HtmlResponse                       10   oldest: 1s ago\n\n"},
        {"prefs(Response)", "Live References\n\n"
                            "ExampleSpider                       1   oldest: 15s ago\n"
                            "FormRequest                       878   oldest: 7s ago\n"
                            "Selector                            2   oldest: 0s ago\n\n"},
        {"get_oldest('FormRequest')", "<GET http://example.com/form>\n"},
        {"len(iter_all('FormRequest'))", "878\n"},
        {"prefs(ignore='Spider')",
         "TypeError: issubclass() arg 2 must be a class, a tuple of classes, or a union\n"},
    };
    transcript(r, s, KUMO_ARRAY_LEN(s));
    kumo__repl_free(r);
    done_output();
    kumo_sel_unref(sel[0]);
    kumo_sel_unref(sel[1]);
    for (int i = 0; i < 878; i++)
        kumo_request_unref(reqs[i]);
    for (int i = 0; i < 10; i++)
        kumo_response_unref(res[i]);
    crawler_release(c);
}

/* The seed's leak: every Request holds a Response in meta['referer']. */
typedef struct leak {
    kumo_crawler *c;
    size_t nres, nreq;
    kumo_response **res;
    kumo_request **req;
    kumo_selector *sel[2];
} leak;

static void leak_init(leak *L, size_t nres, size_t nreq, const int *pids, size_t npids)
{
    L->c = crawler_init(&nasty_def);
    set_age(&kumo_crawler_spider(L->c)->ref, 15);
    L->nres = nres;
    L->nreq = nreq;
    L->res = kumo_calloc(nres, sizeof(*L->res), KUMO_T_OTHER, KUMO_V_NONE);
    L->req = kumo_calloc(nreq, sizeof(*L->req), KUMO_T_OTHER, KUMO_V_NONE);
    for (size_t i = 0; i < nres; i++) {
        char url[128];
        snprintf(url, sizeof(url), PID_URL "%d", i < npids ? pids[i] : (int)(1000 + i));
        L->res[i] = html_new(NULL, url, PAGE);
        set_age(&L->res[i]->ref, i ? 3 : 265);
    }
    for (size_t i = 0; i < nreq; i++) {
        L->req[i] = req_new("http://www.somenastyspider.com/product.php?pid=999");
        kumo_map_set(kumo_request_meta(L->req[i]), "referer", kumo_val_obj(&L->res[i]->ref));
        set_age(&L->req[i]->ref, i ? 2 : 250);
    }
    two_selectors(L->res[nres - 1], L->sel);
}

static void leak_release(leak *L)
{
    kumo_sel_unref(L->sel[0]);
    kumo_sel_unref(L->sel[1]);
    for (size_t i = 0; i < L->nreq; i++)
        kumo_request_unref(L->req[i]);
    for (size_t i = 0; i < L->nres; i++)
        kumo_response_unref(L->res[i]);
    kumo_free(L->req);
    kumo_free(L->res);
    crawler_release(L->c);
}

Test(repl, seed_leak_transcript)
{
    static const int pids[] = {123, 584, 77};
    leak L;
    leak_init(&L, 3890, 3878, pids, 3);
    kumo_repl *r = kumo__repl_new(L.c);
    static const step s[] = {
        {"prefs()", "Live References\n\n"
                    "HtmlResponse                     3890   oldest: 265s ago\n"
                    "Request                          3878   oldest: 250s ago\n"
                    "Selector                            2   oldest: 0s ago\n"
                    "SomenastySpider                     1   oldest: 15s ago\n\n"},
        {"from scrapy.utils.trackref import get_oldest", ""},
        {"r = get_oldest('HtmlResponse')", ""},
        {"r.url", "'http://www.somenastyspider.com/product.php?pid=123'\n"},
        {"from scrapy.utils.trackref import iter_all", ""},
        {"from scrapy.spiders import Spider", ""},
        {"prefs(ignore=Spider)", "Live References\n\n"
                                 "HtmlResponse                     3890   oldest: 265s ago\n"
                                 "Request                          3878   oldest: 250s ago\n"
                                 "Selector                            2   oldest: 0s ago\n\n"},
        /* the reasoning of the seed: the oldest request holds the oldest response */
        {"get_oldest('Request').meta['referer'] is r", "True\n"},
        {"get_oldest('Request').meta['referer'].url == r.url", "True\n"},
        {"len(iter_all('HtmlResponse')), len(iter_all('Request'))", "(3890, 3878)\n"},
    };
    transcript(r, s, KUMO_ARRAY_LEN(s));

    /* Python's console prints the list on one line; here it passes the output cap */
    int rc;
    const char *got = run_cap(r, "[r.url for r in iter_all('HtmlResponse')]", 4096, &rc);
    cr_assert_eq(rc, KUMO_OK);
    cr_assert(strncmp(got, "['" PID_URL "123', '" PID_URL "584', '" PID_URL "77', '",
                      strlen("['" PID_URL "123', '" PID_URL "584', '" PID_URL "77', '")) == 0,
              "%s", got);
    size_t n = strlen(got);
    cr_assert_leq(n, 4096);
    cr_assert_str_eq(got + n - strlen("\n... (output truncated)\n"), "\n... (output truncated)\n");

    /* the session keeps r alive like Python: drop every crawl reference, r remains */
    kumo_response *oldest = L.res[0];
    kumo_response_ref(oldest);
    leak_release(&L);
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(HtmlResponse)), 1);
    kumo_response_unref(oldest);
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(HtmlResponse)), 1, "the session's r holds it");
    kumo_class_first();
    cr_assert_str_eq(run(r, "r.status"), "200\n");
    cr_assert_str_eq(run(r, "r = None"), "");       /* reassigning drops it */
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(HtmlResponse)), 0);
    kumo__repl_free(r);
    done_output();
}

Test(repl, seed_iter_all_one_line)
{
    static const int pids[] = {123, 584};
    leak L;
    leak_init(&L, 2, 2, pids, 2);
    kumo_repl *r = kumo__repl_new(L.c);
    static const step s[] = {
        {"from scrapy.utils.trackref import iter_all", ""},
        {"[r.url for r in iter_all('HtmlResponse')]",
         "['http://www.somenastyspider.com/product.php?pid=123', "
         "'http://www.somenastyspider.com/product.php?pid=584']\n"},
        {"r", "NameError: name 'r' is not defined\n"},      /* comprehension scope */
        {"_[1]", "'http://www.somenastyspider.com/product.php?pid=584'\n"},
        {"iter_all('XmlResponse')", "[]\n"},
        {"get_oldest('XmlResponse')", ""},
        {"get_oldest('NoSuchClass')", ""},
        {"get_oldest(HtmlResponse)", "<200 http://www.somenastyspider.com/product.php?pid=123>\n"},
        {"get_oldest()", "TypeError: get_oldest() missing required argument 'class_name' "
                         "(pos 1)\n"},
        {"[(q.method, q.priority, q.callback) for q in iter_all('Request')]",
         "[('GET', 0, None), ('GET', 0, None)]\n"},
    };
    transcript(r, s, KUMO_ARRAY_LEN(s));
    kumo__repl_free(r);
    done_output();
    leak_release(&L);
}

/* ---- attributes of live objects ---- */

Test(repl, object_attributes)
{
    kumo_crawler *c = crawler_init(&nasty_def);
    kumo_request *rq = req_new(PID_URL "123");
    kumo_request_set_priority(rq, 5);
    kumo_map_set(kumo_request_meta(rq), "depth", kumo_val_int(2));
    kumo_response *res = html_new(rq, PID_URL "123", PAGE);
    kumo_item *it = kumo_item_new();
    kumo_item_set_str(it, "name", "caf\xc3\xa9");
    kumo_item_set_int(it, "price", 3);
    kumo_map_set(&kumo_crawler_spider(c)->state, "pages", kumo_val_int(7));

    kumo_repl *r = kumo__repl_new(c);
    static const step s[] = {
        {"r = get_oldest('HtmlResponse')", ""},
        {"r", "<200 http://www.somenastyspider.com/product.php?pid=123>\n"},
        {"r.status, r.url[-7:]", "(200, 'pid=123')\n"},
        {"r.body[:25]", "b'<html><head><title>Produc'\n"},
        {"r.body[-12:-7]", "b'body>'\n"},
        {"len(r.body), len(r.text)", "(115, 114)\n"},
        {"r.text[-24:-7]", "\"é it's</p></body>\"\n"},
        {"r.headers", "{b'Content-Type': [b'text/html; charset=utf-8'], "
                      "b'Set-Cookie': [b'a=1', b'b=2']}\n"},
        {"r.headers['set-cookie']", "b'b=2'\n"},
        {"r.headers.getlist('Set-Cookie')", "[b'a=1', b'b=2']\n"},
        {"r.headers['X-Nope']", "KeyError: 'X-Nope'\n"},
        {"r.headers.get('X-Nope', 'dflt')", "'dflt'\n"},
        {"r.request", "<GET http://www.somenastyspider.com/product.php?pid=123>\n"},
        {"r.meta", "{'depth': 2}\n"},
        {"r.request.priority, r.request.method, r.request.cb_kwargs", "(5, 'GET', {})\n"},
        {"r.request.headers", "{}\n"},
        {"r.css('title')", "[<Selector xpath='descendant-or-self::title' "
                           "data='<title>Product</title>'>]\n"},
        {"r.css('title::text').get()", "'Product'\n"},
        {"r.css('a')[0]", "<Selector xpath='descendant-or-self::a' "
                          "data='<a href=\"/p?x=1\" class=\"big\">next</a>'>\n"},
        {"r.css('a').attrib", "{'href': '/p?x=1', 'class': 'big'}\n"},
        {"r.css('a')[0].attrib['class']", "'big'\n"},
        {"r.xpath('//a/@href').getall()", "['/p?x=1']\n"},
        {"r.xpath('//body').css('p::text').get()", "\"café it's\"\n"},
        {"r.css('h1').get() is None", "True\n"},
        {"r.css('h1').get('none')", "'none'\n"},
        {"len(r.css('a, p'))", "2\n"},
        {"r.css('a')[5]", "IndexError: list index out of range\n"},
        {"r.css('body')[0].xpath('.//a/text()').get()", "'next'\n"},
        {"r.urljoin('/x')", "'http://www.somenastyspider.com/x'\n"},
        {"r.nope", "AttributeError: 'HtmlResponse' object has no attribute 'nope'\n"},
        {"r.request.nope", "AttributeError: 'Request' object has no attribute 'nope'\n"},
        {"r.url = 'x'", "AttributeError: 'HtmlResponse' object attribute 'url' is read-only "
                        "in the console\n"},
        {"i = get_oldest('Item')", ""},
        {"i", "{'name': 'café', 'price': 3}\n"},
        {"i['name'], i['price'] + 1", "('café', 4)\n"},
        {"i['nope']", "KeyError: 'nope'\n"},
        {"i.fields", "{'name': 'café', 'price': 3}\n"},
        {"list(i.keys()), len(i)", "(['name', 'price'], 2)\n"},
        {"spider.name", "'somenasty'\n"},
        {"spider.state", "{'pages': 7}\n"},
        {"get_oldest('SomenastySpider').name", "'somenasty'\n"},
        {"isinstance(spider, Spider), isinstance(r, TextResponse), isinstance(r, Request)",
         "(True, True, False)\n"},
        {"SomenastySpider", "<class 'SomenastySpider'>\n"},
        {"type(r)", "<class 'scrapy.http.response.html.HtmlResponse'>\n"},
    };
    transcript(r, s, KUMO_ARRAY_LEN(s));
    kumo__repl_free(r);
    done_output();
    kumo_item_unref(it);
    kumo_response_unref(res);
    kumo_request_unref(rq);
    crawler_release(c);
}

static void cb_parse(kumo_response *res, kumo_out *out)
{
}

static void cb_detail(kumo_response *res, kumo_out *out)
{
}

static void eb_failed(kumo_failure *f, kumo_out *out)
{
}

static void eb_unlisted(kumo_failure *f, kumo_out *out)
{
}

static const kumo_spider_def named_def = {
    .name = "named", .callbacks = KUMO_CALLBACKS(cb_parse, cb_detail),
    .errbacks = KUMO_ERRBACKS(eb_failed),
};

/* What a request carries for its callback: cb_kwargs, callback and errback by name. */
Test(repl, request_callbacks_and_kwargs)
{
    kumo_crawler *c = crawler_init(&named_def);
    kumo_request *rq = req_new(PID_URL "1");
    kumo_request_set_callback(rq, cb_detail);
    kumo_request_set_errback(rq, eb_failed);
    kumo_map_set(kumo_request_cb_kwargs(rq), "page", kumo_val_int(2));
    kumo_map_set(kumo_request_cb_kwargs(rq), "tag", kumo_val_str("x"));
    kumo_response *res = html_new(rq, PID_URL "1", PAGE);
    kumo_request *plain = req_new(PID_URL "2");
    kumo_response *orphan = html_new(NULL, PID_URL "3", PAGE);
    kumo_request *odd = req_new(PID_URL "4");
    kumo_request_set_errback(odd, eb_unlisted);

    kumo_repl *r = kumo__repl_new(c);
    static const step s[] = {
        {"q, p, o = iter_all('Request')", ""},
        {"q.cb_kwargs", "{'page': 2, 'tag': 'x'}\n"},
        {"q.cb_kwargs['page'] + 1", "3\n"},
        {"q.callback, q.errback", "('cb_detail', 'eb_failed')\n"},
        {"p.cb_kwargs, p.callback, p.errback", "({}, None, None)\n"},
        {"o.errback", "'<errback>'\n"},
        {"[a for a in dir(q) if a in ('callback', 'cb_kwargs', 'errback')]",
         "['callback', 'cb_kwargs', 'errback']\n"},
        {"r, orphan = iter_all('HtmlResponse')", ""},
        {"r.cb_kwargs", "{'page': 2, 'tag': 'x'}\n"},
        {"'cb_kwargs' in dir(r)", "True\n"},
        {"orphan.cb_kwargs", "AttributeError: Response.cb_kwargs not available, this response "
                             "is not tied to any request\n"},
    };
    transcript(r, s, KUMO_ARRAY_LEN(s));
    kumo__repl_free(r);
    done_output();
    kumo_response_unref(orphan);
    kumo_response_unref(res);
    kumo_request_unref(odd);
    kumo_request_unref(plain);
    kumo_request_unref(rq);
    crawler_release(c);
}

/* ---- the crawl: engine, stats, settings, crawler ---- */

Test(repl, crawl_builtins)
{
    kumo_crawler *c = crawler_init(&nasty_def);
    struct event_base *base = event_base_new();
    kumo__crawler_set_base(c, base);
    kumo__crawler_set_start_time(c, kumo_now());
    char err[256];
    cr_assert_eq(kumo__settings_set(kumo__crawler_settings(c), "DOWNLOAD_DELAY", "0.5",
                                   KUMO_PRIO_CMDLINE, err, sizeof(err)), KUMO_OK);
    cr_assert_eq(kumo__crawler_open_engine(c, err, sizeof(err)), KUMO_OK, "%s", err);
    kumo__stats_set_int(kumo__crawler_stats(c), "item_scraped_count", 42);
    kumo__stats_set_str(kumo__crawler_stats(c), "finish_reason", "x");

    kumo_repl *r = kumo__repl_new(c);
    static const step s[] = {
        {"stats.get_value('item_scraped_count')", "42\n"},
        {"stats.get_value('nope')", ""},
        {"stats.get_value('nope', 0)", "0\n"},
        {"stats.get_stats()", "{'item_scraped_count': 42, 'finish_reason': 'x'}\n"},
        {"crawler.stats.get_value('item_scraped_count') + 1", "43\n"},
        {"settings['DOWNLOAD_DELAY']", "0.5\n"},
        {"settings['CONCURRENT_REQUESTS']", "16\n"},
        {"settings['TELNETCONSOLE_ENABLED']", "True\n"},
        {"settings['NO_SUCH_SETTING']", ""},
        {"settings.get('NO_SUCH_SETTING', 3)", "3\n"},
        {"settings.getint('CONCURRENT_REQUESTS')", "16\n"},
        {"crawler.settings['DOWNLOAD_DELAY'] == settings['DOWNLOAD_DELAY']", "True\n"},
        {"crawler.spider.name", "'somenasty'\n"},
        {"engine.paused", "False\n"},
        {"engine.pause()", ""},
        {"engine.paused", "True\n"},
        {"engine.unpause()", ""},
        {"engine.paused", "False\n"},
        {"crawler.engine.paused", "False\n"},
    };
    transcript(r, s, KUMO_ARRAY_LEN(s));

    const char *st = run(r, "est()");
    cr_assert(strncmp(st, "Execution engine status\n\n", 25) == 0, "%s", st);
    cr_assert_not_null(strstr(st, "\nlen(engine.downloader.active)                   : 0\n"), "%s",
                       st);
    cr_assert_not_null(strstr(st, "\nengine.spider.name                              : "
                                  "somenasty\n"), "%s", st);
    cr_assert_not_null(strstr(st, "\nengine.scraper.slot.needs_backout()             : False\n\n"),
                       "%s", st);
    /* kumo's block after Scrapy's: the time per stage since the engine opened */
    const char *stages[] = {"parse", "callback", "select", "engine", "download"};
    const char *at = strstr(st, "False\n\n");
    for (size_t i = 0; i < KUMO_ARRAY_LEN(stages); i++) {
        char head[64];
        snprintf(head, sizeof(head), "\ntiming/%s_us", stages[i]);
        const char *row = strstr(st, head);
        cr_assert(row && row > at, "%s row after Scrapy's: %s", stages[i], st);
        unsigned long long us;
        double per;
        cr_assert_eq(sscanf(row + 48, " : %llu (%lf per page)", &us, &per), 2, "%s", row);
        at = row;
    }
    /* then the loop's lag, and a blank line at the end */
    const char *after = at + strcspn(at + 1, "\n") + 1;
    cr_assert(strncmp(after, "\n\nloop lag (ms)  max ", 21) == 0, "%s", after);
    size_t stlen = strlen(st);
    cr_assert(stlen > 2 && strcmp(st + stlen - 2, "\n\n") == 0, "ends with a blank line");
    size_t rows = 0;
    for (const char *p = st; (p = strstr(p, " : ")); p++)
        rows++;
    cr_assert_eq(rows, 14 + KUMO_ARRAY_LEN(stages));

    cr_assert_str_eq(run(r, "engine.stop()"), "");
    kumo_engine *e = kumo__crawler_engine(c);
    cr_assert(kumo__engine_closing(e) || kumo__engine_closed(e));
    kumo__repl_free(r);
    done_output();
    crawler_release(c);
    event_base_free(base);
}

Test(repl, no_crawl)
{
    kumo_repl *r = kumo__repl_new(NULL);
    static const step s[] = {
        {"engine", "RuntimeError: no crawl is running\n"},
        {"engine.stop()", "RuntimeError: no crawl is running\n"},
        {"stats.get_value('x')", "RuntimeError: no crawl is running\n"},
        {"settings['BOT_NAME']", "RuntimeError: no crawl is running\n"},
        {"spider", "RuntimeError: no crawl is running\n"},
        {"crawler", "RuntimeError: no crawl is running\n"},
        {"est()", "RuntimeError: no crawl is running\n"},
        {"prefs()", "Live References\n\n\n"},
        {"1 + 1", "2\n"},
    };
    transcript(r, s, KUMO_ARRAY_LEN(s));
    kumo__repl_free(r);
    done_output();
}

/* ---- hpy ---- */

/* The row of a partition table naming name: its count and size. */
static bool table_row(const char *text, const char *name, unsigned long long *count,
                      unsigned long long *size, unsigned *index)
{
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        size_t nlen = strlen(name);
        if (len > nlen && memcmp(line + len - nlen, name, nlen) == 0 &&
            line[len - nlen - 1] == ' ') {
            unsigned long long cum;
            int p1, p2, p3;
            if (sscanf(line, "%u %llu %d %llu %d %llu %d", index, count, &p1, size, &p2, &cum,
                       &p3) == 7)
                return true;
        }
    }
    return false;
}

Test(repl, hpy_heap_views)
{
    /* known amounts under known tags: 3 x 1000 bytes of one type, via '.blob' */
    kumo_tag type = kumo_type_intern("test.console.blob");
    kumo_tag via = kumo_via_intern("'.blob'");
    void *blob[3];
    for (int i = 0; i < 3; i++)
        blob[i] = kumo_alloc(1000, type, via);
    /* and 25 more types, so that the partition has more than 20 rows */
    void *small[25];
    for (int i = 0; i < 25; i++) {
        char name[64];
        snprintf(name, sizeof(name), "test.console.t%02d", i);
        small[i] = kumo_alloc(8, kumo_type_intern(name), KUMO_V_NONE);
    }
    kumo_repl *r = kumo__repl_new(NULL);
    cr_assert_str_eq(run(r, "x = hpy.heap()"), "");
    const char *t = run(r, "x.bytype");
    cr_assert(strncmp(t, "Partition of a set of ", 22) == 0, "%s", t);
    cr_assert_not_null(strstr(t, "\n Index  Count   %     Size   % Cumulative  % Type\n"), "%s", t);
    unsigned long long count, size;
    unsigned idx;
    cr_assert(table_row(t, "test.console.blob", &count, &size, &idx), "%s", t);
    cr_assert_eq(count, 3);
    cr_assert_eq(size, 3000);
    cr_assert_not_null(strstr(t, " more rows. Type e.g. '_.more' to view.>\n"), "%s", t);

    /* _.more: the next page starts at row 10; its own .more goes on */
    const char *m = run(r, "_.more");
    cr_assert_not_null(strstr(m, "\n    10 "), "%s", m);
    cr_assert_null(strstr(m, "\n     9 "), "%s", m);
    m = run(r, "_.more");
    cr_assert_not_null(strstr(m, "    20 "), "%s", m);

    char line[128];
    snprintf(line, sizeof(line), "x.bytype[%u]", idx);
    cr_assert_str_eq(run(r, line), "Partition of a set of 3 objects. Total size = 3000 bytes.\n"
                                   " Index  Count   %     Size   % Cumulative  % Type\n"
                                   "     0      3 100     3000 100      3000 100 "
                                   "test.console.blob\n");
    snprintf(line, sizeof(line), "x.bytype[%u].byvia", idx);
    cr_assert_str_eq(run(r, line), "Partition of a set of 3 objects. Total size = 3000 bytes.\n"
                                   " Index  Count   %     Size   % Cumulative  % Referred Via:\n"
                                   "     0      3 100     3000 100      3000 100 '.blob'\n");
    snprintf(line, sizeof(line), "x.bytype[%u].size, x.bytype[%u].count", idx, idx);
    cr_assert_str_eq(run(r, line), "(3000, 3)\n");
    t = run(r, "x.byvia");
    cr_assert_not_null(strstr(t, "% Referred Via:\n"), "%s", t);
    cr_assert(table_row(t, "'.blob'", &count, &size, &idx), "%s", t);
    cr_assert_eq(size, 3000);
    cr_assert_str_eq(run(r, "x.size > 3000, x.count > 3"), "(True, True)\n");
    cr_assert_str_eq(run(r, "x.bytype[1000]"), "IndexError: partition index out of range\n");

    kumo__repl_free(r);
    done_output();
    for (int i = 0; i < 3; i++)
        kumo_free(blob[i]);
    for (int i = 0; i < 25; i++)
        kumo_free(small[i]);
}

Test(repl, mem_and_trim)
{
    kumo_repl *r = kumo__repl_new(NULL);
    const char *t = run(r, "mem()");
    cr_assert_not_null(strstr(t, "RSS"), "%s", t);
    t = run(r, "trim()");
    cr_assert(strncmp(t, "trim(): RSS ", 12) == 0, "%s", t);
    kumo__repl_free(r);
    done_output();
}

/* ---- help, exit ---- */

Test(repl, help_and_exit)
{
    kumo_repl *r = kumo__repl_new(NULL);
    const char *h = run(r, "help()");
    static const char *const names[] = {
        "prefs(", "print_live_refs(", "get_oldest(", "iter_all(", "hpy ", "mem()", "trim()",
        "est()", "engine ", "spider ", "crawler ", "stats ", "settings ", "len(", "help(",
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(names); i++) {
        char want[64];
        snprintf(want, sizeof(want), "\n%s", names[i]);
        cr_assert(strncmp(h, names[i], strlen(names[i])) == 0 || strstr(h, want),
                  "help() lacks %s:\n%s", names[i], h);
    }
    for (const char *p = h; *p; p = strchr(p, '\n') + 1)     /* one line each */
        cr_assert(strchr(p, '\n') && (size_t)(strchr(p, '\n') - p) < 140);
    cr_assert_str_eq(run(r, "help(prefs)"), "prefs(ignore=None): print live tracked objects "
                                            "per class, oldest age (Scrapy's print_live_refs)\n");
    int rc;
    run_cap(r, "x = 1", 1024, &rc);
    cr_assert_eq(rc, KUMO_OK);
    run_cap(r, "exit()", 1024, &rc);
    cr_assert_eq(rc, KUMO_EDONE);
    run_cap(r, "quit()", 1024, &rc);
    cr_assert_eq(rc, KUMO_EDONE);
    kumo__repl_free(r);
    done_output();
}

/* ---- bounds ---- */

Test(repl, output_cap)
{
    kumo_repl *r = kumo__repl_new(NULL);
    const char *t = run_cap(r, "'a' * 1000", 100, NULL);
    cr_assert_leq(strlen(t), 100);
    cr_assert(strncmp(t, "'aaaa", 5) == 0, "%s", t);
    cr_assert_str_eq(t + strlen(t) - 24, "\n... (output truncated)\n", "%s", t);
    t = run_cap(r, "print('x' * 500)", 64, NULL);
    cr_assert_leq(strlen(t), 64);
    cr_assert_str_eq(t + strlen(t) - 23, "... (output truncated)\n", "%s", t);
    t = run_cap(r, "help()", 200, NULL);
    cr_assert_leq(strlen(t), 200);
    cr_assert_str_eq(t + strlen(t) - 23, "... (output truncated)\n", "%s", t);
    /* a tiny cap still ends cleanly */
    t = run_cap(r, "'abc'", 8, NULL);
    cr_assert_leq(strlen(t), 8);
    /* what fits is not truncated */
    cr_assert_str_eq(run_cap(r, "'abc'", 8 + 24, NULL), "'abc'\n");
    kumo__repl_free(r);
    done_output();
}

Test(repl, hostile_input)
{
    kumo_repl *r = kumo__repl_new(NULL);
    size_t big = 1 << 20;
    char *line = kumo_alloc(big + 1, KUMO_T_STR, KUMO_V_NONE);
    memset(line, 'a', big);
    line[big] = '\0';
    const char *t = run(r, line);
    cr_assert_str_eq(t, "SyntaxError: line too long (1048576 bytes; the console reads at most "
                        "16384)\n");
    /* a long but accepted string literal */
    line[0] = '\'';
    line[16000] = '\'';
    line[16001] = '\0';
    t = run(r, line);
    cr_assert_eq(strlen(t), 16002);
    kumo_free(line);

    static const step s[] = {
        {"'a' * 10000000", "MemoryError: result longer than 1048576 bytes\n"},
        {"x = 'a' * 1000000", ""},
        {"x + x", "MemoryError: result longer than 1048576 bytes\n"},
        {"y = [0] * 100000", ""},
        {"len(y)", "100000\n"},
        {"y + y", "MemoryError: more than 100000 items\n"},
        {"range(200000)", "MemoryError: more than 100000 items\n"},
        {"[a for a in y for b in y]", "MemoryError: more than 100000 items\n"},
        {"len([1 for a in y for b in y if 0])",
         "RuntimeError: evaluation step limit exceeded (5000000)\n"},
        {"x = y = None", ""},
        {"2 ** 64", "OverflowError: integer result too large for the console (64 bits)\n"},
        {"99999999999999999999", "OverflowError: int too large for the console (max "
                                 "9223372036854775807)\n"},
    };
    transcript(r, s, KUMO_ARRAY_LEN(s));

    /* nesting: parentheses, unary chains, attribute chains, containers */
    char deep[4096];
    memset(deep, '(', 150);
    strcpy(deep + 150, "1");
    memset(deep + 151, ')', 150);
    deep[301] = '\0';
    cr_assert_str_eq(run(r, deep), "SyntaxError: too many nested parentheses\n");
    memset(deep, '[', 90);
    strcpy(deep + 90, "1");
    memset(deep + 91, ']', 90);
    deep[181] = '\0';
    cr_assert_str_eq(run(r, deep), "RecursionError: maximum recursion depth exceeded during "
                                   "compilation\n");
    memset(deep, '-', 1000);
    strcpy(deep + 1000, "1");
    cr_assert_str_eq(run(r, deep), "RecursionError: maximum recursion depth exceeded during "
                                   "compilation\n");
    strcpy(deep, "x");
    for (int i = 0; i < 300; i++)
        strcat(deep, ".a");
    cr_assert_str_eq(run(r, deep), "RecursionError: maximum recursion depth exceeded during "
                                   "compilation\n");
    strcpy(deep, "1");
    for (int i = 0; i < 300; i++)
        strcat(deep, "+1");
    cr_assert_str_eq(run(r, deep), "RecursionError: maximum recursion depth exceeded during "
                                   "compilation\n");
    run(r, "n = []");
    for (int i = 0; i < 63; i++)     /* [] is depth 1; CV_DEPTH_MAX is 64 */
        cr_assert_str_eq(run(r, "n = [n]"), "");
    cr_assert_str_eq(run(r, "n = [n]"), "RecursionError: maximum container nesting depth "
                                        "exceeded\n");
    for (int i = 0; i < 1000; i++) {
        char name[32];
        snprintf(name, sizeof(name), "v%d = %d", i, i);
        run(r, name);
    }
    cr_assert_str_eq(run(r, "one_more = 1"), "MemoryError: too many variables in this session "
                                             "(max 1000)\n");
    kumo__repl_free(r);
    done_output();
}

/* Random bytes and random token soup: no crash, no leak, every line answered. */
Test(repl, fuzz)
{
    static const char *const vocab[] = {
        "x", "r", "_", "prefs", "get_oldest", "iter_all", "hpy", "heap", "bytype", "byvia",
        "more", "len", "help", "'HtmlResponse'", "'a'", "b'\\x00'", "1", "0", "-1", "2.5",
        "None", "True", "(", ")", "[", "]", "{", "}", ",", ":", ".", "=", "+", "-", "*", "/",
        "%", "**", "//", "==", "<", "not", "and", "or", "in", "is", "for", "if", "else",
        "from", "import", "scrapy.utils.trackref", "as", "lambda", "url", "body", "css",
        "'title'", "meta", "ignore", "Spider", "Request", "\\", "'", "\"", "#", " ", "\t",
        "\xff", "\xc3", "\x00", "exit", "str", "sorted", "range", "print", "dict", "__name__",
    };
    kumo_request *rq = req_new(PID_URL "5");
    kumo_response *res = html_new(rq, PID_URL "5", PAGE);
    kumo_repl *r = kumo__repl_new(NULL);
    run(r, "r = get_oldest('HtmlResponse')");
    run(r, "x = [1, 'a', b'b', (2,), {'k': r}]");
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    char line[256];
    for (int iter = 0; iter < 30000; iter++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        size_t n = 0;
        if (iter % 3 == 0) {
            size_t len = seed % 64;
            uint64_t s2 = seed;
            for (size_t i = 0; i < len; i++) {
                s2 = s2 * 6364136223846793005ull + 1442695040888963407ull;
                line[n++] = (char)(s2 >> 56);
            }
        } else {
            uint64_t s2 = seed;
            size_t toks = seed % 12;
            for (size_t i = 0; i < toks; i++) {
                s2 = s2 * 6364136223846793005ull + 1442695040888963407ull;
                const char *w = vocab[(s2 >> 33) % KUMO_ARRAY_LEN(vocab)];
                size_t wl = strlen(w);
                if (!wl) {
                    wl = 1;     /* the "\x00" entry: a NUL byte */
                }
                if (n + wl + 1 >= sizeof(line))
                    break;
                memcpy(line + n, w, wl);
                n += wl;
                if ((s2 >> 20) & 1)
                    line[n++] = ' ';
            }
        }
        kumo__buf_release(&outbuf);
        kumo__buf_init(&outbuf, 4096, KUMO_T_STR, KUMO_V_NONE);
        int rc = kumo__repl_eval(r, line, n, &outbuf);
        cr_assert(rc == KUMO_OK || rc == KUMO_EDONE);
        cr_assert_leq(outbuf.len, 4096);
    }
    kumo__repl_free(r);
    done_output();
    kumo_response_unref(res);
    kumo_request_unref(rq);
}

/* ---- what `kumo shell` uses: names bound from C, and one-shot runs (-c) ---- */

static cval *double_it(cv_ctx *c, cval *self, const cv_args *a)
{
    if (a->n != 1 || a->v[0]->type != CV_INT)
        return cv_raise(c, "TypeError", "double() takes one int");
    return cv_int(a->v[0]->u.i * 2 + (self ? self->u.i : 0));
}

Test(repl, bind_names_and_run_with_choices)
{
    kumo_request *rq = req_new("http://example.com/a");
    kumo_response *res = html_new(rq, "http://example.com/a", "<title>T</title>");
    kumo_repl *r = kumo__repl_new(NULL);

    cr_assert_eq(kumo__repl_bind_ref(r, "response", &res->ref), KUMO_OK);
    cr_assert_eq(kumo__repl_bind_ref(r, "request", &rq->ref), KUMO_OK);
    cr_assert_eq(kumo__repl_bind_ref(r, "nothing", NULL), KUMO_OK);
    cval *one = cv_int(1);
    cr_assert_eq(kumo__repl_bind(r, "double", cv_func("double", double_it, one)), KUMO_OK);
    cv_unref(one);
    static const step steps[] = {
        {"response.css('title::text').get()", "'T'\n"},
        {"request", "<GET http://example.com/a>\n"},
        {"nothing", ""},
        {"double(20)", "41\n"},
    };
    transcript(r, steps, KUMO_ARRAY_LEN(steps));

    /* rebinding drops the old value's reference */
    cr_assert_eq(kumo__repl_bind_ref(r, "response", NULL), KUMO_OK);
    cr_expect_str_eq(run(r, "response is None"), "True\n");

    kumo_buf out, err;
    kumo__buf_init(&out, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__buf_init(&err, 0, KUMO_T_STR, KUMO_V_NONE);
    /* SHOW_NONE: None is printed too, and errors go to their own buffer */
    cr_expect_eq(kumo__repl_run(r, "nothing", 7, KUMO_REPL_SHOW_NONE, &out, &err), KUMO_OK);
    cr_expect_str_eq(kumo__buf_str(&out), "None\n");
    cr_expect_str_eq(kumo__buf_str(&err), "");
    kumo__buf_reset(&out);
    cr_expect_eq(kumo__repl_run(r, "[print('x'), 1/0]", 17, 0, &out, &err), KUMO_EINVAL);
    cr_expect_str_eq(kumo__buf_str(&out), "x\n");
    cr_expect_str_eq(kumo__buf_str(&err), "ZeroDivisionError: division by zero\n");
    kumo__buf_reset(&out);
    kumo__buf_reset(&err);
    cr_expect_eq(kumo__repl_run(r, "double('a')", 11, 0, &out, &err), KUMO_EINVAL);
    cr_expect_str_eq(kumo__buf_str(&out), "");
    cr_expect_str_eq(kumo__buf_str(&err), "TypeError: double() takes one int\n");
    kumo__buf_reset(&err);
    cr_expect_eq(kumo__repl_run(r, "(", 1, 0, &out, &err), KUMO_EINVAL);
    cr_expect(strncmp(kumo__buf_str(&err), "SyntaxError: ", 13) == 0, "%s", kumo__buf_str(&err));
    kumo__buf_reset(&err);
    cr_expect_eq(kumo__repl_run(r, "exit()", 6, 0, &out, &err), KUMO_EDONE);
    /* without err, errors go to out as kumo__repl_eval() writes them */
    kumo__buf_reset(&out);
    cr_expect_eq(kumo__repl_run(r, "nope", 4, 0, &out, NULL), KUMO_EINVAL);
    cr_expect_str_eq(kumo__buf_str(&out), "NameError: name 'nope' is not defined\n");
    kumo__buf_release(&out);
    kumo__buf_release(&err);

    kumo__repl_free(r);
    done_output();
    kumo_response_unref(res);
    kumo_request_unref(rq);
}

/* The selector API `kumo shell` users type: re(), re_first(), slices, follow(),
 * follow_all(), response.text and .encoding, XPath errors as ValueError. */
Test(repl, selector_api_of_the_shell)
{
    static const char body[] =
        "<html><head><title>Price list</title></head><body>"
        "<p class='price'>Tea: 2.50</p><p class='price'>Cake: 4.75</p>"
        "<a href='/a'>a</a><a href='mailto:x@y'>m</a><a href='b.html'>b</a>"
        "</body></html>";
    kumo_request *rq = req_new("http://example.com/dir/");
    kumo_response *res = html_new(rq, "http://example.com/dir/", body);
    kumo_repl *r = kumo__repl_new(NULL);
    cr_assert_eq(kumo__repl_bind_ref(r, "response", &res->ref), KUMO_OK);
    static const step steps[] = {
        {"response.css('p::text').re(r'(\\w+): ([\\d.]+)')",
         "['Tea', '2.50', 'Cake', '4.75']\n"},
        {"response.css('p::text').re_first(r'\\d+\\.\\d+')", "'2.50'\n"},
        {"response.css('p::text').re_first(r'zzz', 'none')", "'none'\n"},
        {"response.css('p::text').re_first(r'zzz')", ""},
        {"response.css('p')[1].re(r'\\d+')", "['4', '75']\n"},
        {"response.css('p')[1].re_first(regex=r'(\\w+):')", "'Cake'\n"},
        {"response.css('h1').re('(')", "[]\n"},              /* nothing to match: no error */
        {"response.css('p')[1:].getall()", "['<p class=\"price\">Cake: 4.75</p>']\n"},
        {"type(response.css('p')[:1]).__name__", "'SelectorList'\n"},
        {"response.css('p')[5:9]", "[]\n"},
        {"response.encoding", "'utf-8'\n"},
        {"response.text[:19]", "'<html><head><title>'\n"},
        {"response.follow('../x')", "<GET http://example.com/x>\n"},
        {"response.follow(response.css('a')[2])", "<GET http://example.com/dir/b.html>\n"},
        {"response.follow('mailto:x@y')", ""},                  /* None: not fetched */
        {"[q.url for q in response.follow_all(css='a')]",
         "['http://example.com/a', 'http://example.com/dir/b.html']\n"},
        {"len(response.follow_all(xpath='//a/@href'))", "2\n"},
        {"[q.url for q in response.follow_all(['/z', response.css('a')[0]])]",
         "['http://example.com/z', 'http://example.com/a']\n"},
        {"len(response.follow_all(response.css('a::attr(href)')))", "2\n"},
        {"response.follow_all()", "ValueError: Please supply exactly one of the following "
                                  "arguments: urls, css, xpath\n"},
        {"response.follow(response.css('p')[0])", "ValueError: Unsupported selector: <p>\n"},
        {"response.follow(3)", "TypeError: follow() url must be str or Selector, got int\n"},
    };
    transcript(r, steps, KUMO_ARRAY_LEN(steps));
    const char *got = run(r, "response.css('p').re('(')");
    cr_expect(strncmp(got, "re.error: ", 10) == 0, "%s", got);
    got = run(r, "response.xpath('nosuchfunc(1)')");
    cr_expect(strncmp(got, "ValueError: XPath error: ", 25) == 0, "%s", got);
    kumo__repl_free(r);
    done_output();
    kumo_response_unref(res);
    kumo_request_unref(rq);
}
