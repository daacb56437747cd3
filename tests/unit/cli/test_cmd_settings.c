/* test_cmd_settings.c - `kumo settings`: a setting's effective value, typed getters. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/leakcheck.h"
#include <unistd.h>

TestSuite(cmd_settings, KUMO_LEAKCHECK, .timeout = 60);

static kumo_clirun r;

Test(cmd_settings, get_shows_the_default_or_the_override)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "settings --get RETRY_TIMES"), 0, "%s", r.err);
    cr_assert_str_eq(r.out, "2\n");
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "settings --get RETRY_TIMES -s RETRY_TIMES=5"), 0,
                 "%s", r.err);
    cr_assert_str_eq(r.out, "5\n");
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "settings --getint CONCURRENT_REQUESTS"), 0,
                 "%s", r.err);
    cr_assert_str_eq(r.out, "16\n");
}

Test(cmd_settings, the_settings_file_is_read)
{
    char path[] = "/tmp/kumo-settings-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "RETRY_TIMES = 8\n", 16), 16);
    close(fd);
    char env[64];
    snprintf(env, sizeof(env), "KUMO_CONF=%s", path);
    cr_assert_eq(kumo_clirun_run(&r, NULL, env, "settings --get RETRY_TIMES"), 0, "%s", r.err);
    unlink(path);
    cr_assert_str_eq(r.out, "8\n");
}
