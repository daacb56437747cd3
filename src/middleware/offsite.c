/* offsite.c - the Offsite spider middleware: drop requests outside the allowed domains. */
#include "middleware/mw.h"
#include "http/request.h"
#include "http/url.h"

#define LOGGER "kumo.spidermiddlewares.offsite"

typedef struct offsite {
    kumo_map seen;          /* domains already logged: keys only */
} offsite;

/* Scrapy's get_host_regex() skips urls and domains with a port. */
static bool usable(const char *d)
{
    if (strncasecmp(d, "http://", 7) == 0 || strncasecmp(d, "https://", 8) == 0)
        return false;
    const char *colon = strrchr(d, ':');
    if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1))
        return false;
    return true;
}

/* The running spider's allowed domains, NULL-terminated, or NULL for any. */
static const char *const *allowed(kumo_crawler *c)
{
    kumo_spider *sp = kumo_crawler_spider(c);
    return sp ? kumo_spider_allowed_domains(sp) : NULL;
}

static int os_open(kumo_crawler *c, void **self)
{
    offsite *o = kumo_calloc(1, sizeof(*o), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    kumo_map_init(&o->seen, KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    const char *const *domains = allowed(c);
    for (size_t i = 0; domains && domains[i]; i++) {
        if (strncasecmp(domains[i], "http://", 7) == 0 ||
            strncasecmp(domains[i], "https://", 8) == 0)
            KUMO_WARN(LOGGER, "allowed_domains accepts only domains, not URLs. Ignoring URL "
                      "entry %s in allowed_domains.", domains[i]);
        else if (!usable(domains[i]))
            KUMO_WARN(LOGGER, "allowed_domains accepts only domains without ports. Ignoring "
                      "entry %s in allowed_domains.", domains[i]);
    }
    *self = o;
    return KUMO_OK;
}

static void os_close(void *self, kumo_crawler *c)
{
    (void)c;
    offsite *o = self;
    kumo_map_release(&o->seen);
    kumo_free(o);
}

/* host is domain or one of its subdomains (case-insensitive). */
static bool host_in(const char *host, const char *domain)
{
    size_t h = strlen(host), d = strlen(domain);
    if (h < d || strcasecmp(host + h - d, domain) != 0)
        return false;
    return h == d || host[h - d - 1] == '.';
}

static bool should_follow(kumo_crawler *c, const char *host)
{
    const char *const *domains = allowed(c);
    if (!domains || !domains[0])
        return true;
    for (size_t i = 0; domains[i]; i++)
        if (usable(domains[i]) && host && host_in(host, domains[i]))
            return true;
    return false;
}

/* Like Scrapy's, it filters what callbacks emit; start requests (res NULL) pass. */
static int os_request(void *self, kumo_crawler *c, kumo_response *res, kumo_request *req)
{
    offsite *o = self;
    if (!res || req->dont_filter)
        return KUMO_OK;
    char *host = kumo_url_host(req->url);
    if (should_follow(c, host)) {
        kumo_free(host);
        return KUMO_OK;
    }
    if (host && *host && !kumo_map_get(&o->seen, host)) {
        kumo_map_set(&o->seen, host, kumo_val_none());
        KUMO_DEBUG(LOGGER, "Filtered offsite request to '%s': <%s %s>", host, req->method,
                   req->url);
        kumo_crawler_stats_inc(c, "offsite/domains", 1);
    }
    kumo_crawler_stats_inc(c, "offsite/filtered", 1);
    kumo_free(host);
    return KUMO_EIGNORED;
}

const kumo_spmw_def kumo__spmw_offsite = {
    KUMO_SPMW_HEADER,
    .name = "Offsite",
    .order = 500,
    .open = os_open,
    .close = os_close,
    .process_request = os_request,
};
