/* test_func.c - built-in functions and bound methods: calls, __name__, repr, equality. */

#include "ctest.h"
#include "console/func.h"

TestSuite(func, CTEST_SUITE);

static cval *echo(cv_ctx *c, cval *self, const cv_args *a)
{
    return a->n ? cv_ref(a->v[0]) : cv_ref(self ? self : cv_none());
}

Test(func, call_name_repr_equality)
{
    cv_ctx c = {0};
    cval *f = cv_func("echo", echo, NULL), *s = cv_str("me");
    cval *m1 = cv_func("echo", echo, s), *s2 = cv_str("me");
    cval *m2 = cv_func("echo", echo, s2);
    cv_args none = {0};
    cr_assert_str_eq(repr_of(cv_call(&c, m1, &none)), "'me'");
    cr_assert_str_eq(repr_of(cv_getattr(&c, f, "__name__")), "'echo'");
    cr_assert_str_eq(repr_of(cv_ref(f)), "<built-in function echo>");
    cr_assert_eq(cv_equal(&c, m1, m2), 1);          /* bound to equal selves */
    cr_assert_eq(cv_equal(&c, f, m1), 0);
    cr_assert_eq(cv_is(m1, m2), 0);
    cr_assert_eq(cv_truthy(&c, f), 1);
    cr_assert_str_eq(repr_of(cv_dir(&c, f)), "[]");
    cv_unref(f);
    cv_unref(s);
    cv_unref(m1);
    cv_unref(s2);
    cv_unref(m2);
}
