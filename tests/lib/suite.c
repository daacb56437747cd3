/* suite.c - the fixture of the suites that run against the test server. */
#include "lib/suite.h"
#include "lib/leakcheck.h"

#include <criterion/criterion.h>

kumo_testserver *kumo_test_srv;

void kumo_server_suite_init(void)
{
    kumo_leakcheck_start();
    kumo_test_srv = kumo_testserver_start();
    cr_assert_not_null(kumo_test_srv, "the test server did not start");
}

void kumo_server_suite_fini(void)
{
    kumo_testserver_stop(kumo_test_srv);
    kumo_test_srv = NULL;
    kumo_leakcheck_end();
}
