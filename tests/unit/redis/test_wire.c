/* test_wire.c - requests as stored in Redis: callbacks by name, everything the scheduler
 * keeps survives, nothing decodes into a function pointer; scrapy-redis start urls; the
 * dupefilter's fingerprint split. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "core/crawler.h"
#include "core/spider.h"
#include "http/request.h"
#include "lib/leakcheck.h"
#include "redis/wire.h"

static void cb_a(kumo_response *res, kumo_out *out)
{
    (void)res, (void)out;
}

static void cb_b(kumo_response *res, kumo_out *out)
{
    (void)res, (void)out;
}

static void cb_other(kumo_response *res, kumo_out *out)
{
    (void)res, (void)out;
}

static void eb(kumo_failure *f, kumo_out *out)
{
    (void)f, (void)out;
}

static const kumo_spider_def def = {
    KUMO_SPIDER_HEADER,
    .name = "wire",
    .callbacks = KUMO_CALLBACKS(cb_a, cb_b),
    .errbacks = KUMO_ERRBACKS(eb),
};

static const kumo_spider_def def_short = {
    KUMO_SPIDER_HEADER,
    .name = "wire",
    .callbacks = KUMO_CALLBACKS(cb_a),
};

TestSuite(redis_wire, KUMO_LEAKCHECK);

static kumo_request *req_new(const char *url, kumo_callback_fn cb)
{
    int err;
    kumo_request *r = kumo_request_new(url, cb, &err);
    cr_assert(r, "%s", kumo_strerror(err));
    return r;
}

Test(redis_wire, round_trip_keeps_what_the_scheduler_keeps)
{
    kumo_crawler *c = kumo__crawler_new_bare(NULL, &def);
    kumo_request *r = req_new("http://a.test/x?q=1", cb_b);
    kumo_request_set_errback(r, eb);
    r->priority = -7;
    r->dont_filter = true;
    kumo_request_set_method(r, "POST");
    kumo_map_set(&r->meta, "depth", kumo_val_int(3));
    kumo_map_set(kumo_request_cb_kwargs(r), "page", kumo_val_str("two"));
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    char why[256];
    cr_assert_eq(kumo__redis_wire_encode(kumo_crawler_spider(c), r, &b, why, sizeof(why)),
                 KUMO_OK, "%s", why);
    cr_assert_eq(r->cb, cb_b, "the request is left as it was");
    cr_assert_str_eq(b.s, "cb_b", "the callback is stored by name");
    kumo_request *d = kumo__redis_wire_decode(&def, b.s, b.len, why, sizeof(why));
    cr_assert(d, "%s", why);
    cr_expect_str_eq(d->url, "http://a.test/x?q=1");
    cr_expect_str_eq(d->method, "POST");
    cr_expect_eq(d->cb, cb_b);
    cr_expect_eq(kumo__request_errback(d), eb);
    cr_expect_eq(d->priority, -7);
    cr_expect(d->dont_filter);
    cr_expect_eq(kumo_map_get_int(&d->meta, "depth", 0), 3);
    const kumo_value *v = kumo_map_get(kumo__request_cb_kwargs(d), "page");
    cr_assert(v && v->type == KUMO_VAL_STR);
    cr_expect_str_eq(v->u.str.s, "two");
    /* a spider without cb_b cannot take it: named in the reason */
    kumo_request *none = kumo__redis_wire_decode(&def_short, b.s, b.len, why, sizeof(why));
    cr_expect_null(none);
    cr_expect(strstr(why, "'cb_b'"), "%s", why);
    kumo_request_unref(d);
    kumo_request_unref(r);
    kumo__buf_release(&b);
    kumo__crawler_free(c);
}

Test(redis_wire, unknown_callback_and_objects_are_refused)
{
    kumo_crawler *c = kumo__crawler_new_bare(NULL, &def);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    char why[256];
    kumo_request *r = req_new("http://a.test/", cb_other);
    cr_expect_eq(kumo__redis_wire_encode(kumo_crawler_spider(c), r, &b, why, sizeof(why)),
                 KUMO_EINVAL);
    cr_expect(strstr(why, "callback"), "%s", why);
    cr_expect_eq(b.len, 0);
    kumo_request *held = req_new("http://a.test/held", NULL);
    r->cb = NULL;
    kumo_map_set(&r->meta, "obj", kumo_val_obj(&held->ref));
    cr_expect_eq(kumo__redis_wire_encode(kumo_crawler_spider(c), r, &b, why, sizeof(why)),
                 KUMO_EINVAL);
    cr_expect_eq(b.len, 0, "out unchanged");
    kumo_request_unref(held);
    kumo_request_unref(r);
    kumo__buf_release(&b);
    kumo__crawler_free(c);
}

Test(redis_wire, malformed_input_never_decodes)
{
    char why[256];
    cr_expect_null(kumo__redis_wire_decode(&def, "no nul", 6, why, sizeof(why)));
    cr_expect_null(kumo__redis_wire_decode(&def, "\0\0\xff\xff", 4, why, sizeof(why)));
    /* a stored function pointer (kumo__request_pack's F_CB) is refused */
    kumo_request *r = req_new("http://a.test/", cb_a);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__buf_add(&b, "\0\0", 2);
    cr_assert_eq(kumo__request_pack(r, &b), KUMO_OK);
    cr_expect_null(kumo__redis_wire_decode(&def, b.s, b.len, why, sizeof(why)));
    cr_expect_str_eq(why, "malformed request encoding");
    for (size_t cut = 0; cut < b.len; cut++) {   /* every truncation */
        kumo_request *d = kumo__redis_wire_decode(&def, b.s, cut, why, sizeof(why));
        cr_expect_null(d, "cut %zu", cut);
    }
    kumo__buf_release(&b);
    kumo_request_unref(r);
}

Test(redis_wire, start_urls_as_scrapy_redis_reads_them)
{
    char why[256];
    const char *plain = "http://a.test/one\n";
    kumo_request *r = kumo__redis_start_url_decode(plain, strlen(plain), why, sizeof(why));
    cr_assert(r, "%s", why);
    cr_expect_str_eq(r->url, "http://a.test/one");
    cr_expect(r->dont_filter);
    cr_expect_null(r->cb);
    kumo_request_unref(r);
    const char *json = "{\"url\": \"http://a.test/two\", \"meta\": {\"k\": [1, 2]}, "
                       "\"method\": \"post\"}";
    r = kumo__redis_start_url_decode(json, strlen(json), why, sizeof(why));
    cr_assert(r, "%s", why);
    cr_expect_str_eq(r->url, "http://a.test/two");
    cr_expect_str_eq(r->method, "POST");
    const kumo_value *k = kumo_map_get(&r->meta, "k");
    cr_expect(k && k->type == KUMO_VAL_LIST && k->u.list->len == 2);
    kumo_request_unref(r);
    static const char *const bad[] = {"", "two words", "{\"meta\": {}}", "{\"url\": 3}",
                                      "{\"url\": \"http://a.test/\", \"meta\": 1}", "{nope",
                                      "ftp://a.test/"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad); i++) {
        why[0] = '\0';
        cr_expect_null(kumo__redis_start_url_decode(bad[i], strlen(bad[i]), why, sizeof(why)),
                       "%s", bad[i]);
        cr_expect_neq(why[0], '\0', "a reason for %s", bad[i]);
    }
}

Test(redis_wire, fingerprint_split_fits_intsets_and_lua)
{
    unsigned char fp[20];
    memset(fp, 0xff, sizeof(fp));
    unsigned bucket;
    uint64_t value;
    kumo__redis_fp_split(fp, &bucket, &value);
    cr_expect_eq(bucket, 16383);
    cr_expect_eq(value, (UINT64_C(1) << 50) - 1, "below 2^53: exact in a Lua number");
    memset(fp, 0, sizeof(fp));
    fp[1] = 0x04;                       /* bit 50 from the right of the first 8 bytes */
    kumo__redis_fp_split(fp, &bucket, &value);
    cr_expect_eq(bucket, 1);
    cr_expect_eq(value, 0);
}
