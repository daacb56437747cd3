/* metarefresh.c - the MetaRefresh downloader middleware: follow <meta http-equiv=refresh>. */
#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "http/request.h"
#include "http/response.h"
#include "http/url.h"
#include "select/regex.h"
#include "util/buf.h"
#include "util/utf8.h"

#define LOGGER "kumo.downloadermiddlewares.redirect"

/* Scrapy's get_meta_refresh reads response.text[0:4096]: characters, not bytes. */
#define HEAD_CHARS 4096
#define MAX_IGNORE_TAGS 64

/* w3lib.html's _meta_refresh_re and _meta_refresh_re2 (re.DOTALL | re.IGNORECASE). */
static const char re_refresh1[] =
    "(?s)<meta\\s[^>]*http-equiv[^>]*refresh[^>]*content\\s*=\\s*(?P<quote>[\"'])"
    "(?P<int>(\\d*\\.)?\\d+)\\s*;\\s*url=\\s*(?P<url>.*?)(?P=quote)";
static const char re_refresh2[] =
    "(?s)<meta\\s[^>]*content\\s*=\\s*(?P<quote>[\"'])(?P<int>(\\d*\\.)?\\d+)\\s*;\\s*url=\\s*"
    "(?P<url>.*?)(?P=quote)[^>]*?\\shttp-equiv\\s*=[^>]*refresh";

typedef struct metarefresh {
    double maxdelay;
    char *ignore_re;            /* remove_tags_with_content's pattern, or NULL */
} metarefresh;

static int mr_open(kumo_crawler *c, void **self)
{
    if (!kumo_crawler_setting_bool(c, "METAREFRESH_ENABLED"))
        return KUMO_EDECLINED;
    metarefresh *m = kumo_calloc(1, sizeof(*m), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    m->maxdelay = kumo_crawler_setting_float(c, "METAREFRESH_MAXDELAY");
    char *tags[MAX_IGNORE_TAGS];
    size_t n = kumo_crawler_setting_list(c, "METAREFRESH_IGNORE_TAGS", tags,
                                  MAX_IGNORE_TAGS);
    if (n > MAX_IGNORE_TAGS)
        n = MAX_IGNORE_TAGS;
    if (n) {
        /* w3lib remove_tags_with_content: per tag, <tag ...>...</tag> or <tag/> */
        kumo_buf b;
        kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_DICT);
        kumo__buf_adds(&b, "(?s)");
        for (size_t i = 0; i < n; i++)
            kumo__buf_printf(&b, "%s<%s\\b.*?</%s>|<%s\\s*/>", i ? "|" : "", tags[i], tags[i],
                            tags[i]);
        m->ignore_re = kumo__buf_detach(&b, NULL);
    }
    for (size_t i = 0; i < n; i++)
        kumo_free(tags[i]);
    *self = m;
    return KUMO_OK;
}

static void mr_close(void *self, kumo_crawler *c)
{
    (void)c;
    metarefresh *m = self;
    kumo_free(m->ignore_re);
    kumo_free(m);
}

/* re.sub(pattern, "", s): a new string, or s copied when the pattern does not compile. */
static char *remove_all(const char *pattern, const char *s, size_t n)
{
    const kumo_regex *re = kumo__regex_get(pattern, KUMO_RE_I, NULL);
    char *out = re ? kumo__regex_sub(re, "", s, n, 0, NULL) : NULL;
    return out ? out : kumo_strndup(s, n, KUMO_T_STR, KUMO_V_TEXT);
}

/* True when s[0..n) starts a named reference whose name (the whole alnum run) is lt or
 * amp, which kumo__replace_entities() keeps; *used gets its length, ';' included. */
static bool kept_entity(const char *s, size_t n, char *ch, size_t *used)
{
    size_t i = 1;
    while (i < n && i < 5 && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                              (s[i] >= '0' && s[i] <= '9')))
        i++;
    if (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                  (s[i] >= '0' && s[i] <= '9')))
        return false;
    if (i == 3 && strncasecmp(s + 1, "lt", 2) == 0)
        *ch = '<';
    else if (i == 4 && strncasecmp(s + 1, "amp", 3) == 0)
        *ch = '&';
    else
        return false;
    *used = i + (i < n && s[i] == ';');
    return true;
}

/* w3lib's replace_entities(text) with keep=() (every reference, &lt; and &amp; too). */
static void replace_entities(const char *s, size_t n, kumo_buf *b)
{
    size_t i = 0, k = 0;
    while (k < n) {
        const char *amp = memchr(s + k, '&', n - k);
        if (!amp)
            break;
        k = (size_t)(amp - s);
        char ch;
        size_t used;
        if (kept_entity(s + k, n - k, &ch, &used)) {
            kumo__replace_entities(s + i, k - i, b);
            kumo__buf_addc(b, ch);
            k += used;
            i = k;
        } else {
            k++;
        }
    }
    kumo__replace_entities(s + i, n - i, b);
}

/* strcasestr(s, "http-equiv"), from its '-' (rarer in a page than its letters). */
static bool has_http_equiv(const char *s)
{
    for (const char *p = s; (p = strchr(p, '-')); p++)
        if (p - s >= 4 && strncasecmp(p - 4, "http", 4) == 0 &&
            strncasecmp(p + 1, "equiv", 5) == 0)
            return true;
    return false;
}

/* A regex group emitted by kumo__regex_search_groups(). */
typedef struct groups {
    kumo_buf g[5];
    size_t n;
} groups;

static void take_group(void *ctx, const char *s, size_t n)
{
    groups *gs = ctx;
    if (gs->n < KUMO_ARRAY_LEN(gs->g))
        kumo__buf_add(&gs->g[gs->n], s, n);
    gs->n++;
}

/*
 * w3lib's get_meta_refresh(response.text[0:4096], response.url, ignore_tags): returns the
 * url to go to (a new string) with its delay in *interval, or NULL when there is none.
 */
static char *meta_refresh(const metarefresh *m, kumo_response *res, double *interval)
{
    size_t len;
    const char *text = kumo_response_text_head(res, HEAD_CHARS, &len);
    if (!text)
        return NULL;
    size_t cut = kumo__utf8_prefix(text, len, HEAD_CHARS);
    if (!memchr(text, '<', cut))
        return NULL;
    char *head = m->ignore_re ? remove_all(m->ignore_re, text, cut)
                              : kumo_strndup(text, cut, KUMO_T_STR, KUMO_V_TEXT);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_TEXT);
    replace_entities(head, strlen(head), &b);
    kumo_free(head);
    const char *text2 = b.len ? kumo__buf_str(&b) : "";
    char *clean = kumo__remove_comments(text2, b.len);
    const char *cs = clean ? clean : text2;

    groups gs = {.n = 0};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(gs.g); i++)
        kumo__buf_init(&gs.g[i], 0, KUMO_T_STR, KUMO_V_TEXT);
    size_t cl = strlen(cs);
    /* Both patterns need "<meta" and "http-equiv", in any ASCII case (none of their letters
     * has another case in Unicode): most pages have no http-equiv, and skip both searches. */
    bool found = false;
    if (has_http_equiv(cs) && strcasestr(cs, "<meta")) {
        const kumo_regex *re = kumo__regex_get(re_refresh1, KUMO_RE_I, NULL);
        found = re && kumo__regex_search_groups(re, cs, cl, take_group, &gs);
        if (!found) {
            re = kumo__regex_get(re_refresh2, KUMO_RE_I, NULL);
            found = re && kumo__regex_search_groups(re, cs, cl, take_group, &gs);
        }
    }
    kumo_free(clean);
    kumo__buf_release(&b);
    char *url = NULL;
    if (found && gs.n >= 5) {
        *interval = strtod(kumo__buf_str(&gs.g[2]), NULL);
        /* .strip(" \"'"), then safe_url_string and urljoin(response.url, url) */
        const char *u = gs.g[4].len ? kumo__buf_str(&gs.g[4]) : "";
        size_t ul = gs.g[4].len;
        while (ul && strchr(" \"'", *u)) {
            u++;
            ul--;
        }
        while (ul && strchr(" \"'", u[ul - 1]))
            ul--;
        char *href = kumo_strndup(u, ul, KUMO_T_STR, KUMO_V_URL);
        url = kumo__url_join(res->url, href);
        kumo_free(href);
    }
    for (size_t i = 0; i < KUMO_ARRAY_LEN(gs.g); i++)
        kumo__buf_release(&gs.g[i]);
    return url;
}

static int mr_response(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                       kumo_request **next)
{
    const metarefresh *m = self;
    if (kumo__meta_true(&req->meta, "dont_redirect") || strcmp(req->method, "HEAD") == 0 ||
        !kumo_class_is(kumo_response_class(*res), &KUMO_CLASS(HtmlResponse)))
        return KUMO_OK;
    double interval = 0;
    char *url = meta_refresh(m, *res, &interval);
    /* the head was copied where it was needed: the response may wait long for its callback */
    kumo_response_text_head_release(*res);
    if (!url)
        return KUMO_OK;
    int rc = KUMO_OK;
    if (interval < m->maxdelay)
        rc = kumo__redirect_follow(c, req, url, true, kumo_val_str("meta refresh"), next);
    kumo_free(url);
    return rc;
}

const kumo_dlmw_def kumo__dlmw_metarefresh = {
    KUMO_DLMW_HEADER,
    .name = "MetaRefresh",
    .order = 580,
    .open = mr_open,
    .close = mr_close,
    .process_response = mr_response,
};
