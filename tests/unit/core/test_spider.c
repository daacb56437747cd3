/* test_spider.c - spider class names, the ABI check, loading the shipped plugins, and
 * KUMO_CALLBACKS / KUMO_ERRBACKS with many functions. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "core/plugin.h"
#include "core/settings.h"
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
        cr_assert_str_eq(kumo__spider_class_name(cases[i][0], buf, sizeof(buf)), cases[i][1]);
}

Test(spider, abi_mismatch_names_both_sides)
{
    kumo_spider_def d = {KUMO_SPIDER_HEADER, .name = "x", .callbacks = KUMO_CALLBACKS(parse)};
    char err[256];
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_OK);
    d.abi = KUMO_ABI + 1;
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_EABI);
    char want[256];
    snprintf(want, sizeof(want), "spider in 'x.so' built for ABI %d, this kumo is %d: rebuild it",
             KUMO_ABI + 1, KUMO_ABI);
    cr_assert_str_eq(err, want);
    d.abi = KUMO_ABI;
    d.abi_sig = "ptr4-long4-asan";
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_EABI);
    cr_assert(strstr(err, "'ptr4-long4-asan'") && strstr(err, KUMO_ABI_SIG), "%s", err);
    d.abi_sig = KUMO_ABI_SIG;
    d.size = 8;
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_EABI);
    d.size = sizeof(d);
    d.callbacks = NULL;
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_EINVAL);
}

/* kumo_class grew a repr hook in ABI 2: a spider built against ABI 1 is refused. */
Test(spider, abi_1_spiders_are_refused)
{
    kumo_spider_def d = {KUMO_SPIDER_HEADER, .name = "x", .callbacks = KUMO_CALLBACKS(parse)};
    d.abi = 1;
    char err[256], want[256];
    cr_assert_eq(kumo__spider_def_check(&d, "old.so", err, sizeof(err)), KUMO_EABI);
    snprintf(want, sizeof(want), "spider in 'old.so' built for ABI 1, this kumo is %d: rebuild it",
             KUMO_ABI);
    cr_assert_str_eq(err, want);
}

Test(spider, incomplete_definitions_say_what_is_missing)
{
    kumo_spider_def d = {.name = "x", .callbacks = KUMO_CALLBACKS(parse)};
    char err[256];
    cr_assert_eq(kumo__spider_def_check(&d, "x.c", err, sizeof(err)), KUMO_EABI);
    cr_assert_str_eq(err, "the KUMO_SPIDER definition in 'x.c' lacks KUMO_SPIDER_HEADER: make "
                          "it the first line of KUMO_SPIDER = { ... }");
    d = (kumo_spider_def){KUMO_SPIDER_HEADER, .callbacks = KUMO_CALLBACKS(parse)};
    cr_assert_eq(kumo__spider_def_check(&d, "x.c", err, sizeof(err)), KUMO_EINVAL);
    cr_assert_str_eq(err, "the KUMO_SPIDER definition in 'x.c' has no name: give it "
                          ".name = \"NAME\"");
    d.name = "x";
    d.callbacks = NULL;
    cr_assert_eq(kumo__spider_def_check(&d, "x.c", err, sizeof(err)), KUMO_EINVAL);
    cr_assert_str_eq(err, "spider 'x' in 'x.c' has no callbacks: give it .callbacks = "
                          "KUMO_CALLBACKS(parse, ...)");
}

/* Component defs carry the spider's ABI header: each kind is checked with the spider. */
static const kumo_dlmw_def ok_dl = {KUMO_DLMW_HEADER, .name = "OkDl"};
static const kumo_dlmw_def old_dl = {.abi = 1, .abi_sig = KUMO_ABI_SIG,
                                     .size = sizeof(kumo_dlmw_def), .name = "Old"};
static const kumo_spmw_def bare_sp = {.name = "Bare", .order = 5};
static const kumo_pipeline_def small_pl = {.abi = KUMO_ABI, .abi_sig = KUMO_ABI_SIG,
                                           .size = 24, .name = "Small"};
static const kumo_pipeline_def future_pl = {KUMO_PIPELINE_HEADER, .name = "Future",
                                            .reserved = {NULL, (void *)&ok_dl}};
static const kumo_ext_def asan_ext = {.abi = KUMO_ABI, .abi_sig = "ptr8-long8-other",
                                      .size = sizeof(kumo_ext_def), .name = "Sig"};

Test(spider, components_need_the_abi_header)
{
    kumo_spider_def d = {KUMO_SPIDER_HEADER, .name = "x", .callbacks = KUMO_CALLBACKS(parse),
                         .downloader_middlewares = (const kumo_dlmw_def *const[]){&ok_dl, NULL}};
    char err[256], want[256];
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_OK, "%s", err);

    d.downloader_middlewares = (const kumo_dlmw_def *const[]){&ok_dl, &old_dl, NULL};
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_EABI);
    snprintf(want, sizeof(want), "downloader middleware 'Old' in 'x.so' built for ABI 1, this "
             "kumo is %d: rebuild it", KUMO_ABI);
    cr_assert_str_eq(err, want);
    d.downloader_middlewares = NULL;

    d.spider_middlewares = (const kumo_spmw_def *const[]){&bare_sp, NULL};
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_EABI);
    cr_assert_str_eq(err, "the spider middleware 'Bare' in 'x.so' lacks KUMO_SPMW_HEADER: make "
                          "it the first line of its definition");
    d.spider_middlewares = NULL;

    d.item_pipelines = (const kumo_pipeline_def *const[]){&small_pl, NULL};
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_EABI);
    snprintf(want, sizeof(want), "item pipeline 'Small' in 'x.so' has a definition of 24 "
             "bytes, this kumo expects %zu: rebuild it", sizeof(kumo_pipeline_def));
    cr_assert_str_eq(err, want);
    d.item_pipelines = (const kumo_pipeline_def *const[]){&future_pl, NULL};
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_EABI);
    cr_assert_str_eq(err, "item pipeline 'Future' in 'x.so' sets reserved slot 1, unknown to "
                          "this kumo: rebuild it");
    d.item_pipelines = NULL;

    d.extensions = (const kumo_ext_def *const[]){&asan_ext, NULL};
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_EABI);
    snprintf(want, sizeof(want), "extension 'Sig' in 'x.so' built as 'ptr8-long8-other', this "
             "kumo is '%s': rebuild it", KUMO_ABI_SIG);
    cr_assert_str_eq(err, want);
    /* the message buffer is optional: the code alone tells */
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", NULL, 0), KUMO_EABI);
    cr_assert_eq(kumo__ext_def_check(&asan_ext, "x.so", NULL, 0), KUMO_EABI);
}

/* A spider that fills a reserved slot was built against newer headers. */
Test(spider, reserved_slots_must_be_null)
{
    kumo_spider_def d = {KUMO_SPIDER_HEADER, .name = "x", .callbacks = KUMO_CALLBACKS(parse),
                         .reserved = {NULL, NULL, NULL, (void *)&d}};
    char err[256];
    cr_assert_eq(kumo__spider_def_check(&d, "new.so", err, sizeof(err)), KUMO_EABI);
    cr_assert_str_eq(err, "spider in 'new.so' sets reserved slot 3, unknown to this kumo: "
                          "rebuild it");
}

/* The loader's and the settings' message buffers may be NULL / 0 (kumo/err.h). */
Test(spider, error_buffers_are_optional)
{
    kumo_plugin *p = NULL;
    cr_assert_eq(kumo__plugin_open("/nonexistent/kumo-no-such.so", &p, NULL, 0), KUMO_ENOENT);
    cr_assert_null(p);
    kumo_settings *s = kumo__settings_new();
    cr_assert_eq(kumo__settings_set(s, "RETRY_TIMES", "many", KUMO_PRIO_CMDLINE, NULL, 0),
                 KUMO_EINVAL);
    cr_assert_eq(kumo__settings_load_file(s, "/nonexistent/kumo.conf", NULL, 0), KUMO_ENOENT);
    kumo__settings_free(s);
    kumo_spider_def d = {.name = "x", .callbacks = KUMO_CALLBACKS(parse)};
    cr_assert_eq(kumo__spider_def_check(&d, "x.so", NULL, 0), KUMO_EABI);
}

Test(spider, shipped_plugins_load_by_name)
{
    static const char *const names[] = {"bench", "follow", "quotes"};
    char err[512];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(names); i++) {
        kumo_plugin *p;
        cr_assert_eq(kumo__plugin_open(names[i], &p, err, sizeof(err)), KUMO_OK, "%s", err);
        cr_assert_str_eq(kumo__plugin_def(p)->name, names[i]);
        kumo__plugin_close(p);
    }
    kumo_plugin *p;
    cr_assert_eq(kumo__plugin_open("nope", &p, err, sizeof(err)), KUMO_ENOENT);
    cr_assert_str_eq(err, "spider not found: nope (try 'kumo list')");
    cr_assert_eq(kumo__plugin_open("/etc/passwd", &p, err, sizeof(err)), KUMO_EINVAL);
    cr_assert(strstr(err, "cannot load spider '/etc/passwd'"), "%s", err);
}

/* ---- KUMO_CALLBACKS / KUMO_ERRBACKS with many functions ---- */

#define CB(f) static void f(kumo_response *res, kumo_out *out) {}
#define EB(f) static void f(kumo_failure *fl, kumo_out *out) {}
CB(c1) CB(c2) CB(c3) CB(c4) CB(c5) CB(c6) CB(c7) CB(c8)
CB(c9) CB(c10) CB(c11) CB(c12) CB(c13) CB(c14) CB(c15) CB(c16)
CB(c17) CB(c18) CB(c19) CB(c20) CB(c21) CB(c22) CB(c23) CB(c24)
CB(c25) CB(c26) CB(c27) CB(c28) CB(c29) CB(c30) CB(c31) CB(c32)
CB(c33) CB(c34) CB(c35) CB(c36) CB(c37) CB(c38) CB(c39) CB(c40)
EB(e1) EB(e2) EB(e3) EB(e4) EB(e5) EB(e6) EB(e7) EB(e8)
EB(e9) EB(e10) EB(e11) EB(e12) EB(e13) EB(e14) EB(e15) EB(e16)
EB(e17) EB(e18) EB(e19) EB(e20) EB(e21) EB(e22) EB(e23) EB(e24)
EB(e25) EB(e26) EB(e27) EB(e28) EB(e29) EB(e30) EB(e31) EB(e32)
EB(e33)

static const kumo_callback *const many_cbs =
    KUMO_CALLBACKS(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
                   c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, c32,
                   c33, c34, c35, c36, c37, c38, c39, c40);
static const kumo_errback *const many_ebs =
    KUMO_ERRBACKS(e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15, e16, e17,
                  e18, e19, e20, e21, e22, e23, e24, e25, e26, e27, e28, e29, e30, e31, e32, e33);

Test(spider, callbacks_and_errbacks_take_many_functions)
{
    char name[16];
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "c%d", i + 1);
        cr_expect_str_eq(many_cbs[i].name, name);
        cr_expect_not_null(many_cbs[i].fn);
    }
    cr_expect_null(many_cbs[40].name);
    cr_expect_null(many_cbs[40].fn);
    cr_expect_eq(many_cbs[0].fn, c1);
    cr_expect_eq(many_cbs[39].fn, c40);
    for (int i = 0; i < 33; i++) {
        snprintf(name, sizeof(name), "e%d", i + 1);
        cr_expect_str_eq(many_ebs[i].name, name);
    }
    cr_expect_eq(many_ebs[32].fn, e33);
    cr_expect_null(many_ebs[33].name);
    kumo_spider_def d = {KUMO_SPIDER_HEADER, .name = "x", .callbacks = many_cbs,
                         .errbacks = many_ebs};
    char err[256];
    cr_expect_eq(kumo__spider_def_check(&d, "x.so", err, sizeof(err)), KUMO_OK, "%s", err);
}

/* 64 functions compile; 65 is a compile error that names the limit. */
Test(spider, callbacks_past_the_limit_say_so, .timeout = 60)
{
    for (int n = 64; n <= 65; n++) {
        char dir[] = "/tmp/kumo-cbs-XXXXXX";
        cr_assert_not_null(mkdtemp(dir));
        char path[256], cmd[512];
        snprintf(path, sizeof(path), "%s/s.c", dir);
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fprintf(f, "#include <kumo/kumo.h>\n");
        for (int i = 0; i < n; i++)
            fprintf(f, "static void f%d(kumo_response *r, kumo_out *o) {}\n", i);
        fprintf(f, "const kumo_callback *cbs = KUMO_CALLBACKS(");
        for (int i = 0; i < n; i++)
            fprintf(f, "%sf%d", i ? ", " : "", i);
        fprintf(f, ");\n");
        fclose(f);
        snprintf(cmd, sizeof(cmd), "cc -std=gnu11 -fsyntax-only -Iinclude %s > %s/out 2>&1",
                 path, dir);
        int rc = system(cmd);
        snprintf(path, sizeof(path), "%s/out", dir);
        f = fopen(path, "r");
        cr_assert_not_null(f);
        char out[4096] = "";
        size_t len = fread(out, 1, sizeof(out) - 1, f);
        out[len] = '\0';
        fclose(f);
        if (n == 64)
            cr_expect_eq(rc, 0, "64 callbacks: %s", out);
        else
            cr_expect(rc != 0 && strstr(out, "KUMO_CALLBACKS_takes_at_most_64_functions"), "%s",
                      out);
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        cr_expect_eq(system(cmd), 0);
    }
}

/* ---- what a running spider tells plugins ---- */

Test(spider, args_and_allowed_domains_are_readable)
{
    static const char *const domains[] = {"a.test", NULL};
    kumo_spider_def d = {KUMO_SPIDER_HEADER, .name = "x", .callbacks = KUMO_CALLBACKS(parse),
                         .allowed_domains = domains};
    kumo_map args;
    kumo_map_init(&args, KUMO_T_OTHER, KUMO_V_NONE);
    kumo_map_set(&args, "url", kumo_val_str("http://a.test/"));
    kumo_spider *sp = kumo__spider_new(&d, NULL, &args);
    kumo_map_release(&args);
    cr_assert_not_null(sp);
    cr_assert_str_eq(kumo_map_get_str(kumo_spider_args(sp), "url", ""), "http://a.test/");
    cr_assert_eq(kumo_spider_args(sp)->len, 1);
    const char *const *allowed = kumo_spider_allowed_domains(sp);
    cr_assert_str_eq(allowed[0], "a.test");
    cr_assert_null(allowed[1]);
    kumo_spider_allow_domain(sp, "b.test");
    allowed = kumo_spider_allowed_domains(sp);
    cr_assert_str_eq(allowed[1], "b.test");
    cr_assert_null(allowed[2]);
    kumo__spider_free(sp);

    d.allowed_domains = NULL;
    sp = kumo__spider_new(&d, NULL, NULL);
    cr_assert_null(kumo_spider_allowed_domains(sp));
    cr_assert_eq(kumo_spider_args(sp)->len, 0);
    kumo__spider_free(sp);
}

/* A domain added later makes a new list: one read before (by Offsite on the loop, while a
 * callback on a parse thread adds a domain) stays whole and valid. */
Test(spider, allowed_domains_read_before_an_addition_stay_valid)
{
    const kumo_spider_def def = {
        KUMO_SPIDER_HEADER,
        .name = "domains",
        .callbacks = KUMO_CALLBACKS(parse),
        .allowed_domains = KUMO_LIST("a.test"),
    };
    kumo_spider *sp = kumo__spider_new(&def, NULL, NULL);
    cr_assert_not_null(sp);
    const char *const *before = kumo_spider_allowed_domains(sp);
    for (int i = 0; i < 20; i++) {
        char d[32];
        snprintf(d, sizeof(d), "B%d.Test", i);
        kumo_spider_allow_domain(sp, d);
    }
    cr_assert_str_eq(before[0], "a.test");
    cr_assert_null(before[1]);
    const char *const *after = kumo_spider_allowed_domains(sp);
    cr_assert_str_eq(after[0], "a.test");
    cr_assert_str_eq(after[1], "b0.test");
    cr_assert_str_eq(after[20], "b19.test");
    cr_assert_null(after[21]);
    kumo__spider_free(sp);
}
