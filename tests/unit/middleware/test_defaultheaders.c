/* test_defaultheaders.c - the DefaultHeaders downloader middleware: DEFAULT_REQUEST_HEADERS. */
#include "mwtest.h"

TestSuite(mw_defaultheaders, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

static const struct {
    const char *setting;        /* NULL: the default */
    const char *have[3];        /* the request's own headers */
    const char *want[5];        /* "Name: value" pairs after, in order */
} cases[] = {
    {NULL, {NULL},
     {"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
      "Accept-Language: en", NULL}},
    {NULL, {"accept: */*", NULL}, {"accept: */*", "Accept-Language: en", NULL}},
    {"{\"X-One\": \"1\", \"X-None\": null, \"X-Num\": 5}", {NULL},
     {"X-One: 1", "X-Num: 5", NULL}},
    {"{\"X-Multi\": [\"a\", \"b\"]}", {NULL}, {"X-Multi: a", "X-Multi: b", NULL}},
    {"{\"X-Multi\": [\"a\", \"b\"]}", {"X-Multi: mine", NULL}, {"X-Multi: mine", NULL}},
    {"{}", {"X-Own: 1", NULL}, {"X-Own: 1", NULL}},
};

Test(mw_defaultheaders, setdefault)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_crawler *c;
        void *self = NULL;
        c = mwt_crawler(cases[i].setting ? KUMO_LIST("DEFAULT_REQUEST_HEADERS",
                                                     cases[i].setting)
                                         : NULL);
        cr_assert_eq(kumo__dlmw_defaultheaders.open(c, &self), KUMO_OK, "case %zu", i);
        kumo_request *req = mwt_req("http://example.com/");
        for (size_t j = 0; cases[i].have[j]; j++) {
            const char *colon = strchr(cases[i].have[j], ':');
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)(colon - cases[i].have[j]),
                     cases[i].have[j]);
            kumo_headers_add(kumo_request_headers(req), name, colon + 2);
        }
        kumo_response *res = NULL;
        kumo_request *next = NULL;
        cr_assert_eq(kumo__dlmw_defaultheaders.process_request(self, c, req, &res, &next),
                     KUMO_OK);
        size_t n = 0;
        while (cases[i].want[n])
            n++;
        cr_assert_eq(kumo_headers_count(req->headers), n, "case %zu", i);
        for (size_t j = 0; j < n; j++) {
            const char *name, *value;
            char got[256];
            kumo_headers_at(req->headers, j, &name, &value);
            snprintf(got, sizeof(got), "%s: %s", name, value);
            cr_assert_str_eq(got, cases[i].want[j], "case %zu", i);
        }
        kumo_request_unref(req);
        kumo__dlmw_defaultheaders.close(self, c);
        mwt_crawler_free(c);
    }
}
