/* test_cmd_help.c - `kumo help`: the topics, a page exactly as doc/ holds it, a command's
 * usage, and one line for what is neither. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/leakcheck.h"

TestSuite(cmd_help, KUMO_LEAKCHECK, .timeout = 60);

static kumo_clirun r;

Test(cmd_help, lists_every_page_of_doc)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "help"), 0, "%s", r.err);
    static const char *const topics[] = {"command-line", "feeds", "jobs", "leaks", "plugins",
                                         "real-sites", "settings", "spiders"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(topics); i++) {
        char want[64];
        snprintf(want, sizeof(want), "\n  %s ", topics[i]);
        cr_assert(strstr(r.out, want), "%s missing from:\n%s", topics[i], r.out);
    }
    cr_assert(strstr(r.out, "  feeds          Feed exports\n"), "%s", r.out);
}

Test(cmd_help, a_topic_prints_its_page_exactly)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "help feeds"), 0, "%s", r.err);
    FILE *f = fopen("doc/feeds.md", "r");
    cr_assert(f, "run from the source tree");
    static char page[sizeof(r.out)];
    page[fread(page, 1, sizeof(page) - 1, f)] = '\0';
    fclose(f);
    cr_assert_str_eq(r.out, page);
}

Test(cmd_help, a_command_prints_its_usage)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "help crawl"), 0, "%s", r.err);
    cr_assert_eq(strncmp(r.out, "usage: kumo crawl SPIDER", 24), 0, "%s", r.out);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "help help"), 0, "%s", r.err);
    cr_assert_eq(strncmp(r.out, "usage: kumo help", 16), 0, "%s", r.out);
}

Test(cmd_help, unknown_topics_and_extra_arguments_are_refused)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "help nope"), 2);
    cr_assert_eq(strncmp(r.err, "kumo: no help topic or command 'nope'\n", 38), 0, "%s", r.err);
    cr_assert_str_eq(r.out, "");
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "help feeds jobs"), 2);
    cr_assert(strstr(r.err, "help takes one topic"), "%s", r.err);
}
