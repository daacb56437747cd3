/* test_webservice_browser.c - the web service's page in a real browser: a crawl runs with
 * the web service, Debian's headless chromium loads / with the token, runs its scripts for a
 * few seconds of virtual time, and the DOM it dumps holds the three charts with their data
 * points, the prefs() table and est(); a screenshot is taken (doc/webservice.png comes from
 * it: KUMO_WEBSERVICE_SHOT=PATH keeps a copy). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/leakcheck.h"
#include "lib/webwatch.h"

static char chromium[256];
static char tmpdir[64];
static int dom_rc = -1, shot_rc = -1;
static kumo_webreply stopped;

static bool find_chromium(void)
{
    static const char *const names[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser",
                                        "/usr/bin/google-chrome"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (access(names[i], X_OK) == 0) {
            snprintf(chromium, sizeof(chromium), "%s", names[i]);
            return true;
        }
    return false;
}

/* One headless chromium run, at most 60 s, its own profile in tmpdir, quiet. */
static int run_chromium(const kumo_webwatch *w, const char *what)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "timeout -k 5 60 %s --headless --no-sandbox --disable-gpu --no-first-run "
             "--disable-extensions --disable-background-networking --disable-sync "
             "--user-data-dir=%s/profile --window-size=1100,760 --hide-scrollbars "
             "--virtual-time-budget=6000 %s 'http://127.0.0.1:%d/?token=%s' "
             "2>%s/chromium.err",
             chromium, tmpdir, what, w->port, w->token, tmpdir);
    return system(cmd);
}

static void client(kumo_webwatch *w)
{
    usleep(3000000);                /* a few chart points: the service samples every second */
    char what[256];
    snprintf(what, sizeof(what), "--dump-dom > %s/dom.html", tmpdir);
    dom_rc = run_chromium(w, what);
    snprintf(what, sizeof(what), "--screenshot=%s/shot.png", tmpdir);
    shot_rc = run_chromium(w, what);
    char bearer[128];
    snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", w->token);
    const char *const h[] = {bearer, NULL};
    /* a loaded machine: the service may still be busy with a killed browser's connections */
    for (int i = 0; i < 15 && kumo_webwatch_http(w, "POST", "/api/stop", h, &stopped) != 200;
         i++) {
        kumo_webreply_free(&stopped);
        usleep(2000000);
    }
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20;
    char *buf = malloc(cap + 1);
    *len = fread(buf, 1, cap, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* The value of data-points="N" on the polyline named name in the svg with id, or -1. */
static int points_of(const char *dom, const char *id, const char *name)
{
    char key[128];
    snprintf(key, sizeof(key), "<svg id=\"%s\"", id);
    const char *svg = strstr(dom, key);
    if (!svg)
        return -1;
    const char *end = strstr(svg, "</svg>");
    snprintf(key, sizeof(key), "data-name=\"%s\" data-points=\"", name);
    const char *p = strstr(svg, key);
    if (!p || (end && p > end))
        return -1;
    return atoi(p + strlen(key));
}

Test(webservice_browser, page_draws_its_charts, .timeout = 240)
{
    if (!find_chromium())
        cr_skip_test("chromium is not installed (scripts/install-deps.sh installs it for "
                     "the tests): the web page was not loaded in a browser");
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/kumo-browser-XXXXXX");
    cr_assert(mkdtemp(tmpdir));
    kumo_testcrawl t;
    kumo_testcrawl_init(&t);
    kumo_webwatch w = {0};
    const char *const kv[] = {"DOWNLOAD_DELAY", "0.05", "CLOSESPIDER_TIMEOUT", "200",
                              "CONCURRENT_REQUESTS_PER_DOMAIN", "2", NULL};
    const char *const args[] = {"urls", "/depth/0,/page/1/", NULL};
    cr_assert_eq(kumo_webwatch_run(&t, &w, kv, args, client), KUMO_OK, "%s", t.err);
    cr_assert_gt(w.port, 0, "the log never named the web service's url");
    cr_assert_eq(stopped.status, 200);
    kumo_webreply_free(&stopped);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "shutdown");
    cr_assert_eq(dom_rc, 0, "chromium --dump-dom failed (%d): see %s/chromium.err", dom_rc,
                 tmpdir);
    cr_assert_eq(shot_rc, 0, "chromium --screenshot failed (%d)", shot_rc);

    char path[128];
    size_t len;
    snprintf(path, sizeof(path), "%s/dom.html", tmpdir);
    char *dom = slurp(path, &len);
    cr_assert(dom && len > 1000, "no DOM dumped");
    cr_assert(strstr(dom, "<span id=\"state\" class=\"state\">running</span>"),
              "the page did not reach the service");
    cr_assert_geq(points_of(dom, "chart-rate", "pages/min"), 2, "pages/min has no points");
    cr_assert_geq(points_of(dom, "chart-rate", "items/min"), 2);
    cr_assert_geq(points_of(dom, "chart-mem", "RSS"), 2);
    cr_assert_geq(points_of(dom, "chart-mem", "kumo heap"), 2);
    cr_assert_geq(points_of(dom, "chart-mem", "malloc free"), 2);
    cr_assert_geq(points_of(dom, "chart-live", "Request"), 2);
    cr_assert(strstr(dom, "<td>Request</td>"), "no prefs() row for Request");
    cr_assert(strstr(dom, "Execution engine status"), "no est()");
    free(dom);

    snprintf(path, sizeof(path), "%s/shot.png", tmpdir);
    char *png = slurp(path, &len);
    cr_assert(png && len > 2000 && !memcmp(png, "\x89PNG\r\n\x1a\n", 8), "no screenshot");
    const char *keep = getenv("KUMO_WEBSERVICE_SHOT");
    if (keep && *keep) {
        FILE *f = fopen(keep, "wb");
        cr_assert(f, "cannot write '%s'", keep);
        fwrite(png, 1, len, f);
        fclose(f);
    }
    free(png);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
    kumo_testcrawl_fini(&t);
}
