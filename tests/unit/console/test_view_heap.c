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
    cr_assert_str_eq(run(r, "dir(hpy.heap())"), "['bytype', 'byvia', 'count', 'more', 'size']\n");
    kumo__repl_free(r);
}
