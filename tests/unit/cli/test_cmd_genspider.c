/* test_cmd_genspider.c - `kumo genspider NAME DOMAIN`: spiders/NAME.c written once, names
 * and domains checked. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/leakcheck.h"
#include <unistd.h>

static char dir[] = "/tmp/kumo-genspider-XXXXXX";
static kumo_clirun r;

static void setup(void)
{
    kumo_leakcheck_start();
    memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    kumo_leakcheck_end();
}

TestSuite(cmd_genspider, .init = setup, .fini = teardown, .timeout = 60);

/* spiders/NAME.c of the test directory (static buffer), "" when missing. */
static const char *spider_file(const char *name)
{
    static char buf[16384];
    char path[128];
    snprintf(path, sizeof(path), "%s/spiders/%s.c", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return "";
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

Test(cmd_genspider, writes_the_spider_with_its_domain)
{
    cr_assert_eq(kumo_clirun_run(&r, dir, NULL, "genspider myspider example.com"), 0, "%s",
                 r.err);
    cr_assert_str_eq(r.out, "Created spider 'myspider' using template 'basic' in:\n"
                            "  spiders/myspider.c\n"
                            "Created spiders/Makefile: 'make -C spiders' builds myspider.so "
                            "with pkg-config's kumo\n");
    const char *src = spider_file("myspider");
    cr_assert_not_null(strstr(src, ".name = \"myspider\","), "%s", src);
    cr_assert_not_null(strstr(src, "KUMO_LIST(\"https://example.com/\")"), "%s", src);
    cr_assert_not_null(strstr(src, ".allowed_domains = KUMO_LIST(\"example.com\")"), "%s", src);
}

/* Out of kumo's source tree a Makefile comes beside the spider, and builds it against the
 * installed headers; one already there is the user's and stays as it is. */
Test(cmd_genspider, writes_a_makefile_out_of_the_tree_once)
{
    cr_assert_eq(kumo_clirun_run(&r, dir, NULL, "genspider one example.com"), 0, "%s", r.err);
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/spiders/Makefile", dir);
    FILE *f = fopen(path, "r");
    cr_assert(f, "no %s", path);
    char mk[512];
    mk[fread(mk, 1, sizeof(mk) - 1, f)] = '\0';
    fclose(f);
    cr_assert(strstr(mk, "pkg-config --cflags kumo"), "%s", mk);
    cr_assert(strstr(mk, "-shared -o $@ $<"), "%s", mk);
    cr_assert_eq(kumo_clirun_run(&r, dir, NULL, "genspider two example.com"), 0, "%s", r.err);
    cr_assert_null(strstr(r.out, "Makefile"), "%s", r.out);
    /* in kumo's source tree (here) none is written: make builds spiders/ */
    cr_assert_eq(access("spiders/Makefile", F_OK), -1);
}

Test(cmd_genspider, a_local_address_gets_http_and_drops_the_port_from_the_domain)
{
    cr_assert_eq(kumo_clirun_run(&r, dir, NULL, "genspider local 127.0.0.1:8080"), 0, "%s",
                 r.err);
    const char *src = spider_file("local");
    cr_assert_not_null(strstr(src, "\"http://127.0.0.1:8080/\""), "%s", src);
    cr_assert_not_null(strstr(src, ".allowed_domains = KUMO_LIST(\"127.0.0.1\")"), "%s", src);
}

Test(cmd_genspider, never_overwrites_and_checks_the_name)
{
    cr_assert_eq(kumo_clirun_run(&r, dir, NULL, "genspider twice example.com"), 0, "%s",
                 r.err);
    cr_assert_eq(kumo_clirun_run(&r, dir, NULL, "genspider twice example.org"), 1);
    cr_assert_str_eq(r.err, "kumo: spiders/twice.c already exists: not overwritten\n");
    cr_assert_not_null(strstr(spider_file("twice"), "example.com"));
    cr_assert_eq(kumo_clirun_run(&r, dir, NULL, "genspider 9bad example.com"), 2);
    cr_assert_str_eq(r.err, "kumo: spider name '9bad' is not a C identifier (letters, digits, "
                            "'_')\n");
    cr_assert_str_eq(spider_file("9bad"), "");
}
