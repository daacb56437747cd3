/* test_view_heap.c - views of the heap: trackref's prefs/get_oldest/iter_all, hpy, mem, trim. */
#include "ctest.h"

TestSuite(view_heap, CTEST_SUITE);

Test(view_heap, trackref_and_hpy)
{
    kumo_repl *r = kumo__repl_new(NULL);
    cr_assert_str_eq(run(r, "get_oldest('Request')"), "");     /* None: nothing printed */
    cr_assert_str_eq(run(r, "iter_all(Request)"), "[]\n");
    cr_assert_str_eq(run(r, "prefs(ignore=1)"), "TypeError: issubclass() arg 2 must be a "
                                                "class, a tuple of classes, or a union\n");
    const char *refs = run(r, "prefs(ignore=(type(1), Request))");
    cr_assert(!strncmp(refs, "Live References\n", 16) && !strstr(refs, "Request"), "%s", refs);
    cr_assert_str_eq(run(r, "hpy() is hpy"), "True\n");
    cr_assert_str_eq(run(r, "hpy"), "<hpy: kumo's tagged heap; hpy.heap() takes a snapshot>\n");
    cr_assert_str_eq(run(r, "dir(hpy.heap())"),
                     "['byrcs', 'bytype', 'byvia', 'count', 'more', 'size']\n");
    kumo__repl_free(r);
}

/* ---- who holds what: holders(), paths(), byrcs ---- */

#include "http/request.h"
#include "http/response.h"
#include "mem/referrers.h"

typedef struct held_site {
    kumo_request *rq0, *r1, *r2;
    kumo_response *res;
    kumo_item *item;
} held_site;

/* A response kept in two requests' meta and in an item, as spiders/leaky.c does. */
static void held_site_new(held_site *s)
{
    int err;
    s->rq0 = kumo_request_new("http://a.test/", NULL, &err);
    kumo_headers *h = kumo__headers_new();
    kumo_headers_add(h, "Content-Type", "text/html");
    char *body = kumo_alloc(8, KUMO_T_BYTES, KUMO_V_BODY);
    memcpy(body, "<p>x</p>", 8);
    s->res = kumo__response_new(s->rq0, "http://a.test/", 200, h, body, 7);
    s->r1 = kumo_request_new("http://a.test/1", NULL, &err);
    s->r2 = kumo_request_new("http://a.test/2", NULL, &err);
    kumo_map_set(kumo_request_meta(s->r1), "referer", kumo_val_response(s->res));
    kumo_map_set(kumo_request_meta(s->r2), "referer", kumo_val_response(s->res));
    s->item = kumo_item_new();
    kumo_map_set(kumo_item_fields(s->item), "page", kumo_val_response(s->res));
}

static void held_site_free(held_site *s)
{
    kumo_item_unref(s->item);
    kumo_request_unref(s->r1);
    kumo_request_unref(s->r2);
    kumo_response_unref(s->res);
    kumo_request_unref(s->rq0);
}

static held_site *queued_site;

/* The scheduler's spelling, for one request. */
static void fake_queue(void *rctx, kumo__root_visit_fn visit, void *vctx)
{
    visit(vctx, "scheduler queue (priority 0)", "scheduler queue",
          "engine.slot.scheduler.mqs[0]", "", &queued_site->r1->ref);
}

Test(view_heap, holders_names_each_holder_and_the_rest)
{
    held_site s;
    held_site_new(&s);
    kumo_repl *r = kumo__repl_new(NULL);
    cr_assert_eq(kumo__repl_bind_ref(r, "res", &s.res->ref), KUMO_OK);
    cr_assert_str_eq(run(r, "holders(res)"),
                     "Request <GET http://a.test/1> .meta['referer']\n"
                     "Request <GET http://a.test/2> .meta['referer']\n"
                     "Item {'page': <200 http://a.test/>} ['page']\n"
                     "1 reference held by this console (its variables, `_`, this line)\n"
                     "1 reference held elsewhere (C code)\n");
    cr_assert_str_eq(run(r, "holders(res, 1)"),
                     "Request <GET http://a.test/1> .meta['referer']\n"
                     "... 2 more holders (holders(obj, n) shows n)\n"
                     "1 reference held by this console (its variables, `_`, this line)\n"
                     "1 reference held elsewhere (C code)\n");
    /* a second view in a variable is one more reference the console holds */
    cr_assert_str_eq(run(r, "x = [get_oldest('HtmlResponse')]"), "");
    const char *out = run(r, "holders(x[0])");
    cr_assert(strstr(out, "2 references held by this console"), "%s", out);
    cr_assert_str_eq(run(r, "holders(res.request)"),
                     "HtmlResponse <200 http://a.test/> .request\n"
                     "1 reference held by this console (its variables, `_`, this line)\n"
                     "1 reference held elsewhere (C code)\n");
    cr_assert_str_eq(run(r, "paths(res)"), "no path from the roots (engine, scheduler, "
                     "downloader, scraper, spider, item pipelines): no crawl is running\n");
    queued_site = &s;
    kumo__ref_roots_add(fake_queue, NULL);
    cr_assert_str_eq(run(r, "paths(res)"), "engine.slot.scheduler.mqs[0].meta['referer']\n");
    out = run(r, "holders(get_oldest('Request'))");
    cr_assert(strstr(out, "HtmlResponse <200 http://a.test/> .request\n"), "%s", out);
    out = run(r, "holders(iter_all('Request')[1])");
    cr_assert(!strncmp(out, "scheduler queue (priority 0)\n", 29), "%s", out);
    kumo__ref_roots_remove(fake_queue, NULL);
    kumo__repl_free(r);
    held_site_free(&s);
}

Test(view_heap, holders_and_paths_refuse_bad_arguments)
{
    kumo_repl *r = kumo__repl_new(NULL);
    cr_assert_str_eq(run(r, "holders(1)"), "TypeError: holders() argument must be a tracked "
                     "object (Request, Response, Item, Selector, Spider...), not 'int'\n");
    cr_assert_str_eq(run(r, "paths(None)"), "TypeError: paths() argument must be a tracked "
                     "object (Request, Response, Item, Selector, Spider...), not 'NoneType'\n");
    cr_assert_str_eq(run(r, "holders()"),
                     "TypeError: holders() missing required argument 'obj' (pos 1)\n");
    cr_assert_str_eq(run(r, "holders(hpy, 'x', 3)"),
                     "TypeError: holders() takes from 1 to 2 positional arguments but 3 were "
                     "given\n");
    /* a live object with a bad n */
    int err;
    kumo_request *rq = kumo_request_new("http://a.test/", NULL, &err);
    cr_assert_eq(kumo__repl_bind_ref(r, "rq", &rq->ref), KUMO_OK);
    kumo_request_unref(rq);
    cr_assert_str_eq(run(r, "holders(rq, 'x')"),
                     "TypeError: holders() argument n must be int, not 'str'\n");
    cr_assert_str_eq(run(r, "paths(rq, 0)"),
                     "ValueError: paths() argument n must be from 1 to 10000, not 0\n");
    cr_assert_str_eq(run(r, "holders(rq)"), "no kumo object or engine structure holds it\n"
                     "1 reference held by this console (its variables, `_`, this line)\n");
    /* an object that is not shared and is gone */
    static kumo_class ghost = {.name = "Ghost"};   /* registered for good: static */
    kumo_ref g;
    kumo_ref_init(&g, &ghost);
    cr_assert_eq(kumo__repl_bind_ref(r, "g", &g), KUMO_OK);
    cr_assert_str_eq(run(r, "holders(g)"), "no kumo object or engine structure holds it\n");
    kumo_ref_fini(&g);
    cr_assert_str_eq(run(r, "holders(g)"),
                     "ReferenceError: weakly-referenced object no longer exists\n");
    cr_assert_str_eq(run(r, "paths(g)"),
                     "ReferenceError: weakly-referenced object no longer exists\n");
    kumo__repl_free(r);
}

Test(view_heap, byrcs_partitions_the_tracked_objects)
{
    held_site s;
    held_site_new(&s);
    kumo_repl *r = kumo__repl_new(NULL);
    const char *out = run(r, "hpy.heap().byrcs");
    cr_assert(!strncmp(out, "Partition of a set of 5 objects. Total size = ", 46), "%s", out);
    cr_assert(strstr(out, " Index  Count   %     Size   % Cumulative  % Referrers by Kind "
                          "(class / dict of class)\n"), "%s", out);
    cr_assert(strstr(out, " Request.meta, Item\n"), "%s", out);
    cr_assert(strstr(out, " HtmlResponse.request\n"), "%s", out);
    cr_assert(strstr(out, " <no referrer>\n"), "%s", out);
    cr_assert(strstr(out, "      3  60 "), "three objects nothing refers to: %s", out);
    /* a row of bytype: the responses only */
    cr_assert_str_eq(run(r, "x = hpy.heap().bytype"), "");
    /* each row's tracked objects: 3 requests, 1 response, 1 item, none in the others */
    cr_assert_str_eq(run(r, "sorted([x[i].byrcs.count for i in range(len(x))], "
                            "reverse=True)[:4]"), "[3, 1, 1, 0]\n");
    cr_assert_str_eq(run(r, "len(hpy.heap().byrcs)"), "3\n");
    kumo__repl_free(r);
    held_site_free(&s);
}
