/* downloader_config.c - what the downloader is told, read from the crawl's settings: the
 * downloader (http) never reads a setting or sends a signal itself. */
#include "core/downloader_config.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/signals.h"

/* Scrapy's response_downloaded signal, sent for the downloader. */
static void downloaded(void *arg, kumo_response *res)
{
    kumo_crawler *c = arg;
    kumo__signal_send(kumo__crawler_signals(c), c, KUMO_SIG_RESPONSE_DOWNLOADED, res);
}

int kumo__downloader_config(kumo_crawler *c, kumo_downloader_config *cfg, char *err,
                            size_t errlen)
{
    const kumo_settings *st = kumo__crawler_settings(c);
    memset(cfg, 0, sizeof(*cfg));
    cfg->base = kumo__crawler_base(c);
    cfg->concurrency = (size_t)KUMO_MAX(1, kumo__settings_int(st, "CONCURRENT_REQUESTS"));
    int64_t per_ip = kumo__settings_int(st, "CONCURRENT_REQUESTS_PER_IP");
    cfg->per_ip = per_ip > 0;
    cfg->slot_concurrency = (size_t)KUMO_MAX(
        1, cfg->per_ip ? per_ip : kumo__settings_int(st, "CONCURRENT_REQUESTS_PER_DOMAIN"));
    cfg->delay = KUMO_MAX(0.0, kumo__settings_float(st, "DOWNLOAD_DELAY"));
    /* AutoThrottle's start delay is every new slot's delay (Scrapy: spider.download_delay) */
    if (kumo__settings_bool(st, "AUTOTHROTTLE_ENABLED") &&
        kumo__settings_float(st, "AUTOTHROTTLE_TARGET_CONCURRENCY") > 0)
        cfg->delay =
            KUMO_MAX(cfg->delay, kumo__settings_float(st, "AUTOTHROTTLE_START_DELAY"));
    cfg->randomize = kumo__settings_bool(st, "RANDOMIZE_DOWNLOAD_DELAY");
    cfg->timeout = kumo__settings_float(st, "DOWNLOAD_TIMEOUT");
    cfg->maxsize = (size_t)KUMO_MAX(0, kumo__settings_int(st, "DOWNLOAD_MAXSIZE"));
    cfg->warnsize = (size_t)KUMO_MAX(0, kumo__settings_int(st, "DOWNLOAD_WARNSIZE"));
    cfg->downloaded = downloaded;
    cfg->downloaded_arg = c;

    cfg->resolve = (const char *const *)kumo__settings_list_dup(st, "DNS_RESOLVE", &cfg->nresolve);
    return kumo__downloader_check_resolve(cfg->resolve, cfg->nresolve, err, errlen);
}

void kumo__downloader_config_release(kumo_downloader_config *cfg)
{
    kumo__settings_list_free((char **)cfg->resolve, cfg->nresolve);
    cfg->resolve = NULL;
    cfg->nresolve = 0;
}
