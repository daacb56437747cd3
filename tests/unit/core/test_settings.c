/* test_settings.c - priorities, typed checks, the conf file, and conf/kumo.conf in sync. */
#include <criterion/criterion.h>
#include <signal.h>
#include <unistd.h>
#include "kumo-int.h"
#include "core/settings.h"
#include "lib/leakcheck.h"

static kumo_settings *s;
static char err[512];

static void setup(void)
{
    kumo_leakcheck_start();
    s = kumo__settings_new();
}

static void teardown(void)
{
    kumo__settings_free(s);
    kumo_leakcheck_end();
}

TestSuite(settings, .init = setup, .fini = teardown);

Test(settings, defaults_then_priorities)
{
    cr_assert_eq(kumo__settings_int(s, "CONCURRENT_REQUESTS"), 16);
    cr_assert_eq(kumo__settings_set(s, "CONCURRENT_REQUESTS", "32", KUMO_PRIO_CMDLINE, err,
                                   sizeof(err)), KUMO_OK);
    cr_assert_eq(kumo__settings_set(s, "CONCURRENT_REQUESTS", "8", KUMO_PRIO_SPIDER, err,
                                   sizeof(err)), KUMO_OK);
    cr_assert_eq(kumo__settings_int(s, "CONCURRENT_REQUESTS"), 32, "spider < command line");
    kumo__settings_set(s, "DOWNLOAD_DELAY", "0.25", KUMO_PRIO_CONF, err, sizeof(err));
    kumo__settings_set(s, "DOWNLOAD_DELAY", "0.5", KUMO_PRIO_SPIDER, err, sizeof(err));
    cr_assert_float_eq(kumo__settings_float(s, "DOWNLOAD_DELAY"), 0.5, 1e-9);
    cr_assert(kumo__settings_bool(s, "RETRY_ENABLED"));
    cr_assert_null(kumo__settings_get(s, "NO_SUCH_SETTING"));
    cr_assert_eq(kumo__settings_set(s, "MY_OWN", "x", KUMO_PRIO_SPIDER, err, sizeof(err)),
                 KUMO_OK);
    cr_assert_str_eq(kumo__settings_get(s, "MY_OWN"), "x");
}

Test(settings, wrong_values_are_one_line_errors)
{
    static const struct {
        const char *name, *value, *msg;
    } bad[] = {
        {"RETRY_TIMES", "two", "invalid value 'two' for RETRY_TIMES: expected an integer"},
        {"DOWNLOAD_DELAY", "1s", "invalid value '1s' for DOWNLOAD_DELAY: expected a number"},
        {"RETRY_ENABLED", "maybe", "invalid value 'maybe' for RETRY_ENABLED: expected 0, 1, "
                                   "true or false"},
        {"ITEM_PIPELINES", "[1]", "invalid value '[1]' for ITEM_PIPELINES: expected a JSON "
                                  "object such as {\"Name\": 100}"},
        {"DOWNLOADER_MIDDLEWARES", "{", "invalid value '{' for DOWNLOADER_MIDDLEWARES: "
                                        "expected a JSON object such as {\"Name\": 100}"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad); i++) {
        cr_assert_eq(kumo__settings_set(s, bad[i].name, bad[i].value, KUMO_PRIO_CMDLINE, err,
                                       sizeof(err)), KUMO_EINVAL);
        cr_assert_str_eq(err, bad[i].msg);
    }
    cr_assert_eq(kumo__settings_int(s, "RETRY_TIMES"), 2, "a bad value changes nothing");
}

Test(settings, lists_and_dicts)
{
    char *v[16];
    size_t n = kumo__settings_list(s, "RETRY_HTTP_CODES", v, 16);
    cr_assert_eq(n, 8);
    cr_assert_str_eq(v[0], "500");
    cr_assert_str_eq(v[7], "429");
    for (size_t i = 0; i < n; i++)
        kumo_free(v[i]);
    kumo__settings_set(s, "HTTPERROR_ALLOWED_CODES", "[404, 410]", KUMO_PRIO_CMDLINE, err,
                      sizeof(err));
    n = kumo__settings_list(s, "HTTPERROR_ALLOWED_CODES", v, 16);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(v[1], "410");
    for (size_t i = 0; i < n; i++)
        kumo_free(v[i]);
    kumo__settings_set(s, "DOWNLOADER_MIDDLEWARES", "{\"Retry\": null, \"UserAgent\": 450}",
                      KUMO_PRIO_CMDLINE, err, sizeof(err));
    int order = 0;
    bool off;
    cr_assert_eq(kumo__settings_dict_order(s, "DOWNLOADER_MIDDLEWARES", "Retry", &order, &off), 1);
    cr_assert(off);
    cr_assert_eq(kumo__settings_dict_order(s, "DOWNLOADER_MIDDLEWARES", "UserAgent", &order,
                                          &off), 1);
    cr_assert_not(off);
    cr_assert_eq(order, 450);
    cr_assert_eq(kumo__settings_dict_order(s, "DOWNLOADER_MIDDLEWARES", "Redirect", &order,
                                          &off), 0);
}

Test(settings, conf_file_lines_and_errors)
{
    char path[] = "/tmp/kumo-conf-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("# comment\n\nCONCURRENT_REQUESTS = 4\n  DOWNLOAD_DELAY=0.1  \nRETRY_TIMES = x\n", f);
    fclose(f);
    cr_assert_eq(kumo__settings_load_file(s, path, err, sizeof(err)), KUMO_EINVAL);
    char want[600];
    snprintf(want, sizeof(want), "%s:5: invalid value 'x' for RETRY_TIMES: expected an integer",
             path);
    cr_assert_str_eq(err, want);
    cr_assert_eq(kumo__settings_int(s, "CONCURRENT_REQUESTS"), 4);
    cr_assert_float_eq(kumo__settings_float(s, "DOWNLOAD_DELAY"), 0.1, 1e-9);
    unlink(path);
    cr_assert_eq(kumo__settings_load_file(s, path, err, sizeof(err)), KUMO_ENOENT);
}

/* conf/kumo.conf is the file the settings table generates (make conf): every built-in
 * setting with its type, doc and real default, nothing else. */
Test(settings, conf_file_is_generated_from_the_table)
{
    FILE *f = fopen("conf/kumo.conf", "r");
    cr_assert(f, "run the tests from the top of the tree");
    static char text[256 * 1024];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__settings_conf(&b);
    cr_assert_str_eq(text, kumo__buf_str(&b), "conf/kumo.conf is stale: run make conf");
    for (const kumo_setting_info *i = kumo__setting_infos; i->name; i++) {
        char line[1024];
        snprintf(line, sizeof(line), "\n# %s =%s%s\n", i->name, i->def ? " " : "",
                 i->def ? i->def : "");
        cr_assert(strstr(text, line), "conf/kumo.conf lacks '%s'", line + 1);
    }
    kumo__buf_release(&b);
}

/* The typed getters take no default: a name neither built-in nor set is an error. */
Test(settings, unknown_name_aborts, .signal = SIGABRT)
{
    kumo__settings_int(s, "NO_SUCH_SETTING");
}

Test(settings, set_own_name_reads)
{
    cr_assert_eq(kumo__settings_set(s, "MY_OWN", "7", KUMO_PRIO_SPIDER, err, sizeof(err)),
                 KUMO_OK);
    cr_assert_eq(kumo__settings_int(s, "MY_OWN"), 7);
    cr_assert_null(kumo__settings_get(s, "NOT_SET"), "get stays a plain lookup");
    cr_assert_eq(kumo__settings_int(s, "LOG_FILE"), 0, "a built-in without a default: 0");
}
