/* test_chain.c - building the chains from settings, their log lines, and running them. */
#include "mwtest.h"

TestSuite(mw_chain, .init = mwt_setup, .fini = mwt_no_leaks);

#define DL_DEFAULT                                                                  \
    "Enabled downloader middlewares:\n['DownloadTimeout',\n 'DefaultHeaders',\n "  \
    "'UserAgent',\n 'Retry',\n 'HttpCompression',\n 'Redirect',\n 'DownloaderStats']\n"

static const struct {
    const char *kv[7];
    int rc;
    const char *text;       /* expected in the log (rc OK) or in err */
} build_cases[] = {
    {{NULL}, KUMO_OK, DL_DEFAULT},
    {{NULL}, KUMO_OK,
     "Enabled spider middlewares:\n['HttpError', 'Offsite', 'Referer', 'UrlLength', 'Depth']\n"},
    {{NULL}, KUMO_OK, "Enabled item pipelines:\n[]\n"},
    {{"DOWNLOADER_MIDDLEWARES", "{\"Retry\": null, \"UserAgent\": 450}", NULL}, KUMO_OK,
     "Enabled downloader middlewares:\n['DownloadTimeout',\n 'DefaultHeaders',\n "
     "'UserAgent',\n 'HttpCompression',\n 'Redirect',\n 'DownloaderStats']\n"},
    /* a tie keeps the built-in listing order */
    {{"DOWNLOADER_MIDDLEWARES", "{\"Retry\": 500}", NULL}, KUMO_OK,
     "['DownloadTimeout',\n 'DefaultHeaders',\n 'UserAgent',\n 'Retry',\n"},
    {{"DOWNLOADER_MIDDLEWARES", "{\"DownloaderStats\": 1, \"Redirect\": null, "
      "\"HttpCompression\": null, \"DefaultHeaders\": null}", NULL}, KUMO_OK,
     "Enabled downloader middlewares:\n['DownloaderStats', 'DownloadTimeout', 'UserAgent', "
     "'Retry']\n"},
    {{"SPIDER_MIDDLEWARES", "{\"Depth\": 10, \"Offsite\": null}", NULL}, KUMO_OK,
     "Enabled spider middlewares:\n['Depth', 'HttpError', 'Referer', 'UrlLength']\n"},
    {{"RETRY_ENABLED", "0", "REDIRECT_ENABLED", "0", "COMPRESSION_ENABLED", "0"}, KUMO_OK,
     "Enabled downloader middlewares:\n['DownloadTimeout', 'DefaultHeaders', 'UserAgent', "
     "'DownloaderStats']\n"},
    {{"DOWNLOADER_STATS", "0", "URLLENGTH_LIMIT", "0", NULL}, KUMO_OK,
     "Enabled spider middlewares:\n['HttpError', 'Offsite', 'Referer', 'Depth']\n"},
    {{"DOWNLOADER_MIDDLEWARES", "{\"Nope\": 1}", NULL}, KUMO_EINVAL,
     "unknown downloader middleware 'Nope' in DOWNLOADER_MIDDLEWARES"},
    {{"SPIDER_MIDDLEWARES", "{\"Retry\": 1}", NULL}, KUMO_EINVAL,
     "unknown spider middleware 'Retry' in SPIDER_MIDDLEWARES"},
    {{"ITEM_PIPELINES", "{\"Store\": 300}", NULL}, KUMO_EINVAL,
     "unknown item pipeline 'Store' in ITEM_PIPELINES"},
    {{"DOWNLOADER_MIDDLEWARES", "{\"Retry\": \"high\"}", NULL}, KUMO_EINVAL,
     "invalid order for downloader middleware 'Retry' in DOWNLOADER_MIDDLEWARES: expected an "
     "integer or null"},
};

Test(mw_chain, build_from_settings)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(build_cases); i++) {
        kumo_crawler c;
        kumo_chains *ch = (kumo_chains *)&c;   /* must be reset to NULL on failure */
        char err[256] = "x";
        mwt_crawler(&c, build_cases[i].kv);
        mwt_log_begin();
        int rc = kumo_chains_open(&c, &ch, err, sizeof(err));
        cr_assert_eq(rc, build_cases[i].rc, "case %zu: rc %d (%s)", i, rc, err);
        if (rc == KUMO_OK) {
            cr_assert_str_empty(err, "case %zu", i);
            kumo_chains_log(ch);
            cr_assert_not_null(strstr(mwt_log(), build_cases[i].text),
                               "case %zu: want\n%s\nlog:\n%s", i, build_cases[i].text,
                               mwt_log());
            cr_assert_not_null(strstr(mwt_log(), "[kumo.middleware] INFO: Enabled "));
            kumo_chains_close(ch, &c);
        } else {
            cr_assert_null(ch, "case %zu", i);
            cr_assert_str_eq(err, build_cases[i].text, "case %zu", i);
        }
        mwt_log_end();
        mwt_crawler_free(&c);
    }
}

/* One request through the default chains: request side, response side, errors. */
Test(mw_chain, run_downloader_side)
{
    kumo_crawler c;
    kumo_chains *ch;
    char err[256];
    mwt_crawler(&c, NULL);
    mwt_log_begin();
    cr_assert_eq(kumo_chains_open(&c, &ch, err, sizeof(err)), KUMO_OK, "%s", err);

    kumo_request *req = mwt_req("http://example.com/a");
    kumo_response *res = NULL;
    kumo_request *next = (kumo_request *)1;
    cr_assert_eq(kumo_chain_request(ch, &c, req, &res, &next), KUMO_OK);
    cr_assert_null(res);
    cr_assert_null(next);
    cr_assert_not_null(kumo_headers_get(req->headers, "User-Agent"));
    cr_assert_str_eq(kumo_headers_get(req->headers, "Accept-Language"), "en");
    cr_assert_not_null(strstr(kumo_headers_get(req->headers, "Accept-Encoding"), "gzip"));
    cr_assert_eq(kumo_map_get(&req->meta, "download_timeout")->type, KUMO_VAL_FLOAT);
    cr_assert_eq(mwt_stat(&c, "downloader/request_count"), 1);

    /* 200: passes every process_response */
    res = mwt_res(req, 200, NULL, "ok");
    cr_assert_eq(kumo_chain_response(ch, &c, req, &res, &next), KUMO_OK);
    cr_assert_not_null(res);
    cr_assert_null(next);
    kumo_response_unref(res);

    /* 503: Retry schedules a copy, the chain releases the response */
    res = mwt_res(req, 503, NULL, "");
    cr_assert_eq(kumo_chain_response(ch, &c, req, &res, &next), KUMO_EDONE);
    cr_assert_null(res);
    cr_assert_not_null(next);
    cr_assert_eq(kumo_map_get_int(&next->meta, "retry_times", 0), 1);
    kumo_request_unref(next);
    cr_assert_eq(mwt_stat(&c, "downloader/response_status_count/503"), 1);

    /* 302: Redirect (600) runs before Retry (550) */
    res = mwt_res(req, 302, KUMO_LIST("Location: /b"), "");
    cr_assert_eq(kumo_chain_response(ch, &c, req, &res, &next), KUMO_EDONE);
    cr_assert_null(res);
    cr_assert_str_eq(next->url, "http://example.com/b");
    kumo_request_unref(next);

    /* redirect to a file: url is dropped */
    res = mwt_res(req, 301, KUMO_LIST("Location: file:///etc/passwd"), "");
    cr_assert_eq(kumo_chain_response(ch, &c, req, &res, &next), KUMO_EIGNORED);
    cr_assert_null(res);
    cr_assert_null(next);

    /* exceptions: DownloaderStats counts, Retry retries what is retryable */
    cr_assert_eq(kumo_chain_exception(ch, &c, req, KUMO_ETIMEDOUT, &res, &next), KUMO_EDONE);
    cr_assert_null(res);
    cr_assert_not_null(next);
    kumo_request_unref(next);
    cr_assert_eq(kumo_chain_exception(ch, &c, req, KUMO_ETOOBIG, &res, &next), KUMO_EDECLINED);
    cr_assert_null(res);
    cr_assert_null(next);
    cr_assert_eq(mwt_stat(&c, "downloader/exception_count"), 2);

    kumo_request_unref(req);
    kumo_chains_close(ch, &c);
    mwt_log_end();
    mwt_crawler_free(&c);
}

Test(mw_chain, run_spider_side)
{
    kumo_crawler c;
    kumo_chains *ch;
    char err[256];
    mwt_crawler(&c, KUMO_LIST("DEPTH_LIMIT", "2"));
    mwt_log_begin();
    cr_assert_eq(kumo_chains_open(&c, &ch, err, sizeof(err)), KUMO_OK, "%s", err);

    kumo_request *start = mwt_req("http://example.com/");
    cr_assert_eq(kumo_chain_spider_request(ch, &c, NULL, start), KUMO_OK);
    cr_assert_eq(kumo_map_get_int(&start->meta, "depth", -1), 0);

    kumo_response *ok = mwt_res(start, 200, NULL, "");
    kumo_response *missing = mwt_res(start, 404, NULL, "");
    cr_assert_eq(kumo_chain_spider_input(ch, &c, ok), KUMO_OK);
    cr_assert_eq(kumo_chain_spider_input(ch, &c, missing), KUMO_EIGNORED);

    /* Depth (900) runs before Offsite (500): the offsite request got its depth */
    kumo_request *away = mwt_req("http://elsewhere.invalid/x");
    cr_assert_eq(kumo_chain_spider_request(ch, &c, ok, away), KUMO_EIGNORED);
    cr_assert_eq(kumo_map_get_int(&away->meta, "depth", -1), 1);
    cr_assert_eq(mwt_stat(&c, "offsite/filtered"), 1);
    cr_assert_eq(mwt_stat(&c, "request_depth_max"), 1);

    kumo_request *near = mwt_req("http://www.example.com/x");
    cr_assert_eq(kumo_chain_spider_request(ch, &c, ok, near), KUMO_OK);

    kumo_item *item = kumo_item_new();
    cr_assert_eq(kumo_chain_spider_item(ch, &c, ok, item), KUMO_OK);
    cr_assert_eq(kumo_chain_item(ch, &c, item), KUMO_OK);
    kumo_item_unref(item);

    kumo_request_unref(near);
    kumo_request_unref(away);
    kumo_response_unref(ok);
    kumo_response_unref(missing);
    kumo_request_unref(start);
    kumo_chains_close(ch, &c);
    mwt_log_end();
    mwt_crawler_free(&c);
}

Test(mw_chain, meta_helpers)
{
    kumo_map m;
    kumo_map_init(&m, KUMO_T_DICT, KUMO_V_META);
    kumo_map_set(&m, "t", kumo_val_bool(1));
    kumo_map_set(&m, "f", kumo_val_int(0));
    kumo_map_set(&m, "s", kumo_val_str(""));
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, kumo_val_int(404));
    kumo_val_list_push(&l, kumo_val_str("500"));
    kumo_map_set(&m, "l", l);
    cr_assert(kumo__meta_true(&m, "t"));
    cr_assert(!kumo__meta_true(&m, "f"));
    cr_assert(!kumo__meta_true(&m, "s"));
    cr_assert(!kumo__meta_true(&m, "absent"));
    cr_assert(!kumo__meta_true(NULL, "t"));
    cr_assert(kumo__meta_true(&m, "l"));
    cr_assert(kumo__list_has_int(kumo_map_get(&m, "l"), 404));
    cr_assert(kumo__list_has_int(kumo_map_get(&m, "l"), 500));
    cr_assert(!kumo__list_has_int(kumo_map_get(&m, "l"), 503));
    cr_assert(!kumo__list_has_int(kumo_map_get(&m, "t"), 1));
    kumo_map_release(&m);
}
