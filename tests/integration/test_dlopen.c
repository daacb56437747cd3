/* test_dlopen.c - the binary links neither libedit nor libhiredis (nor what libedit brings):
 * a crawl without Redis never loads libhiredis, and each Redis backend without it fails
 * with one line naming the library (exit 1, no crash). */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/suite.h"
#include "redis/hiredis_dl.h"
#include "sonames.h"

#define MISSING "/nonexistent/kumo/libhiredis.so.0"
#define ENV KUMO_HIREDIS_ENV "=" MISSING
#define WHY "Redis backend: cannot load '" MISSING "' (from " KUMO_HIREDIS_ENV "): "

static kumo_clirun r;

TestSuite(dlopen, KUMO_SERVER_SUITE, .timeout = 120);

/* The lines of s. */
static size_t lines_of(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

Test(dlopen, the_loader_maps_neither_library)
{
    const char *bin = getenv("KUMO_BIN");
    cr_assert(bin, "KUMO_BIN is not set (run through make test)");
    char cmd[4200], out[16384];
    snprintf(cmd, sizeof(cmd), "ldd '%s'", bin);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    out[fread(out, 1, sizeof(out) - 1, p)] = '\0';
    cr_assert_eq(pclose(p), 0, "%s", out);
    cr_assert(strstr(out, "libc.so"), "not ldd's list: %s", out);
    /* libedit's own dependencies came only with it */
    static const char *const gone[] = {KUMO_SONAME_HIREDIS, KUMO_SONAME_EDIT, "libtinfo.so",
                                       "libbsd.so", "libmd.so"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(gone); i++)
        cr_expect_null(strstr(out, gone[i]), "%s is linked: %s", gone[i], out);
}

Test(dlopen, a_crawl_without_redis_never_loads_it)
{
    char url[256], args[512];
    kumo_testserver_url(kumo_test_srv, "/", url, sizeof(url));
    snprintf(args, sizeof(args), "crawl follow -a 'url=%s' -s CLOSESPIDER_PAGECOUNT=2 "
             "-s TELNETCONSOLE_ENABLED=0", url);
    cr_assert_eq(kumo_clirun_run(&r, NULL, ENV, args), 0, "%s", r.err);
    cr_expect(strstr(r.err, "Spider closed"), "%s", r.err);
    cr_expect_null(strstr(r.err, "cannot load"), "%s", r.err);
}

Test(dlopen, the_redis_scheduler_without_it_is_one_line)
{
    char url[256], args[512];
    kumo_testserver_url(kumo_test_srv, "/", url, sizeof(url));
    snprintf(args, sizeof(args), "crawl follow -a 'url=%s' -s SCHEDULER=redis "
             "-s REDIS_URL=redis://127.0.0.1:1/0 -s LOG_LEVEL=WARNING "
             "-s CLOSESPIDER_TIMEOUT=30", url);
    cr_assert_eq(kumo_clirun_run(&r, NULL, ENV, args), 1, "%s", r.err);
    cr_expect(!strncmp(r.err, "kumo: " WHY, strlen("kumo: " WHY)), "%s", r.err);
    cr_expect_eq(lines_of(r.err), 1, "%s", r.err);
}

Test(dlopen, the_redis_pipeline_without_it_fails_to_open)
{
    char url[256], args[512];
    kumo_testserver_url(kumo_test_srv, "/", url, sizeof(url));
    snprintf(args, sizeof(args), "crawl follow -a 'url=%s' -s 'ITEM_PIPELINES={\"RedisPipeline\""
             ": 300}' -s REDIS_URL=redis://127.0.0.1:1/0 -s LOG_LEVEL=WARNING "
             "-s CLOSESPIDER_TIMEOUT=30", url);  /* with the library, Redis is waited for */
    cr_assert_eq(kumo_clirun_run(&r, NULL, ENV, args), 1, "%s", r.err);
    cr_expect(strstr(r.err, "ERROR: RedisPipeline: " WHY), "%s", r.err);
    cr_expect(strstr(r.err, "kumo: cannot open item pipeline 'RedisPipeline'"), "%s", r.err);
    cr_expect_null(strstr(r.err, "Crawled ("), "nothing was fetched: %s", r.err);
}

Test(dlopen, kumo_job_on_redis_without_it_is_one_line)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, ENV, "job 'redis://127.0.0.1:1/0#follow'"), 1,
                 "%s", r.err);
    cr_expect(!strncmp(r.err, "kumo: " WHY, strlen("kumo: " WHY)), "%s", r.err);
    cr_expect_eq(lines_of(r.err), 1, "%s", r.err);
    cr_expect_str_eq(r.out, "");
}
