/* cmd_crawl.c - `kumo crawl SPIDER`: load the plugin, build the settings, run the crawl. */
#include "cli/cli.h"
#include "core/crawler.h"
#include "core/plugin.h"
#include "core/settings.h"
#include "util/buf.h"
#include "util/json.h"
#include <unistd.h>

const char kumo_crawl_usage[] =
    "usage: kumo crawl SPIDER [options]\n"
    "\n"
    "Run SPIDER: a name from 'kumo list' or the path of a spider .so.\n"
    "\n"
    "options:\n"
    "  -a NAME=VALUE      spider argument (repeatable)\n"
    "  -s NAME=VALUE      setting, over conf/kumo.conf and the spider's own (repeatable)\n"
    "  -o FILE            append scraped items to FILE (.jsonl, .jl, .json, .csv)\n"
    "  -O FILE            write scraped items to FILE, overwriting it\n"
    "  --jobdir DIR       JOBDIR: keep the crawl in DIR/kumo.sqlite; run again to resume\n"
    "  -L, --loglevel L   LOG_LEVEL: DEBUG, INFO, WARNING, ERROR, CRITICAL\n"
    "  --logfile FILE     LOG_FILE\n"
    "  --nolog            LOG_ENABLED=0\n"
    "  -h, --help         this text\n"
    "\n"
    "Settings file: $KUMO_CONF, else ./conf/kumo.conf, else PREFIX/etc/kumo/kumo.conf.\n"
    "Ctrl-C once stops gracefully (finish_reason 'shutdown'), twice at once.\n";

typedef struct crawl_opts {
    const char *spider;
    kumo_map args;
    kumo_settings *settings;
    kumo_buf feeds;         /* the FEEDS JSON built from -o / -O */
} crawl_opts;

static int split_kv(const char *opt, const char *arg, char *name, size_t n, const char **value)
{
    const char *eq = arg ? strchr(arg, '=') : NULL;
    if (!eq || eq == arg || (size_t)(eq - arg) >= n) {
        kumo_cli_error("%s expects NAME=VALUE, got '%s'", opt, arg ? arg : "");
        return KUMO_EINVAL;
    }
    memcpy(name, arg, (size_t)(eq - arg));
    name[eq - arg] = '\0';
    *value = eq + 1;
    return KUMO_OK;
}

static void add_feed(crawl_opts *o, const char *path, bool overwrite)
{
    kumo_buf_adds(&o->feeds, o->feeds.len ? ", " : "{");
    kumo_json_str(&o->feeds, path, strlen(path));
    kumo_buf_printf(&o->feeds, ": {\"overwrite\": %s}", overwrite ? "true" : "false");
}

static int parse(crawl_opts *o, int argc, char **argv)
{
    char name[256], err[512];
    const char *value;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = strcmp(a, "-a") == 0 || strcmp(a, "-s") == 0 || strcmp(a, "-o") == 0 ||
                     strcmp(a, "-O") == 0 || strcmp(a, "-L") == 0 ||
                     strcmp(a, "--loglevel") == 0 || strcmp(a, "--logfile") == 0 ||
                     strcmp(a, "--jobdir") == 0;
        if (takes && !next) {
            kumo_cli_error("option %s needs a value", a);
            return KUMO_EINVAL;
        }
        if (strcmp(a, "-a") == 0) {
            if (split_kv(a, next, name, sizeof(name), &value))
                return KUMO_EINVAL;
            kumo_map_set(&o->args, name, kumo_val_str(value));
        } else if (strcmp(a, "-s") == 0) {
            if (split_kv(a, next, name, sizeof(name), &value))
                return KUMO_EINVAL;
            if (kumo_settings_set(o->settings, name, value, KUMO_PRIO_CMDLINE, err,
                                  sizeof(err))) {
                kumo_cli_error("%s", err);
                return KUMO_EINVAL;
            }
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "-O") == 0) {
            add_feed(o, next, a[1] == 'O');
        } else if (strcmp(a, "-L") == 0 || strcmp(a, "--loglevel") == 0) {
            if (kumo_settings_set(o->settings, "LOG_LEVEL", next, KUMO_PRIO_CMDLINE, err,
                                  sizeof(err)))
                return KUMO_EINVAL;
        } else if (strcmp(a, "--logfile") == 0) {
            kumo_settings_set(o->settings, "LOG_FILE", next, KUMO_PRIO_CMDLINE, err, sizeof(err));
        } else if (strcmp(a, "--jobdir") == 0) {
            kumo_settings_set(o->settings, "JOBDIR", next, KUMO_PRIO_CMDLINE, err, sizeof(err));
        } else if (strcmp(a, "--nolog") == 0) {
            kumo_settings_set(o->settings, "LOG_ENABLED", "0", KUMO_PRIO_CMDLINE, err,
                              sizeof(err));
            continue;
        } else if (a[0] == '-' && a[1]) {
            kumo_cli_error("unknown option '%s' (see 'kumo crawl -h')", a);
            return KUMO_EINVAL;
        } else if (!o->spider) {
            o->spider = a;
            continue;
        } else {
            kumo_cli_error("unexpected argument '%s' (see 'kumo crawl -h')", a);
            return KUMO_EINVAL;
        }
        i++;
    }
    if (!o->spider) {
        kumo_cli_error("crawl needs a spider name (see 'kumo list')");
        return KUMO_EINVAL;
    }
    if (o->feeds.len) {
        kumo_buf_addc(&o->feeds, '}');
        if (kumo_settings_set(o->settings, "FEEDS", kumo_buf_str(&o->feeds), KUMO_PRIO_CMDLINE,
                              err, sizeof(err))) {
            kumo_cli_error("%s", err);
            return KUMO_EINVAL;
        }
    }
    return KUMO_OK;
}

int kumo_cmd_crawl(int argc, char **argv)
{
    crawl_opts o = {.settings = kumo_settings_new()};
    kumo_map_init(&o.args, KUMO_T_DICT, KUMO_V_DICT);
    kumo_buf_init(&o.feeds, 0, KUMO_T_STR, KUMO_V_NONE);
    int exit_code = KUMO_EXIT_USAGE;
    kumo_plugin *plugin = NULL;
    kumo_crawler *c = NULL;
    char err[1024];

    if (kumo_cli_load_conf(o.settings) != KUMO_OK) {
        exit_code = KUMO_EXIT_FAIL;
        goto out;
    }
    if (parse(&o, argc, argv) != KUMO_OK)
        goto out;
    exit_code = KUMO_EXIT_FAIL;
    if (kumo_plugin_open(o.spider, &plugin, err, sizeof(err)) != KUMO_OK) {
        kumo_cli_error("%s", err);
        goto out;
    }
    c = kumo_crawler_new(kumo_plugin_def(plugin), o.settings, &o.args, err, sizeof(err));
    o.settings = NULL;      /* the crawler owns them now, even on failure */
    if (!c) {
        kumo_cli_error("%s", err);
        goto out;
    }
    exit_code = kumo_crawler_run(c) == KUMO_OK ? KUMO_EXIT_OK : KUMO_EXIT_FAIL;
out:
    kumo_crawler_free(c);
    kumo_plugin_close(plugin);
    kumo_settings_free(o.settings);
    kumo_map_release(&o.args);
    kumo_buf_release(&o.feeds);
    kumo_log_set_file(NULL);
    return exit_code;
}
