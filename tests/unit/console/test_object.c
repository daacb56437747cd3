/* test_object.c - the object protocol: hooks first, then Python's defaults and errors. */

#include "ctest.h"

TestSuite(object, CTEST_SUITE);

/* A native type with a few hooks, to see the protocol ask them and fill in the rest. */
static cval *box_getattr(cv_ctx *c, cval *self, const char *name)
{
    if (!strcmp(name, "value"))
        return cv_int(*(int *)self->u.nat.p);
    return NULL;
}

static cval *m_twice(cv_ctx *c, cval *self, const cv_args *a)
{
    return cv_int(2 * *(int *)self->u.nat.p);
}

static cval *box_iter(cv_ctx *c, cval *self)
{
    cval *l = cv_list_new();
    cv_seq_push(c, l, cv_int(*(int *)self->u.nat.p));
    return l;
}

static cval *box_binop(cv_ctx *c, int op, cval *a, cval *b)
{
    if (op != CP_OP_ADD)
        return NULL;
    return cv_str(a->type == CV_NATIVE ? "box+" : "+box");
}

static const cv_method box_methods[] = {{"twice", m_twice}, {NULL, NULL}};
static const char *const box_attrs[] = {"value", NULL};
static const cv_vtable box_vt = {
    .name = "Box", .getattr = box_getattr, .iter = box_iter, .binop = box_binop,
    .attrs = box_attrs, .methods = box_methods,
};

Test(object, hooks_then_methods_then_errors)
{
    static int seven = 7;
    cv_ctx c = {0};
    cval *box = cv_native(&box_vt, &seven, NULL);
    cr_assert_str_eq(repr_of(cv_getattr(&c, box, "value")), "7");
    cval *m = cv_getattr(&c, box, "twice");
    cv_args none = {0};
    cr_assert_str_eq(repr_of(cv_call(&c, m, &none)), "14");
    cv_unref(m);
    cr_assert_null(cv_getattr(&c, box, "nope"));
    cr_assert_str_eq(c.emsg, "'Box' object has no attribute 'nope'");
    cv_ctx d = {0};
    cr_assert_null(cv_call(&d, box, &none));
    cr_assert_str_eq(d.emsg, "'Box' object is not callable");
    cv_ctx e = {0};
    size_t n;
    cr_assert_neq(cv_len(&e, box, &n), KUMO_OK);
    cr_assert_str_eq(e.emsg, "object of type 'Box' has no len()");
    cr_assert_str_eq(repr_of(cv_dir(&c, box)), "['value', 'twice']");
    cv_unref(box);
}

Test(object, defaults_truth_identity_contains_repr)
{
    static int seven = 7;
    cv_ctx c = {0};
    cval *a = cv_native(&box_vt, &seven, NULL), *b = cv_native(&box_vt, &seven, NULL);
    cr_assert_eq(cv_truthy(&c, a), 1);            /* no len: true */
    cr_assert_eq(cv_is(a, b), 1);                 /* same object shown */
    cr_assert_eq(cv_equal(&c, a, b), 1);
    cval *i7 = cv_int(7), *i8 = cv_int(8);
    cr_assert_eq(cv_contains(&c, a, i7), 1);      /* searched through iter */
    cr_assert_eq(cv_contains(&c, a, i8), 0);
    kumo_buf buf;
    kumo__buf_init(&buf, 0, KUMO_T_STR, KUMO_V_NONE);
    cv_repr(&c, a, &buf);
    char want[64];
    snprintf(want, sizeof(want), "<Box object at %p>", (void *)&seven);
    cr_assert_str_eq(kumo__buf_str(&buf), want);
    kumo__buf_release(&buf);
    cv_unref(a);
    cv_unref(b);
    cv_unref(i7);
    cv_unref(i8);
}

Test(object, binop_asks_the_left_type_then_the_right)
{
    static int one = 1;
    cv_ctx c = {0};
    cval *box = cv_native(&box_vt, &one, NULL), *i = cv_int(2);
    cr_assert_str_eq(repr_of(cv_binop(&c, CP_OP_ADD, box, i)), "'box+'");
    cr_assert_str_eq(repr_of(cv_binop(&c, CP_OP_ADD, i, box)), "'+box'");
    cr_assert_null(cv_binop(&c, CP_OP_SUB, i, box));
    cr_assert_str_eq(c.emsg, "unsupported operand type(s) for -: 'int' and 'Box'");
    cv_ctx d = {0};
    cr_assert_null(cv_unary(&d, CP_OP_NEG, box));
    cr_assert_str_eq(d.etype, "TypeError");
    cv_unref(box);
    cv_unref(i);
}

Test(object, args_parse)
{
    static const char *const names[] = {"key", "default"};
    cv_ctx c = {0};
    cval *k = cv_str("k"), *v = cv_int(1), *out[2];
    cv_kw kw = {"default", v};
    cv_args a = {.v = &k, .n = 1, .kw = &kw, .nkw = 1};
    cr_assert_eq(cv_args_parse(&c, "get", &a, names, 2, 1, out), KUMO_OK);
    cr_assert_eq(out[0], k);
    cr_assert_eq(out[1], v);
    cv_args none = {0};
    cr_assert_neq(cv_args_parse(&c, "get", &none, names, 2, 1, out), KUMO_OK);
    cr_assert_str_eq(c.emsg, "get() missing required argument 'key' (pos 1)");
    cv_ctx d = {0};
    cr_assert_null(cv_arg_str(&d, "f", v));
    cr_assert_str_eq(d.emsg, "f() argument must be str, not int");
    cv_unref(k);
    cv_unref(v);
}
