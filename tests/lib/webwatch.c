/* webwatch.c - an in-process crawl watched through its web service by a client thread. */
#include "lib/webwatch.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "Web service listening on http://127.0.0.1:PORT/?token=TOKEN" in the log, within 30 s. */
static bool read_url(kumo_webwatch *w)
{
    static const char mark[] = "Web service listening on http://127.0.0.1:";
    for (double end = mono() + 30; mono() < end; usleep(20000)) {
        FILE *f = fopen(w->logpath, "r");
        char line[4096];
        while (f && fgets(line, sizeof(line), f)) {
            const char *p = strstr(line, mark);
            if (!p)
                continue;
            fclose(f);
            return sscanf(p + sizeof(mark) - 1, "%d/?token=%79[0-9a-zA-Z]", &w->port,
                          w->token) == 2;
        }
        if (f)
            fclose(f);
    }
    return false;
}

typedef struct run {
    kumo_webwatch *w;
    void (*client)(kumo_webwatch *w);
} run;

static void *client_main(void *arg)
{
    run *r = arg;
    if (read_url(r->w))
        r->client(r->w);
    else
        r->w->port = 0;
    return NULL;
}

int kumo_webwatch_run(kumo_testcrawl *t, kumo_webwatch *w, const char *const *kv,
                      const char *const *args, void (*client)(kumo_webwatch *w))
{
    snprintf(w->logpath, sizeof(w->logpath), "/tmp/kumo-webwatch-XXXXXX");
    int fd = mkstemp(w->logpath);
    cr_assert(fd >= 0);
    close(fd);
    const char *all[64];
    size_t n = 0;
    const char *const mine[] = {"WEBSERVICE_ENABLED", "1", "WEBSERVICE_PORT", "0",
                                "LOG_LEVEL", "INFO", "LOG_FILE", w->logpath,
                                "TELNETCONSOLE_ENABLED", "0"};
    for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
        all[n++] = mine[i];
    for (size_t i = 0; kv && kv[i] && n + 3 < 64; i++)
        all[n++] = kv[i];
    all[n] = NULL;
    run r = {w, client};
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, client_main, &r), 0);
    int rc = kumo_testcrawl_run(t, &kumo_test_probe_spider, all, args);
    pthread_join(th, NULL);
    kumo__log_set_file(NULL);
    unlink(w->logpath);
    return rc;
}

int kumo_webwatch_connect(const kumo_webwatch *w)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)w->port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

int kumo_webwatch_http(const kumo_webwatch *w, const char *method, const char *target,
                       const char *const *headers, kumo_webreply *r)
{
    memset(r, 0, sizeof(*r));
    int fd = kumo_webwatch_connect(w);
    if (fd < 0)
        return 0;
    size_t reqcap = 1024 + strlen(target);
    for (size_t i = 0; headers && headers[i]; i++)
        reqcap += strlen(headers[i]) + 2;
    char *req = malloc(reqcap);
    size_t n = (size_t)snprintf(req, reqcap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                                "Connection: close\r\n", method, target, w->port);
    for (size_t i = 0; headers && headers[i]; i++)
        n += (size_t)snprintf(req + n, reqcap - n, "%s\r\n", headers[i]);
    n += (size_t)snprintf(req + n, reqcap - n, "%s\r\n",
                          strcmp(method, "POST") ? "" : "Content-Length: 0\r\n");
    bool sent = send(fd, req, n, MSG_NOSIGNAL) == (ssize_t)n;   /* no SIGPIPE */
    free(req);
    if (!sent) {
        close(fd);
        return 0;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (double end = mono() + 10; mono() < end;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        if (len + 4096 > cap)
            buf = realloc(buf, cap *= 2);
        ssize_t got = read(fd, buf + len, cap - len - 1);
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    buf[len] = '\0';
    char *sep = strstr(buf, "\r\n\r\n");
    if (!sep || sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1) {
        free(buf);
        r->status = 0;
        return 0;
    }
    *sep = '\0';
    r->head = buf;
    r->body = sep + 4;
    r->len = len - (size_t)(r->body - buf);
    return r->status;
}

void kumo_webreply_free(kumo_webreply *r)
{
    free(r->head);      /* the body is in the same block */
    memset(r, 0, sizeof(*r));
}
