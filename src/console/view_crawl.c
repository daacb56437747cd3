/* view_crawl.c - console views of the crawl: the spider, the engine (and est()), the
 * stats, the settings and the crawler, as namespace names. */
#include "console/view_crawl.h"
#include "console/str.h"
#include "core/crawler.h"
#include "core/engine.h"
#include "core/settings.h"
#include "core/spider.h"
#include "core/stats.h"
#include "redis/cluster_stats.h"

/* ---------------------------------------------------------------- Spider */

static cval *str_list(cv_ctx *c, const char *const *v)
{
    cval *l = cv_list_new();
    for (size_t i = 0; v && v[i]; i++)
        if (cv_seq_push(c, l, cv_str(v[i]))) {
            cv_unref(l);
            return NULL;
        }
    return l;
}

static cval *spider_getattr(cv_ctx *c, cval *self, const char *name)
{
    kumo_spider *sp = (kumo_spider *)co_tref_obj(c, self);
    if (!sp)
        return NULL;
    if (!strcmp(name, "name"))
        return cv_str(kumo_spider_name(sp));
    if (!strcmp(name, "state"))
        return co_from_map(c, &sp->state);
    if (!strcmp(name, "start_urls"))
        return str_list(c, sp->def->start_urls);
    if (!strcmp(name, "allowed_domains"))
        return str_list(c, (const char *const *)sp->allowed);
    if (!strcmp(name, "crawler") && sp->c)
        return co_crawler(c);
    if (!strcmp(name, "settings") && sp->c)
        return co_settings(c);
    return NULL;
}

static int spider_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    co_tref *t = self->u.nat.p;
    kumo_spider *sp = (kumo_spider *)co_tref_obj(c, self);
    if (!sp) {
        if (c)
            c->etype = NULL;
        return cv_writef(c, b, "<%s (closed) at %p>", t->cls_name, (void *)t->obj);
    }
    int rc = cv_writef(c, b, "<%s ", t->cls_name);
    if (!rc)
        rc = cv_repr_str(c, b, kumo_spider_name(sp), strlen(kumo_spider_name(sp)));
    return rc ? rc : cv_writef(c, b, " at %p>", (void *)sp);
}

static const char *const spider_attrs[] = {"allowed_domains", "crawler", "name", "settings",
                                           "start_urls", "state", NULL};
static const cv_vtable spider_vt = {
    .name = "Spider", .getattr = spider_getattr, .repr = spider_repr, .attrs = spider_attrs,
    CO_TREF_SLOTS,
};

/* ---------------------------------------------------------------- the crawl */

static cval *no_crawl(cv_ctx *c)
{
    return cv_raise(c, "RuntimeError", "no crawl is running");
}

static kumo_crawler *crawler_of(cval *self)
{
    return self->u.nat.p;
}

/* ---- engine ---- */

static cval *m_pause(cv_ctx *c, cval *self, const cv_args *a)
{
    if (co_no_args(c, "pause", a))
        return NULL;
    kumo__engine_pause(kumo__crawler_engine(crawler_of(self)));
    return cv_none();
}

static cval *m_unpause(cv_ctx *c, cval *self, const cv_args *a)
{
    if (co_no_args(c, "unpause", a))
        return NULL;
    kumo__engine_unpause(kumo__crawler_engine(crawler_of(self)));
    return cv_none();
}

static cval *m_stop(cv_ctx *c, cval *self, const cv_args *a)
{
    if (co_no_args(c, "stop", a))
        return NULL;
    kumo__engine_close(kumo__crawler_engine(crawler_of(self)), "shutdown");
    return cv_none();
}

static cval *engine_getattr(cv_ctx *c, cval *self, const char *name)
{
    kumo_engine *e = kumo__crawler_engine(crawler_of(self));
    CO_METHOD("pause", m_pause);
    CO_METHOD("unpause", m_unpause);
    CO_METHOD("stop", m_stop);
    if (!strcmp(name, "paused"))
        return cv_bool(kumo__engine_paused(e));
    if (!strcmp(name, "running"))
        return cv_bool(!kumo__engine_closed(e) && !kumo__engine_closing(e));
    if (!strcmp(name, "spider"))
        return co_spider(c);
    if (!strcmp(name, "start_time"))
        return cv_float(kumo__crawler_start_time(crawler_of(self)));
    return NULL;
}

static int engine_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writef(c, b, "<kumo.core.engine.ExecutionEngine object at %p>",
                     (void *)kumo__crawler_engine(crawler_of(self)));
}

static const char *const engine_attrs[] = {"pause", "paused", "running", "spider", "start_time",
                                           "stop", "unpause", NULL};
static const cv_vtable engine_vt = {
    .name = "ExecutionEngine", .getattr = engine_getattr, .repr = engine_repr,
    .attrs = engine_attrs,
};

cval *co_engine(cv_ctx *c)
{
    if (!c->crawler || !kumo__crawler_engine(c->crawler))
        return no_crawl(c);
    return cv_native(&engine_vt, c->crawler, NULL);
}

/* ---- stats ---- */

static cval *m_get_value(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"key", "default"};
    cval *arg[2];
    if (cv_args_parse(c, "get_value", a, names, 2, 1, arg))
        return NULL;
    const char *key = cv_arg_str(c, "get_value", arg[0]);
    if (!key)
        return NULL;
    const kumo_value *v = kumo__stats_get(kumo__crawler_stats(crawler_of(self)), key);
    if (!v)
        return cv_ref(arg[1] ? arg[1] : cv_none());
    return co_from_value(c, v);
}

static cval *m_get_stats(cv_ctx *c, cval *self, const cv_args *a)
{
    if (co_no_args(c, "get_stats", a))
        return NULL;
    return co_from_map(c, kumo__stats_map(kumo__crawler_stats(crawler_of(self))));
}

static cval *stats_getattr(cv_ctx *c, cval *self, const char *name)
{
    CO_METHOD("get_value", m_get_value);
    CO_METHOD("get_stats", m_get_stats);
    return NULL;
}

static int stats_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writef(c, b, "<kumo.statscollectors.MemoryStatsCollector object at %p>",
                     (void *)kumo__crawler_stats(crawler_of(self)));
}

static const char *const stats_attrs[] = {"get_stats", "get_value", NULL};
static const cv_vtable stats_vt = {
    .name = "MemoryStatsCollector", .getattr = stats_getattr, .repr = stats_repr,
    .attrs = stats_attrs,
};

cval *co_stats(cv_ctx *c)
{
    if (!c->crawler || !kumo__crawler_stats(c->crawler))
        return no_crawl(c);
    return cv_native(&stats_vt, c->crawler, NULL);
}

/* ---- settings ---- */

static const kumo_setting_info *setting_info(const char *name)
{
    for (const kumo_setting_info *i = kumo__setting_infos; i->name; i++)
        if (!strcmp(i->name, name))
            return i;
    return NULL;
}

/* The setting as Scrapy's settings[name] gives it: typed, or None when unset. */
static cval *setting_value(cv_ctx *c, kumo_settings *s, const char *name)
{
    const char *raw = kumo__settings_get(s, name);
    if (!raw)
        return cv_none();
    const kumo_setting_info *info = setting_info(name);
    switch (info ? info->type : KUMO_SET_STR) {
    case KUMO_SET_INT:
        return cv_int(kumo__settings_int(s, name));
    case KUMO_SET_FLOAT:
        return cv_float(kumo__settings_float(s, name));
    case KUMO_SET_BOOL:
        return cv_bool(kumo__settings_bool(s, name));
    case KUMO_SET_LIST: {
        char *items[256];
        size_t n = kumo__settings_list(s, name, items, KUMO_ARRAY_LEN(items));
        cval *l = cv_list_new();
        int rc = KUMO_OK;
        for (size_t i = 0; i < KUMO_MIN(n, KUMO_ARRAY_LEN(items)); i++) {
            if (!rc)
                rc = cv_seq_push(c, l, cv_str(items[i]));
            kumo_free(items[i]);
        }
        if (rc) {
            cv_unref(l);
            return NULL;
        }
        return l;
    }
    default:
        return cv_str(raw);
    }
}

static kumo_settings *settings_of(cval *self)
{
    return kumo__crawler_settings(crawler_of(self));
}

static cval *settings_getitem(cv_ctx *c, cval *self, cval *key)
{
    const char *name = cv_arg_str(c, "settings[]", key);
    return name ? setting_value(c, settings_of(self), name) : NULL;
}

static cval *typed_get(cv_ctx *c, cval *self, const cv_args *a, const char *fname, int kind)
{
    static const char *const names[] = {"name", "default"};
    cval *arg[2];
    if (cv_args_parse(c, fname, a, names, 2, 1, arg))
        return NULL;
    const char *name = cv_arg_str(c, fname, arg[0]);
    if (!name)
        return NULL;
    kumo_settings *s = settings_of(self);
    if (!kumo__settings_get(s, name))
        return cv_ref(arg[1] ? arg[1] : cv_none());
    switch (kind) {
    case 'i':
        return cv_int(kumo__settings_int(s, name));
    case 'f':
        return cv_float(kumo__settings_float(s, name));
    case 'b':
        return cv_bool(kumo__settings_bool(s, name));
    default:
        return setting_value(c, s, name);
    }
}

static cval *m_sget(cv_ctx *c, cval *self, const cv_args *a)
{
    return typed_get(c, self, a, "get", 0);
}

static cval *m_sgetint(cv_ctx *c, cval *self, const cv_args *a)
{
    return typed_get(c, self, a, "getint", 'i');
}

static cval *m_sgetfloat(cv_ctx *c, cval *self, const cv_args *a)
{
    return typed_get(c, self, a, "getfloat", 'f');
}

static cval *m_sgetbool(cv_ctx *c, cval *self, const cv_args *a)
{
    return typed_get(c, self, a, "getbool", 'b');
}

static cval *settings_getattr(cv_ctx *c, cval *self, const char *name)
{
    CO_METHOD("get", m_sget);
    CO_METHOD("getint", m_sgetint);
    CO_METHOD("getfloat", m_sgetfloat);
    CO_METHOD("getbool", m_sgetbool);
    return NULL;
}

static int settings_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writef(c, b, "<kumo.settings.Settings object at %p>", (void *)settings_of(self));
}

static const char *const settings_attrs[] = {"get", "getbool", "getfloat", "getint", NULL};
static const cv_vtable settings_vt = {
    .name = "Settings", .getattr = settings_getattr, .getitem = settings_getitem,
    .repr = settings_repr, .attrs = settings_attrs,
};

cval *co_settings(cv_ctx *c)
{
    if (!c->crawler || !kumo__crawler_settings(c->crawler))
        return no_crawl(c);
    return cv_native(&settings_vt, c->crawler, NULL);
}

cval *co_spider(cv_ctx *c)
{
    if (!c->crawler)
        return no_crawl(c);
    if (!kumo_crawler_spider(c->crawler))
        return cv_none();
    return co_from_ref(&kumo_crawler_spider(c->crawler)->ref);
}

/* ---- crawler ---- */

static cval *crawler_getattr(cv_ctx *c, cval *self, const char *name)
{
    if (!strcmp(name, "stats"))
        return co_stats(c);
    if (!strcmp(name, "engine"))
        return co_engine(c);
    if (!strcmp(name, "spider"))
        return co_spider(c);
    if (!strcmp(name, "settings"))
        return co_settings(c);
    return NULL;
}

static int crawler_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writef(c, b, "<kumo.crawler.Crawler object at %p>", self->u.nat.p);
}

static const char *const crawler_attrs[] = {"engine", "settings", "spider", "stats", NULL};
static const cv_vtable crawler_vt = {
    .name = "Crawler", .getattr = crawler_getattr, .repr = crawler_repr,
    .attrs = crawler_attrs,
};

cval *co_crawler(cv_ctx *c)
{
    if (!c->crawler)
        return no_crawl(c);
    return cv_native(&crawler_vt, c->crawler, NULL);
}

/* ---- est() ---- */

static cval *b_est(cv_ctx *c, cval *self, const cv_args *a)
{
    cval *none[1];
    if (cv_args_parse(c, "est", a, NULL, 0, 0, none))
        return NULL;
    if (!c->crawler || !kumo__crawler_engine(c->crawler))
        return cv_raise(c, "RuntimeError", "no crawl is running");
    kumo_buf b;
    kumo__buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    kumo__engine_status_format(kumo__crawler_engine(c->crawler), &b);
    kumo__redis_cluster_format(c->crawler, &b);     /* SCHEDULER=redis: the cluster's */
    cv_print(c, b.s ? b.s : "", b.len);
    kumo__buf_release(&b);
    return cv_none();
}

/* ---------------------------------------------------------------- registration */

#define FN(nm, use, fn, help) {nm, use, help, fn, NULL, NULL, false}
#define HIDDEN_FN(nm, use, fn, help) {nm, use, help, fn, NULL, NULL, true}
#define VAL(nm, mk, help) {nm, NULL, help, NULL, mk, NULL, false}

static const cn_entry crawl_names[] = {
    FN("est", "est()", b_est, "print the engine status (Scrapy's print_engine_status)"),
    HIDDEN_FN("print_engine_status", "print_engine_status()", b_est, "the same as est()"),
    VAL("engine", co_engine, "the engine: engine.pause(), .unpause(), .stop(), .paused"),
    VAL("spider", co_spider, "the running spider: spider.name, spider.state"),
    VAL("crawler", co_crawler, "the crawler: .engine, .spider, .stats, .settings"),
    VAL("stats", co_stats, "the stats: stats.get_value(key, default), stats.get_stats()"),
    VAL("settings", co_settings, "the settings: settings['KEY'], settings.get('KEY', default)"),
};

static const cn_entry classes[] = {
    {"Spider", NULL, "the Spider class (a value for ignore=, isinstance())", NULL, NULL,
     &KUMO_CLASS(Spider), false},
};

void co_crawl_init(void)
{
    co_view_register(&KUMO_CLASS(Spider), &spider_vt);
    cn_register(crawl_names, KUMO_ARRAY_LEN(crawl_names), CN_ORDER_CRAWL);
    cn_register(classes, KUMO_ARRAY_LEN(classes), CN_ORDER_CLASSES);
}
