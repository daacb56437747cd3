/* test_scheduler.c - priority order, LIFO within a priority, the dupefilter, dont_filter. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "core/crawler.h"
#include "core/scheduler.h"
#include "core/settings.h"
#include "core/stats.h"
#include "http/request.h"
#include "lib/leakcheck.h"

static kumo_crawler *c;
static kumo_scheduler *s;

static void setup(void)
{
    kumo_leakcheck_start();
    c = kumo__crawler_new_bare(kumo__settings_new(), NULL);
    int err;
    s = kumo__scheduler_open(c, &err);
    cr_assert(s);
}

static void teardown(void)
{
    kumo__scheduler_close(s);
    kumo__crawler_free(c);
    kumo_leakcheck_end();
}

TestSuite(scheduler, .init = setup, .fini = teardown);

static kumo_request *req(const char *url, int prio)
{
    kumo_request *r = kumo_request_new(url, NULL, NULL);
    cr_assert(r, "%s", url);
    kumo_request_set_priority(r, prio);
    return r;
}

Test(scheduler, priority_then_lifo)
{
    cr_assert(kumo__scheduler_enqueue(s, req("http://a.test/1", 0)));
    cr_assert(kumo__scheduler_enqueue(s, req("http://a.test/2", 0)));
    cr_assert(kumo__scheduler_enqueue(s, req("http://a.test/3", 5)));
    cr_assert(kumo__scheduler_enqueue(s, req("http://a.test/4", -1)));
    cr_assert(kumo__scheduler_enqueue(s, req("http://a.test/5", 0)));
    static const char *const want[] = {"http://a.test/3", "http://a.test/5", "http://a.test/2",
                                       "http://a.test/1", "http://a.test/4"};
    cr_assert_eq(kumo__scheduler_len(s), 5);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(want); i++) {
        kumo_request *r = kumo__scheduler_next(s);
        cr_assert_str_eq(kumo_request_url(r), want[i]);
        kumo_request_unref(r);
    }
    cr_assert_null(kumo__scheduler_next(s));
    cr_assert_eq(kumo__stats_get_int(kumo__crawler_stats(c), "scheduler/enqueued/memory", 0), 5);
    cr_assert_eq(kumo__stats_get_int(kumo__crawler_stats(c), "scheduler/dequeued", 0), 5);
}

Test(scheduler, dupefilter_uses_the_fingerprint)
{
    cr_assert(kumo__scheduler_enqueue(s, req("http://example.com/query?id=111&cat=222", 0)));
    cr_assert_not(kumo__scheduler_enqueue(s, req("http://example.com/query?cat=222&id=111#f", 0)));
    kumo_request *again = req("http://example.com/query?id=111&cat=222", 0);
    kumo_request_set_dont_filter(again, 1);
    cr_assert(kumo__scheduler_enqueue(s, again));
    cr_assert_eq(kumo__scheduler_len(s), 2);
    cr_assert_eq(kumo__stats_get_int(kumo__crawler_stats(c), "dupefilter/filtered", 0), 1);
}

Test(scheduler, many_requests)
{
    char url[64];
    for (int i = 0; i < 20000; i++) {
        snprintf(url, sizeof(url), "http://a.test/%d", i % 10000);
        kumo__scheduler_enqueue(s, req(url, i % 7));
    }
    cr_assert_eq(kumo__scheduler_len(s), 10000);
    int last = 1 << 30;
    for (kumo_request *r; (r = kumo__scheduler_next(s));) {
        cr_assert_leq(kumo_request_priority(r), last);
        last = kumo_request_priority(r);
        kumo_request_unref(r);
    }
}
