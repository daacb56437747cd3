/* test_benchsite.c - the site `kumo bench` crawls: pages and links the same every run, every
 * page reachable from "/" through link 0, 404 outside 1..pages. */
#include <criterion/criterion.h>
#include "kumo-int.h"
/* The cli objects are not in the test binary: compile the site here. */
#include "cli/benchsite.c"
#include "lib/leakcheck.h"

static kumo_benchsite *site;

static void setup(void)
{
    kumo_leakcheck_start();
    char err[256];
    site = kumo_benchsite_start(5, 3, err, sizeof(err));
    cr_assert_not_null(site, "%s", err);
    cr_assert_gt(kumo_benchsite_port(site), 0);
}

static void teardown(void)
{
    kumo_benchsite_stop(site);
    kumo_leakcheck_end();
}

TestSuite(benchsite, .init = setup, .fini = teardown, .timeout = 60);

/* GET path over a plain socket (HTTP/1.0: the server closes); the whole answer into buf. */
static void get(const char *path, char *buf, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)kumo_benchsite_port(site))};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    char req[256];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    cr_assert_eq(write(fd, req, (size_t)n), n);
    size_t got = 0;
    ssize_t r;
    while (got < len - 1 && (r = read(fd, buf + got, len - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = '\0';
    close(fd);
}

/* The link targets of a page body, in order; returns how many. */
static size_t links_of(const char *body, unsigned *t, size_t max)
{
    size_t n = 0;
    for (const char *p = body; n < max && (p = strstr(p, "href='/follow?n=")); p++)
        t[n++] = (unsigned)strtoul(p + 16, NULL, 10);
    return n;
}

Test(benchsite, pages_hold_their_links_the_same_every_time)
{
    static char a[8192], b[8192];
    get("/follow?n=2", a, sizeof(a));
    cr_assert_eq(strncmp(a, "HTTP/1.0 200", 12), 0, "%s", a);
    cr_assert_not_null(strstr(a, "<title>bench 2</title>"), "%s", a);
    cr_assert_not_null(strstr(a, "text/html; charset=utf-8"), "%s", a);
    unsigned t[8];
    cr_assert_eq(links_of(a, t, 8), 3);
    cr_assert_eq(t[0], 3, "link 0 goes to the next page");
    for (size_t i = 0; i < 3; i++)
        cr_assert(t[i] >= 1 && t[i] <= 5, "target %u", t[i]);
    get("/follow?n=2", b, sizeof(b));
    cr_assert_str_eq(strstr(a, "<html>"), strstr(b, "<html>"));
}

Test(benchsite, every_page_is_reached_from_the_root)
{
    static char buf[8192];
    bool seen[6] = {false};
    char path[32] = "/";
    for (int step = 0; step < 6; step++) {
        get(path, buf, sizeof(buf));
        unsigned t[8];
        cr_assert_geq(links_of(buf, t, 8), 1, "%s", buf);
        seen[t[0]] = true;
        snprintf(path, sizeof(path), "/follow?n=%u", t[0]);
    }
    for (int n = 1; n <= 5; n++)
        cr_assert(seen[n], "page %d never linked", n);
}

Test(benchsite, pages_outside_the_site_are_404)
{
    static char buf[4096];
    const char *bad[] = {"/follow?n=0", "/follow?n=6", "/follow?n=x", "/other"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad); i++) {
        get(bad[i], buf, sizeof(buf));
        cr_assert_eq(strncmp(buf + 8, " 404 ", 5), 0, "%s: %s", bad[i], buf);
    }
}
