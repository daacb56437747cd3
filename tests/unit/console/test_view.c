/* test_view.c - the views' base: class to view registry, views of tracked objects, kumo values. */

#include "ctest.h"
#include "console/view.h"
#include "http/request.h"

TestSuite(view, CTEST_SUITE);

static int plain_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writes(c, b, "<a registered view>");
}

static const cv_vtable plain_vt = {.name = "Plain", .repr = plain_repr, CO_TREF_SLOTS};

Test(view, registry_picks_the_view_type)
{
    cn_init();
    int err;
    kumo_request *rq = kumo_request_new("http://example.com/", NULL, &err);
    cval *v = co_from_ref(&rq->ref);            /* no view registered: the default */
    char want[128];
    snprintf(want, sizeof(want), "<Request object at %p>", (void *)rq);
    cr_assert_str_eq(repr_of(v), want);
    co_view_register(&KUMO_CLASS(Request), &plain_vt);
    v = co_from_ref(&rq->ref);
    cr_assert_str_eq(repr_of(cv_ref(v)), "<a registered view>");
    cv_ctx c = {0};
    cr_assert_eq(cv_ref_of(&c, v), &rq->ref);
    cr_assert(cn_isinstance(v, &KUMO_CLASS(Request)));
    cr_assert_str_eq(cv_type_name(v), "Request");
    cval *w = co_from_ref(&rq->ref);
    cr_assert_eq(cv_is(v, w), 1);               /* two views of one request */
    cv_unref(w);
    kumo_request_unref(rq);                     /* the view still holds one reference */
    cr_assert_eq(kumo_ref_total(), 1);
    cv_unref(v);
}

Test(view, kumo_values_convert)
{
    cn_init();
    cv_ctx c = {0};
    kumo_map m;
    kumo_map_init(&m, KUMO_T_OTHER, KUMO_V_NONE);
    kumo_map_set(&m, "depth", kumo_val_int(2));
    kumo_map_set(&m, "name", kumo_val_str("q"));
    cr_assert_str_eq(repr_of(co_from_map(&c, &m)), "{'depth': 2, 'name': 'q'}");
    cr_assert_str_eq(repr_of(co_from_map(&c, NULL)), "{}");
    kumo_map_release(&m);
}
