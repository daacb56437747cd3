/* test_item.c - items: field order, replacement, references, drop reasons. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "core/item.h"
#include "lib/leakcheck.h"

TestSuite(item, KUMO_LEAKCHECK);

Test(item, fields_keep_first_insertion_order)
{
    kumo_item *it = kumo_item_new();
    kumo_item_set_str(it, "name", "a");
    kumo_item_set_int(it, "n", 1);
    kumo_item_set_float(it, "price", 2.5);
    kumo_item_set_str(it, "name", "b");        /* replaces, keeps the place */
    kumo_item_set_str(it, "none", NULL);
    kumo_map *f = kumo_item_fields(it);
    cr_assert_eq(f->len, 4);
    cr_assert_str_eq(f->e[0].key, "name");
    cr_assert_str_eq(kumo_map_get_str(f, "name", NULL), "b");
    cr_assert_str_eq(f->e[1].key, "n");
    cr_assert_eq(kumo_map_get_int(f, "n", 0), 1);
    cr_assert_eq(kumo_map_get(f, "price")->type, KUMO_VAL_FLOAT);
    cr_assert_eq(kumo_map_get(f, "none")->type, KUMO_VAL_NONE);
    kumo_item_unref(it);
}

Test(item, references_are_counted_and_tracked)
{
    kumo_item *it = kumo_item_new();
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(Item)), 1);
    cr_assert_eq(kumo_item_ref(it), it);
    kumo_item_unref(it);
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(Item)), 1, "one reference left");
    kumo_item_unref(it);
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(Item)), 0);
}

Test(item, drop_reason_is_for_the_last_dropped_item_only)
{
    kumo_item *a = kumo_item_new(), *b = kumo_item_new();
    cr_assert_null(kumo_item_drop_reason(a));
    cr_assert_eq(kumo_item_drop(a, "no %s", "price"), KUMO_EIGNORED);
    cr_assert_str_eq(kumo_item_drop_reason(a), "no price");
    cr_assert_null(kumo_item_drop_reason(b));
    cr_assert_eq(kumo_item_drop(b, NULL), KUMO_EIGNORED);
    cr_assert_str_eq(kumo_item_drop_reason(b), "", "no reason given");
    cr_assert_null(kumo_item_drop_reason(a), "a later drop replaces the reason");
    cr_assert_null(kumo_item_drop_reason(NULL));
    kumo_item_unref(a);
    kumo_item_unref(b);
}
