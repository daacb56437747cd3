/* test_out.c - a callback's output: order kept, NULL skipped, release drops what is left. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "core/item.h"
#include "core/out.h"
#include "http/request.h"
#include "lib/leakcheck.h"

TestSuite(out, KUMO_LEAKCHECK);

Test(out, keeps_order_and_skips_null)
{
    kumo_out out;
    kumo_spider *sp = (kumo_spider *)&out;     /* borrowed, only handed back */
    kumo__out_init(&out, sp);
    cr_assert_eq(kumo_out_spider(&out), sp);
    kumo_yield_request(&out, kumo_request_new("http://a.test/1", NULL, NULL));
    kumo_yield_item(&out, kumo_item_new());
    kumo_yield_request(&out, NULL);
    kumo_yield_item(&out, NULL);
    kumo_yield_request(&out, kumo_request_new("http://a.test/2", NULL, NULL));
    cr_assert_eq(out.len, 3);
    cr_assert_not(out.v[0].is_item);
    cr_assert_str_eq(out.v[0].u.req->url, "http://a.test/1");
    cr_assert(out.v[1].is_item);
    cr_assert_str_eq(out.v[2].u.req->url, "http://a.test/2");
    cr_assert_eq(kumo_ref_total(), 3, "the output holds its references");
    kumo__out_release(&out);
    cr_assert_eq(out.len, 0);
    cr_assert_eq(kumo_ref_total(), 0);
}

Test(out, grows_past_its_first_block)
{
    kumo_out out;
    kumo__out_init(&out, NULL);
    for (int i = 0; i < 100; i++)
        kumo_yield_item(&out, kumo_item_new());
    cr_assert_eq(out.len, 100);
    cr_assert_geq(out.cap, 100);
    kumo__out_release(&out);
    kumo__out_release(&out);     /* releasing an empty output is fine */
}
