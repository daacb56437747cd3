/* test_exports.c - what plugins can link: the kumo binary's dynamic symbol table holds
 * exactly the functions and objects that include/kumo/ declares, no more, no fewer. */
#include <criterion/criterion.h>
#include "kumo-int.h"

#define MAXSYMS 1024

/* Read one name a line from the output of cmd into names (sorted); returns how many. */
static size_t read_names(const char *cmd, char names[][96], size_t max)
{
    FILE *p = popen(cmd, "r");
    cr_assert(p, "cannot run '%s'", cmd);
    size_t n = 0;
    char line[512];
    while (fgets(line, sizeof(line), p)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line)
            continue;
        cr_assert_lt(n, max, "more than %zu names from '%s'", max, cmd);
        cr_assert_lt(strlen(line), 96, "name too long: %s", line);
        strcpy(names[n++], line);
    }
    cr_assert_eq(pclose(p), 0, "'%s' failed", cmd);
    qsort(names, n, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
    return n;
}

Test(exports, binary_exports_exactly_the_public_headers)
{
    static char declared[MAXSYMS][96], exported[MAXSYMS][96];
    const char *bin = getenv("KUMO_BIN");
    cr_assert(bin, "make test sets KUMO_BIN");
    char cmd[1024];
    size_t nd = read_names("scripts/gen-exports", declared, MAXSYMS);
    snprintf(cmd, sizeof(cmd), "nm -D --defined-only '%s' | awk '{ print $NF }'", bin);
    size_t ne = read_names(cmd, exported, MAXSYMS);
    cr_assert_gt(nd, 100, "the public headers declare %zu symbols", nd);

    /* Walk both sorted lists: anything on one side only is a mistake. */
    size_t i = 0, j = 0, wrong = 0;
    while (i < nd || j < ne) {
        int c = i == nd ? 1 : j == ne ? -1 : strcmp(declared[i], exported[j]);
        if (c < 0)
            cr_log_error("declared in include/kumo/ but not exported: %s", declared[i++]);
        else if (c > 0)
            cr_log_error("exported but not declared in include/kumo/: %s", exported[j++]);
        else {
            i++, j++;
            continue;
        }
        wrong++;
    }
    cr_expect_eq(wrong, 0, "%zu symbols differ between the headers and %s", wrong, bin);
}
