/* test_plugin.c - spider plugins found by name or path, load errors that name the file, the
 * search path listing, and Scrapy's component ordering (null and -1 disable). */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "core/plugin.h"
#include "core/settings.h"
#include "lib/leakcheck.h"
#include <unistd.h>

/* The tests run from the repository root with KUMO_SPIDER_DIR set to the spiders built for
 * this configuration (make test: spiders, make asan: build-asan/spiders). */
TestSuite(plugin, KUMO_LEAKCHECK);

static const char *spider_dir(void)
{
    const char *d = getenv("KUMO_SPIDER_DIR");
    cr_assert(d && *d, "make test sets KUMO_SPIDER_DIR");
    return d;
}

Test(plugin, open_by_name_and_by_path)
{
    char err[512] = "";
    kumo_plugin *p = NULL;
    cr_assert_eq(kumo__plugin_open("quotes", &p, err, sizeof(err)), KUMO_OK,
                 "%s (is KUMO_SPIDER_DIR set?)", err);
    cr_assert_str_eq(kumo__plugin_def(p)->name, "quotes");
    cr_assert_not_null(strstr(kumo__plugin_path(p), "quotes.so"), "%s", kumo__plugin_path(p));
    kumo__plugin_close(p);

    char path[512];
    snprintf(path, sizeof(path), "%s/follow.so", spider_dir());
    cr_assert_eq(kumo__plugin_open(path, &p, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_assert_str_eq(kumo__plugin_def(p)->name, "follow");
    cr_assert_str_eq(kumo__plugin_path(p), path);
    kumo__plugin_close(p);
    kumo__plugin_close(NULL);
}

Test(plugin, unknown_name_is_enoent)
{
    char err[512] = "";
    kumo_plugin *p = (kumo_plugin *)&err;
    cr_assert_eq(kumo__plugin_open("nosuchspider", &p, err, sizeof(err)), KUMO_ENOENT);
    cr_assert_null(p);
    cr_assert_str_eq(err, "spider not found: nosuchspider (try 'kumo list')");
    cr_assert_eq(kumo__plugin_open("/nonexistent/dir/x.so", &p, err, sizeof(err)), KUMO_ENOENT);
    cr_assert_not_null(strstr(err, "cannot load spider '/nonexistent/dir/x.so'"), "%s", err);
}

Test(plugin, a_file_that_is_not_a_library_is_named_in_the_error)
{
    char path[] = "/tmp/kumo-plugin-XXXXXX.so";
    int fd = mkstemps(path, 3);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "not an ELF file\n", 16), 16);
    close(fd);
    char err[512] = "";
    kumo_plugin *p;
    int rc = kumo__plugin_open(path, &p, err, sizeof(err));
    char want[128];
    snprintf(want, sizeof(want), "cannot load spider '%s': ", path);
    cr_assert_eq(rc, KUMO_EINVAL, "%s", err);
    cr_assert_eq(strncmp(err, want, strlen(want)), 0, "%s", err);

    /* open_as: the message shows the source file instead of the .so */
    rc = kumo__plugin_open_as(path, "myspider.c", &p, err, sizeof(err));
    cr_assert_eq(rc, KUMO_EINVAL);
    cr_assert_eq(strncmp(err, "cannot load spider 'myspider.c': ", 33), 0, "%s", err);
    unlink(path);
}

typedef struct listing {
    char names[16][64];
    size_t n;
    size_t errors;
} listing;

static void list_fn(void *ctx, const kumo_spider_def *def, const char *path)
{
    listing *l = ctx;
    cr_assert_not_null(strstr(path, ".so"), "%s", path);
    if (l->n < 16)
        snprintf(l->names[l->n++], sizeof(l->names[0]), "%s", def->name);
}

static void list_err(void *ctx, const char *msg)
{
    ((listing *)ctx)->errors++;
}

Test(plugin, list_walks_the_search_path_in_file_order)
{
    listing l = {0};
    kumo__plugin_list(list_fn, list_err, &l);
    /* $KUMO_SPIDER_DIR first: bench.so follow.so leaky.so pipelines_demo.so quotes.so (./spiders
     * comes next: built for another configuration under asan, its files are errors there) */
    cr_assert_geq(l.n, 5);
    const char *want[] = {"bench", "follow", "leaky", "pipelines_demo", "quotes"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(want); i++)
        cr_assert_str_eq(l.names[i], want[i]);
}

/* ---- kumo__components_build ---- */

static kumo_settings *with(const char *name, const char *json)
{
    kumo_settings *s = kumo__settings_new();
    char err[256];
    if (json)
        cr_assert_eq(kumo__settings_set(s, name, json, KUMO_PRIO_CMDLINE, err, sizeof(err)),
                     KUMO_OK, "%s", err);
    return s;
}

#define CANDS                                                                           \
    {{"Retry", 550, NULL, 0}, {"Redirect", 600, NULL, 0}, {"UserAgent", 500, NULL, 0},   \
     {"Mine", 550, NULL, 0}}

static void names_are(const kumo_component *c, size_t n, const char *const *want, size_t nw)
{
    cr_assert_eq(n, nw, "%zu components", n);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(c[i].name, want[i], "position %zu", i);
}

Test(plugin, components_sort_by_order_ties_in_listing_order)
{
    kumo_settings *s = with("DOWNLOADER_MIDDLEWARES", NULL);
    kumo_component c[] = CANDS;
    size_t n = KUMO_ARRAY_LEN(c);
    char err[256];
    cr_assert_eq(kumo__components_build(s, "DOWNLOADER_MIDDLEWARES", "downloader middleware", c,
                                       &n, err, sizeof(err)), KUMO_OK, "%s", err);
    const char *want[] = {"UserAgent", "Retry", "Mine", "Redirect"};
    names_are(c, n, want, 4);
    cr_assert_eq(c[1].index, 0);
    cr_assert_eq(c[2].index, 3);
    kumo__settings_free(s);
}

Test(plugin, components_null_and_minus_one_disable_others_reorder)
{
    kumo_settings *s = with("DOWNLOADER_MIDDLEWARES",
                            "{\"Retry\": null, \"UserAgent\": -1, \"Mine\": 10, "
                            "\"scrapy.downloadermiddlewares.redirect.RedirectMiddleware\": 5}");
    kumo_component c[] = CANDS;
    size_t n = KUMO_ARRAY_LEN(c);
    char err[256];
    cr_assert_eq(kumo__components_build(s, "DOWNLOADER_MIDDLEWARES", "downloader middleware", c,
                                       &n, err, sizeof(err)), KUMO_OK, "%s", err);
    const char *want[] = {"Redirect", "Mine"};
    names_are(c, n, want, 2);
    cr_assert_eq(c[0].order, 5);
    kumo__settings_free(s);
}

Test(plugin, components_bad_settings_are_one_line_errors)
{
    static const struct {
        const char *json, *msg;
    } bad[] = {
        {"{\"Nope\": 1}", "unknown downloader middleware 'Nope' in DOWNLOADER_MIDDLEWARES"},
        {"{\"Retry\": 1, \"scrapy.downloadermiddlewares.retry.RetryMiddleware\": 2}",
         "'Retry' and 'scrapy.downloadermiddlewares.retry.RetryMiddleware' in "
         "DOWNLOADER_MIDDLEWARES name the same downloader middleware 'Retry'"},
        {"{\"Retry\": \"x\"}", "invalid order for downloader middleware 'Retry' in "
         "DOWNLOADER_MIDDLEWARES: expected an integer or null"},
        {"{\"Retry\": 1.5}", "invalid order for downloader middleware 'Retry'"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad); i++) {
        kumo_settings *s = with("DOWNLOADER_MIDDLEWARES", bad[i].json);
        kumo_component c[] = CANDS;
        size_t n = KUMO_ARRAY_LEN(c);
        char err[256] = "";
        cr_assert_eq(kumo__components_build(s, "DOWNLOADER_MIDDLEWARES",
                                           "downloader middleware", c, &n, err, sizeof(err)),
                     KUMO_EINVAL, "%s", bad[i].json);
        cr_assert_eq(strncmp(err, bad[i].msg, strlen(bad[i].msg)), 0, "%s: %s", bad[i].json,
                     err);
        cr_assert_eq(n, 4, "n untouched on failure");
        kumo__settings_free(s);
    }
}

Test(plugin, components_two_with_one_name_are_refused)
{
    kumo_component c[] = {{"A", 1, NULL, 0}, {"B", 2, NULL, 0}, {"A", 3, NULL, 0}};
    size_t n = 3;
    char err[256];
    cr_assert_eq(kumo__components_build(NULL, "ITEM_PIPELINES", "item pipeline", c, &n, err,
                                       sizeof(err)), KUMO_EINVAL);
    cr_assert_str_eq(err, "two item pipelines named 'A'");
}
