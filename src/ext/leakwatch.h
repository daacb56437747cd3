/* leakwatch.h - LeakWatch's samples of live objects and its leak-suspect test (pure, so
 * tests feed it synthetic samples without timers). */
#ifndef KUMO_LEAKWATCH_H
#define KUMO_LEAKWATCH_H

#include "kumo-int.h"
#include "mem/referrers.h"
#include "util/buf.h"

/* Classes recorded per sample at most (kumo has about a dozen, plus the spider's). */
#define KUMO_LW_HELD_MAX 3      /* holder kinds a warning names */
#define KUMO_LW_MAX_CLASSES 64

/* One class in one sample. */
typedef struct kumo_lw_count {
    const kumo_class *cls;      /* borrowed: classes outlive the crawl */
    size_t live;                /* live objects of exactly cls */
    double oldest_born;         /* born time of its oldest live object; 0 when none */
} kumo_lw_count;

typedef struct kumo_lw_sample {
    double t;                   /* seconds since the crawl started */
    double now;                 /* kumo_now() when taken: ages are now - oldest_born */
    uint64_t rss;               /* resident set size in bytes, 0 when unknown */
    uint64_t heap, mfree;       /* kumo's heap and malloc's free-but-held bytes (0: not read) */
    int64_t pages, items;       /* responses received and items scraped so far */
    size_t queued;              /* requests the scheduler and the downloader hold */
    size_t n;
    kumo_lw_count c[KUMO_LW_MAX_CLASSES];
} kumo_lw_sample;

/* A class that keeps growing while its oldest object keeps ageing, and its likely peer. */
typedef struct kumo_lw_suspect {
    const kumo_class *cls;
    size_t live;
    double age;                 /* of its oldest object, seconds */
    const kumo_class *peer;     /* the class growing alongside with the closest count, or NULL */
    size_t peer_live;
    double peer_age;
    /* what holds its objects, most references first (kumo__held_by()); nheld 0: not asked */
    kumo_held_by held[KUMO_LW_HELD_MAX];
    size_t nheld;
} kumo_lw_suspect;

/* Fill s with every registered class's live count and oldest object, now (heap, mfree,
 * pages and items 0: the caller fills them). */
void kumo__lw_sample_take(kumo_lw_sample *s, double t, uint64_t rss, size_t queued);

/*
 * win[0..n) are the last n samples, oldest first (n >= 2).  A class is a suspect when it is
 * in each of them, its oldest object is the same one in each (born unchanged, so it keeps
 * ageing), its count grows from every sample to the next, and the newest count is at least
 * min_count.  Request classes are counted less the queued requests: a long queue is not a
 * leak.  The peer is the other class whose count grew over the window with the count closest
 * to the suspect's.  Writes at most max suspects to out, in class order; returns how many
 * there are.
 */
size_t kumo__lw_suspects(const kumo_lw_sample *const *win, size_t n, size_t min_count,
                        kumo_lw_suspect *out, size_t max);

/*
 * Append one warning line for s (no newline): the class, its count and oldest age, then what
 * holds its objects ("held by Request.meta['referer'] (677 requests)") when s->nheld, else
 * the peer and what the pair suggests ("responses are probably held by requests...").
 */
void kumo__lw_suspect_format(const kumo_lw_suspect *s, size_t nsamples, kumo_buf *b);

/*
 * Append s as one JSON line with its newline:
 * {"t": 12.5, "rss": 1234, "heap": 567, "free": 89, "pages": 10, "items": 9,
 *  "live": {"HtmlResponse": 3, ...}, "oldest": {"HtmlResponse": 2.0}}
 * ("live" holds every class sampled, "oldest" the age in seconds of those with live objects;
 * `kumo report` draws its charts from these lines).
 */
int kumo__lw_sample_json(const kumo_lw_sample *s, kumo_buf *b);

/*
 * Append the JSON field of the suspects warned about in a sample, to go in its line:
 * "suspects": [{"class": "HtmlResponse", "live": 6, "oldest": 7.0, "held_by": [{"by":
 * "Request.meta['referer']", "holders": 677, "unit": "requests", "references": 6}]}]
 */
int kumo__lw_suspects_json(const kumo_lw_suspect *s, size_t n, kumo_buf *b);

#endif
