/* test_httperror.c - the HttpError spider middleware: which statuses reach the callbacks. */
#include "mwtest.h"

TestSuite(mw_httperror, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

#define LG "kumo.spidermiddlewares.httperror"

static const struct {
    const char *settings[5];
    int status;
    const char *meta_key;       /* handle_httpstatus_all (bool) or handle_httpstatus_list */
    int meta_val;               /* the bool, or the one code in the list */
    bool pass;
} cases[] = {
    {{NULL}, 200, NULL, 0, true},
    {{NULL}, 204, NULL, 0, true},
    {{NULL}, 299, NULL, 0, true},
    {{NULL}, 404, NULL, 0, false},
    {{NULL}, 500, NULL, 0, false},
    {{NULL}, 301, NULL, 0, false},
    {{"HTTPERROR_ALLOWED_CODES", "404,410", NULL}, 404, NULL, 0, true},
    {{"HTTPERROR_ALLOWED_CODES", "[410]", NULL}, 404, NULL, 0, false},
    {{"HTTPERROR_ALLOW_ALL", "1", NULL}, 503, NULL, 0, true},
    {{NULL}, 404, "handle_httpstatus_all", 1, true},
    {{NULL}, 404, "handle_httpstatus_all", 0, false},
    {{NULL}, 404, "handle_httpstatus_list", 404, true},
    {{NULL}, 404, "handle_httpstatus_list", 500, false},
    /* the meta list wins over HTTPERROR_ALLOW_ALL, as in Scrapy */
    {{"HTTPERROR_ALLOW_ALL", "1", NULL}, 404, "handle_httpstatus_list", 500, false},
    {{"HTTPERROR_ALLOWED_CODES", "404", NULL}, 404, "handle_httpstatus_list", 500, false},
};

Test(mw_httperror, input)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_crawler *c;
        void *self = NULL;
        c = mwt_crawler(cases[i].settings);
        mwt_log_begin();
        cr_assert_eq(kumo__spmw_httperror.open(c, &self), KUMO_OK);
        kumo_request *req = mwt_req("http://example.com/page");
        if (cases[i].meta_key && strcmp(cases[i].meta_key, "handle_httpstatus_all") == 0) {
            kumo_map_set(&req->meta, cases[i].meta_key, kumo_val_bool(cases[i].meta_val));
        } else if (cases[i].meta_key) {
            kumo_value l = kumo_val_list();
            kumo_val_list_push(&l, kumo_val_int(cases[i].meta_val));
            kumo_map_set(&req->meta, cases[i].meta_key, l);
        }
        kumo_response *res = mwt_res(req, cases[i].status, NULL, "");
        int rc = kumo__spmw_httperror.process_spider_input(self, c, res);
        cr_assert_eq(rc, cases[i].pass ? KUMO_OK : KUMO_EIGNORED, "case %zu", i);
        char key[96];
        snprintf(key, sizeof(key), "httperror/response_ignored_status_count/%d",
                 cases[i].status);
        cr_assert_eq(mwt_stat(c, "httperror/response_ignored_count"), cases[i].pass ? -1 : 1,
                     "case %zu", i);
        cr_assert_eq(mwt_stat(c, key), cases[i].pass ? -1 : 1, "case %zu", i);
        if (!cases[i].pass) {
            char line[256];
            snprintf(line, sizeof(line), "Ignoring response <%d http://example.com/page>: "
                     "HTTP status code is not handled or not allowed\n", cases[i].status);
            mwt_assert_logged(LG, "INFO", line);
        } else {
            cr_assert_str_empty(mwt_log(), "case %zu", i);
        }
        kumo_response_unref(res);
        kumo_request_unref(req);
        kumo__spmw_httperror.close(self, c);
        mwt_log_end();
        mwt_crawler_free(c);
    }
}
