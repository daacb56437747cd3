/* test_global.c - process setup: idempotent init, libxml2 allocating from the kumo heap. */
#include <criterion/criterion.h>
#include <libxml/parser.h>

#include "kumo-int.h"
#include "lib/leakcheck.h"

TestSuite(global, KUMO_LEAKCHECK);

Test(global, init_twice_cleanup_twice)
{
    cr_assert_eq(kumo__global_init(), KUMO_OK);
    cr_assert_eq(kumo__global_init(), KUMO_OK, "a second init is a no-op");
    kumo__global_cleanup();
    kumo__global_cleanup();
    cr_assert_eq(kumo__global_init(), KUMO_OK, "init again after cleanup");
    kumo__global_cleanup();
}

Test(global, libxml2_allocates_on_the_tagged_heap)
{
    cr_assert_eq(kumo__global_init(), KUMO_OK);
    uint64_t before, during, after;
    kumo_heap_totals(&before, NULL);
    xmlDocPtr d = xmlReadMemory("<a><b>x</b></a>", 15, "t.xml", NULL, 0);
    cr_assert_not_null(d);
    kumo_heap_totals(&during, NULL);
    cr_assert_gt(during, before, "the document's nodes are kumo blocks");
    xmlFreeDoc(d);
    kumo_heap_totals(&after, NULL);
    cr_assert_lt(after, during);
    kumo__global_cleanup();
}
