/* test_seq.c - list, tuple and slice: indexing, slicing, repr, order, + and *, methods. */

#include "ctest.h"
#include "console/seq.h"

TestSuite(seq, CTEST_SUITE);

/* A list or tuple of the ints given, ending with -1. */
static cval *ints(cval *seq, ...)
{
    cv_ctx c = {0};
    va_list ap;
    va_start(ap, seq);
    for (int v = va_arg(ap, int); v != -1; v = va_arg(ap, int))
        cv_seq_push(&c, seq, cv_int(v));
    va_end(ap);
    return seq;
}

static cval *slice(cval *lo, cval *hi, cval *st)
{
    cv_ctx c = {0};
    cval *s = cv_slice_new();
    cv_seq_push(&c, s, lo);
    cv_seq_push(&c, s, hi);
    cv_seq_push(&c, s, st);
    return s;
}

Test(seq, slicing_and_indexing)
{
    cv_ctx c = {0};
    cval *l = ints(cv_list_new(), 1, 2, 3, 4, -1);
    cval *rev = slice(cv_none(), cv_none(), cv_int(-2));
    cr_assert_str_eq(repr_of(cv_getitem(&c, l, rev)), "[4, 2]");
    cval *i = cv_int(-1);
    cr_assert_str_eq(repr_of(cv_getitem(&c, l, i)), "4");
    cval *far = cv_int(9);
    cr_assert_null(cv_getitem(&c, l, far));
    cr_assert_str_eq(c.emsg, "list index out of range");
    int64_t lo, hi, st;
    size_t n;
    cr_assert_eq(cv_slice_indices(&c, rev, 4, &lo, &hi, &st, &n), KUMO_OK);
    cr_assert(lo == 3 && hi == -1 && st == -2 && n == 2);
    cr_assert_str_eq(repr_of(rev), "slice(None, None, -2)");
    cv_unref(l);
    cv_unref(i);
    cv_unref(far);
}

Test(seq, repr_order_and_operators)
{
    cv_ctx c = {0};
    cval *t = ints(cv_tuple_new(), 5, -1), *l = ints(cv_list_new(), 1, 2, -1);
    cval *l2 = ints(cv_list_new(), 1, 3, -1), *three = cv_int(3);
    cr_assert_str_eq(repr_of(cv_ref(t)), "(5,)");
    int cmp;
    cr_assert_eq(cv_compare(&c, l, l2, "<", &cmp), KUMO_OK);
    cr_assert_lt(cmp, 0);
    cr_assert_str_eq(repr_of(cv_binop(&c, CP_OP_MUL, three, t)), "(5, 5, 5)");
    cr_assert_str_eq(repr_of(cv_binop(&c, CP_OP_ADD, l, l2)), "[1, 2, 1, 3]");
    cr_assert_null(cv_binop(&c, CP_OP_ADD, l, t));
    cr_assert_str_eq(c.emsg, "can only concatenate list (not \"tuple\") to list");
    cv_ctx d = {0};
    cr_assert_null(cv_binop(&d, CP_OP_ADD, t, l));
    cr_assert_str_eq(d.emsg, "unsupported operand type(s) for +: 'tuple' and 'list'");
    cv_unref(t);
    cv_unref(l);
    cv_unref(l2);
    cv_unref(three);
}

Test(seq, count_and_index_methods)
{
    cv_ctx c = {0};
    cval *l = ints(cv_list_new(), 1, 2, 1, -1), *one = cv_int(1), *nine = cv_int(9);
    cv_args a = {.v = &one, .n = 1};
    cval *m = cv_getattr(&c, l, "count");
    cr_assert_str_eq(repr_of(cv_call(&c, m, &a)), "2");
    cv_unref(m);
    m = cv_getattr(&c, l, "index");
    a.v = &nine;
    cr_assert_null(cv_call(&c, m, &a));
    cr_assert_str_eq(c.emsg, "9 is not in list");
    cv_unref(m);
    cv_unref(l);
    cv_unref(one);
    cv_unref(nine);
}
