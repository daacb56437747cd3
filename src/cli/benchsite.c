/* benchsite.c - the site `kumo bench` crawls: an evhttp server on 127.0.0.1 in its own
 * thread, whose pages /follow?n=N each link to a fixed, deterministic set of other pages. */
#include "cli/cli.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <sys/socket.h>

/*
 * The server thread calls libevent only (its own heap): the struct is allocated and freed
 * by the calling thread, before the thread starts and after it has been joined.
 */
struct kumo_benchsite {
    struct event_base *base;
    struct evhttp *http;
    struct event *wake_ev;
    int wake[2];            /* stop() writes to wake[1]; the loop breaks */
    int port;
    unsigned pages, links;
    pthread_t thread;
    bool started;
};

/* The target of link i of page n, in 1..pages: link 0 goes to the next page (so every
 * page is reachable), the others spread over the site by a fixed mix of n and i. */
static unsigned target(const kumo_benchsite *s, unsigned n, unsigned i)
{
    if (i == 0)
        return n % s->pages + 1;
    uint64_t x = (uint64_t)n * 0x9E3779B97F4A7C15u + (uint64_t)i * 0xBF58476D1CE4E5B9u;
    x ^= x >> 31;
    x *= 0x94D049BB133111EBu;
    x ^= x >> 29;
    return (unsigned)(x % s->pages) + 1;
}

/* The page number of a request: "/" is 0, "/follow?n=N" is N (1..pages); -1 otherwise. */
static long page_of(const kumo_benchsite *s, const char *uri)
{
    if (strcmp(uri, "/") == 0)
        return 0;
    if (strncmp(uri, "/follow?n=", 10) != 0)
        return -1;
    char *end;
    errno = 0;
    long n = strtol(uri + 10, &end, 10);
    if (errno || *end || end == uri + 10 || n < 1 || n > (long)s->pages)
        return -1;
    return n;
}

/* As Scrapy's bench server: a bare page of links, "follow N" each. */
static void serve(struct evhttp_request *req, void *arg)
{
    kumo_benchsite *s = arg;
    long n = page_of(s, evhttp_request_get_uri(req));
    struct evbuffer *b = n < 0 ? NULL : evbuffer_new();
    if (!b) {
        evhttp_send_error(req, n < 0 ? 404 : 500, NULL);
        return;
    }
    evbuffer_add_printf(b, "<html><head><title>bench %ld</title></head><body>", n);
    for (unsigned i = 0; i < s->links; i++) {
        unsigned t = target(s, (unsigned)n, i);
        evbuffer_add_printf(b, "<a href='/follow?n=%u'>follow %u</a><br>", t, t);
    }
    evbuffer_add_printf(b, "</body></html>");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "text/html; charset=utf-8");
    evhttp_send_reply(req, 200, "OK", b);
    evbuffer_free(b);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    kumo_benchsite *s = arg;
    char c;
    while (read(fd, &c, 1) > 0)
        ;
    event_base_loopbreak(s->base);
}

static void *site_thread(void *arg)
{
    kumo_benchsite *s = arg;
    event_base_dispatch(s->base);
    return NULL;
}

static void site_free(kumo_benchsite *s)
{
    if (s->http)
        evhttp_free(s->http);
    if (s->wake_ev)
        event_free(s->wake_ev);
    if (s->base)
        event_base_free(s->base);
    for (size_t i = 0; i < 2; i++)
        if (s->wake[i] >= 0)
            close(s->wake[i]);
    kumo_free(s);
}

kumo_benchsite *kumo_benchsite_start(unsigned pages, unsigned links, char *err, size_t errlen)
{
    kumo_benchsite *s = kumo_calloc(1, sizeof(*s), KUMO_T_OTHER, KUMO_V_NONE);
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    struct evhttp_bound_socket *sock = NULL;
    s->wake[0] = s->wake[1] = -1;
    errno = 0;
    s->pages = pages ? pages : 1;
    s->links = links;
    if (!(s->base = event_base_new()) || !(s->http = evhttp_new(s->base)))
        goto fail;
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
    evhttp_set_gencb(s->http, serve, s);
    sock = evhttp_bind_socket_with_handle(s->http, "127.0.0.1", 0);
    if (!sock ||
        getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&sin, &len) < 0)
        goto fail;
    s->port = ntohs(sin.sin_port);
    if (pipe(s->wake) < 0)
        goto fail;
    fcntl(s->wake[0], F_SETFL, O_NONBLOCK);
    s->wake_ev = event_new(s->base, s->wake[0], EV_READ | EV_PERSIST, on_wake, s);
    if (!s->wake_ev || event_add(s->wake_ev, NULL) < 0)
        goto fail;
    /* Signals are the crawl's (Ctrl-C): the thread starts with them blocked. */
    sigset_t set, old;
    sigfillset(&set);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    int rc = pthread_create(&s->thread, NULL, site_thread, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        errno = rc;
        goto fail;
    }
    s->started = true;
    return s;
fail:
    snprintf(err, errlen, "cannot start the bench site on 127.0.0.1: %s",
             errno ? strerror(errno) : "libevent failed");
    site_free(s);
    return NULL;
}

int kumo_benchsite_port(const kumo_benchsite *s)
{
    return s->port;
}

void kumo_benchsite_stop(kumo_benchsite *s)
{
    if (!s)
        return;
    if (s->started) {
        ssize_t w;
        do {
            w = write(s->wake[1], "x", 1);
        } while (w < 0 && errno == EINTR);
        pthread_join(s->thread, NULL);
    }
    site_free(s);
}
