/* test_view_http.c - views of requests, responses, selectors and items, and their classes. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "console/repl.h"
#include "console/eval.h"
#include "http/request.h"
#include "lib/leakcheck.h"

static void setup(void)
{
    ce_init();
    kumo_class_first();
    kumo_leakcheck_start();
}

TestSuite(view_http, .init = setup, .fini = kumo_leakcheck_end);

/* Run one line in r; returns its output (static buffer). */
static const char *run(kumo_repl *r, const char *line)
{
    static char text[4096];
    kumo_buf out;
    kumo__buf_init(&out, sizeof(text) - 1, KUMO_T_STR, KUMO_V_NONE);
    kumo__repl_eval(r, line, strlen(line), &out);
    snprintf(text, sizeof(text), "%s", kumo__buf_str(&out));
    kumo__buf_release(&out);
    return text;
}

Test(view_http, requests_and_their_class)
{
    kumo_repl *r = kumo__repl_new(NULL);
    int err;
    kumo_request *rq = kumo_request_new("http://example.com/a", NULL, &err);
    cr_assert_eq(kumo__repl_bind_ref(r, "rq", &rq->ref), KUMO_OK);
    kumo_request_unref(rq);
    cr_assert_str_eq(run(r, "rq"), "<GET http://example.com/a>\n");
    cr_assert_str_eq(run(r, "rq.url, rq.method"), "('http://example.com/a', 'GET')\n");
    cr_assert_str_eq(run(r, "isinstance(rq, Request), type(rq) is Request"), "(True, True)\n");
    cr_assert_str_eq(run(r, "rq.nope"),
                     "AttributeError: 'Request' object has no attribute 'nope'\n");
    cr_assert_str_eq(run(r, "SelectorList"),
                     "<class 'scrapy.selector.unified.SelectorList'>\n");
    kumo__repl_free(r);
}
