/* test_spider.c - spider class names, the ABI check, and loading the shipped plugins. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "core/plugin.h"
#include "core/spider.h"

static void parse(kumo_response *res, kumo_out *out)
{
}

TestSuite(spider, .fini = kumo_class_cleanup);

Test(spider, class_names)
{
    static const char *const cases[][2] = {
        {"quotes", "QuotesSpider"}, {"my_shop", "MyShopSpider"}, {"a-b.c", "ABCSpider"},
        {"bench", "BenchSpider"},
    };
    char buf[64];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++)
        cr_assert_str_eq(kumo_spider_class_name(cases[i][0], buf, sizeof(buf)), cases[i][1]);
}

Test(spider, abi_mismatch_names_both_sides)
{
    kumo_spider_def d = {KUMO_SPIDER_HEADER, .name = "x", .callbacks = KUMO_CALLBACKS(parse)};
    char err[256];
    cr_assert_eq(kumo_spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_OK);
    d.abi = KUMO_ABI + 1;
    cr_assert_eq(kumo_spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_EABI);
    char want[256];
    snprintf(want, sizeof(want), "spider in 'x.so' built for ABI %d, this kumo is %d: rebuild it",
             KUMO_ABI + 1, KUMO_ABI);
    cr_assert_str_eq(err, want);
    d.abi = KUMO_ABI;
    d.abi_sig = "ptr4-long4-asan";
    cr_assert_eq(kumo_spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_EABI);
    cr_assert(strstr(err, "'ptr4-long4-asan'") && strstr(err, KUMO_ABI_SIG), "%s", err);
    d.abi_sig = KUMO_ABI_SIG;
    d.size = 8;
    cr_assert_eq(kumo_spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_EABI);
    d.size = sizeof(d);
    d.callbacks = NULL;
    cr_assert_eq(kumo_spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_EINVAL);
}

Test(spider, incomplete_definitions_say_what_is_missing)
{
    kumo_spider_def d = {.name = "x", .callbacks = KUMO_CALLBACKS(parse)};
    char err[256];
    cr_assert_eq(kumo_spider_def_check(&d, "x.c", err, sizeof(err)), KUMO_EABI);
    cr_assert_str_eq(err, "the KUMO_SPIDER definition in 'x.c' lacks KUMO_SPIDER_HEADER: make "
                          "it the first line of KUMO_SPIDER = { ... }");
    d = (kumo_spider_def){KUMO_SPIDER_HEADER, .callbacks = KUMO_CALLBACKS(parse)};
    cr_assert_eq(kumo_spider_def_check(&d, "x.c", err, sizeof(err)), KUMO_EINVAL);
    cr_assert_str_eq(err, "the KUMO_SPIDER definition in 'x.c' has no name: give it "
                          ".name = \"NAME\"");
    d.name = "x";
    d.callbacks = NULL;
    cr_assert_eq(kumo_spider_def_check(&d, "x.c", err, sizeof(err)), KUMO_EINVAL);
    cr_assert_str_eq(err, "spider 'x' in 'x.c' has no callbacks: give it .callbacks = "
                          "KUMO_CALLBACKS(parse, ...)");
}

Test(spider, shipped_plugins_load_by_name)
{
    static const char *const names[] = {"bench", "follow", "quotes"};
    char err[512];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(names); i++) {
        kumo_plugin *p;
        cr_assert_eq(kumo_plugin_open(names[i], &p, err, sizeof(err)), KUMO_OK, "%s", err);
        cr_assert_str_eq(kumo_plugin_def(p)->name, names[i]);
        kumo_plugin_close(p);
    }
    kumo_plugin *p;
    cr_assert_eq(kumo_plugin_open("nope", &p, err, sizeof(err)), KUMO_ENOENT);
    cr_assert_str_eq(err, "spider not found: nope (try 'kumo list')");
    cr_assert_eq(kumo_plugin_open("/etc/passwd", &p, err, sizeof(err)), KUMO_EINVAL);
    cr_assert(strstr(err, "cannot load spider '/etc/passwd'"), "%s", err);
}
