/* args.c - the command-line parser every command shares: a table of the common options
 * (-s, -a, -L, --nolog, --logfile, -o, -O, --jobdir), the command's own, positionals. */
#include "cli/cli.h"
#include "core/settings.h"
#include "util/buf.h"
#include "util/json.h"

typedef enum shared_kind {
    SH_SET, SH_ARG, SH_LOGLEVEL, SH_NOLOG, SH_LOGFILE, SH_FEED_APPEND, SH_FEED_OVERWRITE,
    SH_JOBDIR,
} shared_kind;

/* The shared options: which group enables each, its spellings, whether it takes a value. */
static const struct {
    unsigned group;
    const char *name, *alias;
    bool value;
    shared_kind kind;
} shared[] = {
    {KUMO_CLI_SET, "-s", "--set", true, SH_SET},
    {KUMO_CLI_ARG, "-a", NULL, true, SH_ARG},
    {KUMO_CLI_LOG, "-L", "--loglevel", true, SH_LOGLEVEL},
    {KUMO_CLI_LOG, "--nolog", NULL, false, SH_NOLOG},
    {KUMO_CLI_LOG, "--logfile", NULL, true, SH_LOGFILE},
    {KUMO_CLI_FEED, "-o", "--output", true, SH_FEED_APPEND},
    {KUMO_CLI_FEED, "-O", "--overwrite-output", true, SH_FEED_OVERWRITE},
    {KUMO_CLI_JOBDIR, "--jobdir", NULL, true, SH_JOBDIR},
};

/* The parse in progress. */
typedef struct parse_state {
    kumo_cli_parser *p;
    kumo_buf feeds;         /* the FEEDS JSON object built from -o / -O */
} parse_state;

static bool same(const char *arg, size_t n, const char *name)
{
    return name && strlen(name) == n && strncmp(arg, name, n) == 0;
}

/* Set name at the command line's priority; KUMO_EXIT_USAGE after one line on a bad value. */
static int set(kumo_cli_parser *p, const char *name, const char *value)
{
    char err[512];
    if (kumo__settings_set(p->settings, name, value, KUMO_PRIO_CMDLINE, err, sizeof(err))) {
        kumo_cli_error("%s", err);
        return KUMO_EXIT_USAGE;
    }
    return KUMO_EXIT_OK;
}

/* "NAME=VALUE" into name (a buffer of n) and *value; KUMO_EXIT_USAGE when malformed. */
static int split_kv(const char *opt, const char *arg, char *name, size_t n, const char **value)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || (size_t)(eq - arg) >= n) {
        kumo_cli_error("%s expects NAME=VALUE, got '%s'", opt, arg);
        return KUMO_EXIT_USAGE;
    }
    memcpy(name, arg, (size_t)(eq - arg));
    name[eq - arg] = '\0';
    *value = eq + 1;
    return KUMO_EXIT_OK;
}

static int apply_shared(parse_state *st, shared_kind kind, const char *opt, const char *v)
{
    kumo_cli_parser *p = st->p;
    char name[256];
    const char *value;
    kumo_loglevel level;
    switch (kind) {
    case SH_SET:
        if (split_kv(opt, v, name, sizeof(name), &value))
            return KUMO_EXIT_USAGE;
        return set(p, name, value);
    case SH_ARG:
        if (split_kv(opt, v, name, sizeof(name), &value))
            return KUMO_EXIT_USAGE;
        kumo_map_set(p->args, name, kumo_val_str(value));
        return KUMO_EXIT_OK;
    case SH_LOGLEVEL:
        if (kumo__log_level_parse(v, &level) != KUMO_OK) {
            kumo_cli_error("invalid log level '%s': expected DEBUG, INFO, WARNING, ERROR or "
                           "CRITICAL", v);
            return KUMO_EXIT_USAGE;
        }
        return set(p, "LOG_LEVEL", v);
    case SH_NOLOG:
        return set(p, "LOG_ENABLED", "0");
    case SH_LOGFILE:
        return set(p, "LOG_FILE", v);
    case SH_FEED_APPEND:
    case SH_FEED_OVERWRITE:
        kumo__buf_adds(&st->feeds, st->feeds.len ? ", " : "{");
        kumo__json_str(&st->feeds, v, strlen(v));
        kumo__buf_printf(&st->feeds, ": {\"overwrite\": %s}",
                        kind == SH_FEED_OVERWRITE ? "true" : "false");
        return KUMO_EXIT_OK;
    case SH_JOBDIR:
        return set(p, "JOBDIR", v);
    }
    return KUMO_EXIT_USAGE;
}

static int positional(kumo_cli_parser *p, const char *a)
{
    if (p->npos < p->max_pos && p->npos < KUMO_ARRAY_LEN(p->pos)) {
        p->pos[p->npos++] = a;
        return KUMO_EXIT_OK;
    }
    if (p->too_many)
        kumo_cli_error("%s (see 'kumo %s -h')", p->too_many, p->cmd);
    else
        kumo_cli_error("unexpected argument '%s' (see 'kumo %s -h')", a, p->cmd);
    return KUMO_EXIT_USAGE;
}

/*
 * One option argument at argv[*i]: find it among the shared ones the command takes and
 * its own ("--name=value" also works for a long option that takes a value), take its value
 * from the next argument, and apply it.  *i is left on the last argument used.
 */
static int option(parse_state *st, int argc, char **argv, int *i)
{
    kumo_cli_parser *p = st->p;
    const char *a = argv[*i];
    const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    int found = -1, own = -1;
    bool takes = false;
    for (size_t k = 0; k < KUMO_ARRAY_LEN(shared) && found < 0; k++)
        if ((p->shared & shared[k].group) &&
            (same(a, n, shared[k].name) || same(a, n, shared[k].alias))) {
            found = (int)k;
            takes = shared[k].value;
        }
    for (size_t k = 0; found < 0 && own < 0 && p->opts && p->opts[k].name; k++)
        if (same(a, n, p->opts[k].name) || same(a, n, p->opts[k].alias)) {
            own = (int)k;
            takes = p->opts[k].value;
        }
    if (found < 0 && own < 0) {
        kumo_cli_error("unknown option '%.*s' (see 'kumo %s -h')", (int)n, a, p->cmd);
        return KUMO_EXIT_USAGE;
    }
    char opt[64];
    snprintf(opt, sizeof(opt), "%.*s", (int)n, a);
    const char *value = NULL;
    if (eq && !takes) {
        kumo_cli_error("option %s takes no value (see 'kumo %s -h')", opt, p->cmd);
        return KUMO_EXIT_USAGE;
    } else if (eq) {
        value = eq + 1;
    } else if (takes) {
        if (*i + 1 >= argc) {
            kumo_cli_error("option %s needs a value", opt);
            return KUMO_EXIT_USAGE;
        }
        value = argv[++*i];
    }
    if (found >= 0)
        return apply_shared(st, shared[found].kind, opt, value);
    return p->on_opt ? p->on_opt(p->ctx, p->opts[own].id, value) : KUMO_EXIT_OK;
}

int kumo_cli_parse(kumo_cli_parser *p, int argc, char **argv)
{
    parse_state st = {.p = p};
    kumo__buf_init(&st.feeds, 0, KUMO_T_STR, KUMO_V_NONE);
    p->npos = 0;
    int rc = KUMO_EXIT_OK;
    bool options = true;
    for (int i = 1; i < argc && rc == KUMO_EXIT_OK; i++) {
        const char *a = argv[i];
        if (options && strcmp(a, "--") == 0)
            options = false;
        else if (options && a[0] == '-' && a[1])
            rc = option(&st, argc, argv, &i);
        else
            rc = positional(p, a);
    }
    if (rc == KUMO_EXIT_OK && st.feeds.len) {
        kumo__buf_addc(&st.feeds, '}');
        rc = set(p, "FEEDS", kumo__buf_str(&st.feeds));
    }
    kumo__buf_release(&st.feeds);
    if (rc == KUMO_EXIT_OK && p->npos == 0 && p->missing) {
        kumo_cli_error("%s", p->missing);
        rc = KUMO_EXIT_USAGE;
    }
    return rc;
}
