/* cache_policy.c - the Dummy and RFC2616 HTTP cache policies and HTTP date parsing. */
#include "http/cache_policy.h"

#include <ctype.h>
#include <math.h>
#include <time.h>

/* Scrapy's RFC2616Policy.MAXAGE: a year, for 300/301/308 without expiration info. */
#define MAXAGE (3600.0 * 24 * 365)

/* ---- names ---- */

int kumo__cache_policy_kind_parse(const char *name, kumo_cache_policy_kind *out)
{
    static const struct {
        const char *name;
        kumo_cache_policy_kind kind;
    } names[] = {
        {"Dummy", KUMO_CACHE_DUMMY},
        {"DummyPolicy", KUMO_CACHE_DUMMY},
        {"scrapy.extensions.httpcache.DummyPolicy", KUMO_CACHE_DUMMY},
        {"RFC2616", KUMO_CACHE_RFC2616},
        {"RFC2616Policy", KUMO_CACHE_RFC2616},
        {"scrapy.extensions.httpcache.RFC2616Policy", KUMO_CACHE_RFC2616},
    };
    for (size_t i = 0; name && i < KUMO_ARRAY_LEN(names); i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].kind;
            return KUMO_OK;
        }
    }
    return KUMO_EINVAL;
}

/* Free an owned array of n owned strings. */
static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kumo_free(v[i]);
    kumo_free(v);
}

void kumo__cache_policy_release(kumo_cache_policy *p)
{
    free_strs(p->ignore_schemes, p->nschemes);
    free_strs(p->ignore_cc, p->ncc);
    kumo_free(p->ignore_codes);
    memset(p, 0, sizeof(*p));
}

/* ---- headers ---- */

/* The last value of name, as Scrapy's Headers.get() returns it, or NULL.  Borrowed. */
static const char *last_header(const kumo_headers *h, const char *name)
{
    const char *found = NULL;
    size_t n = h ? kumo_headers_count(h) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *k, *v;
        kumo_headers_at(h, i, &k, &v);
        if (strcasecmp(k, name) == 0)
            found = v;
    }
    return found;
}

/* One Cache-Control directive looked up as Scrapy's parse_cachecontrol() dict would be. */
typedef struct ccval {
    bool present;
    bool has_value;         /* "key=value" (value may be empty) rather than "key" */
    char value[64];         /* truncated */
} ccval;

static bool ignored_cc(const kumo_cache_policy *p, const char *key, size_t n)
{
    for (size_t i = 0; i < p->ncc; i++)
        if (strlen(p->ignore_cc[i]) == n && strncasecmp(p->ignore_cc[i], key, n) == 0)
            return true;
    return false;
}

/*
 * Look key (lower case) up in the Cache-Control of h.  The last directive wins, as in a
 * Python dict.  p non-NULL: a response's header, whose ignored directives are dropped.
 */
static ccval cc_get(const kumo_cache_policy *p, const kumo_headers *h, const char *key)
{
    ccval out = {false, false, ""};
    const char *cc = last_header(h, "Cache-Control");
    size_t klen = strlen(key);
    while (cc && *cc) {
        size_t len = strcspn(cc, ",");
        const char *a = cc, *b = cc + len;
        cc += len + (cc[len] == ',');
        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            b--;
        const char *eq = memchr(a, '=', (size_t)(b - a));
        size_t kn = (size_t)((eq ? eq : b) - a);
        if (kn == 0 || kn != klen || strncasecmp(a, key, kn) != 0)
            continue;
        if (p && ignored_cc(p, a, kn))
            continue;
        out.present = true;
        out.has_value = eq != NULL;
        out.value[0] = '\0';
        if (eq)
            snprintf(out.value, sizeof(out.value), "%.*s", (int)(b - eq - 1), eq + 1);
    }
    return out;
}

/* Python's int() of a directive value or header: optional spaces and sign, digits, '_'
 * between digits.  Returns false when it would raise. */
static bool py_int(const char *s, bool has_value, double *out)
{
    if (!has_value || !s)
        return false;
    while (isspace((unsigned char)*s))
        s++;
    int sign = 1;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)*s))
        return false;
    double v = 0;
    while (isdigit((unsigned char)*s) || (*s == '_' && isdigit((unsigned char)s[1]))) {
        if (*s != '_')
            v = v * 10 + (*s - '0');
        s++;
    }
    while (isspace((unsigned char)*s))
        s++;
    if (*s)
        return false;
    *out = sign * v;
    return true;
}

/* Scrapy's _get_max_age(): max(0, int(cc["max-age"])), or false. */
static bool max_age(ccval v, double *out)
{
    double a;
    if (!v.present || !py_int(v.value, v.has_value, &a))
        return false;
    *out = a < 0 ? 0 : a;
    return true;
}

/* rfc1123_to_epoch(): a date, or 0 when missing or unparsable (falsy, as in Python). */
static double header_date(const kumo_headers *h, const char *name)
{
    double t;
    const char *v = last_header(h, name);
    if (!v || kumo__http_date_parse(v, &t) != KUMO_OK)
        return 0;
    return t;
}

/* ---- the policies ---- */

bool kumo__cache_policy_should_cache_request(const kumo_cache_policy *p, const char *url,
                                            const kumo_headers *reqh)
{
    /* urlparse(url).scheme: letters, digits, + - . before the first ':' */
    size_t n = url ? strcspn(url, ":") : 0;
    if (url && url[n] == ':') {
        for (size_t i = 0; i < p->nschemes; i++)
            if (strlen(p->ignore_schemes[i]) == n && strncasecmp(url, p->ignore_schemes[i], n)
                == 0)
                return false;
    }
    if (p->kind == KUMO_CACHE_DUMMY)
        return true;
    return !cc_get(NULL, reqh, "no-store").present;
}

bool kumo__cache_policy_should_cache_response(const kumo_cache_policy *p, int status,
                                             const kumo_headers *h)
{
    if (p->kind == KUMO_CACHE_DUMMY) {
        for (size_t i = 0; i < p->ncodes; i++)
            if (p->ignore_codes[i] == status)
                return false;
        return true;
    }
    if (cc_get(p, h, "no-store").present)
        return false;
    if (status == 304)
        return false;
    if (p->always_store)
        return true;
    if (cc_get(p, h, "max-age").present || last_header(h, "Expires"))
        return true;
    if (status == 300 || status == 301 || status == 308)
        return true;
    if (status == 200 || status == 203 || status == 401)
        return last_header(h, "Last-Modified") || last_header(h, "ETag");
    return false;
}

/* nsHttpResponseHead::ComputeFreshnessLifetime, as Scrapy has it. */
static double freshness_lifetime(const kumo_cache_policy *p, int status, const kumo_headers *h,
                                 double now)
{
    double maxage;
    if (max_age(cc_get(p, h, "max-age"), &maxage))
        return maxage;
    double date = header_date(h, "Date");
    if (!date)
        date = now;
    if (last_header(h, "Expires")) {
        double expires = header_date(h, "Expires");
        return expires ? KUMO_MAX(0, expires - date) : 0;
    }
    double lastmod = header_date(h, "Last-Modified");
    if (lastmod && lastmod <= date)
        return (date - lastmod) / 10;
    if (status == 300 || status == 301 || status == 308)
        return MAXAGE;
    return 0;
}

/* nsHttpResponseHead::ComputeCurrentAge, as Scrapy has it. */
static double current_age(const kumo_headers *h, double now)
{
    double age = 0, date = header_date(h, "Date"), a;
    if (!date)
        date = now;
    if (now > date)
        age = now - date;
    const char *hdr = last_header(h, "Age");
    if (hdr && py_int(hdr, true, &a))
        age = KUMO_MAX(age, a);
    return age;
}

bool kumo__cache_policy_is_fresh(const kumo_cache_policy *p, int status, const kumo_headers *h,
                                kumo_headers *reqh, double now)
{
    if (p->kind == KUMO_CACHE_DUMMY)
        return true;
    if (cc_get(p, h, "no-cache").present || cc_get(NULL, reqh, "no-cache").present)
        return false;
    double lifetime = freshness_lifetime(p, status, h, now);
    double age = current_age(h, now);
    double reqmax;
    if (max_age(cc_get(NULL, reqh, "max-age"), &reqmax))
        lifetime = KUMO_MIN(lifetime, reqmax);
    if (age < lifetime)
        return true;
    ccval stale = cc_get(NULL, reqh, "max-stale");
    if (stale.present && !cc_get(p, h, "must-revalidate").present) {
        double s;
        if (!stale.has_value)
            return true;
        if (py_int(stale.value, true, &s) && age < lifetime + KUMO_MAX(0, s))
            return true;
    }
    /* stale: ask the server with the validators the cached response has */
    const char *lm = last_header(h, "Last-Modified");
    const char *etag = last_header(h, "ETag");
    if (reqh && lm)
        kumo_headers_set(reqh, "If-Modified-Since", lm);
    if (reqh && etag)
        kumo_headers_set(reqh, "If-None-Match", etag);
    return false;
}

bool kumo__cache_policy_is_valid(const kumo_cache_policy *p, const kumo_headers *cached_h,
                                int status)
{
    if (p->kind == KUMO_CACHE_DUMMY)
        return true;
    if (status >= 500 && !cc_get(p, cached_h, "must-revalidate").present)
        return true;
    return status == 304;
}

/* ---- dates ---- */

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const mnames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12; day may overflow,
 * as mktime_tz lets it). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The month (1..12) that s[0..n) names by its first 3 letters, or -1 for none (not an
 * error code: the date just does not parse). */
static int month_of(const char *s, size_t n)
{
    if (n < 3)
        return -1;
    for (int i = 0; i < 12; i++)
        if (strncasecmp(s, months[i], 3) == 0)
            return i + 1;
    return -1;
}

/* The zones parsedate_tz knows by name, in hours east of UTC. */
static int zone_hours(const char *z, size_t n, int *hours)
{
    static const struct {
        const char *name;
        int h;
    } zones[] = {{"UT", 0},   {"UTC", 0},  {"GMT", 0},  {"Z", 0},    {"AST", -4},
                 {"ADT", -3}, {"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
                 {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(zones); i++) {
        if (strlen(zones[i].name) == n && strncasecmp(z, zones[i].name, n) == 0) {
            *hours = zones[i].h;
            return 1;
        }
    }
    return 0;
}

/* Split s into at most max tokens at spaces and commas; dashes split "06-Nov-94" too. */
static size_t tokens(const char *s, const char **tok, size_t *len, size_t max)
{
    size_t n = 0;
    while (*s && n < max) {
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        if (!*s)
            break;
        const char *a = s;
        while (*s && *s != ' ' && *s != '\t' && *s != ',')
            s++;
        tok[n] = a;
        len[n] = (size_t)(s - a);
        n++;
    }
    return n;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool parse_num(const char *s, size_t n, long *out)
{
    if (!all_digits(s, n) || n > 9)
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    *out = v;
    return true;
}

/* "HH:MM[:SS]" */
static bool parse_clock(const char *s, size_t n, long *h, long *m, long *sec)
{
    const char *c1 = memchr(s, ':', n);
    if (!c1)
        return false;
    const char *rest = c1 + 1;
    size_t rn = n - (size_t)(rest - s);
    const char *c2 = memchr(rest, ':', rn);
    *sec = 0;
    if (!parse_num(s, (size_t)(c1 - s), h))
        return false;
    if (!c2)
        return parse_num(rest, rn, m);
    return parse_num(rest, (size_t)(c2 - rest), m) &&
           parse_num(c2 + 1, n - (size_t)(c2 + 1 - s), sec);
}

int kumo__http_date_parse(const char *s, double *out)
{
    const char *tok[8];
    size_t len[8];
    char dashed[64];
    if (!s)
        return KUMO_EINVAL;
    /* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT": dashes become spaces */
    snprintf(dashed, sizeof(dashed), "%s", s);
    for (char *q = dashed; *q; q++)
        if (*q == '-' && q > dashed && isalnum((unsigned char)q[-1]) &&
            isalpha((unsigned char)q[1]))
            *q = ' ';
        else if (*q == '-' && q > dashed && isalpha((unsigned char)q[-1]) &&
                 isdigit((unsigned char)q[1]))
            *q = ' ';
    size_t n = tokens(dashed, tok, len, KUMO_ARRAY_LEN(tok));
    size_t i = 0;
    /* an optional weekday name */
    if (n > 0 && isalpha((unsigned char)tok[0][0]) && month_of(tok[0], len[0]) < 0)
        i++;
    long day, year, hh, mm, ss;
    int mon;
    if (n < i + 4)
        return KUMO_EINVAL;
    if (isalpha((unsigned char)tok[i][0])) {
        /* asctime: "Nov 6 08:49:37 1994" */
        mon = month_of(tok[i], len[i]);
        if (mon < 0 || !parse_num(tok[i + 1], len[i + 1], &day) ||
            !parse_clock(tok[i + 2], len[i + 2], &hh, &mm, &ss) ||
            !parse_num(tok[i + 3], len[i + 3], &year))
            return KUMO_EINVAL;
        i += 4;
    } else {
        /* "06 Nov 1994 08:49:37" */
        mon = month_of(tok[i + 1], len[i + 1]);
        if (mon < 0 || !parse_num(tok[i], len[i], &day) ||
            !parse_num(tok[i + 2], len[i + 2], &year) ||
            !parse_clock(tok[i + 3], len[i + 3], &hh, &mm, &ss))
            return KUMO_EINVAL;
        i += 4;
    }
    if (year < 100)
        year += year > 68 ? 1900 : 2000;
    long offset = 0;
    if (i < n) {
        const char *z = tok[i];
        size_t zn = len[i];
        int hours;
        long v;
        if ((z[0] == '+' || z[0] == '-') && parse_num(z + 1, zn - 1, &v)) {
            offset = (v / 100) * 3600 + (v % 100) * 60;
            if (z[0] == '-')
                offset = -offset;
        } else if (zone_hours(z, zn, &hours)) {
            offset = hours * 3600L;
        }
    }
    int64_t days = days_from_civil(year, mon, day);
    *out = (double)days * 86400 + (double)hh * 3600 + (double)mm * 60 + (double)ss -
           (double)offset;
    return KUMO_OK;
}

char *kumo__http_date_format(double t, char *buf, size_t n)
{
    time_t tt = (time_t)floor(t);
    struct tm tm;
    gmtime_r(&tt, &tm);
    snprintf(buf, n, "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[tm.tm_wday], tm.tm_mday,
             mnames[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}
