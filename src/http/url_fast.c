/* url_fast.c - the fast path for simple http(s) urls: split, check, host and RFC 3986
 * joins without libcurl.  Anything unusual returns "not handled" and the caller uses
 * libcurl's URL API (url.c); tests check that both paths agree. */
#include "http/url.h"
#include "util/buf.h"

/* Bytes of a simple url's path, query or fragment as libcurl keeps them (PLAIN), and the
 * bytes that end a span (STOP_PATH: '?' and '#'; STOP_QUERY: '#'), by byte: this runs over
 * every byte of every url a crawl splits. */
enum { PLAIN = 1, STOP_PATH = 2, STOP_QUERY = 4 };

static const unsigned char url_class[256] = {
    ['a' ... 'z'] = PLAIN, ['A' ... 'Z'] = PLAIN, ['0' ... '9'] = PLAIN,
    ['-'] = PLAIN, ['.'] = PLAIN, ['_'] = PLAIN, ['~'] = PLAIN, ['!'] = PLAIN, ['$'] = PLAIN,
    ['&'] = PLAIN, ['\''] = PLAIN, ['('] = PLAIN, [')'] = PLAIN, ['*'] = PLAIN, ['+'] = PLAIN,
    [','] = PLAIN, [';'] = PLAIN, ['='] = PLAIN, [':'] = PLAIN, ['@'] = PLAIN, ['/'] = PLAIN,
    ['?'] = PLAIN | STOP_PATH, ['#'] = STOP_PATH | STOP_QUERY, [0] = STOP_PATH | STOP_QUERY,
};

static bool plain(unsigned char c)
{
    return url_class[c] & PLAIN;
}

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Returns the length of the simple span at s (plain characters and %XX), up to a byte of
 * class stop (STOP_PATH or STOP_QUERY) or the end. */
static size_t simple_span(const char *s, unsigned char stop, bool *ok)
{
    size_t i = 0;
    for (;;) {
        unsigned char c = (unsigned char)s[i];
        if (url_class[c] & stop)
            return i;
        if (c == '%' && is_hex((unsigned char)s[i + 1]) && is_hex((unsigned char)s[i + 2])) {
            i += 3;
            continue;
        }
        if (!plain(c)) {
            *ok = false;
            return i;
        }
        i++;
    }
}

/* The value of the decimal digits s[0..n) (n <= 5). */
static long digits_value(const char *s, size_t n)
{
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* True when host[0..n) is a dotted quad as libcurl writes it back ("127.0.0.1"); other
 * hosts ending in a number ("8", "1.2.3", "010.0.0.1") are IPv4 forms libcurl rewrites. */
static bool plain_ipv4(const char *host, size_t n)
{
    int parts = 0;
    size_t i = 0;
    while (i < n) {
        size_t d = i;
        while (d < n && host[d] >= '0' && host[d] <= '9')
            d++;
        if (d == i || d - i > 3 || (d - i > 1 && host[i] == '0') ||
            digits_value(host + i, d - i) > 255 || (d < n && host[d] != '.'))
            return false;
        parts++;
        i = d + 1;
        if (d < n && i >= n)
            return false;       /* a trailing dot */
    }
    return parts == 4;
}

/* Split an absolute simple url.  Returns false when it is not one. */
bool kumo__url_fast_split(const char *url, kumo_url_parts *p)
{
    size_t sn;
    if (strncmp(url, "http://", 7) == 0)
        sn = 4;
    else if (strncmp(url, "https://", 8) == 0)
        sn = 5;
    else
        return false;
    const char *a = url + sn + 3, *q = a;
    while ((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '.' || *q == '-')
        q++;
    if (q == a || *q == '.' || a[0] == '.' || a[0] == '-')
        return false;
    const char *last = q;       /* the host's last label */
    while (last > a && last[-1] != '.')
        last--;
    if (*last >= '0' && *last <= '9' && !plain_ipv4(a, (size_t)(q - a)))
        return false;
    p->scheme = url;
    p->scheme_len = sn;
    p->host = a;
    p->host_len = (size_t)(q - a);
    if (*q == ':') {
        const char *d = ++q;
        while (*q >= '0' && *q <= '9')
            q++;
        /* a leading zero ("08") is a port libcurl writes back without it: leave it to it */
        if (q == d || q - d > 5 || *d == '0' || digits_value(d, (size_t)(q - d)) > 65535)
            return false;
    }
    p->authority_len = (size_t)(q - a);
    if (*q != '/')
        return false;           /* no path: libcurl adds one, let it */
    bool ok = true;
    p->path = q;
    p->path_len = simple_span(q, STOP_PATH, &ok);
    q += p->path_len;
    p->query = NULL;
    p->query_len = 0;
    if (ok && *q == '?') {
        p->query = q;           /* with its '?' */
        p->query_len = 1 + simple_span(q + 1, STOP_QUERY, &ok);
        q += p->query_len;
    }
    p->frag = NULL;
    p->frag_len = 0;
    if (ok && *q == '#') {
        p->frag = q;
        p->frag_len = 1 + simple_span(q + 1, STOP_QUERY, &ok);
        q += p->frag_len;
    }
    return ok && !*q;
}

/* RFC 3986 5.2.4: append path with its dot segments removed to out (which holds the rest). */
static void remove_dots(kumo_buf *out, const char *path, size_t n)
{
    size_t base = out->len;
    size_t i = 0;
    while (i < n) {
        /* the next segment: path[i] is '/' (paths here are absolute) */
        size_t j = i + 1;
        while (j < n && path[j] != '/')
            j++;
        const char *seg = path + i + 1;
        size_t len = j - i - 1;
        bool last = j >= n;
        if (len == 1 && seg[0] == '.') {
            if (last)
                kumo__buf_addc(out, '/');
        } else if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            while (out->len > base && out->s[out->len - 1] != '/')
                out->len--;
            if (out->len > base)
                out->len--;     /* drop the '/' before the removed segment */
            if (last)
                kumo__buf_addc(out, '/');
        } else {
            kumo__buf_add(out, path + i, j - i);
        }
        i = j;
    }
    if (out->len == base)
        kumo__buf_addc(out, '/');
    out->s[out->len] = '\0';
}

/* True when path[0..n) holds a "." or ".." segment (a base url that is not normalised). */
static bool has_dot_segment(const char *path, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (path[i] != '/' || i + 1 >= n || path[i + 1] != '.')
            continue;
        size_t d = i + 2 < n && path[i + 2] == '.' ? 3 : 2;
        if (i + d >= n || path[i + d] == '/')
            return true;
    }
    return false;
}

static char *build(const kumo_url_parts *b, const char *path1, size_t n1, const char *path2,
                   size_t n2, const char *query, size_t qn, const char *frag, size_t fn)
{
    kumo_buf out;
    kumo__buf_init(&out, 0, KUMO_T_STR, KUMO_V_URL);
    kumo__buf_add(&out, b->scheme, b->scheme_len + 3 + b->authority_len);
    if (n2) {
        /* merge: base path up to its last '/', then the reference's path */
        char stack[1024];
        char *m = n1 + n2 < sizeof(stack) ? stack : kumo_alloc(n1 + n2, KUMO_T_STR, KUMO_V_URL);
        memcpy(m, path1, n1);
        memcpy(m + n1, path2, n2);
        remove_dots(&out, m, n1 + n2);
        if (m != stack)
            kumo_free(m);
    } else {
        remove_dots(&out, path1, n1);
    }
    kumo__buf_add(&out, query, qn);
    kumo__buf_add(&out, frag, fn);
    return kumo__buf_detach(&out, NULL);
}

char *kumo__url_fast_join(const char *base, const char *href)
{
    kumo_url_parts b, r;
    if (!kumo__url_fast_split(base, &b) || b.query_len == 1 || b.frag_len == 1 ||
        has_dot_segment(b.path, b.path_len))
        return NULL;    /* a bare '?' or '#', or "/a/../b": libcurl normalises the base */
    if (href[0] == 'h' && kumo__url_fast_split(href, &r)) {
        if (r.query_len == 1 || r.frag_len == 1 || has_dot_segment(r.path, r.path_len))
            return NULL;    /* as for the base: libcurl normalises "http://h/..?" */
        return build(&r, r.path, r.path_len, NULL, 0, r.query, r.query_len, r.frag, r.frag_len);
    }
    /* a relative reference: no scheme, no authority, nothing to encode or strip */
    bool ok = true;
    size_t pn = simple_span(href, STOP_PATH, &ok);
    if (!ok || (href[0] == '/' && href[1] == '/') || memchr(href, ':', strcspn(href, "/?#")))
        return NULL;
    const char *q = href + pn;
    size_t qn = 0;
    if (*q == '?')
        qn = 1 + simple_span(q + 1, STOP_QUERY, &ok);
    const char *f = q + qn;
    size_t fn = 0;
    if (ok && *f == '#')
        fn = 1 + simple_span(f + 1, STOP_QUERY, &ok);
    if (!ok || f[fn] || qn == 1 || fn == 1)
        return NULL;            /* a bare '?' or '#': libcurl's rules */
    if (pn == 0) {
        if (qn)
            return build(&b, b.path, b.path_len, NULL, 0, q, qn, f, fn);
        return build(&b, b.path, b.path_len, NULL, 0, b.query, b.query_len, f, fn);
    }
    if (href[0] == '/')
        return build(&b, href, pn, NULL, 0, q, qn, f, fn);
    size_t dir = b.path_len;
    while (dir && b.path[dir - 1] != '/')
        dir--;
    /* empty segments ("//b" + "x", "a/" + ".//0./..//c") merge differently in RFC 3986,
     * libcurl and Python's urljoin: libcurl decides */
    if (memmem(b.path, dir, "//", 2) || memmem(href, pn, "//", 2))
        return NULL;
    return build(&b, b.path, dir, href, pn, q, qn, f, fn);
}
