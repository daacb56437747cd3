/* test_cookiejar.c - the RFC 6265 cookie jar: storage rules, Cookie headers, dates, limits. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "http/cookiejar.h"
#include "lib/peer.h"
#include "util/json.h"
#include "lib/leakcheck.h"

static void setup(void)
{
    kumo_leakcheck_start();
}

TestSuite(cookiejar, .init = setup, .fini = kumo_leakcheck_end);

#define NOW 1700000000
#define EX "http://example.com"
#define PAST "Wed, 21 Oct 2015 07:28:00 GMT"
#define FUTURE "Wed, 21 Oct 2099 07:28:00 GMT"

/* Set-Cookie values received from `from` (each with its expected return code), then the
 * Cookie header a request to `to` gets `later` seconds afterwards. */
static const struct {
    const char *from;
    const char *set[3];
    int rc[3];
    const char *to;
    int later;
    const char *want;           /* NULL: no Cookie header */
} cases[] = {
    /* host-only and domain cookies */
    {EX "/", {"a=1"}, {KUMO_OK}, EX "/x", 0, "a=1"},
    {EX "/", {"a=1"}, {KUMO_OK}, "http://www.example.com/", 0, NULL},
    {EX "/", {"a=1"}, {KUMO_OK}, "http://badexample.com/", 0, NULL},
    {EX "/", {"a=1; Domain=example.com"}, {KUMO_OK}, "http://www.example.com/", 0, "a=1"},
    {EX "/", {"a=1; Domain=.EXAMPLE.com"}, {KUMO_OK}, "http://a.b.example.com/", 0, "a=1"},
    {EX "/", {"a=1; Domain=example.com"}, {KUMO_OK}, "http://badexample.com/", 0, NULL},
    {"http://www.example.com/", {"a=1; Domain=other.com"}, {KUMO_EIGNORED}, EX, 0, NULL},
    {EX "/", {"a=1; Domain=www.example.com"}, {KUMO_EIGNORED}, "http://www.example.com/", 0,
     NULL},
    {EX "/", {"a=1; Domain=com"}, {KUMO_EIGNORED}, "http://other.com/", 0, NULL},
    {"http://www.shop.co.uk/", {"a=1; Domain=co.uk"}, {KUMO_EIGNORED}, "http://x.co.uk/", 0,
     NULL},
    {"http://www.shop.co.uk/", {"a=1; Domain=shop.co.uk"}, {KUMO_OK}, "http://shop.co.uk/", 0,
     "a=1"},
    {"http://localhost/", {"a=1; Domain=localhost"}, {KUMO_OK}, "http://localhost:8080/", 0,
     "a=1"},
    /* the whole public-suffix list (libpsl), ICANN and private entries */
    {"http://www.city.kawasaki.jp/", {"a=1; Domain=kawasaki.jp"}, {KUMO_EIGNORED},
     "http://x.kawasaki.jp/", 0, NULL},
    {"http://www.city.kawasaki.jp/", {"a=1; Domain=city.kawasaki.jp"}, {KUMO_OK},
     "http://city.kawasaki.jp/", 0, "a=1"},
    {"http://b.s3.dualstack.us-east-1.amazonaws.com/",
     {"a=1; Domain=s3.dualstack.us-east-1.amazonaws.com"}, {KUMO_EIGNORED},
     "http://c.s3.dualstack.us-east-1.amazonaws.com/", 0, NULL},
    {"http://me.github.io/", {"a=1; Domain=github.io"}, {KUMO_EIGNORED},
     "http://you.github.io/", 0, NULL},
    {"http://www.shop.com.ua/", {"a=1; Domain=com.ua"}, {KUMO_EIGNORED}, "http://x.com.ua/", 0,
     NULL},
    /* a suffix names itself from that very host: host-only */
    {"http://github.io/", {"a=1; Domain=github.io"}, {KUMO_OK}, "http://me.github.io/", 0,
     NULL},
    /* an unlisted name is a name: its subdomains share it */
    {"http://a.intranet.corp/", {"a=1; Domain=intranet.corp"}, {KUMO_OK},
     "http://b.intranet.corp/", 0, "a=1"},
    {EX "/", {"a=1; Domain="}, {KUMO_OK}, "http://www.example.com/", 0, NULL},
    /* IP addresses only match themselves */
    {"http://127.0.0.1/", {"a=1; Domain=0.0.1"}, {KUMO_EIGNORED}, "http://127.0.0.1/", 0,
     NULL},
    {"http://127.0.0.1:81/", {"a=1; Domain=127.0.0.1"}, {KUMO_OK}, "http://127.0.0.1:82/", 0,
     "a=1"},
    {"http://[::1]:8080/x", {"a=1"}, {KUMO_OK}, "http://[::1]/y", 0, "a=1"},
    /* paths */
    {EX "/dir/page", {"a=1"}, {KUMO_OK}, EX "/dir/other?q", 0, "a=1"},
    {EX "/dir/page", {"a=1"}, {KUMO_OK}, EX "/dir", 0, "a=1"},
    {EX "/dir/page", {"a=1"}, {KUMO_OK}, EX "/", 0, NULL},
    {EX "/dir/page", {"a=1"}, {KUMO_OK}, EX "/dirx/page", 0, NULL},
    {EX "/", {"a=1; Path=/docs"}, {KUMO_OK}, EX "/docs/x", 0, "a=1"},
    {EX "/", {"a=1; Path=/docs"}, {KUMO_OK}, EX "/docsx", 0, NULL},
    {EX "/", {"a=1; Path=/docs/"}, {KUMO_OK}, EX "/docs", 0, NULL},
    {EX "/d/p", {"a=1; Path=relative"}, {KUMO_OK}, EX "/d/q", 0, "a=1"},
    {EX "/d/p", {"a=1; Path=relative"}, {KUMO_OK}, EX "/", 0, NULL},
    {EX "/", {"a=1; Path=/", "a=2; Path=/x"}, {KUMO_OK, KUMO_OK}, EX "/x/y", 0, "a=2; a=1"},
    {EX "/", {"b=1", "a=1", "c=1; Path=/x"}, {KUMO_OK, KUMO_OK, KUMO_OK}, EX "/x", 0,
     "c=1; b=1; a=1"},
    /* Secure: only from and to https (and localhost, as libcurl) */
    {EX "/", {"a=1; Secure"}, {KUMO_EIGNORED}, EX "/", 0, NULL},
    {"https://example.com/", {"a=1; Secure"}, {KUMO_OK}, EX "/", 0, NULL},
    {"https://example.com/", {"a=1; Secure"}, {KUMO_OK}, "https://example.com/", 0, "a=1"},
    {"http://127.0.0.1/", {"a=1; Secure"}, {KUMO_OK}, "http://127.0.0.1/", 0, "a=1"},
    {"https://example.com/", {"a=1; Secure", "a=2"}, {KUMO_OK, KUMO_OK}, "https://example.com/",
     0, "a=2"},
    {"https://example.com/", {"a=1; Secure"}, {KUMO_OK}, EX "/", 0, NULL},
    {"https://example.com/", {"__Host-a=1; Secure; Path=/"}, {KUMO_OK}, "https://example.com/",
     0, "__Host-a=1"},
    {"https://example.com/", {"__Host-a=1; Secure; Path=/; Domain=example.com"},
     {KUMO_EIGNORED}, "https://example.com/", 0, NULL},
    {"https://example.com/", {"__Host-a=1; Secure; Path=/x"}, {KUMO_EIGNORED},
     "https://example.com/x", 0, NULL},
    {"https://example.com/", {"__Secure-a=1"}, {KUMO_EIGNORED}, "https://example.com/", 0,
     NULL},
    {"https://example.com/", {"__Secure-a=1; Secure"}, {KUMO_OK}, "https://example.com/", 0,
     "__Secure-a=1"},
    /* HttpOnly kept, SameSite and unknown attributes ignored */
    {EX "/", {"a=1; HttpOnly; SameSite=Strict; Priority=High"}, {KUMO_OK}, EX "/", 0, "a=1"},
    /* Expires, Max-Age, deletion */
    {EX "/", {"a=1", "a=2; Max-Age=0"}, {KUMO_OK, KUMO_EDONE}, EX "/", 0, NULL},
    {EX "/", {"a=1", "a=2; Max-Age=-5"}, {KUMO_OK, KUMO_EDONE}, EX "/", 0, NULL},
    {EX "/", {"a=1", "a=2; Expires=" PAST}, {KUMO_OK, KUMO_EDONE}, EX "/", 0, NULL},
    {EX "/", {"a=1", "a=2; Max-Age=0; Path=/x"}, {KUMO_OK, KUMO_EDONE}, EX "/x", 0, "a=1"},
    {EX "/", {"a=1; Max-Age=100; Expires=" PAST}, {KUMO_OK}, EX "/", 0, "a=1"},
    {EX "/", {"a=1; Expires=" FUTURE "; Max-Age=0"}, {KUMO_EDONE}, EX "/", 0, NULL},
    {EX "/", {"a=1; Max-Age=10"}, {KUMO_OK}, EX "/", 9, "a=1"},
    {EX "/", {"a=1; Max-Age=10"}, {KUMO_OK}, EX "/", 10, NULL},
    {EX "/", {"a=1; Max-Age=ten"}, {KUMO_OK}, EX "/", 1000000, "a=1"},
    {EX "/", {"a=1; Expires=" FUTURE}, {KUMO_OK}, EX "/", 1000000, "a=1"},
    {EX "/", {"a=1; Expires=not a date"}, {KUMO_OK}, EX "/", 0, "a=1"},
    /* replacement, syntax */
    {EX "/", {"a=1", "a=2"}, {KUMO_OK, KUMO_OK}, EX "/", 0, "a=2"},
    {EX "/", {"a=1", "a=2; Domain=example.com"}, {KUMO_OK, KUMO_OK}, EX "/", 0, "a=2"},
    {EX "/", {"  a = 1 ;path=/ ; secure"}, {KUMO_EIGNORED}, EX "/", 0, NULL},
    {EX "/", {"  a = 1 ;path=/ "}, {KUMO_OK}, EX "/", 0, "a=1"},
    {EX "/", {"a=\"x y\"; Path=/"}, {KUMO_OK}, EX "/", 0, "a=\"x y\""},
    {EX "/", {"a=b=c"}, {KUMO_OK}, EX "/", 0, "a=b=c"},
    /* empty names are kept (RFC 6265bis, browsers) and one replaces the other */
    {EX "/", {"token"}, {KUMO_OK}, EX "/", 0, "token"},
    {EX "/", {"=ABC", "a=1", "DEF"}, {KUMO_OK, KUMO_OK, KUMO_OK}, EX "/", 0, "DEF; a=1"},
    /* but not one whose value reads as a prefixed name (RFC 6265bis 5.7) */
    {"https://example.com/", {"__Host-x; Secure; Path=/"}, {KUMO_EIGNORED},
     "https://example.com/", 0, NULL},
    {EX "/", {"=__secure-a=1"}, {KUMO_EIGNORED}, EX "/", 0, NULL},
    {"https://example.com/", {"__Secure-a; Secure"}, {KUMO_EIGNORED}, "https://example.com/",
     0, NULL},
    {EX "/", {"a="}, {KUMO_OK}, EX "/", 0, "a="},
    {EX "/", {""}, {KUMO_ESYNTAX}, EX "/", 0, NULL},
    {EX "/", {"=; Path=/"}, {KUMO_ESYNTAX}, EX "/", 0, NULL},
    {EX "/", {"a=1\x01"}, {KUMO_ESYNTAX}, EX "/", 0, NULL},
    {"ftp://example.com/", {"a=1"}, {KUMO_EURL}, EX "/", 0, NULL},
    {"not a url", {"a=1"}, {KUMO_EURL}, EX "/", 0, NULL},
};

Test(cookiejar, table)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_cookiejar *jar = kumo__cookiejar_new();
        for (size_t j = 0; j < 3 && cases[i].set[j]; j++) {
            int rc = kumo__cookiejar_set(jar, cases[i].from, cases[i].set[j], NOW);
            cr_expect_eq(rc, cases[i].rc[j], "case %zu: set '%s' from %s: %s, want %s", i,
                         cases[i].set[j], cases[i].from, kumo_errname(rc),
                         kumo_errname(cases[i].rc[j]));
        }
        char *h = kumo__cookiejar_header(jar, cases[i].to, NOW + cases[i].later);
        if (cases[i].want)
            cr_expect(h && strcmp(h, cases[i].want) == 0, "case %zu: to %s: got '%s', want '%s'",
                      i, cases[i].to, h ? h : "(none)", cases[i].want);
        else
            cr_expect_null(h, "case %zu: to %s: got '%s', want none", i, cases[i].to, h);
        kumo_free(h);
        kumo__cookiejar_free(jar);
    }
}

/* What is stored: flags, domain, path, expiry. */
Test(cookiejar, stored_fields)
{
    kumo_cookiejar *jar = kumo__cookiejar_new();
    cr_assert_eq(kumo__cookiejar_set(jar, "https://WWW.Example.com/a/b",
                                    "sid=xyz; Domain=.example.COM; Secure; HttpOnly; "
                                    "Max-Age=60; SameSite=Lax", NOW), KUMO_OK);
    cr_assert_eq(kumo__cookiejar_set(jar, "https://www.example.com/a/b", "s=1", NOW), KUMO_OK);
    cr_assert_eq(kumo__cookiejar_count(jar), 2);
    kumo_cookie_info ci;
    cr_assert(kumo__cookiejar_at(jar, 0, &ci));
    cr_expect_str_eq(ci.name, "sid");
    cr_expect_str_eq(ci.value, "xyz");
    cr_expect_str_eq(ci.domain, "example.com");
    cr_expect_str_eq(ci.path, "/a");
    cr_expect(!ci.host_only && ci.secure && ci.http_only && ci.persistent);
    cr_expect_eq(ci.expires, NOW + 60);
    cr_assert(kumo__cookiejar_at(jar, 1, &ci));
    cr_expect_str_eq(ci.domain, "www.example.com");
    cr_expect(ci.host_only && !ci.secure && !ci.http_only && !ci.persistent);
    cr_expect(!kumo__cookiejar_at(jar, 2, &ci));
    cr_expect(kumo__cookiejar_sends(jar, "https://www.example.com/a/x", "s", "1", NOW));
    cr_expect(!kumo__cookiejar_sends(jar, "https://www.example.com/a/x", "s", "2", NOW));
    cr_expect(!kumo__cookiejar_sends(jar, "https://www.example.com/", "s", "1", NOW));
    kumo__cookiejar_free(jar);
}

/* A replaced cookie keeps its place (creation time) in the Cookie header order. */
Test(cookiejar, replace_keeps_creation)
{
    kumo_cookiejar *jar = kumo__cookiejar_new();
    kumo__cookiejar_set(jar, EX "/", "a=1", NOW);
    kumo__cookiejar_set(jar, EX "/", "b=1", NOW);
    kumo__cookiejar_set(jar, EX "/", "a=2", NOW);
    char *h = kumo__cookiejar_header(jar, EX "/", NOW);
    cr_expect_str_eq(h, "a=2; b=1");
    kumo_free(h);
    kumo__cookiejar_free(jar);
}

/* A hostile server cannot grow the jar without bound. */
Test(cookiejar, limits)
{
    kumo_cookiejar *jar = kumo__cookiejar_new();
    char sc[64];
    for (int i = 0; i < 200; i++) {
        snprintf(sc, sizeof(sc), "c%d=%d", i, i);
        cr_assert_eq(kumo__cookiejar_set(jar, EX "/", sc, NOW), KUMO_OK);
    }
    cr_expect_eq(kumo__cookiejar_count(jar), KUMO_COOKIE_MAX_PER_DOMAIN);
    cr_expect(!kumo__cookiejar_sends(jar, EX "/", "c0", "0", NOW), "the oldest went first");
    cr_expect(kumo__cookiejar_sends(jar, EX "/", "c199", "199", NOW));
    for (int d = 0; d < 30; d++) {
        char url[64];
        snprintf(url, sizeof(url), "http://h%d.example.org/", d);
        for (int i = 0; i < 120; i++) {
            snprintf(sc, sizeof(sc), "c%d=%d", i, i);
            kumo__cookiejar_set(jar, url, sc, NOW);
        }
    }
    cr_expect_eq(kumo__cookiejar_count(jar), KUMO_COOKIE_MAX_PER_JAR);

    /* one cookie: name + value at most 4096 bytes */
    char *big = kumo_alloc(KUMO_COOKIE_MAX_NAMEVALUE + 16, KUMO_T_STR, KUMO_V_NONE);
    memset(big, 'v', KUMO_COOKIE_MAX_NAMEVALUE + 15);
    big[0] = 'n';
    big[1] = '=';
    big[KUMO_COOKIE_MAX_NAMEVALUE + 15] = '\0';
    cr_expect_eq(kumo__cookiejar_set(jar, EX "/", big, NOW), KUMO_ETOOBIG);
    big[KUMO_COOKIE_MAX_NAMEVALUE + 1] = '\0';
    cr_expect_eq(kumo__cookiejar_set(jar, EX "/", big, NOW), KUMO_OK);
    big[0] = 'm';
    kumo__cookiejar_set(jar, EX "/", big, NOW);
    big[0] = 'o';
    kumo__cookiejar_set(jar, EX "/", big, NOW);
    kumo_free(big);
    /* the Cookie header stays under its cap: one of the three big ones fits */
    char *h = kumo__cookiejar_header(jar, EX "/x", NOW);
    cr_assert_not_null(h);
    cr_expect_leq(strlen(h), KUMO_COOKIE_MAX_HEADER);
    cr_expect_geq(strlen(h), KUMO_COOKIE_MAX_NAMEVALUE);
    kumo_free(h);
    kumo__cookiejar_free(jar);
}

/* The memory shows up under the via "['cookies']". */
Test(cookiejar, heap_via)
{
    kumo_cookiejar *jar = kumo__cookiejar_new();
    kumo__cookiejar_set(jar, EX "/", "a=1", NOW);
    kumo_tag via = kumo_via_intern("\"['cookies']\"");
    kumo_heap_counter cs[512];
    size_t n = kumo_heap_snapshot(cs, KUMO_ARRAY_LEN(cs));
    uint64_t count = 0;
    for (size_t i = 0; i < n && i < KUMO_ARRAY_LEN(cs); i++)
        if (cs[i].via == via)
            count += cs[i].count;
    cr_expect_geq(count, 3, "jar, its array and the cookie: %llu", (unsigned long long)count);
    kumo__cookiejar_free(jar);
}

static const struct {
    const char *s;
    int rc;
    int64_t t;
} dates[] = {
    {"Wed, 21 Oct 2015 07:28:00 GMT", KUMO_OK, 1445412480},
    {"Sunday, 06-Nov-94 08:49:37 GMT", KUMO_OK, 784111777},
    {"Sun Nov  6 08:49:37 1994", KUMO_OK, 784111777},
    {"sun, 6 nov 1994 8:49:37", KUMO_OK, 784111777},
    {"Thu, 01 Jan 1970 00:00:00 GMT", KUMO_OK, 0},
    {"01 Jan 70 00:00:00", KUMO_OK, 0},
    {"29 Feb 2000 00:00:00", KUMO_OK, 951782400},
    {"Wed, 21 Oct 2099 07:28:00 GMT", KUMO_OK, 4096250880},
    {"29 Feb 2001 00:00:00", KUMO_ESYNTAX, 0},
    {"31 Apr 2001 00:00:00", KUMO_ESYNTAX, 0},
    {"Wed, 21 Oct 1600 07:28:00 GMT", KUMO_ESYNTAX, 0},
    {"Wed, 21 Oct 2015 25:28:00 GMT", KUMO_ESYNTAX, 0},
    {"Wed, 21 Oct 2015", KUMO_ESYNTAX, 0},
    {"Wed, 32 Oct 2015 07:28:00 GMT", KUMO_ESYNTAX, 0},
    {"garbage", KUMO_ESYNTAX, 0},
    {"", KUMO_ESYNTAX, 0},
};

Test(cookiejar, dates)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(dates); i++) {
        int64_t t = -1;
        int rc = kumo__cookie_date_parse(dates[i].s, &t);
        cr_expect_eq(rc, dates[i].rc, "'%s': %s", dates[i].s, kumo_errname(rc));
        if (rc == KUMO_OK)
            cr_expect_eq(t, dates[i].t, "'%s': %lld, want %lld", dates[i].s, (long long)t,
                         (long long)dates[i].t);
    }
}

/*
 * The IETF http-state parser tests (github.com/abarth/http-state, the case table in
 * ../shared/peer/cookie_cases.json), run on the jar as the suite's client: the headers of
 * GET http://home.example.org:8888/cookie-parser?ID stored in order, then the Cookie
 * header of the request to the Location (when there is one) or to
 * /cookie-parser-result?ID.  The disabled-* tests are not run (they are disabled
 * upstream).  The cases kumo decides otherwise are listed here and in doc/real-sites.md; a listed
 * case that passes fails the test too, so the list stays true.
 */
static const char *const http_state_differences[] = {
    /* all of them: kumo keeps a cookie with an empty name (no '=' or nothing before it) as
     * RFC 6265bis and every browser do, and sends its value alone; the suite follows RFC
     * 6265 section 5.2, which ignores it */
    "0004",         /* "foo" */
    "0021",         /* "=x" between a=b and c=d */
    "0023",         /* "foo" then "" */
    "0024",         /* "foo" then "=" */
    "0025",         /* "foo" then "; bar" */
    "0026",         /* "foo" then "" */
    "0027",         /* "foo" then "bar": the second replaces the first */
    "0028",         /* "foo" then "" */
    "chromium0009", /* "BLAHHH; path=/;" */
    "chromium0010", /* a quoted value without a name */
    "chromium0012", /* "=ABC" */
    "mozilla0012",  /* "five; max-age=2.63," after a named cookie */
    "mozilla0014",  /* "six" */
    "mozilla0015",  /* "six" then "seven" */
    "mozilla0016",  /* "six", "seven", "=eight" */
    "mozilla0017",  /* the same and test=six */
    "name0017",     /* "=a=bar": sent as "a=bar" */
    "name0023",     /* "foo;bar=baz": "bar=baz" is an attribute */
    "name0025",     /* "===a=bar" */
    "name0028",     /* "=a" */
    "name0031",     /* '"foo;bar"=baz': the pair ends at ';' */
    "name0032",     /* the same with an escaped quote */
    "name0033",     /* "=foo=bar" then "aaa" */
};

#define SUITE_ORIGIN "http://home.example.org:8888"

Test(cookiejar, http_state_suite)
{
    kumo_value doc;
    const kumo_value *table;
    char why[512];
    if (!kumo_peer_load("cookie_cases.json", &doc, &table, why, sizeof(why)))
        cr_skip_test("%s", why);
    size_t run = 0, passed = 0, listed_seen = 0;
    for (size_t i = 0; i < table->u.list->len; i++) {
        const kumo_value *c = &table->u.list->v[i];
        const char *id = kumo_peer_str(c, "id", "?");
        const kumo_value *disabled = kumo__json_get(c, "disabled");
        const kumo_value *headers = kumo__json_get(c, "headers");
        if ((disabled && disabled->type == KUMO_VAL_BOOL && disabled->u.b) || !headers ||
            headers->type != KUMO_VAL_LIST)
            continue;
        char url[512];
        snprintf(url, sizeof(url), SUITE_ORIGIN "/cookie-parser?%s", id);
        kumo_cookiejar *jar = kumo__cookiejar_new();
        char next[1024];
        snprintf(next, sizeof(next), SUITE_ORIGIN "/cookie-parser-result?%s", id);
        for (size_t h = 0; h < headers->u.list->len; h++) {
            const kumo_value *pair = &headers->u.list->v[h];
            cr_assert(pair->type == KUMO_VAL_LIST && pair->u.list->len == 2);
            const char *name = pair->u.list->v[0].u.str.s;
            const char *value = pair->u.list->v[1].u.str.s;
            if (strcasecmp(name, "Set-Cookie") == 0)
                kumo__cookiejar_set(jar, url, value, NOW);
            else if (strcasecmp(name, "Location") == 0)
                snprintf(next, sizeof(next), "%s%s", value[0] == '/' ? SUITE_ORIGIN : "",
                         value);
        }
        char *got = kumo__cookiejar_header(jar, next, NOW);
        kumo__cookiejar_free(jar);
        const char *want = kumo_peer_str(c, "expected", NULL);
        bool ok = want && got ? strcmp(want, got) == 0 : want == got;
        bool listed = kumo_peer_listed(http_state_differences,
                                       KUMO_ARRAY_LEN(http_state_differences), id);
        run++;
        passed += ok;
        listed_seen += listed;
        cr_expect(ok || listed, "case %s: want Cookie %s%s%s, kumo sends %s%s%s", id,
                  want ? "'" : "", want ? want : "(none)", want ? "'" : "", got ? "'" : "",
                  got ? got : "(none)", got ? "'" : "");
        cr_expect(!(ok && listed), "case %s passes: take it off http_state_differences", id);
        kumo_free(got);
    }
    cr_log_info("http-state cookie suite: %zu of %zu cases pass", passed, run);
    cr_expect_eq(listed_seen, KUMO_ARRAY_LEN(http_state_differences),
                 "http_state_differences names cases the table does not run");
    kumo_val_clear(&doc);
}
