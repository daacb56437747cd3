/* httpauth.c - the HttpAuth downloader middleware: Basic auth for one domain and below. */
#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "http/downloader.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/url.h"

typedef struct httpauth {
    bool loaded;                /* read at the first request, once the spider runs */
    char *auth;                 /* "Basic ...", or NULL: nothing to send */
    char *domain;               /* NULL: every domain */
    bool domain_unset;          /* take the first request's host */
} httpauth;

/* The spider argument (-a name=...) when given, else the setting; NULL when neither. */
static const char *arg_or_setting(kumo_crawler *c, const char *arg, const char *setting)
{
    kumo_spider *sp = kumo_crawler_spider(c);
    const char *v = sp ? kumo_spider_arg(sp, arg, NULL) : NULL;
    return v ? v : kumo_crawler_setting(c, setting);
}

/* Scrapy's spider_opened: http_user, http_pass, http_auth_domain. */
static void load(httpauth *a, kumo_crawler *c)
{
    a->loaded = true;
    const char *user = arg_or_setting(c, "http_user", "HTTP_USER");
    const char *pass = arg_or_setting(c, "http_pass", "HTTP_PASS");
    if ((!user || !*user) && (!pass || !*pass))
        return;
    a->auth = kumo__basic_auth(user ? user : "", pass ? pass : "", true);
    const char *domain = arg_or_setting(c, "http_auth_domain", "HTTP_AUTH_DOMAIN");
    if (!domain) {
        KUMO_WARN("kumo.downloadermiddlewares.httpauth", "Using HttpAuth without "
                  "http_auth_domain: it is set to the domain of the first request");
        a->domain_unset = true;
    } else if (*domain && strcmp(domain, "*") != 0) {
        a->domain = kumo_strdup(domain, KUMO_T_STR, KUMO_V_DICT);
        for (char *p = a->domain; *p; p++)
            *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
    }
}

static int ha_open(kumo_crawler *c, void **self)
{
    *self = kumo_calloc(1, sizeof(httpauth), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    return KUMO_OK;
}

static void ha_close(void *self, kumo_crawler *c)
{
    httpauth *a = self;
    kumo_free(a->auth);
    kumo_free(a->domain);
    kumo_free(a);
}

/* url_is_from_any_domain(url, [domain]) on the host name (with the port only when domain
 * has one): host == domain or host ends with "." domain. */
static bool from_domain(const char *url, const char *host, const char *domain)
{
    char buf[300];
    const char *h = host;
    if (strchr(domain, ':')) {
        /* compare host:port: find the authority's port in url */
        const char *p = strstr(url, "://");
        p = p ? p + 3 : url;
        size_t n = strcspn(p, "/?#");
        const char *at = memchr(p, '@', n);
        if (at) {
            n -= (size_t)(at + 1 - p);
            p = at + 1;
        }
        snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
        for (char *q = buf; *q; q++)
            *q = (char)((*q >= 'A' && *q <= 'Z') ? *q + 32 : *q);
        h = buf;
    }
    size_t hl = strlen(h), dl = strlen(domain);
    if (!hl)
        return false;
    return strcmp(h, domain) == 0 ||
           (hl > dl && h[hl - dl - 1] == '.' && strcmp(h + hl - dl, domain) == 0);
}

static int ha_request(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                      kumo_request **next)
{
    httpauth *a = self;
    if (!a->loaded)
        load(a, c);
    if (!a->auth || kumo_request_header(req, "Authorization"))
        return KUMO_OK;
    char *host = kumo_url_host(req->url);
    if (a->domain_unset) {
        a->domain = host && *host ? kumo_strdup(host, KUMO_T_STR, KUMO_V_DICT) : NULL;
        a->domain_unset = false;
    }
    if (!a->domain || from_domain(req->url, host ? host : "", a->domain))
        kumo_request_set_header(req, "Authorization", a->auth);
    kumo_free(host);
    return KUMO_OK;
}

const kumo_dlmw_def kumo__dlmw_httpauth = {
    KUMO_DLMW_HEADER,
    .name = "HttpAuth",
    .order = 300,
    .open = ha_open,
    .close = ha_close,
    .process_request = ha_request,
};
