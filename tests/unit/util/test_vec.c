/* test_vec.c - the pointer vector: growth keeps order, pop is LIFO, release resets. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "util/vec.h"
#include "lib/leakcheck.h"

TestSuite(vec, KUMO_LEAKCHECK);

Test(vec, push_grows_and_keeps_order)
{
    kumo_vec v;
    kumo__vec_init(&v, KUMO_T_LIST, KUMO_V_NONE);
    cr_assert_eq(v.len, 0);
    cr_assert_null(v.v);
    static int cells[100];
    for (int i = 0; i < 100; i++)
        kumo__vec_push(&v, &cells[i]);
    cr_assert_eq(v.len, 100);
    cr_assert_geq(v.cap, 100);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(v.v[i], &cells[i]);
    kumo__vec_release(&v);
    cr_assert_eq(v.len, 0);
    cr_assert_eq(v.cap, 0);
    cr_assert_null(v.v);
}

Test(vec, pop_is_last_in_first_out_and_null_when_empty)
{
    kumo_vec v;
    kumo__vec_init(&v, KUMO_T_LIST, KUMO_V_NONE);
    cr_assert_null(kumo__vec_pop(&v));
    int a, b;
    kumo__vec_push(&v, &a);
    kumo__vec_push(&v, NULL);
    kumo__vec_push(&v, &b);
    cr_assert_eq(kumo__vec_pop(&v), &b);
    cr_assert_null(kumo__vec_pop(&v));
    cr_assert_eq(v.len, 1);
    cr_assert_eq(kumo__vec_pop(&v), &a);
    cr_assert_null(kumo__vec_pop(&v));
    cr_assert_eq(v.len, 0);
    kumo__vec_push(&v, &a);      /* usable again after emptying */
    cr_assert_eq(v.v[0], &a);
    kumo__vec_release(&v);
}

Test(vec, storage_is_tagged_as_given)
{
    kumo_vec v;
    kumo__vec_init(&v, KUMO_T_LIST, KUMO_V_DICT);
    uint64_t before, after;
    kumo_heap_totals(&before, NULL);
    kumo__vec_push(&v, &v);
    kumo_heap_totals(&after, NULL);
    cr_assert_eq(after, before + 1);
    cr_assert_geq(kumo_alloc_size(v.v), 8 * sizeof(void *));
    kumo__vec_release(&v);
}
