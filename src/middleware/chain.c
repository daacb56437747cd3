/* chain.c - build, open, log and run the downloader, spider and pipeline chains by index. */
#include "middleware/chain.h"
#include "core/crawler.h"
#include "core/settings.h"
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
    size_t index;           /* position in the built-in table: keeps the sort stable */
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

static size_t find_link(const link *cands, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(cands[i].name, name) == 0)
            return i;
    return n;
}

/*
 * Apply the kind's setting ({"Name": order|null}) to the candidates: new orders, and
 * disabled[i] for a null.  Returns KUMO_EINVAL with a message in err on a bad setting.
 */
static int apply_setting(const kind *k, kumo_crawler *c, link *cands, bool *disabled,
                         size_t n, char *err, size_t errlen)
{
    const char *text = kumo_settings_get(c->settings, k->setting);
    const char *p = text;
    while (p && (*p == ' ' || *p == '\t' || *p == '\n'))
        p++;
    if (!p || !*p)
        return KUMO_OK;
    kumo_value val;
    char msg[128];
    if (kumo_json_parse(text, strlen(text), &val, msg, sizeof(msg)) != KUMO_OK) {
        snprintf(err, errlen, "invalid %s: %s", k->setting, msg);
        return KUMO_EINVAL;
    }
    int rc = KUMO_OK;
    if (val.type != KUMO_VAL_LIST) {
        snprintf(err, errlen, "invalid %s: expected a JSON object {\"Name\": order|null}",
                 k->setting);
        rc = KUMO_EINVAL;
    }
    for (size_t i = 0; rc == KUMO_OK && i < val.u.list->len; i++) {
        const kumo_value *pair = &val.u.list->v[i];
        if (pair->type != KUMO_VAL_LIST || pair->u.list->len != 2 ||
            pair->u.list->v[0].type != KUMO_VAL_STR) {
            snprintf(err, errlen, "invalid %s: expected a JSON object {\"Name\": order|null}",
                     k->setting);
            rc = KUMO_EINVAL;
            break;
        }
        const char *name = pair->u.list->v[0].u.str.s;
        const kumo_value *o = &pair->u.list->v[1];
        size_t j = find_link(cands, n, name);
        if (j == n) {
            snprintf(err, errlen, "unknown %s '%s' in %s", k->what, name, k->setting);
            rc = KUMO_EINVAL;
        } else if (o->type == KUMO_VAL_NONE) {
            disabled[j] = true;
        } else if (o->type == KUMO_VAL_INT && o->u.i >= INT_MIN && o->u.i <= INT_MAX) {
            cands[j].order = (int)o->u.i;
            disabled[j] = false;
        } else if (o->type == KUMO_VAL_FLOAT && o->u.f == (double)(int)o->u.f) {
            cands[j].order = (int)o->u.f;
            disabled[j] = false;
        } else {
            snprintf(err, errlen, "invalid order for %s '%s' in %s: expected an integer or null",
                     k->what, name, k->setting);
            rc = KUMO_EINVAL;
        }
    }
    kumo_val_clear(&val);
    return rc;
}

static int cmp_link(const void *a, const void *b)
{
    const link *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Sort the candidates, open them in order and keep those that did not decline. */
static int chain_build(chain *out, const kind *k, kumo_crawler *c, link *cands, size_t n,
                       char *err, size_t errlen)
{
    bool *disabled = kumo_calloc(n ? n : 1, sizeof(bool), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    int rc = apply_setting(k, c, cands, disabled, n, err, errlen);
    out->e = NULL;
    out->len = 0;
    if (rc == KUMO_OK) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (!disabled[i])
                cands[m++] = cands[i];
        qsort(cands, m, sizeof(*cands), cmp_link);
        out->e = kumo_calloc(m ? m : 1, sizeof(link), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
        for (size_t i = 0; i < m; i++) {
            link l = cands[i];
            l.self = NULL;
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
    kumo_free(disabled);
    return rc;
}

static size_t table_len(const void *const *t)
{
    size_t n = 0;
    while (t[n])
        n++;
    return n;
}

#define FILL_LINKS(table, cands, n)                                             \
    do {                                                                        \
        n = table_len((const void *const *)(table));                            \
        cands = kumo_calloc(n ? n : 1, sizeof(link), KUMO_T_MIDDLEWARE, KUMO_V_DICT); \
        for (size_t i_ = 0; i_ < n; i_++)                                       \
            cands[i_] = (link){(table)[i_]->name, (table)[i_]->order, (table)[i_]->open, \
                               (table)[i_]->close, (table)[i_], NULL, i_};      \
    } while (0)

int kumo_chains_open(kumo_crawler *c, kumo_chains **out, char *err, size_t errlen)
{
    kumo_chains *ch = kumo_calloc(1, sizeof(*ch), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    link *cands;
    size_t n;
    int rc;
    *out = NULL;
    if (errlen)
        err[0] = '\0';

    FILL_LINKS(kumo_builtin_dlmws, cands, n);
    rc = chain_build(&ch->dl, &kind_dl, c, cands, n, err, errlen);
    kumo_free(cands);
    if (rc == KUMO_OK) {
        FILL_LINKS(kumo_builtin_spmws, cands, n);
        rc = chain_build(&ch->sp, &kind_sp, c, cands, n, err, errlen);
        kumo_free(cands);
    }
    if (rc == KUMO_OK) {
        FILL_LINKS(kumo_builtin_pipelines, cands, n);
        rc = chain_build(&ch->pl, &kind_pl, c, cands, n, err, errlen);
        kumo_free(cands);
    }
    if (rc != KUMO_OK) {
        kumo_chains_close(ch, c);
        return rc;
    }
    *out = ch;
    return KUMO_OK;
}

void kumo_chains_close(kumo_chains *ch, kumo_crawler *c)
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
    kumo_buf_addc(b, '[');
    for (size_t i = 0; i < ch->len; i++) {
        if (i)
            kumo_buf_adds(b, one_line <= 80 ? ", " : ",\n ");
        kumo_buf_printf(b, "'%s'", ch->e[i].name);
    }
    kumo_buf_addc(b, ']');
}

static void log_chain(const chain *ch, const char *what)
{
    kumo_buf b;
    kumo_buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    pformat_names(ch, &b);
    KUMO_INFO(LOGGER, "Enabled %ss:\n%s", what, kumo_buf_str(&b));
    kumo_buf_release(&b);
}

void kumo_chains_log(const kumo_chains *ch)
{
    log_chain(&ch->dl, kind_dl.what);
    log_chain(&ch->sp, kind_sp.what);
    log_chain(&ch->pl, kind_pl.what);
}

/* ---- running ---- */

#define DL(l) ((const kumo_dlmw_def *)(l)->def)
#define SP(l) ((const kumo_spmw_def *)(l)->def)
#define PL(l) ((const kumo_pipeline_def *)(l)->def)

int kumo_chain_request(kumo_chains *ch, kumo_crawler *c, kumo_request *req, kumo_response **res,
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

int kumo_chain_response(kumo_chains *ch, kumo_crawler *c, kumo_request *req,
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

int kumo_chain_exception(kumo_chains *ch, kumo_crawler *c, kumo_request *req, int err,
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

int kumo_chain_spider_input(kumo_chains *ch, kumo_crawler *c, kumo_response *res)
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
int kumo_chain_spider_request(kumo_chains *ch, kumo_crawler *c, kumo_response *res,
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

int kumo_chain_spider_item(kumo_chains *ch, kumo_crawler *c, kumo_response *res,
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

int kumo_chain_item(kumo_chains *ch, kumo_crawler *c, kumo_item *item)
{
    for (size_t i = 0; i < ch->pl.len; i++) {
        link *l = &ch->pl.e[i];
        if (!PL(l)->process_item)
            continue;
        int rc = PL(l)->process_item(l->self, c, item);
        if (rc == KUMO_EDONE || rc == KUMO_EIGNORED)
            return KUMO_EDONE;
        if (rc != KUMO_OK && rc != KUMO_EDECLINED)
            return rc;
    }
    return KUMO_OK;
}
