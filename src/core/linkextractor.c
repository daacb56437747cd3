/* linkextractor.c - Scrapy 2.8's LinkExtractor (scrapy/linkextractors/lxmlhtml.py): the links
 * of a page's elements, joined, filtered and deduplicated as Scrapy does. */
#include "core/linkextractor.h"
#include "core/response_doc.h"
#include "http/response.h"
#include "http/url.h"
#include "select/css.h"
#include "select/pool.h"
#include "select/regex.h"
#include "util/buf.h"

#define LOGGER "kumo.linkextractors"

const char *const kumo_link_ignored_extensions[] = {
    /* archives */
    "7z", "7zip", "bz2", "rar", "tar", "tar.gz", "xz", "zip",
    /* images */
    "mng", "pct", "bmp", "gif", "jpg", "jpeg", "png", "pst", "psp", "tif", "tiff", "ai", "drw",
    "dxf", "eps", "ps", "svg", "cdr", "ico",
    /* audio */
    "mp3", "wma", "ogg", "wav", "ra", "aac", "mid", "au", "aiff",
    /* video */
    "3gp", "asf", "asx", "avi", "mov", "mp4", "mpg", "qt", "rm", "swf", "wmv", "m4a", "m4v",
    "flv", "webm",
    /* office suites */
    "xls", "xlsx", "ppt", "pptx", "pps", "doc", "docx", "odt", "ods", "odg", "odp",
    /* other */
    "css", "pdf", "exe", "bin", "rss", "dmg", "iso", "apk",
    NULL,
};

static const char *const default_tags[] = {"a", "area", NULL};
static const char *const default_attrs[] = {"href", NULL};

/* ---------------------------------------------------------------- the list */

static void link_release(kumo_link *l)
{
    kumo_free(l->url);
    kumo_free(l->text);
    kumo_free(l->fragment);
}

/* Append a link; takes ownership of url and text. */
static void links_push(kumo_links *ls, char *url, char *text, bool nofollow)
{
    if (ls->len == ls->cap) {
        ls->cap = ls->cap ? ls->cap * 2 : 8;
        ls->v = kumo_realloc(ls->v, ls->cap * sizeof(*ls->v), KUMO_T_LIST, KUMO_V_ITEMS);
    }
    ls->v[ls->len++] = (kumo_link){url, text, kumo_strdup("", KUMO_T_STR, KUMO_V_URL), nofollow};
}

static kumo_links *links_new(void)
{
    return kumo_calloc(1, sizeof(kumo_links), KUMO_T_LIST, KUMO_V_ITEMS);
}

void kumo_links_free(kumo_links *links)
{
    if (!links)
        return;
    for (size_t i = 0; i < links->len; i++)
        link_release(&links->v[i]);
    kumo_free(links->v);
    kumo_free(links);
}

void kumo_links_remove(kumo_links *links, size_t i)
{
    if (!links || i >= links->len)
        return;
    link_release(&links->v[i]);
    memmove(links->v + i, links->v + i + 1, (links->len - i - 1) * sizeof(*links->v));
    links->len--;
}

void kumo__links_keep(kumo_links *ls, bool (*keep)(const kumo_link *l, void *ctx), void *ctx)
{
    size_t j = 0;
    for (size_t i = 0; i < ls->len; i++) {
        if (keep(&ls->v[i], ctx))
            ls->v[j++] = ls->v[i];
        else
            link_release(&ls->v[i]);
    }
    ls->len = j;
}

void kumo_links_set_url(kumo_links *links, size_t i, const char *url)
{
    if (!links || i >= links->len || !url)
        return;
    char *copy = kumo_strdup(url, KUMO_T_STR, KUMO_V_URL);
    kumo_free(links->v[i].url);
    links->v[i].url = copy;
}

/* ---------------------------------------------------------------- a set of strings */

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

bool kumo__strset_has(const kumo_strset *set, const char *s)
{
    if (!set->cap)
        return false;
    for (size_t j = fnv(s) & (set->cap - 1); set->slot[j]; j = (j + 1) & (set->cap - 1))
        if (strcmp(set->slot[j], s) == 0)
            return true;
    return false;
}

bool kumo__strset_add(kumo_strset *set, char *s)
{
    if ((set->n + 1) * 2 > set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64;
        char **slot = kumo_calloc(cap, sizeof(char *), KUMO_T_LIST, KUMO_V_SEEN);
        for (size_t i = 0; i < set->cap; i++) {
            if (!set->slot[i])
                continue;
            size_t j = fnv(set->slot[i]) & (cap - 1);
            while (slot[j])
                j = (j + 1) & (cap - 1);
            slot[j] = set->slot[i];
        }
        kumo_free(set->slot);
        set->slot = slot;
        set->cap = cap;
    }
    size_t j = fnv(s) & (set->cap - 1);
    while (set->slot[j]) {
        if (strcmp(set->slot[j], s) == 0) {
            kumo_free(s);
            return false;
        }
        j = (j + 1) & (set->cap - 1);
    }
    set->slot[j] = s;
    set->n++;
    return true;
}

void kumo__strset_release(kumo_strset *set)
{
    for (size_t i = 0; i < set->cap; i++)
        kumo_free(set->slot[i]);
    kumo_free(set->slot);
    *set = (kumo_strset){0};
}

/* The fields joined by \x01, a byte no url holds and text hardly does. */
char *kumo__link_key(const kumo_link *l)
{
    size_t n = strlen(l->url) + strlen(l->text) + strlen(l->fragment) + 8;
    char *k = kumo_alloc(n, KUMO_T_STR, KUMO_V_SEEN);
    snprintf(k, n, "%s\x01%s\x01%s\x01%d", l->url, l->text, l->fragment, l->nofollow ? 1 : 0);
    return k;
}

/* ---------------------------------------------------------------- url pieces */

/* The netloc of url (lower case, after "//" up to the path), into b; "" when none. */
static void netloc_of(const char *url, kumo_buf *b)
{
    kumo__buf_reset(b);
    const char *p = strstr(url, "://");
    const char *colon = strchr(url, ':');
    if (!p || p != colon)
        return;
    p += 3;
    size_t n = strcspn(p, "/?#");
    for (size_t i = 0; i < n; i++)
        kumo__buf_addc(b, (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] - 'A' + 'a' : p[i]));
}

/* The host of a netloc: without userinfo and port. */
static void host_of(const char *netloc, kumo_buf *b)
{
    kumo__buf_reset(b);
    const char *at = strrchr(netloc, '@');
    const char *h = at ? at + 1 : netloc;
    size_t n = strlen(h);
    if (*h == '[') {
        const char *close = strchr(h, ']');
        n = close ? (size_t)(close - h) + 1 : n;
    } else {
        const char *colon = strchr(h, ':');
        n = colon ? (size_t)(colon - h) : n;
    }
    kumo__buf_add(b, h, n);
}

static bool in_domain(const char *host, const char *d, size_t dn)
{
    size_t hn = strlen(host);
    if (hn == dn)
        return strncasecmp(host, d, dn) == 0;
    return hn > dn && host[hn - dn - 1] == '.' && strncasecmp(host + hn - dn, d, dn) == 0;
}

/* Scrapy's url_is_from_any_domain(), on the netloc as Scrapy, or on the host alone for an
 * entry without a port. */
static bool from_any_domain(const char *url, const char *const *domains)
{
    kumo_buf nl, host;
    kumo__buf_init(&nl, 0, KUMO_T_STR, KUMO_V_URL);
    kumo__buf_init(&host, 0, KUMO_T_STR, KUMO_V_URL);
    netloc_of(url, &nl);
    const char *netloc = kumo__buf_str(&nl);
    host_of(netloc, &host);
    bool hit = false;
    for (size_t i = 0; *netloc && domains[i] && !hit; i++) {
        size_t dn = strlen(domains[i]);
        hit = in_domain(netloc, domains[i], dn) || in_domain(kumo__buf_str(&host), domains[i], dn);
    }
    kumo__buf_release(&nl);
    kumo__buf_release(&host);
    return hit;
}

/* Scrapy's url_has_any_extension(): urlparse()'s path (without ;params), lower case, ends
 * with "." and one of exts. */
static bool has_extension(const char *url, const char *const *exts)
{
    const char *p = strstr(url, "://");
    if (!p)
        return false;
    p += 3;
    p += strcspn(p, "/?#");
    size_t n = strcspn(p, "?#");
    const char *last = p;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '/')
            last = p + i;
    const char *semi = memchr(last, ';', (size_t)(p + n - last));     /* urlparse's params */
    if (semi)
        n = (size_t)(semi - p);
    for (size_t i = 0; exts[i]; i++) {
        size_t en = strlen(exts[i]);
        if (n > en && p[n - en - 1] == '.' && strncasecmp(p + n - en, exts[i], en) == 0)
            return true;
    }
    return false;
}

/* Python's any(re.search(p, s) for p in pats); invalid patterns were refused by the check. */
static bool matches_any(const char *const *pats, const char *s)
{
    for (size_t i = 0; pats[i]; i++) {
        const kumo_regex *re = kumo__regex_get(pats[i], 0, NULL);
        if (re && kumo__regex_search(re, s, strlen(s)))
            return true;
    }
    return false;
}

static bool valid_scheme(const char *url)
{
    static const char *const ok[] = {"http://", "https://", "file://", "ftp://"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(ok); i++)
        if (strncmp(url, ok[i], strlen(ok[i])) == 0)
            return true;
    return false;
}

static bool has(const char *const *list, const char *name)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}

/* ---------------------------------------------------------------- options */

static bool empty(const char *const *l)
{
    return !l || !l[0];
}

static int check_patterns(const char *opt, const char *const *pats, char *err, size_t errlen)
{
    for (size_t i = 0; pats && pats[i]; i++) {
        const char *why = NULL;
        if (!kumo__regex_get(pats[i], 0, &why)) {
            if (err && errlen)
                snprintf(err, errlen, "LinkExtractor %s: bad pattern '%s': %s", opt, pats[i],
                         why ? why : "invalid");
            return KUMO_ESYNTAX;
        }
    }
    return KUMO_OK;
}

static int check_queries(const char *opt, const char *const *qs, bool css, char *err,
                         size_t errlen)
{
    for (size_t i = 0; qs && qs[i]; i++) {
        const kumo_query *q = kumo__query_get(qs[i], css);
        if (!q->comp) {
            if (err && errlen)
                snprintf(err, errlen, "LinkExtractor %s: '%s' is not a valid %s: %s", opt,
                         qs[i], css ? "CSS selector" : "XPath expression",
                         q->error ? q->error : "invalid");
            return KUMO_ESYNTAX;
        }
    }
    return KUMO_OK;
}

int kumo_link_extractor_check(const kumo_link_extractor *le, char *err, size_t errlen)
{
    if (!le)
        return KUMO_OK;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(le->reserved); i++) {
        if (le->reserved[i]) {
            if (err && errlen)
                snprintf(err, errlen, "LinkExtractor sets reserved slot %zu, unknown to this "
                         "kumo", i);
            return KUMO_EINVAL;
        }
    }
    KUMO_TRY(check_patterns("allow", le->allow, err, errlen));
    KUMO_TRY(check_patterns("deny", le->deny, err, errlen));
    KUMO_TRY(check_patterns("restrict_text", le->restrict_text, err, errlen));
    KUMO_TRY(check_queries("restrict_xpaths", le->restrict_xpaths, false, err, errlen));
    KUMO_TRY(check_queries("restrict_css", le->restrict_css, true, err, errlen));
    return KUMO_OK;
}

/* ---------------------------------------------------------------- extraction */

static bool is_html_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* An attribute's value: a new string. */
static char *attr_text(xmlAttrPtr a)
{
    xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
    char *s = kumo_strdup(v ? (const char *)v : "", KUMO_T_STR, KUMO_V_URL);
    xmlFree(v);
    return s;
}

/* Scrapy's rel_has_nofollow(): "nofollow" among rel's words (split on spaces and commas). */
static bool rel_nofollow(xmlNodePtr el)
{
    xmlChar *rel = xmlGetNoNsProp(el, BAD_CAST "rel");
    bool hit = false;
    for (const char *p = (const char *)rel; p && *p && !hit;) {
        p += strspn(p, " \t\n\r\f\v,");
        size_t n = strcspn(p, " \t\n\r\f\v,");
        hit = n == 8 && strncmp(p, "nofollow", 8) == 0;
        p += n;
    }
    xmlFree(rel);
    return hit;
}

/* The url a value gives, as LxmlParserLinkExtractor._extract_links makes it, or NULL. */
static char *link_url(const kumo_link_extractor *le, kumo_response *res, const char *value)
{
    size_t n = strlen(value);
    if (le->strip != KUMO_NO) {
        while (is_html_space(*value)) {
            value++;
            n--;
        }
        while (n && is_html_space(value[n - 1]))
            n--;
    }
    char *v = kumo_strndup(value, n, KUMO_T_STR, KUMO_V_URL);
    char *joined = kumo_response_urljoin(res, v);
    kumo_free(v);
    if (!joined)
        return NULL;
    if (le->process_value) {
        char *p = le->process_value(joined);
        kumo_free(joined);
        joined = p;
        if (!joined)
            return NULL;
    }
    char *safe = kumo__url_safe(joined);
    kumo_free(joined);
    if (!safe)
        return NULL;
    char *url = kumo__url_join(res->url, safe);
    kumo_free(safe);
    return url;
}

/* The dedup key of LxmlParserLinkExtractor: the url as it is when canonicalized, else its
 * canonical form with the fragment kept.  A new string. */
static char *link_key(const kumo_link_extractor *le, const char *url)
{
    if (le->canonicalize)
        return kumo_strdup(url, KUMO_T_STR, KUMO_V_SEEN);
    char *c = kumo__url_canonicalize(url);
    if (!c)
        return kumo_strdup(url, KUMO_T_STR, KUMO_V_SEEN);
    const char *frag = strchr(url, '#');
    if (frag && frag[1]) {
        size_t cn = strlen(c), fn = strlen(frag);
        c = kumo_realloc(c, cn + fn + 1, KUMO_T_STR, KUMO_V_SEEN);
        memcpy(c + cn, frag, fn + 1);
    }
    return c;
}

/* Keep the first link of each key (when unique). */
static void dedupe(const kumo_link_extractor *le, kumo_links *ls)
{
    if (le->unique == KUMO_NO)
        return;
    kumo_strset seen = {0};
    size_t j = 0;
    for (size_t i = 0; i < ls->len; i++) {
        if (kumo__strset_add(&seen, link_key(le, ls->v[i].url)))
            ls->v[j++] = ls->v[i];
        else
            link_release(&ls->v[i]);
    }
    ls->len = j;
    kumo__strset_release(&seen);
}

/* Every (element, attribute) of the subtree at top, in document order, into ls. */
static void scan(const kumo_link_extractor *le, kumo_response *res, xmlNodePtr top,
                 kumo_links *ls)
{
    const char *const *tags = le->tags ? le->tags : default_tags;
    const char *const *attrs = le->attrs ? le->attrs : default_attrs;
    xmlNodePtr n = top;
    while (n) {
        if (n->type == XML_ELEMENT_NODE && n->name && has(tags, (const char *)n->name)) {
            for (xmlAttrPtr a = n->properties; a; a = a->next) {
                if (!a->name || !has(attrs, (const char *)a->name))
                    continue;
                char *value = attr_text(a);
                char *url = link_url(le, res, value);
                kumo_free(value);
                if (!url)
                    continue;
                xmlChar *t = xmlNodeGetContent(n);
                char *text = kumo_strdup(t ? (const char *)t : "", KUMO_T_STR, KUMO_V_TEXT);
                xmlFree(t);
                links_push(ls, url, text, rel_nofollow(n));
            }
        }
        /* next in document order, without leaving top's subtree */
        if (n->children && (n->type == XML_ELEMENT_NODE || n == top)) {
            n = n->children;
            continue;
        }
        while (n && n != top && !n->next)
            n = n->parent;
        n = (!n || n == top) ? NULL : n->next;
    }
}

/* LxmlLinkExtractor._link_allowed() */
static bool allowed(const kumo_link_extractor *le, const kumo_link *l)
{
    if (!valid_scheme(l->url))
        return false;
    if (!empty(le->allow) && !matches_any(le->allow, l->url))
        return false;
    if (!empty(le->deny) && matches_any(le->deny, l->url))
        return false;
    if (!empty(le->allow_domains) && !from_any_domain(l->url, le->allow_domains))
        return false;
    if (!empty(le->deny_domains) && from_any_domain(l->url, le->deny_domains))
        return false;
    const char *const *exts = le->deny_extensions ? le->deny_extensions
                                                  : kumo_link_ignored_extensions;
    if (!empty(exts) && has_extension(l->url, exts))
        return false;
    if (!empty(le->restrict_text) && !matches_any(le->restrict_text, l->text))
        return false;
    return true;
}

/* One restricting element's links: extracted, deduplicated, filtered, canonicalized,
 * deduplicated again (LxmlLinkExtractor._process_links), appended to all. */
static void extract_from(const kumo_link_extractor *le, kumo_response *res, xmlNodePtr top,
                         kumo_links *all)
{
    kumo_links ls = {0};
    scan(le, res, top, &ls);
    dedupe(le, &ls);
    size_t j = 0;
    for (size_t i = 0; i < ls.len; i++) {
        if (allowed(le, &ls.v[i]))
            ls.v[j++] = ls.v[i];
        else
            link_release(&ls.v[i]);
    }
    ls.len = j;
    if (le->canonicalize) {
        for (size_t i = 0; i < ls.len; i++) {
            char *c = kumo__url_canonicalize(ls.v[i].url);
            if (c) {
                kumo_free(ls.v[i].url);
                ls.v[i].url = c;
            }
        }
    }
    dedupe(le, &ls);
    for (size_t i = 0; i < ls.len; i++)
        links_push(all, ls.v[i].url, ls.v[i].text, ls.v[i].nofollow);
    for (size_t i = 0; i < ls.len; i++)
        kumo_free(ls.v[i].fragment);
    kumo_free(ls.v);
}

/* Scrapy's unique_list(all_links): a Link equals another with the same four fields. */
static void unique_links(kumo_links *ls)
{
    kumo_strset seen = {0};
    size_t j = 0;
    for (size_t i = 0; i < ls->len; i++) {
        if (kumo__strset_add(&seen, kumo__link_key(&ls->v[i])))
            ls->v[j++] = ls->v[i];
        else
            link_release(&ls->v[i]);
    }
    ls->len = j;
    kumo__strset_release(&seen);
}

static void add_restricted(const kumo_link_extractor *le, kumo_response *res,
                           kumo_selector_list *sl, kumo_links *all)
{
    for (size_t i = 0; i < kumo_list_len(sl); i++) {
        xmlNodePtr top = kumo__sel_node(kumo_list_at(sl, i));
        if (top)
            extract_from(le, res, top, all);
    }
}

kumo_links *kumo_extract_links(const kumo_link_extractor *le, kumo_response *res)
{
    static const kumo_link_extractor defaults;
    kumo_links *all = links_new();
    if (!le)
        le = &defaults;
    char err[512];
    if (kumo_link_extractor_check(le, err, sizeof(err)) != KUMO_OK) {
        KUMO_ERROR(LOGGER, "%s", err);
        return all;
    }
    if (!res || !kumo__response_is_text(res))
        return all;
    int rc = KUMO_OK;
    kumo_doc *doc = kumo__doc_for(res, &rc);
    if (!doc)
        return all;
    size_t mark = kumo__pool_mark();
    if (empty(le->restrict_xpaths) && empty(le->restrict_css)) {
        extract_from(le, res, kumo__doc_root(doc), all);
    } else {
        for (size_t i = 0; le->restrict_xpaths && le->restrict_xpaths[i]; i++)
            add_restricted(le, res, kumo_xpath(res, le->restrict_xpaths[i]), all);
        for (size_t i = 0; le->restrict_css && le->restrict_css[i]; i++)
            add_restricted(le, res, kumo_css(res, le->restrict_css[i]), all);
    }
    kumo__pool_drain(mark);
    if (le->unique != KUMO_NO)
        unique_links(all);
    return all;
}
