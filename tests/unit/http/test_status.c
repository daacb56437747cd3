/* test_status.c - status phrases and exception names as Scrapy reports them. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "http/status.h"

TestSuite(status);

/* response_status_message() of Scrapy 2.8 (Twisted's http.RESPONSES) */
static const struct {
    int status;
    const char *message;
} messages[] = {
    {200, "200 OK"},
    {205, "205 Reset Content."},
    {302, "302 Found"},
    {308, "308 Permanent Redirect"},
    {404, "404 Not Found"},
    {408, "408 Request Time-out"},
    {429, "429 Unknown Status"},
    {500, "500 Internal Server Error"},
    {504, "504 Gateway Time-out"},
    {522, "522 Unknown Status"},
    {0, "0 Unknown Status"},
};

Test(status, messages)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(messages); i++) {
        char buf[64];
        cr_assert_str_eq(kumo__http_status_message(messages[i].status, buf, sizeof(buf)),
                         messages[i].message);
    }
    cr_assert_null(kumo__http_status_phrase(429));
    cr_assert_str_eq(kumo__http_status_phrase(503), "Service Unavailable");
}

static const struct {
    int err;
    const char *name;
} names[] = {
    {KUMO_ETIMEDOUT, "twisted.internet.error.TimeoutError"},
    {KUMO_ECONNREFUSED, "twisted.internet.error.ConnectionRefusedError"},
    {KUMO_EDNS, "twisted.internet.error.DNSLookupError"},
    {KUMO_ECONN, "twisted.internet.error.ConnectionLost"},
    {KUMO_EPROTO, "twisted.web._newclient.ResponseFailed"},
    {KUMO_ETOOBIG, "twisted.internet.defer.CancelledError"},
    {KUMO_EDONE, "builtins.Exception"},
    {9999, "builtins.Exception"},
};

Test(status, exception_names)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(names); i++) {
        cr_assert_str_eq(kumo__exception_name(names[i].err), names[i].name);
        cr_assert_not_null(kumo__exception_message(names[i].err));
    }
    cr_assert_str_eq(kumo__exception_message(KUMO_ETIMEDOUT),
                     "User timeout caused connection failure.");
}

/* Scrapy's str() of each download exception, as its retry line and getErrorMessage() say. */
Test(status, exception_str_has_scrapy_words)
{
    int err;
    kumo_request *req = kumo_request_new("http://example.com:8080/a?b=1#frag", NULL, &err);
    cr_assert_not_null(req);
    char buf[512];
    cr_assert_str_eq(kumo__exception_str(KUMO_ETIMEDOUT, req, "Timeout was reached", buf,
                                         sizeof(buf)),
                     "User timeout caused connection failure.");
    kumo_map_set(kumo_request_meta(req), "download_timeout", kumo_val_float(180));
    cr_assert_str_eq(kumo__exception_str(KUMO_ETIMEDOUT, req, NULL, buf, sizeof(buf)),
                     "User timeout caused connection failure: Getting "
                     "http://example.com:8080/a?b=1 took longer than 180.0 seconds..");
    kumo_map_set(kumo_request_meta(req), "download_timeout", kumo_val_int(5));
    cr_assert(strstr(kumo__exception_str(KUMO_ETIMEDOUT, req, NULL, buf, sizeof(buf)),
                     " took longer than 5 seconds.."), "%s", buf);
    cr_assert_str_eq(kumo__exception_str(KUMO_EDNS, req, "Couldn't resolve host name", buf,
                                         sizeof(buf)),
                     "DNS lookup failed: no results for hostname lookup: example.com.");
    cr_assert_str_eq(kumo__exception_str(KUMO_ECONNREFUSED, req, "Couldn't connect to server",
                                         buf, sizeof(buf)),
                     "Connection was refused by other side: 111: Connection refused.");
    cr_assert_str_eq(kumo__exception_str(KUMO_ETOOBIG, req, "Cancelling download of x: ...",
                                         buf, sizeof(buf)), "Cancelling download of x: ...");
    cr_assert_str_eq(kumo__exception_str(KUMO_ETOOBIG, NULL, NULL, buf, sizeof(buf)),
                     "Response larger than the download max size.");
    cr_assert_str_eq(kumo__exception_str(KUMO_EDONE, req, "curl's words", buf, sizeof(buf)),
                     "curl's words");
    cr_assert_str_eq(kumo__exception_str(KUMO_EDNS, NULL, NULL, buf, sizeof(buf)),
                     kumo__exception_message(KUMO_EDNS));
    kumo_request_unref(req);
}
