/* test_builtins.c - Python's builtins: conversions, sorted/min/sum/range, type,
 * isinstance, help. */

#include "ctest.h"
#include "console/builtins.h"

TestSuite(builtins, CTEST_SUITE);

/* Call the builtin name with args (borrowed). */
static cval *call(cv_ctx *c, const char *name, cval **args, size_t n)
{
    cval *f = cn_value(c, cn_find(name));
    cv_args a = {.v = args, .n = n};
    cval *r = cv_call(c, f, &a);
    cv_unref(f);
    return r;
}

Test(builtins, conversions)
{
    cn_init();
    cb_init();
    cv_ctx c = {0};
    cval *args[2] = {cv_str("ff"), cv_int(16)};
    cr_assert_str_eq(repr_of(call(&c, "int", args, 2)), "255");
    cr_assert_null(call(&c, "int", args, 1));
    cr_assert_str_eq(c.emsg, "invalid literal for int() with base 10: 'ff'");
    cv_ctx d = {0};
    cr_assert_str_eq(repr_of(call(&d, "str", &args[1], 1)), "'16'");
    cr_assert_str_eq(repr_of(call(&d, "repr", args, 1)), "\"'ff'\"");
    cr_assert_str_eq(repr_of(call(&d, "tuple", args, 1)), "('f', 'f')");
    cv_unref(args[0]);
    cv_unref(args[1]);
}

Test(builtins, sorted_min_sum_range)
{
    cn_init();
    cb_init();
    cv_ctx c = {0};
    cval *stop = cv_int(4);
    cval *r = call(&c, "range", &stop, 1);
    cr_assert_str_eq(repr_of(cv_ref(r)), "[0, 1, 2, 3]");
    cr_assert_str_eq(repr_of(call(&c, "sum", &r, 1)), "6");
    cr_assert_str_eq(repr_of(call(&c, "max", &r, 1)), "3");
    cval *rev = cv_bool(1);
    cval *f = cn_value(&c, cn_find("sorted"));
    cv_kw kw = {"reverse", rev};
    cv_args a = {.v = &r, .n = 1, .kw = &kw, .nkw = 1};
    cr_assert_str_eq(repr_of(cv_call(&c, f, &a)), "[3, 2, 1, 0]");
    cv_unref(f);
    cval *empty = cv_list_new();
    cr_assert_null(call(&c, "min", &empty, 1));
    cr_assert_str_eq(c.emsg, "min() arg is an empty sequence");
    cv_unref(empty);
    cv_unref(r);
    cv_unref(stop);
}

Test(builtins, type_isinstance_help)
{
    cn_init();
    cb_init();
    cv_ctx c = {0};
    cval *one = cv_int(1);
    cval *t = call(&c, "type", &one, 1);
    cval *args[2] = {one, t};
    cr_assert_eq(call(&c, "isinstance", args, 2), cv_bool(1));
    args[1] = one;
    cr_assert_null(call(&c, "isinstance", args, 2));
    cr_assert_str_eq(c.etype, "TypeError");
    cv_unref(t);
    kumo_buf out;
    kumo__buf_init(&out, 1 << 16, KUMO_T_STR, KUMO_V_NONE);
    cv_ctx d = {.out = &out};
    cval *len = cn_value(&d, cn_find("len"));
    cv_unref(call(&d, "help", &len, 1));
    cr_assert_str_eq(kumo__buf_str(&out), "len(x): the length of a str, bytes, list, dict, "
                                         "SelectorList...\n");
    cv_unref(len);
    kumo__buf_release(&out);
    cv_unref(one);
}
