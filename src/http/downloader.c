/* downloader.c - curl multi socket transfers driven by libevent, one slot per domain or IP. */
#include "http/downloader.h"
#include "http/decode.h"
#include "http/request.h"
#include "http/response.h"
#include "http/url.h"
#include "util/buf.h"
#include "util/timing.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <pthread.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <event2/event.h>

#define LOGGER "kumo.core.downloader"
#define HANDLER_LOGGER "kumo.core.downloader.handlers.http11"
#define NBUCKETS 1024
#define HEADER_CAP (256 * 1024)     /* all response headers of one transfer */
#define RESERVE_CAP (64u << 20)     /* never reserve more than this for a Content-Length */
#define DNS_CAP 10000               /* names in the per-IP cache (Scrapy's dnscache size) */
#define SLOT_GC_AGE 60.0            /* an idle delayed slot is forgotten after this (Scrapy) */
#define BACKLOG_FACTOR 4            /* requests waiting in slots: 4 * CONCURRENT_REQUESTS */
#define DECODE_TURN (4u << 20)      /* decoded bytes per loop callback, all transfers */
#define DECODE_STEP (128u << 10)    /* decoded between two looks at the clock */
#define DECODE_TURN_S 0.005         /* and at most this long per loop callback */

typedef struct slot slot;
typedef struct xfer xfer;

/* A FIFO of requests waiting for their slot. */
typedef struct pending {
    kumo_request *req;
    struct pending *next;
} pending;

struct slot {
    char *key;                  /* host name (lower case), IP address or meta download_slot */
    slot *hnext;                /* hash chain */
    pending *head, *tail;
    size_t queued, active;
    size_t concurrency;
    double delay;               /* seconds between two downloads; AutoThrottle changes it */
    double lastseen;            /* start of the last transfer (delay) */
    struct event *timer;        /* delay timer, created on first use */
    slot *rnext;                /* waiting for global capacity */
    bool ready;                 /* on dl's ready list */
    kumo_downloader *dl;
};

struct xfer {
    CURL *easy;
    kumo_downloader *dl;
    slot *slot;
    kumo_request *req;          /* one reference */
    kumo_buf body;
    kumo_headers *headers;      /* owned until handed to the response */
    size_t header_bytes;
    int status;
    struct curl_slist *hdrs;    /* to the server */
    struct curl_slist *phdrs;   /* to the proxy: Proxy-Authorization */
    size_t maxsize, warnsize;   /* 0: none */
    curl_off_t expected;        /* a Content-Length above maxsize, else -1 */
    bool too_big;
    bool size_checked;          /* Content-Length compared with the limits */
    bool warned;                /* "Received more bytes than download warn size" logged */
    bool proxied;
    bool header_too_big;        /* the headers passed HEADER_CAP */
    bool decode;                /* Accept-Encoding was sent: decode Content-Encoding */
    kumo_decoder *dec;          /* the body's Content-Encoding, NULL for none; owned */
    bool paused;                /* curl holds a chunk until the decoder caught up */
    bool draining;              /* curl is done, the decoder is not: finish on drain */
    bool failed;                /* decoding failed (why) or passed maxsize: abort */
    CURLcode done_rc;           /* what curl ended with, while draining */
    char why[160];              /* a decoding error */
    xfer *next;                 /* free list / live list */
    xfer *prev;
};

/* One watched socket; listed so that none outlives the downloader. */
typedef struct sockev {
    struct event *ev;
    struct sockev *prev, *next;
} sockev;

/* A resolved name, for CONCURRENT_REQUESTS_PER_IP. */
typedef struct dnsent {
    char *name, *ip;
    struct dnsent *next;
} dnsent;

struct kumo_downloader {
    struct event_base *base;    /* the crawl's loop, borrowed */
    void (*downloaded)(void *arg, kumo_response *res);
    void *downloaded_arg;
    sockev *sockets;
    CURLM *multi;
    struct event *timer;        /* libcurl's timeout */
    struct event *gc;           /* forgets idle delayed slots */
    slot *buckets[NBUCKETS];
    size_t nslots;
    slot *ready_head, *ready_tail;  /* slots waiting for a global transfer */
    dnsent *dns[NBUCKETS];
    size_t ndns;
    size_t active;              /* queued in slots + transferring */
    size_t transferring;
    xfer *live;                 /* transfers in flight */
    xfer *free_xfers;           /* easy handles kept for reuse */
    kumo_download_done_fn done;
    void *ctx;
    kumo_download_hold_fn hold;     /* true: start no transfer now (the scraper is full) */
    void *hold_ctx;
    /* the configuration, copied at creation */
    size_t total_concurrency, slot_concurrency, backlog;
    bool per_ip;
    double delay;               /* the first delay of a new slot */
    bool randomize;
    long timeout_ms;
    size_t maxsize, warnsize;
    struct curl_slist *resolve; /* DNS_RESOLVE entries for CURLOPT_RESOLVE, or NULL */
    struct event *drain;        /* next turn: decode more of the bodies that wait */
    size_t turn_left;           /* decoded bytes this loop callback may still add */
    double turn_start;          /* when this loop callback began */
    size_t decode_turns;        /* on_drain runs */
};

/* ---- Basic auth ---- */

char *kumo__basic_auth(const char *user, const char *pass, bool latin1)
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t ul = strlen(user), pl = strlen(pass), n = ul + 1 + pl;
    unsigned char *raw = kumo_alloc(n + 1, KUMO_T_STR, KUMO_V_HEADERS);
    memcpy(raw, user, ul);
    raw[ul] = ':';
    memcpy(raw + ul + 1, pass, pl);
    if (latin1) {
        /* UTF-8 -> ISO-8859-1 when every character is below U+0100 */
        size_t o = 0, i = 0;
        bool ok = true;
        unsigned char *tmp = kumo_alloc(n + 1, KUMO_T_STR, KUMO_V_HEADERS);
        while (i < n && ok) {
            unsigned char ch = raw[i];
            if (ch < 0x80) {
                tmp[o++] = ch;
                i++;
            } else if ((ch == 0xC2 || ch == 0xC3) && i + 1 < n && (raw[i + 1] & 0xC0) == 0x80) {
                tmp[o++] = (unsigned char)(((ch & 0x03) << 6) | (raw[i + 1] & 0x3F));
                i += 2;
            } else {
                ok = false;
            }
        }
        if (ok) {
            memcpy(raw, tmp, o);
            n = o;
        }
        kumo_free(tmp);
    }
    size_t outlen = 6 + 4 * ((n + 2) / 3);
    char *out = kumo_alloc(outlen + 1, KUMO_T_STR, KUMO_V_HEADERS);
    memcpy(out, "Basic ", 6);
    char *p = out + 6;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)raw[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)raw[i + 1] << 8;
        if (i + 2 < n)
            v |= raw[i + 2];
        *p++ = b64[(v >> 18) & 63];
        *p++ = b64[(v >> 12) & 63];
        *p++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        *p++ = i + 2 < n ? b64[v & 63] : '=';
    }
    *p = '\0';
    kumo_free(raw);
    return out;
}

/* ---- the per-IP name cache ---- */

static size_t hash_str(const char *s)
{
    size_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

static void dns_clear(kumo_downloader *dl)
{
    for (size_t b = 0; b < NBUCKETS; b++)
        while (dl->dns[b]) {
            dnsent *e = dl->dns[b];
            dl->dns[b] = e->next;
            kumo_free(e->name);
            kumo_free(e->ip);
            kumo_free(e);
        }
    dl->ndns = 0;
}

static dnsent *dns_find(kumo_downloader *dl, const char *name)
{
    for (dnsent *e = dl->dns[hash_str(name) % NBUCKETS]; e; e = e->next)
        if (strcmp(e->name, name) == 0)
            return e;
    return NULL;
}

static dnsent *dns_add(kumo_downloader *dl, const char *name, const char *ip)
{
    if (dl->ndns >= DNS_CAP)
        dns_clear(dl);
    dnsent *e = kumo_alloc(sizeof(*e), KUMO_T_STR, KUMO_V_CACHE);
    e->name = kumo_strdup(name, KUMO_T_STR, KUMO_V_CACHE);
    e->ip = kumo_strdup(ip, KUMO_T_STR, KUMO_V_CACHE);
    size_t b = hash_str(name) % NBUCKETS;
    e->next = dl->dns[b];
    dl->dns[b] = e;
    dl->ndns++;
    return e;
}

static bool is_ip_literal(const char *host)
{
    unsigned char tmp[16];
    return inet_pton(AF_INET, host, tmp) == 1 || inet_pton(AF_INET6, host, tmp) == 1;
}

static bool is_localhost(const char *host)
{
    size_t n = strlen(host);
    return strcmp(host, "localhost") == 0 ||
           (n > 10 && strcmp(host + n - 10, ".localhost") == 0);
}

/* Resolve host now (IPv4 first, as Twisted's resolver); only for names that never leave the
 * machine, so that the loop does not wait on DNS. */
static bool resolve_now(const char *host, char *ip, size_t iplen)
{
    static const int families[] = {AF_INET, AF_INET6};
    for (size_t f = 0; f < KUMO_ARRAY_LEN(families); f++) {
        struct addrinfo hints = {0}, *ai = NULL;
        hints.ai_family = families[f];
        hints.ai_socktype = SOCK_STREAM;
        if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai)
            continue;
        int rc = getnameinfo(ai->ai_addr, ai->ai_addrlen, ip, (socklen_t)iplen, NULL, 0,
                             NI_NUMERICHOST);
        freeaddrinfo(ai);
        if (rc == 0)
            return true;
    }
    return false;
}

/* The slot key for host with CONCURRENT_REQUESTS_PER_IP: its address when known, else the
 * name itself (Scrapy: dnscache.get(key, key)).  Borrowed, valid until the cache changes. */
static const char *ip_key(kumo_downloader *dl, const char *host)
{
    if (!*host || is_ip_literal(host))
        return host;
    dnsent *e = dns_find(dl, host);
    if (e)
        return e->ip;
    char ip[INET6_ADDRSTRLEN];
    if (is_localhost(host) && resolve_now(host, ip, sizeof(ip)))
        return dns_add(dl, host, ip)->ip;
    return host;
}

/* After a direct transfer: remember which address host had. */
static void dns_learn(kumo_downloader *dl, const char *url, const char *ip)
{
    if (!ip || !*ip)
        return;
    char *host = kumo_url_host(url);
    if (host && *host && !is_ip_literal(host) && !dns_find(dl, host))
        dns_add(dl, host, ip);
    kumo_free(host);
}

/* ---- DNS_RESOLVE: HOST:PORT:ADDRESS entries (curl --resolve) ---- */

/* Returns NULL when entry is HOST:PORT:ADDRESS, else what is wrong with it. */
static const char *resolve_entry_problem(const char *entry)
{
    const char *c1 = strchr(entry, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2)
        return "expected HOST:PORT:ADDRESS, such as example.com:80:127.0.0.1";
    for (const char *p = entry; p < c1; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' && *p != '_')
            return "the host is not a host name";
    if (c1 == entry || *entry == '-' || *entry == '.')
        return "the host is not a host name";
    long port = 0;
    for (const char *p = c1 + 1; p < c2; p++) {
        if (!isdigit((unsigned char)*p) || port > 65535)
            return "the port is not a number from 1 to 65535";
        port = port * 10 + (*p - '0');
    }
    if (port < 1 || port > 65535)
        return "the port is not a number from 1 to 65535";
    char addr[INET6_ADDRSTRLEN + 2];
    const char *a = c2 + 1;
    size_t n = strlen(a);
    if (n >= 2 && a[0] == '[' && a[n - 1] == ']')      /* [::1] as curl writes it */
        a++, n -= 2;
    if (n >= sizeof(addr))
        return "the address is not an IPv4 or IPv6 address";
    memcpy(addr, a, n);
    addr[n] = '\0';
    unsigned char bin[16];
    if (inet_pton(AF_INET, addr, bin) != 1 && inet_pton(AF_INET6, addr, bin) != 1)
        return "the address is not an IPv4 or IPv6 address";
    return NULL;
}

int kumo__downloader_check_resolve(const char *const *entries, size_t n, char *err,
                                  size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const char *why = resolve_entry_problem(entries[i]);
        if (why) {
            snprintf(err, errlen, "invalid DNS_RESOLVE entry '%s': %s", entries[i], why);
            return KUMO_EINVAL;
        }
    }
    return KUMO_OK;
}

/* The curl list of the well-formed resolve entries, or NULL for none. */
static struct curl_slist *resolve_list(const char *const *entries, size_t n)
{
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!resolve_entry_problem(entries[i])) {
            struct curl_slist *l = curl_slist_append(list, entries[i]);
            if (!l)
                kumo_oom(strlen(entries[i]));
            list = l;
        }
    }
    return list;
}

/* ---- slots ---- */

static slot *slot_find(const kumo_downloader *dl, const char *key)
{
    for (slot *s = dl->buckets[hash_str(key) % NBUCKETS]; s; s = s->hnext)
        if (strcmp(s->key, key) == 0)
            return s;
    return NULL;
}

static slot *slot_get(kumo_downloader *dl, const char *key)
{
    slot *s = slot_find(dl, key);
    if (!s) {
        size_t b = hash_str(key) % NBUCKETS;
        s = kumo_calloc(1, sizeof(*s), KUMO_T_QUEUE, KUMO_V_SLOT);
        s->key = kumo_strdup(key, KUMO_T_STR, KUMO_V_SLOT);
        s->dl = dl;
        s->concurrency = dl->slot_concurrency;
        s->delay = dl->delay;
        s->hnext = dl->buckets[b];
        dl->buckets[b] = s;
        dl->nslots++;
    }
    return s;
}

static void slot_free(slot *s)
{
    while (s->head) {
        pending *p = s->head;
        s->head = p->next;
        kumo_request_unref(p->req);
        kumo_free(p);
    }
    if (s->timer)
        event_free(s->timer);
    kumo_free(s->key);
    kumo_free(s);
}

static void slot_unlink(kumo_downloader *dl, slot *s)
{
    slot **pp = &dl->buckets[hash_str(s->key) % NBUCKETS];
    while (*pp != s)
        pp = &(*pp)->hnext;
    *pp = s->hnext;
    dl->nslots--;
    slot_free(s);
}

static bool slot_idle(const slot *s)
{
    return !s->queued && !s->active && !s->ready &&
           !(s->timer && evtimer_pending(s->timer, NULL));
}

static void on_gc(evutil_socket_t fd, short what, void *arg);

static void gc_arm(kumo_downloader *dl)
{
    if (!dl->gc)
        dl->gc = evtimer_new(dl->base, on_gc, dl);
    if (!evtimer_pending(dl->gc, NULL)) {
        struct timeval tv = {(time_t)SLOT_GC_AGE, 0};
        evtimer_add(dl->gc, &tv);
    }
}

/* Forget an idle slot now unless its delay needs lastseen; those go after SLOT_GC_AGE. */
static void slot_maybe_free(kumo_downloader *dl, slot *s)
{
    if (!slot_idle(s))
        return;
    if (s->delay > 0) {
        gc_arm(dl);
        return;
    }
    slot_unlink(dl, s);
}

/* Scrapy's _slot_gc: drop slots idle for SLOT_GC_AGE seconds past their delay. */
static void on_gc(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    kumo_downloader *dl = arg;
    double now = kumo_now();
    bool kept = false;
    for (size_t b = 0; b < NBUCKETS; b++) {
        slot *s = dl->buckets[b];
        while (s) {
            slot *next = s->hnext;
            if (slot_idle(s) && s->lastseen + s->delay < now - SLOT_GC_AGE)
                slot_unlink(dl, s);
            else if (s->delay > 0)
                kept = true;
            s = next;
        }
    }
    if (kept)
        gc_arm(dl);
}

/* ---- transfers ---- */

/* A loop callback begins: it may decode DECODE_TURN bytes or for DECODE_TURN_S. */
static void turn_begin(kumo_downloader *dl)
{
    dl->turn_left = DECODE_TURN;
    dl->turn_start = kumo_now();
}

static void schedule_drain(kumo_downloader *dl)
{
    static const struct timeval zero = {0, 0};
    /* a timer, not event_active: it runs after the loop polled the sockets again */
    if (!evtimer_pending(dl->drain, NULL))
        evtimer_add(dl->drain, &zero);
}

static void warn_size(xfer *x)
{
    if (x->warnsize && x->body.len > x->warnsize && !x->warned) {
        x->warned = true;
        KUMO_WARN(HANDLER_LOGGER, "Received more bytes than download warn size (%zu) in "
                  "request <%s %s>.", x->warnsize, x->req->method, x->req->url);
    }
}

/*
 * Decode what x's decoder holds, at most what is left of this loop callback's budget, and
 * ask for another turn when some is left.  Returns false when x must stop: its body passed
 * the download max size (x->too_big) or does not decode (x->failed, x->why).
 */
static bool decode_some(xfer *x)
{
    kumo_downloader *dl = x->dl;
    char why[96] = "";
    int rc = KUMO_OK;
    while (rc == KUMO_OK && dl->turn_left && kumo__decoder_pending(x->dec)) {
        size_t added = 0;
        rc = kumo__decoder_run(x->dec, &x->body, KUMO_MIN(dl->turn_left, DECODE_STEP), &added,
                               why, sizeof(why));
        dl->turn_left -= KUMO_MIN(added, dl->turn_left);
        if (kumo_now() - dl->turn_start > DECODE_TURN_S)
            dl->turn_left = 0;          /* a slow machine: the rest on the next turns */
    }
    if (rc == KUMO_ETOOBIG) {
        KUMO_WARN(HANDLER_LOGGER, "Received (%zu) decompressed bytes, more than download max "
                  "size (%zu) allows, in request <%s %s>.", x->body.len, x->maxsize,
                  x->req->method, x->req->url);
        x->too_big = true;
        return false;
    }
    if (rc != KUMO_OK) {
        snprintf(x->why, sizeof(x->why), "the %s body does not decode (%s)",
                 kumo_headers_get(x->headers, "Content-Encoding"), why);
        x->failed = true;
        return false;
    }
    warn_size(x);
    if (kumo__decoder_pending(x->dec))
        schedule_drain(dl);
    return true;
}

/*
 * The first body bytes: a Content-Encoding kumo decodes gets a decoder (when the request
 * sent Accept-Encoding, as libcurl decodes only then); returns false when the body cannot
 * be decoded.  An unknown coding is left as is, as Scrapy leaves it.
 */
static bool start_decoding(xfer *x)
{
    const char *ce = kumo_headers_get(x->headers, "Content-Encoding");
    if (!x->decode || !ce || !*ce || strcasecmp(ce, "identity") == 0)
        return true;
    x->dec = kumo__decoder_new(ce);
    if (!x->dec && strchr(ce, ',')) {
        snprintf(x->why, sizeof(x->why), "Content-Encoding '%.60s' stacks several codings; "
                 "kumo decodes one", ce);
        x->failed = true;
        return false;
    }
    return true;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    kumo_request *req = x->req;
    if (!x->size_checked) {
        /* Scrapy compares the announced size with the limits before reading the body */
        curl_off_t cl = -1;
        x->size_checked = true;
        curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
        if (x->maxsize && cl > 0 && (uint64_t)cl > x->maxsize) {
            KUMO_WARN(HANDLER_LOGGER, "Cancelling download of %s: expected response size "
                      "(%lld) larger than download max size (%zu).", req->url, (long long)cl,
                      x->maxsize);
            x->expected = cl;
            x->too_big = true;
            return 0;
        }
        if (x->warnsize && cl > 0 && (uint64_t)cl > x->warnsize)
            KUMO_WARN(HANDLER_LOGGER, "Expected response size (%lld) larger than download "
                      "warn size (%zu) in request <%s %s>.", (long long)cl, x->warnsize,
                      req->method, req->url);
        if (!start_decoding(x))
            return 0;
        /* one allocation for the whole body when the server said how big it is */
        if (!x->dec && cl > 0 && (uint64_t)cl <= RESERVE_CAP &&
            (!x->body.max || (uint64_t)cl <= x->body.max))
            kumo__buf_reserve(&x->body, (size_t)cl);
    }
    if (x->dec) {
        /* a chunk decodes to up to ~1000 times its size: decode by budgeted steps, and
         * let libcurl hold the next chunk (pause) until the ones before are decoded */
        if (kumo__decoder_pending(x->dec)) {
            if (!decode_some(x))
                return 0;
            if (kumo__decoder_pending(x->dec)) {
                x->paused = true;
                return CURL_WRITEFUNC_PAUSE;
            }
        }
        kumo__decoder_feed(x->dec, p, len);
        return decode_some(x) ? len : 0;
    }
    if (kumo__buf_add(&x->body, p, len) != KUMO_OK) {
        KUMO_WARN(HANDLER_LOGGER, "Received (%zu) bytes larger than download max size (%zu) "
                  "in request <%s %s>.", x->body.len + len, x->maxsize, req->method, req->url);
        x->too_big = true;
        return 0;       /* abort: CURLE_WRITE_ERROR */
    }
    warn_size(x);
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    x->header_bytes += len;
    if (x->header_bytes > HEADER_CAP) {
        x->header_too_big = true;
        return 0;
    }
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {     /* a new response: 1xx, then final */
        kumo__headers_free(x->headers);
        x->headers = kumo__headers_new();
        return len;
    }
    kumo__headers_add_line(x->headers, p, len);
    return len;
}

static xfer *xfer_get(kumo_downloader *dl)
{
    xfer *x = dl->free_xfers;
    if (x) {
        dl->free_xfers = x->next;
        curl_easy_reset(x->easy);
    } else {
        x = kumo_calloc(1, sizeof(*x), KUMO_T_CURL, KUMO_V_ACTIVE);
        x->easy = curl_easy_init();
        if (!x->easy)
            kumo_oom(sizeof(void *));
        x->dl = dl;
    }
    return x;
}

/* Unlink x from the live list, release what it holds, keep its easy handle for reuse. */
static void xfer_put(kumo_downloader *dl, xfer *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else
        dl->live = x->next;
    if (x->next)
        x->next->prev = x->prev;
    kumo_request_unref(x->req);
    x->req = NULL;
    kumo__buf_release(&x->body);
    kumo__decoder_free(x->dec);
    x->dec = NULL;
    kumo__headers_free(x->headers);
    x->headers = NULL;
    curl_slist_free_all(x->hdrs);
    x->hdrs = NULL;
    curl_slist_free_all(x->phdrs);
    x->phdrs = NULL;
    x->slot = NULL;
    x->prev = NULL;
    x->next = dl->free_xfers;
    dl->free_xfers = x;
}

/* meta[key] as a number of seconds or bytes; def when unset or not a number. */
static double meta_num(kumo_request *req, const char *key, double def)
{
    const kumo_value *v = kumo_map_get(&req->meta, key);
    if (v && v->type == KUMO_VAL_FLOAT)
        return v->u.f;
    if (v && v->type == KUMO_VAL_INT)
        return (double)v->u.i;
    if (v && v->type == KUMO_VAL_STR && *v->u.str.s) {
        char *end;
        double d = strtod(v->u.str.s, &end);
        if (!*end)
            return d;
    }
    return def;
}

static size_t meta_size(kumo_request *req, const char *key, size_t def)
{
    double d = meta_num(req, key, (double)def);
    return d > 0 && d < 1.8e19 ? (size_t)d : 0;
}

static long timeout_ms_for(kumo_downloader *dl, kumo_request *req)
{
    double t = meta_num(req, "download_timeout", dl->timeout_ms / 1000.0);
    return t > 0 ? KUMO_MAX(1L, (long)(t * 1000)) : 0;
}

/*
 * Build the header lists; Accept-Encoding tells on_body to decode the body (kumo decodes it,
 * by bounded steps, not libcurl), and Proxy-Authorization goes to the proxy only (also in
 * CONNECT for https).
 */
static void set_headers(xfer *x, kumo_request *req)
{
    kumo_buf line;
    kumo__buf_init(&line, 0, KUMO_T_STR, KUMO_V_HEADERS);
    for (size_t i = 0; i < kumo_headers_count(req->headers); i++) {
        const char *n, *v;
        kumo_headers_at(req->headers, i, &n, &v);
        if (strcasecmp(n, "Accept-Encoding") == 0)
            x->decode = true;
        kumo__buf_reset(&line);
        kumo__buf_printf(&line, *v ? "%s: %s" : "%s;", n, v);
        if (strcasecmp(n, "Proxy-Authorization") == 0)
            x->phdrs = curl_slist_append(x->phdrs, line.s);
        else
            x->hdrs = curl_slist_append(x->hdrs, line.s);
    }
    kumo__buf_release(&line);
    x->hdrs = curl_slist_append(x->hdrs, "Expect:");
    curl_easy_setopt(x->easy, CURLOPT_HEADEROPT, CURLHEADER_SEPARATE);
    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->hdrs);
    curl_easy_setopt(x->easy, CURLOPT_PROXYHEADER, x->phdrs);
    curl_easy_setopt(x->easy, CURLOPT_HTTP_CONTENT_DECODING, 0L);
}

/* meta['proxy'] (HttpProxy sets it, also from the environment); libcurl's own reading of
 * the environment is off so that the middleware alone decides. */
static void set_proxy(xfer *x, kumo_request *req)
{
    const kumo_value *v = kumo_map_get(&req->meta, "proxy");
    x->proxied = v && v->type == KUMO_VAL_STR && *v->u.str.s;
    curl_easy_setopt(x->easy, CURLOPT_PROXY, x->proxied ? v->u.str.s : "");
    curl_easy_setopt(x->easy, CURLOPT_NOPROXY, "");
}

static void start_transfer(kumo_downloader *dl, slot *s, kumo_request *req)
{
    xfer *x = xfer_get(dl);
    CURL *e = x->easy;
    x->slot = s;
    x->req = req;       /* the reference the slot queue held */
    x->status = 0;
    x->too_big = false;
    x->size_checked = false;
    x->warned = false;
    x->expected = -1;
    x->header_bytes = 0;
    x->header_too_big = false;
    x->decode = false;
    x->paused = false;
    x->draining = false;
    x->failed = false;
    x->why[0] = '\0';
    x->headers = kumo__headers_new();
    x->maxsize = meta_size(req, "download_maxsize", dl->maxsize);
    x->warnsize = meta_size(req, "download_warnsize", dl->warnsize);
    kumo__buf_init(&x->body, x->maxsize, KUMO_T_BYTES, KUMO_V_BODY);

    curl_easy_setopt(e, CURLOPT_URL, req->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms_for(dl, req));
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);   /* as Scrapy: no certificate checks */
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(e, CURLOPT_PROXY_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_PROXY_SSL_VERIFYHOST, 0L);
    if (dl->resolve)
        curl_easy_setopt(e, CURLOPT_RESOLVE, dl->resolve);
    if (strcmp(req->method, "GET") == 0) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(req->method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
        size_t len;
        const char *body = kumo__request_body(req, &len);  /* req lives through the transfer */
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : "");
        if (strcmp(req->method, "POST") != 0)
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
    }
    set_headers(x, req);
    set_proxy(x, req);

    x->prev = NULL;
    x->next = dl->live;
    if (dl->live)
        dl->live->prev = x;
    dl->live = x;
    s->active++;
    dl->transferring++;
    curl_multi_add_handle(dl->multi, e);
}

/* Scrapy's Slot.download_delay(): 0.5 to 1.5 times the delay with RANDOMIZE_DOWNLOAD_DELAY. */
static double slot_delay(const kumo_downloader *dl, const slot *s)
{
    if (s->delay <= 0 || !dl->randomize)
        return s->delay;
    return s->delay * (0.5 + (double)random() / RAND_MAX);
}

static void slot_process(slot *s);

static void on_slot_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    slot *s = arg;
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_DOWNLOAD);
    slot_process(s);
    slot_maybe_free(s->dl, s);
    kumo__stage_leave(stage);
}

static void ready_push(kumo_downloader *dl, slot *s)
{
    if (s->ready)
        return;
    s->ready = true;
    s->rnext = NULL;
    if (dl->ready_tail)
        dl->ready_tail->rnext = s;
    else
        dl->ready_head = s;
    dl->ready_tail = s;
}

/* No transfer may start now: global capacity is taken, or the owner holds them back. */
static bool full(const kumo_downloader *dl)
{
    return dl->transferring >= dl->total_concurrency || (dl->hold && dl->hold(dl->hold_ctx));
}

/* Global capacity came back: let the slots that waited for it start, oldest first. */
static void ready_run(kumo_downloader *dl)
{
    while (dl->ready_head && !full(dl)) {
        slot *s = dl->ready_head;
        dl->ready_head = s->rnext;
        if (!dl->ready_head)
            dl->ready_tail = NULL;
        s->ready = false;
        slot_process(s);
        slot_maybe_free(dl, s);
    }
}

/*
 * Scrapy's _process_queue: wait out the slot's delay (timer), then start what the slot's
 * concurrency allows, one request per delay; a slot that only lacks global capacity waits
 * on the ready list.
 */
static void slot_process(slot *s)
{
    kumo_downloader *dl = s->dl;
    if (!s->head || (s->timer && evtimer_pending(s->timer, NULL)))
        return;
    double now = kumo_now();
    double delay = slot_delay(dl, s);
    if (delay > 0) {
        double penalty = delay - now + s->lastseen;
        if (penalty > 0) {
            if (!s->timer)
                s->timer = evtimer_new(dl->base, on_slot_timer, s);
            struct timeval tv = {(time_t)penalty,
                                 (suseconds_t)((penalty - (time_t)penalty) * 1e6)};
            evtimer_add(s->timer, &tv);
            return;
        }
    }
    while (s->head && s->active < s->concurrency) {
        if (full(dl)) {
            ready_push(dl, s);
            return;
        }
        s->lastseen = now;
        pending *p = s->head;
        s->head = p->next;
        if (!s->head)
            s->tail = NULL;
        s->queued--;
        kumo_request *req = p->req;
        kumo_free(p);
        start_transfer(dl, s, req);
        if (delay > 0) {
            slot_process(s);        /* arms the timer for the next one: no bursts */
            break;
        }
    }
}

/* The slot key of req; *owned is set when the key must be freed. */
static const char *slot_key(kumo_downloader *dl, kumo_request *req, char *num, size_t numlen,
                            char **owned)
{
    const kumo_value *v = kumo_map_get(&req->meta, "download_slot");
    *owned = NULL;
    if (v && v->type == KUMO_VAL_STR)
        return v->u.str.s;
    if (v && v->type == KUMO_VAL_INT) {
        snprintf(num, numlen, "%lld", (long long)v->u.i);
        return num;
    }
    char *host = kumo_url_host(req->url);
    *owned = host;
    if (!host)
        return "";
    return dl->per_ip ? ip_key(dl, host) : host;
}

void kumo__downloader_slot_key(kumo_downloader *dl, kumo_request *req, char *out, size_t n)
{
    char num[32], *owned;
    const char *key = slot_key(dl, req, num, sizeof(num), &owned);
    snprintf(out, n, "%s", key);
    kumo_free(owned);
}

void kumo__downloader_fetch(kumo_downloader *dl, kumo_request *req)
{
    char num[32], *owned;
    if (!kumo__method_is_token(req->method)) {
        /* a CR, LF or blank would write another request line or header on the wire */
        char m[64], why[256];
        kumo__method_quote(req->method, m, sizeof(m));
        snprintf(why, sizeof(why), "Refusing <%s %s>: the method '%s' is not an RFC 9110 "
                 "token", m, req->url, m);
        dl->done(dl->ctx, req, NULL, KUMO_EINVAL, why);
        return;
    }
    const char *key = slot_key(dl, req, num, sizeof(num), &owned);
    slot *s = slot_get(dl, key);
    const kumo_value *v = kumo_map_get(&req->meta, "download_slot");
    if (!v || v->type != KUMO_VAL_STR)
        kumo_map_set(&req->meta, "download_slot", kumo_val_str(s->key));
    kumo_free(owned);
    pending *p = kumo_alloc(sizeof(*p), KUMO_T_QUEUE, KUMO_V_SLOT);
    p->req = kumo_request_ref(req);
    p->next = NULL;
    if (s->tail)
        s->tail->next = p;
    else
        s->head = p;
    s->tail = p;
    s->queued++;
    dl->active++;
    slot_process(s);
}

/* ---- completion ---- */

static int map_error(CURLcode rc, bool too_big)
{
    if (too_big)
        return KUMO_ETOOBIG;
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return KUMO_ETIMEDOUT;
    case CURLE_COULDNT_CONNECT:
        return KUMO_ECONNREFUSED;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return KUMO_EDNS;
    case CURLE_UNSUPPORTED_PROTOCOL:
        return KUMO_ESCHEME;
    case CURLE_URL_MALFORMAT:
        return KUMO_EURL;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
        return KUMO_ECONN;
    default:
        return KUMO_EPROTO;
    }
}

static void finish(kumo_downloader *dl, xfer *x, CURLcode rc)
{
    slot *s = x->slot;
    kumo_request *req = kumo_request_ref(x->req);
    kumo_response *res = NULL;
    int err = KUMO_OK;
    char why[512] = "";

    curl_multi_remove_handle(dl->multi, x->easy);
    if (rc == CURLE_OK && !x->too_big && !x->failed) {
        long status = 0;
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
        char *ip = NULL;
        curl_easy_getinfo(x->easy, CURLINFO_PRIMARY_IP, &ip);
        /* Scrapy's download_latency: from the start to the response headers */
        curl_off_t ttfb = 0;
        curl_easy_getinfo(x->easy, CURLINFO_STARTTRANSFER_TIME_T, &ttfb);
        kumo_map_set(&req->meta, "download_latency", kumo_val_float((double)ttfb / 1e6));
        size_t len;
        /* a body of unknown size (chunked, decoded) grew by doubling: it waits for its
         * callback with no room to spare */
        char *body = kumo__buf_detach_fit(&x->body, &len);
        /* Scrapy's handler fetches urldefrag(request.url): the response has no #fragment */
        char *url = kumo_strndup(req->url, strcspn(req->url, "#"), KUMO_T_STR, KUMO_V_URL);
        res = kumo__response_new(req, url, (int)status, x->headers, body, len);
        kumo_free(url);
        x->headers = NULL;
        if (ip && *ip && !x->proxied) {
            res->ip = kumo_strdup(ip, KUMO_T_STR, KUMO_V_DICT);
            if (dl->per_ip)
                dns_learn(dl, req->url, ip);
        }
        /* Scrapy's response_downloaded: the transfer still counts in its slot */
        if (dl->downloaded)
            dl->downloaded(dl->downloaded_arg, res);
    } else if (x->header_too_big) {
        err = KUMO_ETOOBIG;
        snprintf(why, sizeof(why), "Cancelling download of %s: the response headers are "
                 "larger than the header cap (%d bytes, 256 KiB).", req->url, HEADER_CAP);
    } else if (rc == CURLE_OUT_OF_MEMORY && !x->body.len) {
        /* what libcurl 7.x says of one header line over its own cap */
        err = KUMO_ETOOBIG;
        snprintf(why, sizeof(why), "Cancelling download of %s: a response header line is "
                 "larger than libcurl's header cap (%d bytes, 100 KiB).", req->url,
                 CURL_MAX_HTTP_HEADER);
    } else if (x->failed) {
        err = KUMO_EDECODE;
        snprintf(why, sizeof(why), "Cancelling download of %s: %s.", req->url, x->why);
    } else {
        err = map_error(rc, x->too_big);
        if (err == KUMO_ETOOBIG && x->expected >= 0)
            snprintf(why, sizeof(why), "Cancelling download of %s: expected response size "
                     "(%lld) larger than download max size (%zu).", req->url,
                     (long long)x->expected, x->maxsize);
        else if (err == KUMO_ETOOBIG && x->dec)
            snprintf(why, sizeof(why), "Cancelling download of %s: decompressed response "
                     "size larger than download max size (%zu).", req->url, x->maxsize);
        else if (err == KUMO_ETOOBIG)
            snprintf(why, sizeof(why), "Cancelling download of %s: received response size "
                     "larger than download max size (%zu).", req->url, x->maxsize);
        else
            snprintf(why, sizeof(why), "%s", curl_easy_strerror(rc));
    }
    xfer_put(dl, x);
    s->active--;
    dl->transferring--;
    dl->active--;
    dl->done(dl->ctx, req, res, err, why);
    kumo_request_unref(req);
    slot_process(s);
    slot_maybe_free(dl, s);
    ready_run(dl);
}

static void check_done(kumo_downloader *dl)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(dl->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        xfer *x;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        if (msg->data.result == CURLE_OK && x->dec && kumo__decoder_pending(x->dec)) {
            /* all received, not all decoded: on_drain finishes it */
            x->draining = true;
            x->done_rc = CURLE_OK;
            curl_multi_remove_handle(dl->multi, x->easy);
            schedule_drain(dl);
            continue;
        }
        finish(dl, x, msg->data.result);
    }
}

/*
 * A turn after some body was left to decode: decode more of each, within the budget; a
 * transfer whose decoder caught up is resumed (libcurl hands back the chunk it held) or,
 * when all was received, finished.
 */
static void on_drain(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    kumo_downloader *dl = arg;
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_DOWNLOAD);
    turn_begin(dl);
    dl->decode_turns++;
    xfer *next;
    for (xfer *x = dl->live; x; x = next) {
        next = x->next;
        if (!x->dec || (!x->paused && !x->draining && !kumo__decoder_pending(x->dec)))
            continue;
        if (kumo__decoder_pending(x->dec) && !decode_some(x)) {
            finish(dl, x, CURLE_WRITE_ERROR);
            continue;
        }
        if (kumo__decoder_pending(x->dec))
            continue;                   /* decode_some asked for another turn */
        if (x->draining) {
            finish(dl, x, x->done_rc);
        } else if (x->paused) {
            x->paused = false;
            curl_easy_pause(x->easy, CURLPAUSE_CONT);
        }
    }
    check_done(dl);
    kumo__stage_leave(stage);
}

/* ---- libcurl <-> libevent ---- */

static void on_socket_event(evutil_socket_t fd, short what, void *arg)
{
    kumo_downloader *dl = arg;
    int flags = (what & EV_READ ? CURL_CSELECT_IN : 0) | (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
    int running;
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_DOWNLOAD);
    turn_begin(dl);
    curl_multi_socket_action(dl->multi, fd, flags, &running);
    check_done(dl);
    kumo__stage_leave(stage);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    kumo_downloader *dl = arg;
    int running;
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_DOWNLOAD);
    turn_begin(dl);
    curl_multi_socket_action(dl->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(dl);
    kumo__stage_leave(stage);
}

static void sockev_free(kumo_downloader *dl, sockev *se)
{
    if (se->prev)
        se->prev->next = se->next;
    else
        dl->sockets = se->next;
    if (se->next)
        se->next->prev = se->prev;
    event_free(se->ev);
    kumo_free(se);
}

/* CURLMOPT_SOCKETFUNCTION: (un)watch a socket.  Never calls back into libcurl. */
static int socket_cb(CURL *e, curl_socket_t fd, int what, void *ud, void *sockp)
{
    kumo_downloader *dl = ud;
    sockev *se = sockp;
    if (what == CURL_POLL_REMOVE) {
        if (se) {
            sockev_free(dl, se);
            curl_multi_assign(dl->multi, fd, NULL);
        }
        return 0;
    }
    short kind = EV_PERSIST | (what & CURL_POLL_IN ? EV_READ : 0) |
                 (what & CURL_POLL_OUT ? EV_WRITE : 0);
    if (se) {
        event_del(se->ev);
        event_assign(se->ev, dl->base, fd, kind, on_socket_event, dl);
    } else {
        se = kumo_calloc(1, sizeof(*se), KUMO_T_CURL, KUMO_V_ACTIVE);
        se->ev = event_new(dl->base, fd, kind, on_socket_event, dl);
        se->next = dl->sockets;
        if (dl->sockets)
            dl->sockets->prev = se;
        dl->sockets = se;
        curl_multi_assign(dl->multi, fd, se);
    }
    event_add(se->ev, NULL);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: arm or disarm our timer only; libcurl is called from on_timeout. */
static int timer_cb(CURLM *m, long timeout_ms, void *ud)
{
    kumo_downloader *dl = ud;
    if (timeout_ms < 0) {
        evtimer_del(dl->timer);
        return 0;
    }
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    evtimer_add(dl->timer, &tv);
    return 0;
}

kumo_downloader *kumo__downloader_new(const kumo_downloader_config *cfg,
                                     kumo_download_done_fn done, void *ctx)
{
    kumo_downloader *dl = kumo_calloc(1, sizeof(*dl), KUMO_T_CURL, KUMO_V_NONE);
    dl->base = cfg->base;
    dl->downloaded = cfg->downloaded;
    dl->downloaded_arg = cfg->downloaded_arg;
    dl->done = done;
    dl->ctx = ctx;
    dl->total_concurrency = KUMO_MAX(1, cfg->concurrency);
    dl->backlog = BACKLOG_FACTOR * dl->total_concurrency;
    dl->per_ip = cfg->per_ip;
    dl->slot_concurrency = KUMO_MAX(1, cfg->slot_concurrency);
    dl->delay = KUMO_MAX(0.0, cfg->delay);
    dl->randomize = cfg->randomize;
    dl->timeout_ms = (long)(cfg->timeout * 1000);
    dl->maxsize = cfg->maxsize;
    dl->warnsize = cfg->warnsize;
    dl->resolve = resolve_list(cfg->resolve, cfg->nresolve);
    dl->multi = curl_multi_init();
    if (!dl->multi)
        kumo_oom(sizeof(void *));
    dl->timer = evtimer_new(dl->base, on_timeout, dl);
    dl->drain = evtimer_new(dl->base, on_drain, dl);
    turn_begin(dl);
    curl_multi_setopt(dl->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(dl->multi, CURLMOPT_SOCKETDATA, dl);
    curl_multi_setopt(dl->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(dl->multi, CURLMOPT_TIMERDATA, dl);
    curl_multi_setopt(dl->multi, CURLMOPT_MAXCONNECTS, (long)dl->total_concurrency * 2);
    return dl;
}

void kumo__downloader_free(kumo_downloader *dl)
{
    if (!dl)
        return;
    while (dl->live) {
        xfer *x = dl->live;
        curl_multi_remove_handle(dl->multi, x->easy);
        xfer_put(dl, x);
    }
    while (dl->free_xfers) {
        xfer *x = dl->free_xfers;
        dl->free_xfers = x->next;
        curl_easy_cleanup(x->easy);
        kumo_free(x);
    }
    for (size_t b = 0; b < NBUCKETS; b++)
        while (dl->buckets[b]) {
            slot *s = dl->buckets[b];
            dl->buckets[b] = s->hnext;
            slot_free(s);
        }
    dns_clear(dl);
    curl_multi_cleanup(dl->multi);
    curl_slist_free_all(dl->resolve);
    while (dl->sockets)
        sockev_free(dl, dl->sockets);
    event_free(dl->timer);
    event_free(dl->drain);
    if (dl->gc)
        event_free(dl->gc);
    kumo_free(dl);
}

size_t kumo__downloader_active(const kumo_downloader *dl)
{
    return dl->active;
}

bool kumo__downloader_needs_backout(const kumo_downloader *dl)
{
    return kumo__downloader_needs_backout_held(dl, 0);
}

bool kumo__downloader_needs_backout_held(const kumo_downloader *dl, size_t held)
{
    return dl->transferring + held >= dl->total_concurrency ||
           dl->active - dl->transferring >= dl->backlog;
}

void kumo__downloader_set_hold(kumo_downloader *dl, kumo_download_hold_fn hold, void *ctx)
{
    dl->hold = hold;
    dl->hold_ctx = ctx;
}

void kumo__downloader_unhold(kumo_downloader *dl)
{
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_DOWNLOAD);
    ready_run(dl);
    kumo__stage_leave(stage);
}

size_t kumo__downloader_concurrency(const kumo_downloader *dl)
{
    return dl->total_concurrency;
}

size_t kumo__downloader_transferring(const kumo_downloader *dl)
{
    return dl->transferring;
}

void kumo__downloader_walk(const kumo_downloader *dl,
                           void (*fn)(void *ctx, const char *slot, bool in_flight, size_t index,
                                      kumo_request *req),
                           void *ctx)
{
    for (size_t b = 0; b < NBUCKETS; b++)
        for (slot *s = dl->buckets[b]; s; s = s->hnext) {
            size_t i = 0;
            for (const xfer *x = dl->live; x; x = x->next)
                if (x->slot == s && x->req)
                    fn(ctx, s->key, true, i++, x->req);
            i = 0;
            for (const pending *p = s->head; p; p = p->next)
                fn(ctx, s->key, false, i++, p->req);
        }
}

size_t kumo__downloader_slots(const kumo_downloader *dl)
{
    return dl->nslots;
}

double kumo__downloader_slot_delay(const kumo_downloader *dl, const char *key)
{
    const slot *s = key ? slot_find(dl, key) : NULL;
    return s ? s->delay : -1;
}

int kumo__downloader_set_slot_delay(kumo_downloader *dl, const char *key, double delay)
{
    slot *s = key ? slot_find(dl, key) : NULL;
    if (!s)
        return KUMO_ENOENT;
    s->delay = delay > 0 ? delay : 0;
    return KUMO_OK;
}

size_t kumo__downloader_decode_turns(const kumo_downloader *dl)
{
    return dl->decode_turns;
}

size_t kumo__downloader_slot_transferring(const kumo_downloader *dl, const char *key)
{
    const slot *s = key ? slot_find(dl, key) : NULL;
    return s ? s->active : 0;
}
