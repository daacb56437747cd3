/* cmd_list.c - `kumo list`: every spider kumo can find, one per line. */
#include "cli/cli.h"
#include "core/plugin.h"

const char kumo_list_usage[] =
    "usage: kumo list\n"
    "\n"
    "Print every spider kumo can find, one 'NAME PATH' a line: the .so files in\n"
    "$KUMO_SPIDER_DIR (a ':'-separated list), ./spiders, spiders/ beside the kumo binary and\n"
    "the installed PREFIX/lib/kumo/spiders, in that order.  A .so that does not load is\n"
    "reported on stderr, one line each.\n"
    "\n"
    "options:\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit codes: 0 listed (even none), 2 bad command line.\n";

static void print_one(void *ctx, const kumo_spider_def *def, const char *path)
{
    printf("%-20s %s\n", def->name, path);
}

static void print_err(void *ctx, const char *msg)
{
    kumo_cli_error("%s", msg);
}

int kumo_cmd_list(int argc, char **argv)
{
    kumo_cli_parser p = {.cmd = "list"};
    int rc = kumo_cli_parse(&p, argc, argv);
    if (rc != KUMO_EXIT_OK)
        return rc;
    kumo__plugin_list(print_one, print_err, NULL);
    return KUMO_EXIT_OK;
}
