/* test_rules.c - CrawlSpider's pieces without a crawl: rule checks, the names a job stores,
 * which rule takes a link, parse_start_url, a meta rule that is no rule. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "core/out.h"
#include "core/rules.h"
#include "core/spider.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/response.h"
#include "select/css.h"
#include "select/pool.h"
#include "select/regex.h"
#include "lib/leakcheck.h"

static void setup(void)
{
    kumo_leakcheck_start();
    cr_assert_eq(kumo__global_init(), KUMO_OK);
}

static void teardown(void)
{
    kumo__pool_drain(0);
    kumo__regex_cleanup();
    kumo__select_cleanup();
    kumo_class_cleanup();
    kumo_leakcheck_end();
}

TestSuite(rules_unit, .init = setup, .fini = teardown);

static int started;

static void parse_start_url(kumo_response *res, kumo_out *out)
{
    started++;
}

static void parse_doc(kumo_response *res, kumo_out *out)
{
}

static void on_error(kumo_failure *f, kumo_out *out)
{
}

static const kumo_spider_def two_rules = {
    KUMO_SPIDER_HEADER,
    .name = "two",
    .callbacks = KUMO_CALLBACKS(parse_start_url),
    .rules = KUMO_RULES(
        KUMO_RULE(.link_extractor = {.allow = KUMO_LIST("docs"), .unique = KUMO_NO},
                  .callback = parse_doc,
                  .errback = on_error, .cb_kwargs = KUMO_KWARGS({"k", "v"})),
        KUMO_RULE(.link_extractor = {.deny = KUMO_LIST("skip")})),
};

static const kumo_spider_def plain = {KUMO_SPIDER_HEADER, .name = "plain",
                                      .callbacks = KUMO_CALLBACKS(parse_doc)};

static const kumo_spider_def bad = {
    KUMO_SPIDER_HEADER, .name = "bad",
    .rules = KUMO_RULES(KUMO_RULE(.callback = parse_doc),
                        KUMO_RULE(.link_extractor = {.restrict_css = KUMO_LIST("a[")})),
};

static const kumo_spider_def future;
static const kumo_spider_def future = {
    KUMO_SPIDER_HEADER, .name = "future",
    .rules = KUMO_RULES(KUMO_RULE(.reserved = {NULL, (void *)&future})),
};

/* rules without .callbacks are a spider: CrawlSpider needs no callback of its own */
static const kumo_spider_def only_rules = {
    KUMO_SPIDER_HEADER, .name = "only", .rules = KUMO_RULES(KUMO_RULE(.follow = KUMO_YES)),
};

static kumo_response *html(const char *url, const char *ct, const char *body)
{
    int err;
    kumo_request *req = kumo_request_new(url, NULL, &err);
    kumo_headers *h = kumo__headers_new();
    kumo_headers_add(h, "Content-Type", ct);
    kumo_response *res = kumo__response_new(req, url, 200, h,
                                             kumo_strdup(body, KUMO_T_BYTES, KUMO_V_BODY),
                                             strlen(body));
    kumo_request_unref(req);
    return res;
}

static const char page[] = "<a href='/docs/a'>A</a><a href='/other'>O</a>"
                           "<a href='/docs/a'>A again</a><a href='/skip'>S</a>"
                           "<a href='ftp://h.example/f'>F</a>";

Test(rules_unit, first_rule_wins_and_parse_start_url_runs)
{
    kumo_spider *sp = kumo__spider_new(&two_rules, NULL, NULL);
    cr_assert_eq(kumo__spider_callback(sp, NULL), kumo__rules_parse);
    kumo_out out;
    kumo__out_init(&out, sp);
    kumo_response *res = html("http://h.example/", "text/html", page);
    started = 0;
    kumo__rules_parse(res, &out);
    cr_assert_eq(started, 1);
    /* /docs/a and "A again" by rule 0 (not unique: the same url with another text is
     * another Link), /other by rule 1, which also extracts /docs/a "A": taken by rule 0
     * already; /skip denied; ftp: is a link kumo does not request */
    cr_assert_eq(out.len, 3);
    static const char *const urls[] = {"http://h.example/docs/a", "http://h.example/docs/a",
                                       "http://h.example/other"};
    static const int64_t rule[] = {0, 0, 1};
    for (size_t i = 0; i < out.len; i++) {
        kumo_request *req = out.v[i].u.req;
        cr_assert(!out.v[i].is_item);
        cr_expect_str_eq(kumo_request_url(req), urls[i]);
        cr_expect_eq(kumo_map_get_int(kumo_request_meta(req), "rule", -1), rule[i]);
        cr_expect_str_eq(kumo__spider_callback_name(sp, req->cb), "_callback");
    }
    cr_expect_str_eq(kumo_map_get_str(kumo_request_meta(out.v[1].u.req), "link_text", ""),
                     "A again");
    cr_expect_str_eq(kumo_map_get_str(kumo_request_cb_kwargs(out.v[0].u.req), "k", ""), "v");
    cr_expect_str_eq(kumo__spider_errback_name(sp, kumo__request_errback(out.v[0].u.req)),
                     "_errback");
    cr_expect_null(kumo__request_errback(out.v[2].u.req), "a rule without an errback sets none");
    kumo__out_release(&out);
    kumo_response_unref(res);
    kumo__spider_free(sp);
}

Test(rules_unit, only_html_responses_are_followed)
{
    kumo_spider *sp = kumo__spider_new(&two_rules, NULL, NULL);
    kumo_out out;
    kumo__out_init(&out, sp);
    kumo_response *res = html("http://h.example/x.txt", "text/plain", page);
    kumo__rules_parse(res, &out);
    cr_assert_eq(out.len, 0);
    kumo__out_release(&out);
    kumo_response_unref(res);
    kumo__spider_free(sp);
}

Test(rules_unit, names_a_job_stores)
{
    cr_assert_eq(kumo__spider_def_callback(&two_rules, "_callback"), kumo__rules_callback);
    cr_assert_eq(kumo__spider_def_callback(&two_rules, "_parse"), kumo__rules_parse);
    cr_assert_eq(kumo__spider_def_errback(&two_rules, "_errback"), kumo__rules_errback);
    cr_assert_eq(kumo__spider_def_callback(&two_rules, "parse_start_url"), parse_start_url);
    cr_assert_null(kumo__spider_def_callback(&plain, "_callback"));
    cr_assert_null(kumo__spider_def_errback(&plain, "_errback"));
    cr_assert_eq(kumo__rules_count(&two_rules), 2);
    cr_assert_eq(kumo__rules_count(&plain), 0);
}

Test(rules_unit, a_meta_rule_that_is_no_rule_is_an_error_line)
{
    kumo_spider *sp = kumo__spider_new(&two_rules, NULL, NULL);
    kumo_out out;
    kumo__out_init(&out, sp);
    kumo_response *res = html("http://h.example/docs/a", "text/html", page);
    kumo_map_set(kumo_request_meta(kumo_response_request(res)), "rule", kumo_val_int(7));
    kumo__rules_callback(res, &out);
    cr_assert_eq(out.len, 0);
    kumo__out_release(&out);
    kumo_response_unref(res);
    kumo__spider_free(sp);
}

Test(rules_unit, checks_name_the_rule)
{
    char err[512];
    cr_assert_eq(kumo__spider_def_check(&bad, "bad.so", err, sizeof(err)), KUMO_ESYNTAX);
    cr_assert(strstr(err, "spider 'bad' in 'bad.so': rule 1: LinkExtractor restrict_css: "
                          "'a[' is not a valid CSS selector") == err, "%s", err);
    cr_assert_eq(kumo__spider_def_check(&future, "f.so", err, sizeof(err)), KUMO_EABI);
    cr_assert_str_eq(err, "spider 'future' in 'f.so': rule 0: sets reserved slot 1, unknown "
                          "to this kumo: rebuild it");
    cr_assert_eq(kumo__spider_def_check(&only_rules, "o.so", err, sizeof(err)), KUMO_OK);
}
