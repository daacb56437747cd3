/* retry.c - the Retry downloader middleware: retry RETRY_HTTP_CODES and connection errors. */
#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/stats.h"
#include "http/request.h"
#include "http/response.h"
#include "http/status.h"

#define LOGGER "kumo.downloadermiddlewares.retry"
#define MAX_CODES 64

typedef struct retry {
    int64_t max_retry_times;
    int64_t priority_adjust;
    size_t ncodes;
    int codes[MAX_CODES];
} retry;

static int retry_open(kumo_crawler *c, void **self)
{
    if (!kumo_crawler_setting_bool(c, "RETRY_ENABLED"))
        return KUMO_EDECLINED;
    retry *r = kumo_calloc(1, sizeof(*r), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    r->max_retry_times = kumo_crawler_setting_int(c, "RETRY_TIMES");
    r->priority_adjust = kumo_crawler_setting_int(c, "RETRY_PRIORITY_ADJUST");
    char *codes[MAX_CODES];
    size_t n = kumo_crawler_setting_list(c, "RETRY_HTTP_CODES", codes, MAX_CODES);
    n = KUMO_MIN(n, (size_t)MAX_CODES);
    for (size_t i = 0; i < n; i++) {
        char *end;
        long v = strtol(codes[i], &end, 10);
        if (*end == '\0' && end != codes[i])
            r->codes[r->ncodes++] = (int)v;
        else
            KUMO_WARN(LOGGER, "ignoring RETRY_HTTP_CODES entry '%s': not an integer", codes[i]);
        kumo_free(codes[i]);
    }
    *self = r;
    return KUMO_OK;
}

static void retry_close(void *self, kumo_crawler *c)
{
    (void)c;
    kumo_free(self);
}

/* Retry req for reason (stats key stat_reason): a new request, or NULL when exhausted. */
static kumo_request *get_retry_request(const retry *r, kumo_crawler *c, kumo_request *req,
                                       const char *reason, const char *stat_reason)
{
    kumo_map *meta = kumo_request_meta(req);
    int64_t retry_times = kumo_map_get_int(meta, "retry_times", 0) + 1;
    int64_t max_times = r->max_retry_times;
    const kumo_value *mv = kumo_map_get(meta, "max_retry_times");
    if (mv && (mv->type == KUMO_VAL_INT || mv->type == KUMO_VAL_FLOAT))
        max_times = kumo_map_get_int(meta, "max_retry_times", max_times);
    if (retry_times <= max_times) {
        KUMO_DEBUG(LOGGER, "Retrying <%s %s> (failed %lld times): %s", req->method, req->url,
                   (long long)retry_times, reason);
        kumo_request *nr = kumo__request_copy(req);
        kumo_map_set(kumo_request_meta(nr), "retry_times", kumo_val_int(retry_times));
        nr->dont_filter = true;
        int64_t adjust = kumo_map_get_int(meta, "priority_adjust", r->priority_adjust);
        nr->priority = (int)(req->priority + adjust);
        kumo_crawler_stats_inc(c, "retry/count", 1);
        kumo_crawler_stats_incf(c, 1, "retry/reason_count/%s", stat_reason);
        return nr;
    }
    kumo_crawler_stats_inc(c, "retry/max_reached", 1);
    KUMO_ERROR(LOGGER, "Gave up retrying <%s %s> (failed %lld times): %s", req->method,
               req->url, (long long)retry_times, reason);
    return NULL;
}

static int retry_response(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                          kumo_request **next)
{
    const retry *r = self;
    if (kumo__meta_true(kumo_request_meta(req), "dont_retry"))
        return KUMO_OK;
    int status = (*res)->status;
    for (size_t i = 0; i < r->ncodes; i++) {
        if (r->codes[i] != status)
            continue;
        char reason[96];
        kumo__http_status_message(status, reason, sizeof(reason));
        *next = get_retry_request(r, c, req, reason, reason);
        return *next ? KUMO_EDONE : KUMO_OK;
    }
    return KUMO_OK;
}

static bool retryable(int err)
{
    switch (err) {
    case KUMO_ETIMEDOUT:
    case KUMO_ECONNREFUSED:
    case KUMO_EDNS:
    case KUMO_ECONN:
    case KUMO_EPROTO:
        return true;
    default:
        return false;
    }
}

static int retry_exception(void *self, kumo_crawler *c, kumo_request *req, int err,
                           kumo_response **res, kumo_request **next)
{
    (void)res;
    if (!retryable(err) || kumo__meta_true(kumo_request_meta(req), "dont_retry"))
        return KUMO_EDECLINED;
    char reason[512];
    kumo__exception_str(err, req, NULL, reason, sizeof(reason));
    *next = get_retry_request(self, c, req, reason, kumo__exception_name(err));
    return *next ? KUMO_EDONE : KUMO_EDECLINED;
}

const kumo_dlmw_def kumo__dlmw_retry = {
    KUMO_DLMW_HEADER,
    .name = "Retry",
    .order = 550,
    .open = retry_open,
    .close = retry_close,
    .process_response = retry_response,
    .process_exception = retry_exception,
};
