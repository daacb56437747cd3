/* cmd_list.c - `kumo list`: every spider kumo can find, one per line. */
#include "cli/cli.h"
#include "core/plugin.h"

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
    kumo_plugin_list(print_one, print_err, NULL);
    return KUMO_EXIT_OK;
}
