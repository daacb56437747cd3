/* test_num.c - None, bool, int and float: arithmetic, repr, truth, order, identity. */
#include <math.h>

#include "ctest.h"
#include "console/num.h"

TestSuite(num, CTEST_SUITE);

Test(num, int_arithmetic_is_python_s)
{
    cv_ctx c = {0};
    cval *a = cv_int(-7), *b = cv_int(2), *big = cv_int(INT64_MAX), *one = cv_int(1);
    cr_assert_str_eq(repr_of(cv_binop(&c, CP_OP_FLOORDIV, a, b)), "-4");
    cr_assert_str_eq(repr_of(cv_binop(&c, CP_OP_MOD, a, b)), "1");
    cr_assert_str_eq(repr_of(cv_binop(&c, CP_OP_DIV, a, b)), "-3.5");
    cr_assert_str_eq(repr_of(cv_binop(&c, CP_OP_POW, b, b)), "4");
    cr_assert_str_eq(repr_of(cv_binop(&c, CP_OP_ADD, cv_bool(1), b)), "3");
    cr_assert_null(cv_binop(&c, CP_OP_ADD, big, one));
    cr_assert_str_eq(c.etype, "OverflowError");
    cv_unref(a);
    cv_unref(b);
    cv_unref(big);
    cv_unref(one);
}

Test(num, float_repr_truth_order)
{
    char s[64];
    cv_float_repr(0.1, s, sizeof(s));
    cr_assert_str_eq(s, "0.1");
    cv_float_repr(1e16, s, sizeof(s));
    cr_assert_str_eq(s, "1e+16");
    cv_float_repr(-2.0, s, sizeof(s));
    cr_assert_str_eq(s, "-2.0");
    cv_ctx c = {0};
    cval *z = cv_float(0.0), *nan = cv_float(NAN), *i = cv_int(0);
    cr_assert_eq(cv_truthy(&c, z), 0);
    cr_assert_eq(cv_truthy(&c, cv_none()), 0);
    cr_assert_eq(cv_equal(&c, z, i), 1);          /* 0.0 == 0 */
    cr_assert_eq(cv_equal(&c, nan, nan), 0);      /* nan != nan, even itself */
    int cmp;
    cr_assert_eq(cv_compare(&c, nan, i, "<", &cmp), KUMO_OK);
    cr_assert_eq(cmp, 2);
    cr_assert_neq(cv_compare(&c, i, cv_none(), "<", &cmp), KUMO_OK);
    cr_assert_str_eq(c.emsg, "'<' not supported between instances of 'int' and 'NoneType'");
    cv_unref(z);
    cv_unref(nan);
    cv_unref(i);
}

Test(num, small_ints_are_the_same_object)
{
    cval *a = cv_int(256), *b = cv_int(256), *x = cv_int(257), *y = cv_int(257);
    cr_assert_eq(cv_is(a, b), 1);
    cr_assert_eq(cv_is(x, y), 0);
    cr_assert_eq(cv_is(a, cv_bool(1)), 0);
    int64_t v;
    cr_assert(cv_int_like(cv_bool(1), &v) && v == 1);
    cv_ctx c = {0};
    cr_assert_neq(cv_as_index(&c, cv_none(), &v), KUMO_OK);
    cr_assert_str_eq(c.emsg, "indices must be integers or slices, not NoneType");
    cv_unref(a);
    cv_unref(b);
    cv_unref(x);
    cv_unref(y);
}
