/* robotstxt.c - the RobotsTxt downloader middleware: fetch robots.txt once per origin, obey it. */
#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/stats.h"
#include "http/request.h"
#include "http/response.h"
#include "http/robots.h"
#include "http/status.h"
#include "util/vec.h"

#include <ctype.h>

#define LOGGER "kumo.downloadermiddlewares.robotstxt"

#define MAX_HOSTS 4096              /* origins whose rules stay cached */
#define MAX_BYTES (64u << 20)       /* heap the cached rules may hold */
#define NBUCKETS 1024
#define ROBOTS_PRIORITY 1000        /* Scrapy's RobotsTxtMiddleware.DOWNLOAD_PRIORITY */
#define ROBOTS_REDIRECTS 5          /* RFC 9309 §2.3.1.2 */

static kumo__robots_download_fn crawl_download = kumo_crawler_download;
static kumo__robots_resume_fn crawl_resume = kumo_crawler_resume;
static kumo__robots_share_fn crawl_share;     /* a cluster's cache, or NULL */

void kumo__robotstxt_set_engine(kumo__robots_download_fn download,
                                kumo__robots_resume_fn resume)
{
    crawl_download = download ? download : kumo_crawler_download;
    crawl_resume = resume ? resume : kumo_crawler_resume;
}

void kumo__robotstxt_set_share(kumo__robots_share_fn share)
{
    crawl_share = share;
}

typedef struct robotstxt robotstxt;
typedef struct host host;

/* One robots.txt download in flight: the engine's ctx.  It outlives the middleware when
 * the engine calls back after close (mw is then NULL). */
typedef struct fetch {
    robotstxt *mw;
    host *h;
} fetch;

struct host {
    host *next;                 /* hash chain */
    char *key;                  /* "http://example.com:80" */
    kumo_robots *rules;         /* NULL while fetching */
    fetch *pending;             /* the download in flight, or NULL */
    kumo_vec waiting;           /* parked requests, one reference each */
    uint64_t used;              /* LRU tick */
    size_t size;                /* kumo__robots_size(rules) */
    double delay;               /* ROBOTSTXT_CRAWL_DELAY: its Crawl-delay, or 0 */
    char *slot;                 /* the download slot the robots.txt went through, or NULL */
};

struct robotstxt {
    kumo_crawler *c;
    char *agent;                /* ROBOTSTXT_USER_AGENT, or NULL */
    char *default_agent;        /* USER_AGENT, or NULL */
    bool crawl_delay;           /* ROBOTSTXT_CRAWL_DELAY */
    host *buckets[NBUCKETS];
    size_t nhosts, bytes;
    uint64_t tick;
};

static char *setting_dup(kumo_crawler *c, const char *name)
{
    const char *v = kumo_crawler_setting(c, name);
    return v && *v ? kumo_strdup(v, KUMO_T_STR, KUMO_V_DICT) : NULL;
}

static int rt_open(kumo_crawler *c, void **self)
{
    if (!kumo_crawler_setting_bool(c, "ROBOTSTXT_OBEY"))
        return KUMO_EDECLINED;
    robotstxt *rt = kumo_calloc(1, sizeof(*rt), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    rt->c = c;
    rt->agent = setting_dup(c, "ROBOTSTXT_USER_AGENT");
    rt->default_agent = setting_dup(c, "USER_AGENT");
    rt->crawl_delay = kumo_crawler_setting_bool(c, "ROBOTSTXT_CRAWL_DELAY");
    *self = rt;
    return KUMO_OK;
}

/* ---- the cache: origin -> rules ---- */

static size_t bucket_of(const char *key)
{
    uint32_t h = 2166136261u;                   /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % NBUCKETS;
}

static host *host_find(robotstxt *rt, const char *key)
{
    for (host *h = rt->buckets[bucket_of(key)]; h; h = h->next)
        if (strcmp(h->key, key) == 0)
            return h;
    return NULL;
}

static host *host_add(robotstxt *rt, const char *key)
{
    host *h = kumo_calloc(1, sizeof(*h), KUMO_T_MIDDLEWARE, KUMO_V_CACHE);
    h->key = kumo_strdup(key, KUMO_T_STR, KUMO_V_CACHE);
    kumo__vec_init(&h->waiting, KUMO_T_MIDDLEWARE, KUMO_V_QUEUE);
    size_t b = bucket_of(key);
    h->next = rt->buckets[b];
    rt->buckets[b] = h;
    rt->nhosts++;
    return h;
}

/* Free h (not linked any more): its rules and the requests it still holds. */
static void host_free(robotstxt *rt, host *h)
{
    rt->bytes -= h->size;
    for (size_t i = 0; i < h->waiting.len; i++)
        kumo_request_unref(h->waiting.v[i]);
    kumo__vec_release(&h->waiting);
    kumo__robots_free(h->rules);
    kumo_free(h->slot);
    kumo_free(h->key);
    kumo_free(h);
}

static void host_remove(robotstxt *rt, host *h)
{
    for (host **p = &rt->buckets[bucket_of(h->key)]; *p; p = &(*p)->next) {
        if (*p == h) {
            *p = h->next;
            rt->nhosts--;
            host_free(rt, h);
            return;
        }
    }
}

/* Drop the least recently used decided origins (never keep) until within the bounds. */
static void evict(robotstxt *rt, const host *keep)
{
    while (rt->nhosts > MAX_HOSTS || rt->bytes > MAX_BYTES) {
        host *old = NULL;
        for (size_t b = 0; b < NBUCKETS; b++)
            for (host *h = rt->buckets[b]; h; h = h->next)
                if (h->rules && h != keep && (!old || h->used < old->used))
                    old = h;
        if (!old)
            return;
        host_remove(rt, old);
    }
}

/*
 * The origin of an http(s) url as a cache key, "scheme://host:port" (lower case, the
 * default port filled in), and its robots.txt url.  Returns false for other urls.
 */
static bool origin(const char *url, char *key, size_t keylen, char *robots, size_t rlen)
{
    const char *sep = strstr(url, "://");
    if (!sep)
        return false;
    size_t sl = (size_t)(sep - url);
    bool https = sl == 5 && strncasecmp(url, "https", 5) == 0;
    if (!https && !(sl == 4 && strncasecmp(url, "http", 4) == 0))
        return false;
    const char *a = sep + 3;
    size_t an = strcspn(a, "/?#");
    const char *at = memrchr(a, '@', an);
    if (at)
        an -= (size_t)(at + 1 - a), a = at + 1;
    const char *hend = a;
    if (*a == '[') {
        hend = memchr(a, ']', an);
        if (!hend)
            return false;
        hend++;
    } else {
        while (hend < a + an && *hend != ':')
            hend++;
    }
    size_t hn = (size_t)(hend - a);
    const char *port = hend < a + an && *hend == ':' ? hend + 1 : NULL;
    size_t pn = port ? (size_t)(a + an - port) : 0;
    if (!hn || hn > 255 || pn > 5)
        return false;
    for (size_t i = 0; i < pn; i++)
        if (!isdigit((unsigned char)port[i]))
            return false;
    const char *scheme = https ? "https" : "http";
    int n = pn ? snprintf(key, keylen, "%s://%.*s:%.*s", scheme, (int)hn, a, (int)pn, port)
               : snprintf(key, keylen, "%s://%.*s:%s", scheme, (int)hn, a, https ? "443" : "80");
    if (n < 0 || (size_t)n >= keylen)
        return false;
    for (char *p = key + sl + 3; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    n = snprintf(robots, rlen, "%s://%.*s%s%.*s/robots.txt", scheme, (int)hn, a, pn ? ":" : "",
                 (int)pn, port ? port : "");
    for (char *p = robots + sl + 3; *p && *p != '/'; p++)
        *p = (char)tolower((unsigned char)*p);
    return n > 0 && (size_t)n < rlen;
}

/* ---- fetching ---- */

/* Hand every request parked on h back to the engine. */
static void resume_all(robotstxt *rt, host *h, bool go)
{
    kumo_vec w = h->waiting;
    kumo__vec_init(&h->waiting, KUMO_T_MIDDLEWARE, KUMO_V_QUEUE);
    for (size_t i = 0; i < w.len; i++) {
        crawl_resume(rt->c, w.v[i], go);
        kumo_request_unref(w.v[i]);
    }
    kumo__vec_release(&w);
}

/* Keep the host's slot at its Crawl-delay at least (AutoThrottle may have lowered it). */
static void floor_delay(robotstxt *rt, host *h)
{
    if (h->delay > 0 && h->slot && kumo_crawler_slot_delay(rt->c, h->slot) < h->delay)
        kumo_crawler_set_slot_delay(rt->c, h->slot, h->delay);
}

/* ROBOTSTXT_CRAWL_DELAY: the Crawl-delay of the group for our agent becomes the least delay
 * of the slot the robots.txt request went through (the origin's host, as its pages). */
static void take_crawl_delay(robotstxt *rt, host *h, kumo_request *req)
{
    const char *agent = rt->agent ? rt->agent : rt->default_agent;
    double d = kumo__robots_crawl_delay(h->rules, agent ? agent : "");
    const char *slot = kumo_map_get_str(kumo_request_meta(req), "download_slot", NULL);
    if (d <= 0 || !slot)
        return;
    h->delay = d;
    h->slot = kumo_strdup(slot, KUMO_T_STR, KUMO_V_DICT);
    kumo_crawler_stats_inc(rt->c, "robotstxt/crawl_delay_count", 1);
    KUMO_DEBUG(LOGGER, "Crawl-delay %g s in robots.txt of %s: slot %s waits %g s at least",
               d, h->key, slot, d);
    floor_delay(rt, h);
}

/* The robots.txt download of one origin ended: with res (borrowed) or err. */
static void on_robots(void *ctx, kumo_request *req, kumo_response *res, int err)
{
    fetch *f = ctx;
    robotstxt *rt = f->mw;
    host *h = f->h;
    kumo_free(f);
    if (!rt)
        return;                                 /* the middleware closed meanwhile */
    h->pending = NULL;
    kumo_crawler *c = rt->c;
    if (res) {
        kumo_crawler_stats_inc(c, "robotstxt/response_count", 1);
        kumo_crawler_stats_incf(c, 1, "robotstxt/response_status_count/%d", res->status);
        if (res->status >= 200 && res->status < 300) {
            h->rules = kumo__robots_parse(res->body, res->body_len);
            if (kumo__robots_cut(h->rules)) {
                KUMO_WARN(LOGGER, "robots.txt <%s> is %zu bytes, over the limit of %u "
                          "(RFC 9309's 500 KiB): only its first %u bytes are obeyed",
                          res->url, res->body_len, KUMO_ROBOTS_MAX_BYTES, KUMO_ROBOTS_MAX_BYTES);
                kumo_crawler_stats_inc(c, "robotstxt/truncated", 1);
            }
            if (rt->crawl_delay)
                take_crawl_delay(rt, h, req);
        } else if (res->status >= 500) {        /* RFC 9309 §2.3.1.4: unreachable */
            KUMO_DEBUG(LOGGER, "robots.txt of %s answered %d: disallowing all", h->key,
                       res->status);
            h->rules = kumo__robots_new_disallow_all();
        } else {                                /* §2.3.1.3: unavailable */
            h->rules = kumo__robots_new_allow_all();
        }
    } else if (err == KUMO_ECANCELED) {
        resume_all(rt, h, false);               /* the crawl closes: decide nothing */
        host_remove(rt, h);
        return;
    } else if (err == KUMO_EIGNORED) {
        h->rules = kumo__robots_new_allow_all(); /* too many redirects, dropped: unavailable */
    } else {
        kumo_crawler_stats_incf(c, 1, "robotstxt/exception_count/<class '%s'>",
                        kumo__exception_name(err));
        KUMO_ERROR(LOGGER, "Error downloading <%s %s>: %s", req->method, req->url,
                   kumo__exception_message(err));
        h->rules = kumo__robots_new_disallow_all();
    }
    h->size = kumo__robots_size(h->rules);
    rt->bytes += h->size;
    h->used = ++rt->tick;
    resume_all(rt, h, true);
    evict(rt, h);
}

static void start_fetch(robotstxt *rt, host *h, const char *url)
{
    int err;
    kumo_request *req = kumo_request_new(url, NULL, &err);
    if (!req) {
        h->rules = kumo__robots_new_allow_all();
        h->size = kumo__robots_size(h->rules);
        rt->bytes += h->size;
        return;
    }
    req->dont_filter = true;
    req->priority = ROBOTS_PRIORITY;
    kumo_map *meta = kumo_request_meta(req);
    kumo_map_set(meta, "dont_obey_robotstxt", kumo_val_bool(1));
    kumo_map_set(meta, "redirect_ttl", kumo_val_int(ROBOTS_REDIRECTS));
    fetch *f = kumo_calloc(1, sizeof(*f), KUMO_T_MIDDLEWARE, KUMO_V_ACTIVE);
    f->mw = rt;
    f->h = h;
    h->pending = f;
    kumo_crawler_stats_inc(rt->c, "robotstxt/request_count", 1);
    if (!crawl_share || !crawl_share(rt->c, req, on_robots, f))
        crawl_download(rt->c, req, on_robots, f); /* may call back at once */
}

/* ---- the hooks ---- */

static int rt_request(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                      kumo_request **next)
{
    (void)res, (void)next;
    robotstxt *rt = self;
    if (kumo__meta_true(kumo_request_meta(req), "dont_obey_robotstxt"))
        return KUMO_OK;
    char key[300], url[320];
    if (!origin(req->url, key, sizeof(key), url, sizeof(url)))
        return KUMO_OK;                         /* data:, file:... Scrapy skips them too */
    host *h = host_find(rt, key);
    if (!h) {
        h = host_add(rt, key);
        start_fetch(rt, h, url);
        h = host_find(rt, key);                 /* gone when the crawl closed at once */
        if (!h)
            return KUMO_EIGNORED;
        evict(rt, h);
    }
    h->used = ++rt->tick;
    if (!h->rules) {
        kumo__vec_push(&h->waiting, kumo_request_ref(req));
        return KUMO_EAGAIN;                     /* resumed by on_robots */
    }
    const char *agent = rt->agent;
    if (!agent)
        agent = kumo_request_header(req, "User-Agent");
    if (!agent)
        agent = rt->default_agent;
    if (kumo__robots_allowed(h->rules, agent, req->url)) {
        floor_delay(rt, h);
        return KUMO_OK;
    }
    KUMO_DEBUG(LOGGER, "Forbidden by robots.txt: <%s %s>", req->method, req->url);
    kumo_crawler_stats_inc(c, "robotstxt/forbidden", 1);
    return KUMO_EIGNORED;
}

/* A slot forgotten while idle comes back at DOWNLOAD_DELAY: its Crawl-delay floor returns
 * with the first response (the slot still holds it then). */
static int rt_response(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                       kumo_request **next)
{
    (void)c, (void)res, (void)next;
    robotstxt *rt = self;
    char key[300], url[320];
    if (!rt->crawl_delay || !origin(req->url, key, sizeof(key), url, sizeof(url)))
        return KUMO_OK;
    host *h = host_find(rt, key);
    if (h)
        floor_delay(rt, h);
    return KUMO_OK;
}

static void rt_close(void *self, kumo_crawler *c)
{
    (void)c;
    robotstxt *rt = self;
    for (size_t b = 0; b < NBUCKETS; b++) {
        while (rt->buckets[b]) {
            host *h = rt->buckets[b];
            rt->buckets[b] = h->next;
            if (h->pending)
                h->pending->mw = NULL;          /* on_robots frees it */
            host_free(rt, h);
        }
    }
    kumo_free(rt->agent);
    kumo_free(rt->default_agent);
    kumo_free(rt);
}

/* The requests parked until their origin's robots.txt is known, at .waiting['origin'][i]. */
static void rt_refs(void *self, kumo_ref_visit_fn visit, void *ctx)
{
    robotstxt *rt = self;
    for (size_t b = 0; b < NBUCKETS; b++)
        for (host *h = rt->buckets[b]; h; h = h->next)
            for (size_t i = 0; i < h->waiting.len; i++) {
                char place[320];
                snprintf(place, sizeof(place), ".waiting['%s'][%zu]", h->key, i);
                visit(ctx, place, &((kumo_request *)h->waiting.v[i])->ref);
            }
}

const kumo_dlmw_def kumo__dlmw_robotstxt = {
    KUMO_DLMW_HEADER,
    .name = "RobotsTxt",
    .order = 100,
    .open = rt_open,
    .close = rt_close,
    .process_request = rt_request,
    .refs = rt_refs,
    .process_response = rt_response,
};
