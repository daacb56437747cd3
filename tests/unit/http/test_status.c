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
        cr_assert_str_eq(kumo_http_status_message(messages[i].status, buf, sizeof(buf)),
                         messages[i].message);
    }
    cr_assert_null(kumo_http_status_phrase(429));
    cr_assert_str_eq(kumo_http_status_phrase(503), "Service Unavailable");
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
        cr_assert_str_eq(kumo_exception_name(names[i].err), names[i].name);
        cr_assert_not_null(kumo_exception_message(names[i].err));
    }
    cr_assert_str_eq(kumo_exception_message(KUMO_ETIMEDOUT),
                     "User timeout caused connection failure.");
}
