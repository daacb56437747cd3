/* cmd_help.c - `kumo help [TOPIC|COMMAND]`: the documentation pages built into the binary,
 * and the commands' usage texts. */
#include "cli/cli.h"
#include "cli/docs.h"

const char kumo_help_usage[] =
    "usage: kumo help [TOPIC|COMMAND]\n"
    "\n"
    "Without an argument, list the topics of kumo's documentation (the pages of doc/ in\n"
    "the source tree, built into the binary).  With a TOPIC, print its page (Markdown);\n"
    "with a COMMAND, print its usage, as 'kumo COMMAND -h' does.\n"
    "\n"
    "options:\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit codes: 0 printed, 2 unknown topic or bad command line.\n";

static void list_topics(FILE *f)
{
    fprintf(f, "kumo's documentation: 'kumo help TOPIC' prints a page.\n\n");
    for (size_t i = 0; i < kumo_ndocs; i++)
        fprintf(f, "  %-14s %s\n", kumo_docs[i].topic, kumo_docs[i].title);
    fprintf(f, "\nThe commands: 'kumo -h'; one of them: 'kumo help COMMAND'.\n");
}

int kumo_cmd_help(int argc, char **argv)
{
    if (kumo_cli_wants_help(argc, argv)) {
        kumo_cli_put_usage(kumo_help_usage, stdout);
        return KUMO_EXIT_OK;
    }
    if (argc > 2) {
        kumo_cli_error("help takes one topic or command (see 'kumo help -h')");
        return KUMO_EXIT_USAGE;
    }
    if (argc < 2) {
        list_topics(stdout);
        return KUMO_EXIT_OK;
    }
    for (size_t i = 0; i < kumo_ndocs; i++)
        if (strcmp(argv[1], kumo_docs[i].topic) == 0) {
            fputs(kumo_docs[i].text, stdout);
            return KUMO_EXIT_OK;
        }
    size_t n;
    const kumo_command *cmds = kumo_cli_commands(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(argv[1], cmds[i].name) == 0) {
            kumo_cli_put_usage(cmds[i].usage, stdout);
            return KUMO_EXIT_OK;
        }
    kumo_cli_error("no help topic or command '%s'", argv[1]);
    list_topics(stderr);
    return KUMO_EXIT_USAGE;
}
