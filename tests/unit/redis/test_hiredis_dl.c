/* test_hiredis_dl.c - libhiredis loaded at the first Redis connection: the soname the headers
 * were built for, every function in the table, and a missing library as one line from the
 * connection (no crash, no connection). */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/dlcheck.h"
#include "lib/leakcheck.h"
#include "redis/client.h"
#include "redis/hiredis_dl.h"
#include "sonames.h"

TestSuite(hiredis_dl, KUMO_LEAKCHECK);

Test(hiredis_dl, the_soname_of_the_headers_and_every_function)
{
    unsetenv(KUMO_HIREDIS_ENV);
    char err[512] = "";
    cr_assert_eq(kumo__hiredis_load(err, sizeof(err)), KUMO_OK, "%s", err);
#define NOT_NULL(sym) cr_expect(kumo__hiredis.sym, #sym " is not in the table");
    KUMO_HIREDIS_SYMBOLS(NOT_NULL)
#undef NOT_NULL
    kumo_expect_from_soname((const void *)kumo__hiredis.redisFree, "redisFree",
                            KUMO_SONAME_HIREDIS);
    cr_assert_eq(kumo__hiredis_load(err, sizeof(err)), KUMO_OK, "a second call");
}

Test(hiredis_dl, a_missing_library_is_one_line_and_no_connection)
{
    setenv(KUMO_HIREDIS_ENV, "/nonexistent/kumo/libhiredis.so.0", 1);
    kumo_redis_url u;
    char err[512] = "";
    cr_assert_eq(kumo__redis_url_parse("redis://127.0.0.1:1/0", &u, err, sizeof(err)), KUMO_OK);
    cr_expect_null(kumo__redis_connect(&u, 1, err, sizeof(err)));
    const char *want = "Redis backend: cannot load '/nonexistent/kumo/libhiredis.so.0' (from "
                       KUMO_HIREDIS_ENV "): ";
    cr_expect(!strncmp(err, want, strlen(want)), "%s", err);
    cr_expect_null(strchr(err, '\n'), "%s", err);
    cr_expect_null(kumo__hiredis.redisConnectWithTimeout, "nothing was loaded");
    unsetenv(KUMO_HIREDIS_ENV);
    err[0] = '\0';
    cr_expect_null(kumo__redis_connect(&u, 1, err, sizeof(err)), "nothing listens on port 1");
    cr_expect(strstr(err, "cannot connect to Redis at 'redis://127.0.0.1:1/0'"),
              "loaded now, it connects (and fails for its own reason): %s", err);
}
