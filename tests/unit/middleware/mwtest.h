/* mwtest.h - a hand-made crawler, requests, responses and log capture for middleware tests. */
#ifndef KUMO_MWTEST_H
#define KUMO_MWTEST_H

#include <criterion/criterion.h>
#include <unistd.h>

#include "kumo-int.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/spider.h"
#include "core/stats.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/response.h"
#include "core/chain.h"
#include "middleware/mw.h"
#include "lib/leakcheck.h"

static const kumo_spider_def mwt_def = {
    .name = "mwtest",
    .allowed_domains = KUMO_LIST("example.com", "test.invalid"),
};

/* Give c a running spider for def (allowed domains come from it), or none for NULL. */
static inline void mwt_spider(kumo_crawler *c, const kumo_spider_def *def)
{
    kumo__crawler_set_spider(c, def, NULL);
}

/*
 * Returns a new bare crawler (kumo__crawler_new_bare: no loop, engine or extensions) with
 * default settings plus kv (NAME, VALUE pairs, NULL-terminated) and a spider whose allowed
 * domains are example.com and test.invalid.  mwt_crawler_free() frees it.
 */
static inline kumo_crawler *mwt_crawler(const char *const *kv)
{
    kumo_crawler *c = kumo__crawler_new_bare(kumo__settings_new(), &mwt_def);
    for (size_t i = 0; kv && kv[i]; i += 2) {
        char err[256];
        int rc = kumo__settings_set(kumo__crawler_settings(c), kv[i], kv[i + 1],
                                   KUMO_PRIO_CMDLINE, err, sizeof(err));
        cr_assert_eq(rc, KUMO_OK, "setting %s=%s: %s", kv[i], kv[i + 1], err);
    }
    return c;
}

static inline void mwt_crawler_free(kumo_crawler *c)
{
    mwt_spider(c, NULL);
    kumo_class_cleanup();
    kumo__crawler_free(c);
}

static inline int64_t mwt_stat(kumo_crawler *c, const char *key)
{
    return kumo__stats_get_int(kumo__crawler_stats(c), key, -1);
}

static inline kumo_request *mwt_req(const char *url)
{
    int err;
    kumo_request *r = kumo_request_new(url, NULL, &err);
    cr_assert_not_null(r, "request for %s: %s", url, kumo_strerror(err));
    return r;
}

/* A response to req with status and headers ("Name: value" strings, NULL-terminated). */
static inline kumo_response *mwt_res(kumo_request *req, int status, const char *const *hdrs,
                                     const char *body)
{
    kumo_headers *h = kumo__headers_new();
    for (size_t i = 0; hdrs && hdrs[i]; i++) {
        const char *colon = strchr(hdrs[i], ':');
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)(colon - hdrs[i]), hdrs[i]);
        kumo_headers_add(h, name, colon + 2);
    }
    size_t len = body ? strlen(body) : 0;
    char *b = kumo_alloc(len + 1, KUMO_T_BYTES, KUMO_V_BODY);
    memcpy(b, body ? body : "", len);
    return kumo__response_new(req, req->url, status, h, b, len);
}

/* ---- log capture: the log goes to a file per test process ---- */

static char mwt_log_path[64];
static char mwt_log_buf[16384];

static inline void mwt_log_begin(void)
{
    snprintf(mwt_log_path, sizeof(mwt_log_path), "/tmp/kumo-mwtest-%d.log", (int)getpid());
    unlink(mwt_log_path);
    cr_assert_eq(kumo__log_set_file(mwt_log_path), KUMO_OK);
    kumo__log_set_level(KUMO_LOG_DEBUG);
}

/* Everything logged since mwt_log_begin(); borrowed. */
static inline const char *mwt_log(void)
{
    FILE *f = fopen(mwt_log_path, "r");
    size_t n = f ? fread(mwt_log_buf, 1, sizeof(mwt_log_buf) - 1, f) : 0;
    if (f)
        fclose(f);
    mwt_log_buf[n] = '\0';
    return mwt_log_buf;
}

static inline void mwt_log_end(void)
{
    kumo__log_set_file(NULL);
    unlink(mwt_log_path);
}

/* Asserts the log holds "[logger] LEVEL: text..." (text a prefix of the message). */
#define mwt_assert_logged(logger, level, text)                                      \
    do {                                                                            \
        char want_[8192];                                                           \
        snprintf(want_, sizeof(want_), "[%s] %s: %s", logger, level, text);       \
        cr_assert_not_null(strstr(mwt_log(), want_), "log lacks <%s>; log:\n%s", want_, \
                           mwt_log());                                              \
    } while (0)

#endif
