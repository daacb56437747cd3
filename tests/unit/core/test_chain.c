/* test_chain.c - building the chains from settings, their log lines, and running them. */
#include "../middleware/mwtest.h"
#include <signal.h>

TestSuite(mw_chain, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

#define DL_DEFAULT                                                                  \
    "Enabled downloader middlewares:\n['HttpAuth',\n 'DownloadTimeout',\n "          \
    "'DefaultHeaders',\n 'UserAgent',\n 'Retry',\n 'MetaRefresh',\n "                \
    "'HttpCompression',\n 'Redirect',\n 'Cookies',\n 'HttpProxy',\n "                 \
    "'DownloaderStats']\n"

static const struct {
    const char *kv[13];
    int rc;
    const char *text;       /* expected in the log (rc OK) or in err */
} build_cases[] = {
    {{NULL}, KUMO_OK, DL_DEFAULT},
    {{NULL}, KUMO_OK,
     "Enabled spider middlewares:\n['HttpError', 'Offsite', 'Referer', 'UrlLength', 'Depth']\n"},
    {{NULL}, KUMO_OK, "Enabled item pipelines:\n[]\n"},
    {{"DOWNLOADER_MIDDLEWARES", "{\"Retry\": null, \"UserAgent\": 450}", NULL}, KUMO_OK,
     "Enabled downloader middlewares:\n['HttpAuth',\n 'DownloadTimeout',\n "
     "'DefaultHeaders',\n 'UserAgent',\n 'MetaRefresh',\n 'HttpCompression',\n "
     "'Redirect',\n 'Cookies',\n 'HttpProxy',\n 'DownloaderStats']\n"},
    /* a tie keeps the built-in listing order */
    {{"DOWNLOADER_MIDDLEWARES", "{\"Retry\": 500}", NULL}, KUMO_OK,
     " 'DownloadTimeout',\n 'DefaultHeaders',\n 'UserAgent',\n 'Retry',\n"},
    {{"DOWNLOADER_MIDDLEWARES", "{\"DownloaderStats\": 1, \"Redirect\": null, "
      "\"HttpCompression\": null, \"DefaultHeaders\": null, \"HttpAuth\": null, "
      "\"MetaRefresh\": null, \"Cookies\": -1, \"HttpProxy\": null}", NULL}, KUMO_OK,
     "Enabled downloader middlewares:\n['DownloaderStats', 'DownloadTimeout', 'UserAgent', "
     "'Retry']\n"},
    {{"SPIDER_MIDDLEWARES", "{\"Depth\": 10, \"Offsite\": null}", NULL}, KUMO_OK,
     "Enabled spider middlewares:\n['Depth', 'HttpError', 'Referer', 'UrlLength']\n"},
    {{"RETRY_ENABLED", "0", "REDIRECT_ENABLED", "0", "COMPRESSION_ENABLED", "0",
      "METAREFRESH_ENABLED", "0", "COOKIES_ENABLED", "0", "HTTPPROXY_ENABLED", "0"}, KUMO_OK,
     "Enabled downloader middlewares:\n['HttpAuth',\n 'DownloadTimeout',\n "
     "'DefaultHeaders',\n 'UserAgent',\n 'DownloaderStats']\n"},
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
        kumo_crawler *c;
        kumo_chains *ch = (kumo_chains *)&c;   /* must be reset to NULL on failure */
        char err[256] = "x";
        c = mwt_crawler(build_cases[i].kv);
        mwt_log_begin();
        int rc = kumo__chains_open(c, &ch, err, sizeof(err));
        cr_assert_eq(rc, build_cases[i].rc, "case %zu: rc %d (%s)", i, rc, err);
        if (rc == KUMO_OK) {
            cr_assert_str_empty(err, "case %zu", i);
            kumo__chains_log(ch);
            cr_assert_not_null(strstr(mwt_log(), build_cases[i].text),
                               "case %zu: want\n%s\nlog:\n%s", i, build_cases[i].text,
                               mwt_log());
            cr_assert_not_null(strstr(mwt_log(), "[kumo.middleware] INFO: Enabled "));
            kumo__chains_close(ch, c);
        } else {
            cr_assert_null(ch, "case %zu", i);
            cr_assert_str_eq(err, build_cases[i].text, "case %zu", i);
        }
        mwt_log_end();
        mwt_crawler_free(c);
    }
}

/* One request through the default chains: request side, response side, errors. */
Test(mw_chain, run_downloader_side)
{
    kumo_crawler *c;
    kumo_chains *ch;
    char err[256];
    c = mwt_crawler(NULL);
    mwt_log_begin();
    cr_assert_eq(kumo__chains_open(c, &ch, err, sizeof(err)), KUMO_OK, "%s", err);

    kumo_request *req = mwt_req("http://example.com/a");
    kumo_response *res = NULL;
    kumo_request *next = (kumo_request *)1;
    cr_assert_eq(kumo__chain_request(ch, c, req, &res, &next), KUMO_OK);
    cr_assert_null(res);
    cr_assert_null(next);
    cr_assert_not_null(kumo_headers_get(req->headers, "User-Agent"));
    cr_assert_str_eq(kumo_headers_get(req->headers, "Accept-Language"), "en");
    cr_assert_not_null(strstr(kumo_headers_get(req->headers, "Accept-Encoding"), "gzip"));
    cr_assert_eq(kumo_map_get(&req->meta, "download_timeout")->type, KUMO_VAL_FLOAT);
    cr_assert_eq(mwt_stat(c, "downloader/request_count"), 1);

    /* 200: passes every process_response */
    res = mwt_res(req, 200, NULL, "ok");
    cr_assert_eq(kumo__chain_response(ch, c, req, &res, &next), KUMO_OK);
    cr_assert_not_null(res);
    cr_assert_null(next);
    kumo_response_unref(res);

    /* 503: Retry schedules a copy, the chain releases the response */
    res = mwt_res(req, 503, NULL, "");
    cr_assert_eq(kumo__chain_response(ch, c, req, &res, &next), KUMO_EDONE);
    cr_assert_null(res);
    cr_assert_not_null(next);
    cr_assert_eq(kumo_map_get_int(&next->meta, "retry_times", 0), 1);
    kumo_request_unref(next);
    cr_assert_eq(mwt_stat(c, "downloader/response_status_count/503"), 1);

    /* 302: Redirect (600) runs before Retry (550) */
    res = mwt_res(req, 302, KUMO_LIST("Location: /b"), "");
    cr_assert_eq(kumo__chain_response(ch, c, req, &res, &next), KUMO_EDONE);
    cr_assert_null(res);
    cr_assert_str_eq(next->url, "http://example.com/b");
    kumo_request_unref(next);

    /* redirect to a file: url is dropped */
    res = mwt_res(req, 301, KUMO_LIST("Location: file:///etc/passwd"), "");
    cr_assert_eq(kumo__chain_response(ch, c, req, &res, &next), KUMO_EIGNORED);
    cr_assert_null(res);
    cr_assert_null(next);

    /* exceptions: DownloaderStats counts, Retry retries what is retryable */
    cr_assert_eq(kumo__chain_exception(ch, c, req, KUMO_ETIMEDOUT, &res, &next), KUMO_EDONE);
    cr_assert_null(res);
    cr_assert_not_null(next);
    kumo_request_unref(next);
    cr_assert_eq(kumo__chain_exception(ch, c, req, KUMO_ETOOBIG, &res, &next), KUMO_EDECLINED);
    cr_assert_null(res);
    cr_assert_null(next);
    cr_assert_eq(mwt_stat(c, "downloader/exception_count"), 2);

    kumo_request_unref(req);
    kumo__chains_close(ch, c);
    mwt_log_end();
    mwt_crawler_free(c);
}

Test(mw_chain, run_spider_side)
{
    kumo_crawler *c;
    kumo_chains *ch;
    char err[256];
    c = mwt_crawler(KUMO_LIST("DEPTH_LIMIT", "2"));
    mwt_log_begin();
    cr_assert_eq(kumo__chains_open(c, &ch, err, sizeof(err)), KUMO_OK, "%s", err);

    kumo_request *start = mwt_req("http://example.com/");
    cr_assert_eq(kumo__chain_spider_request(ch, c, NULL, start), KUMO_OK);
    cr_assert_eq(kumo_map_get_int(&start->meta, "depth", -1), 0);

    kumo_response *ok = mwt_res(start, 200, NULL, "");
    kumo_response *missing = mwt_res(start, 404, NULL, "");
    cr_assert_eq(kumo__chain_spider_input(ch, c, ok), KUMO_OK);
    cr_assert_eq(kumo__chain_spider_input(ch, c, missing), KUMO_EIGNORED);

    /* Depth (900) runs before Offsite (500): the offsite request got its depth */
    kumo_request *away = mwt_req("http://elsewhere.invalid/x");
    cr_assert_eq(kumo__chain_spider_request(ch, c, ok, away), KUMO_EIGNORED);
    cr_assert_eq(kumo_map_get_int(&away->meta, "depth", -1), 1);
    cr_assert_eq(mwt_stat(c, "offsite/filtered"), 1);
    cr_assert_eq(mwt_stat(c, "request_depth_max"), 1);

    kumo_request *near = mwt_req("http://www.example.com/x");
    cr_assert_eq(kumo__chain_spider_request(ch, c, ok, near), KUMO_OK);

    kumo_item *item = kumo_item_new();
    cr_assert_eq(kumo__chain_spider_item(ch, c, ok, item), KUMO_OK);
    cr_assert_eq(kumo__chain_item(ch, c, item), KUMO_OK);
    kumo_item_unref(item);

    kumo_request_unref(near);
    kumo_request_unref(away);
    kumo_response_unref(ok);
    kumo_response_unref(missing);
    kumo_request_unref(start);
    kumo__chains_close(ch, c);
    mwt_log_end();
    mwt_crawler_free(c);
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

/* ---- a spider's own components (kumo/plugin.h) ---- */

static int own_events[8], nevents;

static int own_open(kumo_crawler *c, void **self)
{
    *self = kumo_calloc(1, 16, KUMO_T_OTHER, KUMO_V_NONE);
    return KUMO_OK;
}

static void own_close(void *self, kumo_crawler *c)
{
    kumo_free(self);
}

static int own_declines(kumo_crawler *c, void **self)
{
    return kumo_crawler_setting_bool_or(c, "OWN_ON", true) ? KUMO_OK : KUMO_EDECLINED;
}

static int own_request(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                       kumo_request **next)
{
    kumo_headers_set(kumo_request_headers(req), "X-Own",
                     kumo_crawler_setting_or(c, "OWN_HEADER", "yes"));
    if (nevents < 8)
        own_events[nevents++] = 1;
    return KUMO_OK;
}

static int own_spider_request(void *self, kumo_crawler *c, kumo_response *res,
                              kumo_request *req)
{
    return strstr(kumo_request_url(req), "private") ? KUMO_EIGNORED : KUMO_OK;
}

/* Drops items without a "name", with a reason; upper-cases nothing, counts the rest. */
static int own_item(void *self, kumo_crawler *c, kumo_item *item)
{
    const char *name = kumo_map_get_str(kumo_item_fields(item), "name", NULL);
    if (!name)
        return kumo_item_drop(item, "missing name in %s", "item");
    kumo_item_set_str(item, "seen", "Own");
    kumo_crawler_stats_inc(c, "own/kept", 1);
    return KUMO_OK;
}

/* A second pipeline that drops without giving a reason, and answers KUMO_EDONE (a drop
 * before ABI 3, an error now) for an "old" item. */
static int bare_item(void *self, kumo_crawler *c, kumo_item *item)
{
    if (kumo_map_get(kumo_item_fields(item), "old"))
        return KUMO_EDONE;
    return kumo_map_get(kumo_item_fields(item), "bad") ? KUMO_EIGNORED : KUMO_OK;
}

static const kumo_dlmw_def own_dl = {
    KUMO_DLMW_HEADER,
    .name = "OwnHeader", .order = 450, .open = own_open, .close = own_close,
    .process_request = own_request,
};
static const kumo_dlmw_def own_dl_off = {
    KUMO_DLMW_HEADER,
    .name = "OwnMaybe", .order = 10, .open = own_declines,
};
static const kumo_spmw_def own_sp = {
    KUMO_SPMW_HEADER,
    .name = "OwnFilter", .order = 600, .process_request = own_spider_request,
};
static const kumo_pipeline_def own_pl = {
    KUMO_PIPELINE_HEADER,
    .name = "OwnPipeline", .order = 300, .open = own_open, .close = own_close,
    .process_item = own_item,
};
static const kumo_pipeline_def bare_pl = {
    KUMO_PIPELINE_HEADER,
    .name = "Bare", .order = 800, .process_item = bare_item,
};
static const kumo_pipeline_def dup_pl = {KUMO_PIPELINE_HEADER, .name = "Retry", .order = 1};
static const kumo_pipeline_def dup_pl2 = {KUMO_PIPELINE_HEADER, .name = "OwnPipeline",
                                           .order = 1};

static const kumo_spider_def own_def = {
    .name = "own",
    .allowed_domains = KUMO_LIST("example.com"),
    .downloader_middlewares = (const kumo_dlmw_def *const[]){&own_dl, &own_dl_off, NULL},
    .spider_middlewares = (const kumo_spmw_def *const[]){&own_sp, NULL},
    .item_pipelines = (const kumo_pipeline_def *const[]){&own_pl, &bare_pl, NULL},
};

/* Two pipelines of one spider share a name. */
static const kumo_spider_def dup_def = {
    .name = "dup",
    .item_pipelines = (const kumo_pipeline_def *const[]){&own_pl, &dup_pl2, NULL},
};

/* A pipeline named like a built-in downloader middleware is fine (another kind). */
static const kumo_spider_def other_kind_def = {
    .name = "otherkind",
    .item_pipelines = (const kumo_pipeline_def *const[]){&dup_pl, NULL},
};

/* Defs the ABI check refuses before anything opens. */
static const kumo_dlmw_def noheader_dl = {.name = "NoHeader", .order = 1, .open = own_open};
static const kumo_spmw_def old_sp = {.abi = 1, .abi_sig = KUMO_ABI_SIG,
                                     .size = sizeof(kumo_spmw_def), .name = "OldFilter"};
static const kumo_pipeline_def future_pl = {KUMO_PIPELINE_HEADER, .name = "Future",
                                            .reserved = {(void *)&dup_pl}};
static const kumo_spider_def noheader_def = {
    .name = "nohdr",
    .downloader_middlewares = (const kumo_dlmw_def *const[]){&own_dl, &noheader_dl, NULL},
};
static const kumo_spider_def old_def = {
    .name = "old",
    .spider_middlewares = (const kumo_spmw_def *const[]){&old_sp, NULL},
};
static const kumo_spider_def future_def = {
    .name = "future",
    .item_pipelines = (const kumo_pipeline_def *const[]){&future_pl, NULL},
};

static const struct {
    const kumo_spider_def *def;
    const char *kv[5];
    int rc;
    const char *text;       /* expected in the log (rc OK) or in err */
    const char *absent;     /* NULL, or not in the log */
} own_cases[] = {
    /* on at their own order; OwnMaybe declines unless OWN_ON */
    {&own_def, {"OWN_ON", "0", NULL}, KUMO_OK,
     " 'DefaultHeaders',\n 'OwnHeader',\n 'UserAgent',\n", "'OwnMaybe'"},
    {&own_def, {NULL}, KUMO_OK, "Enabled downloader middlewares:\n['OwnMaybe',\n", NULL},
    {&own_def, {NULL}, KUMO_OK,
     "Enabled spider middlewares:\n['HttpError', 'Offsite', 'OwnFilter', 'Referer', "
     "'UrlLength', 'Depth']\n", NULL},
    {&own_def, {NULL}, KUMO_OK, "Enabled item pipelines:\n['OwnPipeline', 'Bare']\n", NULL},
    /* reordered and disabled by the settings: null and -1 both disable */
    {&own_def, {"ITEM_PIPELINES", "{\"Bare\": 1}", NULL}, KUMO_OK,
     "Enabled item pipelines:\n['Bare', 'OwnPipeline']\n", NULL},
    {&own_def, {"ITEM_PIPELINES", "{\"Bare\": null, \"OwnPipeline\": -1}", NULL}, KUMO_OK,
     "Enabled item pipelines:\n[]\n", NULL},
    {&own_def, {"SPIDER_MIDDLEWARES", "{\"OwnFilter\": -1, \"Offsite\": -2}", NULL}, KUMO_OK,
     "Enabled spider middlewares:\n['Offsite', 'HttpError', 'Referer', 'UrlLength', "
     "'Depth']\n", NULL},
    /* Scrapy's class paths name the built-ins */
    {&own_def, {"DOWNLOADER_MIDDLEWARES",
                "{\"scrapy.downloadermiddlewares.retry.RetryMiddleware\": null, "
                "\"scrapy.downloadermiddlewares.stats.DownloaderStats\": 1, "
                "\"OwnMaybe\": null, \"OwnHeader\": null}", NULL}, KUMO_OK,
     "Enabled downloader middlewares:\n['DownloaderStats',\n", "'Retry'"},
    {&own_def, {"SPIDER_MIDDLEWARES",
                "{\"scrapy.spidermiddlewares.offsite.OffsiteMiddleware\": null}", NULL},
     KUMO_OK, "Enabled spider middlewares:\n['HttpError', 'OwnFilter', 'Referer', "
     "'UrlLength', 'Depth']\n", NULL},
    {&other_kind_def, {NULL}, KUMO_OK, "Enabled item pipelines:\n['Retry']\n", NULL},
    /* errors */
    {&own_def, {"ITEM_PIPELINES", "{\"OwnPipelin\": 1}", NULL}, KUMO_EINVAL,
     "unknown item pipeline 'OwnPipelin' in ITEM_PIPELINES", NULL},
    {&own_def, {"DOWNLOADER_MIDDLEWARES", "{\"scrapy.downloadermiddlewares.nope.Nope\": 1}",
                NULL}, KUMO_EINVAL,
     "unknown downloader middleware 'scrapy.downloadermiddlewares.nope.Nope' in "
     "DOWNLOADER_MIDDLEWARES", NULL},
    {&own_def, {"DOWNLOADER_MIDDLEWARES",
                "{\"Retry\": 1, \"scrapy.downloadermiddlewares.retry.RetryMiddleware\": 2}",
                NULL}, KUMO_EINVAL,
     "'Retry' and 'scrapy.downloadermiddlewares.retry.RetryMiddleware' in "
     "DOWNLOADER_MIDDLEWARES name the same downloader middleware 'Retry'", NULL},
    {&dup_def, {NULL}, KUMO_EINVAL, "two item pipelines named 'OwnPipeline'", NULL},
    {&own_def, {"ITEM_PIPELINES", "{\"Bare\": 1.5}", NULL}, KUMO_EINVAL,
     "invalid order for item pipeline 'Bare' in ITEM_PIPELINES: expected an integer or null", NULL},
    /* the ABI header, checked before any open hook runs (even when a setting disables it) */
    {&noheader_def, {"DOWNLOADER_MIDDLEWARES", "{\"NoHeader\": null}", NULL}, KUMO_EABI,
     "the downloader middleware 'NoHeader' in 'nohdr' lacks KUMO_DLMW_HEADER: make it the "
     "first line of its definition", NULL},
    {&old_def, {NULL}, KUMO_EABI,
     "spider middleware 'OldFilter' in 'old' built for ABI 1, this kumo is " KUMO_ABI_STR(KUMO_ABI)
     ": rebuild it", NULL},
    {&future_def, {NULL}, KUMO_EABI,
     "item pipeline 'Future' in 'future' sets reserved slot 0, unknown to this kumo: "
     "rebuild it", NULL},
};

Test(mw_chain, own_components_from_settings)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(own_cases); i++) {
        kumo_crawler *c;
        kumo_chains *ch = (kumo_chains *)&c;
        char err[256] = "x";
        c = mwt_crawler(own_cases[i].kv);
        mwt_spider(c, own_cases[i].def);
        mwt_log_begin();
        int rc = kumo__chains_open(c, &ch, err, sizeof(err));
        cr_assert_eq(rc, own_cases[i].rc, "case %zu: rc %d (%s)", i, rc, err);
        if (rc == KUMO_OK) {
            kumo__chains_log(ch);
            cr_assert_not_null(strstr(mwt_log(), own_cases[i].text),
                               "case %zu: want\n%s\nlog:\n%s", i, own_cases[i].text,
                               mwt_log());
            if (own_cases[i].absent)
                cr_assert_null(strstr(mwt_log(), own_cases[i].absent), "case %zu: %s", i,
                               mwt_log());
            kumo__chains_close(ch, c);
        } else {
            cr_assert_null(ch, "case %zu", i);
            cr_assert_str_eq(err, own_cases[i].text, "case %zu", i);
        }
        mwt_log_end();
        mwt_crawler_free(c);
    }
}

/* The spider's components run in the chains; a drop is logged and counted with its reason. */
Test(mw_chain, own_components_run)
{
    kumo_crawler *c;
    kumo_chains *ch;
    char err[256];
    c = mwt_crawler(KUMO_LIST("OWN_HEADER", "custom", "OWN_ON", "0"));
    mwt_spider(c, &own_def);
    mwt_log_begin();
    cr_assert_eq(kumo__chains_open(c, &ch, err, sizeof(err)), KUMO_OK, "%s", err);

    nevents = 0;
    kumo_request *req = mwt_req("http://example.com/a");
    kumo_response *res;
    kumo_request *next;
    cr_assert_eq(kumo__chain_request(ch, c, req, &res, &next), KUMO_OK);
    cr_assert_str_eq(kumo_headers_get(req->headers, "X-Own"), "custom");
    cr_assert_eq(nevents, 1);

    kumo_request *priv = mwt_req("http://example.com/private");
    cr_assert_eq(kumo__chain_spider_request(ch, c, NULL, req), KUMO_OK);
    cr_assert_eq(kumo__chain_spider_request(ch, c, NULL, priv), KUMO_EIGNORED);

    kumo_item *good = kumo_item_new(), *nameless = kumo_item_new(), *bad = kumo_item_new();
    kumo_item_set_str(good, "name", "x");
    kumo_item_set_int(nameless, "n", 7);
    kumo_item_set_str(bad, "name", "y");
    kumo_item_set_int(bad, "bad", 1);
    cr_assert_eq(kumo__chain_item(ch, c, good), KUMO_OK);
    cr_assert_str_eq(kumo_map_get_str(kumo_item_fields(good), "seen", ""), "Own");
    cr_assert_null(kumo_item_drop_reason(good));
    cr_assert_eq(kumo__chain_item(ch, c, nameless), KUMO_EIGNORED);
    cr_assert_str_eq(kumo_item_drop_reason(nameless), "missing name in item");
    mwt_assert_logged("kumo.core.scraper", "WARNING",
                      "Dropped: missing name in item\n{\"n\": 7}\n");
    cr_assert_eq(kumo__chain_item(ch, c, bad), KUMO_EIGNORED);
    cr_assert_str_eq(kumo_item_drop_reason(bad), "", "no reason given: empty");
    cr_assert_null(kumo_item_drop_reason(nameless), "a new drop replaces the reason");
    mwt_assert_logged("kumo.core.scraper", "WARNING",
                      "Dropped: \n{\"name\": \"y\", \"bad\": 1, \"seen\": \"Own\"}\n");
    cr_assert_eq(mwt_stat(c, "item_dropped_reasons_count/DropItem"), 2);
    cr_assert_eq(mwt_stat(c, "own/kept"), 2);

    /* KUMO_EDONE from a pipeline is an error, not a drop: nothing counted as dropped */
    kumo_item *old = kumo_item_new();
    kumo_item_set_str(old, "name", "z");
    kumo_item_set_int(old, "old", 1);
    cr_assert_eq(kumo__chain_item(ch, c, old), KUMO_EDONE);
    cr_assert_null(kumo_item_drop_reason(old));
    mwt_assert_logged("kumo.core.scraper", "ERROR",
                      "Error processing item: item pipeline 'Bare' returned EDONE (done)");
    cr_assert_eq(mwt_stat(c, "item_dropped_reasons_count/DropItem"), 2);
    kumo_item_unref(old);

    kumo_item_unref(good);
    kumo_item_unref(nameless);
    kumo_item_unref(bad);
    kumo_request_unref(priv);
    kumo_request_unref(req);
    kumo__chains_close(ch, c);
    mwt_log_end();
    mwt_crawler_free(c);
}

/* The accessors a component uses, on a hand-made crawler. */
Test(mw_chain, crawler_api)
{
    kumo_crawler *c = mwt_crawler(KUMO_LIST("A_INT", "42", "A_FLOAT", "0.25", "A_BOOL", "true",
                                            "A_STR", "x y", "RETRY_TIMES", "3"));
    cr_assert_str_eq(kumo_crawler_setting_or(c, "A_STR", "d"), "x y");
    cr_assert_str_eq(kumo_crawler_setting_or(c, "NOPE", "d"), "d");
    cr_assert_eq(kumo_crawler_setting_int_or(c, "A_INT", -1), 42);
    cr_assert_eq(kumo_crawler_setting_int(c, "RETRY_TIMES"), 3);
    cr_assert_eq(kumo_crawler_setting_int_or(c, "A_STR", -1), -1);
    cr_assert_float_eq(kumo_crawler_setting_float_or(c, "A_FLOAT", 0), 0.25, 1e-9);
    cr_assert_float_eq(kumo_crawler_setting_float_or(c, "A_STR", 1.5), 1.5, 1e-9);
    cr_assert(kumo_crawler_setting_bool_or(c, "A_BOOL", false));
    cr_assert(kumo_crawler_setting_bool_or(c, "NOPE", true));
    cr_assert(kumo_crawler_setting_bool_or(c, "A_STR", true));
    /* the strict getters: a built-in's default from the table, a set plugin name as set */
    cr_assert_str_eq(kumo_crawler_setting(c, "BOT_NAME"), "kumo");
    cr_assert_eq(kumo_crawler_setting_int(c, "CONCURRENT_REQUESTS"), 16);
    cr_assert_float_eq(kumo_crawler_setting_float(c, "AUTOTHROTTLE_MAX_DELAY"), 60, 1e-9);
    cr_assert(kumo_crawler_setting_bool(c, "COMPRESSION_ENABLED"));
    cr_assert_null(kumo_crawler_setting(c, "LOG_FILE"), "a built-in without a default");
    cr_assert_str_eq(kumo_crawler_setting(c, "A_STR"), "x y");
    cr_assert_eq(kumo_crawler_setting_int(c, "A_INT"), 42);
    cr_assert_eq(kumo_crawler_setting_int(c, "A_STR"), 0, "does not parse: 0");
    cr_assert_float_eq(kumo_crawler_setting_float(c, "A_FLOAT"), 0.25, 1e-9);
    cr_assert(kumo_crawler_setting_bool(c, "A_BOOL"));

    kumo_crawler_stats_inc(c, "k/n", 2);
    kumo_crawler_stats_inc(c, "k/n", 3);
    kumo_crawler_stats_max(c, "k/max", 4);
    kumo_crawler_stats_max(c, "k/max", 2);
    kumo_crawler_stats_min(c, "k/min", 4);
    kumo_crawler_stats_min(c, "k/min", 2);
    kumo_crawler_stats_set_int(c, "k/i", 9);
    kumo_crawler_stats_set_float(c, "k/f", 0.5);
    kumo_crawler_stats_set_str(c, "k/s", "hello");
    cr_assert_eq(kumo_crawler_stats_get_int(c, "k/n", 0), 5);
    cr_assert_eq(kumo_crawler_stats_get_int(c, "k/max", 0), 4);
    cr_assert_eq(kumo_crawler_stats_get_int(c, "k/min", 0), 2);
    cr_assert_eq(kumo_crawler_stats_get_int(c, "k/i", 0), 9);
    cr_assert_eq(kumo_crawler_stats_get_int(c, "nope", -7), -7);
    cr_assert_eq(kumo_crawler_stats_get(c, "k/f")->type, KUMO_VAL_FLOAT);
    cr_assert_str_eq(kumo_crawler_stats_get(c, "k/s")->u.str.s, "hello");
    cr_assert_null(kumo_crawler_stats_get(c, "nope"));
    cr_assert_eq(kumo_crawler_spider(c), kumo_crawler_spider(c));
    cr_assert_str_eq(kumo_spider_name(kumo_crawler_spider(c)), "mwtest");

    /* no engine yet: crawl releases the request, close is a no-op */
    cr_assert_eq(kumo_crawler_crawl(c, mwt_req("http://example.com/x")), KUMO_ECANCELED);
    kumo_crawler_close_spider(c, "test");
    cr_assert_eq(kumo_crawler_connect(c, KUMO_SIGNAL_COUNT, NULL, NULL), KUMO_EINVAL);

    mwt_log_begin();
    kumo_crawler_log(c, "myext", "WARNING", "n=%d", 3);
    kumo_crawler_log(c, NULL, "bogus", "plain");
    mwt_assert_logged("myext", "WARNING", "n=3\n");
    mwt_assert_logged("kumo.plugin", "INFO", "plain\n");
    mwt_log_end();
    mwt_crawler_free(c);
}

/* A name that is neither built-in nor set is a programming error. */
Test(mw_chain, setting_unknown_aborts, .signal = SIGABRT)
{
    kumo_crawler *c = mwt_crawler(NULL);
    kumo_crawler_setting_int(c, "NO_SUCH_SETTING");
}

/* A built-in's default is kumo's: the _or getters refuse built-in names. */
Test(mw_chain, setting_or_builtin_aborts, .signal = SIGABRT)
{
    kumo_crawler *c = mwt_crawler(NULL);
    kumo_crawler_setting_int_or(c, "CONCURRENT_REQUESTS", 16);
}

static void tell_refs(void *self, kumo_ref_visit_fn visit, void *ctx)
{
    (void)self;
    (void)visit;
    (void)ctx;
}

static const kumo_pipeline_def telling_pl = {KUMO_PIPELINE_HEADER, .name = "Telling",
                                             .order = 500, .refs = tell_refs};
static const kumo_dlmw_def telling_dl = {KUMO_DLMW_HEADER, .name = "TellingMw", .order = 50,
                                         .refs = tell_refs};
static const kumo_spider_def telling_def = {
    .name = "telling",
    .downloader_middlewares = (const kumo_dlmw_def *const[]){&own_dl, &telling_dl, NULL},
    .item_pipelines = (const kumo_pipeline_def *const[]){&bare_pl, &telling_pl, NULL},
};

static void list_component(void *ctx, const char *what, const char *name, kumo_refs_hook refs,
                           void *self)
{
    kumo__buf_printf(ctx, "%s '%s'%s", what, name, refs == tell_refs ? "\n" : " (wrong)\n");
}

/* Who holds what asks the open components that have a refs hook, and only those. */
Test(mw_chain, components_with_refs_are_listed)
{
    kumo_crawler *c = mwt_crawler(NULL);
    kumo_chains *ch;
    char err[256];
    mwt_spider(c, &telling_def);
    mwt_log_begin();
    cr_assert_eq(kumo__chains_open(c, &ch, err, sizeof(err)), KUMO_OK, "%s", err);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__chains_holders(ch, list_component, &b);
    cr_assert_str_eq(kumo__buf_str(&b), "downloader middleware 'TellingMw'\n"
                     "item pipeline 'Telling'\n");
    kumo__buf_release(&b);
    kumo__chains_close(ch, c);
    mwt_log_end();
    mwt_crawler_free(c);
}
