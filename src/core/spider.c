/* spider.c - the Spider object and the checks a plugin's definition must pass. */
#include "core/spider.h"
#include "core/crawler.h"
#include "core/rules.h"
#include "core/settings.h"
#include "core/sitemap.h"
#include "kumo/plugin.h"

/* The name SitemapSpider's built-in callback is known by (Scrapy's _parse_sitemap). */
#define SITEMAP_CB "_parse_sitemap"

const char *kumo__spider_class_name(const char *name, char *buf, size_t n)
{
    size_t j = 0;
    bool up = true;
    for (const char *p = name; *p && j + 7 < n; p++) {
        if (*p == '_' || *p == '-' || *p == '.' || *p == ' ') {
            up = true;
            continue;
        }
        char ch = *p;
        if (up && ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        up = false;
        buf[j++] = ch;
    }
    snprintf(buf + j, n - j, "Spider");
    return buf;
}

/* What a spider holds: objects in its state (spider.state['last']). */
static void spider_refs(const kumo_ref *r, kumo_ref_visit_fn visit, void *ctx)
{
    kumo_map_refs(&((const kumo_spider *)r)->state, ".state", visit, ctx);
}

kumo_spider *kumo__spider_new(const kumo_spider_def *def, kumo_crawler *c, const kumo_map *args)
{
    if (!KUMO_CLASS(Spider).refs)
        KUMO_CLASS(Spider).refs = spider_refs;
    char cname[128];
    kumo_class *cls = kumo_class_intern(kumo__spider_class_name(def->name, cname, sizeof(cname)),
                                        &KUMO_CLASS(Spider));
    kumo_spider *sp = kumo_calloc(1, sizeof(*sp), KUMO_T_SPIDER, KUMO_V_NONE);
    kumo_ref_init(&sp->ref, cls);
    sp->def = def;
    sp->c = c;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&sp->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    kumo_map_init(&sp->args, KUMO_T_DICT, KUMO_V_DICT);
    kumo_map_init(&sp->state, KUMO_T_DICT, KUMO_V_DICT);
    kumo__vec_init(&sp->retired, KUMO_T_LIST, KUMO_V_DICT);
    if (args)
        kumo_map_copy(&sp->args, args);
    sp->logger = kumo_strdup(def->name, KUMO_T_STR, KUMO_V_DICT);
    if (def->allowed_domains)
        for (const char *const *d = def->allowed_domains; *d; d++)
            kumo_spider_allow_domain(sp, *d);
    return sp;
}

void kumo__spider_free(kumo_spider *sp)
{
    if (!sp)
        return;
    kumo_ref_fini(&sp->ref);
    kumo_map_release(&sp->args);
    kumo_map_release(&sp->state);
    for (size_t i = 0; i < sp->nallowed; i++)
        kumo_free(sp->allowed[i]);
    kumo_free(sp->allowed);
    while (sp->retired.len)
        kumo_free(kumo__vec_pop(&sp->retired));
    kumo__vec_release(&sp->retired);
    kumo_free(sp->logger);
    pthread_mutex_destroy(&sp->lock);
    kumo_free(sp);
}

void kumo__spider_lock(kumo_spider *sp)
{
    if (sp)
        pthread_mutex_lock(&sp->lock);
}

void kumo__spider_unlock(kumo_spider *sp)
{
    if (sp)
        pthread_mutex_unlock(&sp->lock);
}

/* A new array with one more domain is published whole, the old one kept until the spider
 * is freed: a reader on another thread (Offsite, on the loop) never sees it half made. */
void kumo_spider_allow_domain(kumo_spider *sp, const char *domain)
{
    char **next = kumo_alloc((sp->nallowed + 2) * sizeof(char *), KUMO_T_LIST, KUMO_V_DICT);
    if (sp->nallowed)
        memcpy(next, sp->allowed, sp->nallowed * sizeof(char *));
    char *d = kumo_strdup(domain, KUMO_T_STR, KUMO_V_DICT);
    for (char *p = d; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    next[sp->nallowed] = d;
    next[sp->nallowed + 1] = NULL;
    char **old = sp->allowed;
    __atomic_store_n(&sp->allowed, next, __ATOMIC_RELEASE);
    sp->nallowed++;
    if (old)
        kumo__vec_push(&sp->retired, old);
}

int kumo_start_from_arg(kumo_spider *sp, kumo_out *out, const char *def, kumo_callback_fn cb)
{
    const char *url = kumo_spider_arg(sp, "url", def);
    if (!url) {
        kumo_spider_log(sp, "ERROR", "%s needs a start url: -a url=http://HOST/", sp->logger);
        return KUMO_EINVAL;
    }
    int err = KUMO_EURL;
    kumo_request *req = kumo_request_new(url, cb, &err);
    if (!req) {
        kumo_spider_log(sp, "ERROR", "bad start url '%s': %s", url, kumo_strerror(err));
        return err;
    }
    if (!sp->nallowed) {
        char *host = kumo_url_host(url);
        kumo_spider_allow_domain(sp, host);
        kumo_free(host);
    }
    kumo_yield_request(out, req);
    return KUMO_OK;
}

const char *kumo_spider_arg(kumo_spider *sp, const char *name, const char *def)
{
    return kumo_map_get_str(&sp->args, name, def);
}

const char *kumo_spider_setting(kumo_spider *sp, const char *name, const char *def)
{
    const char *v = sp->c ? kumo__settings_get(kumo__crawler_settings(sp->c), name) : NULL;
    return v ? v : def;
}

const char *kumo_spider_name(kumo_spider *sp)
{
    return sp->def->name;
}

const kumo_map *kumo_spider_args(kumo_spider *sp)
{
    return &sp->args;
}

const char *const *kumo_spider_allowed_domains(kumo_spider *sp)
{
    return (const char *const *)__atomic_load_n(&sp->allowed, __ATOMIC_ACQUIRE);
}

kumo_map *kumo_spider_state(kumo_spider *sp)
{
    return &sp->state;
}

void kumo_spider_log(kumo_spider *sp, const char *level, const char *fmt, ...)
{
    kumo_loglevel lv = KUMO_LOG_INFO;
    kumo__log_level_parse(level, &lv);
    va_list ap;
    va_start(ap, fmt);
    kumo__vlog(sp->logger, lv, fmt, ap);
    va_end(ap);
}

kumo_callback_fn kumo__spider_callback(const kumo_spider *sp, kumo_callback_fn cb)
{
    if (cb)
        return cb;
    if (sp->def->rules)
        return kumo__rules_parse;
    return sp->def->callbacks && sp->def->callbacks[0].fn ? sp->def->callbacks[0].fn : NULL;
}

const char *kumo__spider_callback_name(const kumo_spider *sp, kumo_callback_fn cb)
{
    cb = kumo__spider_callback(sp, cb);
    if (sp->def->rules && cb == kumo__rules_parse)
        return KUMO_RULES_PARSE_NAME;
    if (sp->def->rules && cb == kumo__rules_callback)
        return KUMO_RULES_CALLBACK_NAME;
    if (cb == kumo__sitemap_parse && sp->def->sitemap)
        return SITEMAP_CB;
    for (const kumo_callback *k = sp->def->callbacks; k && k->name; k++)
        if (k->fn == cb)
            return k->name;
    return NULL;
}

const char *kumo__spider_errback_name(const kumo_spider *sp, kumo_errback_fn eb)
{
    if (sp->def->rules && eb && eb == kumo__rules_errback)
        return KUMO_RULES_ERRBACK_NAME;
    for (const kumo_errback *k = sp->def->errbacks; eb && k && k->name; k++)
        if (k->fn == eb)
            return k->name;
    return NULL;
}

kumo_callback_fn kumo__spider_def_callback(const kumo_spider_def *def, const char *name)
{
    if (def->rules && strcmp(name, KUMO_RULES_PARSE_NAME) == 0)
        return kumo__rules_parse;
    if (def->rules && strcmp(name, KUMO_RULES_CALLBACK_NAME) == 0)
        return kumo__rules_callback;
    if (def->sitemap && strcmp(name, SITEMAP_CB) == 0)
        return kumo__sitemap_parse;
    for (const kumo_callback *k = def->callbacks; k && k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k->fn;
    return NULL;
}

kumo_errback_fn kumo__spider_def_errback(const kumo_spider_def *def, const char *name)
{
    if (def->rules && strcmp(name, KUMO_RULES_ERRBACK_NAME) == 0)
        return kumo__rules_errback;
    for (const kumo_errback *k = def->errbacks; k && k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k->fn;
    return NULL;
}

/* The header and spare slots of a component def, whatever its kind. */
typedef struct comp_abi {
    const char *what;       /* "downloader middleware" */
    const char *macro;      /* "KUMO_DLMW_HEADER" */
    const char *name;       /* the def's name, may be NULL */
    uint32_t abi;
    const char *abi_sig;
    size_t size, want;      /* what the def says, sizeof() here */
    void *const *reserved;
    size_t nreserved;
} comp_abi;

static int comp_check(const comp_abi *a, const char *where, char *err, size_t errlen)
{
    const char *name = a->name ? a->name : "";
    if (a->abi == 0) {          /* every ABI is 1 or more: the header was left out */
        snprintf(err, errlen, "the %s '%s' in '%s' lacks %s: make it the first line of its "
                 "definition", a->what, name, where, a->macro);
        return KUMO_EABI;
    }
    if (a->abi != KUMO_ABI) {
        snprintf(err, errlen, "%s '%s' in '%s' built for ABI %u, this kumo is %d: rebuild it",
                 a->what, name, where, a->abi, KUMO_ABI);
        return KUMO_EABI;
    }
    if (!a->abi_sig || strcmp(a->abi_sig, KUMO_ABI_SIG) != 0) {
        snprintf(err, errlen, "%s '%s' in '%s' built as '%s', this kumo is '%s': rebuild it",
                 a->what, name, where, a->abi_sig ? a->abi_sig : "(none)", KUMO_ABI_SIG);
        return KUMO_EABI;
    }
    if (a->size != a->want) {
        snprintf(err, errlen, "%s '%s' in '%s' has a definition of %zu bytes, this kumo "
                 "expects %zu: rebuild it", a->what, name, where, a->size, a->want);
        return KUMO_EABI;
    }
    for (size_t i = 0; i < a->nreserved; i++) {
        if (a->reserved[i]) {
            snprintf(err, errlen, "%s '%s' in '%s' sets reserved slot %zu, unknown to this "
                     "kumo: rebuild it", a->what, name, where, i);
            return KUMO_EABI;
        }
    }
    return KUMO_OK;
}

#define COMP_ABI(d, w, m)                                                               \
    (comp_abi){w, m, (d)->name, (d)->abi, (d)->abi_sig, (d)->size, sizeof(*(d)),       \
               (d)->reserved, KUMO_ARRAY_LEN((d)->reserved)}

int kumo__dlmw_def_check(const kumo_dlmw_def *d, const char *where, char *err, size_t errlen)
{
    comp_abi a = COMP_ABI(d, "downloader middleware", "KUMO_DLMW_HEADER");
    return comp_check(&a, where, err, errlen);
}

int kumo__spmw_def_check(const kumo_spmw_def *d, const char *where, char *err, size_t errlen)
{
    comp_abi a = COMP_ABI(d, "spider middleware", "KUMO_SPMW_HEADER");
    return comp_check(&a, where, err, errlen);
}

int kumo__pipeline_def_check(const kumo_pipeline_def *d, const char *where, char *err,
                            size_t errlen)
{
    comp_abi a = COMP_ABI(d, "item pipeline", "KUMO_PIPELINE_HEADER");
    return comp_check(&a, where, err, errlen);
}

int kumo__ext_def_check(const kumo_ext_def *d, const char *where, char *err, size_t errlen)
{
    comp_abi a = COMP_ABI(d, "extension", "KUMO_EXT_HEADER");
    return comp_check(&a, where, err, errlen);
}

/* Check each def of a NULL-terminated list (may be NULL) with check. */
#define CHECK_EACH(list, check, where, err, errlen)                                     \
    do {                                                                                \
        for (size_t i_ = 0; (list) && (list)[i_]; i_++) {                               \
            int rc_ = check((list)[i_], where, err, errlen);                            \
            if (rc_ != KUMO_OK)                                                         \
                return rc_;                                                             \
        }                                                                               \
    } while (0)

/* A callback name a sitemap rule or a contract gives must be one of the spider's. */
static int callback_check(const kumo_spider_def *def, const char *where, const char *what,
                          const char *name, char *err, size_t errlen)
{
    if (name && kumo__spider_def_callback(def, name))
        return KUMO_OK;
    snprintf(err, errlen, "spider '%s' in '%s': %s names callback '%s', which is not in its "
             ".callbacks", def->name, where, what, name ? name : "(null)");
    return KUMO_EINVAL;
}

static int sitemap_check(const kumo_spider_def *def, const char *where, char *err,
                         size_t errlen)
{
    const kumo_sitemap_def *sm = def->sitemap;
    if (!sm)
        return KUMO_OK;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(sm->reserved); i++) {
        if (sm->reserved[i]) {
            snprintf(err, errlen, "spider '%s' in '%s': its .sitemap sets reserved slot %zu, "
                     "unknown to this kumo: rebuild it", def->name, where, i);
            return KUMO_EABI;
        }
    }
    for (const kumo_sitemap_rule *r = sm->rules; r && r->pattern; r++)
        KUMO_TRY(callback_check(def, where, "a sitemap rule", r->callback, err, errlen));
    return KUMO_OK;
}

static int contracts_check(const kumo_spider_def *def, const char *where, char *err,
                           size_t errlen)
{
    for (const kumo_contract *k = def->contracts; k && k->callback; k++) {
        KUMO_TRY(callback_check(def, where, "a contract", k->callback, err, errlen));
        if (!k->url || !*k->url) {
            snprintf(err, errlen, "spider '%s' in '%s': the contract of '%s' has no url",
                     def->name, where, k->callback);
            return KUMO_EINVAL;
        }
    }
    return KUMO_OK;
}

int kumo__spider_def_check(const kumo_spider_def *def, const char *where, char *err,
                          size_t errlen)
{
    if (def->abi == 0) {        /* every ABI is 1 or more: the header was left out */
        snprintf(err, errlen, "the KUMO_SPIDER definition in '%s' lacks KUMO_SPIDER_HEADER: "
                 "make it the first line of KUMO_SPIDER = { ... }", where);
        return KUMO_EABI;
    }
    if (def->abi != KUMO_ABI) {
        snprintf(err, errlen, "spider in '%s' built for ABI %u, this kumo is %d: rebuild it",
                 where, def->abi, KUMO_ABI);
        return KUMO_EABI;
    }
    if (!def->abi_sig || strcmp(def->abi_sig, KUMO_ABI_SIG) != 0) {
        snprintf(err, errlen, "spider in '%s' built as '%s', this kumo is '%s': rebuild it",
                 where, def->abi_sig ? def->abi_sig : "(none)", KUMO_ABI_SIG);
        return KUMO_EABI;
    }
    if (def->size != sizeof(kumo_spider_def)) {
        snprintf(err, errlen, "spider in '%s' has a definition of %zu bytes, this kumo "
                 "expects %zu: rebuild it", where, def->size, sizeof(kumo_spider_def));
        return KUMO_EABI;
    }
    for (size_t i = 0; i < KUMO_ARRAY_LEN(def->reserved); i++) {
        if (def->reserved[i]) {
            snprintf(err, errlen, "spider in '%s' sets reserved slot %zu, unknown to this "
                     "kumo: rebuild it", where, i);
            return KUMO_EABI;
        }
    }
    if (!def->name || !*def->name) {
        snprintf(err, errlen, "the KUMO_SPIDER definition in '%s' has no name: give it "
                 ".name = \"NAME\"", where);
        return KUMO_EINVAL;
    }
    if ((!def->callbacks || !def->callbacks[0].fn) && !def->rules) {
        snprintf(err, errlen, "spider '%s' in '%s' has no callbacks: give it .callbacks = "
                 "KUMO_CALLBACKS(parse, ...)", def->name, where);
        return KUMO_EINVAL;
    }
    KUMO_TRY(kumo__rules_check(def, where, err, errlen));
    KUMO_TRY(sitemap_check(def, where, err, errlen));
    KUMO_TRY(contracts_check(def, where, err, errlen));
    CHECK_EACH(def->downloader_middlewares, kumo__dlmw_def_check, where, err, errlen);
    CHECK_EACH(def->spider_middlewares, kumo__spmw_def_check, where, err, errlen);
    CHECK_EACH(def->item_pipelines, kumo__pipeline_def_check, where, err, errlen);
    CHECK_EACH(def->extensions, kumo__ext_def_check, where, err, errlen);
    return KUMO_OK;
}
