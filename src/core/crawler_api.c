/* crawler_api.c - what plugin components may ask of the running crawl (kumo/plugin.h). */
#include "core/crawler.h"
#include "core/engine.h"
#include "core/registry.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/stats.h"
#include "http/downloader.h"

#include <math.h>

/* The raw value of name, checked as the public getters promise: a built-in or a set name
 * for strict, a name that is not built-in for the _or getters. */
static const char *setting_raw(kumo_crawler *c, const char *name, bool strict)
{
    kumo_assert(c && name);
    const char *v = kumo__settings_get(kumo__crawler_settings(c), name);
    bool builtin = kumo__setting_info_find(name) != NULL;
    if (strict && !builtin && !v)
        fprintf(stderr, "kumo: setting '%s' is neither built-in nor set\n", name);
    if (!strict && builtin)
        fprintf(stderr, "kumo: setting '%s' is built-in: its default is kumo's\n", name);
    kumo_assert(strict ? builtin || v : !builtin);
    return v;
}

static int64_t parse_int(const char *v, int64_t def)
{
    if (!v || !*v)
        return def;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    return *end || errno ? def : (int64_t)n;
}

static double parse_float(const char *v, double def)
{
    if (!v || !*v)
        return def;
    char *end;
    errno = 0;
    double f = strtod(v, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    return *end || errno || isnan(f) ? def : f;
}

static bool parse_bool(const char *v, bool def)
{
    static const char *const yes[] = {"1", "true", "True", "TRUE", "yes", "on"};
    static const char *const no[] = {"0", "false", "False", "FALSE", "no", "off"};
    for (size_t i = 0; v && i < KUMO_ARRAY_LEN(yes); i++)
        if (strcmp(v, yes[i]) == 0)
            return true;
    for (size_t i = 0; v && i < KUMO_ARRAY_LEN(no); i++)
        if (strcmp(v, no[i]) == 0)
            return false;
    return def;
}

const char *kumo_crawler_setting(kumo_crawler *c, const char *name)
{
    return setting_raw(c, name, true);
}

int64_t kumo_crawler_setting_int(kumo_crawler *c, const char *name)
{
    return parse_int(setting_raw(c, name, true), 0);
}

double kumo_crawler_setting_float(kumo_crawler *c, const char *name)
{
    return parse_float(setting_raw(c, name, true), 0);
}

bool kumo_crawler_setting_bool(kumo_crawler *c, const char *name)
{
    return parse_bool(setting_raw(c, name, true), false);
}

const char *kumo_crawler_setting_or(kumo_crawler *c, const char *name, const char *def)
{
    const char *v = setting_raw(c, name, false);
    return v ? v : def;
}

int64_t kumo_crawler_setting_int_or(kumo_crawler *c, const char *name, int64_t def)
{
    return parse_int(setting_raw(c, name, false), def);
}

double kumo_crawler_setting_float_or(kumo_crawler *c, const char *name, double def)
{
    return parse_float(setting_raw(c, name, false), def);
}

bool kumo_crawler_setting_bool_or(kumo_crawler *c, const char *name, bool def)
{
    return parse_bool(setting_raw(c, name, false), def);
}

size_t kumo_crawler_setting_list(kumo_crawler *c, const char *name, char **out, size_t max)
{
    setting_raw(c, name, true);
    return kumo__settings_list(kumo__crawler_settings(c), name, out, max);
}

int kumo_crawler_setting_dict_order(kumo_crawler *c, const char *setting, const char *name,
                                    int *order, bool *disabled)
{
    setting_raw(c, setting, true);
    return kumo__settings_dict_order(kumo__crawler_settings(c), setting, name, order, disabled);
}

void kumo_crawler_stats_inc(kumo_crawler *c, const char *key, int64_t n)
{
    kumo__stats_inc(kumo__crawler_stats(c), key, n);
}

void kumo_crawler_stats_incf(kumo_crawler *c, int64_t n, const char *fmt, ...)
{
    char key[256];         /* as kumo__stats_incf */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(key, sizeof(key), fmt, ap);
    va_end(ap);
    kumo__stats_inc(kumo__crawler_stats(c), key, n);
}

void kumo_crawler_stats_set_int(kumo_crawler *c, const char *key, int64_t v)
{
    kumo__stats_set_int(kumo__crawler_stats(c), key, v);
}

void kumo_crawler_stats_set_float(kumo_crawler *c, const char *key, double v)
{
    kumo__stats_set_float(kumo__crawler_stats(c), key, v);
}

void kumo_crawler_stats_set_str(kumo_crawler *c, const char *key, const char *v)
{
    kumo__stats_set_str(kumo__crawler_stats(c), key, v ? v : "");
}

void kumo_crawler_stats_max(kumo_crawler *c, const char *key, int64_t v)
{
    kumo__stats_max(kumo__crawler_stats(c), key, v);
}

void kumo_crawler_stats_min(kumo_crawler *c, const char *key, int64_t v)
{
    kumo__stats_min(kumo__crawler_stats(c), key, v);
}

int64_t kumo_crawler_stats_get_int(kumo_crawler *c, const char *key, int64_t def)
{
    return kumo__stats_get_int(kumo__crawler_stats(c), key, def);
}

const kumo_value *kumo_crawler_stats_get(kumo_crawler *c, const char *key)
{
    return kumo__stats_get(kumo__crawler_stats(c), key);
}

void kumo_crawler_log(kumo_crawler *c, const char *logger, const char *level,
                      const char *fmt, ...)
{
    kumo_loglevel lv = KUMO_LOG_INFO;
    if (level && kumo__log_level_parse(level, &lv) != KUMO_OK)
        lv = KUMO_LOG_INFO;
    va_list ap;
    va_start(ap, fmt);
    kumo__vlog(logger && *logger ? logger : "kumo.plugin", lv, fmt, ap);
    va_end(ap);
}

int kumo_crawler_crawl(kumo_crawler *c, kumo_request *req)
{
    if (!req)
        return KUMO_EINVAL;
    kumo_engine *e = kumo__crawler_engine(c);
    if (!e || kumo__engine_closing(e) || kumo__engine_closed(e)) {
        kumo_request_unref(req);
        return KUMO_ECANCELED;
    }
    kumo__engine_crawl(e, req);
    return KUMO_OK;
}

void kumo_crawler_download(kumo_crawler *c, kumo_request *req, kumo_download_fn done,
                           void *ctx)
{
    kumo_engine *e = kumo__crawler_engine(c);
    if (!e) {
        done(ctx, req, NULL, KUMO_ECANCELED);
        kumo_request_unref(req);
        return;
    }
    kumo__engine_download(e, req, done, ctx);
}

void kumo_crawler_resume(kumo_crawler *c, kumo_request *req, bool go)
{
    kumo__engine_resume(kumo__crawler_engine(c), req, go);
}

int kumo_crawler_item_resume(kumo_crawler *c, kumo_item *item, int rc)
{
    kumo_engine *e = kumo__crawler_engine(c);
    return e ? kumo__engine_item_resume(e, item, rc) : KUMO_ENOENT;
}

void kumo_crawler_close_spider(kumo_crawler *c, const char *reason)
{
    kumo_engine *e = kumo__crawler_engine(c);
    if (e)
        kumo__engine_close(e, reason && *reason ? reason : "cancelled");
}

double kumo_crawler_start_time(kumo_crawler *c)
{
    return kumo__crawler_start_time(c);
}

bool kumo_crawler_resumed(kumo_crawler *c)
{
    const kumo_job_hooks *job = kumo__job_hooks();
    return job && job->resumed && job->resumed(c);
}

size_t kumo_crawler_scheduled(kumo_crawler *c)
{
    kumo_engine_status st = {0};
    if (kumo__crawler_engine(c))
        kumo__engine_status_get(kumo__crawler_engine(c), &st);
    return st.scheduler_len;
}

size_t kumo_crawler_downloading(kumo_crawler *c)
{
    kumo_engine_status st = {0};
    if (kumo__crawler_engine(c))
        kumo__engine_status_get(kumo__crawler_engine(c), &st);
    return st.downloader_active;
}

/* The crawl's downloader, NULL before the engine is built.  Borrowed. */
static kumo_downloader *downloader_of(kumo_crawler *c)
{
    kumo_engine *e = kumo__crawler_engine(c);
    return e ? kumo__engine_downloader(e) : NULL;
}

double kumo_crawler_slot_delay(kumo_crawler *c, const char *slot)
{
    kumo_downloader *dl = downloader_of(c);
    return dl && slot ? kumo__downloader_slot_delay(dl, slot) : -1;
}

int kumo_crawler_set_slot_delay(kumo_crawler *c, const char *slot, double delay)
{
    kumo_downloader *dl = downloader_of(c);
    return dl && slot ? kumo__downloader_set_slot_delay(dl, slot, delay) : KUMO_ENOENT;
}

size_t kumo_crawler_slot_transferring(kumo_crawler *c, const char *slot)
{
    kumo_downloader *dl = downloader_of(c);
    return dl && slot ? kumo__downloader_slot_transferring(dl, slot) : 0;
}

/* The public signals, in kumo_crawler_signal order. */
static const kumo_signal signal_map[] = {
    KUMO_SIG_SPIDER_OPENED,     KUMO_SIG_SPIDER_IDLE,      KUMO_SIG_SPIDER_CLOSED,
    KUMO_SIG_REQUEST_SCHEDULED, KUMO_SIG_REQUEST_DROPPED,  KUMO_SIG_RESPONSE_RECEIVED,
    KUMO_SIG_ITEM_SCRAPED,      KUMO_SIG_ITEM_DROPPED,     KUMO_SIG_SPIDER_ERROR,
    KUMO_SIG_REQUEST_PROCESSED, KUMO_SIG_RESPONSE_DOWNLOADED,
};
_Static_assert(KUMO_ARRAY_LEN(signal_map) == KUMO_SIGNAL_COUNT,
               "every public signal maps to an internal one");

int kumo_crawler_connect(kumo_crawler *c, kumo_crawler_signal sig, kumo_crawler_signal_fn fn,
                         void *ctx)
{
    if (!c || !fn || (unsigned)sig >= KUMO_SIGNAL_COUNT)
        return KUMO_EINVAL;
    kumo__signal_connect(kumo__crawler_signals(c), signal_map[sig], fn, ctx);
    return KUMO_OK;
}
