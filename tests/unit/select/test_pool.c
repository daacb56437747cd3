/* test_pool.c - the callback pool: what a callback made is released when it returns. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "select/doc.h"
#include "select/pool.h"
#include "lib/leakcheck.h"

static kumo_doc *doc;

static void setup(void)
{
    kumo_leakcheck_start();
    cr_assert_eq(kumo__global_init(), KUMO_OK);
    doc = kumo__doc_new(true);
    cr_assert_eq(kumo__doc_parse(doc, "<p>a</p><p>b</p>", 16, "http://pool.example/", NULL),
                 KUMO_OK);
}

static void teardown(void)
{
    kumo__pool_drain(0);
    kumo__doc_unref(doc);
    kumo_leakcheck_end();
}

TestSuite(pool, .init = setup, .fini = teardown);

Test(pool, drain_releases_what_was_added_since_the_mark)
{
    size_t base = kumo_ref_total();
    size_t m0 = kumo__pool_mark();
    kumo_selector_list *a = kumo__doc_select(doc, "p", true);
    cr_assert_eq(kumo_list_len(a), 2);
    size_t m1 = kumo__pool_mark();
    cr_assert_gt(m1, m0);
    size_t after_a = kumo_ref_total();
    cr_assert_gt(after_a, base);
    kumo_selector_list *b = kumo__doc_select(doc, "p::text", true);
    cr_assert_eq(kumo_list_len(b), 2);
    cr_assert_gt(kumo_ref_total(), after_a);

    /* Draining to m1 releases b only: a still answers. */
    kumo__pool_drain(m1);
    cr_assert_eq(kumo__pool_mark(), m1);
    cr_assert_eq(kumo_ref_total(), after_a);
    cr_assert_str_eq(kumo_list_get(a, ""), "<p>a</p>");

    kumo__pool_drain(m0);
    cr_assert_eq(kumo__pool_mark(), m0);
    cr_assert_eq(kumo_ref_total(), base);
}

Test(pool, a_reference_taken_outlives_the_drain)
{
    size_t base = kumo_ref_total();
    size_t m = kumo__pool_mark();
    kumo_selector_list *l = kumo_list_ref(kumo__doc_select(doc, "p::text", true));
    kumo__pool_drain(m);
    cr_assert_gt(kumo_ref_total(), base);
    cr_assert_eq(kumo_list_len(l), 2);
    cr_assert_str_eq(kumo_list_get(l, ""), "a");
    kumo_list_unref(l);
    cr_assert_eq(kumo_ref_total(), base);
}

Test(pool, draining_an_empty_pool_is_harmless)
{
    size_t m = kumo__pool_mark();
    kumo__pool_drain(m);
    kumo__pool_drain(0);
    cr_assert_eq(kumo__pool_mark(), 0);
}
