/* chain.c - build, open, log and run the downloader, spider and pipeline chains by index. */
#include "core/chain.h"
#include "core/crawler.h"
#include "core/plugin.h"
#include "core/registry.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/spider.h"
#include "core/stats.h"
#include "core/item.h"
#include "util/buf.h"
#include "util/json.h"

#define LOGGER "kumo.middleware"

/* One entry of any chain: its def (typed by the chain it sits in) and its state. */
typedef struct link {
    const char *name;
    int order;
    int (*open)(kumo_crawler *c, void **self);
    void (*close)(void *self, kumo_crawler *c);
    const void *def;
    void *self;
    size_t index;           /* listing position (built-ins, then the spider's own) */
} link;

typedef struct chain {
    link *e;
    size_t len;
} chain;

struct kumo_chains {
    chain dl, sp, pl;
};

/* What one kind of chain is called and where its settings and built-ins are. */
typedef struct kind {
    const char *what;       /* "downloader middleware" */
    const char *setting;    /* "DOWNLOADER_MIDDLEWARES" */
} kind;

static const kind kind_dl = {"downloader middleware", "DOWNLOADER_MIDDLEWARES"};
static const kind kind_sp = {"spider middleware", "SPIDER_MIDDLEWARES"};
static const kind kind_pl = {"item pipeline", "ITEM_PIPELINES"};

/* ---- helpers shared by the built-ins ---- */

static bool value_true(const kumo_value *v)
{
    switch (v->type) {
    case KUMO_VAL_BOOL:
        return v->u.b != 0;
    case KUMO_VAL_INT:
        return v->u.i != 0;
    case KUMO_VAL_FLOAT:
        return v->u.f != 0.0;
    case KUMO_VAL_STR:
        return v->u.str.len > 0;
    case KUMO_VAL_LIST:
        return v->u.list->len > 0;
    case KUMO_VAL_OBJ:
        return true;
    default:
        return false;
    }
}

bool kumo__meta_true(const kumo_map *meta, const char *key)
{
    const kumo_value *v = meta ? kumo_map_get(meta, key) : NULL;
    return v && value_true(v);
}

bool kumo__list_has_int(const kumo_value *v, int64_t n)
{
    if (!v || v->type != KUMO_VAL_LIST)
        return false;
    for (size_t i = 0; i < v->u.list->len; i++) {
        const kumo_value *x = &v->u.list->v[i];
        if (x->type == KUMO_VAL_INT && x->u.i == n)
            return true;
        if (x->type == KUMO_VAL_FLOAT && x->u.f == (double)n)
            return true;
        if (x->type == KUMO_VAL_STR && x->u.str.len > 0) {
            char *end;
            long long s = strtoll(x->u.str.s, &end, 10);
            if (*end == '\0' && s == n)
                return true;
        }
    }
    return false;
}

/* ---- building ---- */

static void chain_close(chain *ch, kumo_crawler *c)
{
    for (size_t i = ch->len; i-- > 0;)
        if (ch->e[i].close)
            ch->e[i].close(ch->e[i].self, c);
    kumo_free(ch->e);
    ch->e = NULL;
    ch->len = 0;
}

/* The chain link of a def of each kind, at the def's own order. */
static link dl_link(const void *def)
{
    const kumo_dlmw_def *d = def;
    return (link){d->name, d->order, d->open, d->close, d, NULL, 0};
}

static link sp_link(const void *def)
{
    const kumo_spmw_def *d = def;
    return (link){d->name, d->order, d->open, d->close, d, NULL, 0};
}

static link pl_link(const void *def)
{
    const kumo_pipeline_def *d = def;
    return (link){d->name, d->order, d->open, d->close, d, NULL, 0};
}

/*
 * Order the candidates (built-ins then the spider's own) by the kind's setting, open them
 * in order and keep those that did not decline.  Takes cands (freed here).
 */
static int chain_build(chain *out, const kind *k, link (*link_of)(const void *def),
                       kumo_crawler *c, kumo_component *cands, size_t n, char *err,
                       size_t errlen)
{
    const kumo_spider_def *sd = kumo__crawler_def(c);
    int rc = KUMO_OK;
    out->e = NULL;
    out->len = 0;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i].name || !*cands[i].name) {
            snprintf(err, errlen, "a %s of spider '%s' has no name", k->what,
                     sd && sd->name ? sd->name : "?");
            rc = KUMO_EINVAL;
        }
    }
    if (rc == KUMO_OK)
        rc = kumo__components_build(kumo__crawler_settings(c), k->setting, k->what, cands, &n,
                                   err, errlen);
    if (rc == KUMO_OK) {
        out->e = kumo_calloc(n ? n : 1, sizeof(link), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
        for (size_t i = 0; i < n; i++) {
            link l = link_of(cands[i].def);
            l.order = cands[i].order;
            l.index = cands[i].index;
            int orc = l.open ? l.open(c, &l.self) : KUMO_OK;
            if (orc == KUMO_EDECLINED)
                continue;
            if (orc != KUMO_OK) {
                snprintf(err, errlen, "cannot open %s '%s': %s", k->what, l.name,
                         kumo_strerror(orc));
                rc = orc;
                chain_close(out, c);
                break;
            }
            out->e[out->len++] = l;
        }
    }
    kumo_free(cands);
    return rc;
}

/* cands := the registered built-ins of kind then the spider's own (own may be NULL). */
#define CANDIDATES(kind, own, cands, n)                                             \
    do {                                                                            \
        __typeof__(own) o_ = (own), b_ = (__typeof__(own))kumo__registered(kind);   \
        size_t nb_ = 0, no_ = 0;                                                    \
        while (b_ && b_[nb_])                                                       \
            nb_++;                                                                  \
        while (o_ && o_[no_])                                                       \
            no_++;                                                                  \
        n = nb_ + no_;                                                              \
        cands = kumo_calloc(n ? n : 1, sizeof(kumo_component), KUMO_T_MIDDLEWARE,   \
                            KUMO_V_DICT);                                           \
        for (size_t i_ = 0; i_ < n; i_++) {                                         \
            const __typeof__(*b_[0]) *d_ = i_ < nb_ ? b_[i_] : o_[i_ - nb_];           \
            cands[i_] = (kumo_component){d_->name, d_->order, d_, i_};              \
        }                                                                           \
    } while (0)

/*
 * rc := the first refusal of kumo__*_def_check over the registered built-ins of kind (from
 * "kumo") then the spider's own (from the spider named who): a def built without this
 * kumo's ABI header never opens.
 */
#define CHECK_DEFS(kind, own, check, who, err, errlen, rc)                              \
    do {                                                                                \
        __typeof__(own) o_ = (own), b_ = (__typeof__(own))kumo__registered(kind);       \
        for (size_t i_ = 0; rc == KUMO_OK && b_ && b_[i_]; i_++)                        \
            rc = check(b_[i_], "kumo", err, errlen);                                    \
        for (size_t i_ = 0; rc == KUMO_OK && o_ && o_[i_]; i_++)                        \
            rc = check(o_[i_], who, err, errlen);                                       \
    } while (0)

/*
 * The spider closes: close the pipelines now, as Scrapy's scraper calls close_spider before
 * the stats are dumped, so what their close hooks count shows in the dump.  The middlewares
 * close with the chains (they may still see transfers aborted at the very end).
 */
static void on_spider_closed(void *ctx, kumo_crawler *c, void *arg)
{
    kumo_chains *ch = ctx;
    chain_close(&ch->pl, c);
}

int kumo__chains_open(kumo_crawler *c, kumo_chains **out, char *err, size_t errlen)
{
    kumo_chains *ch = kumo_calloc(1, sizeof(*ch), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    const kumo_spider_def *sd = kumo__crawler_def(c);
    kumo_component *cands;
    size_t n;
    int rc = KUMO_OK;
    *out = NULL;
    if (errlen)
        err[0] = '\0';

    const char *who = sd && sd->name ? sd->name : "?";
    CHECK_DEFS(KUMO_REG_DLMW, sd ? sd->downloader_middlewares : NULL, kumo__dlmw_def_check, who,
               err, errlen, rc);
    CHECK_DEFS(KUMO_REG_SPMW, sd ? sd->spider_middlewares : NULL, kumo__spmw_def_check, who, err,
               errlen, rc);
    CHECK_DEFS(KUMO_REG_PIPELINE, sd ? sd->item_pipelines : NULL, kumo__pipeline_def_check, who,
               err, errlen, rc);
    if (rc != KUMO_OK) {
        kumo_free(ch);
        return rc;
    }
    CANDIDATES(KUMO_REG_DLMW, sd ? sd->downloader_middlewares : NULL, cands, n);
    rc = chain_build(&ch->dl, &kind_dl, dl_link, c, cands, n, err, errlen);
    if (rc == KUMO_OK) {
        CANDIDATES(KUMO_REG_SPMW, sd ? sd->spider_middlewares : NULL, cands, n);
        rc = chain_build(&ch->sp, &kind_sp, sp_link, c, cands, n, err, errlen);
    }
    if (rc == KUMO_OK) {
        CANDIDATES(KUMO_REG_PIPELINE, sd ? sd->item_pipelines : NULL, cands, n);
        rc = chain_build(&ch->pl, &kind_pl, pl_link, c, cands, n, err, errlen);
    }
    if (rc != KUMO_OK) {
        kumo__chains_close(ch, c);
        return rc;
    }
    if (kumo__crawler_signals(c))
        kumo__signal_connect(kumo__crawler_signals(c), KUMO_SIG_SPIDER_CLOSED, on_spider_closed,
                             ch);
    *out = ch;
    return KUMO_OK;
}

void kumo__chains_close(kumo_chains *ch, kumo_crawler *c)
{
    if (!ch)
        return;
    chain_close(&ch->pl, c);
    chain_close(&ch->sp, c);
    chain_close(&ch->dl, c);
    kumo_free(ch);
}

/* ---- logging ---- */

/* Python's pprint.pformat() of a list of simple strings (width 80). */
static void pformat_names(const chain *ch, kumo_buf *b)
{
    size_t one_line = 2;
    for (size_t i = 0; i < ch->len; i++)
        one_line += strlen(ch->e[i].name) + 2 + (i ? 2 : 0);
    kumo__buf_addc(b, '[');
    for (size_t i = 0; i < ch->len; i++) {
        if (i)
            kumo__buf_adds(b, one_line <= 80 ? ", " : ",\n ");
        kumo__buf_printf(b, "'%s'", ch->e[i].name);
    }
    kumo__buf_addc(b, ']');
}

static void log_chain(const chain *ch, const char *what)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    pformat_names(ch, &b);
    KUMO_INFO(LOGGER, "Enabled %ss:\n%s", what, kumo__buf_str(&b));
    kumo__buf_release(&b);
}

void kumo__chains_log(const kumo_chains *ch)
{
    log_chain(&ch->dl, kind_dl.what);
    log_chain(&ch->sp, kind_sp.what);
    log_chain(&ch->pl, kind_pl.what);
}

/* ---- running ---- */

#define DL(l) ((const kumo_dlmw_def *)(l)->def)
#define SP(l) ((const kumo_spmw_def *)(l)->def)
#define PL(l) ((const kumo_pipeline_def *)(l)->def)

int kumo__chain_request(kumo_chains *ch, kumo_crawler *c, kumo_request *req, kumo_response **res,
                       kumo_request **next)
{
    *res = NULL;
    *next = NULL;
    for (size_t i = 0; i < ch->dl.len; i++) {
        link *l = &ch->dl.e[i];
        if (!DL(l)->process_request)
            continue;
        int rc = DL(l)->process_request(l->self, c, req, res, next);
        if (rc == KUMO_OK || rc == KUMO_EDECLINED)
            continue;
        if (rc == KUMO_EDONE && !*res && !*next)
            continue;   /* nothing to short-circuit with: go on */
        return rc;
    }
    return KUMO_OK;
}

int kumo__chain_response(kumo_chains *ch, kumo_crawler *c, kumo_request *req,
                        kumo_response **res, kumo_request **next)
{
    *next = NULL;
    for (size_t i = ch->dl.len; i-- > 0;) {
        link *l = &ch->dl.e[i];
        if (!DL(l)->process_response)
            continue;
        int rc = DL(l)->process_response(l->self, c, req, res, next);
        if (rc == KUMO_OK || rc == KUMO_EDECLINED || (rc == KUMO_EDONE && !*next))
            continue;
        if (rc == KUMO_EDONE || rc == KUMO_EIGNORED) {
            kumo_response_unref(*res);
            *res = NULL;
        }
        return rc;
    }
    return KUMO_OK;
}

int kumo__chain_exception(kumo_chains *ch, kumo_crawler *c, kumo_request *req, int err,
                         kumo_response **res, kumo_request **next)
{
    *res = NULL;
    *next = NULL;
    for (size_t i = ch->dl.len; i-- > 0;) {
        link *l = &ch->dl.e[i];
        if (!DL(l)->process_exception)
            continue;
        int rc = DL(l)->process_exception(l->self, c, req, err, res, next);
        if (rc == KUMO_EDONE && (*res || *next))
            return KUMO_EDONE;
        if (rc == KUMO_EIGNORED)
            return rc;
    }
    return KUMO_EDECLINED;
}

int kumo__chain_spider_input(kumo_chains *ch, kumo_crawler *c, kumo_response *res)
{
    for (size_t i = 0; i < ch->sp.len; i++) {
        link *l = &ch->sp.e[i];
        if (!SP(l)->process_spider_input)
            continue;
        int rc = SP(l)->process_spider_input(l->self, c, res);
        if (rc != KUMO_OK && rc != KUMO_EDECLINED)
            return rc;
    }
    return KUMO_OK;
}

/* Spider output passes the spider middlewares in descending order, as in Scrapy. */
int kumo__chain_spider_request(kumo_chains *ch, kumo_crawler *c, kumo_response *res,
                              kumo_request *req)
{
    for (size_t i = ch->sp.len; i-- > 0;) {
        link *l = &ch->sp.e[i];
        if (!SP(l)->process_request)
            continue;
        int rc = SP(l)->process_request(l->self, c, res, req);
        if (rc != KUMO_OK && rc != KUMO_EDECLINED)
            return rc;
    }
    return KUMO_OK;
}

int kumo__chain_spider_item(kumo_chains *ch, kumo_crawler *c, kumo_response *res,
                           kumo_item *item)
{
    for (size_t i = ch->sp.len; i-- > 0;) {
        link *l = &ch->sp.e[i];
        if (!SP(l)->process_item)
            continue;
        int rc = SP(l)->process_item(l->self, c, res, item);
        if (rc != KUMO_OK && rc != KUMO_EDECLINED)
            return rc;
    }
    return KUMO_OK;
}

/* Scrapy's LogFormatter.dropped (WARNING "Dropped: REASON\n{item}") and CoreStats'
 * item_dropped_reasons_count/DropItem (item_dropped_count comes with the signal). */
static void dropped(kumo_crawler *c, kumo_item *item)
{
    const char *why = kumo_item_drop_reason(item);
    if (!why) {         /* dropped without kumo_item_drop(): an empty reason, as DropItem() */
        kumo_item_drop(item, "%s", "");
        why = "";
    }
    kumo__stats_inc(kumo__crawler_stats(c), "item_dropped_reasons_count/DropItem", 1);
    if (!kumo__log_enabled(KUMO_LOG_WARNING))
        return;
    kumo_buf b;
    kumo__buf_init(&b, 64 * 1024, KUMO_T_STR, KUMO_V_NONE);
    kumo__json_map(&b, &item->fields, ", ", ": ");
    KUMO_WARN("kumo.core.scraper", "Dropped: %s\n%s", why ? why : "", kumo__buf_str(&b));
    kumo__buf_release(&b);
}

void kumo__chains_holders(const kumo_chains *ch,
                          void (*fn)(void *ctx, const char *what, const char *name,
                                     kumo_refs_hook refs, void *self),
                          void *ctx)
{
    for (size_t i = 0; ch && i < ch->dl.len; i++) {
        const kumo_dlmw_def *d = ch->dl.e[i].def;
        if (d->refs)
            fn(ctx, kind_dl.what, ch->dl.e[i].name, d->refs, ch->dl.e[i].self);
    }
    for (size_t i = 0; ch && i < ch->pl.len; i++)
        if (PL(&ch->pl.e[i])->refs)
            fn(ctx, kind_pl.what, ch->pl.e[i].name, PL(&ch->pl.e[i])->refs, ch->pl.e[i].self);
}

/* What the pipeline at index i returned for item: KUMO_OK go on, else the final code
 * (a drop logged and counted, an error logged). */
static int item_rc(kumo_chains *ch, kumo_crawler *c, kumo_item *item, size_t i, int rc)
{
    if (rc == KUMO_EIGNORED) {
        dropped(c, item);
        return KUMO_EIGNORED;
    }
    if (rc != KUMO_OK && rc != KUMO_EDECLINED && rc != KUMO_EAGAIN) {
        /* KUMO_EDONE too: since ABI 3 a pipeline drops with KUMO_EIGNORED only */
        KUMO_ERROR("kumo.core.scraper", "Error processing item: item pipeline '%s' "
                   "returned %s (%s)", ch->pl.e[i].name, kumo_errname(rc), kumo_strerror(rc));
        return rc;
    }
    return rc == KUMO_EAGAIN ? KUMO_EAGAIN : KUMO_OK;
}

int kumo__chain_item_from(kumo_chains *ch, kumo_crawler *c, kumo_item *item, size_t *at)
{
    for (size_t i = *at; i < ch->pl.len; i++) {
        link *l = &ch->pl.e[i];
        if (!PL(l)->process_item)
            continue;
        int rc = item_rc(ch, c, item, i, PL(l)->process_item(l->self, c, item));
        if (rc == KUMO_EAGAIN)
            *at = i;
        if (rc != KUMO_OK)
            return rc;
    }
    return KUMO_OK;
}

int kumo__chain_item_resume(kumo_chains *ch, kumo_crawler *c, kumo_item *item, size_t *at,
                           int rc)
{
    if (*at >= ch->pl.len)
        return KUMO_EINVAL;
    rc = item_rc(ch, c, item, *at, rc == KUMO_EAGAIN ? KUMO_EINVAL : rc);
    if (rc != KUMO_OK)
        return rc;
    ++*at;
    return kumo__chain_item_from(ch, c, item, at);
}

int kumo__chain_item(kumo_chains *ch, kumo_crawler *c, kumo_item *item)
{
    size_t at = 0;
    return kumo__chain_item_from(ch, c, item, &at);
}
