/* downloadtimeout.c - the DownloadTimeout downloader middleware: meta download_timeout. */
#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"

typedef struct dt {
    double timeout;
} dt;

static int dt_open(kumo_crawler *c, void **self)
{
    dt *d = kumo_calloc(1, sizeof(*d), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    d->timeout = kumo_crawler_setting_float(c, "DOWNLOAD_TIMEOUT");
    *self = d;
    return KUMO_OK;
}

static void dt_close(void *self, kumo_crawler *c)
{
    (void)c;
    kumo_free(self);
}

static int dt_request(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                      kumo_request **next)
{
    (void)c, (void)res, (void)next;
    const dt *d = self;
    kumo_map *meta = kumo_request_meta(req);
    if (d->timeout != 0.0 && !kumo_map_get(meta, "download_timeout"))
        kumo_map_set(meta, "download_timeout", kumo_val_float(d->timeout));
    return KUMO_OK;
}

const kumo_dlmw_def kumo__dlmw_downloadtimeout = {
    KUMO_DLMW_HEADER,
    .name = "DownloadTimeout",
    .order = 350,
    .open = dt_open,
    .close = dt_close,
    .process_request = dt_request,
};
