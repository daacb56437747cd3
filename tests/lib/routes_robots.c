/* routes_robots.c - test server routes /robots.txt and /robots/real.txt: their answer is set
 * per test with kumo_ts_robots_set() (a global behind a mutex; 404 until set). */
#include <event2/buffer.h>
#include <event2/http.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int robots_status;           /* 0: not set (404) */
static char *robots_body;           /* malloc'ed, or NULL */
static char *robots_location;       /* malloc'ed, or NULL */

void kumo_ts_robots_set(int status, const char *location, const char *body)
{
    char *b = body ? strdup(body) : NULL;
    char *l = location ? strdup(location) : NULL;
    pthread_mutex_lock(&lock);
    free(robots_body);
    free(robots_location);
    robots_body = b;
    robots_location = l;
    robots_status = status;
    pthread_mutex_unlock(&lock);
}

/* /robots.txt and /robots/real.txt: see server.h. */
static void h_robots(kumo_testserver *s, struct evhttp_request *req, const char *path,
                     const char *rest)
{
    (void)s, (void)rest;
    pthread_mutex_lock(&lock);
    int status = robots_status;
    char *body = robots_body ? strdup(robots_body) : NULL;
    char *loc = robots_location ? strdup(robots_location) : NULL;
    pthread_mutex_unlock(&lock);

    bool real = strcmp(path, "/robots/real.txt") == 0;
    if (!status) {
        kumo_ts_status_page(req, 404);
    } else {
        if (loc && !real)
            evhttp_add_header(evhttp_request_get_output_headers(req), "Location", loc);
        kumo_ts_reply_str(req, real ? 200 : status, "text/plain", body ? body : "",
                          body ? strlen(body) : 0);
    }
    free(body);
    free(loc);
}

const kumo_testroute kumo_routes_robots[] = {
    {"/robots.txt", h_robots},
    {"/robots/real.txt", h_robots},
    {NULL, NULL},
};
