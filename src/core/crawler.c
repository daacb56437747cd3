/* crawler.c - one crawl: settings, stats, signals, spider, engine, extensions, loop. */
#include "core/crawler.h"
#include "core/engine.h"
#include "core/plugin.h"
#include "core/registry.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/spider.h"
#include "core/stats.h"

#include <signal.h>
#include <event2/event.h>

#define LOGGER "kumo.crawler"

struct kumo_ext_slot {
    const kumo_ext_def *def;
    void *self;
};

struct kumo_crawler {
    kumo_settings *settings;        /* owned */
    kumo_stats *stats;              /* owned */
    struct event_base *base;        /* owned unless borrowed_base */
    bool borrowed_base;             /* base given by kumo__crawler_set_base() */
    const kumo_spider_def *def;     /* borrowed: the plugin stays loaded */
    kumo_spider *spider;            /* owned: the running Spider object */
    kumo_engine *engine;            /* owned */
    double start_time;              /* kumo_now() at open */
    struct kumo_signals *signals;   /* owned */
    struct kumo_ext_slot *exts;     /* owned: open extensions */
    size_t nexts;
    struct event *sigint;           /* owned */
    int sigints;
};

kumo_settings *kumo__crawler_settings(kumo_crawler *c)
{
    return c->settings;
}

kumo_stats *kumo__crawler_stats(kumo_crawler *c)
{
    return c->stats;
}

struct kumo_signals *kumo__crawler_signals(kumo_crawler *c)
{
    return c->signals;
}

kumo_engine *kumo__crawler_engine(kumo_crawler *c)
{
    return c->engine;
}

const kumo_spider_def *kumo__crawler_def(kumo_crawler *c)
{
    return c->def;
}

double kumo__crawler_start_time(kumo_crawler *c)
{
    return c->start_time;
}

void kumo__crawler_set_start_time(kumo_crawler *c, double t)
{
    c->start_time = t;
}

struct event_base *kumo__crawler_base(kumo_crawler *c)
{
    return c->base;
}

struct event_base *kumo_crawler_event_base(kumo_crawler *c)
{
    return c->base;
}

kumo_spider *kumo_crawler_spider(kumo_crawler *c)
{
    return c->spider;
}

kumo_crawler *kumo__crawler_new_bare(kumo_settings *settings, const kumo_spider_def *def)
{
    kumo_crawler *c = kumo_calloc(1, sizeof(*c), KUMO_T_OTHER, KUMO_V_NONE);
    c->settings = settings ? settings : kumo__settings_new();
    c->stats = kumo__stats_new();
    c->signals = kumo__signals_new();
    kumo__crawler_set_spider(c, def, NULL);
    return c;
}

void kumo__crawler_set_spider(kumo_crawler *c, const kumo_spider_def *def,
                              const kumo_map *args)
{
    kumo__spider_free(c->spider);
    c->spider = NULL;
    c->def = def;
    if (def)
        c->spider = kumo__spider_new(def, c, args);
}

void kumo__crawler_set_base(kumo_crawler *c, struct event_base *base)
{
    kumo_assert(!c->base && !c->engine);
    c->base = base;
    c->borrowed_base = true;
}

int kumo__crawler_open_engine(kumo_crawler *c, char *err, size_t errlen)
{
    kumo_assert(c->base && !c->engine);
    c->engine = kumo__engine_new(c, err, errlen);
    return c->engine ? KUMO_OK : KUMO_EINVAL;
}

static int apply_spider_settings(kumo_crawler *c, char *err, size_t errlen)
{
    for (const kumo_setting *s = c->def->settings; s && s->name; s++)
        if (kumo__settings_set(c->settings, s->name, s->value, KUMO_PRIO_SPIDER, err, errlen))
            return KUMO_EINVAL;
    return KUMO_OK;
}

static int apply_log_settings(kumo_crawler *c, char *err, size_t errlen)
{
    kumo_loglevel level = KUMO_LOG_DEBUG;
    const char *name = kumo__settings_get(c->settings, "LOG_LEVEL");
    if (name && kumo__log_level_parse(name, &level) != KUMO_OK) {
        snprintf(err, errlen, "invalid value '%s' for LOG_LEVEL: expected DEBUG, INFO, "
                 "WARNING, ERROR or CRITICAL", name);
        return KUMO_EINVAL;
    }
    if (!kumo__settings_bool(c->settings, "LOG_ENABLED"))
        level = KUMO_LOG_CRITICAL + 1;
    kumo__log_set_level(level);
    const char *file = kumo__settings_get(c->settings, "LOG_FILE");
    if (file && *file && kumo__log_set_file(file) != KUMO_OK) {
        snprintf(err, errlen, "cannot open log file '%s': %s", file, strerror(errno));
        return KUMO_EIO;
    }
    return KUMO_OK;
}

/*
 * The built-in extensions then the spider's own, ordered by EXTENSIONS (every built-in is
 * at order 0 as in Scrapy's EXTENSIONS_BASE, and so is a plugin's: kumo_ext_def has no
 * order), opened in that order; those that decline stay out.
 */
static int open_extensions(kumo_crawler *c, char *err, size_t errlen)
{
    const kumo_ext_def *const *own = c->def ? c->def->extensions : NULL;
    size_t nown = 0;
    while (own && own[nown])
        nown++;
    const kumo_ext_def *const *builtin =
        (const kumo_ext_def *const *)kumo__registered(KUMO_REG_EXT);
    size_t nbuiltin = kumo__registered_len(KUMO_REG_EXT);
    size_t n = nbuiltin + nown;
    for (size_t i = 0; i < n; i++) {    /* the ABI header first, as kumo__chains_open does */
        const char *where = i < nbuiltin ? "kumo" : c->def->name ? c->def->name : "?";
        int rc = kumo__ext_def_check(i < nbuiltin ? builtin[i] : own[i - nbuiltin], where, err,
                                     errlen);
        if (rc != KUMO_OK)
            return rc;
    }
    kumo_component *cands = kumo_calloc(n ? n : 1, sizeof(*cands), KUMO_T_OTHER, KUMO_V_NONE);
    for (size_t i = 0; i < n; i++) {
        const kumo_ext_def *d = i < nbuiltin ? builtin[i] : own[i - nbuiltin];
        cands[i] = (kumo_component){d->name ? d->name : "", 0, d, i};
    }
    int rc = kumo__components_build(c->settings, "EXTENSIONS", "extension", cands, &n, err,
                                   errlen);
    c->exts = kumo_calloc(n ? n : 1, sizeof(*c->exts), KUMO_T_OTHER, KUMO_V_NONE);
    for (size_t i = 0; rc == KUMO_OK && i < n; i++) {
        const kumo_ext_def *d = cands[i].def;
        void *self = NULL;
        if (errlen)
            err[0] = '\0';
        int orc = d->open ? d->open(c, &self, err, errlen) : KUMO_OK;
        if (orc == KUMO_EDECLINED)
            continue;
        if (orc != KUMO_OK) {
            if (errlen && !err[0])
                snprintf(err, errlen, "cannot open extension '%s': %s", d->name,
                         kumo_strerror(orc));
            rc = orc;
            break;
        }
        c->exts[c->nexts++] = (struct kumo_ext_slot){d, self};
    }
    kumo_free(cands);
    return rc;
}

kumo_crawler *kumo__crawler_new(const kumo_spider_def *def, kumo_settings *settings,
                               const kumo_map *args, char *err, size_t errlen)
{
    kumo_crawler *c = kumo_calloc(1, sizeof(*c), KUMO_T_OTHER, KUMO_V_NONE);
    c->def = def;
    c->settings = settings;
    c->stats = kumo__stats_new();
    c->signals = kumo__signals_new();
    c->base = event_base_new();
    if (!c->base) {
        snprintf(err, errlen, "cannot create the event loop");
        goto fail;
    }
    if (apply_spider_settings(c, err, errlen) || apply_log_settings(c, err, errlen))
        goto fail;
    c->spider = kumo__spider_new(def, c, args);
    const kumo_job_hooks *job = kumo__job_hooks();
    if (job && job->open(c, err, errlen) != KUMO_OK)    /* JOBDIR: stats and state return */
        goto fail;
    if (open_extensions(c, err, errlen) != KUMO_OK)
        goto fail;
    c->engine = kumo__engine_new(c, err, errlen);
    if (!c->engine)
        goto fail;
    return c;
fail:
    kumo__crawler_free(c);
    return NULL;
}

static void on_sigint(evutil_socket_t fd, short what, void *arg)
{
    kumo_crawler *c = arg;
    if (c->sigints++ == 0) {
        KUMO_INFO(LOGGER, "Received SIGINT, shutting down gracefully. Send again to force ");
        kumo__engine_close(c->engine, "shutdown");
    } else {
        KUMO_INFO(LOGGER, "Received SIGINT twice, forcing unclean shutdown");
        kumo__engine_close_now(c->engine, "shutdown");
    }
}

int kumo__crawler_run(kumo_crawler *c)
{
    c->start_time = kumo_now();
    c->sigint = evsignal_new(c->base, SIGINT, on_sigint, c);
    evsignal_add(c->sigint, NULL);
    kumo__engine_open(c->engine);
    event_base_dispatch(c->base);
    evsignal_del(c->sigint);
    if (!kumo__engine_closed(c->engine))
        return KUMO_EIO;
    return kumo__engine_start_error(c->engine);
}

const char *kumo__crawler_finish_reason(const kumo_crawler *c)
{
    const kumo_value *v = kumo__stats_get(c->stats, "finish_reason");
    if (v && v->type == KUMO_VAL_STR)
        return v->u.str.s;
    return c->engine && kumo__engine_closed(c->engine) ? kumo__engine_reason(c->engine) : NULL;
}

void kumo__crawler_free(kumo_crawler *c)
{
    if (!c)
        return;
    kumo__engine_free(c->engine);
    if (kumo__job_hooks())
        kumo__job_hooks()->close(c);    /* after the scheduler's last checkpoint */
    for (size_t i = c->nexts; i-- > 0;)
        if (c->exts[i].def->close)
            c->exts[i].def->close(c->exts[i].self, c);
    kumo_free(c->exts);
    kumo__spider_free(c->spider);
    if (c->sigint)
        event_free(c->sigint);
    if (c->base && !c->borrowed_base)
        event_base_free(c->base);
    kumo__signals_free(c->signals);
    kumo__stats_free(c->stats);
    kumo__settings_free(c->settings);
    kumo_free(c);
}
