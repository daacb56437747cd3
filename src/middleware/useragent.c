/* useragent.c - the UserAgent downloader middleware: User-Agent from USER_AGENT by default. */
#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"

static int ua_open(kumo_crawler *c, void **self)
{
    const char *ua = kumo_crawler_setting(c, "USER_AGENT");
    *self = ua && *ua ? kumo_strdup(ua, KUMO_T_STR, KUMO_V_DICT) : NULL;
    return KUMO_OK;
}

static void ua_close(void *self, kumo_crawler *c)
{
    (void)c;
    kumo_free(self);
}

static int ua_request(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                      kumo_request **next)
{
    (void)c, (void)res, (void)next;
    kumo_headers *h = kumo_request_headers(req);
    if (self && !kumo_headers_get(h, "User-Agent"))
        kumo_headers_add(h, "User-Agent", self);
    return KUMO_OK;
}

const kumo_dlmw_def kumo__dlmw_useragent = {
    KUMO_DLMW_HEADER,
    .name = "UserAgent",
    .order = 500,
    .open = ua_open,
    .close = ua_close,
    .process_request = ua_request,
};
