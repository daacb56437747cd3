/* robots.c - robots.txt (RFC 9309) parser and matcher, Protego-compatible, no I/O. */
#include "http/robots.h"

#include <ctype.h>

#include "util/hex.h"

typedef struct rule {
    uint32_t off, len;          /* normalised pattern in the pool, '$' anchor included */
    uint32_t lits;              /* bytes a path needs at least: not '*', not the anchor */
    bool allow;
} rule;

typedef struct group {
    uint32_t first, n;          /* rules[first .. first + n) */
    double delay;               /* Crawl-delay, < 0: none */
} group;

typedef struct agent {
    uint32_t off, len;          /* lower-case product token in the pool, or "*" */
    uint32_t *groups;           /* indices of its groups, ascending */
    uint32_t ngroups, cap;
} agent;

struct kumo_robots {
    char *pool;
    size_t pool_len, pool_cap;
    rule *rules;
    size_t nrules, rules_cap;
    group *groups;
    size_t ngroups, groups_cap;
    agent *agents;
    size_t nagents, agents_cap;
    uint32_t *sitemaps;         /* offsets of NUL-terminated urls in the pool */
    size_t nsitemaps, sitemaps_cap;
    bool disallow_all;
    bool cut;                   /* the body was over KUMO_ROBOTS_MAX_BYTES */
};

static kumo_tag robots_type(void)
{
    static kumo_tag tag;
    if (!tag)
        tag = kumo_type_intern("kumo.robotstxt.Robots");
    return tag;
}

/* Make room for need elements of size elem in *p (capacity *cap). */
static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap * 2 : 8;
    while (n < need)
        n *= 2;
    *cap = n;
    return kumo_realloc(p, n * elem, robots_type(), KUMO_V_CACHE);
}

static uint32_t pool_add(kumo_robots *r, const char *s, size_t n)
{
    r->pool = grow(r->pool, &r->pool_cap, r->pool_len + n + 1, 1);
    uint32_t off = (uint32_t)r->pool_len;
    memcpy(r->pool + off, s, n);
    r->pool[off + n] = '\0';
    r->pool_len += n + 1;
    return off;
}

/* ---- percent-encoding normalisation (RFC 9309 §2.2.2) ---- */

static bool unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

static bool reserved(unsigned char c)
{
    return c && strchr(":/?#[]@!$&'()*+,;=", c) != NULL;
}

/* A small output cursor that counts what it cannot store. */
typedef struct sink {
    char *p;
    size_t cap, len;
} sink;

static void put(sink *o, char c)
{
    if (o->len < o->cap)
        o->p[o->len] = c;
    o->len++;
}

static void put_escaped(sink *o, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    put(o, '%');
    put(o, hex[c >> 4]);
    put(o, hex[c & 15]);
}

/* Each byte ends up either literal (unreserved or reserved) or as an upper-case %XX. */
static void normalize(sink *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n && kumo__hex_value((unsigned char)s[i + 1]) >= 0 &&
            kumo__hex_value((unsigned char)s[i + 2]) >= 0) {
            unsigned char b = (unsigned char)(kumo__hex_value((unsigned char)s[i + 1]) * 16 +
                                              kumo__hex_value((unsigned char)s[i + 2]));
            if (unreserved(b))
                put(o, (char)b);
            else
                put_escaped(o, b);
            i += 2;
        } else if (unreserved(c) || reserved(c)) {
            put(o, (char)c);
        } else {
            put_escaped(o, c);
        }
    }
}

size_t kumo__robots_normalize(const char *s, size_t n, bool pattern, char *out,
                              size_t out_len)
{
    sink o = {out, out_len ? out_len - 1 : 0, 0};
    bool anchor = pattern && n > 0 && s[n - 1] == '$';
    normalize(&o, s, anchor ? n - 1 : n);
    if (anchor)
        put(&o, '$');
    if (out_len)
        out[KUMO_MIN(o.len, out_len - 1)] = '\0';
    return o.len;
}

/* ---- parsing ---- */

typedef enum field {
    F_UNKNOWN,
    F_USER_AGENT,
    F_ALLOW,
    F_DISALLOW,
    F_SITEMAP,
    F_CRAWL_DELAY,
    F_REQUEST_RATE,
    F_HOST,
} field;

/* Protego's spellings, typos included. */
static const struct {
    const char *name;
    field f;
} fields[] = {
    {"user-agent", F_USER_AGENT}, {"useragent", F_USER_AGENT}, {"user agent", F_USER_AGENT},
    {"allow", F_ALLOW},           {"disallow", F_DISALLOW},    {"dissallow", F_DISALLOW},
    {"dissalow", F_DISALLOW},     {"disalow", F_DISALLOW},     {"diasllow", F_DISALLOW},
    {"disallaw", F_DISALLOW},     {"sitemap", F_SITEMAP},      {"sitemaps", F_SITEMAP},
    {"site-map", F_SITEMAP},      {"crawl-delay", F_CRAWL_DELAY},
    {"crawl delay", F_CRAWL_DELAY}, {"request-rate", F_REQUEST_RATE},
    {"request rate", F_REQUEST_RATE}, {"host", F_HOST},
};

static field field_of(const char *s, size_t n)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(fields); i++)
        if (strlen(fields[i].name) == n && strncasecmp(fields[i].name, s, n) == 0)
            return fields[i].f;
    return F_UNKNOWN;
}

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static void trim(const char **s, size_t *n)
{
    while (*n && space(**s))
        (*s)++, (*n)--;
    while (*n && space((*s)[*n - 1]))
        (*n)--;
}

static bool token_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

/* The product token of s[0..n): its leading letters, '_' and '-' (RFC 9309 §2.2.1). */
static size_t token_len(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && token_char(s[i]))
        i++;
    return i;
}

static agent *agent_find(const kumo_robots *r, const char *tok, size_t n)
{
    for (size_t i = 0; i < r->nagents; i++) {
        agent *a = &r->agents[i];
        if (a->len == n && strncasecmp(r->pool + a->off, tok, n) == 0)
            return a;
    }
    return NULL;
}

/* A User-agent line's value joins the current group g. */
static void add_agent(kumo_robots *r, const char *v, size_t n, uint32_t g)
{
    char tok[128];
    size_t len = 0;
    if (n == 1 && v[0] == '*') {
        tok[len++] = '*';
    } else {
        /* Protego drops the '*' of "*bot*"; then the RFC's product token */
        for (size_t i = 0; i < n && len < sizeof(tok); i++) {
            if (v[i] == '*')
                continue;
            if (!token_char(v[i]))
                break;
            tok[len++] = (char)tolower((unsigned char)v[i]);
        }
    }
    if (!len)
        return;
    agent *a = agent_find(r, tok, len);
    if (!a) {
        r->agents = grow(r->agents, &r->agents_cap, r->nagents + 1, sizeof(agent));
        a = &r->agents[r->nagents++];
        memset(a, 0, sizeof(*a));
        a->off = pool_add(r, tok, len);
        a->len = (uint32_t)len;
    }
    if (a->ngroups && a->groups[a->ngroups - 1] == g)
        return;
    size_t cap = a->cap;
    a->groups = grow(a->groups, &cap, a->ngroups + 1u, sizeof(uint32_t));
    a->cap = (uint32_t)cap;
    a->groups[a->ngroups++] = g;
}

/* Append a rule for pattern v[0..n) to the last group. */
static void add_rule(kumo_robots *r, const char *v, size_t n, bool allow)
{
    sink o = {NULL, 0, 0};
    bool slash = v[0] != '/';                   /* Protego's _enforce_path */
    bool anchor = v[n - 1] == '$';
    size_t body = anchor ? n - 1 : n;
    normalize(&o, v, body);
    size_t need = o.len + slash + anchor;
    r->pool = grow(r->pool, &r->pool_cap, r->pool_len + need + 1, 1);
    uint32_t off = (uint32_t)r->pool_len;
    o = (sink){r->pool + off, need, 0};
    if (slash)
        put(&o, '/');
    normalize(&o, v, body);
    if (anchor)
        put(&o, '$');
    r->pool[off + o.len] = '\0';
    r->pool_len += o.len + 1;

    uint32_t lits = 0;
    for (size_t i = 0; i < o.len - anchor; i++)
        lits += r->pool[off + i] != '*';
    r->rules = grow(r->rules, &r->rules_cap, r->nrules + 1, sizeof(rule));
    r->rules[r->nrules++] = (rule){off, (uint32_t)o.len, lits, allow};
    r->groups[r->ngroups - 1].n++;

    /* Google and Protego: allowing .../index.html allows .../ too */
    static const char idx[] = "/index.html";
    size_t il = sizeof(idx) - 1;
    const char *p = r->pool + off;
    if (allow && !anchor && o.len >= il && memcmp(p + o.len - il, idx, il) == 0) {
        char *dir = kumo_alloc(o.len - il + 3, robots_type(), KUMO_V_NONE);
        memcpy(dir, p, o.len - il + 1);
        dir[o.len - il + 1] = '$';
        add_rule(r, dir, o.len - il + 2, true);
        kumo_free(dir);
    }
}

static void add_delay(kumo_robots *r, const char *v, size_t n)
{
    char buf[64];
    if (n >= sizeof(buf))
        return;
    memcpy(buf, v, n);
    buf[n] = '\0';
    char *end;
    double d = strtod(buf, &end);
    if (end == buf || *end || !(d >= 0) || d > 1e9)    /* also refuses NaN */
        return;
    r->groups[r->ngroups - 1].delay = d;
}

/* Split a line without ':' as Protego does: "Disallow /x" or "User agent foo". */
static bool split_spaced(const char *s, size_t n, const char **fs, size_t *fn,
                         const char **vs, size_t *vn)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ')
            continue;
        if (field_of(s, i) != F_UNKNOWN) {
            *fs = s, *fn = i, *vs = s + i + 1, *vn = n - i - 1;
            return true;
        }
    }
    return false;
}

typedef struct parser {
    kumo_robots *r;
    bool in_group;              /* a user-agent line was seen */
    bool ruled;                 /* an Allow or Disallow line (empty too) since the group began:
                                 * the next user-agent line starts a new group (RFC 9309
                                 * section 2.1); Sitemap, Crawl-delay, unknown lines do not */
} parser;

static void parse_line(parser *ps, const char *s, size_t n)
{
    kumo_robots *r = ps->r;
    const char *hash = memchr(s, '#', n);
    if (hash)
        n = (size_t)(hash - s);
    trim(&s, &n);
    if (!n)
        return;
    const char *fs, *vs;
    size_t fn, vn;
    const char *colon = memchr(s, ':', n);
    if (colon) {
        fs = s, fn = (size_t)(colon - s);
        vs = colon + 1, vn = n - fn - 1;
    } else if (!split_spaced(s, n, &fs, &fn, &vs, &vn)) {
        return;
    }
    trim(&fs, &fn);
    trim(&vs, &vn);
    field f = field_of(fs, fn);
    if ((f == F_ALLOW || f == F_DISALLOW) && ps->in_group)
        ps->ruled = true;
    if (!vn)                                    /* "Disallow:" allows all: nothing to add */
        return;
    if (!ps->in_group && f != F_USER_AGENT && f != F_SITEMAP)
        return;                                 /* a rule for nobody */
    switch (f) {
    case F_USER_AGENT:
        if (!ps->in_group || ps->ruled) {
            r->groups = grow(r->groups, &r->groups_cap, r->ngroups + 1, sizeof(group));
            r->groups[r->ngroups++] = (group){(uint32_t)r->nrules, 0, -1};
            ps->in_group = true;
            ps->ruled = false;
        }
        add_agent(r, vs, vn, (uint32_t)(r->ngroups - 1));
        break;
    case F_ALLOW:
    case F_DISALLOW:
        add_rule(r, vs, vn, f == F_ALLOW);
        break;
    case F_SITEMAP:
        r->sitemaps = grow(r->sitemaps, &r->sitemaps_cap, r->nsitemaps + 1, sizeof(uint32_t));
        r->sitemaps[r->nsitemaps++] = pool_add(r, vs, vn);
        break;
    case F_CRAWL_DELAY:
        add_delay(r, vs, vn);
        break;
    default:                                    /* Request-rate, Host, unknown: ignored */
        break;
    }
}

static kumo_robots *robots_new(void)
{
    return kumo_calloc(1, sizeof(kumo_robots), robots_type(), KUMO_V_CACHE);
}

kumo_robots *kumo__robots_parse(const char *body, size_t len)
{
    kumo_robots *r = robots_new();
    if (!body)
        return r;
    if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
        body += 3, len -= 3;
    bool cut = len > KUMO_ROBOTS_MAX_BYTES;
    if (cut)
        len = KUMO_ROBOTS_MAX_BYTES;
    r->cut = cut;
    parser ps = {r, false, false};
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && body[j] != '\n' && body[j] != '\r')
            j++;
        if (j == len && cut)
            break;                              /* the partial last line */
        parse_line(&ps, body + i, j - i);
        if (j < len && body[j] == '\r' && j + 1 < len && body[j + 1] == '\n')
            j++;
        i = j + 1;
    }
    return r;
}

kumo_robots *kumo__robots_new_allow_all(void)
{
    return robots_new();
}

kumo_robots *kumo__robots_new_disallow_all(void)
{
    kumo_robots *r = robots_new();
    r->disallow_all = true;
    return r;
}

bool kumo__robots_cut(const kumo_robots *r)
{
    return r->cut;
}

void kumo__robots_free(kumo_robots *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nagents; i++)
        kumo_free(r->agents[i].groups);
    kumo_free(r->agents);
    kumo_free(r->rules);
    kumo_free(r->groups);
    kumo_free(r->sitemaps);
    kumo_free(r->pool);
    kumo_free(r);
}

/* ---- matching ---- */

/*
 * Does pattern p[0..m) ('*' any run; a final '$' anchors; otherwise a prefix match) match
 * the start of s[0..n)?  Greedy with backtracking to the last '*': O(m * n) at worst.
 */
static bool match(const char *p, size_t m, const char *s, size_t n)
{
    bool anchored = m > 0 && p[m - 1] == '$';
    if (anchored)
        m--;
    size_t i = 0, j = 0, star = SIZE_MAX, mark = 0;
    while (j < n) {
        if (i < m && p[i] == '*') {
            star = i++;
            mark = j;
        } else if (i == m && !anchored) {
            return true;
        } else if (i < m && p[i] == s[j]) {
            i++, j++;
        } else if (star != SIZE_MAX) {
            i = star + 1;
            j = ++mark;
        } else {
            return false;
        }
    }
    while (i < m && p[i] == '*')
        i++;
    return i == m;
}

/* The agent whose groups apply: the product token's own, else '*', else none. */
static const agent *agent_for(const kumo_robots *r, const char *ua)
{
    if (ua) {
        while (*ua == ' ' || *ua == '\t')
            ua++;
        size_t n = token_len(ua, strlen(ua));
        const agent *a = n ? agent_find(r, ua, n) : NULL;
        if (a)
            return a;
    }
    return agent_find(r, "*", 1);
}

/* The path, parameters and query of url (no fragment). */
static void url_path(const char *url, const char **p, size_t *n)
{
    const char *s = strstr(url, "://");
    if (s && strcspn(url, "/?#") > (size_t)(s - url)) {
        s += 3;
        s += strcspn(s, "/?#");
    } else {
        s = url;
    }
    *p = s;
    *n = strcspn(s, "#");
}

bool kumo__robots_allowed(const kumo_robots *r, const char *ua, const char *url)
{
    const char *raw;
    size_t rn;
    url_path(url ? url : "", &raw, &rn);

    char small[1024];
    sink o = {small, sizeof(small), 0};
    if (!rn || raw[0] != '/')
        put(&o, '/');
    normalize(&o, raw, rn);
    char *path = small;
    if (o.len > sizeof(small)) {
        path = kumo_alloc(o.len, robots_type(), KUMO_V_NONE);
        o = (sink){path, o.len, 0};
        if (!rn || raw[0] != '/')
            put(&o, '/');
        normalize(&o, raw, rn);
    }
    size_t n = o.len;
    bool allowed = true;

    /* RFC 9309 §2.2.2: /robots.txt itself is always allowed */
    if (n == 11 && memcmp(path, "/robots.txt", 11) == 0) {
        allowed = true;
    } else if (r->disallow_all) {
        allowed = false;
    } else {
        const agent *a = agent_for(r, ua);
        size_t best = 0;
        bool found = false;
        for (uint32_t g = 0; a && g < a->ngroups; g++) {
            const group *gr = &r->groups[a->groups[g]];
            for (uint32_t k = gr->first; k < gr->first + gr->n; k++) {
                const rule *ru = &r->rules[k];
                if (ru->lits > n || (found && ru->len < best))
                    continue;
                if (found && ru->len == best && (allowed || !ru->allow))
                    continue;                   /* cannot change the answer */
                if (!match(r->pool + ru->off, ru->len, path, n))
                    continue;
                if (!found || ru->len > best || ru->allow) {
                    found = true;
                    best = ru->len;
                    allowed = ru->allow;
                }
            }
        }
    }
    if (path != small)
        kumo_free(path);
    return allowed;
}

double kumo__robots_crawl_delay(const kumo_robots *r, const char *ua)
{
    const agent *a = agent_for(r, ua);
    double d = -1;
    for (uint32_t g = 0; a && g < a->ngroups; g++)
        if (r->groups[a->groups[g]].delay >= 0)
            d = r->groups[a->groups[g]].delay;
    return d;
}

size_t kumo__robots_sitemap_count(const kumo_robots *r)
{
    return r->nsitemaps;
}

const char *kumo__robots_sitemap(const kumo_robots *r, size_t i)
{
    return i < r->nsitemaps ? r->pool + r->sitemaps[i] : NULL;
}

size_t kumo__robots_rule_count(const kumo_robots *r)
{
    return r->nrules;
}

size_t kumo__robots_size(const kumo_robots *r)
{
    size_t n = sizeof(*r) + r->pool_cap + r->rules_cap * sizeof(rule) +
               r->groups_cap * sizeof(group) + r->agents_cap * sizeof(agent) +
               r->sitemaps_cap * sizeof(uint32_t);
    for (size_t i = 0; i < r->nagents; i++)
        n += r->agents[i].cap * sizeof(uint32_t);
    return n;
}
