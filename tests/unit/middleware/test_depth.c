/* test_depth.c - the Depth spider middleware: meta depth, limit, priority and stats. */
#include "mwtest.h"

TestSuite(mw_depth, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

#define LG "kumo.spidermiddlewares.depth"

static const struct {
    const char *settings[7];
    int64_t res_depth;          /* the response's meta depth; -1: none */
    int rc;
    int64_t depth;              /* the request's depth after */
    int priority;               /* the request's priority after (it starts at 0) */
    int64_t depth_max;          /* request_depth_max; -1: unset */
} cases[] = {
    {{NULL}, 0, KUMO_OK, 1, 0, 1},
    {{NULL}, 4, KUMO_OK, 5, 0, 5},
    {{NULL}, -1, KUMO_OK, 1, 0, 1},
    {{"DEPTH_PRIORITY", "1", NULL}, 2, KUMO_OK, 3, -3, 3},
    {{"DEPTH_PRIORITY", "-2", NULL}, 2, KUMO_OK, 3, 6, 3},
    {{"DEPTH_LIMIT", "3", NULL}, 2, KUMO_OK, 3, 0, 3},
    {{"DEPTH_LIMIT", "3", NULL}, 3, KUMO_EIGNORED, 4, 0, -1},
    {{"DEPTH_LIMIT", "3", "DEPTH_PRIORITY", "1", NULL}, 3, KUMO_EIGNORED, 4, -4, -1},
};

Test(mw_depth, requests)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_crawler *c;
        void *self = NULL;
        c = mwt_crawler(cases[i].settings);
        mwt_log_begin();
        cr_assert_eq(kumo__spmw_depth.open(c, &self), KUMO_OK);
        kumo_request *from = mwt_req("http://example.com/");
        if (cases[i].res_depth >= 0)
            kumo_map_set(&from->meta, "depth", kumo_val_int(cases[i].res_depth));
        kumo_response *res = mwt_res(from, 200, NULL, "");
        kumo_request *req = mwt_req("http://example.com/next");
        int rc = kumo__spmw_depth.process_request(self, c, res, req);
        cr_assert_eq(rc, cases[i].rc, "case %zu", i);
        cr_assert_eq(kumo_map_get_int(&req->meta, "depth", -1), cases[i].depth, "case %zu", i);
        cr_assert_eq(req->priority, cases[i].priority, "case %zu", i);
        cr_assert_eq(mwt_stat(c, "request_depth_max"), cases[i].depth_max, "case %zu", i);
        cr_assert_eq(kumo_map_get_int(&from->meta, "depth", -1),
                     cases[i].res_depth < 0 ? 0 : cases[i].res_depth);
        if (rc == KUMO_EIGNORED)
            mwt_assert_logged(LG, "DEBUG", "Ignoring link (depth > 3): http://example.com/next\n");
        kumo_request_unref(req);
        kumo_response_unref(res);
        kumo_request_unref(from);
        kumo__spmw_depth.close(self, c);
        mwt_log_end();
        mwt_crawler_free(c);
    }
}

/* Start requests get depth 0; DEPTH_STATS_VERBOSE counts every depth once per request. */
Test(mw_depth, start_requests_and_verbose_stats)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(KUMO_LIST("DEPTH_STATS_VERBOSE", "1", "DEPTH_LIMIT", "1"));
    mwt_log_begin();
    cr_assert_eq(kumo__spmw_depth.open(c, &self), KUMO_OK);
    kumo_request *start = mwt_req("http://example.com/");
    cr_assert_eq(kumo__spmw_depth.process_request(self, c, NULL, start), KUMO_OK);
    cr_assert_eq(kumo_map_get_int(&start->meta, "depth", -1), 0);
    cr_assert_eq(mwt_stat(c, "request_depth_count/0"), 1);
    cr_assert_eq(mwt_stat(c, "request_depth_max"), -1);

    kumo_response *res = mwt_res(start, 200, NULL, "");
    kumo_request *a = mwt_req("http://example.com/a"), *b = mwt_req("http://example.com/b");
    cr_assert_eq(kumo__spmw_depth.process_request(self, c, res, a), KUMO_OK);
    cr_assert_eq(kumo__spmw_depth.process_request(self, c, res, b), KUMO_OK);
    cr_assert_eq(mwt_stat(c, "request_depth_count/0"), 1);
    cr_assert_eq(mwt_stat(c, "request_depth_count/1"), 2);
    cr_assert_eq(mwt_stat(c, "request_depth_max"), 1);

    kumo_response *res2 = mwt_res(a, 200, NULL, "");
    kumo_request *deep = mwt_req("http://example.com/deep");
    cr_assert_eq(kumo__spmw_depth.process_request(self, c, res2, deep), KUMO_EIGNORED);
    cr_assert_eq(mwt_stat(c, "request_depth_count/2"), -1);

    kumo_request_unref(deep);
    kumo_response_unref(res2);
    kumo_request_unref(a);
    kumo_request_unref(b);
    kumo_response_unref(res);
    kumo_request_unref(start);
    kumo__spmw_depth.close(self, c);
    mwt_log_end();
    mwt_crawler_free(c);
}
