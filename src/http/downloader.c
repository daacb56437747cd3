/* downloader.c - curl multi socket transfers driven by libevent, one slot per domain. */
#include "http/downloader.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "http/request.h"
#include "http/response.h"
#include "http/url.h"
#include "util/buf.h"

#include <curl/curl.h>
#include <event2/event.h>

#define LOGGER "kumo.core.downloader"
#define NBUCKETS 1024
#define HEADER_CAP (256 * 1024)     /* all response headers of one transfer */

typedef struct slot slot;
typedef struct xfer xfer;

/* A FIFO of requests waiting for their slot. */
typedef struct pending {
    kumo_request *req;
    struct pending *next;
} pending;

struct slot {
    char *key;                  /* host name, lower case */
    slot *hnext;                /* hash chain */
    pending *head, *tail;
    size_t queued, active;
    double lastseen;            /* start of the last transfer (DOWNLOAD_DELAY) */
    struct event *timer;        /* delay timer, created on first use */
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
    struct curl_slist *hdrs;
    bool too_big;
    xfer *next;                 /* free list / live list */
    xfer *prev;
};

/* One watched socket; listed so that none outlives the downloader. */
typedef struct sockev {
    struct event *ev;
    struct sockev *prev, *next;
} sockev;

struct kumo_downloader {
    kumo_crawler *c;
    sockev *sockets;
    CURLM *multi;
    struct event *timer;        /* libcurl's timeout */
    slot *buckets[NBUCKETS];
    size_t nslots;
    size_t active;              /* queued in slots + transferring */
    size_t transferring;
    xfer *live;                 /* transfers in flight */
    xfer *free_xfers;           /* easy handles kept for reuse */
    kumo_download_done_fn done;
    void *ctx;
    /* settings, read once */
    size_t total_concurrency, slot_concurrency;
    double delay;
    bool randomize;
    long timeout_ms;
    size_t maxsize, warnsize;
};

/* ---- slots ---- */

static size_t hash_str(const char *s)
{
    size_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

static slot *slot_get(kumo_downloader *dl, const char *url)
{
    char *host = kumo_url_host(url);
    const char *key = host ? host : "";
    size_t b = hash_str(key) % NBUCKETS;
    slot *s;
    for (s = dl->buckets[b]; s; s = s->hnext)
        if (strcmp(s->key, key) == 0)
            break;
    if (!s) {
        s = kumo_calloc(1, sizeof(*s), KUMO_T_QUEUE, KUMO_V_SLOT);
        s->key = kumo_strdup(key, KUMO_T_STR, KUMO_V_SLOT);
        s->dl = dl;
        s->hnext = dl->buckets[b];
        dl->buckets[b] = s;
        dl->nslots++;
    }
    kumo_free(host);
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

/* Forget an idle slot unless DOWNLOAD_DELAY needs its lastseen. */
static void slot_maybe_free(kumo_downloader *dl, slot *s)
{
    if (s->queued || s->active || dl->delay > 0)
        return;
    slot **pp = &dl->buckets[hash_str(s->key) % NBUCKETS];
    while (*pp != s)
        pp = &(*pp)->hnext;
    *pp = s->hnext;
    dl->nslots--;
    slot_free(s);
}

/* ---- transfers ---- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    if (!x->body.cap) {
        /* one allocation for the whole body when the server said how big it is */
        curl_off_t cl = -1;
        curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
        if (cl > 0 && (uint64_t)cl <= x->body.max)
            kumo_buf_reserve(&x->body, (size_t)cl);
    }
    if (kumo_buf_add(&x->body, p, len) != KUMO_OK) {
        x->too_big = true;
        return 0;       /* abort: CURLE_WRITE_ERROR */
    }
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    x->header_bytes += len;
    if (x->header_bytes > HEADER_CAP)
        return 0;
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {     /* a new response: 1xx, then final */
        kumo_headers_free(x->headers);
        x->headers = kumo_headers_new();
        return len;
    }
    const char *colon = memchr(p, ':', len);
    if (!colon || colon == p)
        return len;
    const char *v = colon + 1, *end = p + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    char name[256];
    size_t nl = (size_t)(colon - p);
    if (nl >= sizeof(name))
        return len;
    memcpy(name, p, nl);
    name[nl] = '\0';
    char *value = kumo_strndup(v, (size_t)(end - v), KUMO_T_STR, KUMO_V_HEADERS);
    kumo_headers_add(x->headers, name, value);
    kumo_free(value);
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
    kumo_buf_release(&x->body);
    kumo_headers_free(x->headers);
    x->headers = NULL;
    curl_slist_free_all(x->hdrs);
    x->hdrs = NULL;
    x->slot = NULL;
    x->prev = NULL;
    x->next = dl->free_xfers;
    dl->free_xfers = x;
}

static long timeout_ms_for(kumo_downloader *dl, kumo_request *req)
{
    const kumo_value *v = kumo_map_get(&req->meta, "download_timeout");
    double t = dl->timeout_ms / 1000.0;
    if (v && v->type == KUMO_VAL_FLOAT)
        t = v->u.f;
    else if (v && v->type == KUMO_VAL_INT)
        t = (double)v->u.i;
    return t > 0 ? (long)(t * 1000) : 0;
}

/* Build the header list; Accept-Encoding goes to libcurl so that it decodes the body. */
static void set_headers(xfer *x, kumo_request *req)
{
    const char *accept_enc = NULL;
    kumo_buf line;
    kumo_buf_init(&line, 0, KUMO_T_STR, KUMO_V_HEADERS);
    for (size_t i = 0; i < req->headers->len; i++) {
        const char *n = req->headers->kv[2 * i], *v = req->headers->kv[2 * i + 1];
        if (strcasecmp(n, "Accept-Encoding") == 0) {
            accept_enc = v;
            continue;
        }
        kumo_buf_reset(&line);
        kumo_buf_printf(&line, *v ? "%s: %s" : "%s;", n, v);
        x->hdrs = curl_slist_append(x->hdrs, line.s);
    }
    kumo_buf_release(&line);
    x->hdrs = curl_slist_append(x->hdrs, "Expect:");
    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->hdrs);
    if (accept_enc)
        curl_easy_setopt(x->easy, CURLOPT_ACCEPT_ENCODING, accept_enc);
}

static void start_transfer(kumo_downloader *dl, slot *s, kumo_request *req)
{
    xfer *x = xfer_get(dl);
    CURL *e = x->easy;
    x->slot = s;
    x->req = req;       /* the reference the slot queue held */
    x->status = 0;
    x->too_big = false;
    x->header_bytes = 0;
    x->headers = kumo_headers_new();
    size_t cap = dl->maxsize;
    const kumo_value *ms = kumo_map_get(&req->meta, "download_maxsize");
    if (ms && ms->type == KUMO_VAL_INT)
        cap = (size_t)ms->u.i;
    kumo_buf_init(&x->body, cap, KUMO_T_BYTES, KUMO_V_BODY);

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
    if (strcmp(req->method, "GET") == 0) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(req->method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        if (strcmp(req->method, "POST") != 0)
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
    }
    set_headers(x, req);

    x->prev = NULL;
    x->next = dl->live;
    if (dl->live)
        dl->live->prev = x;
    dl->live = x;
    s->active++;
    dl->transferring++;
    s->lastseen = kumo_now();
    curl_multi_add_handle(dl->multi, e);
}

static double slot_delay(kumo_downloader *dl)
{
    if (dl->delay <= 0 || !dl->randomize)
        return dl->delay;
    return dl->delay * (0.5 + (double)random() / RAND_MAX);
}

static void slot_process(slot *s);

static void on_slot_timer(evutil_socket_t fd, short what, void *arg)
{
    slot_process(arg);
}

/* Start what the slot's concurrency and delay allow now; arm its timer for the rest. */
static void slot_process(slot *s)
{
    kumo_downloader *dl = s->dl;
    while (s->head && s->active < dl->slot_concurrency) {
        if (dl->delay > 0) {
            double wait = s->lastseen + slot_delay(dl) - kumo_now();
            if (wait > 0 && s->lastseen > 0) {
                if (!s->timer)
                    s->timer = evtimer_new(dl->c->base, on_slot_timer, s);
                struct timeval tv = {(time_t)wait, (suseconds_t)((wait - (time_t)wait) * 1e6)};
                evtimer_add(s->timer, &tv);
                return;
            }
        }
        pending *p = s->head;
        s->head = p->next;
        if (!s->head)
            s->tail = NULL;
        s->queued--;
        kumo_request *req = p->req;
        kumo_free(p);
        start_transfer(dl, s, req);
        if (dl->delay > 0)
            break;      /* one request per delay period, as Scrapy */
    }
}

void kumo_downloader_fetch(kumo_downloader *dl, kumo_request *req)
{
    slot *s = slot_get(dl, req->url);
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
    char why[256] = "";

    curl_multi_remove_handle(dl->multi, x->easy);
    if (rc == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
        char *ip = NULL;
        curl_easy_getinfo(x->easy, CURLINFO_PRIMARY_IP, &ip);
        double total = 0;
        curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &total);
        kumo_map_set(&req->meta, "download_latency", kumo_val_float(total));
        size_t len;
        char *body = kumo_buf_detach(&x->body, &len);
        if (dl->warnsize && len > dl->warnsize)
            KUMO_WARN(LOGGER, "Received (%zu) bytes larger than download warn size (%zu) in "
                      "request <%s %s>.", len, dl->warnsize, req->method, req->url);
        res = kumo_response_new(req, req->url, (int)status, x->headers, body, len);
        x->headers = NULL;
        if (ip && *ip)
            res->ip = kumo_strdup(ip, KUMO_T_STR, KUMO_V_DICT);
    } else {
        err = map_error(rc, x->too_big);
        if (err == KUMO_ETOOBIG)
            snprintf(why, sizeof(why), "Cancelling download of %s: received response size "
                     "larger than download max size (%zu).", req->url, x->body.max);
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
        finish(dl, x, msg->data.result);
    }
}

/* ---- libcurl <-> libevent ---- */

static void on_socket_event(evutil_socket_t fd, short what, void *arg)
{
    kumo_downloader *dl = arg;
    int flags = (what & EV_READ ? CURL_CSELECT_IN : 0) | (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
    int running;
    curl_multi_socket_action(dl->multi, fd, flags, &running);
    check_done(dl);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    kumo_downloader *dl = arg;
    int running;
    curl_multi_socket_action(dl->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(dl);
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
        event_assign(se->ev, dl->c->base, fd, kind, on_socket_event, dl);
    } else {
        se = kumo_calloc(1, sizeof(*se), KUMO_T_CURL, KUMO_V_ACTIVE);
        se->ev = event_new(dl->c->base, fd, kind, on_socket_event, dl);
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

kumo_downloader *kumo_downloader_new(kumo_crawler *c, kumo_download_done_fn done, void *ctx)
{
    kumo_downloader *dl = kumo_calloc(1, sizeof(*dl), KUMO_T_CURL, KUMO_V_NONE);
    const kumo_settings *st = c->settings;
    dl->c = c;
    dl->done = done;
    dl->ctx = ctx;
    dl->total_concurrency = (size_t)KUMO_MAX(1, kumo_settings_int(st, "CONCURRENT_REQUESTS", 16));
    dl->slot_concurrency =
        (size_t)KUMO_MAX(1, kumo_settings_int(st, "CONCURRENT_REQUESTS_PER_DOMAIN", 8));
    dl->delay = kumo_settings_float(st, "DOWNLOAD_DELAY", 0);
    dl->randomize = kumo_settings_bool(st, "RANDOMIZE_DOWNLOAD_DELAY", true);
    dl->timeout_ms = (long)(kumo_settings_float(st, "DOWNLOAD_TIMEOUT", 180) * 1000);
    dl->maxsize = (size_t)KUMO_MAX(0, kumo_settings_int(st, "DOWNLOAD_MAXSIZE", 1 << 30));
    dl->warnsize = (size_t)KUMO_MAX(0, kumo_settings_int(st, "DOWNLOAD_WARNSIZE", 32 << 20));
    dl->multi = curl_multi_init();
    if (!dl->multi)
        kumo_oom(sizeof(void *));
    dl->timer = evtimer_new(c->base, on_timeout, dl);
    curl_multi_setopt(dl->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(dl->multi, CURLMOPT_SOCKETDATA, dl);
    curl_multi_setopt(dl->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(dl->multi, CURLMOPT_TIMERDATA, dl);
    curl_multi_setopt(dl->multi, CURLMOPT_MAXCONNECTS, (long)dl->total_concurrency * 2);
    return dl;
}

void kumo_downloader_free(kumo_downloader *dl)
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
    curl_multi_cleanup(dl->multi);
    while (dl->sockets)
        sockev_free(dl, dl->sockets);
    event_free(dl->timer);
    kumo_free(dl);
}

size_t kumo_downloader_active(const kumo_downloader *dl)
{
    return dl->active;
}

bool kumo_downloader_needs_backout(const kumo_downloader *dl)
{
    return dl->active >= dl->total_concurrency;
}

size_t kumo_downloader_transferring(const kumo_downloader *dl)
{
    return dl->transferring;
}

size_t kumo_downloader_slots(const kumo_downloader *dl)
{
    return dl->nslots;
}
