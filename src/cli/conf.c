/* conf.c - the settings file every command reads: $KUMO_CONF, ./conf/kumo.conf, or the
 * installed PREFIX/etc/kumo/kumo.conf beside the binary's PREFIX/bin. */
#include "cli/cli.h"
#include "core/settings.h"
#include <unistd.h>

#ifndef KUMO_CONF_PATH
#define KUMO_CONF_PATH "/usr/local/etc/kumo/kumo.conf"
#endif

/* The installed kumo.conf: PREFIX/etc/kumo/kumo.conf from the binary's PREFIX/bin. */
static const char *installed_conf(char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0)
        return KUMO_CONF_PATH;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (!slash || (size_t)(slash - buf) + sizeof("/../etc/kumo/kumo.conf") > len)
        return KUMO_CONF_PATH;
    strcpy(slash, "/../etc/kumo/kumo.conf");
    return access(buf, R_OK) == 0 ? buf : KUMO_CONF_PATH;
}

int kumo_cli_load_conf(kumo_settings *s)
{
    char err[512], installed[PATH_MAX];
    const char *env = getenv("KUMO_CONF");
    const char *path = env && *env ? env : access("conf/kumo.conf", R_OK) == 0
                                               ? "conf/kumo.conf"
                                               : installed_conf(installed, sizeof(installed));
    int rc = kumo__settings_load_file(s, path, err, sizeof(err));
    if (rc == KUMO_OK || (rc == KUMO_ENOENT && !(env && *env)))
        return KUMO_OK;
    kumo_cli_error("%s", err);
    return rc;
}
