/* fetchone.c - `kumo fetch` and `kumo shell`'s fetches: one request at a time through the
 * downloader and its middlewares, in a DefaultSpider crawl paused between fetches. */
#include "cli/fetchone.h"
#include "core/crawler.h"
#include "core/engine.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/stats.h"
#include "http/request.h"
#include "http/response.h"
#include "http/status.h"
#include <ctype.h>
#include <event2/event.h>
#include <signal.h>

#define META_FETCH "kumo_shell_fetch"   /* request meta: which fetch a request belongs to */
#define EXC_PREFIX "downloader/exception_type_count/"

struct kumo_fetcher {
    kumo_crawler *c;            /* owned */
    bool opened;                /* the engine runs (paused between fetches) */
    kumo_request *start;        /* the start request to yield at open (one reference), or NULL */
    /* the fetch in flight */
    bool waiting, interrupted;
    int64_t gen;                /* its number, in each of its requests' meta */
    kumo_response *got;         /* one reference: the response it got, or NULL */
    struct event *sigint;       /* owned */
    int64_t exc_before[KUMO_ERR_MAX];
    /* the last failure */
    char err[1024];
    const char *errtype;        /* static */
};

/* The process's one fetcher: how the spider callback finds it. */
static kumo_fetcher *current;

static kumo_tag tag_fetcher(void)
{
    static kumo_tag t;
    if (!t)
        t = kumo_type_intern("kumo.commands.Fetcher");
    return t;
}

void kumo_fetcher_parse(kumo_response *res, kumo_out *out)
{
    kumo_fetcher *f = current;
    const kumo_value *g = kumo_map_get(kumo_response_meta(res), META_FETCH);
    if (!f || !f->waiting || !g || g->type != KUMO_VAL_INT || g->u.i != f->gen)
        return;     /* a late answer to an interrupted fetch */
    kumo_response_unref(f->got);
    f->got = kumo_response_ref(res);
}

/* start_requests: the request kumo_fetcher_fetch_start() opens the crawl with, if any. */
static int default_start(kumo_spider *sp, kumo_out *out)
{
    kumo_fetcher *f = current;
    if (f && f->start) {
        kumo_yield_request(out, f->start);
        f->start = NULL;
    }
    return KUMO_OK;
}

/* Scrapy's DefaultSpider; its own settings sit at the spider's priority, so that
 * conf/kumo.conf does not override them and -s does. */
static const kumo_spider_def default_spider = {
    KUMO_SPIDER_HEADER,
    .name = "default",
    .callbacks = KUMO_CALLBACKS(kumo_fetcher_parse),
    .start_requests = default_start,
    .settings = KUMO_SETTINGS({"LOG_LEVEL", "WARNING"}, {"HTTPERROR_ALLOW_ALL", "1"},
                              {"TELNETCONSOLE_ENABLED", "0"}, {"LOGSTATS_INTERVAL", "0"}),
};

/* A request of the fetch in flight is finished: stop the loop once nothing of it is left. */
static void on_processed(void *ctx, kumo_crawler *c, void *arg)
{
    kumo_fetcher *f = ctx;
    if (!f->waiting)
        return;
    kumo_engine_status st;
    kumo__engine_status_get(kumo__crawler_engine(c), &st);
    if (f->got || (st.downloader_active == 0 && st.scheduler_len == 0)) {
        f->waiting = false;
        kumo__engine_pause(kumo__crawler_engine(c));
        event_base_loopbreak(kumo__crawler_base(c));
    }
}

static void on_sigint(evutil_socket_t fd, short what, void *arg)
{
    kumo_fetcher *f = arg;
    f->interrupted = true;
    event_base_loopbreak(kumo__crawler_base(f->c));
}

kumo_fetcher *kumo_fetcher_new(kumo_settings *settings, char *err, size_t errlen)
{
    kumo_crawler *c = kumo__crawler_new(&default_spider, settings, NULL, err, errlen);
    if (!c)
        return NULL;
    kumo_fetcher *f = kumo_calloc(1, sizeof(*f), tag_fetcher(), KUMO_V_NONE);
    f->c = c;
    f->sigint = evsignal_new(kumo__crawler_base(c), SIGINT, on_sigint, f);
    kumo__signal_connect(kumo__crawler_signals(c), KUMO_SIG_REQUEST_PROCESSED, on_processed, f);
    current = f;
    return f;
}

kumo_crawler *kumo_fetcher_crawler(const kumo_fetcher *f)
{
    return f->c;
}

const char *kumo_fetcher_error(const kumo_fetcher *f, const char **errtype)
{
    if (errtype)
        *errtype = f->errtype;
    return f->err;
}

static int64_t exc_count(kumo_fetcher *f, int err)
{
    char key[256];
    snprintf(key, sizeof(key), EXC_PREFIX "%s", kumo__exception_name(err));
    return kumo__stats_get_int(kumo__crawler_stats(f->c), key, 0);
}

/* Why the fetch of req got nothing: the download exception counted meanwhile, or dropped. */
static int no_response(kumo_fetcher *f, const kumo_request *req)
{
    for (int i = KUMO_OK + 1; i < KUMO_ERR_MAX; i++)
        if (exc_count(f, i) > f->exc_before[i]) {
            /* several codes share "builtins.Exception": its message says too little */
            bool generic = !strcmp(kumo__exception_name(i), "builtins.Exception");
            f->errtype = kumo__exception_name(i);
            snprintf(f->err, sizeof(f->err), "%s", generic
                     ? "download failed (-s LOG_LEVEL=DEBUG tells why)"
                     : kumo__exception_message(i));
            return i;
        }
    f->errtype = "IgnoreRequest";
    snprintf(f->err, sizeof(f->err), "no response for <%s %s>: the request was "
             "dropped (-s LOG_LEVEL=DEBUG tells why)", req->method, req->url);
    return KUMO_EIGNORED;
}

/* kumo_fetcher_fetch(); start: req is the start request when the crawl opens now. */
static int fetch(kumo_fetcher *f, kumo_request *req, bool redirect, bool start,
                 kumo_response **res)
{
    kumo_engine *e = kumo__crawler_engine(f->c);
    *res = NULL;
    if (kumo__engine_closed(e) || kumo__engine_closing(e)) {
        kumo_request_unref(req);
        const char *reason = kumo__crawler_finish_reason(f->c);
        f->errtype = "RuntimeError";
        snprintf(f->err, sizeof(f->err), "the shell's crawl is closed (%s)",
                 reason ? reason : "?");
        return KUMO_EIO;
    }
    kumo_request_set_callback(req, kumo_fetcher_parse);
    kumo_request_set_dont_filter(req, 1);
    kumo_map_set(&req->meta, META_FETCH, kumo_val_int(++f->gen));
    /* HTTPERROR_ALLOW_ALL lets 4xx/5xx through; handle_httpstatus_all would also stop the
     * Redirect middleware, so only redirect false sets it (as Scrapy). */
    if (!redirect) {
        kumo_map_set(&req->meta, "dont_redirect", kumo_val_bool(1));
        kumo_map_set(&req->meta, "handle_httpstatus_all", kumo_val_bool(1));
    }
    for (int i = 0; i < KUMO_ERR_MAX; i++)
        f->exc_before[i] = exc_count(f, i);
    kumo_response_unref(f->got);
    f->got = NULL;
    f->waiting = true;
    f->interrupted = false;

    kumo_request *orig = kumo_request_ref(req);
    if (!f->opened) {
        f->start = start ? req : NULL;
        kumo__crawler_set_start_time(f->c, kumo_now());
        kumo__engine_open(e);
        f->opened = true;
        kumo_request_unref(f->start);      /* not yielded: start_requests did not run */
        f->start = NULL;
    } else {
        start = false;
        kumo__engine_unpause(e);
    }
    if (!start)
        kumo__engine_crawl(e, req);
    evsignal_add(f->sigint, NULL);
    while (f->waiting && !f->interrupted && !kumo__engine_closed(e))
        if (event_base_loop(kumo__crawler_base(f->c), 0) != 0)
            break;      /* nothing left to wait for */
    evsignal_del(f->sigint);
    f->waiting = false;

    int rc = KUMO_OK;
    if (f->got) {
        *res = f->got;          /* the fetcher's reference passes to the caller */
        f->got = NULL;
    } else if (f->interrupted) {
        f->errtype = "KeyboardInterrupt";
        snprintf(f->err, sizeof(f->err), "fetch of <%s %s> interrupted", orig->method,
                 orig->url);
        rc = KUMO_ECANCELED;
    } else {
        rc = no_response(f, orig);
    }
    kumo_request_unref(orig);
    return rc;
}

int kumo_fetcher_fetch(kumo_fetcher *f, kumo_request *req, bool redirect, kumo_response **res)
{
    return fetch(f, req, redirect, false, res);
}

int kumo_fetcher_fetch_start(kumo_fetcher *f, kumo_request *req, bool redirect,
                             kumo_response **res)
{
    return fetch(f, req, redirect, true, res);
}

bool kumo_fetcher_has_scheme(const char *s)
{
    if (!isalpha((unsigned char)*s))
        return false;
    while (isalnum((unsigned char)*s) || *s == '+' || *s == '-' || *s == '.')
        s++;
    return strncmp(s, "://", 3) == 0;
}

void kumo_fetcher_url(const char *target, kumo_buf *url)
{
    if (!kumo_fetcher_has_scheme(target))
        kumo__buf_adds(url, strncmp(target, "//", 2) == 0 ? "http:" : "http://");
    kumo__buf_adds(url, target);
}

void kumo_fetcher_close(kumo_fetcher *f)
{
    if (f->opened && !kumo__engine_closed(kumo__crawler_engine(f->c)))
        kumo__engine_close_now(kumo__crawler_engine(f->c), "finished");
}

void kumo_fetcher_free(kumo_fetcher *f)
{
    if (!f)
        return;
    kumo_response_unref(f->got);
    kumo_fetcher_close(f);
    if (f->sigint)
        event_free(f->sigint);
    kumo__crawler_free(f->c);
    if (current == f)
        current = NULL;
    kumo_free(f);
}
