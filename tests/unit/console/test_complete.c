/* test_complete.c - Tab completion: names, keywords, attributes of chains, bounds. */
#include "ctest.h"
#include "console/complete.h"
#include "http/request.h"

TestSuite(complete, CTEST_SUITE);

/* The candidates for line as one string "a b c" (a static buffer), and where the word
 * starts in *start. */
static const char *complete(kumo_repl *r, const char *line, size_t *start)
{
    static char text[8192];
    char **v;
    size_t n = kumo__complete(r, line, strlen(line), start, &v);
    text[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        cr_assert_lt(strlen(text) + strlen(v[i]) + 2, sizeof(text));
        if (i)
            strcat(text, " ");
        strcat(text, v[i]);
    }
    kumo__complete_free(v, n);
    return text;
}

Test(complete, names_of_the_session_the_namespace_and_the_language)
{
    kumo_repl *r = kumo__repl_new(NULL);
    size_t start;
    run(r, "request_count = 3");
    run(r, "_hidden = 1");
    cr_assert_str_eq(complete(r, "Req", &start), "Request");
    cr_assert_eq(start, 0);
    cr_assert_str_eq(complete(r, "x = request_c", &start), "request_count");
    cr_assert_eq(start, 4);
    cr_assert_str_eq(complete(r, "lam", &start), "lambda");
    cr_assert_str_eq(complete(r, "get_ol", &start), "get_oldest");
    cr_assert_str_eq(complete(r, "_hid", &start), "_hidden");
    cr_assert_null(strstr(complete(r, "", &start), "_hidden"));    /* '_' only when asked */
    cr_assert_str_eq(complete(r, "nosuchname", &start), "");
    kumo__repl_free(r);
}

Test(complete, attributes_through_the_object_protocol)
{
    kumo_repl *r = kumo__repl_new(NULL);
    int err;
    kumo_request *rq = kumo_request_new("http://example.com/a", NULL, &err);
    cr_assert_eq(kumo__repl_bind_ref(r, "rq", &rq->ref), KUMO_OK);
    kumo_request_unref(rq);
    size_t start;
    cr_assert_str_eq(complete(r, "print(rq.me", &start), "rq.meta rq.method");
    cr_assert_eq(start, 6);
    cr_assert_str_eq(complete(r, "rq.cb", &start), "rq.cb_kwargs");
    cr_assert_str_eq(complete(r, "rq.meta.ke", &start), "rq.meta.keys");
    cr_assert_str_eq(complete(r, "'abc'.up", &start), "");       /* only chains of names */
    cr_assert_str_eq(complete(r, "rq.nope.x", &start), "");
    cr_assert_str_eq(complete(r, "nosuch.x", &start), "");
    cr_assert_str_eq(complete(r, "1.", &start), "");
    /* every candidate of "rq." is an attribute dir() lists, sorted */
    const char *all = complete(r, "rq.", &start);
    cr_assert(strstr(all, "rq.url"), "%s", all);
    cr_assert(strstr(all, "rq.headers rq.meta"), "%s", all);
    cr_assert_str_eq(run(r, "rq.url"), "'http://example.com/a'\n");   /* the session goes on */
    kumo__repl_free(r);
}

Test(complete, long_words_and_many_candidates_are_bounded)
{
    kumo_repl *r = kumo__repl_new(NULL);
    char line[1024];
    memset(line, 'a', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    size_t start;
    cr_assert_str_eq(complete(r, line, &start), "");
    for (int i = 0; i < KUMO_COMPLETE_MAX + 10; i++) {
        char stmt[32];
        snprintf(stmt, sizeof(stmt), "v%d = %d", i, i);
        run(r, stmt);
    }
    char **v;
    size_t n = kumo__complete(r, "v", 1, &start, &v);
    cr_assert_eq(n, KUMO_COMPLETE_MAX);
    kumo__complete_free(v, n);
    kumo__repl_free(r);
}
