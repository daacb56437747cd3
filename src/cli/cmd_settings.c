/* cmd_settings.c - `kumo settings --get NAME`: the effective value of a setting after
 * conf/kumo.conf and -s, as `scrapy settings --get` prints it; --list prints them all. */
#include "cli/cli.h"
#include "core/settings.h"

const char kumo_settings_usage[] =
    "usage: kumo settings (--get NAME | --getbool NAME | --getint NAME | --list | --conf)\n"
    "                     [options]\n"
    "\n"
    "Print the effective value of a setting: the default, over it the settings file\n"
    "($KUMO_CONF, ./conf/kumo.conf or the installed one), over it -s.  An unset setting\n"
    "prints None.\n"
    "\n"
    "options:\n"
    "  --get NAME         the value as text\n"
    "  --getbool NAME     True or False\n"
    "  --getint NAME      the value as an integer (0 when unset)\n"
    "  --list             every setting with a value, one 'NAME = value' a line\n"
    "  --conf             the documented settings file of the built-in defaults\n"
    "                     (conf/kumo.conf is this output: make conf)\n"
    "  -s NAME=VALUE      setting, over the settings file (repeatable)\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit codes: 0 printed, 1 the settings file is bad, 2 bad command line.\n";

typedef enum { SHOW_NONE, SHOW_GET, SHOW_BOOL, SHOW_INT, SHOW_LIST, SHOW_CONF } show_mode;

/* Apply "-s NAME=VALUE" at the command line's priority; KUMO_EXIT_* code. */
static int set_opt(kumo_settings *s, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        kumo_cli_error("-s expects NAME=VALUE, got '%s'", arg);
        return KUMO_EXIT_USAGE;
    }
    char name[256], err[512];
    size_t n = (size_t)(eq - arg);
    if (n >= sizeof(name)) {
        kumo_cli_error("setting name too long in '%s'", arg);
        return KUMO_EXIT_USAGE;
    }
    memcpy(name, arg, n);
    name[n] = '\0';
    if (kumo__settings_set(s, name, eq + 1, KUMO_PRIO_CMDLINE, err, sizeof(err)) != KUMO_OK) {
        kumo_cli_error("%s", err);
        return KUMO_EXIT_USAGE;
    }
    return KUMO_EXIT_OK;
}

static void show(const kumo_settings *s, show_mode mode, const char *name)
{
    if (mode == SHOW_CONF) {
        kumo_buf b;
        kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
        kumo__settings_conf(&b);
        fwrite(b.s, 1, b.len, stdout);
        kumo__buf_release(&b);
        return;
    }
    if (mode == SHOW_LIST) {
        const char *k, *v;
        for (size_t i = 0; kumo__settings_at(s, i, &k, &v); i++)
            printf("%s = %s\n", k, v);
        return;
    }
    const char *v = kumo__settings_get(s, name);
    if (mode == SHOW_BOOL)
        puts(v && kumo__settings_bool(s, name) ? "True" : "False");
    else if (mode == SHOW_INT)
        printf("%lld\n", (long long)(v ? kumo__settings_int(s, name) : 0));
    else
        puts(v ? v : "None");
}

int kumo_cmd_settings(int argc, char **argv)
{
    kumo_settings *s = kumo__settings_new();
    if (!s) {
        kumo_cli_error("out of memory");
        return KUMO_EXIT_FAIL;
    }
    show_mode mode = SHOW_NONE;
    const char *name = NULL;
    int rc = KUMO_EXIT_OK;
    /* -s values wait until the file is read: the file must not hide them. */
    const char *sets[256];
    size_t nsets = 0;
    for (int i = 1; i < argc && rc == KUMO_EXIT_OK; i++) {
        const char *a = argv[i];
        bool get = !strcmp(a, "--get"), gb = !strcmp(a, "--getbool"),
             gi = !strcmp(a, "--getint");
        if (get || gb || gi || !strcmp(a, "-s")) {
            if (i + 1 >= argc) {
                kumo_cli_error("option %s needs a value", a);
                rc = KUMO_EXIT_USAGE;
            } else if (!strcmp(a, "-s")) {
                if (nsets == KUMO_ARRAY_LEN(sets)) {
                    kumo_cli_error("too many -s options");
                    rc = KUMO_EXIT_USAGE;
                } else {
                    sets[nsets++] = argv[++i];
                }
            } else if (mode != SHOW_NONE) {
                kumo_cli_error("give one of --get, --getbool, --getint, --list, --conf");
                rc = KUMO_EXIT_USAGE;
            } else {
                mode = get ? SHOW_GET : gb ? SHOW_BOOL : SHOW_INT;
                name = argv[++i];
            }
        } else if (!strcmp(a, "--list") || !strcmp(a, "--conf")) {
            if (mode != SHOW_NONE) {
                kumo_cli_error("give one of --get, --getbool, --getint, --list, --conf");
                rc = KUMO_EXIT_USAGE;
            }
            mode = !strcmp(a, "--list") ? SHOW_LIST : SHOW_CONF;
        } else {
            kumo_cli_error("unknown option '%s' (see 'kumo settings -h')", a);
            rc = KUMO_EXIT_USAGE;
        }
    }
    if (rc == KUMO_EXIT_OK && mode == SHOW_NONE) {
        kumo_cli_error("settings needs --get NAME or --list (see 'kumo settings -h')");
        rc = KUMO_EXIT_USAGE;
    }
    if (rc == KUMO_EXIT_OK && kumo_cli_load_conf(s) != KUMO_OK)
        rc = KUMO_EXIT_FAIL;
    for (size_t i = 0; i < nsets && rc == KUMO_EXIT_OK; i++)
        rc = set_opt(s, sets[i]);
    if (rc == KUMO_EXIT_OK)
        show(s, mode, name);
    kumo__settings_free(s);
    return rc;
}
