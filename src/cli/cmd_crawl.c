/* cmd_crawl.c - `kumo crawl SPIDER`: load the plugin, build the settings, run the crawl. */
#include "cli/cli.h"
#include "core/crawler.h"
#include "core/plugin.h"
#include "core/settings.h"

const char kumo_crawl_usage[] =
    "usage: kumo crawl SPIDER [options]\n"
    "\n"
    "Run SPIDER: a name from 'kumo list' or the path of a spider .so.\n"
    "\n"
    "options:\n"
    KUMO_CLI_CRAWL_OPTIONS
    "  -h, --help            this text\n"
    "\n"
    "Settings file: $KUMO_CONF, else ./conf/kumo.conf, else PREFIX/etc/kumo/kumo.conf.\n"
    "Ctrl-C once stops gracefully (finish_reason 'shutdown'), twice at once.\n"
    "\n"
    "Exit codes: 0 the crawl ran (whatever its finish reason), 1 it could not start or\n"
    "failed (no such spider, a bad settings file, a feed it cannot write...), 2 bad command\n"
    "line.\n";

int kumo_cli_crawl(int argc, char **argv, const char *cmd, const char *missing,
                   int (*resolve)(const char *arg, char *buf, size_t len))
{
    kumo_settings *settings = kumo__settings_new();
    kumo_map args;
    kumo_map_init(&args, KUMO_T_DICT, KUMO_V_DICT);
    kumo_cli_parser p = {
        .cmd = cmd,
        .shared = KUMO_CLI_SET | KUMO_CLI_ARG | KUMO_CLI_LOG | KUMO_CLI_FEED | KUMO_CLI_JOBDIR,
        .settings = settings,
        .args = &args,
        .max_pos = 1,
        .missing = missing,
    };
    int exit_code = KUMO_EXIT_FAIL;
    kumo_plugin *plugin = NULL;
    kumo_crawler *c = NULL;
    char err[1024], spec[PATH_MAX];

    if (kumo_cli_load_conf(settings) != KUMO_OK)
        goto out;
    exit_code = kumo_cli_parse(&p, argc, argv);
    if (exit_code != KUMO_EXIT_OK)
        goto out;
    snprintf(spec, sizeof(spec), "%s", p.pos[0]);
    if (resolve && (exit_code = resolve(p.pos[0], spec, sizeof(spec))) != KUMO_EXIT_OK)
        goto out;
    exit_code = KUMO_EXIT_FAIL;
    /* a resolved spec (runspider's object) is reported as the file the user named */
    if (kumo__plugin_open_as(spec, resolve ? p.pos[0] : NULL, &plugin, err, sizeof(err)) !=
        KUMO_OK) {
        kumo_cli_error("%s", err);
        goto out;
    }
    c = kumo__crawler_new(kumo__plugin_def(plugin), settings, &args, err, sizeof(err));
    settings = NULL;        /* the crawler owns them now, even on failure */
    if (!c) {
        kumo_cli_error("%s", err);
        goto out;
    }
    int rc = kumo__crawler_run(c);
    const char *reason = kumo__crawler_finish_reason(c);
    if (rc == KUMO_OK)
        exit_code = KUMO_EXIT_OK;
    else if (reason)        /* closed, but its .open or .start_requests failed */
        kumo_cli_error("spider '%s' could not start (%s): %s", kumo__plugin_def(plugin)->name,
                       reason, kumo_strerror(rc));
out:
    kumo__crawler_free(c);
    kumo__plugin_close(plugin);
    kumo__settings_free(settings);
    kumo_map_release(&args);
    kumo__log_set_file(NULL);
    return exit_code;
}

int kumo_cmd_crawl(int argc, char **argv)
{
    return kumo_cli_crawl(argc, argv, "crawl", "crawl needs a spider name (see 'kumo list')",
                          NULL);
}
