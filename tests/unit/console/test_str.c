/* test_str.c - str and bytes: code points, repr, methods, `in` and operators. */

#include "ctest.h"
#include "console/str.h"

TestSuite(str, CTEST_SUITE);

/* Call method name of self with the given str arguments (NULL-terminated). */
static cval *call(cv_ctx *c, cval *self, const char *name, ...)
{
    cval *args[4];
    size_t n = 0;
    va_list ap;
    va_start(ap, name);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
        args[n++] = cv_str(s);
    va_end(ap);
    cval *m = cv_getattr(c, self, name);
    cv_args a = {.v = args, .n = n};
    cval *r = m ? cv_call(c, m, &a) : NULL;
    cv_unref(m);
    for (size_t i = 0; i < n; i++)
        cv_unref(args[i]);
    return r;
}

Test(str, code_points_and_repr)
{
    cv_ctx c = {0};
    cval *s = cv_str("h\xc3\xa9llo\n"), *one = cv_int(1);
    size_t n;
    cr_assert_eq(cv_len(&c, s, &n), KUMO_OK);
    cr_assert_eq(n, 6);
    cr_assert_str_eq(repr_of(cv_getitem(&c, s, one)), "'\xc3\xa9'");
    cr_assert_str_eq(repr_of(cv_ref(s)), "'h\xc3\xa9llo\\n'");
    cr_assert_str_eq(repr_of(cv_bytesn("a'\x01", 3)), "b\"a'\\x01\"");
    cr_assert_str_eq(repr_of(cv_iter_list(&c, s)), "['h', '\xc3\xa9', 'l', 'l', 'o', '\\n']");
    cv_unref(s);
    cv_unref(one);
}

Test(str, methods)
{
    cv_ctx c = {0};
    cval *s = cv_str("  a,b,,c  "), *sep = cv_str("-");
    cval *parts = call(&c, s, "split", ",", NULL);
    cr_assert_str_eq(repr_of(cv_ref(parts)), "['  a', 'b', '', 'c  ']");
    cval *m = cv_getattr(&c, sep, "join");
    cv_args a = {.v = &parts, .n = 1};
    cr_assert_str_eq(repr_of(cv_call(&c, m, &a)), "'  a-b--c  '");
    cv_unref(m);
    cr_assert_str_eq(repr_of(call(&c, s, "strip", NULL)), "'a,b,,c'");
    cr_assert_str_eq(repr_of(call(&c, s, "replace", ",", ";", NULL)), "'  a;b;;c  '");
    cr_assert_str_eq(repr_of(call(&c, s, "find", "b", NULL)), "4");
    cr_assert_str_eq(repr_of(call(&c, s, "encode", NULL)), "b'  a,b,,c  '");
    cr_assert_null(call(&c, s, "decode", NULL));
    cr_assert_str_eq(c.emsg, "'str' object has no attribute 'decode'");
    cv_unref(parts);
    cv_unref(s);
    cv_unref(sep);
}

Test(str, contains_and_operators)
{
    cv_ctx c = {0};
    cval *s = cv_str("abc"), *b = cv_str("b"), *bs = cv_bytesn("abc", 3), *i = cv_int(98);
    cr_assert_eq(cv_contains(&c, s, b), 1);
    cr_assert_eq(cv_contains(&c, bs, i), 1);       /* 98 is 'b' */
    cr_assert_eq(cv_contains(&c, s, i), -1);
    cr_assert_str_eq(c.emsg, "'in <string>' requires string as left operand, not int");
    cv_ctx d = {0};
    cval *two = cv_int(2);
    cr_assert_str_eq(repr_of(cv_binop(&d, CP_OP_MUL, two, s)), "'abcabc'");
    cr_assert_null(cv_binop(&d, CP_OP_ADD, s, two));
    cr_assert_str_eq(d.emsg, "can only concatenate str (not \"int\") to str");
    cv_unref(s);
    cv_unref(b);
    cv_unref(bs);
    cv_unref(i);
    cv_unref(two);
}
