/* test_view_heap.c - views of the heap: trackref's prefs/get_oldest/iter_all, hpy, mem, trim. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "console/repl.h"
#include "console/eval.h"
#include "lib/leakcheck.h"

static void setup(void)
{
    ce_init();
    kumo_class_first();
    kumo_leakcheck_start();
}

TestSuite(view_heap, .init = setup, .fini = kumo_leakcheck_end);

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
