/* test_view_crawl.c - views of the crawl: engine, stats, settings, spider, crawler, est(). */
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

TestSuite(view_crawl, .init = setup, .fini = kumo_leakcheck_end);

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

Test(view_crawl, names_without_a_crawl)
{
    kumo_repl *r = kumo__repl_new(NULL);
    cr_assert_str_eq(run(r, "engine"), "RuntimeError: no crawl is running\n");
    cr_assert_str_eq(run(r, "stats"), "RuntimeError: no crawl is running\n");
    cr_assert_str_eq(run(r, "est()"), "RuntimeError: no crawl is running\n");
    cr_assert_str_eq(run(r, "from scrapy.utils.engine import print_engine_status"), "");
    cr_assert_str_eq(run(r, "print_engine_status"), "<built-in function print_engine_status>\n");
    cr_assert_str_eq(run(r, "Spider"), "<class 'scrapy.spiders.Spider'>\n");
    kumo__repl_free(r);
}
