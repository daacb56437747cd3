/* webwatch.h - watch an in-process crawl through its web service, as a person would: a
 * client thread reads the url and token from the log, then talks plain HTTP to it. */
#ifndef KUMO_WEBWATCH_H
#define KUMO_WEBWATCH_H

#include "lib/crawl.h"

typedef struct kumo_webwatch {
    int port;                   /* the web service's, read from the log */
    char token[80];
    char logpath[64];           /* the crawl's LOG_FILE */
    void *arg;                  /* the client's */
} kumo_webwatch;

/* What an HTTP exchange got back: body malloc'd (free() it), NUL-terminated. */
typedef struct kumo_webreply {
    int status;                 /* 0: no answer (connection refused, closed, timed out) */
    char *head;                 /* status line and headers */
    char *body;
    size_t len;
} kumo_webreply;

/*
 * Crawl the probe spider over args (NAME, VALUE, ..., NULL) with settings kv plus the web
 * service on any free port, LOG_FILE and LOG_LEVEL INFO.  Once the log names the service's
 * url (within 30 s), client(w) runs in a thread of its own; it must not call kumo (it uses
 * plain libc and kumo_webwatch_http) and should end the crawl (POST /api/stop).  Returns
 * kumo_testcrawl_run()'s code after the client thread ended; w->logpath is removed.
 */
int kumo_webwatch_run(kumo_testcrawl *t, kumo_webwatch *w, const char *const *kv,
                      const char *const *args, void (*client)(kumo_webwatch *w));

/*
 * One HTTP/1.1 request to the service (Connection: close), extra header lines in headers
 * ("Name: value", NULL-terminated, may be NULL), at most 10 s.  Fills r (free with
 * kumo_webreply_free) and returns r->status.
 */
int kumo_webwatch_http(const kumo_webwatch *w, const char *method, const char *target,
                       const char *const *headers, kumo_webreply *r);
void kumo_webreply_free(kumo_webreply *r);

/* Connect to the service and return the socket (-1 on failure), for misbehaving clients. */
int kumo_webwatch_connect(const kumo_webwatch *w);

#endif
