/* test_robotstxt.c - the RobotsTxt downloader middleware against a fake engine. */
#include "mwtest.h"
#include "http/robots.h"

/* ---- the fake engine: records downloads and resumes ---- */

typedef void (*done_fn)(void *ctx, kumo_request *req, kumo_response *res, int err);

#define MAXF 8200

static struct {
    kumo_request *req[MAXF];            /* robots.txt requests, one reference each */
    done_fn done[MAXF];
    void *ctx[MAXF];
    size_t n;
    size_t resumed, resumed_go;
    int sync_err;                       /* != 0: call done at once with this error */
} fake;

static void fake_download(kumo_crawler *c, kumo_request *req, done_fn done, void *ctx)
{
    (void)c;
    if (fake.sync_err) {
        done(ctx, req, NULL, fake.sync_err);
        kumo_request_unref(req);
        return;
    }
    cr_assert_lt(fake.n, MAXF);
    fake.req[fake.n] = req;
    fake.done[fake.n] = done;
    fake.ctx[fake.n] = ctx;
    fake.n++;
}

static void fake_resume(kumo_crawler *c, kumo_request *req, bool go)
{
    (void)c, (void)req;
    fake.resumed++;
    fake.resumed_go += go;
}

static void setup(void)
{
    kumo_leakcheck_start();
    memset(&fake, 0, sizeof(fake));
    kumo__log_set_level(KUMO_LOG_CRITICAL);
    kumo__robotstxt_set_engine(fake_download, fake_resume);
}

static void teardown(void)
{
    kumo__robotstxt_set_engine(NULL, NULL);
    kumo_leakcheck_end();
}

TestSuite(mw_robotstxt, .init = setup, .fini = teardown);

/* Finish fake download i with a response (status, body) or with err. */
static void finish(size_t i, int status, const char *body, int err)
{
    kumo_request *req = fake.req[i];
    fake.req[i] = NULL;
    if (status) {
        kumo_response *res = mwt_res(req, status, NULL, body);
        fake.done[i](fake.ctx[i], req, res, KUMO_OK);
        kumo_response_unref(res);
    } else {
        fake.done[i](fake.ctx[i], req, NULL, err);
    }
    kumo_request_unref(req);
}

typedef struct mw {
    kumo_crawler *c;
    void *self;
} mw;

static void mw_open(mw *m, const char *const *kv)
{
    m->c = mwt_crawler(kv);
    m->self = NULL;
    cr_assert_eq(kumo__dlmw_robotstxt.open(m->c, &m->self), KUMO_OK);
}

static void mw_close(mw *m)
{
    kumo__dlmw_robotstxt.close(m->self, m->c);
    mwt_crawler_free(m->c);
}

/* process_request on a new request for url (User-Agent ua when set). */
static int run(mw *m, const char *url, const char *ua)
{
    kumo_request *req = mwt_req(url);
    if (ua)
        kumo_headers_add(kumo_request_headers(req), "User-Agent", ua);
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    int rc = kumo__dlmw_robotstxt.process_request(m->self, m->c, req, &res, &next);
    cr_assert_null(res);
    cr_assert_null(next);
    kumo_request_unref(req);
    return rc;
}

#define OBEY KUMO_LIST("ROBOTSTXT_OBEY", "1", "USER_AGENT", "kumo/0.1 (+https://kumo.test)")

Test(mw_robotstxt, disabled_by_default)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(NULL);
    cr_assert_eq(kumo__dlmw_robotstxt.open(c, &self), KUMO_EDECLINED);
    cr_assert_eq(kumo__dlmw_robotstxt.order, 100);
    cr_assert_str_eq(kumo__dlmw_robotstxt.name, "RobotsTxt");
    mwt_crawler_free(c);
}

Test(mw_robotstxt, fetch_once_park_then_decide)
{
    mw m;
    mw_open(&m, OBEY);
    mwt_log_begin();
    cr_assert_eq(run(&m, "http://example.com/public", NULL), KUMO_EAGAIN);
    cr_assert_eq(run(&m, "http://EXAMPLE.com:80/private/x", NULL), KUMO_EAGAIN);
    cr_assert_eq(fake.n, 1, "robots.txt fetched once per origin");
    kumo_request *rr = fake.req[0];
    cr_assert_str_eq(rr->url, "http://example.com/robots.txt");
    cr_assert(rr->dont_filter);
    cr_assert_eq(rr->priority, 1000);
    cr_assert(kumo__meta_true(kumo_request_meta(rr), "dont_obey_robotstxt"));
    cr_assert_eq(kumo_map_get_int(kumo_request_meta(rr), "redirect_ttl", 0), 5);
    cr_assert_eq(mwt_stat(m.c, "robotstxt/request_count"), 1);
    cr_assert_eq(fake.resumed, 0);

    finish(0, 200, "User-agent: *\nDisallow: /private\n", 0);
    cr_assert_eq(fake.resumed, 2);
    cr_assert_eq(fake.resumed_go, 2);
    cr_assert_eq(mwt_stat(m.c, "robotstxt/response_count"), 1);
    cr_assert_eq(mwt_stat(m.c, "robotstxt/response_status_count/200"), 1);

    /* resumed requests come through again and are decided now */
    cr_assert_eq(run(&m, "http://example.com/public", NULL), KUMO_OK);
    cr_assert_eq(run(&m, "http://example.com/private/x", NULL), KUMO_EIGNORED);
    cr_assert_eq(run(&m, "http://example.com:80/private", NULL), KUMO_EIGNORED);
    cr_assert_eq(fake.n, 1);
    cr_assert_eq(mwt_stat(m.c, "robotstxt/forbidden"), 2);
    mwt_assert_logged("kumo.downloadermiddlewares.robotstxt", "DEBUG",
                      "Forbidden by robots.txt: <GET http://example.com/private/x>");
    mwt_log_end();
    mw_close(&m);
}

Test(mw_robotstxt, origins_are_scheme_host_port)
{
    mw m;
    mw_open(&m, OBEY);
    static const struct {
        const char *url;
        const char *robots;     /* NULL: no new fetch */
    } cases[] = {
        {"http://example.com/a", "http://example.com/robots.txt"},
        {"http://example.com:80/b", NULL},
        {"http://user:pw@example.com/c", NULL},
        {"https://example.com/a", "https://example.com/robots.txt"},
        {"https://example.com:443/a", NULL},
        {"http://example.com:8080/a?q", "http://example.com:8080/robots.txt"},
        {"http://[::1]:8080/a", "http://[::1]:8080/robots.txt"},
        {"http://Other.Example.com#x", "http://other.example.com/robots.txt"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        size_t before = fake.n;
        cr_assert_eq(run(&m, cases[i].url, NULL), KUMO_EAGAIN, "%s", cases[i].url);
        if (cases[i].robots) {
            cr_assert_eq(fake.n, before + 1, "%s", cases[i].url);
            cr_assert_str_eq(fake.req[before]->url, cases[i].robots);
        } else {
            cr_assert_eq(fake.n, before, "%s", cases[i].url);
        }
    }
    for (size_t i = 0; i < fake.n; i++)
        finish(i, 404, "", 0);
    cr_assert_eq(fake.resumed, KUMO_ARRAY_LEN(cases));
    cr_assert_eq(mwt_stat(m.c, "robotstxt/response_status_count/404"), (int64_t)fake.n);
    mw_close(&m);
}

/* What each kind of robots.txt answer means (RFC 9309 §2.3.1, as the issue asks). */
static const struct {
    int status;                 /* 0: err */
    int err;
    const char *body;
    int want;                   /* for /x */
    const char *stat;           /* a stat that must be 1, or NULL */
} answers[] = {
    {200, 0, "User-agent: *\nDisallow: /x\n", KUMO_EIGNORED, NULL},
    {200, 0, "User-agent: other\nDisallow: /\n", KUMO_OK, NULL},
    {200, 0, "", KUMO_OK, NULL},
    {404, 0, "User-agent: *\nDisallow: /\n", KUMO_OK, "robotstxt/response_status_count/404"},
    {403, 0, "", KUMO_OK, NULL},
    {301, 0, "", KUMO_OK, NULL},
    {500, 0, "", KUMO_EIGNORED, "robotstxt/response_status_count/500"},
    {503, 0, "User-agent: *\nAllow: /\n", KUMO_EIGNORED, NULL},
    {0, KUMO_ETIMEDOUT, NULL, KUMO_EIGNORED,
     "robotstxt/exception_count/<class 'twisted.internet.error.TimeoutError'>"},
    {0, KUMO_ECONNREFUSED, NULL, KUMO_EIGNORED, NULL},
    {0, KUMO_EIGNORED, NULL, KUMO_OK, NULL},
};

Test(mw_robotstxt, answers)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(answers); i++) {
        mw m;
        memset(&fake, 0, sizeof(fake));
        mw_open(&m, OBEY);
        mwt_log_begin();
        cr_assert_eq(run(&m, "http://example.com/x", NULL), KUMO_EAGAIN);
        finish(0, answers[i].status, answers[i].body, answers[i].err);
        cr_assert_eq(fake.resumed_go, 1, "case %zu", i);
        cr_assert_eq(run(&m, "http://example.com/x", NULL), answers[i].want, "case %zu", i);
        cr_assert_eq(run(&m, "http://example.com/robots.txt", NULL), KUMO_OK, "case %zu", i);
        if (answers[i].stat)
            cr_assert_eq(mwt_stat(m.c, answers[i].stat), 1, "case %zu: %s", i,
                         answers[i].stat);
        if (answers[i].err == KUMO_ETIMEDOUT)
            mwt_assert_logged("kumo.downloadermiddlewares.robotstxt", "ERROR",
                              "Error downloading <GET http://example.com/robots.txt>");
        if (!answers[i].status)
            cr_assert_eq(mwt_stat(m.c, "robotstxt/response_count"), -1);
        mwt_log_end();
        mw_close(&m);
    }
}

/* A robots.txt over the parser's limit is obeyed up to it, with one WARNING naming the url
 * and the limit, and a stat; one at the limit says nothing. */
Test(mw_robotstxt, cut_at_the_size_limit_says_so)
{
    size_t big = KUMO_ROBOTS_MAX_BYTES + 100;
    char *body = kumo_alloc(big + 1, KUMO_T_STR, KUMO_V_NONE);
    size_t n = (size_t)snprintf(body, big + 1, "User-agent: *\nDisallow: /early\n");
    memset(body + n, '#', big - n - 30);
    snprintf(body + big - 30, 31, "\nDisallow: /late-rule-ignored\n");
    for (int at_limit = 0; at_limit < 2; at_limit++) {
        mw m;
        memset(&fake, 0, sizeof(fake));
        mw_open(&m, OBEY);
        mwt_log_begin();
        cr_assert_eq(run(&m, "http://example.com/x", NULL), KUMO_EAGAIN);
        if (at_limit)
            body[KUMO_ROBOTS_MAX_BYTES] = '\0';
        finish(0, 200, body, 0);
        cr_assert_eq(run(&m, "http://example.com/early", NULL), KUMO_EIGNORED);
        cr_assert_eq(run(&m, "http://example.com/late-rule-ignored", NULL), KUMO_OK);
        char want[256];
        snprintf(want, sizeof(want), "robots.txt <http://example.com/robots.txt> is %zu "
                 "bytes, over the limit of %u (RFC 9309's 500 KiB): only its first %u bytes "
                 "are obeyed", big, KUMO_ROBOTS_MAX_BYTES, KUMO_ROBOTS_MAX_BYTES);
        if (at_limit) {
            cr_assert_null(strstr(mwt_log(), "over the limit"), "%s", mwt_log());
            cr_assert_eq(mwt_stat(m.c, "robotstxt/truncated"), -1);
        } else {
            mwt_assert_logged("kumo.downloadermiddlewares.robotstxt", "WARNING", want);
            cr_assert_eq(mwt_stat(m.c, "robotstxt/truncated"), 1);
        }
        mwt_log_end();
        mw_close(&m);
    }
    kumo_free(body);
}

Test(mw_robotstxt, dont_obey_meta)
{
    mw m;
    mw_open(&m, OBEY);
    kumo_request *req = mwt_req("http://example.com/x");
    kumo_map_set(kumo_request_meta(req), "dont_obey_robotstxt", kumo_val_bool(1));
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    cr_assert_eq(kumo__dlmw_robotstxt.process_request(m.self, m.c, req, &res, &next), KUMO_OK);
    kumo_request_unref(req);
    cr_assert_eq(fake.n, 0);
    mw_close(&m);
}

static const char agents_txt[] = "User-agent: kumo\nDisallow: /k\n"
                                 "User-agent: mybot\nDisallow: /m\n"
                                 "User-agent: custom\nDisallow: /c\n"
                                 "User-agent: *\nDisallow: /s\n";

/* ROBOTSTXT_USER_AGENT, else the request's User-Agent, else USER_AGENT */
static const struct {
    const char *robots_ua;      /* ROBOTSTXT_USER_AGENT, or NULL */
    const char *req_ua;         /* the request's User-Agent, or NULL */
    const char *forbidden;      /* the one path of /k /m /c /s that is forbidden */
} agents[] = {
    {NULL, NULL, "/k"},
    {NULL, "Custom/1.0", "/c"},
    {NULL, "unknown", "/s"},
    {"MyBot", NULL, "/m"},
    {"MyBot", "Custom/1.0", "/m"},
};

Test(mw_robotstxt, user_agents)
{
    static const char *const paths[] = {"/k", "/m", "/c", "/s"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(agents); i++) {
        mw m;
        memset(&fake, 0, sizeof(fake));
        const char *kv[] = {"ROBOTSTXT_OBEY", "1", "USER_AGENT", "kumo/0.1",
                            agents[i].robots_ua ? "ROBOTSTXT_USER_AGENT" : NULL,
                            agents[i].robots_ua, NULL};
        mw_open(&m, kv);
        cr_assert_eq(run(&m, "http://example.com/", NULL), KUMO_EAGAIN);
        finish(0, 200, agents_txt, 0);
        for (size_t p = 0; p < KUMO_ARRAY_LEN(paths); p++) {
            char url[64];
            snprintf(url, sizeof(url), "http://example.com%s", paths[p]);
            bool forbidden = strcmp(paths[p], agents[i].forbidden) == 0;
            cr_assert_eq(run(&m, url, agents[i].req_ua), forbidden ? KUMO_EIGNORED : KUMO_OK,
                         "case %zu path %s", i, paths[p]);
        }
        mw_close(&m);
    }
}

/* The engine may call back at once: the request is decided without parking. */
Test(mw_robotstxt, synchronous_callback)
{
    mw m;
    mw_open(&m, OBEY);
    fake.sync_err = KUMO_EIGNORED;
    cr_assert_eq(run(&m, "http://example.com/x", NULL), KUMO_OK);
    fake.sync_err = KUMO_ECONNREFUSED;
    cr_assert_eq(run(&m, "http://other.com/x", NULL), KUMO_EIGNORED);
    fake.sync_err = KUMO_ECANCELED;                 /* the crawl closed: nothing cached */
    cr_assert_eq(run(&m, "http://third.com/x", NULL), KUMO_EIGNORED);
    cr_assert_eq(fake.resumed, 0);
    cr_assert_eq(mwt_stat(m.c, "robotstxt/request_count"), 3);
    mw_close(&m);
}

/* A canceled fetch resumes its requests with go false and caches nothing. */
Test(mw_robotstxt, canceled)
{
    mw m;
    mw_open(&m, OBEY);
    cr_assert_eq(run(&m, "http://example.com/x", NULL), KUMO_EAGAIN);
    cr_assert_eq(run(&m, "http://example.com/y", NULL), KUMO_EAGAIN);
    finish(0, 0, NULL, KUMO_ECANCELED);
    cr_assert_eq(fake.resumed, 2);
    cr_assert_eq(fake.resumed_go, 0);
    cr_assert_eq(run(&m, "http://example.com/x", NULL), KUMO_EAGAIN);  /* fetched again */
    cr_assert_eq(fake.n, 2);
    finish(1, 200, "", 0);
    mw_close(&m);
}

/* Closing with fetches in flight and requests parked frees them; a late callback is safe. */
Test(mw_robotstxt, close_while_pending)
{
    mw m;
    mw_open(&m, OBEY);
    cr_assert_eq(run(&m, "http://example.com/x", NULL), KUMO_EAGAIN);
    cr_assert_eq(run(&m, "http://example.com/y", NULL), KUMO_EAGAIN);
    mw_close(&m);
    finish(0, 0, NULL, KUMO_ECANCELED);
    cr_assert_eq(fake.resumed, 0);
}

/* The cache is bounded: the least recently used origin is dropped, then fetched again. */
Test(mw_robotstxt, cache_bounded)
{
    mw m;
    mw_open(&m, OBEY);
    char url[64];
    for (int i = 0; i < 4100; i++) {
        snprintf(url, sizeof(url), "http://h%d.example.com/x", i);
        cr_assert_eq(run(&m, url, NULL), KUMO_EAGAIN);
        finish((size_t)i, 200, "User-agent: *\nDisallow: /x\n", 0);
        if (i == 0)
            continue;
        /* keep h0 recently used */
        cr_assert_eq(run(&m, "http://h0.example.com/x", NULL), KUMO_EIGNORED);
    }
    cr_assert_eq(fake.n, 4100);
    cr_assert_eq(run(&m, "http://h0.example.com/x", NULL), KUMO_EIGNORED);
    cr_assert_eq(run(&m, "http://h4099.example.com/x", NULL), KUMO_EIGNORED);
    cr_assert_eq(fake.n, 4100);
    cr_assert_eq(run(&m, "http://h1.example.com/x", NULL), KUMO_EAGAIN);   /* evicted */
    cr_assert_eq(fake.n, 4101);
    finish(4100, 404, "", 0);
    cr_assert_eq(run(&m, "http://h1.example.com/x", NULL), KUMO_OK);
    mw_close(&m);
}

static void parked_place(void *ctx, const char *place, kumo_ref *obj)
{
    kumo__buf_printf(ctx, "%s %s\n", place, ((kumo_request *)obj)->url);
}

/* holders() sees the requests parked for robots.txt, by origin. */
Test(mw_robotstxt, refs_report_parked_requests)
{
    mw m;
    mw_open(&m, OBEY);
    cr_assert_eq(run(&m, "http://example.com/a", NULL), KUMO_EAGAIN);
    cr_assert_eq(run(&m, "http://example.com/b", NULL), KUMO_EAGAIN);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__dlmw_robotstxt.refs(m.self, parked_place, &b);
    cr_assert_str_eq(kumo__buf_str(&b),
                     ".waiting['http://example.com:80'][0] http://example.com/a\n"
                     ".waiting['http://example.com:80'][1] http://example.com/b\n");
    finish(0, 200, "User-agent: *\nDisallow:\n", 0);
    kumo__buf_reset(&b);
    kumo__dlmw_robotstxt.refs(m.self, parked_place, &b);
    cr_assert_str_eq(kumo__buf_str(&b), "", "resumed: none parked");
    kumo__buf_release(&b);
    mw_close(&m);
}

/* ---- the share hook (a cluster's robots.txt cache, set by src/redis) ---- */

static kumo_crawler *share_for;         /* the crawl whose robots.txt the fake cluster shares */
static size_t share_asked;

/* The fake cluster: for share_for it answers at once with its stored copy. */
static bool fake_share(kumo_crawler *c, kumo_request *req, done_fn done, void *ctx)
{
    share_asked++;
    if (c != share_for)
        return false;
    kumo_response *res = mwt_res(req, 200, NULL, "User-agent: *\nDisallow: /shared-no\n");
    done(ctx, req, res, KUMO_OK);
    kumo_response_unref(res);
    kumo_request_unref(req);
    return true;
}

Test(mw_robotstxt, a_share_hook_answers_or_declines)
{
    mw a, b;
    mw_open(&a, OBEY);
    mw_open(&b, OBEY);
    share_for = a.c;
    share_asked = 0;
    kumo__robotstxt_set_share(fake_share);
    cr_expect_eq(run(&a, "http://example.com/shared-no", NULL), KUMO_EIGNORED,
                 "decided by the shared copy at once");
    cr_expect_eq(run(&a, "http://example.com/ok", NULL), KUMO_OK);
    cr_expect_eq(fake.n, 0, "no download of its own");
    cr_expect_eq(run(&b, "http://example.com/ok", NULL), KUMO_EAGAIN);
    cr_expect_eq(fake.n, 1, "declined: the middleware downloads it");
    cr_expect_eq(share_asked, 2, "once per origin and crawl");
    kumo__robotstxt_set_share(NULL);
    finish(0, 404, "", 0);
    mw_close(&a);
    mw_close(&b);
}
