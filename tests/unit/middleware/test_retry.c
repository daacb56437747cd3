/* test_retry.c - the Retry downloader middleware: codes, errors, meta, stats, log lines. */
#include "mwtest.h"

TestSuite(mw_retry, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

#define LG "kumo.downloadermiddlewares.retry"
#define URL "http://example.com/p"

static const struct {
    const char *settings[5];
    int status;
    int64_t retry_times;        /* meta before; -1 none */
    int64_t max_retry_times;    /* meta; -1 none */
    int64_t priority_adjust;    /* meta; INT64_MIN none */
    bool dont_retry;
    int rc;
    int64_t new_times, new_priority;
    const char *log_level, *log;
    const char *stat;           /* a stat that must be 1 */
} response_cases[] = {
    {{NULL}, 500, -1, -1, INT64_MIN, false, KUMO_EDONE, 1, -1, "DEBUG",
     "Retrying <GET " URL "> (failed 1 times): 500 Internal Server Error",
     "retry/reason_count/500 Internal Server Error"},
    {{NULL}, 503, 1, -1, INT64_MIN, false, KUMO_EDONE, 2, -1, "DEBUG",
     "Retrying <GET " URL "> (failed 2 times): 503 Service Unavailable", "retry/count"},
    {{NULL}, 500, 2, -1, INT64_MIN, false, KUMO_OK, 0, 0, "ERROR",
     "Gave up retrying <GET " URL "> (failed 3 times): 500 Internal Server Error",
     "retry/max_reached"},
    {{NULL}, 522, -1, -1, INT64_MIN, false, KUMO_EDONE, 1, -1, "DEBUG",
     "Retrying <GET " URL "> (failed 1 times): 522 Unknown Status",
     "retry/reason_count/522 Unknown Status"},
    {{NULL}, 408, 2, 5, INT64_MIN, false, KUMO_EDONE, 3, -1, "DEBUG",
     "Retrying <GET " URL "> (failed 3 times): 408 Request Time-out", NULL},
    {{NULL}, 429, -1, -1, 10, false, KUMO_EDONE, 1, 10, NULL, NULL, NULL},
    {{"RETRY_PRIORITY_ADJUST", "-5", NULL}, 502, -1, -1, INT64_MIN, false, KUMO_EDONE, 1, -5,
     NULL, NULL, NULL},
    {{"RETRY_TIMES", "0", NULL}, 500, -1, -1, INT64_MIN, false, KUMO_OK, 0, 0, "ERROR",
     "Gave up retrying <GET " URL "> (failed 1 times): 500 Internal Server Error", NULL},
    {{NULL}, 500, -1, -1, INT64_MIN, true, KUMO_OK, 0, 0, NULL, NULL, NULL},
    {{NULL}, 404, -1, -1, INT64_MIN, false, KUMO_OK, 0, 0, NULL, NULL, NULL},
    {{"RETRY_HTTP_CODES", "404,410", NULL}, 410, -1, -1, INT64_MIN, false, KUMO_EDONE, 1, -1,
     "DEBUG", "Retrying <GET " URL "> (failed 1 times): 410 Gone", NULL},
    {{"RETRY_HTTP_CODES", "[404]", NULL}, 500, -1, -1, INT64_MIN, false, KUMO_OK, 0, 0, NULL,
     NULL, NULL},
};

Test(mw_retry, responses)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(response_cases); i++) {
        kumo_crawler *c;
        void *self = NULL;
        c = mwt_crawler(response_cases[i].settings);
        mwt_log_begin();
        cr_assert_eq(kumo__dlmw_retry.open(c, &self), KUMO_OK);
        kumo_request *req = mwt_req(URL);
        if (response_cases[i].retry_times >= 0)
            kumo_map_set(&req->meta, "retry_times", kumo_val_int(response_cases[i].retry_times));
        if (response_cases[i].max_retry_times >= 0)
            kumo_map_set(&req->meta, "max_retry_times",
                         kumo_val_int(response_cases[i].max_retry_times));
        if (response_cases[i].priority_adjust != INT64_MIN)
            kumo_map_set(&req->meta, "priority_adjust",
                         kumo_val_int(response_cases[i].priority_adjust));
        if (response_cases[i].dont_retry)
            kumo_map_set(&req->meta, "dont_retry", kumo_val_bool(1));
        kumo_response *res = mwt_res(req, response_cases[i].status, NULL, "");
        kumo_request *next = NULL;
        int rc = kumo__dlmw_retry.process_response(self, c, req, &res, &next);
        cr_assert_eq(rc, response_cases[i].rc, "case %zu: rc %d", i, rc);
        if (rc == KUMO_EDONE) {
            cr_assert_not_null(next, "case %zu", i);
            cr_assert_str_eq(next->url, URL);
            cr_assert(next->dont_filter, "case %zu", i);
            cr_assert_eq(kumo_map_get_int(&next->meta, "retry_times", -1),
                         response_cases[i].new_times, "case %zu", i);
            cr_assert_eq(next->priority, response_cases[i].new_priority, "case %zu", i);
            kumo_request_unref(next);
        } else {
            cr_assert_null(next, "case %zu", i);
        }
        if (response_cases[i].log)
            mwt_assert_logged(LG, response_cases[i].log_level, response_cases[i].log);
        if (response_cases[i].stat)
            cr_assert_eq(mwt_stat(c, response_cases[i].stat), 1, "case %zu: %s", i,
                         response_cases[i].stat);
        if (rc == KUMO_OK && !response_cases[i].log)
            cr_assert_eq(mwt_stat(c, "retry/count"), -1, "case %zu", i);
        kumo_response_unref(res);
        kumo_request_unref(req);
        kumo__dlmw_retry.close(self, c);
        mwt_log_end();
        mwt_crawler_free(c);
    }
}

static const struct {
    int err;
    bool dont_retry;
    int64_t retry_times;
    int rc;
    const char *stat;
    const char *log_level, *log;
} exception_cases[] = {
    {KUMO_ETIMEDOUT, false, -1, KUMO_EDONE,
     "retry/reason_count/twisted.internet.error.TimeoutError", "DEBUG",
     "Retrying <GET " URL "> (failed 1 times): User timeout caused connection failure."},
    {KUMO_ECONNREFUSED, false, -1, KUMO_EDONE,
     "retry/reason_count/twisted.internet.error.ConnectionRefusedError", NULL, NULL},
    {KUMO_EDNS, false, -1, KUMO_EDONE,
     "retry/reason_count/twisted.internet.error.DNSLookupError", NULL, NULL},
    {KUMO_ECONN, false, -1, KUMO_EDONE, "retry/count", NULL, NULL},
    {KUMO_EPROTO, false, -1, KUMO_EDONE, "retry/count", NULL, NULL},
    {KUMO_ETOOBIG, false, -1, KUMO_EDECLINED, NULL, NULL, NULL},
    {KUMO_ESCHEME, false, -1, KUMO_EDECLINED, NULL, NULL, NULL},
    {KUMO_ETIMEDOUT, true, -1, KUMO_EDECLINED, NULL, NULL, NULL},
    {KUMO_EDNS, false, 2, KUMO_EDECLINED, "retry/max_reached", "ERROR",
     "Gave up retrying <GET " URL "> (failed 3 times): DNS lookup failed"},
};

Test(mw_retry, exceptions)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(exception_cases); i++) {
        kumo_crawler *c;
        void *self = NULL;
        c = mwt_crawler(NULL);
        mwt_log_begin();
        cr_assert_eq(kumo__dlmw_retry.open(c, &self), KUMO_OK);
        kumo_request *req = mwt_req(URL);
        if (exception_cases[i].dont_retry)
            kumo_map_set(&req->meta, "dont_retry", kumo_val_int(1));
        if (exception_cases[i].retry_times >= 0)
            kumo_map_set(&req->meta, "retry_times",
                         kumo_val_int(exception_cases[i].retry_times));
        kumo_response *res = NULL;
        kumo_request *next = NULL;
        int rc = kumo__dlmw_retry.process_exception(self, c, req, exception_cases[i].err, &res,
                                                   &next);
        cr_assert_eq(rc, exception_cases[i].rc, "case %zu: rc %d", i, rc);
        cr_assert_null(res);
        cr_assert_eq(next != NULL, rc == KUMO_EDONE, "case %zu", i);
        if (exception_cases[i].stat)
            cr_assert_eq(mwt_stat(c, exception_cases[i].stat), 1, "case %zu", i);
        if (rc == KUMO_EDECLINED && !exception_cases[i].stat)
            cr_assert_eq(kumo_map_get(kumo__stats_map(kumo__crawler_stats(c)),
                                      "retry/max_reached"), NULL);
        if (exception_cases[i].log)
            mwt_assert_logged(LG, exception_cases[i].log_level, exception_cases[i].log);
        kumo_request_unref(next);
        kumo_request_unref(req);
        kumo__dlmw_retry.close(self, c);
        mwt_log_end();
        mwt_crawler_free(c);
    }
}

/* The reason is Scrapy's str() of the exception: the timeout and url, the host. */
Test(mw_retry, exception_reasons_in_scrapy_words)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(NULL);
    mwt_log_begin();
    cr_assert_eq(kumo__dlmw_retry.open(c, &self), KUMO_OK);
    kumo_request *req = mwt_req(URL);
    kumo_map_set(&req->meta, "download_timeout", kumo_val_float(2.5));
    kumo_map_set(&req->meta, "retry_times", kumo_val_int(2));
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    cr_assert_eq(kumo__dlmw_retry.process_exception(self, c, req, KUMO_ETIMEDOUT, &res, &next),
                 KUMO_EDECLINED);
    mwt_assert_logged(LG, "ERROR", "Gave up retrying <GET " URL "> (failed 3 times): User "
                      "timeout caused connection failure: Getting " URL " took longer than 2.5 "
                      "seconds..\n");
    kumo_map_set(&req->meta, "retry_times", kumo_val_int(0));
    cr_assert_eq(kumo__dlmw_retry.process_exception(self, c, req, KUMO_EDNS, &res, &next),
                 KUMO_EDONE);
    mwt_assert_logged(LG, "DEBUG", "Retrying <GET " URL "> (failed 1 times): DNS lookup failed: "
                      "no results for hostname lookup: example.com.\n");
    kumo_request_unref(next);
    kumo_request_unref(req);
    kumo__dlmw_retry.close(self, c);
    mwt_log_end();
    mwt_crawler_free(c);
}

Test(mw_retry, disabled_and_copy)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(KUMO_LIST("RETRY_ENABLED", "false"));
    cr_assert_eq(kumo__dlmw_retry.open(c, &self), KUMO_EDECLINED);
    mwt_crawler_free(c);

    /* the retried request is a full copy: method, body, headers, meta */
    c = mwt_crawler(NULL);
    mwt_log_begin();
    cr_assert_eq(kumo__dlmw_retry.open(c, &self), KUMO_OK);
    kumo_request *req = mwt_req(URL);
    kumo_request_set_method(req, "POST");
    kumo_request_set_body(req, "a=1", 3);
    kumo_headers_add(kumo_request_headers(req), "X-Test", "1");
    kumo_map_set(&req->meta, "depth", kumo_val_int(3));
    kumo_request_set_priority(req, 7);
    kumo_response *res = mwt_res(req, 500, NULL, "");
    kumo_request *next = NULL;
    cr_assert_eq(kumo__dlmw_retry.process_response(self, c, req, &res, &next), KUMO_EDONE);
    cr_assert_str_eq(next->method, "POST");
    size_t len;
    kumo__request_body(next, &len);
    cr_assert_eq(len, 3);
    cr_assert_str_eq(kumo_headers_get(next->headers, "X-Test"), "1");
    cr_assert_eq(kumo_map_get_int(&next->meta, "depth", 0), 3);
    cr_assert_eq(next->priority, 6);
    mwt_assert_logged(LG, "DEBUG", "Retrying <POST " URL "> (failed 1 times)");
    kumo_request_unref(next);
    kumo_response_unref(res);
    kumo_request_unref(req);
    kumo__dlmw_retry.close(self, c);
    mwt_log_end();
    mwt_crawler_free(c);
}
