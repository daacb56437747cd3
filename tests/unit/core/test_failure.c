/* test_failure.c - what an errback reads, and Scrapy's exception names per error. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "core/failure.h"
#include "http/request.h"
#include "lib/leakcheck.h"

TestSuite(failure, KUMO_LEAKCHECK);

Test(failure, type_names_follow_scrapy)
{
    cr_assert_str_eq(kumo__failure_type_name(KUMO_ETIMEDOUT), "TimeoutError");
    cr_assert_str_eq(kumo__failure_type_name(KUMO_EDNS), "DNSLookupError");
    cr_assert_str_eq(kumo__failure_type_name(KUMO_ECONNREFUSED), "ConnectionRefusedError");
    cr_assert_str_eq(kumo__failure_type_name(KUMO_EHTTP), "HttpError");
    cr_assert_str_eq(kumo__failure_type_name(KUMO_EIGNORED), "IgnoreRequest");
    cr_assert_str_eq(kumo__failure_type_name(KUMO_ETOOBIG), "CancelledError");
    cr_assert_str_eq(kumo__failure_type_name(KUMO_ECANCELED), "CancelledError");
    /* anything else is a generic download error */
    cr_assert_str_eq(kumo__failure_type_name(KUMO_EINVAL), "DownloadError");
    cr_assert_str_eq(kumo__failure_type_name(-1), "DownloadError");
}

Test(failure, accessors_return_what_it_holds)
{
    kumo_request *req = kumo_request_new("http://a.test/x", NULL, NULL);
    kumo_failure f = {.req = req, .err = KUMO_ETIMEDOUT, .message = "took too long"};
    cr_assert_eq(kumo_failure_request(&f), req);
    cr_assert_eq(kumo_failure_error(&f), KUMO_ETIMEDOUT);
    cr_assert_str_eq(kumo_failure_type(&f), "TimeoutError");
    cr_assert_str_eq(kumo_failure_message(&f), "took too long");
    cr_assert_null(kumo_failure_response(&f));
    kumo_request_unref(req);
}
