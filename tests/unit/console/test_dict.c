/* test_dict.c - dict: order, equality, lookup, KeyError, methods, unhashable keys. */

#include "ctest.h"
#include "console/dict.h"

TestSuite(dict, CTEST_SUITE);

Test(dict, insertion_order_equality_and_lookup)
{
    cv_ctx c = {0};
    cval *a = cv_dict_new(), *b = cv_dict_new();
    cv_dict_sets(&c, a, "x", cv_int(1));
    cv_dict_sets(&c, a, "y", cv_int(2));
    cv_dict_sets(&c, a, "x", cv_int(3));            /* replaces, keeps the place */
    cv_dict_sets(&c, b, "y", cv_int(2));
    cv_dict_sets(&c, b, "x", cv_int(3));
    cr_assert_str_eq(repr_of(cv_ref(a)), "{'x': 3, 'y': 2}");
    cr_assert_eq(cv_equal(&c, a, b), 1);
    cval *k = cv_str("zz"), *x = cv_str("x");
    cr_assert_eq(cv_contains(&c, a, x), 1);
    cr_assert_str_eq(repr_of(cv_getitem(&c, a, x)), "3");
    cr_assert_null(cv_getitem(&c, a, k));
    cr_assert_str_eq(c.etype, "KeyError");
    cr_assert_str_eq(c.emsg, "'zz'");
    cv_unref(a);
    cv_unref(b);
    cv_unref(k);
    cv_unref(x);
}

Test(dict, methods_and_unhashable_keys)
{
    cv_ctx c = {0};
    cval *d = cv_dict_new();
    cv_dict_sets(&c, d, "k", cv_int(1));
    cv_args none = {0};
    const char *const want[][2] = {{"keys", "['k']"}, {"values", "[1]"},
                                   {"items", "[('k', 1)]"}};
    for (size_t i = 0; i < 3; i++) {
        cval *m = cv_getattr(&c, d, want[i][0]);
        cr_assert_str_eq(repr_of(cv_call(&c, m, &none)), want[i][1]);
        cv_unref(m);
    }
    cval *l = cv_list_new();
    cr_assert_neq(cv_dict_check_key(&c, l), KUMO_OK);
    cr_assert_str_eq(c.emsg, "unhashable type: 'list'");
    cv_unref(l);
    cv_unref(d);
}
