/* test_namespace.c - the namespace: registered tables, help(), imports, classes as values. */

#include "ctest.h"
#include "console/namespace.h"
#include "http/request.h"

TestSuite(namespace, CTEST_SUITE);

static cval *f_one(cv_ctx *c, cval *self, const cv_args *a)
{
    return cv_int(1);
}

static cval *mk_answer(cv_ctx *c)
{
    return cv_int(42);
}

static const cn_entry late[] = {
    {"one", "one()", "the number one", f_one, NULL, NULL, false},
};
static const cn_entry early[] = {
    {"answer", NULL, "the answer", NULL, mk_answer, NULL, false},
    {"secret", NULL, "hidden", f_one, NULL, NULL, true},
};

Test(namespace, tables_by_order_and_help)
{
    cn_init();
    cn_register(late, 1, 50);
    cn_register(early, 2, 5);
    cn_register(early, 2, 5);           /* twice: no-op */
    cv_ctx c = {0};
    cr_assert_str_eq(repr_of(cn_value(&c, cn_find("answer"))), "42");
    cr_assert_not_null(cn_find("secret"));
    cr_assert_null(cn_find("nothing"));
    kumo_buf out;
    kumo__buf_init(&out, 4096, KUMO_T_STR, KUMO_V_NONE);
    c.out = &out;
    cv_args none = {0};
    cv_unref(cn_help(&c, NULL, &none));
    cr_assert_str_eq(kumo__buf_str(&out), "answer                             the answer\n"
                                         "one()                              the number one\n");
    kumo__buf_release(&out);
}

Test(namespace, imports_and_modules)
{
    cn_init();
    cv_ctx c = {0};
    cr_assert_str_eq(repr_of(cn_import_module(&c, "scrapy.http")), "<module 'scrapy.http'>");
    cr_assert_null(cn_import_module(&c, "nope"));
    cr_assert_str_eq(c.etype, "ModuleNotFoundError");
    cv_ctx d = {0};
    cr_assert_null(cn_import_name(&d, "scrapy", "Crawler"));
    cr_assert_str_eq(d.emsg, "cannot import name 'Crawler' from 'scrapy'");
    cv_ctx e = {0};
    cr_assert_str_eq(repr_of(cn_import_name(&e, "scrapy", "utils")), "<module 'scrapy.utils'>");
}

Test(namespace, classes_as_values)
{
    cn_init();
    cv_ctx c = {0};
    cval *req = cn_class(&KUMO_CLASS(Request));
    cr_assert_str_eq(repr_of(cv_ref(req)), "<class 'scrapy.http.request.Request'>");
    cr_assert_eq(cn_class_of(req), &KUMO_CLASS(Request));
    cr_assert_null(cv_getattr(&c, req, "nope"));
    cr_assert_str_eq(c.emsg, "type object 'Request' has no attribute 'nope'");
    cval *i = cv_int(1), *t = cn_type_of(i);
    cr_assert(cn_is_class(t));
    cr_assert_null(cn_class_of(t));
    cr_assert_str_eq(repr_of(cv_ref(t)), "<class 'int'>");
    cr_assert(!cn_isinstance(i, &KUMO_CLASS(Request)));
    cv_ctx d = {0};
    cr_assert_null(cv_getitem(&d, req, i));
    cr_assert_str_eq(d.emsg, "type 'Request' is not subscriptable");
    cv_unref(req);
    cv_unref(i);
    cv_unref(t);
}
