/* test_cval.c - console values: constructors, refcounts, bounds, errors, output. */

#include "ctest.h"

TestSuite(cval, CTEST_SUITE);

Test(cval, immortals_and_refcounts)
{
    cr_assert_eq(cv_none(), cv_none());
    cr_assert_eq(cv_bool(7), cv_bool(1));
    cv_unref(cv_none());                    /* immortal: unref is a no-op */
    cval *s = cv_str("abc");
    cr_assert_eq(cv_ref(s), s);
    cr_assert_eq(s->refs, 2);
    cv_unref(s);
    cr_assert_eq(s->refs, 1);
    cr_assert_str_eq(repr_of(s), "'abc'");
}

Test(cval, containers_are_bounded)
{
    cv_ctx c = {0};
    cval *l = cv_list_new();
    for (size_t i = 0; i < CV_LIST_MAX; i++)
        cr_assert_eq(cv_seq_push(&c, l, cv_int(1)), KUMO_OK);
    cr_assert_neq(cv_seq_push(&c, l, cv_int(2)), KUMO_OK);
    cr_assert_str_eq(c.etype, "MemoryError");
    cv_unref(l);

    cv_ctx d = {0};
    cval *deep = cv_list_new();
    for (int i = 1; i < CV_DEPTH_MAX; i++) {
        cval *up = cv_list_new();
        cr_assert_eq(cv_seq_push(&d, up, deep), KUMO_OK);
        deep = up;
    }
    cr_assert_eq(deep->depth, CV_DEPTH_MAX);
    cval *top = cv_list_new();
    cr_assert_neq(cv_seq_push(&d, top, deep), KUMO_OK);
    cr_assert_str_eq(d.etype, "RecursionError");
    cv_unref(top);
}

Test(cval, first_error_wins_and_output_is_capped)
{
    cv_ctx c = {0};
    cr_assert_null(cv_raise(&c, "NameError", "name '%s' is not defined", "x"));
    cr_assert_eq(cv_raisei(&c, "TypeError", "later"), KUMO_EINVAL);
    cr_assert_str_eq(c.etype, "NameError");
    cr_assert_str_eq(c.emsg, "name 'x' is not defined");

    kumo_buf b;
    kumo__buf_init(&b, 5, KUMO_T_STR, KUMO_V_NONE);
    c.out = &b;
    cr_assert_eq(cv_print(&c, "abc", 3), KUMO_OK);
    cr_assert_eq(cv_writef(&c, &b, "%d", 12345), KUMO_ETOOBIG);
    cr_assert(c.truncated);
    cr_assert_str_eq(kumo__buf_str(&b), "abc12");
    kumo__buf_release(&b);
}

Test(cval, identity_of_natives_is_their_object)
{
    static const cv_vtable vt = {.name = "thing"};
    int x;
    cval *a = cv_native(&vt, &x, NULL), *b = cv_native(&vt, &x, NULL);
    cr_assert_eq(cv_identity(a), &x);
    cr_assert_eq(cv_identity(a), cv_identity(b));
    cval *i = cv_int(3);
    cr_assert_eq(cv_identity(i), i);
    cv_unref(a);
    cv_unref(b);
    cv_unref(i);
}
