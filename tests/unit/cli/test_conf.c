/* test_conf.c - the settings file every command reads: $KUMO_CONF first (it must exist),
 * else ./conf/kumo.conf. */
#include <criterion/criterion.h>
#include "kumo-int.h"
/* The cli objects are not in the test binary: compile conf.c here, its error line going to
 * a buffer the tests read. */
#define kumo_cli_error kumo__test_conf_error
#include "cli/conf.c"
#include "lib/leakcheck.h"

static char errline[512];

void kumo__test_conf_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errline, sizeof(errline), fmt, ap);
    va_end(ap);
}

static char path[] = "/tmp/kumo-conf-XXXXXX";
static kumo_settings *s;

static void setup(void)
{
    kumo_leakcheck_start();
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    s = kumo__settings_new();
    errline[0] = '\0';
}

static void teardown(void)
{
    unsetenv("KUMO_CONF");
    unlink(path);
    kumo__settings_free(s);
    kumo_leakcheck_end();
}

TestSuite(conf, .init = setup, .fini = teardown);

static void write_conf(const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

Test(conf, kumo_conf_names_the_file)
{
    write_conf("# test\nRETRY_TIMES = 9\n\nUSER_AGENT = conf-agent\n");
    setenv("KUMO_CONF", path, 1);
    cr_assert_eq(kumo_cli_load_conf(s), KUMO_OK, "%s", errline);
    cr_assert_eq(kumo__settings_int(s, "RETRY_TIMES"), 9);
    cr_assert_str_eq(kumo__settings_get(s, "USER_AGENT"), "conf-agent");
}

Test(conf, a_missing_kumo_conf_is_an_error)
{
    setenv("KUMO_CONF", "/nonexistent/kumo.conf", 1);
    cr_assert_eq(kumo_cli_load_conf(s), KUMO_ENOENT);
    cr_assert_not_null(strstr(errline, "/nonexistent/kumo.conf"), "%s", errline);
}

Test(conf, a_bad_line_names_file_and_line)
{
    write_conf("RETRY_TIMES = 1\nRETRY_TIMES = many\n");
    setenv("KUMO_CONF", path, 1);
    cr_assert_eq(kumo_cli_load_conf(s), KUMO_EINVAL);
    char want[128];
    snprintf(want, sizeof(want), "%s:2: ", path);
    cr_assert_eq(strncmp(errline, want, strlen(want)), 0, "%s", errline);
}

Test(conf, without_kumo_conf_the_repository_conf_is_read)
{
    /* the tests run from the repository root: conf/kumo.conf holds the defaults */
    unsetenv("KUMO_CONF");
    cr_assert_eq(access("conf/kumo.conf", R_OK), 0);
    cr_assert_eq(kumo_cli_load_conf(s), KUMO_OK, "%s", errline);
    cr_assert_eq(kumo__settings_int(s, "RETRY_TIMES"), 2);
    cr_assert_str_eq(errline, "");
}
