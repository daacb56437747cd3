/* main.c - kumo's entry point: global setup and the command table. */
#include "cli/cli.h"
#include "pipeline/feed.h"
#include <signal.h>

static const kumo_command commands[] = {
    {"bench", kumo_cmd_bench, "crawl a built-in local site for a while and print pages/min",
     kumo_bench_usage},
    {"check", kumo_cmd_check, "run spider contracts (.contracts) and report",
     kumo_check_usage},
    {"crawl", kumo_cmd_crawl, "run a spider", kumo_crawl_usage},
    {"fetch", kumo_cmd_fetch, "download a page and print its body (or --headers)",
     kumo_fetch_usage},
    {"genspider", kumo_cmd_genspider, "write spiders/NAME.c from a template",
     kumo_genspider_usage},
    {"help", kumo_cmd_help, "print a page of kumo's documentation, or a command's usage",
     kumo_help_usage},
    {"job", kumo_cmd_job, "print a persistent job's state (--jobdir) without running it",
     kumo_job_usage},
    {"list", kumo_cmd_list, "list the spiders kumo can find", kumo_list_usage},
    {"parse", kumo_cmd_parse, "parse a URL with a spider's callback and print its output",
     kumo_parse_usage},
    {"report", kumo_cmd_report, "draw a crawl's charts from LeakWatch's samples (HTML, SVG)",
     kumo_report_usage},
    {"runspider", kumo_cmd_runspider, "compile a spider .c file (cached) and run it",
     kumo_runspider_usage},
    {"settings", kumo_cmd_settings, "print a setting's effective value",
     kumo_settings_usage},
    {"shell", kumo_cmd_shell, "fetch a page (or read a file) and try selectors on it",
     kumo_shell_usage},
    {"version", kumo_cmd_version, "print kumo's and its libraries' versions",
     kumo_version_usage},
    {"view", kumo_cmd_view, "open a page as kumo downloads it in a browser (or print a path)",
     kumo_view_usage},
};

const kumo_command *kumo_cli_commands(size_t *n)
{
    *n = KUMO_ARRAY_LEN(commands);
    return commands;
}

void kumo_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("kumo: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

bool kumo_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    return false;
}

void kumo_cli_put_usage(const char *text, FILE *f)
{
    const char *mark = strstr(text, KUMO_CLI_FEED_EXTS);
    if (!mark) {
        fputs(text, f);
        return;
    }
    char exts[256];
    kumo__feed_format_choices(exts, sizeof(exts), true);
    fprintf(f, "%.*s%s", (int)(mark - text), text, exts);
    kumo_cli_put_usage(mark + strlen(KUMO_CLI_FEED_EXTS), f);
}

static void usage(FILE *f)
{
    fprintf(f, "kumo %s - a web crawler with Scrapy's architecture, in C\n\n"
               "usage: kumo COMMAND [ARGS]\n\ncommands:\n", KUMO_VERSION);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'kumo COMMAND -h' tells more; 'kumo help' lists the documentation's topics;\n"
               "'man kumo' tells all (in the source tree: 'man ./doc/kumo.1').\n"
               "Exit codes: 0 success, 1 failure, 2 bad command line.\n");
}

int main(int argc, char **argv)
{
    /* A peer that goes away (a console client, a server) is an error value, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? KUMO_EXIT_USAGE : KUMO_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0)
        return kumo_cmd_version(argc - 1, argv + 1);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(commands); i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        if (kumo_cli_wants_help(argc - 1, argv + 1)) {
            kumo_cli_put_usage(commands[i].usage, stdout);
            return KUMO_EXIT_OK;
        }
        if (kumo__global_init() != KUMO_OK) {
            kumo_cli_error("cannot initialise libxml2 and libcurl");
            return KUMO_EXIT_FAIL;
        }
        int rc = commands[i].run(argc - 1, argv + 1);
        kumo__global_cleanup();
        return rc;
    }
    kumo_cli_error("unknown command '%s' (see 'kumo --help')", argv[1]);
    return KUMO_EXIT_USAGE;
}
