/* test_cache_settings.c - the HTTPCACHE_* settings read into a cache policy: defaults, every
 * field, and the one-line errors for a bad policy name or status code. */
#include "mwtest.h"
#include "middleware/cache_settings.h"

TestSuite(cache_settings, KUMO_LEAKCHECK);

/* A bare crawler with the default settings plus kv (NAME, VALUE pairs, NULL-terminated). */
static kumo_crawler *crawler(const char *const *kv)
{
    kumo_settings *s = kumo__settings_new();
    for (size_t i = 0; kv && kv[i]; i += 2) {
        char err[256];
        int rc = kumo__settings_set(s, kv[i], kv[i + 1], KUMO_PRIO_CMDLINE, err, sizeof(err));
        cr_assert_eq(rc, KUMO_OK, "%s=%s: %s", kv[i], kv[i + 1], err);
    }
    return kumo__crawler_new_bare(s, NULL);
}

Test(cache_settings, defaults)
{
    kumo_crawler *c = crawler(NULL);
    kumo_cache_policy p;
    char err[256] = "";
    cr_assert_eq(kumo__cache_policy_init(&p, c, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_assert_eq(p.kind, KUMO_CACHE_DUMMY);
    cr_assert_not(p.always_store);
    cr_assert_eq(p.nschemes, 1);
    cr_assert_str_eq(p.ignore_schemes[0], "file");
    cr_assert_eq(p.ncodes, 0);
    cr_assert_eq(p.ncc, 0);
    /* the policy reads as its settings say: file: urls are not cached */
    cr_assert_not(kumo__cache_policy_should_cache_request(&p, "file:///tmp/x", NULL));
    cr_assert(kumo__cache_policy_should_cache_request(&p, "http://example.com/", NULL));
    kumo__cache_policy_release(&p);
    kumo__crawler_free(c);
}

Test(cache_settings, every_field)
{
    kumo_crawler *c = crawler(KUMO_LIST("HTTPCACHE_POLICY", "scrapy.extensions.httpcache."
                                          "RFC2616Policy",
                                          "HTTPCACHE_ALWAYS_STORE", "True",
                                          "HTTPCACHE_IGNORE_SCHEMES", "file,data",
                                          "HTTPCACHE_IGNORE_RESPONSE_CACHE_CONTROLS",
                                          "no-store,no-cache",
                                          "HTTPCACHE_IGNORE_HTTP_CODES", "404, 500"));
    kumo_cache_policy p;
    char err[256] = "";
    cr_assert_eq(kumo__cache_policy_init(&p, c, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_assert_eq(p.kind, KUMO_CACHE_RFC2616);
    cr_assert(p.always_store);
    cr_assert_eq(p.nschemes, 2);
    cr_assert_str_eq(p.ignore_schemes[1], "data");
    cr_assert_eq(p.ncc, 2);
    cr_assert_str_eq(p.ignore_cc[0], "no-store");
    cr_assert_eq(p.ncodes, 2);
    cr_assert_eq(p.ignore_codes[0], 404);
    cr_assert_eq(p.ignore_codes[1], 500);
    kumo__cache_policy_release(&p);
    kumo__crawler_free(c);
}

Test(cache_settings, ignored_codes_are_not_stored_by_dummy)
{
    kumo_crawler *c = crawler(KUMO_LIST("HTTPCACHE_IGNORE_HTTP_CODES", "503"));
    kumo_cache_policy p;
    char err[256] = "";
    cr_assert_eq(kumo__cache_policy_init(&p, c, err, sizeof(err)), KUMO_OK, "%s", err);
    kumo_headers *h = kumo__headers_new();
    cr_assert_not(kumo__cache_policy_should_cache_response(&p, 503, h));
    cr_assert(kumo__cache_policy_should_cache_response(&p, 200, h));
    kumo__headers_free(h);
    kumo__cache_policy_release(&p);
    kumo__crawler_free(c);
}

Test(cache_settings, unknown_policy_is_refused)
{
    kumo_crawler *c = crawler(KUMO_LIST("HTTPCACHE_POLICY", "Nope"));
    kumo_cache_policy p;
    char err[256] = "";
    cr_assert_eq(kumo__cache_policy_init(&p, c, err, sizeof(err)), KUMO_EINVAL);
    cr_assert_str_eq(err, "unknown HTTPCACHE_POLICY 'Nope': expected Dummy or RFC2616");
    kumo__crawler_free(c);
}

Test(cache_settings, bad_status_code_is_refused_and_released)
{
    const char *bad[] = {"404,abc", "5x", "99999999999", "2xx"};
    const char *named[] = {"'abc'", "'5x'", "'99999999999'", "'2xx'"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad); i++) {
        kumo_crawler *c = crawler(KUMO_LIST("HTTPCACHE_IGNORE_HTTP_CODES", bad[i]));
        kumo_cache_policy p;
        char err[256] = "";
        cr_assert_eq(kumo__cache_policy_init(&p, c, err, sizeof(err)), KUMO_EINVAL, "%s",
                     bad[i]);
        char want[128];
        snprintf(want, sizeof(want), "invalid HTTPCACHE_IGNORE_HTTP_CODES entry %s: expected "
                 "a status code", named[i]);
        cr_assert_str_eq(err, want);
        /* p was released on the error: nothing of it is left for the leak check */
        cr_assert_null(p.ignore_codes);
        cr_assert_null(p.ignore_schemes);
        kumo__crawler_free(c);
    }
}
