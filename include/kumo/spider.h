/* kumo/spider.h - what a spider plugin exports, and what its callbacks may call. */
#ifndef KUMO_SPIDER_H
#define KUMO_SPIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kumo/http.h"
#include "kumo/item.h"
#include "kumo/linkextractor.h"

/* Bumped whenever kumo_spider_def or any public struct changes incompatibly. */
#define KUMO_ABI 4

#define KUMO_ABI_STR2(x) #x
#define KUMO_ABI_STR(x) KUMO_ABI_STR2(x)
#if defined(__SANITIZE_ADDRESS__)
#define KUMO_ABI_SAN "asan"
#else
#define KUMO_ABI_SAN "nosan"
#endif
/* The build facts a plugin must share with kumo: pointer size, value size, sanitizers. */
#define KUMO_ABI_SIG                                                        \
    "ptr" KUMO_ABI_STR(__SIZEOF_POINTER__) "-long" KUMO_ABI_STR(__SIZEOF_LONG__) "-" KUMO_ABI_SAN

typedef struct kumo_spider kumo_spider;

/* A named callback: names are how requests find their callback again (jobs, logs). */
typedef struct kumo_callback {
    const char *name;
    kumo_callback_fn fn;
} kumo_callback;

/* A named errback, found by name again like a callback (kumo_request_set_errback()). */
typedef struct kumo_errback {
    const char *name;
    kumo_errback_fn fn;
} kumo_errback;

/* Defined in kumo/plugin.h: what a plugin may add to the crawl besides its spider. */
struct kumo_dlmw_def;
struct kumo_spmw_def;
struct kumo_pipeline_def;
struct kumo_ext_def;

/*
 * SitemapSpider (Scrapy's scrapy.spiders.SitemapSpider): a spider whose .sitemap is set and
 * that has no .start_requests starts from sitemap.urls instead of .start_urls.  Each url
 * may be a sitemap (<urlset>), a sitemap index (<sitemapindex>), either gzipped (.xml.gz or
 * Content-Encoding), or a robots.txt whose "Sitemap:" lines are followed.  Sitemaps are
 * fetched with the built-in callback "_parse_sitemap" (found by that name on a JOBDIR
 * resume); they are bounded by DOWNLOAD_MAXSIZE once decompressed.
 */
typedef struct kumo_sitemap_rule {
    const char *pattern;        /* Python re, searched in the loc: "/product/" ("" any) */
    const char *callback;       /* a name in the spider's .callbacks */
} kumo_sitemap_rule;

/*
 * The sitemap_filter hook: called for each entry of a sitemap, with its type ("urlset" or
 * "sitemapindex") and the entry as Scrapy's Sitemap gives it: one string per child element
 * by local name ("loc", "lastmod", "changefreq", "priority"...) and "alternate", a list of
 * the hrefs of its <xhtml:link> children when it has any.  entry is borrowed for the call
 * and may be changed (a new "loc").  Return KUMO_OK to keep the entry, KUMO_EIGNORED to
 * skip it.
 */
typedef int (*kumo_sitemap_filter_fn)(kumo_spider *sp, const char *type, kumo_map *entry);

typedef struct kumo_sitemap_def {
    const char *const *urls;            /* sitemap_urls: NULL-terminated */
    /* sitemap_rules, {NULL, NULL}-terminated: the first whose pattern is found in a loc
     * gets it; NULL: every loc to the spider's first callback (Scrapy's [("", "parse")]) */
    const kumo_sitemap_rule *rules;
    const char *const *follow;          /* sitemap_follow: index locs to follow; NULL: all */
    bool alternate_links;               /* sitemap_alternate_links: request those too */
    kumo_sitemap_filter_fn filter;      /* sitemap_filter, or NULL: keep every entry */
    void *reserved[2];                  /* must be NULL */
} kumo_sitemap_def;

#define KUMO_SITEMAP_RULES(...) ((const kumo_sitemap_rule[]){__VA_ARGS__, {NULL, NULL}})

/*
 * A spider contract for `kumo check` (Scrapy's @url / @returns / @scrapes docstring lines):
 * the callback named callback is run on the response for url, and what it emits must match:
 *   check_items: it yields between items_min and items_max items (max -1: no upper bound)
 *   check_requests: the same for requests
 *   scrapes: fields every item it yields must have (NULL-terminated), or NULL
 * The list ends with an entry whose callback is NULL.
 */
typedef struct kumo_contract {
    const char *callback;
    const char *url;
    bool check_items;                   /* @returns items MIN MAX */
    int items_min, items_max;
    bool check_requests;                /* @returns requests MIN MAX */
    int requests_min, requests_max;
    const char *const *scrapes;         /* @scrapes a b c */
    void *reserved[2];                  /* must be NULL */
} kumo_contract;

/* KUMO_CONTRACTS({.callback = "parse", .url = "http://...", KUMO_RETURNS_ITEMS(1, 10)}) */
#define KUMO_CONTRACTS(...) ((const kumo_contract[]){__VA_ARGS__, {NULL}})
#define KUMO_RETURNS_ITEMS(lo, hi) .check_items = true, .items_min = (lo), .items_max = (hi)
#define KUMO_RETURNS_REQUESTS(lo, hi) \
    .check_requests = true, .requests_min = (lo), .requests_max = (hi)
#define KUMO_SCRAPES(...) .scrapes = KUMO_LIST(__VA_ARGS__)

/* A setting the spider overrides: {"DOWNLOAD_DELAY", "0.5"}. */
typedef struct kumo_setting {
    const char *name;
    const char *value;
} kumo_setting;

/*
 * A rule's hooks (Scrapy's Rule(process_links=, process_request=)).  process_links may drop
 * links (kumo_links_remove()) or change their urls (kumo_links_set_url()); links and res are
 * borrowed.  process_request takes ownership of req and returns it (changed or not), another
 * request (a new reference), or NULL to drop it.
 */
typedef void (*kumo_process_links_fn)(kumo_response *res, kumo_links *links);
typedef kumo_request *(*kumo_process_request_fn)(kumo_request *req, kumo_response *res);

/*
 * One rule of a CrawlSpider (Scrapy's Rule): for every HTML response of a request without
 * a callback or of a rule whose follow is on, the links link_extractor finds are requested,
 * each by the first rule that extracts it.  The response of a rule's request goes to its
 * callback (NULL: none), with its cb_kwargs ({name, value} strings, KUMO_KWARGS(...)) in
 * kumo_response_cb_kwargs(); then, when follow is on, the rules run on it again.  follow:
 * KUMO_DEFAULT (on when there is no callback, as in Scrapy), KUMO_YES or KUMO_NO.  errback
 * gets the failures of the rule's requests.  A rule's request is found again on a JOBDIR
 * resume by its index (meta "rule"): keep the order of the rules between runs.
 */
typedef struct kumo_rule {
    kumo_link_extractor link_extractor;
    kumo_callback_fn callback;
    int follow;
    kumo_process_links_fn process_links;
    kumo_process_request_fn process_request;
    kumo_errback_fn errback;
    const kumo_setting *cb_kwargs;          /* {NULL, NULL}-terminated, or NULL */
    void *reserved[2];                      /* must be NULL */
} kumo_rule;

typedef struct kumo_spider_def {
    /* ABI header: filled by KUMO_SPIDER_HEADER, checked by the loader before anything. */
    uint32_t abi;
    const char *abi_sig;
    size_t size;

    const char *name;                       /* `kumo crawl NAME` */
    const char *const *start_urls;          /* NULL-terminated, or NULL */
    const char *const *allowed_domains;     /* NULL-terminated, or NULL: any domain */
    const kumo_callback *callbacks;         /* {NULL, NULL}-terminated; the first is the default */
    const kumo_setting *settings;           /* {NULL, NULL}-terminated, or NULL */

    /*
     * Optional: emit the start requests instead of start_urls (runs once, after .open).
     * Return KUMO_OK, or any other code (a kumo_err such as KUMO_EINVAL) when the crawl
     * cannot start: an ERROR line names the code, the requests already emitted are dropped,
     * the spider closes as "start_requests_failed" and `kumo crawl` exits 1.
     */
    int (*start_requests)(kumo_spider *sp, kumo_out *out);

    /*
     * Optional: called once before the first request (before "Spider opened" is logged).
     * Return KUMO_OK, or any other code when the spider cannot run: an ERROR line names the
     * code, .start_requests does not run, the spider closes as "open_failed" (.close is
     * still called, to free what .open made) and `kumo crawl` exits 1.
     */
    int (*open)(kumo_spider *sp);
    /* Optional: called once at close with the reason ("finished", "open_failed"...). */
    void (*close)(kumo_spider *sp, const char *reason);

    const kumo_errback *errbacks;           /* {NULL, NULL}-terminated, or NULL */

    /*
     * Components this plugin adds (NULL-terminated arrays, or NULL), enabled and ordered by
     * DOWNLOADER_MIDDLEWARES, SPIDER_MIDDLEWARES, ITEM_PIPELINES and EXTENSIONS like the
     * built-ins: each is on at its own order unless a setting gives it another or null.
     */
    const struct kumo_dlmw_def *const *downloader_middlewares;
    const struct kumo_spmw_def *const *spider_middlewares;
    const struct kumo_pipeline_def *const *item_pipelines;
    const struct kumo_ext_def *const *extensions;

    /*
     * CrawlSpider's rules (KUMO_RULES(KUMO_RULE(...), ...)), or NULL.  With rules, a request
     * without a callback (start urls) goes to Scrapy's CrawlSpider.parse: the callback named
     * "parse_start_url" when .callbacks lists one, then the rules; .callbacks may be NULL.
     */
    const kumo_rule *const *rules;
    const struct kumo_sitemap_def *sitemap; /* Scrapy's SitemapSpider attributes, or NULL */
    const struct kumo_contract *contracts;  /* `kumo check`: {NULL}-terminated, or NULL */

    void *reserved[4];                      /* must be NULL: room to grow without a new ABI */
} kumo_spider_def;

#define KUMO_SPIDER_SYMBOL kumo_spider_export
#define KUMO_SPIDER_HEADER .abi = KUMO_ABI, .abi_sig = KUMO_ABI_SIG, .size = sizeof(kumo_spider_def)
#define KUMO_SPIDER const kumo_spider_def KUMO_SPIDER_SYMBOL
#define KUMO_LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
#define KUMO_SETTINGS(...) ((const kumo_setting[]){__VA_ARGS__, {NULL, NULL}})
#define KUMO_KWARGS(...) ((const kumo_setting[]){__VA_ARGS__, {NULL, NULL}})

/*
 * .rules = KUMO_RULES(
 *     KUMO_RULE(.link_extractor = {.allow = KUMO_LIST("/category/")}),
 *     KUMO_RULE(.link_extractor = {.allow = KUMO_LIST("/item/")}, .callback = parse_item)),
 */
#define KUMO_RULE(...) (&(const kumo_rule){__VA_ARGS__})
#define KUMO_RULES(...) ((const kumo_rule *const[]){__VA_ARGS__, NULL})

/*
 * KUMO_CALLBACKS(parse, parse_author): each function with its own name, up to
 * KUMO_CALLBACKS_MAX of them; KUMO_ERRBACKS(on_error) lists errbacks the same way.  More
 * than that is a compile error ("KUMO_CALLBACKS_takes_at_most_64_functions"): write the array
 * out instead, (const kumo_callback[]){{"parse", parse}, ..., {NULL, NULL}}.
 */
#define KUMO_CALLBACKS_MAX 64
#define KUMO_CB_(f) {#f, f},
#define KUMO_CB_1(a) KUMO_CB_(a)
#define KUMO_CB_2(a, ...) KUMO_CB_(a) KUMO_CB_1(__VA_ARGS__)
#define KUMO_CB_3(a, ...) KUMO_CB_(a) KUMO_CB_2(__VA_ARGS__)
#define KUMO_CB_4(a, ...) KUMO_CB_(a) KUMO_CB_3(__VA_ARGS__)
#define KUMO_CB_5(a, ...) KUMO_CB_(a) KUMO_CB_4(__VA_ARGS__)
#define KUMO_CB_6(a, ...) KUMO_CB_(a) KUMO_CB_5(__VA_ARGS__)
#define KUMO_CB_7(a, ...) KUMO_CB_(a) KUMO_CB_6(__VA_ARGS__)
#define KUMO_CB_8(a, ...) KUMO_CB_(a) KUMO_CB_7(__VA_ARGS__)
#define KUMO_CB_9(a, ...) KUMO_CB_(a) KUMO_CB_8(__VA_ARGS__)
#define KUMO_CB_10(a, ...) KUMO_CB_(a) KUMO_CB_9(__VA_ARGS__)
#define KUMO_CB_11(a, ...) KUMO_CB_(a) KUMO_CB_10(__VA_ARGS__)
#define KUMO_CB_12(a, ...) KUMO_CB_(a) KUMO_CB_11(__VA_ARGS__)
#define KUMO_CB_13(a, ...) KUMO_CB_(a) KUMO_CB_12(__VA_ARGS__)
#define KUMO_CB_14(a, ...) KUMO_CB_(a) KUMO_CB_13(__VA_ARGS__)
#define KUMO_CB_15(a, ...) KUMO_CB_(a) KUMO_CB_14(__VA_ARGS__)
#define KUMO_CB_16(a, ...) KUMO_CB_(a) KUMO_CB_15(__VA_ARGS__)
#define KUMO_CB_17(a, ...) KUMO_CB_(a) KUMO_CB_16(__VA_ARGS__)
#define KUMO_CB_18(a, ...) KUMO_CB_(a) KUMO_CB_17(__VA_ARGS__)
#define KUMO_CB_19(a, ...) KUMO_CB_(a) KUMO_CB_18(__VA_ARGS__)
#define KUMO_CB_20(a, ...) KUMO_CB_(a) KUMO_CB_19(__VA_ARGS__)
#define KUMO_CB_21(a, ...) KUMO_CB_(a) KUMO_CB_20(__VA_ARGS__)
#define KUMO_CB_22(a, ...) KUMO_CB_(a) KUMO_CB_21(__VA_ARGS__)
#define KUMO_CB_23(a, ...) KUMO_CB_(a) KUMO_CB_22(__VA_ARGS__)
#define KUMO_CB_24(a, ...) KUMO_CB_(a) KUMO_CB_23(__VA_ARGS__)
#define KUMO_CB_25(a, ...) KUMO_CB_(a) KUMO_CB_24(__VA_ARGS__)
#define KUMO_CB_26(a, ...) KUMO_CB_(a) KUMO_CB_25(__VA_ARGS__)
#define KUMO_CB_27(a, ...) KUMO_CB_(a) KUMO_CB_26(__VA_ARGS__)
#define KUMO_CB_28(a, ...) KUMO_CB_(a) KUMO_CB_27(__VA_ARGS__)
#define KUMO_CB_29(a, ...) KUMO_CB_(a) KUMO_CB_28(__VA_ARGS__)
#define KUMO_CB_30(a, ...) KUMO_CB_(a) KUMO_CB_29(__VA_ARGS__)
#define KUMO_CB_31(a, ...) KUMO_CB_(a) KUMO_CB_30(__VA_ARGS__)
#define KUMO_CB_32(a, ...) KUMO_CB_(a) KUMO_CB_31(__VA_ARGS__)
#define KUMO_CB_33(a, ...) KUMO_CB_(a) KUMO_CB_32(__VA_ARGS__)
#define KUMO_CB_34(a, ...) KUMO_CB_(a) KUMO_CB_33(__VA_ARGS__)
#define KUMO_CB_35(a, ...) KUMO_CB_(a) KUMO_CB_34(__VA_ARGS__)
#define KUMO_CB_36(a, ...) KUMO_CB_(a) KUMO_CB_35(__VA_ARGS__)
#define KUMO_CB_37(a, ...) KUMO_CB_(a) KUMO_CB_36(__VA_ARGS__)
#define KUMO_CB_38(a, ...) KUMO_CB_(a) KUMO_CB_37(__VA_ARGS__)
#define KUMO_CB_39(a, ...) KUMO_CB_(a) KUMO_CB_38(__VA_ARGS__)
#define KUMO_CB_40(a, ...) KUMO_CB_(a) KUMO_CB_39(__VA_ARGS__)
#define KUMO_CB_41(a, ...) KUMO_CB_(a) KUMO_CB_40(__VA_ARGS__)
#define KUMO_CB_42(a, ...) KUMO_CB_(a) KUMO_CB_41(__VA_ARGS__)
#define KUMO_CB_43(a, ...) KUMO_CB_(a) KUMO_CB_42(__VA_ARGS__)
#define KUMO_CB_44(a, ...) KUMO_CB_(a) KUMO_CB_43(__VA_ARGS__)
#define KUMO_CB_45(a, ...) KUMO_CB_(a) KUMO_CB_44(__VA_ARGS__)
#define KUMO_CB_46(a, ...) KUMO_CB_(a) KUMO_CB_45(__VA_ARGS__)
#define KUMO_CB_47(a, ...) KUMO_CB_(a) KUMO_CB_46(__VA_ARGS__)
#define KUMO_CB_48(a, ...) KUMO_CB_(a) KUMO_CB_47(__VA_ARGS__)
#define KUMO_CB_49(a, ...) KUMO_CB_(a) KUMO_CB_48(__VA_ARGS__)
#define KUMO_CB_50(a, ...) KUMO_CB_(a) KUMO_CB_49(__VA_ARGS__)
#define KUMO_CB_51(a, ...) KUMO_CB_(a) KUMO_CB_50(__VA_ARGS__)
#define KUMO_CB_52(a, ...) KUMO_CB_(a) KUMO_CB_51(__VA_ARGS__)
#define KUMO_CB_53(a, ...) KUMO_CB_(a) KUMO_CB_52(__VA_ARGS__)
#define KUMO_CB_54(a, ...) KUMO_CB_(a) KUMO_CB_53(__VA_ARGS__)
#define KUMO_CB_55(a, ...) KUMO_CB_(a) KUMO_CB_54(__VA_ARGS__)
#define KUMO_CB_56(a, ...) KUMO_CB_(a) KUMO_CB_55(__VA_ARGS__)
#define KUMO_CB_57(a, ...) KUMO_CB_(a) KUMO_CB_56(__VA_ARGS__)
#define KUMO_CB_58(a, ...) KUMO_CB_(a) KUMO_CB_57(__VA_ARGS__)
#define KUMO_CB_59(a, ...) KUMO_CB_(a) KUMO_CB_58(__VA_ARGS__)
#define KUMO_CB_60(a, ...) KUMO_CB_(a) KUMO_CB_59(__VA_ARGS__)
#define KUMO_CB_61(a, ...) KUMO_CB_(a) KUMO_CB_60(__VA_ARGS__)
#define KUMO_CB_62(a, ...) KUMO_CB_(a) KUMO_CB_61(__VA_ARGS__)
#define KUMO_CB_63(a, ...) KUMO_CB_(a) KUMO_CB_62(__VA_ARGS__)
#define KUMO_CB_64(a, ...) KUMO_CB_(a) KUMO_CB_63(__VA_ARGS__)
#define KUMO_CB_N(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, \
    _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, \
    _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, \
    _54, _55, _56, _57, _58, _59, _60, _61, _62, _63, _64, _65, _66, _67, _68, _69, _70, _71, \
    _72, N, ...) N
/* More than 64 functions (up to 72) pick this: a compile error that says why. */
#define KUMO_CB_TOO_MANY(...) KUMO_CALLBACKS_takes_at_most_64_functions
#define KUMO_CB_PICK_(...) \
    KUMO_CB_N(__VA_ARGS__, KUMO_CB_TOO_MANY, KUMO_CB_TOO_MANY, KUMO_CB_TOO_MANY, \
              KUMO_CB_TOO_MANY, KUMO_CB_TOO_MANY, KUMO_CB_TOO_MANY, KUMO_CB_TOO_MANY, \
              KUMO_CB_TOO_MANY, KUMO_CB_64, KUMO_CB_63, KUMO_CB_62, KUMO_CB_61, KUMO_CB_60, \
              KUMO_CB_59, KUMO_CB_58, KUMO_CB_57, KUMO_CB_56, KUMO_CB_55, KUMO_CB_54, KUMO_CB_53, \
              KUMO_CB_52, KUMO_CB_51, KUMO_CB_50, KUMO_CB_49, KUMO_CB_48, KUMO_CB_47, KUMO_CB_46, \
              KUMO_CB_45, KUMO_CB_44, KUMO_CB_43, KUMO_CB_42, KUMO_CB_41, KUMO_CB_40, KUMO_CB_39, \
              KUMO_CB_38, KUMO_CB_37, KUMO_CB_36, KUMO_CB_35, KUMO_CB_34, KUMO_CB_33, KUMO_CB_32, \
              KUMO_CB_31, KUMO_CB_30, KUMO_CB_29, KUMO_CB_28, KUMO_CB_27, KUMO_CB_26, KUMO_CB_25, \
              KUMO_CB_24, KUMO_CB_23, KUMO_CB_22, KUMO_CB_21, KUMO_CB_20, KUMO_CB_19, KUMO_CB_18, \
              KUMO_CB_17, KUMO_CB_16, KUMO_CB_15, KUMO_CB_14, KUMO_CB_13, KUMO_CB_12, KUMO_CB_11, \
              KUMO_CB_10, KUMO_CB_9, KUMO_CB_8, KUMO_CB_7, KUMO_CB_6, KUMO_CB_5, KUMO_CB_4, \
              KUMO_CB_3, KUMO_CB_2, KUMO_CB_1)
#define KUMO_CALLBACKS(...) \
    ((const kumo_callback[]){KUMO_CB_PICK_(__VA_ARGS__)(__VA_ARGS__){NULL, NULL}})
#define KUMO_ERRBACKS(...) \
    ((const kumo_errback[]){KUMO_CB_PICK_(__VA_ARGS__)(__VA_ARGS__){NULL, NULL}})

/* ---- the running spider ---- */

/* The spider's -a argument name, or def when not given.  Borrowed. */
const char *kumo_spider_arg(kumo_spider *sp, const char *name, const char *def);

/* The effective setting name, or def.  Borrowed. */
const char *kumo_spider_setting(kumo_spider *sp, const char *name, const char *def);

/* The spider's name.  Borrowed. */
const char *kumo_spider_name(kumo_spider *sp);

/* Every -a argument, name to string value.  Borrowed, valid while the spider runs. */
const kumo_map *kumo_spider_args(kumo_spider *sp);

/*
 * The domains the offsite filter allows: the def's allowed_domains and those added with
 * kumo_spider_allow_domain().  NULL-terminated, or NULL for any domain.  Borrowed, valid
 * while the spider runs (a later kumo_spider_allow_domain() makes a new list; this one stays
 * as it was).
 */
const char *const *kumo_spider_allowed_domains(kumo_spider *sp);

/*
 * The spider's state map, for the spider to read and write (Scrapy's spider.state):
 * with JOBDIR it is saved at checkpoints and at close and comes back when the job
 * resumes.  Values must be plain (numbers, strings, lists): one holding an object is
 * not saved.  Borrowed, valid while the spider runs.
 */
kumo_map *kumo_spider_state(kumo_spider *sp);

/*
 * Allow one more domain (and its subdomains) for the offsite filter, for spiders that
 * decide their domains at open (from an argument) or as they go (from a callback: the
 * requests it yields are checked against it).
 */
void kumo_spider_allow_domain(kumo_spider *sp, const char *domain);

/*
 * The usual start of a spider that takes its start url on the command line: read -a url
 * (def when not given), allow that url's host for the offsite filter unless the spider
 * allows domains already, and emit a request for it with cb.  Returns KUMO_OK, or
 * KUMO_EINVAL / KUMO_EURL / KUMO_ESCHEME with an ERROR line naming the url.
 */
int kumo_start_from_arg(kumo_spider *sp, kumo_out *out, const char *def, kumo_callback_fn cb);

/* The spider that produced res / owns out.  Borrowed. */
kumo_spider *kumo_response_spider(kumo_response *res);
kumo_spider *kumo_out_spider(kumo_out *out);

/* Log a line under the spider's logger ("[quotes] INFO: ..."). level: "DEBUG", "INFO"... */
void kumo_spider_log(kumo_spider *sp, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- emitting results from a callback ---- */

/* Emit a request; takes ownership (NULL is ignored, so kumo_response_follow() chains). */
void kumo_yield_request(kumo_out *out, kumo_request *req);

/* Emit an item; takes ownership. */
void kumo_yield_item(kumo_out *out, kumo_item *item);

/* Follow href relative to res with cb: kumo_response_follow() + kumo_yield_request(). */
void kumo_follow(kumo_out *out, kumo_response *res, const char *href, kumo_callback_fn cb);

/* The same with Scrapy's follow(**kwargs): kumo_response_follow_with() + kumo_yield_request().
 * opts is borrowed (NULL: none). */
void kumo_follow_with(kumo_out *out, kumo_response *res, const char *href, kumo_callback_fn cb,
                      const kumo_follow_opts *opts);

#endif
