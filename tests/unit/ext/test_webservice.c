/* test_webservice.c - WebService: Prometheus names, the token rules, and a crawl watched
 * over plain HTTP (/metrics through a strict parser of the text format 0.0.4, /api/..., the
 * buttons, a slow client). */
#include <criterion/criterion.h>
#include <ctype.h>
#include <math.h>
#include <time.h>
#include <unistd.h>
#include "ext/webservice.h"
#include "ext/webpage.h"
#include "lib/leakcheck.h"
#include "lib/webwatch.h"
#include "util/json.h"

TestSuite(webservice, KUMO_LEAKCHECK, .timeout = 90);

/* ---------------------------------------------------------------- the pure parts */

Test(webservice, metric_names)
{
    static const char *const cases[][2] = {
        {"downloader/response_status_count/200", "kumo_downloader_response_status_count_200"},
        {"log_count/INFO", "kumo_log_count_INFO"},
        {"leakwatch/peak_live/HtmlResponse", "kumo_leakwatch_peak_live_HtmlResponse"},
        {"a//b--c", "kumo_a_b_c"},
        {"/lead/and/trail/", "kumo_lead_and_trail"},
        {"né:x", "kumo_n_x"},
        {"///", "kumo"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[128];
        kumo__ws_metric_name(cases[i][0], out, sizeof(out));
        cr_assert_str_eq(out, cases[i][1], "%s", cases[i][0]);
    }
    char small[8];
    kumo__ws_metric_name("abcdefgh", small, sizeof(small));
    cr_assert_str_eq(small, "kumo_ab");
}

Test(webservice, label_values_escaped)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    cr_assert_eq(kumo__ws_label_value(&b, "a\"b\\c\nd"), KUMO_OK);
    cr_assert_str_eq(kumo__buf_str(&b), "a\\\"b\\\\c\\nd");
    kumo__buf_release(&b);
}

Test(webservice, token_rules)
{
    const char *t = "0123abcd";
    cr_assert(kumo__ws_authorized(t, "Bearer 0123abcd", NULL, NULL));
    cr_assert(kumo__ws_authorized(t, "bearer  0123abcd", NULL, NULL));
    cr_assert(kumo__ws_authorized(t, NULL, "0123abcd", NULL));
    cr_assert(kumo__ws_authorized(t, NULL, NULL, "a=1&token=0123abcd"));
    cr_assert_not(kumo__ws_authorized(t, NULL, NULL, NULL));
    cr_assert_not(kumo__ws_authorized(t, "Basic 0123abcd", NULL, NULL));
    cr_assert_not(kumo__ws_authorized(t, "Bearer 0123abc", NULL, NULL));
    cr_assert_not(kumo__ws_authorized(t, "Bearer 0123abcde", NULL, NULL));
    cr_assert_not(kumo__ws_authorized(t, NULL, "", NULL));
    cr_assert_not(kumo__ws_authorized(t, NULL, NULL, "token="));
    cr_assert_not(kumo__ws_authorized(t, NULL, NULL, "xtoken=0123abcd"));
    cr_assert_not(kumo__ws_authorized(t, NULL, NULL, "token=0123ABCD"));
    char a[33], b[33];
    cr_assert_eq(kumo__ws_random_token(a), KUMO_OK);
    cr_assert_eq(kumo__ws_random_token(b), KUMO_OK);
    cr_assert_eq(strlen(a), 32);
    cr_assert_str_neq(a, b);
    for (size_t i = 0; i < 32; i++)
        cr_assert(isxdigit((unsigned char)a[i]));
}

Test(webservice, ports)
{
    unsigned lo, hi;
    const char *range[] = {"6080", "6100"}, *one[] = {"7000"}, *any[] = {"0"};
    const char *bad1[] = {"6100", "6080"}, *bad2[] = {"x"}, *bad3[] = {"0", "5"},
               *bad4[] = {"70000"};
    cr_assert_eq(kumo__ws_parse_ports(range, 2, &lo, &hi), KUMO_OK);
    cr_assert(lo == 6080 && hi == 6100);
    cr_assert_eq(kumo__ws_parse_ports(one, 1, &lo, &hi), KUMO_OK);
    cr_assert(lo == 7000 && hi == 7000);
    cr_assert_eq(kumo__ws_parse_ports(any, 1, &lo, &hi), KUMO_OK);
    cr_assert_eq(kumo__ws_parse_ports(bad1, 2, &lo, &hi), KUMO_EINVAL);
    cr_assert_eq(kumo__ws_parse_ports(bad2, 1, &lo, &hi), KUMO_EINVAL);
    cr_assert_eq(kumo__ws_parse_ports(bad3, 2, &lo, &hi), KUMO_EINVAL);
    cr_assert_eq(kumo__ws_parse_ports(bad4, 1, &lo, &hi), KUMO_EINVAL);
    cr_assert_eq(kumo__ws_parse_ports(range, 0, &lo, &hi), KUMO_EINVAL);
}

/* ---------------------------------------------------------------- a strict 0.0.4 parser */

typedef struct prom_sample {
    char name[128];
    char labels[512];           /* as written, between the braces */
    double value;
} prom_sample;

typedef struct prom {
    prom_sample *s;
    size_t n;
    char types[512][256];       /* families with a TYPE line, in order */
    size_t ntypes;
    char err[256];
} prom;

static bool name_ok(const char *p, size_t n, bool label)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        bool ok = isalpha((unsigned char)c) || c == '_' || (!label && c == ':') ||
                  (i && isdigit((unsigned char)c));
        if (!ok || (unsigned char)c > 127)
            return false;
    }
    return true;
}

static int fail(prom *p, size_t line, const char *what)
{
    snprintf(p->err, sizeof(p->err), "line %zu: %s", line, what);
    return -1;
}

static bool has_type(prom *p, const char *name)
{
    for (size_t i = 0; i < p->ntypes; i++)
        if (!strcmp(p->types[i], name))
            return true;
    return false;
}

/* The text format 0.0.4 as Prometheus' parser takes it, and stricter where kumo promises
 * more: every sample has a TYPE before it, its family's samples are contiguous, and no two
 * samples are the same series.  Returns 0, or -1 with p->err. */
static int prom_parse(const char *text, prom *p)
{
    memset(p, 0, sizeof(*p));
    size_t cap = 4096, lineno = 0;
    p->s = calloc(cap, sizeof(*p->s));
    char family[128] = "";
    size_t len = strlen(text);
    if (!len || text[len - 1] != '\n')
        return fail(p, 0, "does not end with a newline");
    for (const char *l = text; *l; lineno++) {
        const char *e = strchr(l, '\n');
        size_t n = (size_t)(e - l);
        char line[2048];
        if (n >= sizeof(line))
            return fail(p, lineno, "line too long");
        memcpy(line, l, n);
        line[n] = '\0';
        l = e + 1;
        if (!n)
            return fail(p, lineno, "empty line");
        if (line[0] == '#') {
            char kw[8], name[256];
            int used = 0;
            if (sscanf(line, "# %7s %255s %n", kw, name, &used) < 2)
                continue;                                   /* a plain comment */
            if (strcmp(kw, "HELP") && strcmp(kw, "TYPE"))
                continue;
            if (!name_ok(name, strlen(name), false))
                return fail(p, lineno, "bad family name");
            if (!strcmp(kw, "TYPE")) {
                const char *type = line + used;
                static const char *const types[] = {"counter", "gauge", "histogram",
                                                    "summary", "untyped"};
                bool ok = false;
                for (size_t i = 0; i < 5; i++)
                    ok |= !strcmp(type, types[i]);
                if (!ok)
                    return fail(p, lineno, "bad TYPE");
                if (has_type(p, name))
                    return fail(p, lineno, "second TYPE line for a family");
                snprintf(p->types[p->ntypes++], sizeof(p->types[0]), "%s", name);
                snprintf(family, sizeof(family), "%s", name);
            } else {
                for (const char *h = line + used; *h; h++)
                    if (*h == '\\' && h[1] != '\\' && h[1] != 'n')
                        return fail(p, lineno, "bad escape in HELP");
                    else if (*h == '\\')
                        h++;
            }
            continue;
        }
        prom_sample s = {0};
        size_t nl = strcspn(line, "{ ");
        if (!name_ok(line, nl, false) || nl >= sizeof(s.name))
            return fail(p, lineno, "bad metric name");
        memcpy(s.name, line, nl);
        const char *q = line + nl;
        if (*q == '{') {
            const char *start = ++q;
            bool first = true;
            while (*q != '}') {
                if (!first) {
                    if (*q != ',')
                        return fail(p, lineno, "expected ',' between labels");
                    q++;
                }
                first = false;
                size_t ln = strcspn(q, "=");
                if (!name_ok(q, ln, true) || !strncmp(q, "__", 2))
                    return fail(p, lineno, "bad label name");
                q += ln;
                if (q[0] != '=' || q[1] != '"')
                    return fail(p, lineno, "expected =\"");
                q += 2;
                while (*q != '"') {
                    if (!*q || *q == '\n')
                        return fail(p, lineno, "unterminated label value");
                    if (*q == '\\') {
                        if (q[1] != '\\' && q[1] != '"' && q[1] != 'n')
                            return fail(p, lineno, "bad escape in a label value");
                        q++;
                    }
                    q++;
                }
                q++;
            }
            if ((size_t)(q - start) >= sizeof(s.labels))
                return fail(p, lineno, "labels too long");
            memcpy(s.labels, start, (size_t)(q - start));
            q++;
        }
        if (*q != ' ')
            return fail(p, lineno, "expected one space before the value");
        q++;
        char *end;
        if (!strcmp(q, "NaN") || !strcmp(q, "+Inf") || !strcmp(q, "-Inf"))
            s.value = q[0] == 'N' ? NAN : q[0] == '+' ? INFINITY : -INFINITY;
        else {
            s.value = strtod(q, &end);
            if (end == q || *end || isspace((unsigned char)*q))
                return fail(p, lineno, "bad value");
        }
        if (!has_type(p, s.name))
            return fail(p, lineno, "sample without a TYPE line");
        if (strcmp(s.name, family))
            return fail(p, lineno, "family not contiguous");
        for (size_t i = 0; i < p->n; i++)
            if (!strcmp(p->s[i].name, s.name) && !strcmp(p->s[i].labels, s.labels))
                return fail(p, lineno, "duplicate series");
        if (p->n == cap)
            p->s = realloc(p->s, (cap *= 2) * sizeof(*p->s));
        p->s[p->n++] = s;
    }
    return 0;
}

static const prom_sample *prom_find(const prom *p, const char *name, const char *labels)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->s[i].name, name) && strstr(p->s[i].labels, labels))
            return &p->s[i];
    return NULL;
}

Test(webservice, strict_parser_refuses_bad_text)
{
    static const char *const bad[] = {
        "x 1\n",                                            /* no TYPE */
        "# TYPE x gauge\nx 1",                              /* no final newline */
        "# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n",     /* duplicate */
        "# TYPE 1x gauge\n1x 1\n",                          /* name */
        "# TYPE x gauge\nx{a-b=\"1\"} 1\n",                  /* label name */
        "# TYPE x gauge\nx{a=\"\\t\"} 1\n",                 /* escape */
        "# TYPE x gauge\nx 1 2 3\n",                        /* value */
        "# TYPE x gauge\n# TYPE y gauge\nx 1\n",            /* not contiguous */
        "# TYPE x gauges\nx 1\n",                           /* type */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        prom p;
        cr_assert_eq(prom_parse(bad[i], &p), -1, "%s", bad[i]);
        free(p.s);
    }
    prom p;
    cr_assert_eq(prom_parse("# HELP x a \\\\ b\n# TYPE x counter\nx{a=\"q\\\"\",b=\"\"} 1.5e3\n"
                            "x 2\n# TYPE y gauge\ny NaN\n", &p), 0, "%s", p.err);
    cr_assert_eq(p.n, 3);
    cr_assert_float_eq(p.s[0].value, 1500, 1e-9);
    free(p.s);
}

/* ---------------------------------------------------------------- a crawl watched */

enum { R_NOTOKEN, R_BADTOKEN, R_BADQUERY, R_METRICS, R_STATS, R_PREFS, R_EST, R_HEAP,
       R_LIVE1, R_PAUSE, R_LIVE_PAUSED, R_UNPAUSE, R_STOP_GET, R_PAGE, R_NOTFOUND,
       R_BIGHEAD, R_LIVE2, R_STOP, R_COUNT };

static kumo_webreply got[R_COUNT];

static void client(kumo_webwatch *w)
{
    char bearer[128], header[128], query[160];
    snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", w->token);
    snprintf(header, sizeof(header), "X-Kumo-Token: %s", w->token);
    snprintf(query, sizeof(query), "/api/live?token=%s", w->token);
    const char *const b[] = {bearer, NULL}, *const h[] = {header, NULL};
    const char *const wrong[] = {"Authorization: Bearer nottheone", NULL};
    kumo_webwatch_http(w, "GET", "/metrics", NULL, &got[R_NOTOKEN]);
    kumo_webwatch_http(w, "GET", "/api/stats", wrong, &got[R_BADTOKEN]);
    kumo_webwatch_http(w, "POST", "/api/stop?token=nope", NULL, &got[R_BADQUERY]);
    /* wait for a few pages, so that the numbers have something in them (bounded) */
    for (int i = 0; i < 100; i++) {
        kumo_webreply r;
        kumo_webwatch_http(w, "GET", "/api/stats", b, &r);
        bool some = r.body && strstr(r.body, "\"response_received_count\": ") &&
                    !strstr(r.body, "\"response_received_count\": 1,") &&
                    !strstr(r.body, "\"response_received_count\": 2,");
        kumo_webreply_free(&r);
        if (some)
            break;
        usleep(50000);
    }
    kumo_webwatch_http(w, "GET", "/metrics", b, &got[R_METRICS]);
    kumo_webwatch_http(w, "GET", "/api/stats", h, &got[R_STATS]);
    kumo_webwatch_http(w, "GET", "/api/prefs", b, &got[R_PREFS]);
    kumo_webwatch_http(w, "GET", "/api/est", b, &got[R_EST]);
    kumo_webwatch_http(w, "GET", "/api/heap", b, &got[R_HEAP]);
    kumo_webwatch_http(w, "GET", query, NULL, &got[R_LIVE1]);
    kumo_webwatch_http(w, "POST", "/api/pause", h, &got[R_PAUSE]);
    kumo_webwatch_http(w, "GET", query, NULL, &got[R_LIVE_PAUSED]);
    kumo_webwatch_http(w, "POST", "/api/unpause", h, &got[R_UNPAUSE]);
    kumo_webwatch_http(w, "GET", "/api/stop", h, &got[R_STOP_GET]);
    char page[160];
    snprintf(page, sizeof(page), "/?token=%s", w->token);
    kumo_webwatch_http(w, "GET", page, NULL, &got[R_PAGE]);
    kumo_webwatch_http(w, "GET", "/nothing", b, &got[R_NOTFOUND]);
    /* a slow client: half a request, held open; another's requests are still answered
     * and the crawl goes on */
    int slow = kumo_webwatch_connect(w);
    if (slow >= 0 && write(slow, "GET /api/live HTTP/1.1\r\nHost: x\r\n", 33) < 0)
        slow = -1;
    char big[10000];
    memset(big, 'a', sizeof(big) - 1);
    memcpy(big, "X-Big: ", 7);
    big[sizeof(big) - 1] = '\0';
    const char *const bigh[] = {bearer, big, NULL};
    kumo_webwatch_http(w, "GET", "/api/est", bigh, &got[R_BIGHEAD]);
    usleep(1500000);
    kumo_webwatch_http(w, "GET", query, NULL, &got[R_LIVE2]);
    if (slow >= 0)
        close(slow);
    kumo_webwatch_http(w, "POST", "/api/stop", b, &got[R_STOP]);
}

static kumo_value parse_json(const kumo_webreply *r, const char *what)
{
    kumo_value v;
    char err[128];
    cr_assert_eq(r->status, 200, "%s: %d", what, r->status);
    cr_assert_eq(kumo__json_parse(r->body, r->len, &v, err, sizeof(err)), KUMO_OK, "%s: %s",
                 what, err);
    return v;
}

static int64_t json_int(const kumo_value *obj, const char *key)
{
    const kumo_value *v = kumo__json_get(obj, key);
    cr_assert(v && v->type == KUMO_VAL_INT, "no integer %s", key);
    return v->u.i;
}

/* The last number of series[key] in /api/live's answer. */
static int64_t live_last(const kumo_value *live, const char *key)
{
    const kumo_value *s = kumo__json_get(live, "series");
    const kumo_value *l = s ? kumo__json_get(s, key) : NULL;
    cr_assert(l && l->type == KUMO_VAL_LIST && l->u.list->len, "no series %s", key);
    const kumo_value *x = &l->u.list->v[l->u.list->len - 1];
    return x->type == KUMO_VAL_INT ? x->u.i : (int64_t)x->u.f;
}

Test(webservice, crawl_watched_over_http)
{
    kumo_testcrawl t;
    kumo_testcrawl_init(&t);
    kumo_webwatch w = {0};
    const char *const kv[] = {"DOWNLOAD_DELAY", "0.02", "CLOSESPIDER_TIMEOUT", "60", NULL};
    const char *const args[] = {"urls", "/depth/0", NULL};
    cr_assert_eq(kumo_webwatch_run(&t, &w, kv, args, client), KUMO_OK, "%s", t.err);
    cr_assert_gt(w.port, 0, "the log never named the web service's url");

    /* the token rules: a bad token gets 403 and nothing else */
    for (int i = R_NOTOKEN; i <= R_BADQUERY; i++) {
        cr_assert_eq(got[i].status, 403, "request %d: %d", i, got[i].status);
        cr_assert_eq(got[i].len, 0);
        cr_assert_null(strcasestr(got[i].head, "\nContent-Type"), "%s", got[i].head);
        cr_assert_null(strcasestr(got[i].head, "Cache-Control"), "%s", got[i].head);
    }
    cr_assert_eq(kumo_testcrawl_stat(&t, "webservice/forbidden", 0), 3);

    /* /metrics parses and holds what it promises */
    cr_assert_eq(got[R_METRICS].status, 200);
    cr_assert(strstr(got[R_METRICS].head, "text/plain; version=0.0.4"));
    prom p;
    cr_assert_eq(prom_parse(got[R_METRICS].body, &p), 0, "%s", p.err);
    const prom_sample *s = prom_find(&p, "kumo_response_received_count", "spider=\"probe\"");
    cr_assert(s && s->value >= 3);
    s = prom_find(&p, "kumo_live_objects", "class=\"Request\"");
    cr_assert(s && s->value >= 1);
    s = prom_find(&p, "kumo_live_objects", "class=\"ProbeSpider\"");
    cr_assert(s && s->value == 1);
    s = prom_find(&p, "kumo_rss_bytes", "spider=\"probe\"");
    cr_assert(s && s->value > 1e6);
    s = prom_find(&p, "kumo_heap_bytes", "");
    cr_assert(s && s->value > 0);
    cr_assert(prom_find(&p, "kumo_malloc_free_bytes", ""));
    cr_assert(prom_find(&p, "kumo_queue_length", ""));
    cr_assert(prom_find(&p, "kumo_in_flight", ""));
    s = prom_find(&p, "kumo_domain_responses_total", "domain=\"127.0.0.1\"");
    cr_assert(s && s->value >= 3);
    cr_assert(strstr(got[R_METRICS].body, "# TYPE kumo_domain_responses_total counter\n"));
    cr_assert(prom_find(&p, "kumo_downloader_response_status_count_200", ""));
    free(p.s);

    /* the JSON views */
    kumo_value v = parse_json(&got[R_STATS], "stats");
    cr_assert_geq(json_int(&v, "response_received_count"), 3);
    kumo_val_clear(&v);
    v = parse_json(&got[R_PREFS], "prefs");
    const kumo_value *text = kumo__json_get(&v, "text");
    cr_assert(text && strstr(text->u.str.s, "Live References\n\n"));
    cr_assert(strstr(got[R_PREFS].body, "{\"name\": \"Request\", \"live\": "));
    kumo_val_clear(&v);
    v = parse_json(&got[R_EST], "est");
    text = kumo__json_get(&v, "text");
    cr_assert(text && strstr(text->u.str.s, "Execution engine status\n\n"));
    json_int(&v, "scheduler_len");
    kumo_val_clear(&v);
    v = parse_json(&got[R_HEAP], "heap");
    cr_assert_gt(json_int(&v, "rss"), 0);
    cr_assert_gt(json_int(&v, "heap_bytes"), 0);
    cr_assert(strstr(got[R_HEAP].body, "{\"type\": \"str\", \"count\": "));
    kumo_val_clear(&v);
    v = parse_json(&got[R_LIVE1], "live");
    int64_t pages1 = live_last(&v, "pages");
    cr_assert_geq(pages1, 3);
    cr_assert_gt(live_last(&v, "rss"), 0);
    cr_assert(strstr(got[R_LIVE1].body, "\"live\": {\"Request\": ["));
    kumo_val_clear(&v);

    /* the buttons: POST only, pause shows, stop is graceful */
    cr_assert_eq(got[R_PAUSE].status, 200);
    cr_assert(strstr(got[R_PAUSE].body, "\"paused\": true"));
    cr_assert(strstr(got[R_LIVE_PAUSED].body, "\"paused\": true"));
    cr_assert(strstr(got[R_UNPAUSE].body, "\"paused\": false"));
    cr_assert_eq(got[R_STOP_GET].status, 405);
    cr_assert_eq(got[R_STOP].status, 200, "POST /api/stop: %d\n%s", got[R_STOP].status,
                 got[R_STOP].head ? got[R_STOP].head : "(no answer)");
    cr_assert(strstr(got[R_STOP].body, "\"closing\": true"));
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "shutdown");

    /* the page, the rest */
    size_t len;
    const char *page = kumo__webpage(&len);
    cr_assert_eq(got[R_PAGE].status, 200);
    cr_assert_eq(got[R_PAGE].len, len);
    cr_assert(strstr(got[R_PAGE].head, "Content-Security-Policy: default-src 'none'"));
    cr_assert_eq(memcmp(got[R_PAGE].body, page, len), 0);
    cr_assert_eq(got[R_NOTFOUND].status, 404);
    cr_assert(got[R_BIGHEAD].status == 0 || got[R_BIGHEAD].status >= 400,
              "a 10 KB header got %d", got[R_BIGHEAD].status);

    /* a client that never finished its request did not stop the crawl or the others */
    v = parse_json(&got[R_LIVE2], "live after the slow client");
    cr_assert_gt(live_last(&v, "pages"), pages1);
    kumo_val_clear(&v);

    for (int i = 0; i < R_COUNT; i++)
        kumo_webreply_free(&got[i]);
    kumo_testcrawl_fini(&t);
}

/* Off by default; a bad port range is one clear line. */
/* Stop on a paused crawl with nothing in flight: the crawl closes at once, and the answer
 * still reaches the client, with the end of its connection. */
static kumo_webreply idle_stop;
static double idle_stop_took;

/* Whether GET target's answer holds needle (one request). */
static bool answer_has(kumo_webwatch *w, const char *target, const char *const *headers,
                       const char *needle)
{
    kumo_webreply r;
    kumo_webwatch_http(w, "GET", target, headers, &r);
    bool has = r.body && strstr(r.body, needle);
    kumo_webreply_free(&r);
    return has;
}

static void stop_when_idle(kumo_webwatch *w)
{
    char bearer[128];
    snprintf(bearer, sizeof(bearer), "Authorization: Bearer %s", w->token);
    const char *const b[] = {bearer, NULL};
    /* a page in, then paused, then nothing in flight (each bounded: 10 s) */
    for (int i = 0; i < 200 && !answer_has(w, "/api/stats", b, "\"response_received_count\""); i++)
        usleep(50000);
    kumo_webreply r;
    kumo_webwatch_http(w, "POST", "/api/pause", b, &r);
    kumo_webreply_free(&r);
    for (int i = 0; i < 200 && !answer_has(w, "/metrics", b, "\nkumo_in_flight{spider=\"probe\"} 0\n");
         i++)
        usleep(50000);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    kumo_webwatch_http(w, "POST", "/api/stop", b, &idle_stop);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    idle_stop_took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

Test(webservice, stop_is_answered_when_the_crawl_closes_at_once)
{
    kumo_testcrawl t;
    kumo_testcrawl_init(&t);
    kumo_webwatch w = {0};
    const char *const kv[] = {"CLOSESPIDER_TIMEOUT", "60", NULL};
    const char *const args[] = {"urls", "/depth/0", NULL};
    cr_assert_eq(kumo_webwatch_run(&t, &w, kv, args, stop_when_idle), KUMO_OK, "%s", t.err);
    cr_assert_eq(idle_stop.status, 200, "POST /api/stop: %d", idle_stop.status);
    cr_assert(strstr(idle_stop.body, "\"closing\": true"), "%s", idle_stop.body);
    /* the client reads to the end of the connection: it ended with the answer, not at the
     * client's 10 s bound */
    cr_assert_lt(idle_stop_took, 9, "the answer took %.1f s", idle_stop_took);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "shutdown");
    kumo_webreply_free(&idle_stop);
    kumo_testcrawl_fini(&t);
}

Test(webservice, off_by_default_and_bad_ports)
{
    kumo_testcrawl t;
    kumo_testcrawl_init(&t);
    const char *const args[] = {"urls", "/ok", "follow", "0", NULL};
    const char *const off[] = {"TELNETCONSOLE_ENABLED", "0", NULL};
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, off, args), KUMO_OK);
    cr_assert_eq(kumo_testcrawl_stat(&t, "webservice/requests", -1), -1);
    const char *const bad[] = {"WEBSERVICE_ENABLED", "1", "WEBSERVICE_PORT", "6100,6080", NULL};
    cr_assert_neq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, bad, args), KUMO_OK);
    cr_assert_str_eq(t.err, "invalid value '6100,6080' for WEBSERVICE_PORT: expected a port, "
                     "a range such as 6080,6100, or 0 for any free port");
    kumo_testcrawl_fini(&t);
}
