/* test_args.c - the shared command-line parser: shared options by group, a command's own
 * options, positionals, "--", and the one-line usage errors. */
#include <criterion/criterion.h>
#include "kumo-int.h"
/* The cli objects are not in the test binary: compile the parser here, with its error line
 * going to a buffer the tests read (main.c's kumo_cli_error prints it to stderr). */
#define kumo_cli_error kumo__test_args_error
#include "cli/args.c"
#include "lib/leakcheck.h"

static char errline[512];

void kumo__test_args_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errline, sizeof(errline), fmt, ap);
    va_end(ap);
}

static kumo_settings *s;
static kumo_map args;

static void setup(void)
{
    kumo_leakcheck_start();
    s = kumo__settings_new();
    kumo_map_init(&args, KUMO_T_DICT, KUMO_V_DICT);
    errline[0] = '\0';
}

static void teardown(void)
{
    kumo_map_release(&args);
    kumo__settings_free(s);
    kumo_leakcheck_end();
}

TestSuite(args, .init = setup, .fini = teardown);

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})

static kumo_cli_parser crawl_parser(void)
{
    kumo_cli_parser p = {.cmd = "crawl", .settings = s, .args = &args, .max_pos = 1,
                         .shared = KUMO_CLI_SET | KUMO_CLI_ARG | KUMO_CLI_LOG | KUMO_CLI_FEED |
                                   KUMO_CLI_JOBDIR};
    return p;
}

Test(args, shared_options_land_in_settings_and_args)
{
    kumo_cli_parser p = crawl_parser();
    char **v = ARGV("crawl", "-s", "RETRY_TIMES=7", "quotes", "--set=DOWNLOAD_DELAY=0.5",
                    "-a", "tag=love", "-L", "INFO", "--logfile", "/tmp/x.log", "--jobdir=/tmp/j");
    cr_assert_eq(kumo_cli_parse(&p, 12, v), KUMO_EXIT_OK, "%s", errline);
    cr_assert_eq(p.npos, 1);
    cr_assert_str_eq(p.pos[0], "quotes");
    cr_assert_eq(kumo__settings_int(s, "RETRY_TIMES"), 7);
    cr_assert_float_eq(kumo__settings_float(s, "DOWNLOAD_DELAY"), 0.5, 1e-9);
    cr_assert_str_eq(kumo__settings_get(s, "LOG_LEVEL"), "INFO");
    cr_assert_str_eq(kumo__settings_get(s, "LOG_FILE"), "/tmp/x.log");
    cr_assert_str_eq(kumo__settings_get(s, "JOBDIR"), "/tmp/j");
    cr_assert_str_eq(kumo_map_get_str(&args, "tag", ""), "love");
}

Test(args, outputs_build_the_feeds_setting)
{
    kumo_cli_parser p = crawl_parser();
    char **v = ARGV("crawl", "-o", "a.jsonl", "--overwrite-output", "b.csv", "--nolog");
    cr_assert_eq(kumo_cli_parse(&p, 6, v), KUMO_EXIT_OK, "%s", errline);
    cr_assert_eq(p.npos, 0, "missing positionals are the command's to report");
    cr_assert_not(kumo__settings_bool(s, "LOG_ENABLED"));
    const char *feeds = kumo__settings_get(s, "FEEDS");
    cr_assert_not_null(strstr(feeds, "\"a.jsonl\""), "%s", feeds);
    cr_assert_not_null(strstr(feeds, "\"b.csv\""), "%s", feeds);
    cr_assert_not_null(strstr(feeds, "\"overwrite\":"), "%s", feeds);
}

Test(args, double_dash_ends_options_and_dash_is_positional)
{
    kumo_cli_parser p = crawl_parser();
    p.max_pos = 3;
    char **v = ARGV("crawl", "-", "--", "-s");
    cr_assert_eq(kumo_cli_parse(&p, 4, v), KUMO_EXIT_OK, "%s", errline);
    cr_assert_eq(p.npos, 2);
    cr_assert_str_eq(p.pos[0], "-");
    cr_assert_str_eq(p.pos[1], "-s");
}

typedef struct own_seen {
    int ids[4];
    const char *values[4];
    int n;
} own_seen;

static int on_opt(void *ctx, int id, const char *value)
{
    own_seen *o = ctx;
    if (id == 3) {
        kumo__test_args_error("refused by the command");
        return KUMO_EXIT_FAIL;
    }
    o->ids[o->n] = id;
    o->values[o->n++] = value;
    return KUMO_EXIT_OK;
}

Test(args, own_options_reach_the_command)
{
    static const kumo_cli_opt opts[] = {
        {"--headers", NULL, false, 1}, {"-c", "--callback", true, 2}, {"--no", NULL, false, 3},
        {NULL, NULL, false, 0}};
    own_seen o = {0};
    kumo_cli_parser p = {.cmd = "fetch", .opts = opts, .on_opt = on_opt, .ctx = &o,
                         .settings = s, .max_pos = 1};
    char **v = ARGV("fetch", "--headers", "http://x/", "--callback=parse_item");
    cr_assert_eq(kumo_cli_parse(&p, 4, v), KUMO_EXIT_OK, "%s", errline);
    cr_assert_eq(o.n, 2);
    cr_assert_eq(o.ids[0], 1);
    cr_assert_null(o.values[0]);
    cr_assert_eq(o.ids[1], 2);
    cr_assert_str_eq(o.values[1], "parse_item");
    cr_assert_str_eq(p.pos[0], "http://x/");

    /* the command's own exit code stops the parse */
    char **w = ARGV("fetch", "--no", "http://x/");
    cr_assert_eq(kumo_cli_parse(&p, 3, w), KUMO_EXIT_FAIL);
    cr_assert_str_eq(errline, "refused by the command");
    /* -s is not taken by this command */
    char **x = ARGV("fetch", "-s", "A=1");
    cr_assert_eq(kumo_cli_parse(&p, 3, x), KUMO_EXIT_USAGE);
    cr_assert_str_eq(errline, "unknown option '-s' (see 'kumo fetch -h')");
}

Test(args, usage_errors_are_one_line)
{
    static const struct {
        char *argv[4];
        const char *msg;
    } bad[] = {
        {{"crawl", "--frob"}, "unknown option '--frob' (see 'kumo crawl -h')"},
        {{"crawl", "--frob=1"}, "unknown option '--frob' (see 'kumo crawl -h')"},
        {{"crawl", "-a"}, "option -a needs a value"},
        {{"crawl", "-s", "NOEQUALS"}, "-s expects NAME=VALUE, got 'NOEQUALS'"},
        {{"crawl", "--nolog=1"}, "option --nolog takes no value (see 'kumo crawl -h')"},
        {{"crawl", "-L", "LOUD"}, "invalid log level 'LOUD': expected DEBUG, INFO, WARNING, "
                                  "ERROR or CRITICAL"},
        {{"crawl", "-s", "RETRY_TIMES=x"}, "invalid value 'x' for RETRY_TIMES: expected an "
                                           "integer"},
        {{"crawl", "a", "b"}, "unexpected argument 'b' (see 'kumo crawl -h')"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad); i++) {
        kumo_cli_parser p = crawl_parser();
        int argc = 0;
        while (argc < 4 && bad[i].argv[argc])
            argc++;
        errline[0] = '\0';
        cr_assert_eq(kumo_cli_parse(&p, argc, (char **)bad[i].argv), KUMO_EXIT_USAGE, "%s",
                     bad[i].msg);
        cr_assert_str_eq(errline, bad[i].msg);
    }
    kumo_cli_parser p = crawl_parser();
    p.too_many = "crawl takes one spider";
    char **v = ARGV("crawl", "a", "b");
    cr_assert_eq(kumo_cli_parse(&p, 3, v), KUMO_EXIT_USAGE);
    cr_assert_str_eq(errline, "crawl takes one spider (see 'kumo crawl -h')");
}

/* A command that needs a positional names it in its own words; without one set, none is
 * needed. */
Test(args, a_missing_positional_is_reported_when_the_command_needs_one)
{
    kumo_cli_parser p = crawl_parser();
    p.missing = "crawl needs a spider name";
    char **v = ARGV("crawl", "-s", "X=1");
    errline[0] = '\0';
    cr_assert_eq(kumo_cli_parse(&p, 3, v), KUMO_EXIT_USAGE);
    cr_assert_str_eq(errline, "crawl needs a spider name");
    kumo_cli_parser q = crawl_parser();
    errline[0] = '\0';
    cr_assert_eq(kumo_cli_parse(&q, 3, v), KUMO_EXIT_OK);
    cr_assert_eq(q.npos, 0);
    cr_assert_str_eq(errline, "");
}
