/* url.c - URL checks and joins (libcurl's URL API) and w3lib's canonicalize_url. */
#include "http/url.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <idn2.h>

#include "util/buf.h"
#include "util/hex.h"

/* ---- byte classes ---- */

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* WHATWG's "C0 control or space": what Python's urlsplit and w3lib strip. */
static bool is_c0_or_space(unsigned char c)
{
    return c <= 0x20;
}

/*
 * What Python's quote() leaves alone: letters, digits, "_.-~", plus a safe set.  The first
 * three are canonicalize_url's, the next safe_url_string's: SAFEST for the path, the
 * fragment and the query of a non-special scheme, SAFEST_QUERY for the query of http(s),
 * SAFEST_USER for the user name and password; the SAFE_JOIN ones kumo__url_join's.
 */
enum { SAFE_PLAIN, SAFE_PATH, SAFE_PARAMS, SAFEST, SAFEST_QUERY, SAFEST_USER, SAFE_JOIN,
       SAFE_JOIN_FRAG };

static bool quote_safe(unsigned char c, int set)
{
    if (set == SAFE_JOIN || set == SAFE_JOIN_FRAG) {
        /* what the joins hand to libcurl: printable ASCII but " < > ` (and { } | \ ^
         * before the fragment) */
        return c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '`' &&
               (set == SAFE_JOIN_FRAG || !strchr("{}|\\^", c));
    }
    if (is_alnum(c))
        return true;
    switch (c) {
    case '_': case '.': case '-': case '~':
        return true;
    /* w3lib's _path_safe_chars; _safe_chars adds '#' */
    case '[': case ']': case '|':
        return set == SAFE_PATH || set == SAFE_PARAMS;
    case ':': case '/': case '?': case '@': case ';': case '=': case '%':
        return set != SAFE_PLAIN && set != SAFEST_USER;
    case '\'':
        return set != SAFE_PLAIN && set != SAFEST_QUERY;
    case '!': case '$': case '&': case '(': case ')': case '*': case '+': case ',':
        return set != SAFE_PLAIN;
    case '#':
        return set == SAFE_PARAMS;
    default:
        return false;
    }
}

static bool in_list(const char *s, size_t n, const char *const *list)
{
    for (; *list; list++) {
        if (strlen(*list) == n && strncasecmp(s, *list, n) == 0)
            return true;
    }
    return false;
}

/* urllib.parse.uses_netloc and uses_params (the '' entries do not apply: we need a scheme). */
static const char *const uses_netloc[] = {
    "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https",
    "shttp", "snews", "prospero", "rtsp", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs",
    "git", "git+ssh", "ws", "wss", NULL,
};
static const char *const uses_params[] = {
    "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtspu", "sip",
    "sips", "mms", "sftp", "tel", NULL,
};

/*
 * Python's urlsplit scheme rule: text before the first ':' when it is non-empty, starts
 * with a letter and has only letters, digits, "+-.".  Returns its length, 0 for none.
 */
static size_t scheme_len(const char *s, size_t n)
{
    if (!n || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    for (size_t i = 1; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ':')
            return i;
        if (!is_alnum(c) && c != '+' && c != '-' && c != '.')
            return 0;
    }
    return 0;
}

/* ---- a writer that hands bytes to a sink (a buffer, or SHA-1 for fingerprints) ---- */

typedef struct out {
    kumo_url_sink_fn write;
    void *ctx;
} out;

static void put(out *o, const char *p, size_t n)
{
    if (n)
        o->write(o->ctx, p, n);
}

static void put_lower(out *o, const char *p, size_t n)
{
    char tmp[64];
    while (n) {
        size_t k = KUMO_MIN(n, sizeof(tmp));
        for (size_t i = 0; i < k; i++)
            tmp[i] = (char)lower((unsigned char)p[i]);
        put(o, tmp, k);
        p += k;
        n -= k;
    }
}

/* Write bytes through quote() with a safe set, or quote_plus() when plus is set. */
static void put_quoted(out *o, const char *p, size_t n, int set, bool plus)
{
    static const char hexd[] = "0123456789ABCDEF";
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (quote_safe(c, set))
            continue;
        put(o, p + run, i - run);
        if (plus && c == ' ') {
            put(o, "+", 1);
        } else {
            char esc[3] = {'%', hexd[c >> 4], hexd[c & 15]};
            put(o, esc, 3);
        }
        run = i + 1;
    }
    put(o, p + run, n - run);
}

/* ---- w3lib.url.canonicalize_url ---- */

typedef struct span {
    const char *p;
    size_t n;
} span;

typedef struct qpair {
    char *k, *v;
    size_t kn, vn;
} qpair;

/* unquote_to_bytes() (after '+' -> ' ' when plus is set), in place; returns the new length. */
static size_t unquote_inplace(char *s, size_t n, bool plus)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n &&
            (h = kumo__hex_value((unsigned char)s[i + 1])) >= 0 &&
            (l = kumo__hex_value((unsigned char)s[i + 2])) >= 0) {
            s[o++] = (char)(h << 4 | l);
            i += 2;
        } else {
            s[o++] = plus && s[i] == '+' ? ' ' : s[i];
        }
    }
    return o;
}

static int qpair_cmp(const void *a, const void *b)
{
    const qpair *x = a, *y = b;
    int c = memcmp(x->k, y->k, KUMO_MIN(x->kn, y->kn));
    if (c || x->kn != y->kn)
        return c ? c : (x->kn < y->kn ? -1 : 1);
    c = memcmp(x->v, y->v, KUMO_MIN(x->vn, y->vn));
    if (c || x->vn != y->vn)
        return c ? c : (x->vn < y->vn ? -1 : 1);
    return 0;
}

/*
 * The query: split on '&' and ';', keep blank values, decode, sort by (key, value) bytes,
 * write back with urlencode() (quote_plus, "k=v" joined by '&').  Decoding happens in a
 * copy on the stack when the query is small.
 */
static void put_query(out *o, span q)
{
    char small[512];
    qpair psmall[32];
    char *s = q.n <= sizeof(small) ? small : kumo_alloc(q.n, KUMO_T_STR, KUMO_V_URL);
    size_t npairs = 1;
    for (size_t i = 0; i < q.n; i++)
        npairs += q.p[i] == '&' || q.p[i] == ';';
    qpair *pairs = npairs <= KUMO_ARRAY_LEN(psmall)
                       ? psmall
                       : kumo_alloc(npairs * sizeof(*pairs), KUMO_T_LIST, KUMO_V_URL);
    if (q.n)
        memcpy(s, q.p, q.n);
    size_t np = 0;
    for (size_t i = 0; i < q.n;) {
        size_t j = i;
        while (j < q.n && s[j] != '&' && s[j] != ';')
            j++;
        if (j > i) {
            char *eq = memchr(s + i, '=', j - i);
            qpair *pr = &pairs[np++];
            pr->k = s + i;
            pr->kn = unquote_inplace(s + i, (size_t)((eq ? eq : s + j) - (s + i)), true);
            pr->v = eq ? eq + 1 : s + j;
            pr->vn = eq ? unquote_inplace(eq + 1, (size_t)(s + j - eq - 1), true) : 0;
        }
        i = j + 1;
    }
    if (np > 1)
        qsort(pairs, np, sizeof(*pairs), qpair_cmp);
    for (size_t i = 0; i < np; i++) {
        put(o, i ? "&" : "?", 1);
        put_quoted(o, pairs[i].k, pairs[i].kn, SAFE_PLAIN, true);
        put(o, "=", 1);
        put_quoted(o, pairs[i].v, pairs[i].vn, SAFE_PLAIN, true);
    }
    if (pairs != psmall)
        kumo_free(pairs);
    if (s != small)
        kumo_free(s);
}

/*
 * The path: w3lib quotes it, protects %2F and %3F, unquotes it to bytes and quotes it
 * again with the path's safe set.  In one pass: a valid escape of '/' or '?' stays an
 * upper-case escape, any other valid escape is decoded and re-quoted, other bytes quoted.
 */
static void put_path(out *o, span path)
{
    static const char hexd[] = "0123456789ABCDEF";
    if (!path.n) {
        put(o, "/", 1);
        return;
    }
    const char *p = path.p;
    size_t run = 0;     /* p[run..i) are bytes that go out as they are */
    for (size_t i = 0; i < path.n;) {
        unsigned char c = (unsigned char)p[i];
        int h, l;
        if (c == '%' && i + 2 < path.n && (h = kumo__hex_value((unsigned char)p[i + 1])) >= 0 &&
            (l = kumo__hex_value((unsigned char)p[i + 2])) >= 0) {
            put(o, p + run, i - run);
            c = (unsigned char)(h << 4 | l);
            if (c == '/' || c == '?' || !quote_safe(c, SAFE_PATH)) {
                char esc[3] = {'%', hexd[c >> 4], hexd[c & 15]};
                put(o, esc, 3);
            } else {
                put(o, (const char *)&c, 1);
            }
            i += 3;
            run = i;
        } else if (quote_safe(c, SAFE_PATH)) {
            i++;
        } else {
            put(o, p + run, i - run);
            char esc[3] = {'%', hexd[c >> 4], hexd[c & 15]};
            put(o, esc, 3);
            run = ++i;
        }
    }
    put(o, p + run, path.n - run);
}

/* Python's _check_bracketed_netloc: what makes urlsplit raise "Invalid IPv6 URL". */
static bool bracketed_netloc_ok(span net)
{
    const char *hp = net.p, *end = net.p + net.n;
    for (const char *q = net.p; q < end; q++) {
        if (*q == '@')
            hp = q + 1;
    }
    const char *host = hp, *host_end;
    const char *open = memchr(hp, '[', (size_t)(end - hp));
    if (open) {
        if (open != hp)
            return false;
        host = hp + 1;
        const char *close = memchr(host, ']', (size_t)(end - host));
        host_end = close ? close : end;
        if (close && close + 1 < end && close[1] != ':')
            return false;
    } else {
        const char *colon = memchr(hp, ':', (size_t)(end - hp));
        host_end = colon ? colon : end;
    }
    size_t n = (size_t)(host_end - host);
    char tmp[INET6_ADDRSTRLEN + 64];
    if (n && host[0] == 'v') {
        /* IPvFuture: v<hex>+ '.' <anything, at least one> */
        size_t i = 1;
        while (i < n && kumo__hex_value((unsigned char)host[i]) >= 0)
            i++;
        return i > 1 && i < n && host[i] == '.' && i + 1 < n;
    }
    if (n >= sizeof(tmp))
        return false;
    memcpy(tmp, host, n);
    tmp[n] = '\0';
    char *zone = strchr(tmp, '%');
    if (zone)
        *zone = '\0';
    unsigned char addr[16];
    return inet_pton(AF_INET6, tmp, addr) == 1;
}

int kumo__url_canonicalize_sink(const char *url, kumo_url_sink_fn write, void *ctx)
{
    const char *a = url, *b = url + strlen(url);
    while (a < b && is_c0_or_space((unsigned char)*a))
        a++;
    while (b > a && is_c0_or_space((unsigned char)b[-1]))
        b--;

    /* Tabs and newlines inside are dropped (WHATWG, Python); copy only when there are some. */
    char small[512], *copy = NULL;
    if (memchr(a, '\t', (size_t)(b - a)) || memchr(a, '\n', (size_t)(b - a)) ||
        memchr(a, '\r', (size_t)(b - a))) {
        size_t n = 0;
        copy = (size_t)(b - a) <= sizeof(small) ? small
                                                : kumo_alloc((size_t)(b - a), KUMO_T_STR,
                                                             KUMO_V_URL);
        for (const char *q = a; q < b; q++) {
            if (*q != '\t' && *q != '\n' && *q != '\r')
                copy[n++] = *q;
        }
        a = copy;
        b = copy + n;
    }

    int rc = KUMO_OK;
    span scheme = {a, scheme_len(a, (size_t)(b - a))};
    if (!scheme.n) {
        rc = KUMO_EURL;
        goto done;
    }
    const char *p = a + scheme.n + 1;
    span net = {p, 0};
    if (b - p >= 2 && p[0] == '/' && p[1] == '/') {
        p += 2;
        net.p = p;
        while (p < b && *p != '/' && *p != '?' && *p != '#')
            p++;
        net.n = (size_t)(p - net.p);
        bool open = memchr(net.p, '[', net.n) != NULL, close = memchr(net.p, ']', net.n) != NULL;
        if (open != close || (open && !bracketed_netloc_ok(net))) {
            rc = KUMO_EURL;
            goto done;
        }
    }
    const char *hash = memchr(p, '#', (size_t)(b - p));
    const char *rest_end = hash ? hash : b;
    const char *qmark = memchr(p, '?', (size_t)(rest_end - p));
    span path = {p, (size_t)((qmark ? qmark : rest_end) - p)};
    span query = {qmark ? qmark + 1 : rest_end, qmark ? (size_t)(rest_end - qmark - 1) : 0};
    span params = {NULL, 0};
    const char *semi = memchr(path.p, ';', path.n);
    if (semi && in_list(scheme.p, scheme.n, uses_params)) {
        /* urllib's _splitparams: the first ';' of the last segment, or of the whole path */
        const char *slash = NULL;
        for (const char *q = path.p; q < path.p + path.n; q++) {
            if (*q == '/')
                slash = q;
        }
        if (slash)
            semi = memchr(slash, ';', (size_t)(path.p + path.n - slash));
        if (semi) {
            params.p = semi + 1;
            params.n = (size_t)(path.p + path.n - semi - 1);
            path.n = (size_t)(semi - path.p);
        }
    }
    /* netloc.lower().rstrip(":") */
    while (net.n && net.p[net.n - 1] == ':')
        net.n--;

    out o = {write, ctx};
    put_lower(&o, scheme.p, scheme.n);
    put(&o, ":", 1);
    /* urlunsplit: "//" + netloc when there is one, or for a netloc scheme unless the
     * path itself starts with "//"; then the path gets a leading '/' if it lacks one. */
    bool path_slash = !path.n || path.p[0] == '/';
    bool path_dslash = path.n >= 2 && path.p[0] == '/' && path.p[1] == '/';
    if (net.n || (in_list(scheme.p, scheme.n, uses_netloc) && !path_dslash)) {
        put(&o, "//", 2);
        put_lower(&o, net.p, net.n);
        if (!path_slash)
            put(&o, "/", 1);
    }
    put_path(&o, path);
    if (params.n) {
        put(&o, ";", 1);
        put_quoted(&o, params.p, params.n, SAFE_PARAMS, false);
    }
    put_query(&o, query);
done:
    if (copy && copy != small)
        kumo_free(copy);
    return rc;
}

static void sink_buf(void *ctx, const char *p, size_t n)
{
    kumo__buf_add(ctx, p, n);
}

char *kumo__url_canonicalize(const char *url)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_URL);
    if (kumo__url_canonicalize_sink(url, sink_buf, &b)) {
        kumo__buf_release(&b);
        return NULL;
    }
    return kumo__buf_detach(&b, NULL);
}

/* ---- w3lib.url.safe_url_string ---- */

/* w3lib's _SPECIAL_SCHEMES: their query keeps "'" encoded. */
static bool is_special(span scheme)
{
    static const char *const special[] = {"ftp", "file", "http", "https", "ws", "wss", NULL};
    return in_list(scheme.p, scheme.n, special);
}

/* A user name or password: unquoted to bytes, then quoted with the userinfo's safe set. */
static void put_userinfo(out *o, span s)
{
    char small[256];
    char *tmp = s.n <= sizeof(small) ? small : kumo_alloc(s.n, KUMO_T_STR, KUMO_V_URL);
    if (s.n)
        memcpy(tmp, s.p, s.n);
    put_quoted(o, tmp, unquote_inplace(tmp, s.n, false), SAFEST_USER, false);
    if (tmp != small)
        kumo_free(tmp);
}

/*
 * The host as safe_url_string writes it: lower case up to its first '%' (Python's
 * hostname: a scoped address's zone keeps its case); a non-ASCII name in IDNA (punycode,
 * libidn2 with transitional TR46 mapping, the nearest to Python's IDNA 2003 codec), or as
 * it is when it cannot be converted (Python's fallback).  libidn2 rather than libcurl's
 * CURLU_PUNYCODE: libcurl 7.88 reads the name in the locale's charset, "C" in kumo.
 */
static void put_host(out *o, span host)
{
    bool ascii = true;
    for (size_t i = 0; i < host.n; i++)
        ascii = ascii && (unsigned char)host.p[i] < 0x80;
    const char *pct = memchr(host.p, '%', host.n);
    size_t low = pct ? (size_t)(pct - host.p) : host.n;
    if (ascii) {
        put_lower(o, host.p, low);
        put(o, host.p + low, host.n - low);
        return;
    }
    char *name = kumo_strndup(host.p, host.n, KUMO_T_STR, KUMO_V_URL);
    for (size_t i = 0; i < low; i++)
        name[i] = (char)lower((unsigned char)name[i]);
    char *ace = NULL;
    if (idn2_to_ascii_8z(name, &ace, IDN2_NFC_INPUT | IDN2_TRANSITIONAL) == IDN2_OK && ace)
        put(o, ace, strlen(ace));
    else
        put(o, name, strlen(name));
    idn2_free(ace);
    kumo_free(name);
}

/*
 * urlsplit's netloc pieces, written back as safe_url_string does: user and password
 * requoted, host lowered and IDNA-encoded, port as a number.  Returns KUMO_EURL for a port
 * that is not a number up to 65535 (Python's ValueError).  Unlike w3lib 2.1, an IPv6 host
 * keeps its brackets.
 */
static int put_netloc(out *o, span net)
{
    const char *end = net.p + net.n, *at = NULL;
    for (const char *q = net.p; q < end; q++) {
        if (*q == '@')
            at = q;
    }
    const char *hp = at ? at + 1 : net.p;
    span host = {hp, 0}, port = {NULL, 0};
    bool bracket = false;
    const char *open = memchr(hp, '[', (size_t)(end - hp));
    if (open) {
        bracket = true;
        host.p = open + 1;
        const char *close = memchr(host.p, ']', (size_t)(end - host.p));
        host.n = (size_t)((close ? close : end) - host.p);
        const char *colon = close ? memchr(close, ':', (size_t)(end - close)) : NULL;
        if (colon)
            port = (span){colon + 1, (size_t)(end - colon - 1)};
    } else {
        const char *colon = memchr(hp, ':', (size_t)(end - hp));
        host.n = (size_t)((colon ? colon : end) - hp);
        if (colon)
            port = (span){colon + 1, (size_t)(end - colon - 1)};
    }
    unsigned long pnum = 0;
    for (size_t i = 0; i < port.n; i++) {
        if (port.p[i] < '0' || port.p[i] > '9')
            return KUMO_EURL;
        pnum = pnum * 10 + (unsigned long)(port.p[i] - '0');
        if (pnum > 65535)
            return KUMO_EURL;
    }
    if (at) {
        const char *colon = memchr(net.p, ':', (size_t)(at - net.p));
        put_userinfo(o, (span){net.p, (size_t)((colon ? colon : at) - net.p)});
        if (colon) {
            put(o, ":", 1);
            put_userinfo(o, (span){colon + 1, (size_t)(at - colon - 1)});
        }
        put(o, "@", 1);
    }
    if (host.n && bracket) {
        put(o, "[", 1);
        put_host(o, host);
        put(o, "]", 1);
    } else if (host.n) {
        put_host(o, host);
    }
    if (port.n) {
        char num[8];
        int k = snprintf(num, sizeof(num), ":%lu", pnum);
        put(o, num, (size_t)k);
    }
    return KUMO_OK;
}

/* kumo__url_safe(); *fast is set when url came back unchanged from the fast split, which
 * kumo__url_check() would take too. */
static char *url_safe(const char *url, bool *fast)
{
    kumo_url_parts fp;
    *fast = false;
    if (kumo__url_fast_split(url, &fp) && fp.query_len != 1 && fp.frag_len != 1 &&
        !(fp.query && memchr(fp.query, '\'', fp.query_len)) &&
        !(fp.authority_len > fp.host_len + 2 && fp.host[fp.host_len + 1] == '0')) {
        *fast = true;
        return kumo_strdup(url, KUMO_T_STR, KUMO_V_URL);
    }

    /* _strip(): C0 controls and spaces off both ends, tabs and newlines out */
    const char *a = url, *b = url + strlen(url);
    while (a < b && is_c0_or_space((unsigned char)*a))
        a++;
    while (b > a && is_c0_or_space((unsigned char)b[-1]))
        b--;
    kumo_buf src, dst;
    kumo__buf_init(&src, 0, KUMO_T_STR, KUMO_V_URL);
    kumo__buf_init(&dst, 0, KUMO_T_STR, KUMO_V_URL);
    for (const char *q = a; q < b; q++) {
        if (*q != '\t' && *q != '\n' && *q != '\r')
            kumo__buf_addc(&src, *q);
    }
    a = kumo__buf_str(&src);
    b = a + src.len;

    /* urlsplit() */
    span scheme = {a, scheme_len(a, src.len)};
    const char *p = scheme.n ? a + scheme.n + 1 : a;
    span net = {NULL, 0};
    if (b - p >= 2 && p[0] == '/' && p[1] == '/') {
        net.p = p + 2;
        net.n = strcspn(net.p, "/?#");
        p = net.p + net.n;
    }
    const char *hash = memchr(p, '#', (size_t)(b - p));
    const char *rest_end = hash ? hash : b;
    const char *qmark = memchr(p, '?', (size_t)(rest_end - p));
    span path = {p, (size_t)((qmark ? qmark : rest_end) - p)};
    span query = {qmark ? qmark + 1 : rest_end, qmark ? (size_t)(rest_end - qmark - 1) : 0};
    span frag = {hash ? hash + 1 : b, hash ? (size_t)(b - hash - 1) : 0};

    out o = {sink_buf, &dst};
    char *res = NULL;
    if (scheme.n) {
        put_lower(&o, scheme.p, scheme.n);
        put(&o, ":", 1);
    }
    if (net.p) {
        bool open = memchr(net.p, '[', net.n) != NULL;
        bool close = memchr(net.p, ']', net.n) != NULL;
        if (open != close || (open && !bracketed_netloc_ok(net)))
            goto done;
    }
    /* urlunsplit(): "//" + netloc when the new netloc is not empty, or for a netloc
     * scheme unless the path starts with "//"; a path then gets its leading '/'. */
    size_t mark = dst.len;
    put(&o, "//", 2);
    if (net.p && put_netloc(&o, net))
        goto done;
    bool has_net = dst.len > mark + 2;
    bool dslash = path.n >= 2 && path.p[0] == '/' && path.p[1] == '/';
    if (has_net || (scheme.n && in_list(scheme.p, scheme.n, uses_netloc) && !dslash)) {
        if (path.n && path.p[0] != '/')
            put(&o, "/", 1);
    } else {
        dst.len = mark;
        dst.s[mark] = '\0';
    }
    put_quoted(&o, path.p, path.n, SAFEST, false);
    if (query.n) {
        put(&o, "?", 1);
        put_quoted(&o, query.p, query.n, is_special(scheme) ? SAFEST_QUERY : SAFEST, false);
    }
    if (frag.n) {
        put(&o, "#", 1);
        put_quoted(&o, frag.p, frag.n, SAFEST, false);
    }
    res = kumo__buf_detach(&dst, NULL);
done:
    kumo__buf_release(&dst);
    kumo__buf_release(&src);
    return res;
}

char *kumo__url_safe(const char *url)
{
    bool fast;
    return url_safe(url, &fast);
}

int kumo__url_safe_check(const char *url, char **safe)
{
    bool fast;
    *safe = url_safe(url, &fast);
    if (!*safe)
        return KUMO_EURL;
    return fast ? KUMO_OK : kumo__url_check(*safe);
}

/* ---- scheme, check, host, join ---- */

char *kumo__url_scheme(const char *href)
{
    const char *a = href;
    while (*a && is_c0_or_space((unsigned char)*a))
        a++;
    /* Tabs and newlines may sit inside the scheme ("java\tscript:"): drop them. */
    char buf[64];
    size_t n = 0;
    for (const char *q = a; *q && *q != ':' && n < sizeof(buf) - 1; q++) {
        if (*q != '\t' && *q != '\n' && *q != '\r')
            buf[n++] = *q;
    }
    const char *colon = a + strcspn(a, ":");
    if (!*colon || n == sizeof(buf) - 1)
        return NULL;
    buf[n++] = ':';
    size_t len = scheme_len(buf, n);
    if (!len)
        return NULL;
    char *s = kumo_strndup(buf, len, KUMO_T_STR, KUMO_V_URL);
    for (char *q = s; *q; q++)
        *q = (char)lower((unsigned char)*q);
    return s;
}

static bool is_http(const char *s, size_t n)
{
    return (n == 4 && strncasecmp(s, "http", 4) == 0) ||
           (n == 5 && strncasecmp(s, "https", 5) == 0);
}

int kumo__url_check(const char *url)
{
    kumo_url_parts parts;
    if (!url)
        return KUMO_EURL;
    if (kumo__url_fast_split(url, &parts))
        return KUMO_OK;
    size_t n = scheme_len(url, strlen(url));
    if (!n)
        return KUMO_EURL;
    if (!is_http(url, n))
        return KUMO_ESCHEME;
    /* "scheme://host": curl would also take "http:/x" and "http:///x" as host x */
    const char *p = url + n + 1;
    if (p[0] != '/' || p[1] != '/' || !p[2] || strchr("/?#", p[2]))
        return KUMO_EURL;
    CURLU *h = curl_url();
    if (!h)
        kumo_oom(sizeof(void *));
    CURLUcode uc = curl_url_set(h, CURLUPART_URL, url, 0);
    char *host = NULL;
    if (!uc)
        uc = curl_url_get(h, CURLUPART_HOST, &host, 0);
    int rc = uc || !host || !*host ? KUMO_EURL : KUMO_OK;
    curl_free(host);
    curl_url_cleanup(h);
    return rc;
}

char *kumo_url_host(const char *url)
{
    kumo_url_parts parts;
    if (!url)
        return NULL;
    if (kumo__url_fast_split(url, &parts))
        return kumo_strndup(parts.host, parts.host_len, KUMO_T_STR, KUMO_V_URL);
    CURLU *h = curl_url();
    if (!h)
        kumo_oom(sizeof(void *));
    char *host = NULL, *res = NULL;
    if (!curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) &&
        !curl_url_get(h, CURLUPART_HOST, &host, 0) && host && *host) {
        size_t n = strlen(host);
        const char *p = host;
        if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
            p++;
            n -= 2;
        }
        res = kumo_strndup(p, n, KUMO_T_STR, KUMO_V_URL);
        for (char *q = res; *q; q++)
            *q = (char)lower((unsigned char)*q);
    }
    curl_free(host);
    curl_url_cleanup(h);
    return res;
}

/*
 * Copy s[0..n) into b, dropping tabs and newlines and percent-encoding, through the same
 * quote() as canonicalize and safe_url_string, what libcurl would refuse or encode its own
 * way (controls, space, DEL, non-ASCII, and " < > ` everywhere; { } | \ ^ too before the
 * fragment).  kumo_request_new() then applies safe_url_string's full rules.
 */
static void add_encoded(kumo_buf *b, const char *s, size_t n)
{
    out o = {sink_buf, b};
    bool in_frag = false;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' && (in_frag || s[j] != '#'))
            j++;
        put_quoted(&o, s + i, j - i, in_frag ? SAFE_JOIN_FRAG : SAFE_JOIN, false);
        if (j < n && s[j] == '#') {
            put(&o, "#", 1);
            in_frag = true;
        }
        i = j + 1;
    }
}

/* Host names are case-insensitive: browsers and Scrapy's Request write them lower case. */
static void lower_host(CURLU *h)
{
    char *host = NULL;
    if (curl_url_get(h, CURLUPART_HOST, &host, 0) || !host)
        return;
    bool upper = false;
    for (char *q = host; *q; q++) {
        if (*q >= 'A' && *q <= 'Z') {
            *q = (char)lower((unsigned char)*q);
            upper = true;
        }
    }
    if (upper)
        curl_url_set(h, CURLUPART_HOST, host, 0);
    curl_free(host);
}

char *kumo__url_join(const char *base, const char *href)
{
    if (!base || !href)
        return NULL;
    char *fast = kumo__url_fast_join(base, href);
    return fast ? fast : kumo__url_join_curl(base, href);
}

char *kumo__url_join_curl(const char *base, const char *href)
{
    const char *a = href, *z = href + strlen(href);
    while (a < z && is_c0_or_space((unsigned char)*a))
        a++;
    while (z > a && is_c0_or_space((unsigned char)z[-1]))
        z--;

    kumo_buf eb, eh;
    kumo__buf_init(&eb, 0, KUMO_T_STR, KUMO_V_URL);
    kumo__buf_init(&eh, 0, KUMO_T_STR, KUMO_V_URL);
    /* the base's fragment plays no part (RFC 3986 5.2.2): libcurl would merge a relative
     * path from a '/' inside it ("/p#x/y" + "../q" giving "/p#x/q", urljoin "/q") */
    const char *bhash = strchr(base, '#');
    add_encoded(&eb, base, bhash ? (size_t)(bhash - base) : strlen(base));
    add_encoded(&eh, a, (size_t)(z - a));
    const char *hs = kumo__buf_str(&eh), *bs = kumo__buf_str(&eb);
    size_t hn = eh.len;

    char *res = NULL, *got = NULL;
    CURLU *h = curl_url();
    if (!h)
        kumo_oom(sizeof(void *));
    size_t bsn = scheme_len(bs, eb.len);
    if (!bsn || curl_url_set(h, CURLUPART_URL, bs, CURLU_NON_SUPPORT_SCHEME))
        goto done;

    size_t hsn = scheme_len(hs, hn);
    if (hsn && !is_http(hs, hsn)) {
        /* mailto:, javascript:, file:...: no join, the caller sees the scheme */
        res = kumo_strndup(hs, hn, KUMO_T_STR, KUMO_V_URL);
        goto done;
    }
    if (hsn && hsn == bsn && strncasecmp(hs, bs, hsn) == 0 &&
        !(hn - hsn >= 3 && hs[hsn + 1] == '/' && hs[hsn + 2] == '/')) {
        /* "http:x" against an http base is the relative reference "x" */
        hs += hsn + 1;
        hn -= hsn + 1;
    }
    CURLUcode uc;
    if (!hn || hs[0] == '#') {
        /* the base without its fragment, plus href's fragment (curl 7.88 drops the last
         * path segment for these) */
        uc = curl_url_set(h, CURLUPART_FRAGMENT, hn > 1 ? hs + 1 : NULL, 0);
    } else {
        uc = curl_url_set(h, CURLUPART_URL, hs, 0);
    }
    if (!uc)
        lower_host(h);
    if (!uc && !curl_url_get(h, CURLUPART_URL, &got, 0) && got)
        res = kumo_strdup(got, KUMO_T_STR, KUMO_V_URL);
done:
    curl_free(got);
    curl_url_cleanup(h);
    kumo__buf_release(&eb);
    kumo__buf_release(&eh);
    return res;
}
